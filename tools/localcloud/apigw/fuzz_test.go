package apigw_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orderflow/orderflow/contracts"
	"github.com/orderflow/orderflow/tools/localcloud/apigw"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Fakes for the services the data plane calls; the fuzz target exercises
// the gateway, not SQS or IAM.
type fakeQueues struct{ sent int }

func (f *fakeQueues) GetQueueAttributes(_ context.Context, _ *sqs.GetQueueAttributesInput) (*sqs.AttributesOutput, error) {
	return &sqs.AttributesOutput{Attributes: map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q"}}, nil
}

func (f *fakeQueues) SendMessage(_ context.Context, _ *sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
	f.sent++
	return &sqs.SendMessageOutput{MessageID: "m", MD5OfMessageBody: "x"}, nil
}

type fakeIAM struct{}

func (fakeIAM) AssumeRole(_ context.Context, in iamapi.AssumeRoleInput) (*iamapi.Session, error) {
	return &iamapi.Session{Credential: iam.Credential{Principal: iam.Principal{ARN: in.RoleARN}}, Expiration: time.Unix(1<<40, 0)}, nil
}

func (fakeIAM) Authorize(_ context.Context, _ iamapi.Check) policy.Decision {
	return policy.Decision{Outcome: policy.Allowed}
}

type fakeLogs struct{ lines int }

func (f *fakeLogs) Append(_ context.Context, _, _ string, events []logs.Event) error {
	f.lines += len(events)
	return nil
}

// fuzzGateway builds, through the Go API, an API with a validated SQS
// method (POST /orders, key required) and a MOCK method under a greedy
// path, deployed to stage "dev".
func fuzzGateway(t testing.TB) (*apigw.Service, string, string) {
	st, err := store.Open(t.TempDir(), store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc, err := apigw.New(apigw.Config{Store: st, Clock: clock.NewManual(time.Unix(1_800_000_000, 0)), IDs: ids.New(rand.Reader),
		Account: "000000000000", Region: "us-east-1", Queues: &fakeQueues{}, IAM: fakeIAM{}, Logs: &fakeLogs{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	step := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	api, err := svc.CreateRestAPI(ctx, &apigw.CreateRestAPIInput{Name: "fuzz"})
	step(api, err)
	step(svc.CreateModel(ctx, &apigw.CreateModelInput{RestAPIID: api.ID, Name: "OrderRequest", ContentType: "application/json", Schema: string(contracts.OrderRequestSchema())}))
	v, err := svc.CreateRequestValidator(ctx, &apigw.CreateRequestValidatorInput{RestAPIID: api.ID, ValidateRequestBody: true, ValidateRequestParameters: true})
	step(v, err)
	orders, err := svc.CreateResource(ctx, &apigw.CreateResourceInput{RestAPIID: api.ID, ParentID: api.RootResourceID, PathPart: "orders"})
	step(orders, err)
	step(svc.PutMethod(ctx, &apigw.PutMethodInput{RestAPIID: api.ID, ResourceID: orders.ID, HTTPMethod: "POST", AuthorizationType: "NONE",
		APIKeyRequired: true, RequestValidatorID: v.ID, RequestModels: map[string]string{"application/json": "OrderRequest"},
		RequestParameters: map[string]bool{"method.request.querystring.x": false}}))
	step(svc.PutIntegration(ctx, &apigw.PutIntegrationInput{RestAPIID: api.ID, ResourceID: orders.ID, HTTPMethod: "POST", Type: "AWS",
		IntegrationHTTPMethod: "POST", URI: "arn:aws:apigateway:us-east-1:sqs:path/000000000000/q", Credentials: "arn:aws:iam::000000000000:role/r",
		PassthroughBehavior: "NEVER", RequestParameters: map[string]string{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
		RequestTemplates: map[string]string{"application/json": requestTemplate}}))
	step(svc.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestAPIID: api.ID, ResourceID: orders.ID, HTTPMethod: "POST",
		StatusCode: "202", SelectionPattern: `2\d{2}`, ResponseTemplates: map[string]string{"application/json": acceptedTemplate}}))
	step(svc.PutMethod(ctx, &apigw.PutMethodInput{RestAPIID: api.ID, ResourceID: orders.ID, HTTPMethod: "GET", AuthorizationType: "NONE",
		RequestValidatorID: v.ID, RequestParameters: map[string]bool{"method.request.querystring.status": true}}))
	step(svc.PutIntegration(ctx, &apigw.PutIntegrationInput{RestAPIID: api.ID, ResourceID: orders.ID, HTTPMethod: "GET", Type: "MOCK",
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
	step(svc.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestAPIID: api.ID, ResourceID: orders.ID, HTTPMethod: "GET",
		StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `$input.params('status') $context.identity.sourceIp`}}))
	proxy, err := svc.CreateResource(ctx, &apigw.CreateResourceInput{RestAPIID: api.ID, ParentID: api.RootResourceID, PathPart: "{proxy+}"})
	step(proxy, err)
	step(svc.PutMethod(ctx, &apigw.PutMethodInput{RestAPIID: api.ID, ResourceID: proxy.ID, HTTPMethod: "ANY", AuthorizationType: "NONE"}))
	step(svc.PutIntegration(ctx, &apigw.PutIntegrationInput{RestAPIID: api.ID, ResourceID: proxy.ID, HTTPMethod: "ANY", Type: "MOCK",
		RequestTemplates: map[string]string{"application/json": `{"statusCode": $input.json('$.code')}`}}))
	step(svc.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestAPIID: api.ID, ResourceID: proxy.ID, HTTPMethod: "ANY",
		StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `#foreach($k in $input.params().header.keySet())$k #end $input.params('proxy')`}}))
	step(svc.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestAPIID: api.ID, StageName: "dev"}))
	step(svc.UpdateStage(ctx, &apigw.UpdateStageInput{RestAPIID: api.ID, StageName: "dev", PatchOperations: []apigw.PatchOperation{
		{Op: "replace", Path: "/accessLogSettings/destinationArn", Value: "arn:aws:logs:us-east-1:000000000000:log-group:access"},
		{Op: "replace", Path: "/accessLogSettings/format", Value: `$context.requestId $context.status $context.error.validationErrorString $context.nope`},
	}}))
	key, err := svc.CreateAPIKey(ctx, &apigw.CreateAPIKeyInput{Enabled: true})
	step(key, err)
	plan, err := svc.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: "p", APIStages: []apigw.APIStage{{APIID: api.ID, Stage: "dev"}}})
	step(plan, err)
	step(svc.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanID: plan.ID, KeyID: key.ID, KeyType: "API_KEY"}))
	return svc, api.ID, key.Value
}

// FuzzDataPlane sends arbitrary requests to a deployed stage: every one
// gets an HTTP answer with a status API Gateway can give, never a panic.
func FuzzDataPlane(f *testing.F) {
	f.Add("POST", "orders", "application/json", true, `{"item": "latex gloves","customerID":"12345"}`)
	f.Add("POST", "orders", "application/json", false, `{"item":`)
	f.Add("GET", "a/b/c", "", false, `{"code": 500}`)
	f.Add("DELETE", "x%2F..%00", "text/plain; charset=\"", true, "\xff\xfe")
	f.Add("POST", "orders?x=1", "application/JSON", true, `{"item":"a","customerID":"\u0000'\"\\","quantity":1e400}`)
	svc, apiID, key := fuzzGateway(f)
	f.Fuzz(func(t *testing.T, method, path, contentType string, withKey bool, body string) {
		if !validMethod(method) {
			return
		}
		req := httptest.NewRequest("GET", "http://127.0.0.1:4566/", nil)
		req.Method = method
		req.URL.Path = "/restapis/" + apiID + "/dev/_user_request_/" + path
		req.URL.RawPath = ""
		req.Body = http.NoBody
		if body != "" {
			req.Body = httpBody(body)
		}
		req.Header.Set("Content-Type", contentType)
		if withKey {
			req.Header.Set("x-api-key", key)
		}
		if !svc.Matches(req) {
			t.Fatalf("a stage path is not matched: %s", req.URL.Path)
		}
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 202, 400, 403, 404, 413, 415, 429, 500, 504:
		default:
			// MOCK integrations answer the status the template asks for.
			if rec.Code < 100 || rec.Code > 599 {
				t.Fatalf("status %d", rec.Code)
			}
		}
		if rec.Header().Get("x-amzn-RequestId") == "" {
			t.Fatalf("no request ID: %v", rec.Header())
		}
	})
}

func validMethod(m string) bool {
	if m == "" || len(m) > 10 {
		return false
	}
	for _, c := range []byte(m) {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func httpBody(s string) *readCloser { return &readCloser{bytes.NewReader([]byte(s))} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// Routing, parameters and gateway responses on the fuzz target's API.
func TestDataPlaneRouting(t *testing.T) {
	svc, apiID, key := fuzzGateway(t)
	cases := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		want                     string
	}{
		{"greedy path", "PATCH", "a/b/c", `{"code": 200}`, nil, 200, " a/b/c"},
		{"required query string missing", "GET", "orders", "", nil, 400, `{"message":"Missing required request parameters: [status]"}`},
		{"required query string given", "GET", "orders?status=open", "", nil, 200, "open 192.0.2.1"},
		{"key missing", "POST", "orders", `{"item":"a","customerID":"b"}`, nil, 403, `{"message":"Forbidden"}`},
		{"accepted", "POST", "orders", `{"item":"a","customerID":"b"}`, map[string]string{"x-api-key": key}, 202, `{"orderID":"`},
		{"not JSON", "POST", "orders", `{`, map[string]string{"x-api-key": key}, 400, `{"message":"Invalid request body"}`},
		{"unknown method on a known path", "PUT", "orders", ``, nil, 403, `{"message":"Missing Authentication Token"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://127.0.0.1:4566/restapis/"+apiID+"/dev/_user_request_/"+tc.path, bytes.NewReader([]byte(tc.body)))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			svc.ServeHTTP(rec, req)
			if rec.Code != tc.status || !bytes.Contains(rec.Body.Bytes(), []byte(tc.want)) {
				t.Fatalf("%d %q, want %d containing %q", rec.Code, rec.Body.String(), tc.status, tc.want)
			}
		})
	}
}
