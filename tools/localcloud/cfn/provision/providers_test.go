package provision_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/apigw"
	"github.com/orderflow/orderflow/tools/localcloud/cfn/provision"
	"github.com/orderflow/orderflow/tools/localcloud/cloudwatch"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/lambdaapi"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// instanceRegistry is the registry an in-process Instance's services give.
func instanceRegistry(t *testing.T) (*localcloudtest.Env, *provision.Registry) {
	t.Helper()
	env := localcloudtest.Start(t, localcloudtest.Options{NoFsync: true})
	i := env.Instance
	return env, provision.Defaults(provision.Services{Queues: i.SQS(), Topics: i.SNS(), LogGroups: i.Logs(), Tables: i.DynamoDB(),
		Identity: i.IAM(), Functions: i.Lambda(), Gateway: i.APIGateway(), Buckets: i.S3(), Alarms: i.CloudWatch()})
}

func request(logical string, props map[string]any) *provision.Request {
	return &provision.Request{StackName: "stack", LogicalID: logical, Type: "", Region: "us-east-1", Account: "000000000000",
		Properties: props, Suffix: "ABCDEFGHIJKLM"}
}

func update(prev *provision.Request, res provision.Result, props map[string]any) *provision.Request {
	r := *prev
	r.PhysicalID, r.Attributes, r.OldProperties, r.Properties = res.PhysicalID, res.Attributes, prev.Properties, props
	return &r
}

func provider(t *testing.T, reg *provision.Registry, typ string) provision.Provider {
	t.Helper()
	spec, ok := reg.Lookup(typ)
	if !ok || spec.Provider == nil {
		t.Fatalf("%s has no provider", typ)
	}
	return spec.Provider
}

// Every resource type of the repository's templates is provisioned (not
// merely known) when the Instance's services are wired in.
func TestInfraTypesAvailable(t *testing.T) {
	_, reg := instanceRegistry(t)
	templates := infraTemplates(t)
	if len(templates) != 3 {
		t.Fatalf("templates: %v", templates)
	}
	for f, tpl := range templates {
		for name, r := range tpl.Resources {
			spec, ok := reg.Lookup(r.Type)
			if !ok || spec.Provider == nil {
				t.Errorf("%s: %s (%s) has no provider", f, name, r.Type)
				continue
			}
			if err := spec.CheckProperties(r.Properties); err != nil {
				t.Errorf("%s: %s: %v", f, name, err)
			}
		}
	}
}

func TestAlarmProvider(t *testing.T) {
	env, reg := instanceRegistry(t)
	p := provider(t, reg, "AWS::CloudWatch::Alarm")
	ctx := context.Background()
	props := map[string]any{"AlarmName": "dlq-not-empty", "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
		"Dimensions": []any{map[string]any{"Name": "QueueName", "Value": "dlq"}}, "Statistic": "Maximum", "Period": "60",
		"EvaluationPeriods": 1.0, "Threshold": "0", "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
		"Tags": []any{map[string]any{"Key": "team", "Value": "orders"}}}
	req := request("DlqAlarm", props)
	res, err := p.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.PhysicalID != "dlq-not-empty" || res.Attributes["Arn"] != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:dlq-not-empty" {
		t.Fatalf("result = %+v", res)
	}
	cw := env.Instance.CloudWatch()
	got, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"dlq-not-empty"}})
	if err != nil || len(got.MetricAlarms) != 1 || got.MetricAlarms[0].StateValue != "INSUFFICIENT_DATA" || *got.MetricAlarms[0].Period != 60 {
		t.Fatalf("alarm = %+v, %v", got, err)
	}
	next := map[string]any{}
	for k, v := range props {
		next[k] = v
	}
	next["Threshold"] = 5.0
	next["Tags"] = []any{map[string]any{"Key": "team", "Value": "payments"}}
	if _, err := p.Update(ctx, update(req, res, next)); err != nil {
		t.Fatal(err)
	}
	got, _ = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"dlq-not-empty"}})
	tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: res.Attributes["Arn"].(string)})
	if err != nil || *got.MetricAlarms[0].Threshold != 5 || len(tags.Tags) != 1 || tags.Tags[0].Value != "payments" {
		t.Fatalf("after update: %+v %+v %v", got.MetricAlarms, tags, err)
	}
	// Bad input is an error, not a half-made alarm.
	bad := request("Bad", map[string]any{"AlarmName": "bad", "Namespace": "AWS/SQS", "MetricName": "M", "Statistic": "Maximum",
		"Period": "61", "EvaluationPeriods": 1.0, "Threshold": 0.0, "ComparisonOperator": "GreaterThanThreshold"})
	if _, err := p.Create(ctx, bad); err == nil || !strings.Contains(err.Error(), "Period") {
		t.Fatalf("bad period: %v", err)
	}
	if err := p.Delete(ctx, &provision.Request{PhysicalID: "dlq-not-empty"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(ctx, &provision.Request{PhysicalID: "dlq-not-empty"}); err != nil {
		t.Fatalf("deleting a deleted alarm: %v", err)
	}
	if got, _ := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); len(got.MetricAlarms) != 0 {
		t.Fatalf("left %+v", got.MetricAlarms)
	}
}

func TestBucketProviders(t *testing.T) {
	env, reg := instanceRegistry(t)
	bp, pp := provider(t, reg, "AWS::S3::Bucket"), provider(t, reg, "AWS::S3::BucketPolicy")
	ctx := context.Background()
	props := map[string]any{
		"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
			"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": true}}},
		"PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
		"OwnershipControls":              map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}},
		"VersioningConfiguration":        map[string]any{"Status": "Enabled"},
		"LifecycleConfiguration": map[string]any{"Rules": []any{map[string]any{"Id": "expire", "Status": "Enabled",
			"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 30.0}}}},
		"Tags": []any{map[string]any{"Key": "stage", "Value": "dev"}},
	}
	req := request("ArtifactBucket", props)
	res, err := bp.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	name := res.PhysicalID
	if name != "stack-artifactbucket-abcdefghijklm" || res.Attributes["Arn"] != "arn:aws:s3:::"+name {
		t.Fatalf("result = %+v", res)
	}
	s3 := env.Instance.S3()
	for kind, want := range map[string]string{"encryption": "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>",
		"versioning": "<Status>Enabled</Status>", "ownershipControls": "<ObjectOwnership>BucketOwnerEnforced</ObjectOwnership>",
		"lifecycle": "<NoncurrentDays>30</NoncurrentDays>", "tagging": "<Key>stage</Key><Value>dev</Value>",
		"publicAccessBlock": "<BlockPublicPolicy>true</BlockPublicPolicy>"} {
		doc, err := s3.BucketConfig(ctx, name, kind)
		if err != nil || !strings.Contains(string(doc), want) {
			t.Errorf("%s = %s, %v; want %s", kind, doc, err, want)
		}
	}
	// A bucket that exists already is not adopted.
	if _, err := bp.Create(ctx, request("Again", map[string]any{"BucketName": name})); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second create: %v", err)
	}
	policy := map[string]any{"Bucket": name, "PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::" + name + "/*"}}}}
	preq := request("Policy", policy)
	pres, err := pp.Create(ctx, preq)
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := s3.BucketConfig(ctx, name, "policy"); !strings.Contains(string(doc), `"Effect":"Deny"`) {
		t.Fatalf("policy = %s", doc)
	}
	if err := pp.Delete(ctx, update(preq, pres, nil)); err != nil {
		t.Fatal(err)
	}
	if doc, _ := s3.BucketConfig(ctx, name, "policy"); strings.Contains(string(doc), "Deny") {
		t.Fatalf("policy after delete = %s", doc)
	}
	next := map[string]any{}
	for k, v := range props {
		next[k] = v
	}
	next["VersioningConfiguration"] = map[string]any{"Status": "Suspended"}
	if _, err := bp.Update(ctx, update(req, res, next)); err != nil {
		t.Fatal(err)
	}
	if doc, _ := s3.BucketConfig(ctx, name, "versioning"); !strings.Contains(string(doc), "Suspended") {
		t.Fatalf("versioning after update = %s", doc)
	}
	if _, err := bp.Create(ctx, request("Bad", map[string]any{"VersioningConfiguration": map[string]any{"Status": "On", "MFADelete": "x"}})); err == nil {
		t.Fatal("unknown nested key accepted")
	}
	if err := bp.Delete(ctx, &provision.Request{PhysicalID: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.BucketConfig(ctx, name, "versioning"); err == nil {
		t.Fatal("bucket still there")
	}
	if err := bp.Delete(ctx, &provision.Request{PhysicalID: name}); err != nil {
		t.Fatalf("deleting a deleted bucket: %v", err)
	}
}

func TestRestAPIProviders(t *testing.T) {
	env, reg := instanceRegistry(t)
	gw := env.Instance.APIGateway()
	ctx := context.Background()
	create := func(typ, logical string, props map[string]any) (*provision.Request, provision.Result) {
		t.Helper()
		req := request(logical, props)
		res, err := provider(t, reg, typ).Create(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", logical, err)
		}
		return req, res
	}
	apiReq, api := create("AWS::ApiGateway::RestApi", "Api", map[string]any{"Name": "orders", "ApiKeySourceType": "HEADER",
		"EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}}})
	apiID := api.PhysicalID
	if api.Attributes["RootResourceId"] == "" {
		t.Fatalf("api = %+v", api)
	}
	_, res := create("AWS::ApiGateway::Resource", "Orders", map[string]any{"RestApiId": apiID, "ParentId": api.Attributes["RootResourceId"], "PathPart": "orders"})
	modelReq, model := create("AWS::ApiGateway::Model", "Model", map[string]any{"RestApiId": apiID, "Name": "Order", "ContentType": "application/json",
		"Schema": map[string]any{"type": "object", "required": []any{"item"}}})
	validatorReq, validator := create("AWS::ApiGateway::RequestValidator", "Validator", map[string]any{"RestApiId": apiID, "ValidateRequestBody": true})
	methodProps := map[string]any{"RestApiId": apiID, "ResourceId": res.PhysicalID, "HttpMethod": "POST", "AuthorizationType": "NONE",
		"ApiKeyRequired": true, "RequestValidatorId": validator.PhysicalID, "RequestModels": map[string]any{"application/json": model.PhysicalID},
		"Integration": map[string]any{"Type": "MOCK", "RequestTemplates": map[string]any{"application/json": `{"statusCode": 200}`},
			"IntegrationResponses": []any{map[string]any{"StatusCode": "202", "ResponseTemplates": map[string]any{"application/json": `{"ok":true}`}}}},
		"MethodResponses": []any{map[string]any{"StatusCode": "202"}}}
	methodReq, method := create("AWS::ApiGateway::Method", "Post", methodProps)
	_, _ = create("AWS::ApiGateway::GatewayResponse", "BadBody", map[string]any{"RestApiId": apiID, "ResponseType": "BAD_REQUEST_BODY", "StatusCode": "400",
		"ResponseTemplates": map[string]any{"application/json": `{"message":$context.error.messageString}`}})
	_, dep := create("AWS::ApiGateway::Deployment", "Deployment", map[string]any{"RestApiId": apiID})
	stageReq, stage := create("AWS::ApiGateway::Stage", "Stage", map[string]any{"RestApiId": apiID, "StageName": "dev", "DeploymentId": dep.PhysicalID,
		"Variables":        map[string]any{"v": "1"},
		"AccessLogSetting": map[string]any{"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:access", "Format": "$context.requestId"},
		"MethodSettings":   []any{map[string]any{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": "10", "ThrottlingBurstLimit": "20", "MetricsEnabled": true}}})
	_, key := create("AWS::ApiGateway::ApiKey", "Key", map[string]any{"Enabled": true, "Value": "0123456789abcdefghij0123"})
	_, plan := create("AWS::ApiGateway::UsagePlan", "Plan", map[string]any{"ApiStages": []any{map[string]any{"ApiId": apiID, "Stage": "dev"}},
		"Throttle": map[string]any{"RateLimit": "100", "BurstLimit": "200"}})
	_, _ = create("AWS::ApiGateway::UsagePlanKey", "PlanKey", map[string]any{"KeyId": key.Attributes["APIKeyId"], "KeyType": "API_KEY", "UsagePlanId": plan.PhysicalID})

	st, err := gw.GetStage(ctx, &apigw.StageRef{RestAPIID: apiID, StageName: stage.PhysicalID})
	if err != nil || st.DeploymentID != dep.PhysicalID || st.AccessLogSettings == nil || st.MethodSettings["*/*"] == nil ||
		st.MethodSettings["*/*"].ThrottlingRateLimit != 10 || st.Variables["v"] != "1" {
		t.Fatalf("stage = %+v, %v", st, err)
	}
	m, err := gw.GetMethod(ctx, &apigw.MethodRef{RestAPIID: apiID, ResourceID: res.PhysicalID, HTTPMethod: "POST"})
	if err != nil || !m.APIKeyRequired || m.MethodIntegration == nil || m.MethodIntegration.IntegrationResponses["202"] == nil {
		t.Fatalf("method = %+v, %v", m, err)
	}
	// In place: the method is put again; the stage's variables follow.
	methodProps2 := map[string]any{}
	for k, v := range methodProps {
		methodProps2[k] = v
	}
	methodProps2["ApiKeyRequired"] = false
	if _, err := provider(t, reg, "AWS::ApiGateway::Method").Update(ctx, update(methodReq, method, methodProps2)); err != nil {
		t.Fatal(err)
	}
	if m, _ := gw.GetMethod(ctx, &apigw.MethodRef{RestAPIID: apiID, ResourceID: res.PhysicalID, HTTPMethod: "POST"}); m == nil || m.APIKeyRequired {
		t.Fatalf("method after update = %+v", m)
	}
	stageProps := map[string]any{}
	for k, v := range stageReq.Properties {
		stageProps[k] = v
	}
	stageProps["Variables"] = map[string]any{"w": "2"}
	delete(stageProps, "AccessLogSetting")
	stageProps["MethodSettings"] = []any{map[string]any{"ResourcePath": "/orders", "HttpMethod": "POST", "ThrottlingRateLimit": 5.0}}
	if _, err := provider(t, reg, "AWS::ApiGateway::Stage").Update(ctx, update(stageReq, stage, stageProps)); err != nil {
		t.Fatal(err)
	}
	st, _ = gw.GetStage(ctx, &apigw.StageRef{RestAPIID: apiID, StageName: "dev"})
	if st == nil || st.Variables["w"] != "2" || st.Variables["v"] != "" || st.AccessLogSettings != nil || st.MethodSettings["*/*"] != nil ||
		st.MethodSettings["~1orders/POST"] == nil || st.MethodSettings["~1orders/POST"].ThrottlingRateLimit != 5 {
		t.Fatalf("stage after update = %+v", st)
	}
	// A changed schema and validator flags are updated in place (UpdateModel,
	// UpdateRequestValidator); a schema that does not compile is refused.
	modelProps := map[string]any{"RestApiId": apiID, "Name": "Order", "ContentType": "application/json", "Description": "v2",
		"Schema": map[string]any{"type": "object", "required": []any{"item", "quantity"}}}
	if _, err := provider(t, reg, "AWS::ApiGateway::Model").Update(ctx, update(modelReq, model, modelProps)); err != nil {
		t.Fatal(err)
	}
	if md, err := gw.GetModel(ctx, &apigw.ModelRef{RestAPIID: apiID, ModelName: "Order"}); err != nil || md.Description != "v2" || !strings.Contains(md.Schema, "quantity") {
		t.Fatalf("model after update = %+v, %v", md, err)
	}
	modelProps["Schema"] = map[string]any{"type": "no-such-type"}
	if _, err := provider(t, reg, "AWS::ApiGateway::Model").Update(ctx, update(modelReq, model, modelProps)); err == nil || !strings.Contains(err.Error(), "Invalid model specified") {
		t.Fatalf("invalid schema update: %v", err)
	}
	validatorProps := map[string]any{"RestApiId": apiID, "ValidateRequestBody": false, "ValidateRequestParameters": true}
	if _, err := provider(t, reg, "AWS::ApiGateway::RequestValidator").Update(ctx, update(validatorReq, validator, validatorProps)); err != nil {
		t.Fatal(err)
	}
	if v, err := gw.GetRequestValidator(ctx, &apigw.RequestValidatorRef{RestAPIID: apiID, RequestValidatorID: validator.PhysicalID}); err != nil ||
		v.ValidateRequestBody || !v.ValidateRequestParameters {
		t.Fatalf("validator after update = %+v, %v", v, err)
	}
	apiProps := map[string]any{"Name": "orders-v2", "ApiKeySourceType": "HEADER", "EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}}}
	if _, err := provider(t, reg, "AWS::ApiGateway::RestApi").Update(ctx, update(apiReq, api, apiProps)); err != nil {
		t.Fatal(err)
	}
	if a, _ := gw.GetRestAPI(ctx, &apigw.RestAPIRef{RestAPIID: apiID}); a == nil || a.Name != "orders-v2" {
		t.Fatalf("api after update = %+v", a)
	}
	// An update the service has no operation for is refused, not faked.
	apiProps["EndpointConfiguration"] = map[string]any{"Types": []any{"EDGE"}}
	if _, err := provider(t, reg, "AWS::ApiGateway::RestApi").Update(ctx, update(apiReq, api, apiProps)); err == nil {
		t.Fatal("endpoint change pretended")
	}
	if err := provider(t, reg, "AWS::ApiGateway::RestApi").Delete(ctx, &provision.Request{PhysicalID: apiID}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.GetRestAPI(ctx, &apigw.RestAPIRef{RestAPIID: apiID}); err == nil {
		t.Fatal("API still there")
	}
	if _, err := provider(t, reg, "AWS::ApiGateway::Method").Create(ctx, request("Bad", map[string]any{"RestApiId": "nope", "ResourceId": "x", "HttpMethod": "GET"})); err == nil {
		t.Fatal("method on a missing API")
	}
}

func functionZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap"}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = io.WriteString(w, "#!/bin/sh\nexit 1\n")
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFunctionAndMappingProviders(t *testing.T) {
	env, reg := instanceRegistry(t)
	ctx := context.Background()
	i := env.Instance
	if err := i.S3().CreateBucket(ctx, "code"); err != nil {
		t.Fatal(err)
	}
	if _, err := i.S3().PutObject(ctx, "code", "fn.zip", bytes.NewReader(functionZip(t)), "application/zip"); err != nil {
		t.Fatal(err)
	}
	role, err := i.IAM().CreateRole(ctx, &iamapi.CreateRoleInput{RoleName: "fn", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	fp := provider(t, reg, "AWS::Lambda::Function")
	props := map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "Role": role.Role.Arn, "Architectures": []any{"x86_64"},
		"Code": map[string]any{"S3Bucket": "code", "S3Key": "fn.zip"}, "Timeout": "10", "MemorySize": 256.0,
		"ReservedConcurrentExecutions": 2.0, "Environment": map[string]any{"Variables": map[string]any{"TABLE_NAME": "orders"}},
		"LoggingConfig": map[string]any{"LogFormat": "JSON", "LogGroup": "/aws/lambda/custom"}}
	req := request("Fn", props)
	res, err := fp.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	name := res.PhysicalID
	if name != "stack-Fn-ABCDEFGHIJKLM" || res.Attributes["Arn"] != "arn:aws:lambda:us-east-1:000000000000:function:"+name {
		t.Fatalf("result = %+v", res)
	}
	got, err := i.Lambda().GetFunction(ctx, &lambdaapi.FunctionNameInput{FunctionName: name})
	if err != nil || got.Configuration.Timeout != 10 || got.Configuration.MemorySize != 256 || got.Concurrency == nil ||
		*got.Concurrency.ReservedConcurrentExecutions != 2 || got.Configuration.LoggingConfig.LogGroup != "/aws/lambda/custom" {
		t.Fatalf("function = %+v, %v", got, err)
	}
	next := map[string]any{}
	for k, v := range props {
		next[k] = v
	}
	delete(next, "ReservedConcurrentExecutions")
	next["Timeout"] = 20.0
	if _, err := fp.Update(ctx, update(req, res, next)); err != nil {
		t.Fatal(err)
	}
	got, _ = i.Lambda().GetFunction(ctx, &lambdaapi.FunctionNameInput{FunctionName: name})
	if got.Configuration.Timeout != 20 || got.Concurrency != nil && got.Concurrency.ReservedConcurrentExecutions != nil {
		t.Fatalf("after update: %+v %+v", got.Configuration, got.Concurrency)
	}

	queue, err := provider(t, reg, "AWS::SQS::Queue").Create(ctx, request("Q", map[string]any{"VisibilityTimeout": "120"}))
	if err != nil {
		t.Fatal(err)
	}
	mp := provider(t, reg, "AWS::Lambda::EventSourceMapping")
	mprops := map[string]any{"EventSourceArn": queue.Attributes["Arn"], "FunctionName": name, "BatchSize": "10",
		"MaximumBatchingWindowInSeconds": 1.0, "FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		"ScalingConfig": map[string]any{"MaximumConcurrency": "5"}, "Enabled": false}
	mreq := request("Mapping", mprops)
	// The function's role cannot poll the queue yet: Lambda refuses the mapping.
	if _, err := mp.Create(ctx, mreq); err == nil || !strings.Contains(err.Error(), "does not have permissions to call ReceiveMessage on SQS") {
		t.Fatalf("mapping with a role that cannot poll: %v", err)
	}
	if _, err := i.IAM().AttachRolePolicy(ctx, &iamapi.RolePolicyArnInput{RoleName: "fn",
		PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"}); err != nil {
		t.Fatal(err)
	}
	mres, err := mp.Create(ctx, mreq)
	if err != nil {
		t.Fatal(err)
	}
	m, err := i.Lambda().GetEventSourceMapping(ctx, &lambdaapi.MappingUUIDInput{UUID: mres.PhysicalID})
	if err != nil || m.BatchSize != 10 || m.ScalingConfig == nil || *m.ScalingConfig.MaximumConcurrency != 5 || mres.Attributes["Id"] != mres.PhysicalID {
		t.Fatalf("mapping = %+v, %v", m, err)
	}
	mnext := map[string]any{}
	for k, v := range mprops {
		mnext[k] = v
	}
	mnext["BatchSize"] = 5.0
	delete(mnext, "ScalingConfig")
	if _, err := mp.Update(ctx, update(mreq, mres, mnext)); err != nil {
		t.Fatal(err)
	}
	m, _ = i.Lambda().GetEventSourceMapping(ctx, &lambdaapi.MappingUUIDInput{UUID: mres.PhysicalID})
	if m == nil || m.BatchSize != 5 || m.ScalingConfig != nil && m.ScalingConfig.MaximumConcurrency != nil {
		t.Fatalf("mapping after update = %+v", m)
	}
	if _, err := mp.Create(ctx, request("Bad", map[string]any{"EventSourceArn": queue.Attributes["Arn"], "FunctionName": name, "BatchSize": "ten"})); err == nil ||
		!strings.Contains(err.Error(), "BatchSize") {
		t.Fatalf("bad batch size: %v", err)
	}
	if err := mp.Delete(ctx, &provision.Request{PhysicalID: mres.PhysicalID}); err != nil {
		t.Fatal(err)
	}
	if err := fp.Delete(ctx, &provision.Request{PhysicalID: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Lambda().GetFunction(ctx, &lambdaapi.FunctionNameInput{FunctionName: name}); err == nil {
		t.Fatal("function still there")
	}
	if err := fp.Delete(ctx, &provision.Request{PhysicalID: name}); err != nil {
		t.Fatalf("deleting a deleted function: %v", err)
	}
	if _, err := fp.Create(ctx, request("NoCode", map[string]any{"Runtime": "provided.al2023", "Role": role.Role.Arn})); err == nil ||
		!strings.Contains(err.Error(), "Code") {
		t.Fatalf("function without code: %v", err)
	}
}
