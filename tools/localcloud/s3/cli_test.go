package s3_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// awsCLI runs the AWS CLI against the environment with throwaway config.
func awsCLI(t *testing.T, e *env) func(args ...string) (string, error) {
	t.Helper()
	bin := localcloudtest.RequireTool(t, "aws")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return func(args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"--endpoint-url", e.URL, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

func TestAWSCLI(t *testing.T) {
	e := start(t)
	run := awsCLI(t, e)
	dir := t.TempDir()
	small := filepath.Join(dir, "small file.txt")
	if err := os.WriteFile(small, []byte("hello from the cli\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Above the CLI's 8 MiB multipart threshold: uploaded in parts.
	big := make([]byte, 9<<20+123)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	bigPath := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(bigPath, big, 0o600); err != nil {
		t.Fatal(err)
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must("s3", "mb", "s3://cli-bucket")
	must("s3", "cp", small, "s3://cli-bucket/docs/small file.txt")
	must("s3", "cp", bigPath, "s3://cli-bucket/artifacts/big.bin")
	ls := must("s3", "ls", "--recursive", "s3://cli-bucket")
	if !strings.Contains(ls, "docs/small file.txt") || !strings.Contains(ls, "artifacts/big.bin") || !strings.Contains(ls, "9437307") {
		t.Fatalf("ls: %s", ls)
	}
	head := must("s3api", "head-object", "--bucket", "cli-bucket", "--key", "artifacts/big.bin")
	var h struct {
		ETag          string
		ContentLength int64
	}
	if err := json.Unmarshal([]byte(head), &h); err != nil {
		t.Fatalf("head-object: %v\n%s", err, head)
	}
	if h.ContentLength != int64(len(big)) || !strings.HasSuffix(h.ETag, `-2"`) {
		t.Fatalf("multipart upload by the CLI: %+v", h)
	}
	down := filepath.Join(dir, "down.bin")
	must("s3", "cp", "s3://cli-bucket/artifacts/big.bin", down)
	got, err := os.ReadFile(down)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("downloaded copy differs: %v", err)
	}
	list := must("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--prefix", "docs/small ")
	if !strings.Contains(list, `"Key": "docs/small file.txt"`) {
		t.Fatalf("list-objects-v2 (url encoding): %s", list)
	}
	must("s3api", "put-bucket-versioning", "--bucket", "cli-bucket", "--versioning-configuration", "Status=Enabled")
	if v := must("s3api", "get-bucket-versioning", "--bucket", "cli-bucket"); !strings.Contains(v, `"Status": "Enabled"`) {
		t.Fatalf("get-bucket-versioning: %s", v)
	}
	if out, err := run("s3api", "get-object", "--bucket", "cli-bucket", "--key", "missing", filepath.Join(dir, "x")); err == nil || !strings.Contains(out, "NoSuchKey") {
		t.Fatalf("get-object of a missing key: %v %s", err, out)
	}
	if out, err := run("s3", "rb", "s3://cli-bucket"); err == nil || !strings.Contains(out, "BucketNotEmpty") {
		t.Fatalf("rb of a full bucket: %v %s", err, out)
	}
	must("s3", "rm", "--recursive", "s3://cli-bucket")
	if ls, err := run("s3", "ls", "--recursive", "s3://cli-bucket"); strings.TrimSpace(ls) != "" {
		t.Fatalf("after rm: %v %s", err, ls)
	}
	must("s3", "rb", "s3://cli-bucket")
	if out, err := run("s3api", "head-bucket", "--bucket", "cli-bucket"); err == nil || !strings.Contains(out, "404") {
		t.Fatalf("head-bucket after rb: %v %s", err, out)
	}
}
