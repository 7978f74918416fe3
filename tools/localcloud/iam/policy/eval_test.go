package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const acct = "000000000000"

func mustParse(t *testing.T, doc string, kind Kind) *Document {
	t.Helper()
	d, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return d
}

func loadPolicy(t *testing.T, file string, kind Kind) *Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return mustParse(t, string(b), kind)
}

func session(role, name string) Principal {
	return Principal{
		ARN:          "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + name,
		PrincipalARN: "arn:aws:iam::" + acct + ":role/" + role,
		Account:      acct,
		UserID:       "AROAEXAMPLE:" + name,
	}
}

func identity(t *testing.T, name, doc string) Policy {
	return Policy{Type: IdentityBased, Name: name, Document: mustParse(t, doc, Identity)}
}

func TestEvaluationLogic(t *testing.T) {
	const queue = "arn:aws:sqs:us-east-1:" + acct + ":orders"
	alice := Principal{ARN: "arn:aws:iam::" + acct + ":user/alice", Account: acct, UserID: "AIDAALICE"}
	allowSend := `{"Version":"2012-10-17","Statement":{"Sid":"Send","Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + queue + `"}}`
	denySend := `{"Version":"2012-10-17","Statement":{"Sid":"NoSend","Effect":"Deny","Action":"sqs:Send*","Resource":"*"}}`
	tests := []struct {
		name     string
		in       Input
		want     Outcome
		sid      string
		msgTail  string
		explains string
	}{
		{name: "implicit deny without policies",
			in:      Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}},
			want:    ImplicitDeny,
			msgTail: "because no identity-based policy allows the sqs:SendMessage action"},
		{name: "identity allow",
			in:   Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend)}},
			want: Allowed, sid: "Send"},
		{name: "explicit deny beats allow",
			in:   Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend), identity(t, "deny", denySend)}},
			want: ExplicitDeny, sid: "NoSend",
			msgTail: "with an explicit deny in an identity-based policy"},
		{name: "explicit deny in a managed policy names its ARN",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend),
				{Type: IdentityBased, Name: "deny", ARN: "arn:aws:iam::" + acct + ":policy/deny", Document: mustParse(t, denySend, Identity)}}},
			want: ExplicitDeny, sid: "NoSend",
			msgTail: "with an explicit deny in an identity-based policy: arn:aws:iam::" + acct + ":policy/deny"},
		{name: "root is allowed everything, even an explicit deny",
			in:   Input{Request: Request{Principal: Principal{ARN: "arn:aws:iam::" + acct + ":root", Account: acct, Root: true}, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "deny", denySend)}},
			want: Allowed, explains: "Allow: root user"},
		{name: "action on another resource",
			in:      Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue + "-dlq"}, Identity: []Policy{identity(t, "send", allowSend)}},
			want:    ImplicitDeny,
			msgTail: "on resource: " + queue + "-dlq because no identity-based policy allows the sqs:SendMessage action"},
		{name: "NotAction allows everything else",
			in: Input{Request: Request{Principal: alice, Action: "sqs:ReceiveMessage", Resource: queue}, Identity: []Policy{identity(t, "na",
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"sqs:SendMessage","Resource":"*"}}`)}},
			want: Allowed},
		{name: "NotAction excludes the named action",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "na",
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"sqs:SendMessage","Resource":"*"}}`)}},
			want: ImplicitDeny},
		{name: "NotResource deny spares the named resource",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend), identity(t, "nr",
				`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sqs:*","NotResource":"`+queue+`"}}`)}},
			want: Allowed, sid: "Send"},
		{name: "NotResource deny hits other resources",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue + "-other"}, Identity: []Policy{identity(t, "nr",
				`{"Version":"2012-10-17","Statement":{"Sid":"OnlyOrders","Effect":"Deny","Action":"sqs:*","NotResource":"`+queue+`"}}`)}},
			want: ExplicitDeny, sid: "OnlyOrders"},
		{name: "resource policy naming the user grants in the same account",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue},
				Resource: &Policy{Type: ResourceBased, Name: "queue", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"`+alice.ARN+`"},"Action":"sqs:SendMessage","Resource":"`+queue+`"}}`, Resource)}},
			want: Allowed, sid: "Alice"},
		{name: "resource policy naming the account delegates to identity policies",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue},
				Resource: &Policy{Type: ResourceBased, Name: "queue", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sqs:SendMessage","Resource":"`+queue+`"}}`, Resource)}},
			want: ImplicitDeny},
		{name: "resource policy with principal star grants",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue},
				Resource: &Policy{Type: ResourceBased, Name: "queue", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Sid":"All","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"`+queue+`"}}`, Resource)}},
			want: Allowed, sid: "All"},
		{name: "resource policy deny naming the account applies",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend)},
				Resource: &Policy{Type: ResourceBased, Name: "queue", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Sid":"No","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sqs:SendMessage","Resource":"`+queue+`"}}`, Resource)}},
			want: ExplicitDeny, sid: "No", msgTail: "with an explicit deny in a resource-based policy"},
		{name: "NotPrincipal deny spares the named user",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend)},
				Resource: &Policy{Type: ResourceBased, Name: "queue", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"`+alice.ARN+`"},"Action":"sqs:*","Resource":"`+queue+`"}}`, Resource)}},
			want: Allowed, sid: "Send"},
		{name: "cross-account needs both sides: identity only",
			in:      Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111111111111:q"}, Identity: []Policy{identity(t, "all", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`)}},
			want:    ImplicitDeny,
			msgTail: "because no resource-based policy allows the sqs:SendMessage action"},
		{name: "cross-account needs both sides: both",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111111111111:q"}, Identity: []Policy{identity(t, "all", `{"Version":"2012-10-17","Statement":{"Sid":"Mine","Effect":"Allow","Action":"sqs:*","Resource":"*"}}`)},
				Resource: &Policy{Type: ResourceBased, Name: "q", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sqs:SendMessage","Resource":"*"}}`, Resource)}},
			want: Allowed, sid: "Mine"},
		{name: "permissions boundary caps identity allows",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend)},
				Boundary: &Policy{Type: PermissionsBoundary, Name: "b", ARN: "arn:aws:iam::" + acct + ":policy/b", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}}`, Identity)}},
			want:    ImplicitDeny,
			msgTail: "because no permissions boundary allows the sqs:SendMessage action"},
		{name: "permissions boundary allowing the action",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend)},
				Boundary: &Policy{Type: PermissionsBoundary, Name: "b", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`, Identity)}},
			want: Allowed, sid: "Send"},
		{name: "explicit deny in a permissions boundary",
			in: Input{Request: Request{Principal: alice, Action: "sqs:SendMessage", Resource: queue}, Identity: []Policy{identity(t, "send", allowSend)},
				Boundary: &Policy{Type: PermissionsBoundary, Name: "b", ARN: "arn:aws:iam::" + acct + ":policy/b", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sqs:*","Resource":"*"}}`, Identity)}},
			want: ExplicitDeny, msgTail: "with an explicit deny in a permissions boundary: arn:aws:iam::" + acct + ":policy/b"},
		{name: "policy variable scopes a user to their prefix",
			in: Input{Request: Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/x"}, Identity: []Policy{identity(t, "home",
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)}},
			want: Allowed},
		{name: "policy variable does not reach another user's prefix",
			in: Input{Request: Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::home/bob/x"}, Identity: []Policy{identity(t, "home",
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)}},
			want: ImplicitDeny},
		{name: "2008 documents treat variables as text",
			in: Input{Request: Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/x"}, Identity: []Policy{identity(t, "home",
				`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)}},
			want: ImplicitDeny},
		{name: "service principal needs the resource policy",
			in: Input{Request: Request{Principal: Principal{Service: "sns.amazonaws.com"}, Action: "sqs:SendMessage", Resource: queue,
				Context: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:" + acct + ":t"}}},
				Resource: &Policy{Type: ResourceBased, Name: "q", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Sid":"Topic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"`+queue+`","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:`+acct+`:t"}}}}`, Resource)}},
			want: Allowed, sid: "Topic"},
		{name: "service principal from another source",
			in: Input{Request: Request{Principal: Principal{Service: "sns.amazonaws.com"}, Action: "sqs:SendMessage", Resource: queue,
				Context: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:" + acct + ":other"}}},
				Resource: &Policy{Type: ResourceBased, Name: "q", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"`+queue+`","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:`+acct+`:t"}}}}`, Resource)}},
			want:    ImplicitDeny,
			msgTail: "User: sns.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: " + queue + " because no resource-based policy allows the sqs:SendMessage action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Evaluate(tt.in)
			if d.Outcome != tt.want {
				t.Fatalf("outcome = %s, want %s (%s)", d.Outcome, tt.want, d)
			}
			if tt.sid != "" && (d.Statement == nil || d.Statement.Sid != tt.sid) {
				t.Fatalf("deciding statement = %+v, want Sid %s", d.Statement, tt.sid)
			}
			if tt.msgTail != "" && !strings.HasSuffix(d.Message(), tt.msgTail) {
				t.Fatalf("message = %q, want suffix %q", d.Message(), tt.msgTail)
			}
			if tt.want == Allowed && d.Message() != "" {
				t.Fatalf("allowed decision has message %q", d.Message())
			}
			if tt.explains != "" && d.String() != tt.explains {
				t.Fatalf("String() = %q, want %q", d.String(), tt.explains)
			}
		})
	}
}

func TestAccessDeniedMessage(t *testing.T) {
	d := Evaluate(Input{Request: Request{Principal: session("RoleName", "SessionName"), Action: "sqs:SendMessage",
		Resource: "arn:aws:sqs:us-east-1:000000000000:orders"}})
	want := "User: arn:aws:sts::000000000000:assumed-role/RoleName/SessionName is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:orders because no identity-based policy allows the sqs:SendMessage action"
	if d.Message() != want {
		t.Fatalf("message =\n%s\nwant\n%s", d.Message(), want)
	}
}

// TestTemplatePolicies evaluates the policies of infra-cfn's stacks
// (testdata/*.json) the way localcloud will: function and API role sessions
// calling over loopback with aws:SecureTransport set by the caller.
func TestTemplatePolicies(t *testing.T) {
	const (
		apiRole      = "orderflow-dev-ingest-ApiGatewaySqsRole-1A2B3C4D5E6F"
		ingestRole   = "orderflow-dev-ingest-IngestFunctionRole-6F5E4D3C2B1A"
		notifierRole = "orderflow-dev-notifier-NotifierFunctionRole-ABCDEF123456"
		queue        = "arn:aws:sqs:us-east-1:" + acct + ":orderflow-dev-orders"
		table        = "arn:aws:dynamodb:us-east-1:" + acct + ":table/orderflow-dev-orders"
		stream       = table + "/stream/2026-11-27T09:00:00.000"
		topic        = "arn:aws:sns:us-east-1:" + acct + ":orderflow-dev-order-events"
		failures     = "arn:aws:sqs:us-east-1:" + acct + ":orderflow-dev-notifier-failures"
		ingestLogs   = "arn:aws:logs:us-east-1:" + acct + ":log-group:/aws/lambda/orderflow-dev-ingest"
		bucket       = "arn:aws:s3:::orderflow-dev-artifacts-" + acct
	)
	queuePolicy := &Policy{Type: ResourceBased, Name: "OrdersQueuePolicy", Document: loadPolicy(t, "ingest-queue-policy.json", Resource)}
	topicPolicy := &Policy{Type: ResourceBased, Name: "OrderEventsTopicPolicy", Document: loadPolicy(t, "notifier-topic-policy.json", Resource)}
	bucketPolicy := &Policy{Type: ResourceBased, Name: "ArtifactBucketPolicy", Document: loadPolicy(t, "bootstrap-bucket-policy.json", Resource)}
	apiPolicies := []Policy{{Type: IdentityBased, Name: "send-orders", Document: loadPolicy(t, "ingest-api-role-policy.json", Identity)}}
	ingestPolicies := []Policy{{Type: IdentityBased, Name: "ingest", Document: loadPolicy(t, "ingest-function-policy.json", Identity)}}
	notifierPolicies := []Policy{{Type: IdentityBased, Name: "notifier", Document: loadPolicy(t, "notifier-function-policy.json", Identity)}}
	root := Principal{ARN: "arn:aws:iam::" + acct + ":root", Account: acct, Root: true}
	admin := Principal{ARN: "arn:aws:iam::" + acct + ":user/admin", Account: acct}
	adminPolicies := []Policy{identity(t, "admin", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}
	secure := map[string][]string{"aws:SecureTransport": {"true"}}
	insecure := map[string][]string{"aws:SecureTransport": {"false"}}

	tests := []struct {
		name      string
		principal Principal
		identity  []Policy
		resource  *Policy
		action    string
		target    string
		context   map[string][]string
		want      Outcome
		sid       string
	}{
		// The queue: only the API role sends, the ingest role consumes.
		{"API role sends to its queue", session(apiRole, "apigw"), apiPolicies, queuePolicy, "sqs:SendMessage", queue, secure, Allowed, ""},
		{"API role may send only because the queue policy names it", session(apiRole, "apigw"), nil, queuePolicy, "sqs:SendMessage", queue, secure, Allowed, "ApiMaySend"},
		{"API role cannot receive", session(apiRole, "apigw"), apiPolicies, queuePolicy, "sqs:ReceiveMessage", queue, secure, ImplicitDeny, ""},
		{"API role cannot send to another queue", session(apiRole, "apigw"), apiPolicies, nil, "sqs:SendMessage", failures, secure, ImplicitDeny, ""},
		{"ingest role consumes", session(ingestRole, "fn"), ingestPolicies, queuePolicy, "sqs:ReceiveMessage", queue, secure, Allowed, ""},
		{"ingest role deletes", session(ingestRole, "fn"), ingestPolicies, queuePolicy, "sqs:DeleteMessage", queue, secure, Allowed, ""},
		{"ingest role changes visibility", session(ingestRole, "fn"), ingestPolicies, queuePolicy, "sqs:ChangeMessageVisibility", queue, secure, Allowed, ""},
		{"ingest role reads queue attributes", session(ingestRole, "fn"), ingestPolicies, queuePolicy, "sqs:GetQueueAttributes", queue, secure, Allowed, ""},
		{"ingest role may consume through the queue policy alone", session(ingestRole, "fn"), nil, queuePolicy, "sqs:ReceiveMessage", queue, secure, Allowed, "IngestMayConsume"},
		{"ingest role may not send", session(ingestRole, "fn"), ingestPolicies, queuePolicy, "sqs:SendMessage", queue, secure, ExplicitDeny, "OnlyApiSends"},
		{"an admin may not send either", admin, adminPolicies, queuePolicy, "sqs:SendMessage", queue, secure, ExplicitDeny, "OnlyApiSends"},
		{"an admin may purge", admin, adminPolicies, queuePolicy, "sqs:PurgeQueue", queue, secure, Allowed, ""},
		{"insecure transport is denied", session(apiRole, "apigw"), apiPolicies, queuePolicy, "sqs:SendMessage", queue, insecure, ExplicitDeny, "DenyInsecureTransport"},
		{"insecure consume is denied", session(ingestRole, "fn"), ingestPolicies, queuePolicy, "sqs:ReceiveMessage", queue, insecure, ExplicitDeny, "DenyInsecureTransport"},
		{"root bypasses the queue policy", root, nil, queuePolicy, "sqs:SendMessage", queue, insecure, Allowed, ""},
		// Ingest function role.
		{"ingest writes orders", session(ingestRole, "fn"), ingestPolicies, nil, "dynamodb:PutItem", table, secure, Allowed, "StoreOrders"},
		{"ingest cannot update orders", session(ingestRole, "fn"), ingestPolicies, nil, "dynamodb:UpdateItem", table, secure, ImplicitDeny, ""},
		{"ingest cannot write another table", session(ingestRole, "fn"), ingestPolicies, nil, "dynamodb:PutItem", table + "-x", secure, ImplicitDeny, ""},
		{"ingest writes its log stream", session(ingestRole, "fn"), ingestPolicies, nil, "logs:PutLogEvents", ingestLogs + ":log-stream:2026/11/27/[$LATEST]0123", secure, Allowed, "Logs"},
		{"ingest creates its log stream", session(ingestRole, "fn"), ingestPolicies, nil, "logs:CreateLogStream", ingestLogs + ":log-stream:s", secure, Allowed, "Logs"},
		{"ingest cannot create log groups", session(ingestRole, "fn"), ingestPolicies, nil, "logs:CreateLogGroup", ingestLogs + ":*", secure, ImplicitDeny, ""},
		{"ingest cannot write the notifier's logs", session(ingestRole, "fn"), ingestPolicies, nil, "logs:PutLogEvents",
			"arn:aws:logs:us-east-1:" + acct + ":log-group:/aws/lambda/orderflow-dev-notifier:log-stream:s", secure, ImplicitDeny, ""},
		// Notifier function role.
		{"notifier reads the stream", session(notifierRole, "fn"), notifierPolicies, nil, "dynamodb:GetRecords", stream, secure, Allowed, "ReadOrdersStream"},
		{"notifier gets shard iterators", session(notifierRole, "fn"), notifierPolicies, nil, "dynamodb:GetShardIterator", stream, secure, Allowed, "ReadOrdersStream"},
		{"notifier lists streams", session(notifierRole, "fn"), notifierPolicies, nil, "dynamodb:ListStreams", "*", secure, Allowed, "ListStreamsHasNoResourceLevelPermissions"},
		{"notifier marks orders", session(notifierRole, "fn"), notifierPolicies, nil, "dynamodb:UpdateItem", table, secure, Allowed, "MarkOrdersNotified"},
		{"notifier cannot put orders", session(notifierRole, "fn"), notifierPolicies, nil, "dynamodb:PutItem", table, secure, ImplicitDeny, ""},
		{"notifier cannot read the table's stream records as items", session(notifierRole, "fn"), notifierPolicies, nil, "dynamodb:GetItem", stream, secure, ImplicitDeny, ""},
		{"notifier publishes", session(notifierRole, "fn"), notifierPolicies, topicPolicy, "sns:Publish", topic, secure, Allowed, "PublishOrderEvents"},
		{"notifier publishing insecurely is denied", session(notifierRole, "fn"), notifierPolicies, topicPolicy, "sns:Publish", topic, insecure, ExplicitDeny, "DenyInsecureTransport"},
		{"notifier cannot subscribe", session(notifierRole, "fn"), notifierPolicies, topicPolicy, "sns:Subscribe", topic, secure, ImplicitDeny, ""},
		{"notifier sends failures", session(notifierRole, "fn"), notifierPolicies, nil, "sqs:SendMessage", failures, secure, Allowed, "OnFailureDestination"},
		{"notifier cannot send orders", session(notifierRole, "fn"), notifierPolicies, queuePolicy, "sqs:SendMessage", queue, secure, ExplicitDeny, "OnlyApiSends"},
		// The artifact bucket.
		{"bucket over TLS", admin, adminPolicies, bucketPolicy, "s3:PutObject", bucket + "/ingest/abc.zip", secure, Allowed, ""},
		{"bucket over plain HTTP", admin, adminPolicies, bucketPolicy, "s3:PutObject", bucket + "/ingest/abc.zip", insecure, ExplicitDeny, "DenyInsecureTransport"},
		{"bucket itself over plain HTTP", admin, adminPolicies, bucketPolicy, "s3:ListBucket", bucket, insecure, ExplicitDeny, "DenyInsecureTransport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Evaluate(Input{
				Request:  Request{Principal: tt.principal, Action: tt.action, Resource: tt.target, Time: time.Now(), Context: tt.context},
				Identity: tt.identity, Resource: tt.resource,
			})
			if d.Outcome != tt.want {
				t.Fatalf("outcome = %s, want %s: %s / %s", d.Outcome, tt.want, d, d.Message())
			}
			if tt.sid != "" && (d.Statement == nil || d.Statement.Sid != tt.sid) {
				t.Fatalf("decided by %s, want Sid %s", d, tt.sid)
			}
		})
	}
}

func TestTrustPolicies(t *testing.T) {
	lambdaTrust := &Policy{Type: ResourceBased, Name: "trust", Document: loadPolicy(t, "trust-lambda.json", Trust)}
	apiTrust := &Policy{Type: ResourceBased, Name: "trust", Document: loadPolicy(t, "trust-apigateway.json", Trust)}
	role := "arn:aws:iam::" + acct + ":role/r"
	assume := func(service string, trust *Policy) Decision {
		return Evaluate(Input{Request: Request{Principal: Principal{Service: service}, Action: "sts:AssumeRole", Resource: role}, Resource: trust})
	}
	if !assume("lambda.amazonaws.com", lambdaTrust).Allowed() {
		t.Error("lambda cannot assume its execution role")
	}
	if assume("apigateway.amazonaws.com", lambdaTrust).Allowed() {
		t.Error("API Gateway assumed a Lambda execution role")
	}
	if !assume("apigateway.amazonaws.com", apiTrust).Allowed() {
		t.Error("API Gateway cannot assume its role")
	}
	d := Evaluate(Input{Request: Request{Principal: session("other", "s"), Action: "sts:AssumeRole", Resource: role}, Resource: lambdaTrust})
	if d.Allowed() {
		t.Error("a role session assumed a role trusting only Lambda")
	}

	// Trust policies must allow even within the account: an identity
	// allow alone is not enough, and a trust policy naming the account
	// needs the identity allow too.
	caller := session("ci", "s")
	allowAssume := []Policy{identity(t, "assume", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}
	accountTrust := &Policy{Type: ResourceBased, Name: "trust", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole"}}`, Trust)}
	roleTrust := &Policy{Type: ResourceBased, Name: "trust", Document: mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+caller.PrincipalARN+`"},"Action":"sts:AssumeRole"}}`, Trust)}
	cases := []struct {
		name     string
		identity []Policy
		trust    *Policy
		want     bool
	}{
		{"identity allow, trust names only Lambda", allowAssume, lambdaTrust, false},
		{"identity allow, trust names the account", allowAssume, accountTrust, true},
		{"no identity allow, trust names the account", nil, accountTrust, false},
		{"no identity allow, trust names the caller's role", nil, roleTrust, true},
	}
	for _, c := range cases {
		d := Evaluate(Input{Request: Request{Principal: caller, Action: "sts:AssumeRole", Resource: role}, Identity: c.identity, Resource: c.trust, ResourceMustAllow: true})
		if d.Allowed() != c.want {
			t.Errorf("%s: allowed = %v (%s)", c.name, d.Allowed(), d)
		}
	}
}
