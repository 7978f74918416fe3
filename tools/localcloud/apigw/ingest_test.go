package apigw_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orderflow/orderflow/contracts"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// The project's API, built through the control plane exactly as
// infra-cfn/ingest.yaml declares it.
const (
	requestTemplate = `#set($key = $util.escapeJavaScript($input.params('Idempotency-Key')).replaceAll("\\'","'"))
#set($open = '{"schemaVersion":1,"requestID":"')
#set($afterRequestID = '","idempotencyKey":"')
#set($afterKey = '","receivedAt":')
#set($afterTime = ',"order":')
#set($envelope = "$open$context.requestId$afterRequestID$key$afterKey$context.requestTimeEpoch$afterTime$input.json('$')}")
Action=SendMessage&MessageBody=$util.urlEncode($envelope)`
	acceptedTemplate = `#set($key = $util.escapeJavaScript($input.params('Idempotency-Key')).replaceAll("\\'","'"))
#if($key != "")
{"orderID":"$key"}
#else
{"orderID":"$context.requestId"}
#end`
	failedBody      = `{"message":"the order could not be accepted; retry with the same Idempotency-Key"}`
	accessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength","integrationStatus":"$context.integration.status","apiKeyId":"$context.identity.apiKeyId","error":"$context.error.message","validationError":"$context.error.validationErrorString"}`
	account         = "000000000000"
)

type clients struct {
	env  *localcloudtest.Env
	gw   *apigateway.Client
	sqs  *sqs.Client
	iam  *iam.Client
	logs *cloudwatchlogs.Client
}

func start(t testing.TB, opts ...localcloudtest.Options) *clients {
	t.Helper()
	o := localcloudtest.Options{NoFsync: true}
	if len(opts) > 0 {
		o = opts[0]
	}
	env := localcloudtest.Start(t, o)
	cfg := env.Config()
	return &clients{env: env, gw: apigateway.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg, func(o *sqs.Options) {}),
		iam: iam.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg)}
}

// result carries a call's value and error until a test checks them:
// try(call()).get(t).
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) get(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// ingestAPI is what a deployed ingest stack gives a client.
type ingestAPI struct {
	id, stage, key, keyID, planID, logGroup string
}

// queueWithRole creates a queue and the integration role. allow gives the
// role sqs:SendMessage on the queue and names it in the queue policy (as
// ingest.yaml does); without it the queue policy names another role and
// the role has no permission.
func queueWithRole(t testing.TB, c *clients, name string, allow bool) (queueURL, queueARN, roleARN string) {
	t.Helper()
	ctx := context.Background()
	q := try(c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})).get(t)
	queueARN = "arn:aws:sqs:us-east-1:" + account + ":" + name
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role := try(c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name + "-api"), AssumeRolePolicyDocument: aws.String(trust)})).get(t)
	roleARN = *role.Role.Arn
	named := roleARN
	if allow {
		try(c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name + "-api"), PolicyName: aws.String("send-orders"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + queueARN + `"}]}`)})).get(t)
	} else {
		other := try(c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name + "-other"), AssumeRolePolicyDocument: aws.String(trust)})).get(t)
		named = *other.Role.Arn
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
	 {"Sid":"ApiMaySend","Effect":"Allow","Principal":{"AWS":%[1]q},"Action":"sqs:SendMessage","Resource":%[2]q},
	 {"Sid":"OnlyApiSends","Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":%[2]q,"Condition":{"ArnNotEquals":{"aws:PrincipalArn":%[1]q}}},
	 {"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":%[2]q,"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, named, queueARN)
	try(c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"Policy": policy}})).get(t)
	return *q.QueueUrl, queueARN, roleARN
}

// buildIngestAPI creates the REST API of infra-cfn/ingest.yaml for a queue
// and role, deploys it to stage "dev" with access logs and throttling, and
// gives it an enabled key in a usage plan.
func buildIngestAPI(t testing.TB, c *clients, queueName, roleARN string) ingestAPI {
	t.Helper()
	ctx := context.Background()
	gw := c.gw
	api := try(gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("orderflow-dev"), Description: aws.String("orderflow order intake"),
		ApiKeySource: agtypes.ApiKeySourceTypeHeader, EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}}})).get(t)
	id := api.Id
	try(gw.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: id, Name: aws.String("OrderRequest"), ContentType: aws.String("application/json"),
		Schema: aws.String(string(contracts.OrderRequestSchema()))})).get(t)
	validator := try(gw.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: id, Name: aws.String("body-and-parameters"),
		ValidateRequestBody: true, ValidateRequestParameters: true})).get(t)
	try(gw.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: agtypes.GatewayResponseTypeBadRequestBody,
		StatusCode: aws.String("400"), ResponseTemplates: map[string]string{"application/json": `{"message":$context.error.messageString}`}})).get(t)
	orders := try(gw.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String("orders")})).get(t)
	post := func() *string { return aws.String("POST") }
	try(gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: orders.Id, HttpMethod: post(), AuthorizationType: aws.String("NONE"),
		ApiKeyRequired: true, RequestValidatorId: validator.Id, RequestModels: map[string]string{"application/json": "OrderRequest"},
		RequestParameters: map[string]bool{"method.request.header.Idempotency-Key": false}})).get(t)
	try(gw.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: orders.Id, HttpMethod: post(), Type: agtypes.IntegrationTypeAws,
		IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:path/" + account + "/" + queueName),
		Credentials: aws.String(roleARN), PassthroughBehavior: aws.String("NEVER"),
		RequestParameters: map[string]string{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
		RequestTemplates:  map[string]string{"application/json": requestTemplate}})).get(t)
	try(gw.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: orders.Id, HttpMethod: post(),
		StatusCode: aws.String("202"), SelectionPattern: aws.String(`2\d{2}`), ResponseTemplates: map[string]string{"application/json": acceptedTemplate}})).get(t)
	try(gw.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: orders.Id, HttpMethod: post(),
		StatusCode: aws.String("500"), ResponseTemplates: map[string]string{"application/json": failedBody}})).get(t)
	for code, model := range map[string]string{"202": "Empty", "500": "Error"} {
		try(gw.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: orders.Id, HttpMethod: post(),
			StatusCode: aws.String(code), ResponseModels: map[string]string{"application/json": model}})).get(t)
	}
	dep := try(gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, Description: aws.String("orderflow API deployment")})).get(t)
	try(gw.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: id, DeploymentId: dep.Id, StageName: aws.String("dev")})).get(t)
	logGroup := "/aws/apigateway/orderflow-" + queueName + "-access"
	try(gw.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: id, StageName: aws.String("dev"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/destinationArn"), Value: aws.String("arn:aws:logs:us-east-1:" + account + ":log-group:" + logGroup)},
		{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/format"), Value: aws.String(accessLogFormat)},
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/metrics/enabled"), Value: aws.String("true")},
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/throttling/rateLimit"), Value: aws.String("100")},
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String("200")},
	}})).get(t)
	key := try(gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("orderflow-dev-default"), Enabled: true})).get(t)
	plan := try(gw.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("orderflow-dev"),
		ApiStages: []agtypes.ApiStage{{ApiId: id, Stage: aws.String("dev")}}, Throttle: &agtypes.ThrottleSettings{RateLimit: 100, BurstLimit: 200}})).get(t)
	try(gw.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})).get(t)
	return ingestAPI{id: *id, stage: "dev", key: *key.Value, keyID: *key.Id, planID: *plan.Id, logGroup: logGroup}
}

// post sends a data-plane request to path below the stage.
func (c *clients) post(t *testing.T, a ingestAPI, body string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("POST", c.env.URL+"/restapis/"+a.id+"/"+a.stage+"/_user_request_/orders", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	return do(t, req)
}

// drain receives every message on the queue (without deleting them, the
// visibility timeout keeps them from coming back within the test).
func (c *clients) drain(t *testing.T, queueURL string) []string {
	t.Helper()
	var bodies []string
	for {
		out := try(c.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})).get(t)
		if len(out.Messages) == 0 {
			return bodies
		}
		for _, m := range out.Messages {
			bodies = append(bodies, *m.Body)
		}
	}
}

func TestIngestAPIEndToEnd(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	queueURL, _, roleARN := queueWithRole(t, c, "orders", true)
	a := buildIngestAPI(t, c, "orders", roleARN)
	withKey := map[string]string{"x-api-key": a.key}

	// The tutorial's body.
	status, body, hdr := c.post(t, a, `{"item": "latex gloves","customerID":"12345"}`, withKey)
	if status != 202 {
		t.Fatalf("POST /orders = %d %s", status, body)
	}
	var accepted struct{ OrderID string }
	if err := json.Unmarshal([]byte(body), &accepted); err != nil || accepted.OrderID != hdr.Get("x-amzn-RequestId") || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("accepted body %q (%v), headers %v", body, err, hdr)
	}
	if hdr.Get("x-amz-apigw-id") == "" {
		t.Errorf("no x-amz-apigw-id header: %v", hdr)
	}
	msgs := c.drain(t, queueURL)
	if len(msgs) != 1 {
		t.Fatalf("queue holds %d messages, want 1: %q", len(msgs), msgs)
	}
	order, err := contracts.DecodeQueueMessage(msgs[0], "m-1", "1")
	if err != nil || order.OrderID != accepted.OrderID || order.Item != "latex gloves" || order.CustomerID != "12345" || order.Quantity != 1 {
		t.Fatalf("queued order %+v, %v (message %s)", order, err, msgs[0])
	}

	// The same Idempotency-Key twice gives the same order ID twice.
	for range 2 {
		status, body, _ := c.post(t, a, `{"item":"nitrile gloves","customerID":"c-7","quantity":3}`, map[string]string{"x-api-key": a.key, "Idempotency-Key": "order-42"})
		if status != 202 || strings.TrimSpace(body) != `{"orderID":"order-42"}` {
			t.Fatalf("idempotent POST = %d %s", status, body)
		}
	}
	msgs = c.drain(t, queueURL)
	if len(msgs) != 2 {
		t.Fatalf("%d messages after two keyed posts", len(msgs))
	}
	for _, m := range msgs {
		if o, err := contracts.DecodeQueueMessage(m, "m", "1"); err != nil || o.OrderID != "order-42" || o.Quantity != 3 {
			t.Fatalf("keyed order %+v, %v", o, err)
		}
	}

	// Invalid bodies: 400 with the gateway response, nothing enqueued.
	bad := []struct{ name, body, detail string }{
		{"missing field", `{"item":"latex gloves"}`, `object has missing required properties (["customerID"])`},
		{"wrong type", `{"item":"latex gloves","customerID":12345}`, `instance type (integer) does not match any allowed primitive type`},
		{"not JSON", `item=latex gloves`, `Unexpected character`},
		{"too large", `{"item":"` + strings.Repeat("x", 201) + `","customerID":"1"}`, `is too long`},
		{"extra member", `{"item":"a","customerID":"1","price":3}`, `object instance has properties which are not allowed by the schema`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			status, body, hdr := c.post(t, a, tc.body, withKey)
			if status != 400 || body != `{"message":"Invalid request body"}` || hdr.Get("x-amzn-ErrorType") != "BadRequestException" {
				t.Fatalf("%d %s %v", status, body, hdr)
			}
		})
	}
	// Missing, wrong and disabled keys: 403, nothing enqueued.
	disabled := try(c.gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("disabled"), Value: aws.String("disabled-key-0123456789")})).get(t)
	try(c.gw.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String(a.planID), KeyId: disabled.Id, KeyType: aws.String("API_KEY")})).get(t)
	outside := try(c.gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("no-plan"), Enabled: true})).get(t)
	for name, key := range map[string]string{"missing": "", "wrong": "not-a-key-at-all-0000000", "disabled": *disabled.Value, "not in a plan": *outside.Value} {
		t.Run("key "+name, func(t *testing.T) {
			status, body, _ := c.post(t, a, `{"item":"a","customerID":"b"}`, map[string]string{"x-api-key": key})
			if status != 403 || body != `{"message":"Forbidden"}` {
				t.Fatalf("%d %s", status, body)
			}
		})
	}
	// Unknown paths and methods: 403 Missing Authentication Token.
	req, _ := http.NewRequest("GET", c.env.URL+"/restapis/"+a.id+"/dev/_user_request_/nothing", nil)
	if status, body, _ := do(t, req); status != 403 || body != `{"message":"Missing Authentication Token"}` {
		t.Fatalf("unknown path: %d %s", status, body)
	}
	// Another media type: NEVER passthrough gives 415 (no model applies to
	// text/plain, so validation lets it through to the integration).
	status, body, _ = c.post(t, a, `hello`, map[string]string{"x-api-key": a.key, "Content-Type": "text/plain"})
	if status != 415 || body != `{"message":"Unsupported Media Type"}` {
		t.Fatalf("text/plain: %d %s", status, body)
	}
	if msgs := c.drain(t, queueURL); len(msgs) != 0 {
		t.Fatalf("rejected requests enqueued %q", msgs)
	}

	// The execute-api host name serves the same stage.
	hreq, _ := http.NewRequest("POST", c.env.URL+"/dev/orders", strings.NewReader(`{"item":"mask","customerID":"9"}`))
	hreq.Host = a.id + ".execute-api.localhost"
	hreq.Header.Set("x-api-key", a.key)
	hreq.Header.Set("Content-Type", "application/json")
	if status, body, hdr := do(t, hreq); status != 202 || !strings.Contains(body, hdr.Get("x-amzn-RequestId")) {
		t.Fatalf("host-routed POST: %d %s", status, body)
	}
	if msgs := c.drain(t, queueURL); len(msgs) != 1 {
		t.Fatalf("host-routed POST enqueued %d", len(msgs))
	}

	// Access log lines, one per request, with the stage's format.
	ev := try(c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(a.logGroup)})).get(t)
	// Values are substituted verbatim, so a validation detail (which holds
	// double quotes) makes that line invalid JSON: fields are read by name.
	field := func(line, name string) string {
		_, rest, ok := strings.Cut(line, `"`+name+`":"`)
		if !ok {
			return ""
		}
		v, _, _ := strings.Cut(rest, `","`)
		return strings.TrimSuffix(v, `"}`)
	}
	var statuses []string
	for _, e := range ev.Events {
		line := *e.Message
		statuses = append(statuses, field(line, "status"))
		if field(line, "requestId") == "" {
			t.Errorf("line without request ID: %s", line)
		}
		if field(line, "status") == "202" && (field(line, "apiKeyId") != a.keyID || field(line, "integrationStatus") != "200" ||
			field(line, "resourcePath") != "/orders" || field(line, "error") != "-") {
			t.Errorf("202 line: %s", line)
		}
		if field(line, "status") == "400" && !strings.Contains(line, `"validationError":"[`) {
			t.Errorf("400 line without validation detail: %s", line)
		}
	}
	// 3 accepted, the invalid bodies, 4 forbidden, the unknown path (still
	// a request to the stage), the 415 and the host-routed POST.
	if want := 3 + len(bad) + 4 + 1 + 1 + 1; len(statuses) != want {
		t.Fatalf("%d access log lines, want %d: %v", len(statuses), want, statuses)
	}
}

func TestIngestAPIAccessDenied(t *testing.T) {
	c := start(t)
	queueURL, _, roleARN := queueWithRole(t, c, "locked", false)
	a := buildIngestAPI(t, c, "locked", roleARN)
	status, body, _ := c.post(t, a, `{"item": "latex gloves","customerID":"12345"}`, map[string]string{"x-api-key": a.key})
	if status != 500 || body != failedBody {
		t.Fatalf("denied send: %d %s", status, body)
	}
	if msgs := c.drain(t, queueURL); len(msgs) != 0 {
		t.Fatalf("denied send enqueued %q", msgs)
	}
	// TestInvokeMethod shows why: SQS's AccessDenied naming the action.
	res := try(c.gw.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: aws.String(a.id)})).get(t)
	var ordersID string
	for _, r := range res.Items {
		if *r.Path == "/orders" {
			ordersID = *r.Id
		}
	}
	out := try(c.gw.TestInvokeMethod(context.Background(), &apigateway.TestInvokeMethodInput{RestApiId: aws.String(a.id), ResourceId: aws.String(ordersID),
		HttpMethod: aws.String("POST"), Body: aws.String(`{"item":"a","customerID":"b"}`), Headers: map[string]string{"Content-Type": "application/json"}})).get(t)
	if out.Status != 500 || !strings.Contains(*out.Log, "AccessDenied") || !strings.Contains(*out.Log, "is not authorized to perform: sqs:SendMessage") {
		t.Fatalf("test invoke: %d %s", out.Status, *out.Log)
	}
}

func TestIngestAPIThrottleAndQuota(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	queueURL, _, roleARN := queueWithRole(t, c, "orders", true)
	a := buildIngestAPI(t, c, "orders", roleARN)
	// A key in a plan of one request per second with a burst of one: the
	// clock does not move, so the second request finds the bucket empty.
	slow := try(c.gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("slow"), Enabled: true})).get(t)
	plan := try(c.gw.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("tiny"),
		ApiStages: []agtypes.ApiStage{{ApiId: aws.String(a.id), Stage: aws.String("dev")}}, Throttle: &agtypes.ThrottleSettings{RateLimit: 1, BurstLimit: 1}})).get(t)
	try(c.gw.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: slow.Id, KeyType: aws.String("API_KEY")})).get(t)
	// A key with a daily quota of two requests.
	counted := try(c.gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("counted"), Enabled: true})).get(t)
	qplan := try(c.gw.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("quota"),
		ApiStages: []agtypes.ApiStage{{ApiId: aws.String(a.id), Stage: aws.String("dev")}}, Quota: &agtypes.QuotaSettings{Limit: 2, Period: agtypes.QuotaPeriodTypeDay}})).get(t)
	try(c.gw.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: qplan.Id, KeyId: counted.Id, KeyType: aws.String("API_KEY")})).get(t)
	// A key cannot be in two plans for the same stage.
	_, err := c.gw.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: counted.Id, KeyType: aws.String("API_KEY")})
	var conflict *agtypes.ConflictException
	if !asError(err, &conflict) {
		t.Fatalf("second plan for the same stage: %v", err)
	}

	order := `{"item":"a","customerID":"b"}`
	want := []struct {
		key    string
		status int
		body   string
	}{
		{*slow.Value, 202, ""},
		{*slow.Value, 429, `{"message":"Too Many Requests"}`},
		{*counted.Value, 202, ""},
		{*counted.Value, 202, ""},
		{*counted.Value, 429, `{"message":"Limit Exceeded"}`},
	}
	for i, w := range want {
		status, body, _ := c.post(t, a, order, map[string]string{"x-api-key": w.key})
		if status != w.status || (w.body != "" && body != w.body) {
			t.Fatalf("request %d: %d %s, want %d %s", i, status, body, w.status, w.body)
		}
	}
	if msgs := c.drain(t, queueURL); len(msgs) != 3 {
		t.Fatalf("%d messages, want the 3 accepted", len(msgs))
	}
	// A day later the quota is fresh again.
	c.env.Clock.Advance(24 * 60 * 60 * 1e9)
	if status, body, _ := c.post(t, a, order, map[string]string{"x-api-key": *counted.Value}); status != 202 {
		t.Fatalf("next day: %d %s", status, body)
	}
}

// The tutorial's own set-up (stage 9): the body passed through as
// MessageBody, an integration response without a template, tested with
// the console's Test (TestInvokeMethod) and the tutorial's body. The queue
// gets the bare order, which contracts decodes with the SQS message ID as
// the order ID.
func TestTutorialIntegration(t *testing.T) {
	c := start(t)
	ctx := context.Background()
	queueURL, _, roleARN := queueWithRole(t, c, "POC-Queue", true)
	api := try(c.gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("POC-API"),
		EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}}})).get(t)
	post := aws.String("POST")
	try(c.gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post, AuthorizationType: aws.String("NONE")})).get(t)
	try(c.gw.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post, Type: agtypes.IntegrationTypeAws,
		IntegrationHttpMethod: post, Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:path/" + account + "/POC-Queue"), Credentials: aws.String(roleARN),
		PassthroughBehavior: aws.String("NEVER"), ContentHandling: agtypes.ContentHandlingStrategyConvertToText,
		RequestParameters: map[string]string{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
		RequestTemplates:  map[string]string{"application/json": "Action=SendMessage&MessageBody=$input.body"}})).get(t)
	try(c.gw.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post, StatusCode: aws.String("200")})).get(t)
	try(c.gw.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post, StatusCode: aws.String("200")})).get(t)

	out := try(c.gw.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post,
		Body: aws.String("{  \"item\": \"latex gloves\",\n\"customerID\":\"12345\"}")})).get(t)
	var sent struct {
		SendMessageResponse struct {
			SendMessageResult struct{ MessageID, MD5OfMessageBody string }
		}
	}
	if out.Status != 200 || json.Unmarshal([]byte(*out.Body), &sent) != nil || sent.SendMessageResponse.SendMessageResult.MessageID == "" {
		t.Fatalf("test invoke: %d %s\n%s", out.Status, *out.Body, *out.Log)
	}
	msgs, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"SentTimestamp"}})
	if err != nil || len(msgs.Messages) != 1 {
		t.Fatalf("receive: %v %+v", err, msgs)
	}
	m := msgs.Messages[0]
	if *m.MessageId != sent.SendMessageResponse.SendMessageResult.MessageID {
		t.Fatalf("queued %s, SQS answered %s", *m.MessageId, sent.SendMessageResponse.SendMessageResult.MessageID)
	}
	order, err := contracts.DecodeQueueMessage(*m.Body, *m.MessageId, m.Attributes["SentTimestamp"])
	if err != nil || order.OrderID != *m.MessageId || order.Item != "latex gloves" {
		t.Fatalf("tutorial order %+v, %v (body %q)", order, err, *m.Body)
	}
}
