package templates_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAPIMappingTemplatesFollowTheContract guards the queue envelope and the 202 body
// the ingest function and clients rely on against template edits.
func TestAPIMappingTemplatesFollowTheContract(t *testing.T) {
	tpl := parse(t, filepath.Join(templateDir, "ingest.yaml"))
	m, ok := tpl.Resource("OrdersPostMethod")
	if !ok {
		t.Fatal("ingest.yaml has no OrdersPostMethod")
	}
	params, _ := m.Properties["RequestParameters"].(map[string]any)
	if _, ok := params["method.request.header.Idempotency-Key"]; !ok {
		t.Error("POST /orders does not declare the Idempotency-Key header")
	}
	integ := m.Properties["Integration"].(map[string]any)
	if integ["Type"] != "AWS" || integ["PassthroughBehavior"] != "NEVER" {
		t.Errorf("integration type %v passthrough %v, want AWS and NEVER", integ["Type"], integ["PassthroughBehavior"])
	}
	req := integ["RequestTemplates"].(map[string]any)["application/json"].(string)
	for _, want := range []string{
		`$input.params('Idempotency-Key')`,
		`{"schemaVersion":1,"requestID":"`,
		`$context.requestId`,
		`","idempotencyKey":"`,
		`","receivedAt":`,
		`$context.requestTimeEpoch`,
		`,"order":`,
		`$input.json('$')}`,
		"Action=SendMessage&MessageBody=$util.urlEncode($envelope)",
	} {
		if !strings.Contains(req, want) {
			t.Errorf("request template lacks %q:\n%s", want, req)
		}
	}
	responses := integ["IntegrationResponses"].([]any)
	ok202 := responses[0].(map[string]any)
	if ok202["StatusCode"] != "202" {
		t.Fatalf("first integration response is %v, want 202", ok202["StatusCode"])
	}
	resp := ok202["ResponseTemplates"].(map[string]any)["application/json"].(string)
	for _, want := range []string{`$input.params('Idempotency-Key')`, `{"orderID":"$key"}`, `{"orderID":"$context.requestId"}`} {
		if !strings.Contains(resp, want) {
			t.Errorf("202 response template lacks %q:\n%s", want, resp)
		}
	}
}
