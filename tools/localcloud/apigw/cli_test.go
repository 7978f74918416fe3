package apigw_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// TestAWSCLI drives the control plane with the AWS CLI: create-rest-api,
// get-rest-apis, a MOCK method built with put-* and test-invoke-method.
func TestAWSCLI(t *testing.T) {
	bin := localcloudtest.RequireTool(t, "aws")
	env := localcloudtest.Start(t, localcloudtest.Options{NoFsync: true})
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			base = append(base, kv)
		}
	}
	base = append(base, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"--endpoint-url", env.URL, "--output", "json", "apigateway"}, args...)...)
		cmd.Env = base
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	must := func(v any, args ...string) {
		t.Helper()
		out, stderr, err := run(args...)
		if err != nil {
			t.Fatalf("aws apigateway %v: %v\n%s", args, err, stderr)
		}
		if v != nil {
			if err := json.Unmarshal([]byte(out), v); err != nil {
				t.Fatalf("aws apigateway %v: %v\n%s", args, err, out)
			}
		}
	}

	var api struct{ ID, Name, RootResourceID string }
	must(&api, "create-rest-api", "--name", "cli-api", "--endpoint-configuration", "types=REGIONAL")
	if api.ID == "" || api.Name != "cli-api" || api.RootResourceID == "" {
		t.Fatalf("create-rest-api: %+v", api)
	}
	var list struct{ Items []struct{ ID string } }
	must(&list, "get-rest-apis")
	if len(list.Items) != 1 || list.Items[0].ID != api.ID {
		t.Fatalf("get-rest-apis: %+v", list)
	}
	var res struct{ ID, Path string }
	must(&res, "create-resource", "--rest-api-id", api.ID, "--parent-id", api.RootResourceID, "--path-part", "ping")
	must(nil, "put-method", "--rest-api-id", api.ID, "--resource-id", res.ID, "--http-method", "GET", "--authorization-type", "NONE")
	must(nil, "put-integration", "--rest-api-id", api.ID, "--resource-id", res.ID, "--http-method", "GET", "--type", "MOCK",
		"--request-templates", `{"application/json":"{\"statusCode\": 200}"}`)
	must(nil, "put-method-response", "--rest-api-id", api.ID, "--resource-id", res.ID, "--http-method", "GET", "--status-code", "200")
	must(nil, "put-integration-response", "--rest-api-id", api.ID, "--resource-id", res.ID, "--http-method", "GET", "--status-code", "200",
		"--response-templates", `{"application/json":"{\"pong\":\"$input.params('who')\"}"}`)
	var ti struct {
		Status int
		Body   string
		Log    string
	}
	must(&ti, "test-invoke-method", "--rest-api-id", api.ID, "--resource-id", res.ID, "--http-method", "GET", "--path-with-query-string", "/ping?who=cli")
	if ti.Status != 200 || ti.Body != `{"pong":"cli"}` || !strings.Contains(ti.Log, "Method completed with status: 200") {
		t.Fatalf("test-invoke-method: %+v", ti)
	}
	_, stderr, err := run("get-rest-api", "--rest-api-id", "nope")
	if err == nil || !strings.Contains(stderr, "NotFoundException") || !strings.Contains(stderr, "Invalid API identifier specified") {
		t.Fatalf("get-rest-api of a missing API: %v %s", err, stderr)
	}
}
