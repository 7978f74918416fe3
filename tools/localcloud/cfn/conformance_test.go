package cfn_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/cfn"
	"github.com/orderflow/orderflow/tools/localcloud/cfn/provision"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/mail"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
	"github.com/orderflow/orderflow/tools/localcloud/sns"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

type env struct {
	cf     *cloudformation.Client
	svc    *cfn.Service
	queues *sqs.Service
	topics *sns.Service
	groups *logs.Service
	tables *dynamodb.Service
	iam    *iamapi.Service
	store  *store.Bolt
	url    string
	reg    *provision.Registry
	stop   func()
}

type envOptions struct {
	dir string
	// templates serves TemplateURL bodies.
	templates cfn.TemplateFetcher
	// extra registers test-only resource types.
	extra []provision.Spec
}

// start serves SQS, SNS, CloudWatch Logs and CloudFormation behind the
// real front door on an httptest server.
func start(t testing.TB, opts envOptions) *env {
	t.Helper()
	if opts.dir == "" {
		opts.dir = t.TempDir()
	}
	st, err := store.Open(opts.dir, store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	idSource := ids.New(rand.NewChaCha8([32]byte{byte(time.Now().UnixNano())}))
	creds := iam.NewStaticCredentials(iam.RootCredential("000000000000", "test", "test"))
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: creds, Region: "us-east-1", Clock: clock.Real{}},
		IDs:      idSource,
	})
	hs := httptest.NewUnstartedServer(srv)
	url := "http://" + hs.Listener.Addr().String()
	queues, err := sqs.New(sqs.Config{Store: st, Clock: clk, IDs: idSource, Account: "000000000000", Region: "us-east-1", PublicURL: url})
	if err != nil {
		t.Fatal(err)
	}
	mailbox, err := mail.Open(filepath.Join(opts.dir, "mail"))
	if err != nil {
		t.Fatal(err)
	}
	topics, err := sns.New(sns.Config{Store: st, Clock: clk, IDs: idSource, Account: "000000000000", Region: "us-east-1",
		Queues: queues, Mailbox: mailbox, PublicURL: url})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := logs.New(logs.Config{Store: st, Clock: clk, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := dynamodb.New(dynamodb.Config{Store: st, Clock: clk, IDs: idSource, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	identity, err := iamapi.New(iamapi.Config{Store: st, Clock: clk, IDs: idSource, Account: "000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	reg := provision.Defaults(provision.Services{Queues: queues, Topics: topics, LogGroups: groups, Tables: tables, Identity: identity})
	for _, s := range opts.extra {
		reg.Register(s)
	}
	svc, err := cfn.New(cfn.Config{Store: st, Clock: clk, IDs: idSource, Account: "000000000000", Region: "us-east-1",
		Registry: reg, PublicURL: url, Parallelism: 3, Templates: opts.templates})
	if err != nil {
		t.Fatal(err)
	}
	srv.Register(queues.Descriptor())
	srv.Register(topics.Descriptor())
	srv.Register(groups.Descriptor())
	srv.Register(tables.Descriptor())
	srv.Register(identity.Descriptor())
	srv.Register(svc.Descriptor())
	hs.Start()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		hs.Close()
		svc.Close()
		topics.Close()
		groups.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(stop)
	return &env{cf: cloudformation.NewFromConfig(localcloudtest.Config(url, "test", "test")), svc: svc, queues: queues,
		topics: topics, groups: groups, tables: tables, iam: identity, store: st, url: url, reg: reg, stop: stop}
}

func wantAPIError(t *testing.T, err error, code, msgPart string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msgPart) {
		t.Fatalf("error = %s: %s, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msgPart)
	}
}

// waitChangeSet polls until the change set is computed (bounded).
func (e *env) waitChangeSet(t *testing.T, stack, id string) *cloudformation.DescribeChangeSetOutput {
	t.Helper()
	for range 2000 {
		out, err := e.cf.DescribeChangeSet(context.Background(), &cloudformation.DescribeChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status == types.ChangeSetStatusCreateComplete || out.Status == types.ChangeSetStatusFailed {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("change set %s never settled", id)
	return nil
}

// waitStack polls until the stack settles (bounded) and returns it.
func (e *env) waitStack(t *testing.T, stack string) types.Stack {
	t.Helper()
	for range 4000 {
		out, err := e.cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatal(err)
		}
		s := out.Stacks[0]
		if !strings.HasSuffix(string(s.StackStatus), "_IN_PROGRESS") || s.StackStatus == types.StackStatusReviewInProgress {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("stack %s never settled", stack)
	return types.Stack{}
}

func (e *env) changeSet(t *testing.T, stack, body string, csType types.ChangeSetType, params map[string]string) *cloudformation.DescribeChangeSetOutput {
	t.Helper()
	in := &cloudformation.CreateChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String("cs" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "")),
		ChangeSetType: csType, TemplateBody: aws.String(body)}
	for k, v := range params {
		in.Parameters = append(in.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	out, err := e.cf.CreateChangeSet(context.Background(), in)
	if err != nil {
		t.Fatalf("create change set: %v", err)
	}
	if !strings.HasPrefix(aws.ToString(out.Id), "arn:aws:cloudformation:us-east-1:000000000000:changeSet/") ||
		!strings.HasPrefix(aws.ToString(out.StackId), "arn:aws:cloudformation:us-east-1:000000000000:stack/"+stack+"/") {
		t.Fatalf("ids = %s %s", aws.ToString(out.Id), aws.ToString(out.StackId))
	}
	return e.waitChangeSet(t, stack, aws.ToString(out.Id))
}

// deploy creates and executes a change set and waits for the stack.
func (e *env) deploy(t *testing.T, stack, body string, csType types.ChangeSetType, params map[string]string) (*cloudformation.DescribeChangeSetOutput, types.Stack) {
	t.Helper()
	cs := e.changeSet(t, stack, body, csType, params)
	if cs.Status != types.ChangeSetStatusCreateComplete {
		t.Fatalf("change set %s: %s", cs.Status, aws.ToString(cs.StatusReason))
	}
	if _, err := e.cf.ExecuteChangeSet(context.Background(), &cloudformation.ExecuteChangeSetInput{StackName: aws.String(stack), ChangeSetName: cs.ChangeSetId}); err != nil {
		t.Fatalf("execute: %v", err)
	}
	return cs, e.waitStack(t, stack)
}

func (e *env) events(t *testing.T, stack string) []types.StackEvent {
	t.Helper()
	out, err := e.cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	return out.StackEvents
}

// stackReason returns the reason of the newest stack-level event with the
// given status (AWS keeps the rollback reason on the *_ROLLBACK_IN_PROGRESS
// event; the final status has none).
func (e *env) stackReason(t *testing.T, stack string, status types.ResourceStatus) string {
	t.Helper()
	for _, ev := range e.events(t, stack) {
		if ev.ResourceType != nil && *ev.ResourceType == "AWS::CloudFormation::Stack" && ev.ResourceStatus == status {
			return aws.ToString(ev.ResourceStatusReason)
		}
	}
	return ""
}

func outputsOf(s types.Stack) map[string]string {
	m := map[string]string{}
	for _, o := range s.Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m
}

func (e *env) queueAttrs(t *testing.T, url string) map[string]string {
	t.Helper()
	out, err := e.queues.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueURL: url, AttributeNames: []string{"All"}})
	if err != nil {
		t.Fatalf("queue %s: %v", url, err)
	}
	return out.Attributes
}

func (e *env) queueExists(url string) bool {
	_, err := e.queues.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueURL: url, AttributeNames: []string{"QueueArn"}})
	return err == nil
}

func (e *env) logGroupExists(t *testing.T, name string) bool {
	t.Helper()
	out, err := e.groups.DescribeLogGroups(context.Background(), &logs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.LogGroups {
		if g.LogGroupName == name {
			return true
		}
	}
	return false
}

const appTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Description: cfn conformance app
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Visibility: {Type: Number, Default: 30}
  GroupSuffix: {Type: String, Default: a}
Resources:
  DLQ:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "app-${Stage}-orders"
      VisibilityTimeout: !Ref Visibility
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DLQ.Arn
        maxReceiveCount: 5
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition:
              ArnEquals: {aws:SourceArn: !Ref Topic}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: app events
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      RawMessageDelivery: true
  Logs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Delete
    Properties:
      LogGroupName: !Sub "/app/${Stage}-${GroupSuffix}"
      RetentionInDays: 7
Outputs:
  QueueUrl:
    Value: !Ref Queue
  QueueArn:
    Value: !GetAtt Queue.Arn
    Export:
      Name: !Sub "app-${Stage}-queue-arn"
  TopicArn:
    Value: !Ref Topic
`

func TestChangeSetLifecycle(t *testing.T) {
	e := start(t, envOptions{})
	ctx := context.Background()

	cs := e.changeSet(t, "app", appTemplate, types.ChangeSetTypeCreate, nil)
	if cs.Status != types.ChangeSetStatusCreateComplete || cs.ExecutionStatus != types.ExecutionStatusAvailable {
		t.Fatalf("change set = %s/%s %s", cs.Status, cs.ExecutionStatus, aws.ToString(cs.StatusReason))
	}
	if len(cs.Changes) != 6 {
		t.Fatalf("changes = %d, want 6", len(cs.Changes))
	}
	for _, c := range cs.Changes {
		if c.Type != types.ChangeTypeResource || c.ResourceChange.Action != types.ChangeActionAdd {
			t.Errorf("change %+v, want Resource Add", c.ResourceChange)
		}
	}
	got, err := e.cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Stacks[0].StackStatus != types.StackStatusReviewInProgress {
		t.Fatalf("status before execute = %s, want REVIEW_IN_PROGRESS", got.Stacks[0].StackStatus)
	}
	list, err := e.cf.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String("app")})
	if err != nil || len(list.Summaries) != 1 {
		t.Fatalf("list change sets = %v, %v", list, err)
	}
	tplOut, err := e.cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("app"), ChangeSetName: cs.ChangeSetId})
	if err != nil || aws.ToString(tplOut.TemplateBody) != appTemplate {
		t.Fatalf("GetTemplate(change set) = %v", err)
	}

	if _, err := e.cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.ChangeSetId}); err != nil {
		t.Fatal(err)
	}
	stack := e.waitStack(t, "app")
	if stack.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("status = %s (%s)", stack.StackStatus, aws.ToString(stack.StackStatusReason))
	}
	out := outputsOf(stack)
	if out["QueueUrl"] != e.url+"/000000000000/app-dev-orders" || out["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:app-dev-orders" ||
		!strings.HasPrefix(out["TopicArn"], "arn:aws:sns:us-east-1:000000000000:app-Topic-") {
		t.Fatalf("outputs = %v", out)
	}
	if aws.ToString(stack.Description) != "cfn conformance app" || len(stack.Parameters) != 3 {
		t.Errorf("stack = %+v", stack)
	}
	attrs := e.queueAttrs(t, out["QueueUrl"])
	if attrs["VisibilityTimeout"] != "30" || !strings.Contains(attrs["RedrivePolicy"], ":app-DLQ-") || !strings.Contains(attrs["Policy"], "sns.amazonaws.com") {
		t.Fatalf("queue attributes = %v", attrs)
	}
	if !e.logGroupExists(t, "/app/dev-a") {
		t.Fatal("log group /app/dev-a missing")
	}

	// Events: newest first, the stack's final event on top, and one
	// CREATE_COMPLETE per resource.
	evs := e.events(t, "app")
	if aws.ToString(evs[0].LogicalResourceId) != "app" || evs[0].ResourceStatus != types.ResourceStatusCreateComplete {
		t.Fatalf("newest event = %s %s", aws.ToString(evs[0].LogicalResourceId), evs[0].ResourceStatus)
	}
	last := evs[len(evs)-1]
	if last.ResourceStatus != types.ResourceStatus("REVIEW_IN_PROGRESS") {
		t.Fatalf("oldest event = %s", last.ResourceStatus)
	}
	completed := map[string]bool{}
	for _, ev := range evs {
		if ev.ResourceStatus == types.ResourceStatusCreateComplete && aws.ToString(ev.LogicalResourceId) != "app" {
			completed[aws.ToString(ev.LogicalResourceId)] = true
		}
	}
	if len(completed) != 6 {
		t.Fatalf("completed resources = %v", completed)
	}

	res, err := e.cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String("app")})
	if err != nil || len(res.StackResources) != 6 {
		t.Fatalf("resources = %v, %v", res, err)
	}
	one, err := e.cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("app"), LogicalResourceId: aws.String("Queue")})
	if err != nil || aws.ToString(one.StackResourceDetail.PhysicalResourceId) != out["QueueUrl"] {
		t.Fatalf("DescribeStackResource = %v, %v", one, err)
	}
	summ, err := e.cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("app")})
	if err != nil || len(summ.StackResourceSummaries) != 6 {
		t.Fatalf("ListStackResources = %v, %v", summ, err)
	}
	exports, err := e.cf.ListExports(ctx, &cloudformation.ListExportsInput{})
	if err != nil || len(exports.Exports) != 1 || aws.ToString(exports.Exports[0].Name) != "app-dev-queue-arn" {
		t.Fatalf("exports = %v, %v", exports, err)
	}

	// The same template and parameters: no changes, as AWS says it.
	noop := e.changeSet(t, "app", appTemplate, types.ChangeSetTypeUpdate, nil)
	if noop.Status != types.ChangeSetStatusFailed || noop.ExecutionStatus != types.ExecutionStatusUnavailable ||
		aws.ToString(noop.StatusReason) != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Fatalf("no-op change set = %s/%s %q", noop.Status, noop.ExecutionStatus, aws.ToString(noop.StatusReason))
	}
	_, err = e.cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: noop.ChangeSetId})
	wantAPIError(t, err, "InvalidChangeSetStatus", "cannot be executed")
	if _, err := e.cf.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: noop.ChangeSetId}); err != nil {
		t.Fatal(err)
	}
	_, err = e.cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: noop.ChangeSetId})
	wantAPIError(t, err, "ChangeSetNotFound", "does not exist")

	// In place: the visibility timeout changes on the same queue.
	cs, stack = e.deploy(t, "app", appTemplate, types.ChangeSetTypeUpdate, map[string]string{"Visibility": "45"})
	if len(cs.Changes) != 1 || aws.ToString(cs.Changes[0].ResourceChange.LogicalResourceId) != "Queue" ||
		cs.Changes[0].ResourceChange.Replacement != types.ReplacementFalse || cs.Changes[0].ResourceChange.Action != types.ChangeActionModify {
		t.Fatalf("in-place change set = %+v", cs.Changes)
	}
	if d := cs.Changes[0].ResourceChange.Details; len(d) != 1 || aws.ToString(d[0].Target.Name) != "VisibilityTimeout" ||
		d[0].Target.RequiresRecreation != types.RequiresRecreationNever {
		t.Fatalf("details = %+v", d)
	}
	if stack.StackStatus != types.StackStatusUpdateComplete || outputsOf(stack)["QueueUrl"] != out["QueueUrl"] {
		t.Fatalf("after in-place update: %s %v", stack.StackStatus, outputsOf(stack))
	}
	if v := e.queueAttrs(t, out["QueueUrl"])["VisibilityTimeout"]; v != "45" {
		t.Fatalf("VisibilityTimeout = %s, want 45", v)
	}

	// Replacement: a new log group name creates the new group, then
	// deletes the old one in the cleanup phase.
	cs, stack = e.deploy(t, "app", appTemplate, types.ChangeSetTypeUpdate, map[string]string{"Visibility": "45", "GroupSuffix": "b"})
	if len(cs.Changes) != 1 || cs.Changes[0].ResourceChange.Replacement != types.ReplacementTrue ||
		cs.Changes[0].ResourceChange.Details[0].Target.RequiresRecreation != types.RequiresRecreationAlways {
		t.Fatalf("replacement change set = %+v", cs.Changes[0].ResourceChange)
	}
	if stack.StackStatus != types.StackStatusUpdateComplete {
		t.Fatalf("after replacement: %s %s", stack.StackStatus, aws.ToString(stack.StackStatusReason))
	}
	if !e.logGroupExists(t, "/app/dev-b") || e.logGroupExists(t, "/app/dev-a") {
		t.Fatal("replacement should leave /app/dev-b and remove /app/dev-a")
	}
	sawCleanup := false
	for _, ev := range e.events(t, "app") {
		if ev.ResourceStatus == types.ResourceStatus("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") {
			sawCleanup = true
		}
	}
	if !sawCleanup {
		t.Error("no UPDATE_COMPLETE_CLEANUP_IN_PROGRESS event")
	}

	// A replacement of a custom-named resource is refused, as in AWS, and
	// the update rolls back.
	named := strings.Replace(appTemplate, `QueueName: !Sub "app-${Stage}-orders"`, "QueueName: !Sub \"app-${Stage}-orders\"\n      FifoQueue: false", 1)
	_, stack = e.deploy(t, "app", named, types.ChangeSetTypeUpdate, map[string]string{"Visibility": "45", "GroupSuffix": "b"})
	if stack.StackStatus != types.StackStatusUpdateRollbackComplete {
		t.Fatalf("custom-named replacement: %s", stack.StackStatus)
	}
	found := false
	for _, ev := range e.events(t, "app") {
		if strings.Contains(aws.ToString(ev.ResourceStatusReason), "custom-named resource requires replacing") {
			found = true
		}
	}
	if !found {
		t.Error("no event explains the custom-named replacement")
	}

	// Delete: everything goes; the stack is still described by ID.
	stackID := aws.ToString(stack.StackId)
	if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	final := e.waitStack(t, stackID)
	if final.StackStatus != types.StackStatusDeleteComplete {
		t.Fatalf("after delete: %s %s", final.StackStatus, aws.ToString(final.StackStatusReason))
	}
	if e.queueExists(out["QueueUrl"]) || e.logGroupExists(t, "/app/dev-b") {
		t.Fatal("resources left behind after delete")
	}
	_, err = e.cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")})
	wantAPIError(t, err, "ValidationError", "Stack with id app does not exist")
	if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatalf("deleting a deleted stack: %v", err)
	}
	all, err := e.cf.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []types.StackStatus{types.StackStatusDeleteComplete}})
	if err != nil || len(all.StackSummaries) != 1 {
		t.Fatalf("ListStacks = %v, %v", all, err)
	}
}

const failingTemplate = `
Parameters:
  Visibility: {Type: Number, Default: 30}
Resources:
  First:
    Type: AWS::SQS::Queue
  Second:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt First.Arn
        maxReceiveCount: 3
`

func TestFailureRollsBack(t *testing.T) {
	e := start(t, envOptions{})
	ctx := context.Background()

	// Create fails on Second (SQS rejects the timeout): First is deleted
	// and the events say why.
	_, stack := e.deploy(t, "bad", failingTemplate, types.ChangeSetTypeCreate, map[string]string{"Visibility": "99999"})
	if stack.StackStatus != types.StackStatusRollbackComplete {
		t.Fatalf("status = %s", stack.StackStatus)
	}
	if r := e.stackReason(t, "bad", types.ResourceStatusRollbackInProgress); r != "The following resource(s) failed to create: [Second]. Rollback requested by user." {
		t.Fatalf("reason = %q", r)
	}
	var failed *types.StackEvent
	deleted := false
	for _, ev := range e.events(t, "bad") {
		if ev.ResourceStatus == types.ResourceStatusCreateFailed && aws.ToString(ev.LogicalResourceId) == "Second" {
			failed = &ev
		}
		if ev.ResourceStatus == types.ResourceStatusDeleteComplete && aws.ToString(ev.LogicalResourceId) == "First" {
			deleted = true
		}
	}
	if failed == nil || !strings.Contains(aws.ToString(failed.ResourceStatusReason), "VisibilityTimeout") {
		t.Fatalf("CREATE_FAILED event = %+v", failed)
	}
	if !deleted {
		t.Fatal("First was not deleted by the rollback")
	}
	list, err := e.queues.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil || len(list.QueueURLs) != 0 {
		t.Fatalf("queues left after rollback: %v %v", list.QueueURLs, err)
	}
	_, err = e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("bad"), ChangeSetName: aws.String("again"),
		ChangeSetType: types.ChangeSetTypeUpdate, TemplateBody: aws.String(failingTemplate)})
	wantAPIError(t, err, "ValidationError", "is in ROLLBACK_COMPLETE state and can not be updated.")
	if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("bad")}); err != nil {
		t.Fatal(err)
	}
	if s := e.waitStack(t, aws.ToString(stack.StackId)); s.StackStatus != types.StackStatusDeleteComplete {
		t.Fatalf("delete after rollback: %s", s.StackStatus)
	}

	// An update that fails is rolled back: the queue keeps its old
	// settings.
	_, stack = e.deploy(t, "good", failingTemplate, types.ChangeSetTypeCreate, nil)
	if stack.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("create: %s", stack.StackStatus)
	}
	withThird := failingTemplate + "  Third:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n"
	_, stack = e.deploy(t, "good", strings.Replace(withThird, "DelaySeconds: 5", "DelaySeconds: 5000", 1), types.ChangeSetTypeUpdate, nil)
	if stack.StackStatus != types.StackStatusUpdateRollbackComplete {
		t.Fatalf("failed update: %s", stack.StackStatus)
	}
	if r := e.stackReason(t, "good", types.ResourceStatusUpdateRollbackInProgress); !strings.Contains(r, "failed to update: [Third]") {
		t.Fatalf("reason = %q", r)
	}
	res, err := e.cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String("good")})
	if err != nil || len(res.StackResources) != 2 {
		t.Fatalf("resources after update rollback = %+v, %v", res, err)
	}
}

func TestUpdateRollbackRestoresInPlaceChange(t *testing.T) {
	e := start(t, envOptions{})
	_, stack := e.deploy(t, "s", failingTemplate, types.ChangeSetTypeCreate, nil)
	if stack.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("create: %s", stack.StackStatus)
	}
	res, err := e.cf.DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{StackName: aws.String("s"), LogicalResourceId: aws.String("Second")})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(res.StackResourceDetail.PhysicalResourceId)
	// Second changes in place; Third fails; Second must be changed back.
	body := failingTemplate + "  Third:\n    Type: AWS::SQS::Queue\n    DependsOn: Second\n    Properties:\n      DelaySeconds: 5000\n"
	_, stack = e.deploy(t, "s", body, types.ChangeSetTypeUpdate, map[string]string{"Visibility": "77"})
	if stack.StackStatus != types.StackStatusUpdateRollbackComplete {
		t.Fatalf("status = %s", stack.StackStatus)
	}
	if v := e.queueAttrs(t, url)["VisibilityTimeout"]; v != "30" {
		t.Fatalf("VisibilityTimeout after rollback = %s, want 30", v)
	}
	if stack.Parameters[0].ParameterValue == nil || aws.ToString(stack.Parameters[0].ParameterValue) != "30" {
		t.Fatalf("parameters after rollback = %+v", stack.Parameters)
	}
}

const exporter = `
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: shared
Outputs:
  Arn:
    Value: !GetAtt Queue.Arn
    Export: {Name: shared-queue-arn}
  Name:
    Value: !GetAtt Queue.QueueName
    Export: {Name: shared-queue-name}
`

const importer = `
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !ImportValue shared-queue-arn
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub
        - "/imports/${Name}"
        - Name: !ImportValue shared-queue-name
`

func TestExportsAndImports(t *testing.T) {
	e := start(t, envOptions{})
	ctx := context.Background()
	if _, s := e.deploy(t, "exporter", exporter, types.ChangeSetTypeCreate, nil); s.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("exporter: %s", s.StackStatus)
	}
	if _, s := e.deploy(t, "importer", importer, types.ChangeSetTypeCreate, nil); s.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("importer: %s %s", s.StackStatus, aws.ToString(s.StackStatusReason))
	}
	if !e.logGroupExists(t, "/imports/shared") {
		t.Fatal("import did not resolve into the log group name")
	}
	imps, err := e.cf.ListImports(ctx, &cloudformation.ListImportsInput{ExportName: aws.String("shared-queue-arn")})
	if err != nil || len(imps.Imports) != 1 || imps.Imports[0] != "importer" {
		t.Fatalf("imports = %v, %v", imps, err)
	}
	_, err = e.cf.ListImports(ctx, &cloudformation.ListImportsInput{ExportName: aws.String("nobody")})
	wantAPIError(t, err, "ValidationError", "Export 'nobody' is not imported by any stack.")

	// An export in use cannot be deleted with its stack...
	if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("exporter")}); err != nil {
		t.Fatal(err)
	}
	// (AWS returns the stack to its previous status with the reason.)
	s := e.waitStack(t, "exporter")
	if s.StackStatus != types.StackStatusCreateComplete ||
		aws.ToString(s.StackStatusReason) != "Export shared-queue-arn cannot be deleted as it is in use by importer" {
		t.Fatalf("delete exporter: %s %q", s.StackStatus, aws.ToString(s.StackStatusReason))
	}
	if evs := e.events(t, "exporter"); evs[1].ResourceStatus != types.ResourceStatusDeleteInProgress {
		t.Fatalf("events before the refusal: %s", evs[1].ResourceStatus)
	}
	if !e.queueExists(e.url + "/000000000000/shared") {
		t.Fatal("the exported queue was deleted")
	}
	// ...nor removed by an update.
	removed := strings.Split(exporter, "Outputs:")[0] + "Outputs:\n  Arn:\n    Value: !GetAtt Queue.Arn\n    Export: {Name: shared-queue-arn}\n"
	_, s = e.deploy(t, "exporter", removed, types.ChangeSetTypeUpdate, nil)
	if r := e.stackReason(t, "exporter", types.ResourceStatusUpdateRollbackInProgress); s.StackStatus != types.StackStatusUpdateRollbackComplete ||
		r != "Export shared-queue-name cannot be deleted as it is in use by importer" {
		t.Fatalf("removing an export in use: %s %q", s.StackStatus, r)
	}
	// ...nor changed.
	changedValue := strings.Replace(exporter, "Value: !GetAtt Queue.QueueName", "Value: !Sub \"${Queue.QueueName}-v2\"", 1)
	_, s = e.deploy(t, "exporter", changedValue, types.ChangeSetTypeUpdate, nil)
	if r := e.stackReason(t, "exporter", types.ResourceStatusUpdateRollbackInProgress); s.StackStatus != types.StackStatusUpdateRollbackComplete ||
		r != "Export shared-queue-name cannot be updated as it is in use by importer" {
		t.Fatalf("changing an export in use: %s %q", s.StackStatus, r)
	}
	// A second stack cannot export the same name.
	dup := strings.Replace(exporter, "QueueName: shared", "QueueName: other", 1)
	_, s = e.deploy(t, "dup", dup, types.ChangeSetTypeCreate, nil)
	if r := e.stackReason(t, "dup", types.ResourceStatusRollbackInProgress); s.StackStatus != types.StackStatusRollbackComplete ||
		!strings.Contains(r, "Export with name shared-queue-arn is already exported by stack exporter") {
		t.Fatalf("duplicate export: %s %q", s.StackStatus, r)
	}
	// A missing import fails the change set with AWS's reason.
	cs := e.changeSet(t, "orphan", strings.ReplaceAll(importer, "shared-queue", "missing-queue"), types.ChangeSetTypeCreate, nil)
	if cs.Status != types.ChangeSetStatusFailed || !strings.HasPrefix(aws.ToString(cs.StatusReason), "No export named missing-queue-") ||
		!strings.HasSuffix(aws.ToString(cs.StatusReason), " found.") {
		t.Fatalf("missing import: %s %q", cs.Status, aws.ToString(cs.StatusReason))
	}
	// Once the importer is gone, the exporter can go.
	for _, name := range []string{"importer", "exporter"} {
		st := e.waitStack(t, name)
		if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if s := e.waitStack(t, aws.ToString(st.StackId)); s.StackStatus != types.StackStatusDeleteComplete {
			t.Fatalf("delete %s: %s %s", name, s.StackStatus, aws.ToString(s.StackStatusReason))
		}
	}
}

func TestChangeSetValidation(t *testing.T) {
	e := start(t, envOptions{})
	ctx := context.Background()
	create := func(body string, caps ...types.Capability) error {
		_, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("v"), ChangeSetName: aws.String("c1"),
			ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(body), Capabilities: caps})
		return err
	}
	wantAPIError(t, create("Resources:\n  A:\n    Type: AWS::Foo::Bar\n"), "ValidationError", "Template format error: Unrecognized resource types: [AWS::Foo::Bar]")
	wantAPIError(t, create("Resources:\n  F:\n    Type: AWS::Lambda::Function\n"), "ValidationError",
		"cannot provision these resource types yet (provider not available): [AWS::Lambda::Function (F)]")
	role := "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {}\n  F:\n    Type: AWS::Lambda::Function\n"
	wantAPIError(t, create(role), "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]")
	wantAPIError(t, create("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: x}\n", types.CapabilityCapabilityIam),
		"InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]")
	wantAPIError(t, create(role, types.CapabilityCapabilityIam), "ValidationError", "[AWS::Lambda::Function (F)]")
	wantAPIError(t, create("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {Visibility: 3}\n"), "ValidationError",
		"Encountered unsupported properties in {AWS::SQS::Queue}: [Visibility]")
	wantAPIError(t, create("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {X: !GetAtt Q2.Nope}\n  Q2:\n    Type: AWS::SQS::Queue\n"),
		"ValidationError", "Template error: resource Q2 does not support attribute type Nope in Fn::GetAtt")
	wantAPIError(t, create("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {X: !Ref Nope}\n"), "ValidationError",
		"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template")
	wantAPIError(t, create("Parameters:\n  P: {Type: String}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"), "ValidationError", "Parameters: [P] must have values")
	_, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("nope"), ChangeSetName: aws.String("c1"),
		ChangeSetType: types.ChangeSetTypeUpdate, TemplateBody: aws.String("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")})
	wantAPIError(t, err, "ValidationError", "Stack [nope] does not exist")
	_, err = e.cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("nope")})
	wantAPIError(t, err, "ValidationError", "Stack with id nope does not exist")

	_, s := e.deploy(t, "v", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", types.ChangeSetTypeCreate, nil)
	if s.StackStatus != types.StackStatusCreateComplete {
		t.Fatal(s.StackStatus)
	}
	wantAPIError(t, create("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"), "AlreadyExistsException", "Stack [v] already exists")
	cs := e.changeSet(t, "v", "Resources:\n  Q:\n    Type: AWS::SNS::Topic\n", types.ChangeSetTypeUpdate, nil)
	if cs.Status != types.ChangeSetStatusFailed || !strings.Contains(aws.ToString(cs.StatusReason), "Update of resource type is not permitted") {
		t.Fatalf("type change: %s %q", cs.Status, aws.ToString(cs.StatusReason))
	}
}

func TestValidateTemplate(t *testing.T) {
	e := start(t, envOptions{})
	body := `
Description: validate me
Parameters:
  Stage: {Type: String, Default: dev, Description: the stage}
  Secret: {Type: String, NoEcho: true}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: {}
  Q:
    Type: AWS::SQS::Queue
`
	out, err := e.cf.ValidateTemplate(context.Background(), &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Description) != "validate me" || len(out.Parameters) != 2 || !aws.ToBool(out.Parameters[0].NoEcho) ||
		aws.ToString(out.Parameters[1].DefaultValue) != "dev" || aws.ToString(out.Parameters[1].Description) != "the stage" {
		t.Fatalf("parameters = %+v", out.Parameters)
	}
	if len(out.Capabilities) != 1 || out.Capabilities[0] != types.CapabilityCapabilityIam ||
		aws.ToString(out.CapabilitiesReason) != "The following resource(s) require capabilities: [AWS::IAM::Role]" {
		t.Fatalf("capabilities = %v %q", out.Capabilities, aws.ToString(out.CapabilitiesReason))
	}
	_, err = e.cf.ValidateTemplate(context.Background(), &cloudformation.ValidateTemplateInput{TemplateBody: aws.String("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n")})
	wantAPIError(t, err, "ValidationError", "Circular dependency between resources: [A, B]")
}

// blocker is a test resource type whose creation waits until its context
// ends, standing in for a slow resource when localcloud stops.
type blocker struct{ started chan struct{} }

func (b blocker) Create(ctx context.Context, _ *provision.Request) (provision.Result, error) {
	close(b.started)
	<-ctx.Done()
	return provision.Result{}, ctx.Err()
}

func (blocker) Update(context.Context, *provision.Request) (provision.Result, error) {
	return provision.Result{}, errors.New("not updatable")
}

func (blocker) Delete(context.Context, *provision.Request) error { return nil }

func TestRestartRollsBackInterruptedCreate(t *testing.T) {
	dir := t.TempDir()
	started := make(chan struct{})
	e := start(t, envOptions{dir: dir, extra: []provision.Spec{{Type: "Test::Block", Provider: blocker{started: started}}}})
	body := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  B:\n    Type: Test::Block\n    DependsOn: Q\n"
	cs := e.changeSet(t, "crash", body, types.ChangeSetTypeCreate, nil)
	if _, err := e.cf.ExecuteChangeSet(context.Background(), &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.ChangeSetId}); err != nil {
		t.Fatal(err)
	}
	<-started
	e.stop() // localcloud goes away while B is being created

	e2 := start(t, envOptions{dir: dir, extra: []provision.Spec{{Type: "Test::Block", Provider: blocker{started: make(chan struct{})}}}})
	s := e2.waitStack(t, "crash")
	if r := e2.stackReason(t, "crash", types.ResourceStatusRollbackInProgress); s.StackStatus != types.StackStatusRollbackComplete ||
		!strings.Contains(r, "localcloud restarted during the operation") {
		t.Fatalf("after restart: %s %q", s.StackStatus, r)
	}
	list, err := e2.queues.ListQueues(context.Background(), &sqs.ListQueuesInput{})
	if err != nil || len(list.QueueURLs) != 0 {
		t.Fatalf("queue left after the interrupted create was rolled back: %v %v", list.QueueURLs, err)
	}
}

const tableStack = `
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "orders-${Stage}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: orderID, AttributeType: S}]
      KeySchema: [{AttributeName: orderID, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
Outputs:
  StreamArn:
    Value: !GetAtt Orders.StreamArn
    Export: {Name: !Sub "orders-${Stage}-stream-arn"}
`

const streamUser = `
Resources:
  Failures:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: source
          Value: !ImportValue orders-dev-stream-arn
`

func TestDynamoDBTableStack(t *testing.T) {
	e := start(t, envOptions{})
	ctx := context.Background()
	_, created := e.deploy(t, "tables", tableStack, types.ChangeSetTypeCreate, nil)
	if created.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("create: %s", created.StackStatus)
	}
	arn := outputsOf(created)["StreamArn"]
	if !strings.HasPrefix(arn, "arn:aws:dynamodb:us-east-1:000000000000:table/orders-dev/stream/") {
		t.Fatalf("stream ARN output = %q", arn)
	}
	if _, s := e.deploy(t, "consumer", streamUser, types.ChangeSetTypeCreate, nil); s.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("consumer: %s", s.StackStatus)
	}
	// A new key schema needs a new table, which a custom name forbids:
	// the update is refused and rolled back.
	rekeyed := strings.ReplaceAll(tableStack, "AttributeName: orderID", "AttributeName: id")
	cs, s := e.deploy(t, "tables", rekeyed, types.ChangeSetTypeUpdate, nil)
	if cs.Changes[0].ResourceChange.Replacement != types.ReplacementTrue || s.StackStatus != types.StackStatusUpdateRollbackComplete {
		t.Fatalf("key schema change: %+v %s", cs.Changes[0].ResourceChange, s.StackStatus)
	}
	// The table class is changed in place.
	classed := strings.Replace(tableStack, "KeySchema: [{AttributeName: orderID, KeyType: HASH}]",
		"KeySchema: [{AttributeName: orderID, KeyType: HASH}]\n      TableClass: STANDARD", 1)
	cs = e.changeSet(t, "tables", classed, types.ChangeSetTypeUpdate, nil)
	if cs.Status != types.ChangeSetStatusCreateComplete || cs.Changes[0].ResourceChange.Replacement != types.ReplacementFalse {
		t.Fatalf("table class change: %s %+v", cs.Status, cs.Changes)
	}
	if _, err := e.cf.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: cs.ChangeSetId}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"consumer", "tables"} {
		st := e.waitStack(t, name)
		if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if s := e.waitStack(t, aws.ToString(st.StackId)); s.StackStatus != types.StackStatusDeleteComplete {
			t.Fatalf("delete %s: %s", name, s.StackStatus)
		}
	}
	if _, err := e.tables.DescribeTable(ctx, &dynamodb.TableNameInput{TableName: "orders-dev"}); err == nil {
		t.Fatal("table left after delete")
	}
}

// The repository's templates use types localcloud cannot provision yet:
// the change set is refused with every such type and resource named.
func TestInfraTemplatesNameMissingProviders(t *testing.T) {
	e := start(t, envOptions{})
	body, err := os.ReadFile(filepath.Join("..", "..", "..", "infra-cfn", "ingest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.cf.CreateChangeSet(context.Background(), &cloudformation.CreateChangeSetInput{StackName: aws.String("orderflow-dev-ingest"),
		ChangeSetName: aws.String("c1"), ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(string(body)),
		Capabilities: []types.Capability{types.CapabilityCapabilityIam},
		Parameters: []types.Parameter{{ParameterKey: aws.String("ArtifactBucket"), ParameterValue: aws.String("b")},
			{ParameterKey: aws.String("IngestCodeKey"), ParameterValue: aws.String("k")}}})
	wantAPIError(t, err, "ValidationError", "AWS::Lambda::Function (IngestFunction)")
	wantAPIError(t, err, "ValidationError", "AWS::ApiGateway::RestApi (Api)")
	if strings.Contains(err.Error(), "AWS::IAM::Role") || strings.Contains(err.Error(), "AWS::SQS::Queue") {
		t.Fatalf("types with providers listed as missing: %v", err)
	}
}

func TestRestartRollsBackInterruptedUpdate(t *testing.T) {
	dir := t.TempDir()
	started := make(chan struct{})
	blockSpec := []provision.Spec{{Type: "Test::Block", Provider: blocker{started: started}}}
	e := start(t, envOptions{dir: dir, extra: blockSpec})
	base := "Parameters:\n  V: {Type: Number, Default: 30}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: !Ref V\n"
	_, s := e.deploy(t, "upd", base, types.ChangeSetTypeCreate, nil)
	if s.StackStatus != types.StackStatusCreateComplete {
		t.Fatal(s.StackStatus)
	}
	url := physicalID(t, e, "upd", "Q")
	cs := e.changeSet(t, "upd", base+"  B:\n    Type: Test::Block\n    DependsOn: Q\n", types.ChangeSetTypeUpdate, map[string]string{"V": "90"})
	if _, err := e.cf.ExecuteChangeSet(context.Background(), &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.ChangeSetId}); err != nil {
		t.Fatal(err)
	}
	<-started
	if v := e.queueAttrs(t, url)["VisibilityTimeout"]; v != "90" {
		t.Fatalf("VisibilityTimeout during the update = %s", v)
	}
	e.stop()

	e2 := start(t, envOptions{dir: dir, extra: []provision.Spec{{Type: "Test::Block", Provider: blocker{started: make(chan struct{})}}}})
	s = e2.waitStack(t, "upd")
	if s.StackStatus != types.StackStatusUpdateRollbackComplete {
		t.Fatalf("after restart: %s", s.StackStatus)
	}
	if r := e2.stackReason(t, "upd", types.ResourceStatusUpdateRollbackInProgress); !strings.Contains(r, "localcloud restarted during the operation") {
		t.Fatalf("reason = %q", r)
	}
	if v := e2.queueAttrs(t, url)["VisibilityTimeout"]; v != "30" {
		t.Fatalf("VisibilityTimeout after the rollback = %s, want 30", v)
	}
}

func physicalID(t *testing.T, e *env, stack, logical string) string {
	t.Helper()
	out, err := e.cf.DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{StackName: aws.String(stack), LogicalResourceId: aws.String(logical)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.StackResourceDetail.PhysicalResourceId)
}

// BenchmarkNoChangeRedeploy measures what a redeploy without changes costs
// a client: CreateChangeSet, DescribeChangeSet (FAILED, no changes) and
// DeleteChangeSet, through the SDK over loopback HTTP.
func BenchmarkNoChangeRedeploy(b *testing.B) {
	e := start(b, envOptions{})
	ctx := context.Background()
	body := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  T:\n    Type: AWS::SNS::Topic\n  L:\n    Type: AWS::Logs::LogGroup\n"
	created, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("bench"), ChangeSetName: aws.String("c0"),
		ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(body)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: created.Id}); err != nil {
		b.Fatal(err)
	}
	for range 4000 {
		out, err := e.cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		if out.Stacks[0].StackStatus == types.StackStatusCreateComplete {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.ResetTimer()
	for i := range b.N {
		name := "n" + strconv.Itoa(i)
		cs, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("bench"), ChangeSetName: aws.String(name),
			ChangeSetType: types.ChangeSetTypeUpdate, TemplateBody: aws.String(body)})
		if err != nil {
			b.Fatal(err)
		}
		d, err := e.cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if err != nil || d.Status != types.ChangeSetStatusFailed {
			b.Fatalf("describe: %v %v", d, err)
		}
		if _, err := e.cf.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUpdateRollbackRestoresReplacedResource(t *testing.T) {
	e := start(t, envOptions{})
	body := "Parameters:\n  Suffix: {Type: String, Default: a}\n  Delay: {Type: Number, Default: 0}\nResources:\n" +
		"  Group:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: !Sub '/rb/${Suffix}'\n" +
		"  Q:\n    Type: AWS::SQS::Queue\n    DependsOn: Group\n    Properties:\n      DelaySeconds: !Ref Delay\n"
	if _, s := e.deploy(t, "rb", body, types.ChangeSetTypeCreate, nil); s.StackStatus != types.StackStatusCreateComplete {
		t.Fatal(s.StackStatus)
	}
	// The group is replaced (new name), then Q fails: the new group is
	// deleted and the old one stays the stack's.
	_, s := e.deploy(t, "rb", body, types.ChangeSetTypeUpdate, map[string]string{"Suffix": "b", "Delay": "5000"})
	if s.StackStatus != types.StackStatusUpdateRollbackComplete {
		t.Fatalf("status = %s", s.StackStatus)
	}
	if !e.logGroupExists(t, "/rb/a") || e.logGroupExists(t, "/rb/b") {
		t.Fatal("after rollback the old group must remain and the new one be gone")
	}
	if id := physicalID(t, e, "rb", "Group"); id != "/rb/a" {
		t.Fatalf("Group is %s after rollback, want /rb/a", id)
	}
	// The stack is usable again: a good update goes through.
	if _, s := e.deploy(t, "rb", body, types.ChangeSetTypeUpdate, map[string]string{"Suffix": "b", "Delay": "5"}); s.StackStatus != types.StackStatusUpdateComplete {
		t.Fatalf("update after rollback: %s", s.StackStatus)
	}
	if !e.logGroupExists(t, "/rb/b") || e.logGroupExists(t, "/rb/a") {
		t.Fatal("the replacement should now have happened")
	}
}

// sticky is a test resource type that cannot be deleted.
type sticky struct{}

func (sticky) Create(_ context.Context, req *provision.Request) (provision.Result, error) {
	return provision.Result{PhysicalID: "sticky-" + req.LogicalID}, nil
}

func (sticky) Update(_ context.Context, req *provision.Request) (provision.Result, error) {
	return provision.Result{PhysicalID: req.PhysicalID}, nil
}

func (sticky) Delete(context.Context, *provision.Request) error {
	return errors.New("the resource is in use")
}

func TestDeleteFailureAndRetainResources(t *testing.T) {
	e := start(t, envOptions{extra: []provision.Spec{{Type: "Test::Sticky", Provider: sticky{}}}})
	ctx := context.Background()
	body := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  S:\n    Type: Test::Sticky\n  Kept:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain\n    Properties:\n      QueueName: kept\n"
	_, s := e.deploy(t, "sticky", body, types.ChangeSetTypeCreate, nil)
	if s.StackStatus != types.StackStatusCreateComplete {
		t.Fatal(s.StackStatus)
	}
	if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("sticky")}); err != nil {
		t.Fatal(err)
	}
	s = e.waitStack(t, "sticky")
	if s.StackStatus != types.StackStatusDeleteFailed || aws.ToString(s.StackStatusReason) != "The following resource(s) failed to delete: [S]. " {
		t.Fatalf("delete: %s %q", s.StackStatus, aws.ToString(s.StackStatusReason))
	}
	var reason string
	skipped := false
	for _, ev := range e.events(t, "sticky") {
		if aws.ToString(ev.LogicalResourceId) == "S" && ev.ResourceStatus == types.ResourceStatusDeleteFailed {
			reason = aws.ToString(ev.ResourceStatusReason)
		}
		if aws.ToString(ev.LogicalResourceId) == "Kept" && ev.ResourceStatus == types.ResourceStatusDeleteSkipped {
			skipped = true
		}
	}
	if reason != "the resource is in use" || !skipped {
		t.Fatalf("events: S reason %q, Kept skipped %v", reason, skipped)
	}
	if !e.queueExists(e.url + "/000000000000/kept") {
		t.Fatal("the retained queue was deleted")
	}
	// RetainResources is only for DELETE_FAILED stacks, and then finishes.
	if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("sticky"), RetainResources: []string{"S"}}); err != nil {
		t.Fatal(err)
	}
	if s := e.waitStack(t, aws.ToString(s.StackId)); s.StackStatus != types.StackStatusDeleteComplete {
		t.Fatalf("delete with RetainResources: %s %q", s.StackStatus, aws.ToString(s.StackStatusReason))
	}
}

const iamTemplate = `
Parameters:
  Action: {Type: String, Default: "sqs:SendMessage"}
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      Description: worker role
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns: [!Ref Managed]
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: !Ref Action
                Resource: !GetAtt Queue.Arn
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "logs:PutLogEvents", Resource: "*"}
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "sqs:ReceiveMessage", Resource: !GetAtt Queue.Arn}
Outputs:
  RoleArn: {Value: !GetAtt Role.Arn}
`

func TestIAMResources(t *testing.T) {
	e := start(t, envOptions{})
	ctx := context.Background()
	_, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("iam"), ChangeSetName: aws.String("c"),
		ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(iamTemplate)})
	wantAPIError(t, err, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]")

	n := 0
	deploy := func(params map[string]string) types.Stack {
		t.Helper()
		n++
		in := &cloudformation.CreateChangeSetInput{StackName: aws.String("iam"), ChangeSetName: aws.String("c" + strconv.Itoa(n)),
			ChangeSetType: types.ChangeSetTypeUpdate, TemplateBody: aws.String(iamTemplate), Capabilities: []types.Capability{types.CapabilityCapabilityIam}}
		if _, err := e.cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("iam")}); err != nil {
			in.ChangeSetType = types.ChangeSetTypeCreate
		}
		for k, v := range params {
			in.Parameters = append(in.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
		}
		out, err := e.cf.CreateChangeSet(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if cs := e.waitChangeSet(t, "iam", aws.ToString(out.Id)); cs.Status != types.ChangeSetStatusCreateComplete {
			t.Fatalf("change set: %s", aws.ToString(cs.StatusReason))
		}
		if _, err := e.cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: out.Id}); err != nil {
			t.Fatal(err)
		}
		return e.waitStack(t, "iam")
	}
	s := deploy(nil)
	if s.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("create: %s", s.StackStatus)
	}
	role := physicalID(t, e, "iam", "Role")
	if !strings.HasPrefix(role, "iam-Role-") || outputsOf(s)["RoleArn"] != "arn:aws:iam::000000000000:role/"+role {
		t.Fatalf("role %s, outputs %v", role, outputsOf(s))
	}
	names, err := e.iam.ListRolePolicies(ctx, &iamapi.ListRolePoliciesInput{RoleName: role})
	if err != nil || strings.Join(names.PolicyNames, ",") != "extra,send" {
		t.Fatalf("inline policies = %v, %v", names, err)
	}
	attached, err := e.iam.ListAttachedRolePolicies(ctx, &iamapi.ListAttachedRolePoliciesInput{RoleName: role})
	if err != nil || len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyArn != physicalID(t, e, "iam", "Managed") {
		t.Fatalf("attached = %+v, %v", attached, err)
	}

	// An inline policy changes in place.
	if s := deploy(map[string]string{"Action": "sqs:*"}); s.StackStatus != types.StackStatusUpdateComplete {
		t.Fatalf("update: %s", s.StackStatus)
	}
	doc, err := e.iam.GetRolePolicy(ctx, &iamapi.RolePolicyInput{RoleName: role, PolicyName: "send"})
	if err != nil || !strings.Contains(doc.PolicyDocument, "sqs%3A%2A") && !strings.Contains(doc.PolicyDocument, "sqs:*") {
		t.Fatalf("policy after update = %+v, %v", doc, err)
	}
	if physicalID(t, e, "iam", "Role") != role {
		t.Fatal("the role was replaced by an inline policy change")
	}

	st := e.waitStack(t, "iam")
	if _, err := e.cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("iam")}); err != nil {
		t.Fatal(err)
	}
	if s := e.waitStack(t, aws.ToString(st.StackId)); s.StackStatus != types.StackStatusDeleteComplete {
		t.Fatalf("delete: %s %s", s.StackStatus, aws.ToString(s.StackStatusReason))
	}
	if _, err := e.iam.GetRole(ctx, &iamapi.RoleNameInput{RoleName: role}); err == nil {
		t.Fatal("role left after delete")
	}
}

// Replacing a queue makes the resources that reference it change too:
// planned as Dynamic (Conditional replacement where the property forces
// it), then really replaced or updated when the new queue exists.
func TestReplacementPropagates(t *testing.T) {
	e := start(t, envOptions{})
	_, s := e.deploy(t, "prop", appTemplate, types.ChangeSetTypeCreate, nil)
	if s.StackStatus != types.StackStatusCreateComplete {
		t.Fatal(s.StackStatus)
	}
	oldQueue, oldSub := physicalID(t, e, "prop", "Queue"), physicalID(t, e, "prop", "Subscription")
	cs, s := e.deploy(t, "prop", appTemplate, types.ChangeSetTypeUpdate, map[string]string{"Stage": "prod"})
	got := map[string]types.ResourceChange{}
	for _, c := range cs.Changes {
		got[aws.ToString(c.ResourceChange.LogicalResourceId)] = *c.ResourceChange
	}
	if got["Queue"].Replacement != types.ReplacementTrue || got["Subscription"].Replacement != types.ReplacementConditional ||
		got["QueuePolicy"].Replacement != types.ReplacementFalse || got["Logs"].Replacement != types.ReplacementTrue {
		t.Fatalf("plan: Queue %s, Subscription %s, QueuePolicy %s, Logs %s", got["Queue"].Replacement, got["Subscription"].Replacement,
			got["QueuePolicy"].Replacement, got["Logs"].Replacement)
	}
	if d := got["Subscription"].Details; len(d) != 1 || d[0].Evaluation != types.EvaluationTypeDynamic || d[0].ChangeSource != types.ChangeSourceResourceReference {
		t.Fatalf("subscription details = %+v", d)
	}
	if s.StackStatus != types.StackStatusUpdateComplete {
		t.Fatalf("update: %s", s.StackStatus)
	}
	newQueue, newSub := physicalID(t, e, "prop", "Queue"), physicalID(t, e, "prop", "Subscription")
	if newQueue == oldQueue || newSub == oldSub || !strings.HasSuffix(newQueue, "/app-prod-orders") {
		t.Fatalf("queue %s -> %s, subscription %s -> %s", oldQueue, newQueue, oldSub, newSub)
	}
	if e.queueExists(oldQueue) {
		t.Fatal("the old queue survived the cleanup")
	}
	if !strings.Contains(e.queueAttrs(t, newQueue)["Policy"], "sns.amazonaws.com") {
		t.Fatal("the queue policy did not move to the new queue")
	}
}

// fetcher serves templates from memory, standing in for S3.
type fetcher map[string]string

func (f fetcher) FetchTemplate(_ context.Context, url string) ([]byte, error) {
	if body, ok := f[url]; ok {
		return []byte(body), nil
	}
	return nil, errors.New("The specified key does not exist.")
}

func TestTemplateURLAndPreviousValues(t *testing.T) {
	const url = "https://bucket.s3.amazonaws.com/app.yaml"
	e := start(t, envOptions{templates: fetcher{url: appTemplate}})
	ctx := context.Background()
	out, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("u"), ChangeSetName: aws.String("c1"),
		ChangeSetType: types.ChangeSetTypeCreate, TemplateURL: aws.String(url),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Visibility"), ParameterValue: aws.String("33")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: out.Id}); err != nil {
		t.Fatal(err)
	}
	if s := e.waitStack(t, "u"); s.StackStatus != types.StackStatusCreateComplete {
		t.Fatal(s.StackStatus)
	}
	_, err = e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("u"), ChangeSetName: aws.String("c2"),
		ChangeSetType: types.ChangeSetTypeUpdate, TemplateURL: aws.String("https://bucket.s3.amazonaws.com/missing.yaml")})
	wantAPIError(t, err, "ValidationError", "TemplateURL must be a supported URL")

	// The previous template with the previous value of one parameter and a
	// new value of another: only the log group changes.
	cs, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("u"), ChangeSetName: aws.String("c3"),
		ChangeSetType: types.ChangeSetTypeUpdate, UsePreviousTemplate: aws.Bool(true),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Visibility"), UsePreviousValue: aws.Bool(true)},
			{ParameterKey: aws.String("GroupSuffix"), ParameterValue: aws.String("z")}}})
	if err != nil {
		t.Fatal(err)
	}
	d := e.waitChangeSet(t, "u", aws.ToString(cs.Id))
	if d.Status != types.ChangeSetStatusCreateComplete || len(d.Changes) != 1 || aws.ToString(d.Changes[0].ResourceChange.LogicalResourceId) != "Logs" {
		t.Fatalf("change set = %s %q %+v", d.Status, aws.ToString(d.StatusReason), d.Changes)
	}
	params := map[string]string{}
	for _, p := range d.Parameters {
		params[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	if params["Visibility"] != "33" || params["GroupSuffix"] != "z" || params["Stage"] != "dev" {
		t.Fatalf("parameters = %v", params)
	}
}

// Stack tags reach every resource that takes tags, and changing them is a
// Tags-scoped in-place change.
func TestStackTagsPropagate(t *testing.T) {
	e := start(t, envOptions{})
	ctx := context.Background()
	run := func(name string, csType types.ChangeSetType, team string) *cloudformation.DescribeChangeSetOutput {
		t.Helper()
		out, err := e.cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("tags"), ChangeSetName: aws.String(name),
			ChangeSetType: csType, TemplateBody: aws.String(appTemplate), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(team)}}})
		if err != nil {
			t.Fatal(err)
		}
		cs := e.waitChangeSet(t, "tags", aws.ToString(out.Id))
		if _, err := e.cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: out.Id}); err != nil {
			t.Fatal(err)
		}
		if s := e.waitStack(t, "tags"); !strings.HasSuffix(string(s.StackStatus), "_COMPLETE") || strings.Contains(string(s.StackStatus), "ROLLBACK") {
			t.Fatalf("%s: %s", name, s.StackStatus)
		}
		return cs
	}
	run("c1", types.ChangeSetTypeCreate, "a")
	queue := physicalID(t, e, "tags", "Queue")
	tagsOf := func() map[string]string {
		out, err := e.queues.ListQueueTags(ctx, &sqs.QueueRef{QueueURL: queue})
		if err != nil {
			t.Fatal(err)
		}
		return out.Tags
	}
	if tagsOf()["team"] != "a" {
		t.Fatalf("queue tags after create = %v", tagsOf())
	}
	cs := run("c2", types.ChangeSetTypeUpdate, "b")
	scoped := map[string]bool{}
	for _, c := range cs.Changes {
		if len(c.ResourceChange.Scope) == 1 && c.ResourceChange.Scope[0] == types.ResourceAttributeTags {
			scoped[aws.ToString(c.ResourceChange.LogicalResourceId)] = true
		}
	}
	if len(scoped) != 4 || !scoped["Queue"] || !scoped["DLQ"] || !scoped["Topic"] || !scoped["Logs"] {
		t.Fatalf("tag changes = %v (want the four taggable resources)", scoped)
	}
	if tagsOf()["team"] != "b" || physicalID(t, e, "tags", "Queue") != queue {
		t.Fatalf("queue tags after update = %v", tagsOf())
	}
}
