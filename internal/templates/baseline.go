package templates

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Violation is one breach of the security baseline.
type Violation struct {
	// Rule is a stable identifier such as "iam-wildcard-resource".
	Rule string
	// Resource is the logical ID of the offending resource.
	Resource string
	Message  string
}

// String formats the violation as "rule: resource: message".
func (v Violation) String() string { return fmt.Sprintf("%s: %s: %s", v.Rule, v.Resource, v.Message) }

// Baseline rule identifiers.
const (
	RuleIAMWildcardResource   = "iam-wildcard-resource"
	RuleIAMWildcardAction     = "iam-wildcard-action"
	RuleIAMNegation           = "iam-not-action-or-resource"
	RuleIAMManagedPolicy      = "iam-managed-policy"
	RuleSQSEncryption         = "sqs-encryption"
	RuleSNSEncryption         = "sns-encryption"
	RuleDynamoDBEncryption    = "dynamodb-encryption"
	RuleDynamoDBPITR          = "dynamodb-pitr"
	RuleS3Bucket              = "s3-bucket"
	RuleQueuePolicyPrincipal  = "queue-policy-principal"
	RuleQueueOnlyAPISends     = "queue-only-api-sends"
	RuleMappingBatchFailures  = "mapping-report-batch-item-failures"
	RuleMappingDLQ            = "mapping-queue-dlq"
	RuleMappingVisibility     = "mapping-visibility-timeout"
	RuleMappingConcurrency    = "mapping-maximum-concurrency"
	RuleMappingStreamFailures = "mapping-stream-failure-handling"
	RuleFailureQueueAlarm     = "failure-queue-alarm"
	RuleQueueAgeAlarm         = "queue-age-alarm"
	RuleFunctionErrorsAlarm   = "function-errors-alarm"
	RuleLogRetention          = "log-retention"
	RuleFunctionLogGroup      = "function-log-group"
	RuleAPIAccessLogs         = "api-access-logs"
	RuleAPIThrottling         = "api-throttling"
	RuleAPIKey                = "api-key-required"
	RuleAPIValidation         = "api-request-validation"
)

// wildcardOnlyActions are IAM actions AWS does not scope to a resource; for them
// "Resource": "*" is the narrowest there is.
var wildcardOnlyActions = []string{
	"dynamodb:ListStreams",
	"xray:PutTraceSegments",
	"xray:PutTelemetryRecords",
	"cloudwatch:PutMetricData",
}

// defaultLambdaTimeout and defaultVisibilityTimeout are AWS's defaults in seconds.
const (
	defaultLambdaTimeout     = 3
	defaultVisibilityTimeout = 30
)

// CheckBaseline returns every breach of the security baseline in t, sorted.
func CheckBaseline(t *Template) []Violation {
	c := &checker{t: t}
	c.iam()
	c.encryption()
	c.queuePolicies()
	c.mappings()
	c.failureQueueAlarms()
	c.operationalAlarms()
	c.logs()
	c.api()
	sort.Slice(c.out, func(i, j int) bool {
		if c.out[i].Resource != c.out[j].Resource {
			return c.out[i].Resource < c.out[j].Resource
		}
		return c.out[i].Rule < c.out[j].Rule
	})
	return c.out
}

type checker struct {
	t   *Template
	out []Violation
}

func (c *checker) add(rule, resource, format string, args ...any) {
	c.out = append(c.out, Violation{Rule: rule, Resource: resource, Message: fmt.Sprintf(format, args...)})
}

// ---------------------------------------------------------------- IAM

func (c *checker) iam() {
	for _, r := range c.t.Resources() {
		switch r.Type {
		case "AWS::IAM::Role":
			for _, p := range list(r.Properties["Policies"]) {
				pm, _ := p.(map[string]any)
				c.policyDocument(r.ID, pm["PolicyDocument"])
			}
			for _, arn := range list(r.Properties["ManagedPolicyArns"]) {
				c.add(RuleIAMManagedPolicy, r.ID, "attaches managed policy %v; write an inline policy scoped to the stack's resources", arn)
			}
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			c.policyDocument(r.ID, r.Properties["PolicyDocument"])
		}
	}
}

func (c *checker) policyDocument(id string, doc any) {
	dm, _ := doc.(map[string]any)
	for _, s := range list(dm["Statement"]) {
		st, _ := s.(map[string]any)
		if st["Effect"] != "Allow" {
			continue
		}
		if st["NotAction"] != nil || st["NotResource"] != nil {
			c.add(RuleIAMNegation, id, "an Allow statement uses NotAction or NotResource")
		}
		actions := stringsOf(list(st["Action"]))
		for _, a := range actions {
			if a == "*" || strings.HasSuffix(a, ":*") {
				c.add(RuleIAMWildcardAction, id, "allows %q; name the actions", a)
			}
		}
		for _, res := range list(st["Resource"]) {
			if res != "*" {
				continue
			}
			var scopable []string
			for _, a := range actions {
				if !slices.Contains(wildcardOnlyActions, a) {
					scopable = append(scopable, a)
				}
			}
			if len(scopable) > 0 || len(actions) == 0 {
				c.add(RuleIAMWildcardResource, id, `allows %s on "*"; scope them to the stack's ARNs`, strings.Join(scopable, ", "))
			}
		}
	}
}

// ---------------------------------------------------------------- encryption, PITR, S3

func (c *checker) encryption() {
	for _, r := range c.t.OfType("AWS::SQS::Queue") {
		if !truthy(r.Properties["SqsManagedSseEnabled"]) && r.Properties["KmsMasterKeyId"] == nil {
			c.add(RuleSQSEncryption, r.ID, "queue is not encrypted at rest (SqsManagedSseEnabled or KmsMasterKeyId)")
		}
	}
	for _, r := range c.t.OfType("AWS::SNS::Topic") {
		if r.Properties["KmsMasterKeyId"] == nil {
			c.add(RuleSNSEncryption, r.ID, "topic is not encrypted at rest (KmsMasterKeyId)")
		}
	}
	for _, r := range c.t.OfType("AWS::DynamoDB::Table") {
		sse, _ := r.Properties["SSESpecification"].(map[string]any)
		if !truthy(sse["SSEEnabled"]) {
			c.add(RuleDynamoDBEncryption, r.ID, "table does not enable SSESpecification.SSEEnabled")
		}
		pitr, _ := r.Properties["PointInTimeRecoverySpecification"].(map[string]any)
		if !truthy(pitr["PointInTimeRecoveryEnabled"]) {
			c.add(RuleDynamoDBPITR, r.ID, "table does not enable point-in-time recovery")
		}
	}
	for _, r := range c.t.OfType("AWS::S3::Bucket") {
		enc, _ := r.Properties["BucketEncryption"].(map[string]any)
		if len(list(enc["ServerSideEncryptionConfiguration"])) == 0 {
			c.add(RuleS3Bucket, r.ID, "bucket has no default encryption")
		}
		pab, _ := r.Properties["PublicAccessBlockConfiguration"].(map[string]any)
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if !truthy(pab[k]) {
				c.add(RuleS3Bucket, r.ID, "public access block lacks %s", k)
			}
		}
		if !c.bucketDeniesInsecureTransport(r.ID) {
			c.add(RuleS3Bucket, r.ID, "no bucket policy denies requests without TLS (aws:SecureTransport false)")
		}
	}
}

func (c *checker) bucketDeniesInsecureTransport(bucket string) bool {
	for _, p := range c.t.OfType("AWS::S3::BucketPolicy") {
		if refTo(p.Properties["Bucket"]) != bucket {
			continue
		}
		doc, _ := p.Properties["PolicyDocument"].(map[string]any)
		for _, s := range list(doc["Statement"]) {
			st, _ := s.(map[string]any)
			cond, _ := st["Condition"].(map[string]any)
			b, _ := cond["Bool"].(map[string]any)
			if st["Effect"] == "Deny" && b != nil && fmt.Sprint(b["aws:SecureTransport"]) == "false" {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------- queue policies

func (c *checker) queuePolicies() {
	for _, p := range c.t.OfType("AWS::SQS::QueuePolicy") {
		doc, _ := p.Properties["PolicyDocument"].(map[string]any)
		for _, s := range list(doc["Statement"]) {
			st, _ := s.(map[string]any)
			if st["Effect"] == "Allow" && isAnyone(st["Principal"]) {
				c.add(RuleQueuePolicyPrincipal, p.ID, "an Allow statement's principal is everyone")
			}
		}
	}
	// Each queue an API method integrates with: only that integration's role may send.
	for _, m := range c.t.OfType("AWS::ApiGateway::Method") {
		integ, _ := m.Properties["Integration"].(map[string]any)
		queue := sqsIntegrationQueue(integ["Uri"])
		if queue == "" {
			continue
		}
		role, _ := getAtt(integ["Credentials"])
		if !c.onlyRoleSends(queue, role) {
			c.add(RuleQueueOnlyAPISends, queue,
				"no queue policy both allows %s to send and denies sqs:SendMessage to every other principal", role)
		}
	}
}

var sqsPathQueue = regexp.MustCompile(`:sqs:path/[^/]+/\$\{(\w+)\.QueueName\}`)

// sqsIntegrationQueue returns the logical ID of the queue an SQS service integration's
// URI points at, or "".
func sqsIntegrationQueue(uri any) string {
	um, _ := uri.(map[string]any)
	s, _ := um["Fn::Sub"].(string)
	if m := sqsPathQueue.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func (c *checker) onlyRoleSends(queue, role string) bool {
	for _, p := range c.t.OfType("AWS::SQS::QueuePolicy") {
		if !slices.ContainsFunc(list(p.Properties["Queues"]), func(q any) bool { return refTo(q) == queue }) {
			continue
		}
		var allows, denies bool
		doc, _ := p.Properties["PolicyDocument"].(map[string]any)
		for _, s := range list(doc["Statement"]) {
			st, _ := s.(map[string]any)
			if !slices.Contains(stringsOf(list(st["Action"])), "sqs:SendMessage") {
				continue
			}
			switch st["Effect"] {
			case "Allow":
				pm, _ := st["Principal"].(map[string]any)
				if r, _ := getAtt(pm["AWS"]); r == role {
					allows = true
				}
			case "Deny":
				cond, _ := st["Condition"].(map[string]any)
				ne, _ := cond["ArnNotEquals"].(map[string]any)
				if r, _ := getAtt(ne["aws:PrincipalArn"]); isAnyone(st["Principal"]) && r == role {
					denies = true
				}
			}
		}
		if allows && denies {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- event source mappings

func (c *checker) mappings() {
	for _, m := range c.t.OfType("AWS::Lambda::EventSourceMapping") {
		p := m.Properties
		if !slices.Contains(stringsOf(list(p["FunctionResponseTypes"])), "ReportBatchItemFailures") {
			c.add(RuleMappingBatchFailures, m.ID, "FunctionResponseTypes lacks ReportBatchItemFailures")
		}
		res, attr := getAtt(p["EventSourceArn"])
		queue, isLocal := c.t.Resource(res)
		if isLocal && queue.Type == "AWS::SQS::Queue" && attr == "Arn" {
			c.sqsMapping(m, queue)
			continue
		}
		// A stream (DynamoDB or Kinesis): failures must be bounded and kept.
		if !truthy(p["BisectBatchOnFunctionError"]) {
			c.add(RuleMappingStreamFailures, m.ID, "stream mapping does not bisect failing batches")
		}
		if n, ok := c.number(p["MaximumRetryAttempts"]); !ok || n < 0 {
			c.add(RuleMappingStreamFailures, m.ID, "stream mapping does not bound MaximumRetryAttempts")
		}
		if n, ok := c.number(p["MaximumRecordAgeInSeconds"]); !ok || n < 0 {
			c.add(RuleMappingStreamFailures, m.ID, "stream mapping does not bound MaximumRecordAgeInSeconds")
		}
		dest, _ := p["DestinationConfig"].(map[string]any)
		onFailure, _ := dest["OnFailure"].(map[string]any)
		if onFailure["Destination"] == nil {
			c.add(RuleMappingStreamFailures, m.ID, "stream mapping has no on-failure destination")
		}
	}
}

func (c *checker) sqsMapping(m, queue Resource) {
	redrive, _ := queue.Properties["RedrivePolicy"].(map[string]any)
	if redrive["deadLetterTargetArn"] == nil {
		c.add(RuleMappingDLQ, queue.ID, "queue consumed by %s has no dead-letter queue (RedrivePolicy)", m.ID)
	}
	sc, _ := m.Properties["ScalingConfig"].(map[string]any)
	if sc["MaximumConcurrency"] == nil {
		c.add(RuleMappingConcurrency, m.ID, "SQS mapping does not set ScalingConfig.MaximumConcurrency")
	}
	fn, ok := c.t.Resource(refTo(m.Properties["FunctionName"]))
	if !ok {
		return
	}
	timeout := float64(defaultLambdaTimeout)
	if n, ok := c.number(fn.Properties["Timeout"]); ok {
		timeout = n
	}
	visibility := float64(defaultVisibilityTimeout)
	if n, ok := c.number(queue.Properties["VisibilityTimeout"]); ok {
		visibility = n
	}
	if visibility < 6*timeout {
		c.add(RuleMappingVisibility, queue.ID, "visibility timeout %gs is under 6 x %s's timeout of %gs", visibility, fn.ID, timeout)
	}
}

// failureQueueAlarms requires an alarm on every queue that collects failures: each
// dead-letter queue and each on-failure destination.
func (c *checker) failureQueueAlarms() {
	failureQueues := map[string]bool{}
	for _, q := range c.t.OfType("AWS::SQS::Queue") {
		redrive, _ := q.Properties["RedrivePolicy"].(map[string]any)
		if dlq, _ := getAtt(redrive["deadLetterTargetArn"]); dlq != "" {
			failureQueues[dlq] = true
		}
	}
	for _, m := range c.t.OfType("AWS::Lambda::EventSourceMapping") {
		dest, _ := m.Properties["DestinationConfig"].(map[string]any)
		onFailure, _ := dest["OnFailure"].(map[string]any)
		if q, _ := getAtt(onFailure["Destination"]); q != "" {
			failureQueues[q] = true
		}
	}
	alarmed := map[string]bool{}
	for _, a := range c.t.OfType("AWS::CloudWatch::Alarm") {
		for _, d := range list(a.Properties["Dimensions"]) {
			dm, _ := d.(map[string]any)
			if q, attr := getAtt(dm["Value"]); dm["Name"] == "QueueName" && attr == "QueueName" {
				alarmed[q] = true
			}
		}
	}
	for q := range failureQueues {
		if !alarmed[q] {
			c.add(RuleFailureQueueAlarm, q, "failure queue has no CloudWatch alarm")
		}
	}
}

// operationalAlarms requires an alarm on the errors of every function and on the
// oldest message's age of every queue a function consumes.
func (c *checker) operationalAlarms() {
	for _, fn := range c.t.OfType("AWS::Lambda::Function") {
		if !c.hasAlarm("AWS/Lambda", "Errors", "FunctionName", func(v any) bool { return refTo(v) == fn.ID }) {
			c.add(RuleFunctionErrorsAlarm, fn.ID, "no CloudWatch alarm on the function's Errors")
		}
	}
	for _, m := range c.t.OfType("AWS::Lambda::EventSourceMapping") {
		res, attr := getAtt(m.Properties["EventSourceArn"])
		q, ok := c.t.Resource(res)
		if !ok || q.Type != "AWS::SQS::Queue" || attr != "Arn" {
			continue
		}
		if !c.hasAlarm("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", func(v any) bool {
			r, a := getAtt(v)
			return r == q.ID && a == "QueueName"
		}) {
			c.add(RuleQueueAgeAlarm, q.ID, "no CloudWatch alarm on the queue's ApproximateAgeOfOldestMessage")
		}
	}
}

// hasAlarm reports an alarm on namespace/metric whose dimension named dim matches.
func (c *checker) hasAlarm(namespace, metric, dim string, match func(any) bool) bool {
	for _, a := range c.t.OfType("AWS::CloudWatch::Alarm") {
		if a.Properties["Namespace"] != namespace || a.Properties["MetricName"] != metric {
			continue
		}
		for _, d := range list(a.Properties["Dimensions"]) {
			dm, _ := d.(map[string]any)
			if dm["Name"] == dim && match(dm["Value"]) {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------- logs

func (c *checker) logs() {
	for _, g := range c.t.OfType("AWS::Logs::LogGroup") {
		if g.Properties["RetentionInDays"] == nil {
			c.add(RuleLogRetention, g.ID, "log group keeps logs forever (no RetentionInDays)")
		}
	}
	for _, fn := range c.t.OfType("AWS::Lambda::Function") {
		lc, _ := fn.Properties["LoggingConfig"].(map[string]any)
		g, ok := c.t.Resource(refTo(lc["LogGroup"]))
		if !ok || g.Type != "AWS::Logs::LogGroup" {
			c.add(RuleFunctionLogGroup, fn.ID, "function does not log to a log group of this stack (LoggingConfig.LogGroup)")
		}
	}
}

// ---------------------------------------------------------------- API Gateway

func (c *checker) api() {
	for _, s := range c.t.OfType("AWS::ApiGateway::Stage") {
		al, _ := s.Properties["AccessLogSetting"].(map[string]any)
		if al["DestinationArn"] == nil || al["Format"] == nil {
			c.add(RuleAPIAccessLogs, s.ID, "stage has no access log destination and format")
		}
		throttled := false
		for _, ms := range list(s.Properties["MethodSettings"]) {
			mm, _ := ms.(map[string]any)
			if mm["ThrottlingRateLimit"] != nil && mm["ThrottlingBurstLimit"] != nil {
				throttled = true
			}
		}
		if !throttled {
			c.add(RuleAPIThrottling, s.ID, "stage sets no throttling rate and burst limits")
		}
	}
	for _, u := range c.t.OfType("AWS::ApiGateway::UsagePlan") {
		th, _ := u.Properties["Throttle"].(map[string]any)
		if th["RateLimit"] == nil || th["BurstLimit"] == nil {
			c.add(RuleAPIThrottling, u.ID, "usage plan sets no throttle")
		}
	}
	methods := c.t.OfType("AWS::ApiGateway::Method")
	if len(methods) > 0 && len(c.t.OfType("AWS::ApiGateway::UsagePlan")) == 0 {
		c.add(RuleAPIThrottling, methods[0].ID, "the API has no usage plan to bind its keys and throttle them")
	}
	for _, m := range methods {
		verb, _ := m.Properties["HttpMethod"].(string)
		if verb == "OPTIONS" {
			continue
		}
		if !truthy(m.Properties["ApiKeyRequired"]) {
			c.add(RuleAPIKey, m.ID, "%s does not require an API key", verb)
		}
		v, ok := c.t.Resource(refTo(m.Properties["RequestValidatorId"]))
		if !ok || v.Type != "AWS::ApiGateway::RequestValidator" {
			c.add(RuleAPIValidation, m.ID, "%s has no request validator", verb)
			continue
		}
		if verb == "POST" || verb == "PUT" || verb == "PATCH" {
			models, _ := m.Properties["RequestModels"].(map[string]any)
			if !truthy(v.Properties["ValidateRequestBody"]) || len(models) == 0 {
				c.add(RuleAPIValidation, m.ID, "%s does not validate its body against a model", verb)
			}
		}
	}
}

// ---------------------------------------------------------------- value helpers

// number resolves a literal or a Ref to a parameter's default into a number.
func (c *checker) number(v any) (float64, bool) {
	if p := refTo(v); p != "" {
		params, _ := c.t.Body["Parameters"].(map[string]any)
		pm, _ := params[p].(map[string]any)
		v = pm["Default"]
	}
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

func stringsOf(vs []any) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func truthy(v any) bool { return v == true || v == "true" }

func refTo(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Ref"].(string)
	return s
}

func getAtt(v any) (resource, attribute string) {
	m, _ := v.(map[string]any)
	switch a := m["Fn::GetAtt"].(type) {
	case []any:
		if len(a) == 2 {
			r, _ := a[0].(string)
			at, _ := a[1].(string)
			return r, at
		}
	case string:
		r, at, _ := strings.Cut(a, ".")
		return r, at
	}
	return "", ""
}

func isAnyone(principal any) bool {
	if principal == "*" {
		return true
	}
	pm, _ := principal.(map[string]any)
	return pm["AWS"] == "*"
}
