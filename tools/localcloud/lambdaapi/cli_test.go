package lambdaapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// The AWS CLI creates, lists and invokes a function.
func TestAWSCLI(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "cli-role")
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "fn.zip")
	if err := os.WriteFile(zipPath, zips["v1"], 0o600); err != nil {
		t.Fatal(err)
	}
	c := localcloudtest.NewCLI(t, e.URL, "test", "test", "lambda")
	run := c.Run
	ok := func(v any, args ...string) { t.Helper(); c.OK(v, args...) }

	var created struct{ FunctionArn, State, CodeSha256 string }
	ok(&created, "create-function", "--function-name", "cli-fn", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", role, "--zip-file", "fileb://"+zipPath, "--environment", "Variables={GREETING=cli}")
	if created.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:cli-fn" || created.State != "Pending" || created.CodeSha256 != sha(zips["v1"]) {
		t.Fatalf("create-function: %+v", created)
	}
	ok(nil, "wait", "function-active-v2", "--function-name", "cli-fn")

	var listed struct {
		Functions []struct{ FunctionName string }
	}
	ok(&listed, "list-functions")
	if len(listed.Functions) != 1 || listed.Functions[0].FunctionName != "cli-fn" {
		t.Fatalf("list-functions: %+v", listed)
	}

	outFile := filepath.Join(dir, "out.json")
	var inv struct {
		StatusCode      int
		ExecutedVersion string
		LogResult       string
	}
	// AWS CLI v1 sends --payload as is (v2 would need --cli-binary-format raw-in-base64-out).
	ok(&inv, "invoke", "--function-name", "cli-fn", "--payload", `{"action":"env"}`,
		"--log-type", "Tail", outFile)
	body, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if inv.StatusCode != 200 || inv.ExecutedVersion != "$LATEST" || inv.LogResult == "" || !strings.Contains(string(body), `"GREETING":"cli"`) {
		t.Fatalf("invoke: %+v %s", inv, body)
	}

	_, errOut, code := run("get-function", "--function-name", "nope")
	if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") || !strings.Contains(errOut, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope") {
		t.Fatalf("get-function of a missing function: exit %d: %s", code, errOut)
	}
}
