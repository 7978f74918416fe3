package apigw_test

import (
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// TestAWSCLI drives the control plane with the AWS CLI: create-rest-api,
// get-rest-apis, a MOCK method built with put-* and test-invoke-method.
func TestAWSCLI(t *testing.T) {
	env := localcloudtest.Start(t, localcloudtest.Options{NoFsync: true})
	c := localcloudtest.NewCLI(t, env.URL, "test", "test", "apigateway")
	must := func(v any, args ...string) { t.Helper(); c.OK(v, args...) }

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
	_, stderr, code := c.Run("get-rest-api", "--rest-api-id", "nope")
	if code == 0 || !strings.Contains(stderr, "NotFoundException") || !strings.Contains(stderr, "Invalid API identifier specified") {
		t.Fatalf("get-rest-api of a missing API: exit %d %s", code, stderr)
	}
}
