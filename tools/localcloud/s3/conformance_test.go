package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func md5ETag(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func crc32B64(b []byte) string {
	var buf [4]byte
	v := crc32.ChecksumIEEE(b)
	buf[0], buf[1], buf[2], buf[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return base64.StdEncoding.EncodeToString(buf[:])
}

func TestBuckets(t *testing.T) {
	e := start(t)
	c := e.client("")
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("artifacts")}); err != nil {
		t.Fatal(err)
	}
	// us-east-1 answers 200 to a bucket you already own.
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("artifacts")}); err != nil {
		t.Fatalf("re-create in us-east-1: %v", err)
	}
	_, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	wantCode(t, err, "InvalidBucketName")
	_, err = c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("other"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	wantCode(t, err, "InvalidLocationConstraint")
	_, err = c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("other"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}})
	wantCode(t, err, "IllegalLocationConstraintException")

	hb, err := c.HeadBucket(cx, &awss3.HeadBucketInput{Bucket: aws.String("artifacts")})
	if err != nil || aws.ToString(hb.BucketRegion) != "us-east-1" {
		t.Fatalf("HeadBucket: %v %+v", err, hb)
	}
	_, err = c.HeadBucket(cx, &awss3.HeadBucketInput{Bucket: aws.String("missing")})
	wantCode(t, err, "NotFound")

	lb, err := c.ListBuckets(cx, &awss3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "artifacts" || lb.Buckets[0].CreationDate == nil {
		t.Fatalf("ListBuckets: %v %+v", err, lb)
	}
	loc, err := c.GetBucketLocation(cx, &awss3.GetBucketLocationInput{Bucket: aws.String("artifacts")})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("GetBucketLocation: %v %+v", err, loc)
	}

	if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(cx, &awss3.DeleteBucketInput{Bucket: aws.String("artifacts")})
	wantCode(t, err, "BucketNotEmpty")
	if _, err := c.DeleteObject(cx, &awss3.DeleteObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(cx, &awss3.DeleteBucketInput{Bucket: aws.String("artifacts")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(cx, &awss3.DeleteBucketInput{Bucket: aws.String("artifacts")})
	wantCode(t, err, "NoSuchBucket")
	_, err = c.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchBucket")
}

func TestRegionalBucket(t *testing.T) {
	e := start(t, envOptions{region: "eu-west-1"})
	c := e.client("eu-west-1")
	cx := ctx(t)
	_, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("bucket1")})
	wantCode(t, err, "IllegalLocationConstraintException")
	cfg := &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("bucket1"), CreateBucketConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("bucket1"), CreateBucketConfiguration: cfg})
	wantCode(t, err, "BucketAlreadyOwnedByYou")
	loc, err := c.GetBucketLocation(cx, &awss3.GetBucketLocationInput{Bucket: aws.String("bucket1")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Fatalf("GetBucketLocation: %v %+v", err, loc)
	}
}

func TestObjects(t *testing.T) {
	e := start(t)
	c := e.client("")
	cx := ctx(t)
	bucket := aws.String("data")
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	body := []byte("hello, localcloud s3\n")
	put, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"Owner": "orders", "x": "1"}, CacheControl: aws.String("max-age=60")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != md5ETag(body) || aws.ToString(put.ChecksumCRC32) != crc32B64(body) {
		t.Fatalf("PutObject: ETag %s CRC32 %s, want %s %s", aws.ToString(put.ETag), aws.ToString(put.ChecksumCRC32), md5ETag(body), crc32B64(body))
	}

	get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !bytes.Equal(got, body) || aws.ToString(get.ContentType) != "text/plain" || get.Metadata["owner"] != "orders" ||
		aws.ToString(get.ChecksumCRC32) != crc32B64(body) || aws.ToInt64(get.ContentLength) != int64(len(body)) ||
		aws.ToString(get.CacheControl) != "max-age=60" || get.LastModified == nil {
		t.Fatalf("GetObject: %q %+v", got, get)
	}

	rng, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), Range: aws.String("bytes=7-16")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rng.Body)
	rng.Body.Close()
	if string(got) != "localcloud" || aws.ToString(rng.ContentRange) != fmt.Sprintf("bytes 7-16/%d", len(body)) {
		t.Fatalf("ranged GetObject: %q %s", got, aws.ToString(rng.ContentRange))
	}
	rng, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), Range: aws.String("bytes=-3")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rng.Body)
	rng.Body.Close()
	if string(got) != "s3\n" {
		t.Fatalf("suffix range: %q", got)
	}
	_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), Range: aws.String("bytes=1000-")})
	wantCode(t, err, "InvalidRange")

	_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), IfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed")
	_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), IfNoneMatch: put.ETag})
	wantCode(t, err, "NotModified")
	_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), IfModifiedSince: get.LastModified})
	wantCode(t, err, "NotModified")
	if _, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), IfMatch: put.ETag}); err != nil {
		t.Fatalf("If-Match with the ETag: %v", err)
	}
	_, err = c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
	wantCode(t, err, "PreconditionFailed")

	head, err := c.HeadObject(cx, &awss3.HeadObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt")})
	if err != nil || aws.ToString(head.ETag) != md5ETag(body) || aws.ToInt64(head.ContentLength) != int64(len(body)) || head.Metadata["x"] != "1" {
		t.Fatalf("HeadObject: %v %+v", err, head)
	}
	_, err = c.HeadObject(cx, &awss3.HeadObjectInput{Bucket: bucket, Key: aws.String("missing")})
	wantCode(t, err, "NotFound")
	_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("missing")})
	wantCode(t, err, "NoSuchKey")

	// Content-MD5 is checked.
	_, err = c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("md5"), Body: strings.NewReader("abc"),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(make([]byte, 16)))})
	wantCode(t, err, "BadDigest")
	// A declared checksum that does not match is BadDigest.
	_, err = c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("crc"), Body: strings.NewReader("abc"),
		ChecksumCRC32: aws.String(crc32B64([]byte("abd")))})
	wantCode(t, err, "BadDigest")
	_, err = c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("crc")})
	wantCode(t, err, "NoSuchKey")
	// SHA-256 checksums.
	if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("sha"), Body: strings.NewReader("abc"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}); err != nil {
		t.Fatal(err)
	}
	sha, err := c.HeadObject(cx, &awss3.HeadObjectInput{Bucket: bucket, Key: aws.String("sha"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(sha.ChecksumSHA256) != "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" {
		t.Fatalf("SHA256 checksum: %v %+v", err, sha)
	}

	// CopyObject keeps metadata unless replaced.
	cp, err := c.CopyObject(cx, &awss3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy/1"), CopySource: aws.String("data/dir/a%20b%2Bc.txt")})
	if err != nil || cp.CopyObjectResult == nil || aws.ToString(cp.CopyObjectResult.ETag) != md5ETag(body) {
		t.Fatalf("CopyObject: %v %+v", err, cp)
	}
	h2, err := c.HeadObject(cx, &awss3.HeadObjectInput{Bucket: bucket, Key: aws.String("copy/1")})
	if err != nil || h2.Metadata["owner"] != "orders" || aws.ToString(h2.ContentType) != "text/plain" {
		t.Fatalf("copied object: %v %+v", err, h2)
	}
	_, err = c.CopyObject(cx, &awss3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy/2"), CopySource: aws.String("data/nothing")})
	wantCode(t, err, "NoSuchKey")

	// Empty bodies and keys with a trailing slash.
	if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("folder/")}); err != nil {
		t.Fatal(err)
	}
	empty, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("folder/")})
	if err != nil || aws.ToString(empty.ETag) != md5ETag(nil) {
		t.Fatalf("empty object: %v %+v", err, empty)
	}
	empty.Body.Close()

	if _, err := c.DeleteObject(cx, &awss3.DeleteObjectInput{Bucket: bucket, Key: aws.String("sha")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(cx, &awss3.DeleteObjectInput{Bucket: bucket, Key: aws.String("sha")}); err != nil {
		t.Fatalf("deleting a missing key succeeds: %v", err)
	}
	del, err := c.DeleteObjects(cx, &awss3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("copy/1")}, {Key: aws.String("folder/")}, {Key: aws.String("never")}}}})
	if err != nil || len(del.Deleted) != 3 || len(del.Errors) != 0 {
		t.Fatalf("DeleteObjects: %v %+v", err, del)
	}
	left, err := c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: bucket})
	if err != nil || aws.ToInt32(left.KeyCount) != 1 || aws.ToString(left.Contents[0].Key) != "dir/a b+c.txt" {
		t.Fatalf("after deletes: %v %+v", err, left)
	}
}

func TestListObjectsV2(t *testing.T) {
	e := start(t)
	c := e.client("")
	cx := ctx(t)
	bucket := aws.String("list")
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a.txt", "b/1", "b/2", "b/3/x", "c/1", "d", "e/f/g"}
	for _, k := range keys {
		if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	// Pages of two, grouped by "/": a.txt, b/, c/, d, e/.
	var seen []string
	var token *string
	pages := 0
	for {
		out, err := c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: bucket, Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.Contents {
			seen = append(seen, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			seen = append(seen, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		token = out.NextContinuationToken
	}
	sort.Strings(seen)
	if pages != 3 || strings.Join(seen, ",") != "a.txt,b/,c/,d,e/" {
		t.Fatalf("delimited pages %d: %v", pages, seen)
	}
	out, err := c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("b/"), Delimiter: aws.String("/")})
	if err != nil || len(out.Contents) != 2 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "b/3/" {
		t.Fatalf("prefix b/: %v %+v", err, out)
	}
	out, err = c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: bucket, StartAfter: aws.String("b/3/x")})
	if err != nil || aws.ToInt32(out.KeyCount) != 3 || aws.ToString(out.Contents[0].Key) != "c/1" || aws.ToInt64(out.Contents[0].Size) != 3 {
		t.Fatalf("start-after: %v %+v", err, out)
	}
	// The paginator walks every key one at a time.
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: bucket, MaxKeys: aws.Int32(1)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Contents)
	}
	if n != len(keys) {
		t.Fatalf("paginator saw %d keys, want %d", n, len(keys))
	}
	_, err = c.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: aws.String("nope")})
	wantCode(t, err, "NoSuchBucket")
}

func TestMultipart(t *testing.T) {
	e := start(t)
	c := e.client("")
	cx := ctx(t)
	bucket, key := aws.String("mpu"), aws.String("big/object.bin")
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	part1 := bytes.Repeat([]byte("0123456789abcdef"), 5<<20/16) // exactly 5 MiB
	part2 := []byte("the tail")
	up, err := c.CreateMultipartUpload(cx, &awss3.CreateMultipartUploadInput{Bucket: bucket, Key: key, ContentType: aws.String("application/zip"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	var completed []types.CompletedPart
	for i, data := range [][]byte{part1, part2} {
		out, err := c.UploadPart(cx, &awss3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ETag) != md5ETag(data) || aws.ToString(out.ChecksumCRC32) != crc32B64(data) {
			t.Fatalf("UploadPart %d: %+v", i+1, out)
		}
		completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	lp, err := c.ListParts(cx, &awss3.ListPartsInput{Bucket: bucket, Key: key, UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != int64(len(part1)) {
		t.Fatalf("ListParts: %v %+v", err, lp)
	}
	_, err = c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed[1], completed[0]}}})
	wantCode(t, err, "InvalidPartOrder")
	_, err = c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed[0], {PartNumber: aws.Int32(2), ETag: aws.String(`"0"`)}}}})
	wantCode(t, err, "InvalidPart")

	done, err := c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
	if err != nil {
		t.Fatal(err)
	}
	m1, m2 := md5.Sum(part1), md5.Sum(part2)
	all := md5.Sum(append(m1[:], m2[:]...))
	wantETag := `"` + hex.EncodeToString(all[:]) + `-2"`
	if aws.ToString(done.ETag) != wantETag || !strings.HasSuffix(aws.ToString(done.ChecksumCRC32), "-2") {
		t.Fatalf("Complete: ETag %s (want %s) CRC32 %s", aws.ToString(done.ETag), wantETag, aws.ToString(done.ChecksumCRC32))
	}
	get, err := c.GetObject(cx, &awss3.GetObjectInput{Bucket: bucket, Key: key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(got, append(append([]byte(nil), part1...), part2...)) || aws.ToString(get.ContentType) != "application/zip" {
		t.Fatalf("assembled object: %v len %d", err, len(got))
	}
	_, err = c.ListParts(cx, &awss3.ListPartsInput{Bucket: bucket, Key: key, UploadId: up.UploadId})
	wantCode(t, err, "NoSuchUpload")

	// Parts other than the last must be at least 5 MiB.
	small, err := c.CreateMultipartUpload(cx, &awss3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i := 1; i <= 2; i++ {
		out, err := c.UploadPart(cx, &awss3.UploadPartInput{Bucket: bucket, Key: aws.String("small"), UploadId: small.UploadId,
			PartNumber: aws.Int32(int32(i)), Body: strings.NewReader("tiny")})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(cx, &awss3.CompleteMultipartUploadInput{Bucket: bucket, Key: aws.String("small"), UploadId: small.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	wantCode(t, err, "EntityTooSmall")
	lu, err := c.ListMultipartUploads(cx, &awss3.ListMultipartUploadsInput{Bucket: bucket})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != aws.ToString(small.UploadId) {
		t.Fatalf("ListMultipartUploads: %v %+v", err, lu)
	}
	if _, err := c.AbortMultipartUpload(cx, &awss3.AbortMultipartUploadInput{Bucket: bucket, Key: aws.String("small"), UploadId: small.UploadId}); err != nil {
		t.Fatal(err)
	}
	// Deleting a bucket takes its unfinished uploads (and their part files) with it.
	pending, err := c.CreateMultipartUpload(cx, &awss3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("pending")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(cx, &awss3.UploadPartInput{Bucket: bucket, Key: aws.String("pending"), UploadId: pending.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(cx, &awss3.DeleteObjectInput{Bucket: bucket, Key: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(cx, &awss3.DeleteBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if files, err := os.ReadDir(filepath.Join(e.Dir, "s3", "objects")); err != nil || len(files) != 0 {
		t.Fatalf("object files left after deleting everything: %v %v", files, err)
	}
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPart(cx, &awss3.UploadPartInput{Bucket: bucket, Key: aws.String("small"), UploadId: small.UploadId,
		PartNumber: aws.Int32(3), Body: strings.NewReader("late")})
	wantCode(t, err, "NoSuchUpload")
	_, err = c.AbortMultipartUpload(cx, &awss3.AbortMultipartUploadInput{Bucket: bucket, Key: aws.String("small"), UploadId: small.UploadId})
	wantCode(t, err, "NoSuchUpload")
}

func TestBucketConfigurations(t *testing.T) {
	e := start(t)
	c := e.client("")
	cx := ctx(t)
	b := aws.String("configured")
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	// Defaults every new AWS bucket has, and the documented not-found errors.
	enc, err := c.GetBucketEncryption(cx, &awss3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("default encryption: %v %+v", err, enc)
	}
	_, err = c.GetBucketPolicy(cx, &awss3.GetBucketPolicyInput{Bucket: b})
	wantCode(t, err, "NoSuchBucketPolicy")
	_, err = c.GetBucketTagging(cx, &awss3.GetBucketTaggingInput{Bucket: b})
	wantCode(t, err, "NoSuchTagSet")

	if _, err := c.PutBucketEncryption(cx, &awss3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BucketKeyEnabled: aws.Bool(true)}}}}); err != nil {
		t.Fatal(err)
	}
	enc, err = c.GetBucketEncryption(cx, &awss3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || !aws.ToBool(enc.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled) {
		t.Fatalf("encryption: %v %+v", err, enc)
	}
	if _, err := c.PutBucketVersioning(cx, &awss3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	ver, err := c.GetBucketVersioning(cx, &awss3.GetBucketVersioningInput{Bucket: b})
	if err != nil || ver.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning: %v %+v", err, ver)
	}
	if _, err := c.PutPublicAccessBlock(cx, &awss3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	pab, err := c.GetPublicAccessBlock(cx, &awss3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) {
		t.Fatalf("public access block: %v %+v", err, pab)
	}
	if _, err := c.PutBucketOwnershipControls(cx, &awss3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{
		Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
		t.Fatal(err)
	}
	own, err := c.GetBucketOwnershipControls(cx, &awss3.GetBucketOwnershipControlsInput{Bucket: b})
	if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("ownership: %v %+v", err, own)
	}
	if _, err := c.PutBucketTagging(cx, &awss3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("orderflow:stage"), Value: aws.String("dev")}}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.GetBucketTagging(cx, &awss3.GetBucketTaggingInput{Bucket: b})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Value) != "dev" {
		t.Fatalf("tagging: %v %+v", err, tags)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::configured/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if _, err := c.PutBucketPolicy(cx, &awss3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	pol, err := c.GetBucketPolicy(cx, &awss3.GetBucketPolicyInput{Bucket: b})
	if err != nil || aws.ToString(pol.Policy) != policy {
		t.Fatalf("policy: %v %q", err, aws.ToString(pol.Policy))
	}
	_, err = c.PutBucketPolicy(cx, &awss3.PutBucketPolicyInput{Bucket: b, Policy: aws.String("not json")})
	wantCode(t, err, "MalformedPolicy")
	if _, err := c.DeleteBucketPolicy(cx, &awss3.DeleteBucketPolicyInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketPolicy(cx, &awss3.GetBucketPolicyInput{Bucket: b})
	wantCode(t, err, "NoSuchBucketPolicy")
	_, err = c.GetBucketVersioning(cx, &awss3.GetBucketVersioningInput{Bucket: aws.String("nope")})
	wantCode(t, err, "NoSuchBucket")
}

func TestUnusualKeysLargeBodiesAndListObjectsV1(t *testing.T) {
	e := start(t)
	c := e.client("")
	cx := ctx(t)
	bucket := aws.String("edge")
	if _, err := c.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"weird/!'()*~@$&=;:,?#[] ü.txt", "percent%2F/plus+", "//double//slash", "tab\tand\nnewline"}
	for _, k := range keys {
		if _, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
		if got, err := getBody(t, c, "edge", k); err != nil || got != k {
			t.Fatalf("get %q: %q %v", k, got, err)
		}
	}
	v1, err := c.ListObjects(cx, &awss3.ListObjectsInput{Bucket: bucket, MaxKeys: aws.Int32(2)})
	if err != nil || len(v1.Contents) != 2 || !aws.ToBool(v1.IsTruncated) || aws.ToString(v1.Contents[0].Key) != "//double//slash" {
		t.Fatalf("ListObjects: %v %+v", err, v1)
	}
	v1, err = c.ListObjects(cx, &awss3.ListObjectsInput{Bucket: bucket, Marker: v1.Contents[1].Key})
	if err != nil || len(v1.Contents) != 2 || aws.ToBool(v1.IsTruncated) {
		t.Fatalf("ListObjects after marker: %v %+v", err, v1)
	}
	// One PutObject larger than the front door's 8 MiB bound for other
	// protocols: S3 bodies stream to disk.
	big := bytes.Repeat([]byte("0123456789"), 1<<20) // 10 MiB
	put, err := c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("big"), Body: bytes.NewReader(big)})
	if err != nil || aws.ToString(put.ETag) != md5ETag(big) {
		t.Fatalf("10 MiB PutObject: %v %+v", err, put)
	}
	head, err := c.HeadObject(cx, &awss3.HeadObjectInput{Bucket: bucket, Key: aws.String("big")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(big)) {
		t.Fatalf("HeadObject: %v %+v", err, head)
	}
	_, err = c.PutObject(cx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	wantCode(t, err, "KeyTooLongError")
}
