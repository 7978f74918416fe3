package s3_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/s3"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// apiCode is the S3 error code of an in-process call's error.
func apiCode(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Objects survive a restart; files no metadata refers to (a crash between
// writing the file and committing its record) are removed on open.
func TestRestartAndInProcessAPI(t *testing.T) {
	dir := t.TempDir()
	e := start(t, envOptions{dir: dir})
	c := e.client("")
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("persist")}); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("template "), 1000)
	if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("persist"), Key: aws.String("stack.yaml"),
		Body: bytes.NewReader(data), ContentType: aws.String("text/yaml")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(cx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("persist"), Key: aws.String("pending")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(cx, &awss3.UploadPartInput{Bucket: aws.String("persist"), Key: aws.String("pending"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part one"))}); err != nil {
		t.Fatal(err)
	}
	e.Stop()

	objects := filepath.Join(dir, "s3", "objects")
	for _, name := range []string{"orphan", ".tmp-interrupted"} {
		if err := os.WriteFile(filepath.Join(objects, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e2 := start(t, envOptions{dir: dir})
	for _, name := range []string{"orphan", ".tmp-interrupted"} {
		if _, err := os.Stat(filepath.Join(objects, name)); !os.IsNotExist(err) {
			t.Fatalf("%s not removed: %v", name, err)
		}
	}
	r, info, err := e2.Service.GetObject(cx, "persist", "stack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, data) || info.ContentType != "text/yaml" || info.Size != int64(len(data)) || info.ETag != md5ETag(data) {
		t.Fatalf("after restart: %d bytes %+v", len(got), info)
	}
	if _, _, err := e2.Service.GetObject(cx, "persist", "nothing"); apiCode(err) != "NoSuchKey" {
		t.Fatalf("missing key: %v", err)
	}
	parts, err := e2.client("").ListParts(cx, &awss3.ListPartsInput{Bucket: aws.String("persist"), Key: aws.String("pending"), UploadId: up.UploadId})
	if err != nil || len(parts.Parts) != 1 || aws.ToInt64(parts.Parts[0].Size) != 8 {
		t.Fatalf("upload after restart: %v %+v", err, parts)
	}
	// The in-process API writes what the wire reads.
	if _, err := e2.Service.PutObject(cx, "persist", "code.zip", bytes.NewReader([]byte("PK")), "application/zip"); err != nil {
		t.Fatal(err)
	}
	if body, err := getBody(t, e2.client(""), "persist", "code.zip"); err != nil || body != "PK" {
		t.Fatalf("%q %v", body, err)
	}
	if err := e2.Service.PutBucketConfig(cx, "persist", "versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)); err != nil {
		t.Fatal(err)
	}
	v, err := e2.client("").GetBucketVersioning(cx, &awss3.GetBucketVersioningInput{Bucket: aws.String("persist")})
	if err != nil || v.Status != "Enabled" {
		t.Fatalf("versioning via the Go API: %v %+v", err, v)
	}
	if err := e2.Service.PutBucketConfig(cx, "persist", "versioning", []byte(`<Other/>`)); apiCode(err) != "MalformedXML" {
		t.Fatalf("wrong root element: %v", err)
	}
}

// A random source that repeats itself (a fixed seed after a restart) must
// not let a new object's file replace an existing one.
func TestObjectFileNamesNeverCollide(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	newService := func() *s3.Service {
		svc, err := s3.New(s3.Config{Store: st, Dir: filepath.Join(dir, "s3"), IDs: ids.New(rand.NewChaCha8([32]byte{7})), NoFsync: true})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	cx := ctx(t)
	first := newService()
	if err := first.CreateBucket(cx, "same-seed"); err != nil {
		t.Fatal(err)
	}
	if _, err := first.PutObject(cx, "same-seed", "a", strings.NewReader("first"), ""); err != nil {
		t.Fatal(err)
	}
	second := newService() // the same random stream again
	if _, err := second.PutObject(cx, "same-seed", "b", strings.NewReader("second"), ""); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"a": "first", "b": "second"} {
		r, _, err := second.GetObject(cx, "same-seed", key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if string(got) != want {
			t.Fatalf("%s = %q, want %q", key, got, want)
		}
	}
}
