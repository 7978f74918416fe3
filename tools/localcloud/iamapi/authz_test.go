package iamapi_test

import (
	"bytes"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

const (
	queueARN   = "arn:aws:sqs:us-east-1:000000000000:orderflow-dev-orders"
	tableARN   = "arn:aws:dynamodb:us-east-1:000000000000:table/orderflow-dev-orders"
	apiTrust   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	sendOrders = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + queueARN + `"}]}`
)

// queuePolicy is infra-cfn/ingest.yaml's OrdersQueuePolicy for the given
// API and ingest role ARNs.
func queuePolicy(apiRole, ingestRole string) string {
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"ApiMaySend","Effect":"Allow","Principal":{"AWS":"` + apiRole + `"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `"},
 {"Sid":"IngestMayConsume","Effect":"Allow","Principal":{"AWS":"` + ingestRole + `"},"Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:ChangeMessageVisibility","sqs:GetQueueAttributes"],"Resource":"` + queueARN + `"},
 {"Sid":"OnlyApiSends","Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"` + queueARN + `","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"` + apiRole + `"}}},
 {"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"` + queueARN + `","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
}

func TestAssumeRoleAndAuthorize(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	apiRole := createRole(t, c, "orderflow-dev-ingest-ApiGatewaySqsRole-1A2B", apiTrust)
	ingestRole := createRole(t, c, "orderflow-dev-ingest-IngestFunctionRole-3C4D", lambdaTrust)
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("orderflow-dev-ingest-ApiGatewaySqsRole-1A2B"),
		PolicyName: aws.String("send-orders"), PolicyDocument: aws.String(sendOrders)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("orderflow-dev-ingest-IngestFunctionRole-3C4D"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")}); err != nil {
		t.Fatal(err)
	}

	// Trust policies: each role only for its service.
	_, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: ingestRole, Service: "apigateway.amazonaws.com", SessionName: "x"})
	var denied *iamapi.DeniedError
	if !errors.As(err, &denied) || !strings.Contains(err.Error(), "is not authorized to perform: sts:AssumeRole on resource: "+ingestRole) {
		t.Fatalf("API Gateway assumed the Lambda role: %v", err)
	}
	_, err = e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: "arn:aws:iam::000000000000:role/nope", Service: "lambda.amazonaws.com"})
	if !errors.Is(err, iamapi.ErrNoSuchRole) {
		t.Fatalf("unknown role: %v", err)
	}
	apiSess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: apiRole, Service: "apigateway.amazonaws.com", SessionName: "apigw"})
	if err != nil {
		t.Fatal(err)
	}
	cred := apiSess.Credential
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(cred.AccessKeyID) || len(cred.SecretAccessKey) != 40 || cred.SessionToken == "" {
		t.Fatalf("credential = %+v", cred)
	}
	if cred.Principal.ARN != "arn:aws:sts::000000000000:assumed-role/orderflow-dev-ingest-ApiGatewaySqsRole-1A2B/apigw" ||
		!strings.HasPrefix(cred.Principal.UserID, "AROA") || !strings.HasSuffix(cred.Principal.UserID, ":apigw") {
		t.Fatalf("principal = %+v", cred.Principal)
	}
	if d := apiSess.Expiration.Sub(e.Clock.Now()); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("expires in %v", d)
	}
	ingestSess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: ingestRole, Service: "lambda.amazonaws.com", SessionName: "orderflow-dev-ingest"})
	if err != nil {
		t.Fatal(err)
	}

	qp := queuePolicy(apiRole, ingestRole)
	secure := map[string][]string{"aws:SecureTransport": {"true"}}
	tests := []struct {
		name      string
		principal iam.Principal
		action    string
		resource  string
		policy    string
		ctx       map[string][]string
		want      policy.Outcome
		message   string
	}{
		{"API role sends", apiSess.Credential.Principal, "sqs:SendMessage", queueARN, qp, secure, policy.Allowed, ""},
		{"ingest role receives via its managed policy", ingestSess.Credential.Principal, "sqs:ReceiveMessage", queueARN, qp, secure, policy.Allowed, ""},
		{"ingest role may not send", ingestSess.Credential.Principal, "sqs:SendMessage", queueARN, qp, secure, policy.ExplicitDeny,
			"User: arn:aws:sts::000000000000:assumed-role/orderflow-dev-ingest-IngestFunctionRole-3C4D/orderflow-dev-ingest is not authorized to perform: sqs:SendMessage on resource: " + queueARN + " with an explicit deny in a resource-based policy"},
		{"ingest role cannot write the table yet", ingestSess.Credential.Principal, "dynamodb:PutItem", tableARN, "", secure, policy.ImplicitDeny,
			"User: arn:aws:sts::000000000000:assumed-role/orderflow-dev-ingest-IngestFunctionRole-3C4D/orderflow-dev-ingest is not authorized to perform: dynamodb:PutItem on resource: " + tableARN + " because no identity-based policy allows the dynamodb:PutItem action"},
		{"root is allowed", iam.RootCredential(account, "test", "test").Principal, "sqs:SendMessage", queueARN, qp, nil, policy.Allowed, ""},
		{"malformed resource policy grants nothing", ingestSess.Credential.Principal, "sqs:SendMessage", queueARN, "{", secure, policy.ImplicitDeny, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := e.IAM.Authorize(ctx, iamapi.Check{Principal: tt.principal, Action: tt.action, Resource: tt.resource, Context: tt.ctx, ResourcePolicy: tt.policy})
			if d.Outcome != tt.want {
				t.Fatalf("outcome = %s (%s), want %s", d.Outcome, d, tt.want)
			}
			if tt.message != "" && d.Message() != tt.message {
				t.Fatalf("message = %q\nwant      %q", d.Message(), tt.message)
			}
		})
	}

	// Without its inline policy, the API role may still send: the queue
	// policy names it (an allow in either policy suffices in one account).
	if _, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("orderflow-dev-ingest-ApiGatewaySqsRole-1A2B"), PolicyName: aws.String("send-orders")}); err != nil {
		t.Fatal(err)
	}
	d := e.IAM.Authorize(ctx, iamapi.Check{Principal: apiSess.Credential.Principal, Action: "sqs:SendMessage", Resource: queueARN, Context: secure, ResourcePolicy: qp})
	if !d.Allowed() || d.Statement == nil || d.Statement.Sid != "ApiMaySend" {
		t.Fatalf("API role without identity policy: %s", d)
	}
	if d := e.IAM.Authorize(ctx, iamapi.Check{Principal: apiSess.Credential.Principal, Action: "sqs:SendMessage", Resource: queueARN, Context: secure}); d.Allowed() {
		t.Fatalf("API role sent without any policy: %s", d)
	}

	// Granting PutItem takes effect on the next check (no caching of role policies).
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("orderflow-dev-ingest-IngestFunctionRole-3C4D"), PolicyName: aws.String("store"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"StoreOrders","Effect":"Allow","Action":"dynamodb:PutItem","Resource":"` + tableARN + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	d = e.IAM.Authorize(ctx, iamapi.Check{Principal: ingestSess.Credential.Principal, Action: "dynamodb:PutItem", Resource: tableARN, Context: secure})
	if !d.Allowed() || d.Statement.Sid != "StoreOrders" || d.Statement.PolicyName != "store" {
		t.Fatalf("after PutRolePolicy: %s", d)
	}
}

func TestAuthorizeLogsTheDecidingStatement(t *testing.T) {
	e := startEnv(t, "")
	var logs bytes.Buffer
	svc, err := iamapi.New(iamapi.Config{Store: e.Store, Clock: e.Clock, IDs: nil, Account: account,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	principal := iam.Principal{Account: account, ARN: "arn:aws:sts::000000000000:assumed-role/r/s"}
	d := svc.Authorize(ctx, iamapi.Check{Principal: principal, Action: "sqs:SendMessage", Resource: queueARN,
		ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Sid":"NoOne","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*"}]}`})
	if d.Outcome != policy.ExplicitDeny {
		t.Fatalf("outcome = %s", d.Outcome)
	}
	line := logs.String()
	for _, want := range []string{"iam decision", "action=sqs:SendMessage", "NoOne", "ExplicitDeny", "resource-based policy"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
}

func TestSessionCredentialsSignRequests(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	arn := createRole(t, e.client(), "fn", lambdaTrust)
	sess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: arn, Service: "lambda.amazonaws.com", SessionName: "orderflow-dev-ingest", Duration: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// An ephemeral session (what Lambda's execution environments get) works
	// like any other until localcloud restarts.
	eph, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: arn, Service: "lambda.amazonaws.com", SessionName: "orderflow-dev-notifier",
		Duration: 15 * time.Minute, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	callerAs := func(env *env, c iam.Credential, token string) (*sts.GetCallerIdentityOutput, error) {
		cfg := localcloudtest.Config(env.URL, c.AccessKeyID, c.SecretAccessKey)
		cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, token)
		return sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	}
	caller := func(env *env, token string) (*sts.GetCallerIdentityOutput, error) {
		return callerAs(env, sess.Credential, token)
	}
	if out, err := callerAs(e, eph.Credential, eph.Credential.SessionToken); err != nil || aws.ToString(out.Arn) != "arn:aws:sts::000000000000:assumed-role/fn/orderflow-dev-notifier" {
		t.Fatalf("ephemeral session: %v %v", out, err)
	}
	out, err := caller(e, sess.Credential.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != "arn:aws:sts::000000000000:assumed-role/fn/orderflow-dev-ingest" {
		t.Fatalf("caller = %s", aws.ToString(out.Arn))
	}
	if _, err := caller(e, "wrong-token"); err == nil {
		t.Fatal("a wrong session token was accepted")
	}

	// Sessions survive a restart ...
	if err := e.Store.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := startEnv(t, dir)
	if _, err := caller(e2, sess.Credential.SessionToken); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	// ... but ephemeral ones end with the process that minted them.
	_, err = callerAs(e2, eph.Credential, eph.Credential.SessionToken)
	wantCode(t, err, "InvalidClientTokenId", "")
	// ... until they expire.
	e2.Clock.Advance(16 * time.Minute)
	_, err = caller(e2, sess.Credential.SessionToken)
	wantCode(t, err, "InvalidClientTokenId", "")
	if _, ok, _ := e2.IAM.CredentialSource(nil).LookupAccessKey(ctx, sess.Credential.AccessKeyID); ok {
		t.Fatal("expired session still known")
	}
}

func TestSessionNameValidated(t *testing.T) {
	e := startEnv(t, "")
	arn := createRole(t, e.client(), "fn", lambdaTrust)
	for _, name := range []string{"a/b", "x", strings.Repeat("n", 65)} {
		if _, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: arn, Service: "lambda.amazonaws.com", SessionName: name}); err == nil {
			t.Errorf("session name %q accepted", name)
		}
	}
}

func TestSessionDurationCappedByRole(t *testing.T) {
	e := startEnv(t, "")
	arn := createRole(t, e.client(), "fn", lambdaTrust)
	sess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: arn, Service: "lambda.amazonaws.com", Duration: 12 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if d := sess.Expiration.Sub(e.Clock.Now()); d > time.Hour {
		t.Fatalf("session lasts %v, beyond the role's MaxSessionDuration", d)
	}
}

func TestBoundaryAndManagedDenyThroughAuthorize(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	boundary, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("only-sqs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	deny, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("no-purge"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Sid":"NoPurge","Effect":"Deny","Action":"sqs:PurgeQueue","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bounded"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
		PermissionsBoundary: boundary.Policy.Arn})
	if err != nil {
		t.Fatal(err)
	}
	if out.Role.PermissionsBoundary == nil || aws.ToString(out.Role.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(boundary.Policy.Arn) {
		t.Fatalf("PermissionsBoundary = %+v", out.Role.PermissionsBoundary)
	}
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("bounded"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("bounded"), PolicyArn: deny.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	sess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: aws.ToString(out.Role.Arn), Service: "lambda.amazonaws.com", SessionName: "fn"})
	if err != nil {
		t.Fatal(err)
	}
	p := sess.Credential.Principal
	if d := e.IAM.Authorize(ctx, iamapi.Check{Principal: p, Action: "sqs:SendMessage", Resource: queueARN}); !d.Allowed() {
		t.Fatalf("SendMessage inside the boundary: %s", d)
	}
	d := e.IAM.Authorize(ctx, iamapi.Check{Principal: p, Action: "dynamodb:PutItem", Resource: tableARN})
	if d.Allowed() || !strings.HasSuffix(d.Message(), "because no permissions boundary allows the dynamodb:PutItem action") {
		t.Fatalf("PutItem outside the boundary: %s / %s", d, d.Message())
	}
	d = e.IAM.Authorize(ctx, iamapi.Check{Principal: p, Action: "sqs:PurgeQueue", Resource: queueARN})
	if d.Outcome != policy.ExplicitDeny || !strings.HasSuffix(d.Message(), "with an explicit deny in an identity-based policy: "+aws.ToString(deny.Policy.Arn)) {
		t.Fatalf("PurgeQueue: %s / %s", d, d.Message())
	}
	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: boundary.Policy.Arn})
	wantCode(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
}

func BenchmarkAuthorize(b *testing.B) {
	e := startEnv(b, "")
	c := e.client()
	arn := createRole(b, c, "fn", apiTrust)
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("send"), PolicyDocument: aws.String(sendOrders)}); err != nil {
		b.Fatal(err)
	}
	sess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: arn, Service: "apigateway.amazonaws.com", SessionName: "apigw"})
	if err != nil {
		b.Fatal(err)
	}
	check := iamapi.Check{Principal: sess.Credential.Principal, Action: "sqs:SendMessage", Resource: queueARN,
		Context: map[string][]string{"aws:SecureTransport": {"true"}}, ResourcePolicy: queuePolicy(arn, "arn:aws:iam::000000000000:role/other")}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if !e.IAM.Authorize(ctx, check).Allowed() {
			b.Fatal("denied")
		}
	}
}

func TestAssumeRoleByIAMPrincipal(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	accountTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`
	target := createRole(t, c, "deployer", accountTrust)
	callerRole := createRole(t, c, "ci", lambdaTrust)
	ciSess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: callerRole, Service: "lambda.amazonaws.com", SessionName: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	caller := ciSess.Credential.Principal
	// The trust policy names the account, which delegates to the caller's
	// identity policies: none yet.
	_, err = e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: target, Caller: &caller, SessionName: "chained"})
	var denied *iamapi.DeniedError
	if !errors.As(err, &denied) || !strings.HasSuffix(err.Error(), "because no identity-based policy allows the sts:AssumeRole action") {
		t.Fatalf("assumed without an identity policy: %v", err)
	}
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("ci"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + target + `"}}`)}); err != nil {
		t.Fatal(err)
	}
	sess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: target, Caller: &caller, SessionName: "chained"})
	if err != nil {
		t.Fatal(err)
	}
	if sess.Credential.Principal.ARN != "arn:aws:sts::000000000000:assumed-role/deployer/chained" {
		t.Fatalf("principal = %s", sess.Credential.Principal.ARN)
	}
	// A trust policy that names only Lambda keeps IAM principals out even
	// with an identity allow.
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("ci"), PolicyName: aws.String("assume-any"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: callerRole, Caller: &caller, SessionName: "self"}); err == nil {
		t.Fatal("assumed a role whose trust policy names only lambda.amazonaws.com")
	}
}

// TestAuthorizeDuringUpdates runs checks while the role's policies change
// (run with -race): readers see one version or the next, never a torn one.
func TestAuthorizeDuringUpdates(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	arn := createRole(t, c, "fn", lambdaTrust)
	sess, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: arn, Service: "lambda.amazonaws.com", SessionName: "fn"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan string, 4)
	for w := 0; w < 4; w++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- ""
					return
				default:
				}
				d := e.IAM.Authorize(ctx, iamapi.Check{Principal: sess.Credential.Principal, Action: "sqs:SendMessage", Resource: queueARN})
				if d.Outcome == policy.ExplicitDeny {
					errs <- "explicit deny from a policy that never denies: " + d.String()
					return
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("send"), PolicyDocument: aws.String(sendOrders)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("send")}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for w := 0; w < 4; w++ {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

func TestRecreatedRoleDoesNotReviveSessions(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	arn := createRole(t, c, "fn", lambdaTrust)
	grant := func() {
		t.Helper()
		if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("send"), PolicyDocument: aws.String(sendOrders)}); err != nil {
			t.Fatal(err)
		}
	}
	grant()
	old, err := e.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: arn, Service: "lambda.amazonaws.com", SessionName: "fn"})
	if err != nil {
		t.Fatal(err)
	}
	check := iamapi.Check{Principal: old.Credential.Principal, Action: "sqs:SendMessage", Resource: queueARN}
	if !e.IAM.Authorize(ctx, check).Allowed() {
		t.Fatal("session denied before the role was deleted")
	}
	if _, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("send")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
	createRole(t, c, "fn", lambdaTrust)
	grant()
	if d := e.IAM.Authorize(ctx, check); d.Allowed() {
		t.Fatalf("a session of the deleted role was allowed by the new role's policy: %s", d)
	}
}
