package lambdaapi_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// The AWS CLI creates, lists and invokes a function.
func TestAWSCLI(t *testing.T) {
	bin := localcloudtest.RequireTool(t, "aws")
	e := start(t)
	role := e.createRole(t, "cli-role")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	zipPath := filepath.Join(dir, "fn.zip")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipPath, zips["v1"], 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	run := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--endpoint-url", e.URL, "--output", "json", "lambda"}, args...)...)
		cmd.Env = env
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("aws lambda %v: %v", args, err)
		}
		return out.String(), errb.String(), code
	}
	ok := func(v any, args ...string) {
		t.Helper()
		out, errOut, code := run(args...)
		if code != 0 {
			t.Fatalf("aws lambda %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		if v != nil {
			if err := json.Unmarshal([]byte(out), v); err != nil {
				t.Fatalf("aws lambda %s: output %q: %v", strings.Join(args, " "), out, err)
			}
		}
	}

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
