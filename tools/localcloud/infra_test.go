package localcloud_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/orderflow/orderflow/tools/localcloud/cloudwatch"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// repoRoot walks up from the package directory to the workspace root.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.work above the package directory")
		}
		dir = parent
	}
}

// buildFunctionZip builds a function module's command for this machine
// (localcloud runs bootstrap natively) and zips it as Lambda expects.
func buildFunctionZip(t *testing.T, root, module string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, "./cmd/"+module)
	cmd.Dir = filepath.Join(root, module)
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", module, err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = w.Write(bin)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deployStack creates a stack through a change set, as the deploy code
// does, and waits (bounded) for a terminal status.
func deployStack(ctx context.Context, t *testing.T, cfn *cloudformation.Client, name string, body []byte, params map[string]string, module string) *cfntypes.Stack {
	t.Helper()
	st, _ := changeStack(ctx, t, cfn, name, cfntypes.ChangeSetTypeCreate, body, params, module)
	if st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("stack %s: %s\n%s", name, st.StackStatus, failures(ctx, cfn, name))
	}
	return st
}

// changeStack creates and executes a change set of the given type and
// returns the stack, in the status it settled in, and the change set's
// changes.
func changeStack(ctx context.Context, t *testing.T, cfn *cloudformation.Client, name string, typ cfntypes.ChangeSetType, body []byte,
	params map[string]string, module string) (*cfntypes.Stack, []cfntypes.Change) {
	t.Helper()
	in := &cloudformation.CreateChangeSetInput{StackName: aws.String(name), ChangeSetName: aws.String("deploy-" + string(typ)),
		ChangeSetType: typ, TemplateBody: aws.String(string(body)),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
		Tags:         []cfntypes.Tag{{Key: aws.String("orderflow:stage"), Value: aws.String("dev")}, {Key: aws.String("orderflow:module"), Value: aws.String(module)}}}
	for k, v := range params {
		in.Parameters = append(in.Parameters, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	cs, err := cfn.CreateChangeSet(ctx, in)
	if err != nil {
		t.Fatalf("create change set %s: %v", name, err)
	}
	var changes []cfntypes.Change
	for {
		d, err := cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == cfntypes.ChangeSetStatusFailed {
			t.Fatalf("change set %s failed: %s", name, aws.ToString(d.StatusReason))
		}
		if d.Status == cfntypes.ChangeSetStatusCreateComplete {
			changes = d.Changes
			break
		}
		sleep(ctx, t)
	}
	if _, err := cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatal(err)
	}
	for {
		out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: cs.StackId})
		if err != nil {
			t.Fatal(err)
		}
		st := out.Stacks[0]
		if !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") {
			return &st, changes
		}
		sleep(ctx, t)
	}
}

// failures lists the stack's failed events, for the test's message.
func failures(ctx context.Context, cfn *cloudformation.Client, name string) string {
	ev, err := cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range ev.StackEvents {
		if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") || e.ResourceStatusReason != nil {
			fmt.Fprintf(&b, "%s %s %s\n", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
	}
	return b.String()
}

// sleep paces a poll; the test's context bounds the whole wait.
func sleep(ctx context.Context, t *testing.T) {
	t.Helper()
	select {
	case <-ctx.Done():
		t.Fatalf("gave up waiting: %v", ctx.Err())
	case <-time.After(50 * time.Millisecond):
	}
}

func outputs(st *cfntypes.Stack) map[string]string {
	m := map[string]string{}
	for _, o := range st.Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m
}

var confirmLink = regexp.MustCompile(`https?://[^\s"'<>]+[?&]Action=ConfirmSubscription[^\s"'<>]*`)

// TestDeployInfraTemplates deploys the repository's real templates with
// the parameters the deploy code passes, checks what stands behind them,
// and sends an order through the deployed system to an e-mail.
func TestDeployInfraTemplates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the function binaries")
	}
	root := repoRoot(t)
	ingestZip, notifierZip := buildFunctionZip(t, root, "ingest"), buildFunctionZip(t, root, "notifier")
	env := localcloudtest.Start(t, localcloudtest.Options{NoFsync: true})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	cfg := env.Config()
	cfn := cloudformation.NewFromConfig(cfg)
	template := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(root, "infra-cfn", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	arch := "x86_64"
	if runtime.GOARCH == "arm64" {
		arch = "arm64"
	}

	boot := deployStack(ctx, t, cfn, "orderflow-dev-bootstrap", template("bootstrap"),
		map[string]string{"Stage": "dev", "ConfigureApiGatewayLogging": "true"}, "bootstrap")
	bucket := outputs(boot)["ArtifactBucketName"]
	if bucket == "" {
		t.Fatal("no ArtifactBucketName output")
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for key, body := range map[string][]byte{"ingest.zip": ingestZip, "notifier.zip": notifierZip} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatalf("upload %s: %v", key, err)
		}
	}
	// A deploy that fails midway (its code is not in the bucket) rolls
	// back, says why, and leaves none of its named resources behind: the
	// real deploy below reuses every one of those names.
	failed, _ := changeStack(ctx, t, cfn, "orderflow-dev-ingest", cfntypes.ChangeSetTypeCreate, template("ingest"), map[string]string{"Stage": "dev",
		"Architecture": arch, "ArtifactBucket": bucket, "IngestCodeKey": "missing.zip"}, "ingest")
	if why := failures(ctx, cfn, "orderflow-dev-ingest"); failed.StackStatus != cfntypes.StackStatusRollbackComplete ||
		!strings.Contains(why, "IngestFunction CREATE_FAILED") || !strings.Contains(why, "NoSuchKey") {
		t.Fatalf("deploy without code: %s\n%s", failed.StackStatus, why)
	}
	deleteStack(ctx, t, cfn, aws.ToString(failed.StackId))
	ingest := deployStack(ctx, t, cfn, "orderflow-dev-ingest", template("ingest"), map[string]string{"Stage": "dev",
		"Architecture": arch, "ArtifactBucket": bucket, "IngestCodeKey": "ingest.zip"}, "ingest")
	notifier := deployStack(ctx, t, cfn, "orderflow-dev-notifier", template("notifier"), map[string]string{"Stage": "dev",
		"Architecture": arch, "ArtifactBucket": bucket, "NotifierCodeKey": "notifier.zip", "NotificationEmail": "orders@example.com"}, "notifier")

	// Real resources behind the stacks.
	inst := env.Instance
	ddb := dynamodb.NewFromConfig(cfg)
	table, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(outputs(ingest)["OrdersTableName"])})
	if err != nil || table.Table.StreamSpecification == nil || table.Table.StreamSpecification.StreamViewType != ddbtypes.StreamViewTypeNewImage {
		t.Fatalf("orders table: %+v, %v", table, err)
	}
	fns := lambda.NewFromConfig(cfg)
	for _, name := range []string{outputs(ingest)["IngestFunctionName"], outputs(notifier)["NotifierFunctionName"]} {
		f, err := fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil || string(f.Configuration.Runtime) != "provided.al2023" {
			t.Fatalf("function %s: %v", name, err)
		}
		m, err := fns.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(name)})
		if err != nil || len(m.EventSourceMappings) != 1 {
			t.Fatalf("mappings of %s: %+v, %v", name, m, err)
		}
	}
	alarms, err := inst.CloudWatch().DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: "orderflow-dev-"})
	if err != nil || len(alarms.MetricAlarms) != 6 {
		t.Fatalf("alarms: %+v, %v", alarms, err)
	}
	gw := apigateway.NewFromConfig(cfg)
	apiID := strings.Split(strings.TrimPrefix(outputs(ingest)["ApiUrl"], "https://"), ".")[0]
	stage, err := gw.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("dev")})
	if err != nil || aws.ToString(stage.DeploymentId) == "" || stage.AccessLogSettings == nil {
		t.Fatalf("stage: %+v, %v", stage, err)
	}
	key, err := gw.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(outputs(ingest)["ApiKeyId"]), IncludeValue: aws.Bool(true)})
	if err != nil || aws.ToString(key.Value) == "" {
		t.Fatalf("api key: %+v, %v", key, err)
	}

	// The e-mail subscription is confirmed from its mail, as a user would.
	msgs, err := inst.Mailbox.List()
	if err != nil {
		t.Fatal(err)
	}
	confirmed := 0
	for _, m := range msgs {
		for _, link := range confirmLink.FindAllString(m.Body, -1) {
			if !strings.HasPrefix(link, env.URL) {
				t.Fatalf("confirmation link %s is not localcloud's", link)
			}
			resp, err := http.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("confirm: %s", resp.Status)
			}
			confirmed++
		}
	}
	if confirmed != 1 {
		t.Fatalf("confirmed %d subscriptions, want 1", confirmed)
	}

	// An order posted to the deployed API becomes an item and an e-mail.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/restapis/"+apiID+"/dev/_user_request_/orders",
		strings.NewReader(`{"item":"coffee beans","customerID":"c-42","quantity":2}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", aws.ToString(key.Value))
	req.Header.Set("Idempotency-Key", "order-infra-test-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(body), `"orderID":"order-infra-test-1"`) {
		t.Fatalf("POST /orders: %s %s", resp.Status, body)
	}
	for {
		got, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: table.Table.TableName,
			Key: map[string]ddbtypes.AttributeValue{"orderID": &ddbtypes.AttributeValueMemberS{Value: "order-infra-test-1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Item != nil {
			break
		}
		advance(ctx, t, env)
	}
	for {
		msgs, err := inst.Mailbox.List()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range msgs {
			found = found || strings.Contains(m.Body, "order-infra-test-1") || strings.Contains(m.Subject, "order-infra-test-1")
		}
		if found {
			break
		}
		advance(ctx, t, env)
	}

	// Deploying the same again is "no changes".
	noChange, err := cfn.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("orderflow-dev-notifier"),
		ChangeSetName: aws.String("again"), ChangeSetType: cfntypes.ChangeSetTypeUpdate, TemplateBody: aws.String(string(template("notifier"))),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}, Parameters: notifier.Parameters, Tags: notifier.Tags})
	if err != nil {
		t.Fatal(err)
	}
	for {
		d, err := cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: noChange.Id})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == cfntypes.ChangeSetStatusFailed && strings.Contains(aws.ToString(d.StatusReason), "didn't contain changes") {
			break
		}
		if d.Status != cfntypes.ChangeSetStatusCreatePending && d.Status != cfntypes.ChangeSetStatusCreateInProgress {
			t.Fatalf("same template again: %s %s %+v", d.Status, aws.ToString(d.StatusReason), d.Changes)
		}
		sleep(ctx, t)
	}

	// New code for one function changes that function only.
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("ingest-2.zip"), Body: bytes.NewReader(ingestZip)}); err != nil {
		t.Fatal(err)
	}
	updated, changes := changeStack(ctx, t, cfn, "orderflow-dev-ingest", cfntypes.ChangeSetTypeUpdate, template("ingest"), map[string]string{"Stage": "dev",
		"Architecture": arch, "ArtifactBucket": bucket, "IngestCodeKey": "ingest-2.zip"}, "ingest")
	if updated.StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("code update: %s\n%s", updated.StackStatus, failures(ctx, cfn, "orderflow-dev-ingest"))
	}
	if len(changes) != 1 || aws.ToString(changes[0].ResourceChange.LogicalResourceId) != "IngestFunction" ||
		changes[0].ResourceChange.Action != cfntypes.ChangeActionModify || changes[0].ResourceChange.Replacement != cfntypes.ReplacementFalse {
		t.Fatalf("code update changes: %+v", changes)
	}

	// Destroying the stacks leaves nothing of theirs behind.
	deleteStack(ctx, t, cfn, aws.ToString(notifier.StackId))
	deleteStack(ctx, t, cfn, aws.ToString(ingest.StackId))
	for _, name := range []string{outputs(ingest)["IngestFunctionName"], outputs(notifier)["NotifierFunctionName"]} {
		if _, err := fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err == nil {
			t.Errorf("function %s left behind", name)
		}
	}
	if m, err := fns.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{}); err != nil || len(m.EventSourceMappings) != 0 {
		t.Errorf("mappings left: %+v, %v", m, err)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table.Table.TableName}); err == nil {
		t.Error("table left behind")
	}
	if apis, err := gw.GetRestApis(ctx, &apigateway.GetRestApisInput{}); err != nil || len(apis.Items) != 0 {
		t.Errorf("REST APIs left: %+v, %v", apis, err)
	}
	if keys, err := gw.GetApiKeys(ctx, &apigateway.GetApiKeysInput{}); err != nil || len(keys.Items) != 0 {
		t.Errorf("API keys left: %+v, %v", keys, err)
	}
	if alarms, err := inst.CloudWatch().DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil || len(alarms.MetricAlarms) != 0 {
		t.Errorf("alarms left: %+v, %v", alarms, err)
	}
}

// deleteStack deletes a stack and waits (bounded) for DELETE_COMPLETE.
func deleteStack(ctx context.Context, t *testing.T, cfn *cloudformation.Client, id string) {
	t.Helper()
	if _, err := cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for {
		out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if st := out.Stacks[0]; !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") {
			if st.StackStatus != cfntypes.StackStatusDeleteComplete {
				t.Fatalf("delete %s: %s %s", id, st.StackStatus, aws.ToString(st.StackStatusReason))
			}
			return
		}
		sleep(ctx, t)
	}
}

// advance moves the manual clock past batching windows and waits a
// little, bounded by the test's context.
func advance(ctx context.Context, t *testing.T, env *localcloudtest.Env) {
	t.Helper()
	env.Clock.Advance(time.Second)
	sleep(ctx, t)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("gave up waiting for the order")
	}
}
