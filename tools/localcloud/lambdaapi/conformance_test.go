package lambdaapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

// zips holds the test function's deployment packages: v1 and v2 carry the
// same bootstrap and differ in the VERSION file it reports, so a code
// update shows.
var zips = map[string][]byte{}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdaapi-fn")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Dir = filepath.Join("testdata", "fn")
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build test function: %v\n%s", err, out)
		os.Exit(1)
	}
	for _, v := range []string{"v1", "v2"} {
		if zips[v], err = zipBootstrap(bin, v); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func zipBootstrap(path, version string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if w, err = zw.Create("VERSION"); err != nil {
		return nil, err
	}
	if _, err := w.Write([]byte(version)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type env struct {
	*localcloudtest.Env
	lambda *lambda.Client
}

const trustLambda = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func start(t *testing.T, opts ...localcloudtest.Options) *env {
	t.Helper()
	e := localcloudtest.Start(t, opts...)
	return &env{Env: e, lambda: lambda.NewFromConfig(e.Config())}
}

// createRole creates a role Lambda may assume and returns its ARN.
func (e *env) createRole(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	client := awsiam.NewFromConfig(e.Config())
	out, err := client.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustLambda)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	return aws.ToString(out.Role.Arn)
}

func (e *env) create(t *testing.T, name, role string, mut ...func(*lambda.CreateFunctionInput)) *lambda.CreateFunctionOutput {
	t.Helper()
	in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zips["v1"]}}
	for _, m := range mut {
		m(in)
	}
	out, err := e.lambda.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return out
}

func (e *env) invoke(t *testing.T, in *lambda.InvokeInput) *lambda.InvokeOutput {
	t.Helper()
	out, err := e.lambda.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return out
}

func payload(action, text string) []byte {
	b, _ := json.Marshal(map[string]string{"action": action, "text": text})
	return b
}

func decode(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("payload %s: %v", b, err)
	}
	return m
}

// apiError asserts err is the AWS error code with a message containing msg.
func apiError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestFunctionLifecycle(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	role := e.createRole(t, "fn-role")

	created := e.create(t, "echo", role, func(in *lambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"GREETING": "hello"}}
		in.Tags = map[string]string{"team": "orders"}
		in.Timeout, in.MemorySize = aws.Int32(10), aws.Int32(256)
	})
	arn := "arn:aws:lambda:us-east-1:000000000000:function:echo"
	if aws.ToString(created.FunctionArn) != arn || aws.ToString(created.Version) != "$LATEST" || created.State != types.StatePending ||
		aws.ToString(created.CodeSha256) != sha(zips["v1"]) || created.CodeSize != int64(len(zips["v1"])) ||
		aws.ToString(created.RevisionId) == "" || aws.ToInt32(created.Timeout) != 10 || aws.ToInt32(created.MemorySize) != 256 ||
		len(created.Architectures) != 1 || created.Architectures[0] != types.ArchitectureX8664 {
		t.Fatalf("CreateFunction: %+v", created)
	}
	got, err := e.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Configuration.State != types.StateActive || got.Configuration.LastUpdateStatus != types.LastUpdateStatusSuccessful ||
		got.Tags["team"] != "orders" || got.Configuration.Environment.Variables["GREETING"] != "hello" ||
		aws.ToString(got.Configuration.LoggingConfig.LogGroup) != "/aws/lambda/echo" {
		t.Fatalf("GetFunction: %+v", got.Configuration)
	}

	t.Run("RequestResponse", func(t *testing.T) {
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: payload("echo", "hi")})
		if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" ||
			decode(t, out.Payload)["text"] != "hi" || out.LogResult != nil {
			t.Fatalf("%d %v %s", out.StatusCode, out.FunctionError, out.Payload)
		}
		// By ARN too.
		out = e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String(arn), Payload: payload("echo", "arn")})
		if decode(t, out.Payload)["text"] != "arn" {
			t.Fatalf("by ARN: %s", out.Payload)
		}
	})
	t.Run("FunctionError", func(t *testing.T) {
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: payload("error", "x")})
		var doc struct{ ErrorMessage, ErrorType string }
		if err := json.Unmarshal(out.Payload, &doc); err != nil {
			t.Fatal(err)
		}
		if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorMessage != "boom: x" || doc.ErrorType == "" {
			t.Fatalf("%d %v %s", out.StatusCode, out.FunctionError, out.Payload)
		}
	})
	t.Run("LogTypeTail", func(t *testing.T) {
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: payload("echo", "tail-me"), LogType: types.LogTypeTail})
		raw, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if err != nil {
			t.Fatal(err)
		}
		log := string(raw)
		if !strings.HasPrefix(log, "START RequestId: ") || !strings.Contains(log, "echoing tail-me") ||
			!strings.Contains(log, "END RequestId: ") || !strings.Contains(log, "REPORT RequestId: ") || len(raw) > 4096 {
			t.Fatalf("log tail: %q", log)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeDryRun})
		if out.StatusCode != 204 {
			t.Fatalf("DryRun: %d", out.StatusCode)
		}
	})
	t.Run("Event", func(t *testing.T) {
		engine := e.Instance.Lambda().Engine()
		before := engine.Figures("echo").Invocations
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent, Payload: payload("echo", "async")})
		if out.StatusCode != 202 {
			t.Fatalf("Event: %d", out.StatusCode)
		}
		for engine.Figures("echo").Invocations == before {
			<-engine.Changed()
		}
		// In process, as SNS delivers to a subscribed function.
		before = engine.Figures("echo").Invocations
		if err := e.Instance.Lambda().InvokeEvent(ctx, arn, payload("echo", "from sns")); err != nil {
			t.Fatal(err)
		}
		for engine.Figures("echo").Invocations == before {
			<-engine.Changed()
		}
	})
	t.Run("UpdateCode", func(t *testing.T) {
		up, err := e.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("echo"), ZipFile: zips["v2"]})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(up.CodeSha256) != sha(zips["v2"]) || aws.ToString(up.CodeSha256) == aws.ToString(created.CodeSha256) ||
			aws.ToString(up.RevisionId) == aws.ToString(created.RevisionId) {
			t.Fatalf("UpdateFunctionCode: %+v", up)
		}
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: payload("echo", "new")})
		if decode(t, out.Payload)["version"] != "v2" {
			t.Fatalf("after update: %s", out.Payload)
		}
	})
	t.Run("UpdateConfiguration", func(t *testing.T) {
		up, err := e.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"),
			Environment: &types.Environment{Variables: map[string]string{"GREETING": "bonjour"}}, Description: aws.String("says hi")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(up.Description) != "says hi" || aws.ToInt32(up.Timeout) != 10 {
			t.Fatalf("UpdateFunctionConfiguration: %+v", up)
		}
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: payload("env", "")})
		if decode(t, out.Payload)["GREETING"] != "bonjour" {
			t.Fatalf("env after update: %s", out.Payload)
		}
	})
	t.Run("Versions and aliases", func(t *testing.T) {
		v, err := e.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("echo")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(v.Version) != "1" || aws.ToString(v.FunctionArn) != arn+":1" {
			t.Fatalf("PublishVersion: %+v", v)
		}
		if _, err := e.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
			t.Fatal(err)
		}
		_, err = e.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("echo"), ZipFile: zips["v1"]})
		if err != nil {
			t.Fatal(err)
		}
		out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("live"), Payload: payload("echo", "")})
		if aws.ToString(out.ExecutedVersion) != "1" || decode(t, out.Payload)["version"] != "v2" {
			t.Fatalf("alias invoke: %v %s", aws.ToString(out.ExecutedVersion), out.Payload)
		}
		vs, err := e.lambda.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("echo")})
		if err != nil || len(vs.Versions) != 2 || aws.ToString(vs.Versions[1].Version) != "1" {
			t.Fatalf("ListVersionsByFunction: %v %+v", err, vs)
		}
		as, err := e.lambda.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("echo")})
		if err != nil || len(as.Aliases) != 1 || aws.ToString(as.Aliases[0].AliasArn) != arn+":live" {
			t.Fatalf("ListAliases: %v %+v", err, as)
		}
	})
	t.Run("Permissions", func(t *testing.T) {
		topic := "arn:aws:sns:us-east-1:000000000000:order-events"
		add, err := e.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("sns"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com"), SourceArn: aws.String(topic)})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"Sid":"sns","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + arn +
			`","Condition":{"ArnLike":{"AWS:SourceArn":"` + topic + `"}}}`
		if aws.ToString(add.Statement) != want {
			t.Fatalf("AddPermission statement:\n got %s\nwant %s", aws.ToString(add.Statement), want)
		}
		pol, err := e.lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("echo")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(pol.Policy) != `{"Version":"2012-10-17","Id":"default","Statement":[`+want+`]}` {
			t.Fatalf("GetPolicy: %s", aws.ToString(pol.Policy))
		}
		_, err = e.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("sns"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")})
		apiError(t, err, "ResourceConflictException", "The statement id (sns) provided already exists")
		if _, err := e.lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("sns")}); err != nil {
			t.Fatal(err)
		}
		_, err = e.lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("echo")})
		apiError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
		_, err = e.lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("sns")})
		apiError(t, err, "ResourceNotFoundException", "Statement sns is not found in resource policy.")
	})
	t.Run("ReservedConcurrency", func(t *testing.T) {
		if _, err := e.lambda.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("echo"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
			t.Fatal(err)
		}
		c, err := e.lambda.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("echo")})
		if err != nil || aws.ToInt32(c.ReservedConcurrentExecutions) != 0 || c.ReservedConcurrentExecutions == nil {
			t.Fatalf("GetFunctionConcurrency: %v %+v", err, c)
		}
		_, err = e.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: payload("echo", "")})
		var tooMany *types.TooManyRequestsException
		if !errors.As(err, &tooMany) {
			t.Fatalf("invoke at reserved concurrency 0: %v", err)
		}
		if _, err := e.lambda.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("echo")}); err != nil {
			t.Fatal(err)
		}
		e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: payload("echo", "")})
	})
	t.Run("Tags", func(t *testing.T) {
		if _, err := e.lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.lambda.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
			t.Fatal(err)
		}
		tags, err := e.lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
		if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "dev" {
			t.Fatalf("ListTags: %v %v", err, tags)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if _, err := e.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("echo")}); err != nil {
			t.Fatal(err)
		}
		_, err := e.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo")})
		apiError(t, err, "ResourceNotFoundException", "Function not found: "+arn)
	})
}

// The function calls localcloud back with its role's session credentials.
func TestRoleCredentials(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "whoami-role")
	e.create(t, "whoami", role)
	out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("whoami"), Payload: payload("whoami", "")})
	if out.FunctionError != nil {
		t.Fatalf("whoami failed: %s", out.Payload)
	}
	if got := decode(t, out.Payload)["arn"]; got != "arn:aws:sts::000000000000:assumed-role/whoami-role/whoami" {
		t.Fatalf("caller identity: %s", got)
	}
}

// A role session without lambda:InvokeFunction is refused; a resource
// policy statement naming the role lets it in.
func TestInvokeAuthorization(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	role := e.createRole(t, "caller-role")
	e.create(t, "guarded", role)
	sess, err := e.Instance.IAM().AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: role, Service: "lambda.amazonaws.com", SessionName: "caller"})
	if err != nil {
		t.Fatal(err)
	}
	c := sess.Credential
	caller := lambda.NewFromConfig(localcloudtest.Config(e.URL, c.AccessKeyID, c.SecretAccessKey), func(o *lambda.Options) {
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
		})
	})
	_, err = caller.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("guarded")})
	apiError(t, err, "AccessDeniedException", "is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:guarded")
	if _, err := e.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("guarded"), StatementId: aws.String("caller"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("guarded"), Payload: payload("echo", "")}); err != nil {
		t.Fatalf("invoke allowed by the resource policy: %v", err)
	}

	// Allowed every Lambda action but not iam:PassRole, the role cannot
	// hand a role to a new function.
	if _, err := awsiam.NewFromConfig(e.Config()).PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("caller-role"),
		PolicyName: aws.String("lambda"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = caller.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("passed"), Runtime: types.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zips["v1"]}})
	apiError(t, err, "AccessDeniedException", "is not authorized to perform: iam:PassRole on resource: "+role)
}

func TestErrors(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	role := e.createRole(t, "err-role")
	e.create(t, "exists", role)
	cases := []struct {
		name     string
		mut      func(*lambda.CreateFunctionInput)
		code     string
		contains string
	}{
		{"already exists", func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("exists") }, "ResourceConflictException", "Function already exist: exists"},
		{"unsupported runtime", func(in *lambda.CreateFunctionInput) { in.Runtime = types.RuntimePython312 }, "InvalidParameterValueException", "python3.12"},
		{"timeout zero", func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(0) }, "ValidationException", "Member must have value greater than or equal to 1"},
		{"timeout too long", func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(901) }, "ValidationException", "Member must have value less than or equal to 900"},
		{"memory too small", func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(64) }, "ValidationException", "memorySize"},
		{"missing role", func(in *lambda.CreateFunctionInput) {
			in.Role = aws.String("arn:aws:iam::000000000000:role/nobody")
		}, "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."},
		{"not a zip", func(in *lambda.CreateFunctionInput) { in.Code = &types.FunctionCode{ZipFile: []byte("nope")} }, "InvalidParameterValueException", ""},
		{"environment over 4 KB", func(in *lambda.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 4100)}}
		}, "InvalidParameterValueException", "exceeded the 4KB limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &lambda.CreateFunctionInput{FunctionName: aws.String("bad"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
				Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zips["v1"]}}
			tc.mut(in)
			_, err := e.lambda.CreateFunction(ctx, in)
			apiError(t, err, tc.code, tc.contains)
		})
	}
	_, err := e.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
	apiError(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
	_, err = e.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("exists"), Qualifier: aws.String("7")})
	apiError(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:exists:7")
	_, err = e.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("exists"), Payload: []byte("not json")})
	apiError(t, err, "InvalidRequestContentException", "Could not parse request body into json")
	_, err = e.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("exists"), Payload: []byte(`"` + strings.Repeat("x", 6*1024*1024) + `"`)})
	apiError(t, err, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
}

func TestListFunctionsPagination(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "list-role")
	for _, n := range []string{"c", "a", "b"} {
		e.create(t, n, role)
	}
	var names []string
	p := lambda.NewListFunctionsPaginator(e.lambda, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range out.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if pages != 2 || strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("%d pages: %v", pages, names)
	}
}

// Functions survive a restart: definitions come from the store, code from
// the data directory.
func TestRestart(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "restart-role")
	e.create(t, "durable", role, func(in *lambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"GREETING": "again"}}
		in.Publish = true
	})
	ctx := context.Background()
	if _, err := e.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("durable"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.lambda.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("durable"), ReservedConcurrentExecutions: aws.Int32(5)}); err != nil {
		t.Fatal(err)
	}
	dir := e.DataDir
	e.Stop()
	e2 := start(t, localcloudtest.Options{DataDir: dir})
	out := e2.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("durable"), Payload: payload("env", "")})
	if out.FunctionError != nil || decode(t, out.Payload)["GREETING"] != "again" {
		t.Fatalf("after restart: %v %s", out.FunctionError, out.Payload)
	}
	got, err := e2.lambda.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("durable")})
	if err != nil || aws.ToString(got.CodeSha256) != sha(zips["v1"]) {
		t.Fatalf("configuration after restart: %v %+v", err, got)
	}
	out = e2.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("durable"), Qualifier: aws.String("live"), Payload: payload("echo", "")})
	if aws.ToString(out.ExecutedVersion) != "1" {
		t.Fatalf("alias after restart: %v %s", aws.ToString(out.ExecutedVersion), out.Payload)
	}
	c, err := e2.lambda.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("durable")})
	if err != nil || aws.ToInt32(c.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("reserved concurrency after restart: %v %+v", err, c)
	}
}

// Event source mapping CRUD goes through the Lambda API to the esm
// engine, and an SQS mapping feeds the function.
func TestEventSourceMappings(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	role := e.createRole(t, "esm-role")
	e.create(t, "consumer", role)
	q, err := sqs.NewFromConfig(e.Config()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	queueARN := "arn:aws:sqs:us-east-1:000000000000:orders"

	_, err = e.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("missing"), EventSourceArn: aws.String(queueARN)})
	apiError(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing")

	// The mapping polls with the function's role: a role that may receive but not
	// delete is refused, as Lambda does, naming the missing call.
	receiveOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:GetQueueAttributes"],"Resource":"` + queueARN + `"}]}`
	iamc := awsiam.NewFromConfig(e.Config())
	if _, err := iamc.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("esm-role"), PolicyName: aws.String("poll"), PolicyDocument: aws.String(receiveOnly)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String(queueARN)})
	apiError(t, err, "InvalidParameterValueException", "The provided execution role does not have permissions to call DeleteMessage on SQS")
	pollQueue := strings.Replace(receiveOnly, `"sqs:GetQueueAttributes"`, `"sqs:GetQueueAttributes","sqs:DeleteMessage"`, 1)
	if _, err := iamc.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("esm-role"), PolicyName: aws.String("poll"), PolicyDocument: aws.String(pollQueue)}); err != nil {
		t.Fatal(err)
	}

	created, err := e.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"),
		EventSourceArn: aws.String(queueARN), BatchSize: aws.Int32(5), FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}})
	if err != nil {
		t.Fatal(err)
	}
	uuid := aws.ToString(created.UUID)
	if uuid == "" || aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:consumer" ||
		aws.ToInt32(created.BatchSize) != 5 || created.LastModified == nil || created.LastModified.IsZero() {
		t.Fatalf("CreateEventSourceMapping: %+v", created)
	}
	got, err := e.lambda.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToString(got.EventSourceArn) != queueARN {
		t.Fatalf("GetEventSourceMapping: %v %+v", err, got)
	}
	list, err := e.lambda.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("consumer")})
	if err != nil || len(list.EventSourceMappings) != 1 || aws.ToString(list.EventSourceMappings[0].UUID) != uuid {
		t.Fatalf("ListEventSourceMappings: %v %+v", err, list)
	}

	engine := e.Instance.Lambda().Engine()
	if _, err := sqs.NewFromConfig(e.Config()).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(`{"order":1}`)}); err != nil {
		t.Fatal(err)
	}
	for engine.Figures("consumer").Invocations == 0 {
		<-engine.Changed()
	}

	up, err := e.lambda.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), BatchSize: aws.Int32(7)})
	if err != nil || aws.ToInt32(up.BatchSize) != 7 {
		t.Fatalf("UpdateEventSourceMapping: %v %+v", err, up)
	}
	del, err := e.lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("DeleteEventSourceMapping: %v %+v", err, del)
	}
	_, err = e.lambda.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	apiError(t, err, "ResourceNotFoundException", "")
}

// An Event invocation that keeps failing runs three times (two retries,
// driven by the service clock) and is then dropped.
func TestEventRetries(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "retry-role")
	e.create(t, "flaky", role)
	events, engine := e.Instance.AsyncEvents(), e.Instance.Lambda().Engine()
	out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("flaky"), InvocationType: types.InvocationTypeEvent, Payload: payload("error", "again")})
	if out.StatusCode != 202 {
		t.Fatalf("Event: %d", out.StatusCode)
	}
	for {
		changed := events.Changed()
		if _, dropped := events.Counts(); dropped == 1 {
			break
		}
		select {
		case <-changed:
		case <-time.After(20 * time.Millisecond):
			// Not a deadline: while the event waits for its retry, move
			// the service clock on (retries wait 1 and 2 minutes).
			e.Clock.Advance(time.Minute)
		}
	}
	if f := engine.Figures("flaky"); f.Invocations != 3 || f.Errors != 3 {
		t.Fatalf("attempts: %+v", f)
	}
}

// A function's output lands in the group its LoggingConfig names.
func TestLoggingConfigLogGroup(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "log-role")
	e.create(t, "logger", role, func(in *lambda.CreateFunctionInput) {
		in.LoggingConfig = &types.LoggingConfig{LogGroup: aws.String("/orderflow/dev/logger")}
	})
	e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("logger"), Payload: payload("echo", "routed")})
	found := errors.New("found")
	err := e.Instance.Logs().Follow(context.Background(), "/orderflow/dev/logger", "routed", 0, func(ev logs.FilteredLogEvent) error {
		if strings.Contains(ev.Message, "echoing routed") {
			return found
		}
		return nil
	})
	if !errors.Is(err, found) {
		t.Fatalf("follow: %v", err)
	}
}

// CreateFunction and UpdateFunctionCode take code from the instance's S3,
// as CloudFormation templates give it.
func TestCodeFromS3(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	role := e.createRole(t, "s3code-role")
	objects := e.Instance.S3()
	if err := objects.CreateBucket(ctx, "artifacts"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v1", "v2"} {
		if _, err := objects.PutObject(ctx, "artifacts", "fn-"+v+".zip", bytes.NewReader(zips[v]), "application/zip"); err != nil {
			t.Fatal(err)
		}
	}
	created := e.create(t, "from-s3", role, func(in *lambda.CreateFunctionInput) {
		in.Code = &types.FunctionCode{S3Bucket: aws.String("artifacts"), S3Key: aws.String("fn-v1.zip")}
	})
	if aws.ToString(created.CodeSha256) != sha(zips["v1"]) {
		t.Fatalf("CreateFunction from S3: %+v", created)
	}
	if _, err := e.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("from-s3"),
		S3Bucket: aws.String("artifacts"), S3Key: aws.String("fn-v2.zip")}); err != nil {
		t.Fatal(err)
	}
	out := e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("from-s3"), Payload: payload("echo", "")})
	if decode(t, out.Payload)["version"] != "v2" {
		t.Fatalf("after UpdateFunctionCode from S3: %s", out.Payload)
	}
	_, err := e.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("from-s3"),
		S3Bucket: aws.String("nope"), S3Key: aws.String("fn.zip")})
	apiError(t, err, "InvalidParameterValueException", "Error occurred while GetObject. S3 Error Code: NoSuchBucket.")
}

// Concurrent invocations with LogType Tail each get their own lines.
func TestTailConcurrent(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "tail-role")
	e.create(t, "tails", role)
	texts := []string{"alpha", "bravo", "charlie"}
	tails := make([]string, len(texts))
	errs := make([]error, len(texts))
	var wg sync.WaitGroup
	for i, text := range texts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := e.lambda.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("tails"),
				Payload: payload("echo", text), LogType: types.LogTypeTail})
			if err != nil {
				errs[i] = err
				return
			}
			raw, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
			tails[i], errs[i] = string(raw), err
		}()
	}
	wg.Wait()
	for i, text := range texts {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if strings.Count(tails[i], "echoing ") != 1 || !strings.Contains(tails[i], "echoing "+text) || strings.Count(tails[i], "REPORT RequestId") != 1 {
			t.Fatalf("tail of %s: %q", text, tails[i])
		}
	}
}
