package templates_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/internal/templates"
)

func TestTemplatesMeetSecurityBaseline(t *testing.T) {
	for _, path := range templateFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			for _, v := range templates.CheckBaseline(parse(t, path)) {
				t.Error(v)
			}
		})
	}
}

// TestBaselineRejectsTweakedTemplates breaks one rule at a time in a copy of a real
// template and expects the baseline to name exactly that rule and resource.
func TestBaselineRejectsTweakedTemplates(t *testing.T) {
	for _, tc := range []struct {
		name     string
		file     string
		tweak    func(r map[string]any)
		rule     string
		resource string
	}{
		{"wildcard resource in a role", "ingest.yaml", func(r map[string]any) {
			stmt(r, "IngestFunctionRole", 2)["Resource"] = "*"
		}, templates.RuleIAMWildcardResource, "IngestFunctionRole"},
		{"wildcard-only action mixed with scopable ones", "notifier.yaml", func(r map[string]any) {
			s := stmt(r, "NotifierFunctionRole", 2)
			s["Action"] = []any{"dynamodb:ListStreams", "dynamodb:DeleteTable"}
		}, templates.RuleIAMWildcardResource, "NotifierFunctionRole"},
		{"service wildcard action", "ingest.yaml", func(r map[string]any) {
			stmt(r, "IngestFunctionRole", 2)["Action"] = "dynamodb:*"
		}, templates.RuleIAMWildcardAction, "IngestFunctionRole"},
		{"managed policy", "ingest.yaml", func(r map[string]any) {
			props(r, "IngestFunctionRole")["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
		}, templates.RuleIAMManagedPolicy, "IngestFunctionRole"},
		{"queue without DLQ", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "OrdersQueue"), "RedrivePolicy")
		}, templates.RuleMappingDLQ, "OrdersQueue"},
		{"visibility timeout under 6x function timeout", "ingest.yaml", func(r map[string]any) {
			props(r, "OrdersQueue")["VisibilityTimeout"] = 59
		}, templates.RuleMappingVisibility, "OrdersQueue"},
		{"function timeout raised past the queue's visibility", "ingest.yaml", func(r map[string]any) {
			props(r, "IngestFunction")["Timeout"] = 30
		}, templates.RuleMappingVisibility, "OrdersQueue"},
		{"unencrypted queue", "notifier.yaml", func(r map[string]any) {
			delete(props(r, "NotifierFailureQueue"), "SqsManagedSseEnabled")
		}, templates.RuleSQSEncryption, "NotifierFailureQueue"},
		{"unencrypted topic", "notifier.yaml", func(r map[string]any) {
			delete(props(r, "OrderEventsTopic"), "KmsMasterKeyId")
		}, templates.RuleSNSEncryption, "OrderEventsTopic"},
		{"unencrypted table", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "OrdersTable"), "SSESpecification")
		}, templates.RuleDynamoDBEncryption, "OrdersTable"},
		{"no point-in-time recovery", "ingest.yaml", func(r map[string]any) {
			props(r, "OrdersTable")["PointInTimeRecoverySpecification"] = map[string]any{"PointInTimeRecoveryEnabled": false}
		}, templates.RuleDynamoDBPITR, "OrdersTable"},
		{"mapping without partial batch failures", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "IngestEventSourceMapping"), "FunctionResponseTypes")
		}, templates.RuleMappingBatchFailures, "IngestEventSourceMapping"},
		{"SQS mapping without maximum concurrency", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "IngestEventSourceMapping"), "ScalingConfig")
		}, templates.RuleMappingConcurrency, "IngestEventSourceMapping"},
		{"stream mapping retrying forever", "notifier.yaml", func(r map[string]any) {
			props(r, "NotifierEventSourceMapping")["MaximumRetryAttempts"] = -1
		}, templates.RuleMappingStreamFailures, "NotifierEventSourceMapping"},
		{"stream mapping without bisect", "notifier.yaml", func(r map[string]any) {
			delete(props(r, "NotifierEventSourceMapping"), "BisectBatchOnFunctionError")
		}, templates.RuleMappingStreamFailures, "NotifierEventSourceMapping"},
		{"stream mapping without on-failure destination", "notifier.yaml", func(r map[string]any) {
			delete(props(r, "NotifierEventSourceMapping"), "DestinationConfig")
		}, templates.RuleMappingStreamFailures, "NotifierEventSourceMapping"},
		{"DLQ without alarm", "ingest.yaml", func(r map[string]any) {
			delete(r, "DeadLetterQueueDepthAlarm")
		}, templates.RuleFailureQueueAlarm, "OrdersDeadLetterQueue"},
		{"on-failure queue without alarm", "notifier.yaml", func(r map[string]any) {
			delete(r, "NotifierFailureQueueDepthAlarm")
		}, templates.RuleFailureQueueAlarm, "NotifierFailureQueue"},
		{"function without errors alarm", "notifier.yaml", func(r map[string]any) {
			delete(r, "NotifierErrorsAlarm")
		}, templates.RuleFunctionErrorsAlarm, "NotifierFunction"},
		{"errors alarm watching another metric", "ingest.yaml", func(r map[string]any) {
			props(r, "IngestErrorsAlarm")["MetricName"] = "Invocations"
		}, templates.RuleFunctionErrorsAlarm, "IngestFunction"},
		{"consumed queue without age alarm", "ingest.yaml", func(r map[string]any) {
			delete(r, "OldestOrderAgeAlarm")
		}, templates.RuleQueueAgeAlarm, "OrdersQueue"},
		{"log group without retention", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "ApiAccessLogGroup"), "RetentionInDays")
		}, templates.RuleLogRetention, "ApiAccessLogGroup"},
		{"function logging to an unmanaged log group", "notifier.yaml", func(r map[string]any) {
			delete(props(r, "NotifierFunction"), "LoggingConfig")
		}, templates.RuleFunctionLogGroup, "NotifierFunction"},
		{"stage without access logs", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "ApiStage"), "AccessLogSetting")
		}, templates.RuleAPIAccessLogs, "ApiStage"},
		{"stage without throttling", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "ApiStage"), "MethodSettings")
		}, templates.RuleAPIThrottling, "ApiStage"},
		{"usage plan without throttle", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "ApiUsagePlan"), "Throttle")
		}, templates.RuleAPIThrottling, "ApiUsagePlan"},
		{"method without API key", "ingest.yaml", func(r map[string]any) {
			props(r, "OrdersPostMethod")["ApiKeyRequired"] = false
		}, templates.RuleAPIKey, "OrdersPostMethod"},
		{"method without validator", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "OrdersPostMethod"), "RequestValidatorId")
		}, templates.RuleAPIValidation, "OrdersPostMethod"},
		{"method without body model", "ingest.yaml", func(r map[string]any) {
			delete(props(r, "OrdersPostMethod"), "RequestModels")
		}, templates.RuleAPIValidation, "OrdersPostMethod"},
		{"queue policy allowing everyone", "ingest.yaml", func(r map[string]any) {
			s := policyStmt(r, "OrdersQueuePolicy", 1)
			s["Principal"] = map[string]any{"AWS": "*"}
		}, templates.RuleQueuePolicyPrincipal, "OrdersQueuePolicy"},
		{"queue policy not denying other senders", "ingest.yaml", func(r map[string]any) {
			doc := props(r, "OrdersQueuePolicy")["PolicyDocument"].(map[string]any)
			stmts := doc["Statement"].([]any)
			doc["Statement"] = append(stmts[:2:2], stmts[3:]...)
		}, templates.RuleQueueOnlyAPISends, "OrdersQueue"},
		{"public bucket", "bootstrap.yaml", func(r map[string]any) {
			delete(props(r, "ArtifactBucket"), "PublicAccessBlockConfiguration")
		}, templates.RuleS3Bucket, "ArtifactBucket"},
		{"bucket accepting plain HTTP", "bootstrap.yaml", func(r map[string]any) {
			delete(r, "ArtifactBucketPolicy")
		}, templates.RuleS3Bucket, "ArtifactBucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := parse(t, filepath.Join(templateDir, tc.file))
			tc.tweak(tpl.Body["Resources"].(map[string]any))
			got := templates.CheckBaseline(tpl)
			if !slices.ContainsFunc(got, func(v templates.Violation) bool {
				return v.Rule == tc.rule && v.Resource == tc.resource
			}) {
				t.Errorf("baseline missed %s on %s; got %v", tc.rule, tc.resource, got)
			}
			for _, v := range got {
				if v.Rule != tc.rule {
					t.Errorf("tweak also tripped an unrelated rule: %v", v)
				}
			}
		})
	}
}

// TestBaselineRejectsTestdataTemplate checks a hand-written bad copy of the ingest
// pattern kept in testdata.
func TestBaselineRejectsTestdataTemplate(t *testing.T) {
	got := templates.CheckBaseline(parse(t, filepath.Join("testdata", "insecure-ingest.yaml")))
	want := []string{
		templates.RuleFunctionErrorsAlarm + ": Worker",
		templates.RuleIAMWildcardResource + ": WorkerRole",
		templates.RuleLogRetention + ": WorkerLogGroup",
		templates.RuleMappingBatchFailures + ": WorkerMapping",
		templates.RuleMappingConcurrency + ": WorkerMapping",
		templates.RuleMappingDLQ + ": WorkQueue",
		templates.RuleMappingVisibility + ": WorkQueue",
		templates.RuleQueueAgeAlarm + ": WorkQueue",
		templates.RuleSQSEncryption + ": WorkQueue",
	}
	var gotKeys []string
	for _, v := range got {
		gotKeys = append(gotKeys, v.Rule+": "+v.Resource)
	}
	slices.Sort(gotKeys)
	slices.Sort(want)
	if !slices.Equal(gotKeys, want) {
		t.Errorf("violations:\n  %s\nwant:\n  %s", strings.Join(gotKeys, "\n  "), strings.Join(want, "\n  "))
	}
}

func props(resources map[string]any, id string) map[string]any {
	return resources[id].(map[string]any)["Properties"].(map[string]any)
}

// stmt returns statement i of the first inline policy of role id.
func stmt(resources map[string]any, id string, i int) map[string]any {
	p := props(resources, id)["Policies"].([]any)[0].(map[string]any)
	return p["PolicyDocument"].(map[string]any)["Statement"].([]any)[i].(map[string]any)
}

// policyStmt returns statement i of the PolicyDocument of resource id.
func policyStmt(resources map[string]any, id string, i int) map[string]any {
	return props(resources, id)["PolicyDocument"].(map[string]any)["Statement"].([]any)[i].(map[string]any)
}
