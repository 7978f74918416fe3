package deploy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/mock"

	"github.com/orderflow/orderflow/internal/deploy"
	"github.com/orderflow/orderflow/internal/deploy/mocks"
)

const (
	stackName = "orderflow-dev-ingest"
	stackID   = "arn:aws:cloudformation:us-east-1:111122223333:stack/orderflow-dev-ingest/1"
	csID      = "arn:aws:cloudformation:us-east-1:111122223333:changeSet/orderflow-1/1"
)

// fakeClock advances on Sleep instead of waiting.
type fakeClock struct {
	now    time.Time
	sleeps int
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.sleeps++
	c.now = c.now.Add(d)
	return ctx.Err()
}

type fixture struct {
	cfn   *mocks.MockCloudFormationAPI
	s3    *mocks.MockS3API
	out   *bytes.Buffer
	clock *fakeClock
	d     *deploy.Deployer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		cfn:   mocks.NewMockCloudFormationAPI(t),
		s3:    mocks.NewMockS3API(t),
		out:   &bytes.Buffer{},
		clock: &fakeClock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)},
	}
	f.d = &deploy.Deployer{CFN: f.cfn, S3: f.s3, Clock: f.clock, Out: f.out, AutoApprove: true}
	return f
}

func notFound() error {
	return &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id " + stackName + " does not exist"}
}

func stackIs(status types.StackStatus, outputs ...string) *cloudformation.DescribeStacksOutput {
	s := types.Stack{StackName: aws.String(stackName), StackId: aws.String(stackID), StackStatus: status}
	for i := 0; i+1 < len(outputs); i += 2 {
		s.Outputs = append(s.Outputs, types.Output{OutputKey: aws.String(outputs[i]), OutputValue: aws.String(outputs[i+1])})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{s}}
}

func event(id, logical, typ string, status types.ResourceStatus, reason string) types.StackEvent {
	return types.StackEvent{
		EventId:              aws.String(id),
		StackName:            aws.String(stackName),
		LogicalResourceId:    aws.String(logical),
		ResourceType:         aws.String(typ),
		ResourceStatus:       status,
		ResourceStatusReason: aws.String(reason),
		Timestamp:            aws.Time(time.Date(2026, 11, 27, 9, 0, 1, 0, time.UTC)),
	}
}

// newestFirst returns events as DescribeStackEvents does: newest first.
func newestFirst(events ...types.StackEvent) *cloudformation.DescribeStackEventsOutput {
	out := &cloudformation.DescribeStackEventsOutput{}
	for i := len(events) - 1; i >= 0; i-- {
		out.StackEvents = append(out.StackEvents, events[i])
	}
	return out
}

func change(action types.ChangeAction, logical, typ string, replacement types.Replacement) types.Change {
	return types.Change{Type: types.ChangeTypeResource, ResourceChange: &types.ResourceChange{
		Action: action, LogicalResourceId: aws.String(logical), ResourceType: aws.String(typ), Replacement: replacement,
	}}
}

func changeSet(status types.ChangeSetStatus, reason string, changes ...types.Change) *cloudformation.DescribeChangeSetOutput {
	return &cloudformation.DescribeChangeSetOutput{
		ChangeSetId: aws.String(csID), StackName: aws.String(stackName),
		Status: status, StatusReason: aws.String(reason), Changes: changes,
	}
}

func changeSetOfType(want types.ChangeSetType) any {
	return mock.MatchedBy(func(in *cloudformation.CreateChangeSetInput) bool {
		return in.ChangeSetType == want && aws.ToString(in.StackName) == stackName &&
			len(in.Capabilities) == 1 && in.Capabilities[0] == types.CapabilityCapabilityIam
	})
}

func named(id string) any {
	return mock.MatchedBy(func(in *cloudformation.DeleteChangeSetInput) bool { return aws.ToString(in.ChangeSetName) == id })
}

var template = deploy.Stack{
	Name:       stackName,
	Template:   []byte("Resources: {}\n"),
	Parameters: map[string]string{"Stage": "dev", "Architecture": "arm64"},
}

func TestDeployCreatesNewStack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	review := event("e0", stackName, "AWS::CloudFormation::Stack", types.ResourceStatus("REVIEW_IN_PROGRESS"), "User Initiated")
	started := event("e1", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusCreateInProgress, "User Initiated")
	queueStarted := event("e2", "OrdersQueue", "AWS::SQS::Queue", types.ResourceStatusCreateInProgress, "")
	queueDone := event("e3", "OrdersQueue", "AWS::SQS::Queue", types.ResourceStatusCreateComplete, "")
	tableDone := event("e4", "OrdersTable", "AWS::DynamoDB::Table", types.ResourceStatusCreateComplete, "")
	stackDone := event("e5", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusCreateComplete, "")

	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(nil, notFound()).Once()
	f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeCreate)).
		RunAndReturn(func(_ context.Context, in *cloudformation.CreateChangeSetInput, _ ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error) {
			if got := len(in.Parameters); got != 2 {
				t.Errorf("change set has %d parameters, want 2", got)
			}
			return &cloudformation.CreateChangeSetOutput{Id: aws.String(csID), StackId: aws.String(stackID)}, nil
		}).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusCreateInProgress, ""), nil).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusCreateComplete, "",
		change(types.ChangeActionAdd, "OrdersQueue", "AWS::SQS::Queue", ""),
		change(types.ChangeActionAdd, "OrdersTable", "AWS::DynamoDB::Table", ""),
	), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(review), nil).Once()
	f.cfn.EXPECT().ExecuteChangeSet(mock.Anything, mock.MatchedBy(func(in *cloudformation.ExecuteChangeSetInput) bool {
		return aws.ToString(in.ChangeSetName) == csID
	})).Return(&cloudformation.ExecuteChangeSetOutput{}, nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusCreateInProgress), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(review, started, queueStarted, queueDone), nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusCreateComplete, "OrdersQueueUrl", "https://sqs/orders"), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(review, started, queueStarted, queueDone, tableDone, stackDone), nil).Once()

	res, err := f.d.Deploy(ctx, template)
	if err != nil {
		t.Fatalf("Deploy: %v\n%s", err, f.out)
	}
	if res.NoChanges || res.Status != "CREATE_COMPLETE" || res.Outputs["OrdersQueueUrl"] != "https://sqs/orders" {
		t.Errorf("result = %+v, want CREATE_COMPLETE with the queue URL output", res)
	}
	out := f.out.String()
	for _, want := range []string{
		"+ Add   OrdersQueue  AWS::SQS::Queue",
		"[1/2] CREATE_COMPLETE",
		"[2/2] CREATE_COMPLETE",
		"OrdersQueueUrl  https://sqs/orders",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "REVIEW_IN_PROGRESS") {
		t.Errorf("output repeats an event from before the change set ran:\n%s", out)
	}
	if strings.Count(out, "OrdersQueue  ") != 1 || strings.Count(out, "CREATE_IN_PROGRESS") != 2 {
		t.Errorf("each event should print exactly once:\n%s", out)
	}
	if f.clock.sleeps != 3 {
		t.Errorf("slept %d times, want 3 (one change-set poll, two stack polls)", f.clock.sleeps)
	}
}

func TestDeployUpdatesExistingStackAfterConfirmation(t *testing.T) {
	f := newFixture(t)
	f.d.AutoApprove = false
	f.d.In = strings.NewReader("yes\n")
	old := event("e0", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusCreateComplete, "")
	upd := event("e1", "OrdersTable", "AWS::DynamoDB::Table", types.ResourceStatusUpdateComplete, "")
	done := event("e2", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateComplete, "")

	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusCreateComplete), nil).Once()
	f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeUpdate)).
		Return(&cloudformation.CreateChangeSetOutput{Id: aws.String(csID)}, nil).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusCreateComplete, "",
		change(types.ChangeActionModify, "OrdersTable", "AWS::DynamoDB::Table", types.ReplacementTrue),
	), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(old), nil).Once()
	f.cfn.EXPECT().ExecuteChangeSet(mock.Anything, mock.Anything).Return(&cloudformation.ExecuteChangeSetOutput{}, nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(old, upd, done), nil).Once()

	res, err := f.d.Deploy(context.Background(), template)
	if err != nil {
		t.Fatalf("Deploy: %v\n%s", err, f.out)
	}
	if res.Status != "UPDATE_COMPLETE" {
		t.Errorf("status = %s, want UPDATE_COMPLETE", res.Status)
	}
	out := f.out.String()
	for _, want := range []string{"~ Modify  OrdersTable  AWS::DynamoDB::Table  True", "Execute this change set on " + stackName + "? [y/N]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDeployDeclinedDeletesChangeSet(t *testing.T) {
	f := newFixture(t)
	f.d.AutoApprove = false
	f.d.In = strings.NewReader("\n")
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete), nil).Once()
	f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeUpdate)).
		Return(&cloudformation.CreateChangeSetOutput{Id: aws.String(csID)}, nil).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusCreateComplete, "",
		change(types.ChangeActionRemove, "OldQueue", "AWS::SQS::Queue", ""),
	), nil).Once()
	f.cfn.EXPECT().DeleteChangeSet(mock.Anything, named(csID)).Return(&cloudformation.DeleteChangeSetOutput{}, nil).Once()

	_, err := f.d.Deploy(context.Background(), template)
	if !errors.Is(err, deploy.ErrDeclined) {
		t.Fatalf("Deploy error = %v, want ErrDeclined", err)
	}
}

func TestDeployEmptyChangeSetIsNoChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expect func(f *fixture)
	}{
		{
			name: "change set FAILED as empty is deleted",
			expect: func(f *fixture) {
				f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeUpdate)).
					Return(&cloudformation.CreateChangeSetOutput{Id: aws.String(csID)}, nil).Once()
				f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusFailed,
					"The submitted information didn't contain changes. Submit different information to create a change set."), nil).Once()
				f.cfn.EXPECT().DeleteChangeSet(mock.Anything, named(csID)).Return(&cloudformation.DeleteChangeSetOutput{}, nil).Once()
			},
		},
		{
			name: "CreateChangeSet refusing with No updates leaves nothing to delete",
			expect: func(f *fixture) {
				f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeUpdate)).
					Return(nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "No updates are to be performed."}).Once()
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete, "TableName", "orders"), nil).Once()
			tc.expect(f)

			res, err := f.d.Deploy(context.Background(), template)
			if err != nil {
				t.Fatalf("Deploy: %v", err)
			}
			if !res.NoChanges || res.Status != "UPDATE_COMPLETE" || res.Outputs["TableName"] != "orders" {
				t.Errorf("result = %+v, want no changes with the current status and outputs", res)
			}
			if !strings.Contains(f.out.String(), stackName+": no changes") {
				t.Errorf("output lacks the no-changes line:\n%s", f.out)
			}
		})
	}
}

func TestDeployFailedChangeSetIsAnError(t *testing.T) {
	f := newFixture(t)
	reason := "Template format error: Unresolved resource dependencies [OrdersQueue] in the Resources block of the template"
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(nil, notFound()).Once()
	f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeCreate)).
		Return(&cloudformation.CreateChangeSetOutput{Id: aws.String(csID)}, nil).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusFailed, reason), nil).Once()
	f.cfn.EXPECT().DeleteChangeSet(mock.Anything, named(csID)).Return(&cloudformation.DeleteChangeSetOutput{}, nil).Once()

	_, err := f.d.Deploy(context.Background(), template)
	if err == nil || !strings.Contains(err.Error(), reason) {
		t.Fatalf("Deploy error = %v, want one carrying %q", err, reason)
	}
}

func TestDeployRollbackNamesFailingResource(t *testing.T) {
	f := newFixture(t)
	old := event("e0", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateComplete, "")
	evs := []types.StackEvent{
		old,
		event("e1", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateInProgress, "User Initiated"),
		event("e2", "IngestFunction", "AWS::Lambda::Function", types.ResourceStatusUpdateFailed,
			"Resource handler returned message: \"Error occurred while GetObject. S3 Error Code: NoSuchKey\""),
		event("e3", "OrdersQueue", "AWS::SQS::Queue", types.ResourceStatusUpdateFailed, "Resource update cancelled"),
		event("e4", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateRollbackInProgress,
			"The following resource(s) failed to update: [IngestFunction]."),
		event("e5", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateRollbackComplete, ""),
	}
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete), nil).Once()
	f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeUpdate)).
		Return(&cloudformation.CreateChangeSetOutput{Id: aws.String(csID)}, nil).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusCreateComplete, "",
		change(types.ChangeActionModify, "IngestFunction", "AWS::Lambda::Function", types.ReplacementFalse),
		change(types.ChangeActionModify, "OrdersQueue", "AWS::SQS::Queue", types.ReplacementFalse),
	), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(old), nil).Once()
	f.cfn.EXPECT().ExecuteChangeSet(mock.Anything, mock.Anything).Return(&cloudformation.ExecuteChangeSetOutput{}, nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateRollbackInProgress), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(evs[:5]...), nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateRollbackComplete), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(evs...), nil).Once()

	res, err := f.d.Deploy(context.Background(), template)
	if err == nil {
		t.Fatalf("Deploy succeeded after a rollback:\n%s", f.out)
	}
	msg := err.Error()
	for _, want := range []string{"UPDATE_ROLLBACK_COMPLETE", "IngestFunction (AWS::Lambda::Function) UPDATE_FAILED", "NoSuchKey"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "OrdersQueue") {
		t.Errorf("error %q blames OrdersQueue, whose update was only cancelled", msg)
	}
	if !strings.Contains(f.out.String(), "failed: IngestFunction") {
		t.Errorf("output does not surface the failing resource:\n%s", f.out)
	}
	if res.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Errorf("status = %s, want UPDATE_ROLLBACK_COMPLETE", res.Status)
	}
}

func TestDeployRefusesBusyStack(t *testing.T) {
	f := newFixture(t)
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateInProgress), nil).Once()
	_, err := f.d.Deploy(context.Background(), template)
	if err == nil || !strings.Contains(err.Error(), "busy (UPDATE_IN_PROGRESS)") {
		t.Fatalf("Deploy error = %v, want a busy-stack error", err)
	}
}

func TestDestroy(t *testing.T) {
	t.Run("deletes and waits", func(t *testing.T) {
		f := newFixture(t)
		f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete), nil).Once()
		f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(), nil).Once()
		f.cfn.EXPECT().DeleteStack(mock.Anything, mock.MatchedBy(func(in *cloudformation.DeleteStackInput) bool {
			return aws.ToString(in.StackName) == stackName
		})).Return(&cloudformation.DeleteStackOutput{}, nil).Once()
		// After deletion the stack is addressed by ID, as its name no longer resolves.
		byID := mock.MatchedBy(func(in *cloudformation.DescribeStacksInput) bool { return aws.ToString(in.StackName) == stackID })
		f.cfn.EXPECT().DescribeStacks(mock.Anything, byID).Return(stackIs(types.StackStatusDeleteInProgress), nil).Once()
		f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(), nil).Once()
		f.cfn.EXPECT().DescribeStacks(mock.Anything, byID).Return(stackIs(types.StackStatusDeleteComplete), nil).Once()
		f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(), nil).Once()
		if err := f.d.Destroy(context.Background(), stackName); err != nil {
			t.Fatalf("Destroy: %v", err)
		}
	})
	t.Run("missing stack is fine", func(t *testing.T) {
		f := newFixture(t)
		f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(nil, notFound()).Once()
		if err := f.d.Destroy(context.Background(), stackName); err != nil {
			t.Fatalf("Destroy: %v", err)
		}
	})
	t.Run("delete failure names the resource", func(t *testing.T) {
		f := newFixture(t)
		f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusCreateComplete), nil).Once()
		f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(), nil).Once()
		f.cfn.EXPECT().DeleteStack(mock.Anything, mock.Anything).Return(&cloudformation.DeleteStackOutput{}, nil).Once()
		f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusDeleteFailed), nil).Once()
		f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(
			event("e1", "ArtifactBucket", "AWS::S3::Bucket", types.ResourceStatusDeleteFailed, "The bucket you tried to delete is not empty"),
		), nil).Once()
		err := f.d.Destroy(context.Background(), stackName)
		if err == nil || !strings.Contains(err.Error(), "ArtifactBucket") || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("Destroy error = %v, want one naming ArtifactBucket and its reason", err)
		}
	})
}

func TestUploadIsContentAddressed(t *testing.T) {
	body := []byte("PK\x03\x04 not really a zip")
	sum := sha256.Sum256(body)
	wantKey := "ingest/" + hex.EncodeToString(sum[:]) + ".zip"
	path := filepath.Join(t.TempDir(), "ingest.zip")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	keyIs := func(in *s3.HeadObjectInput) bool {
		return aws.ToString(in.Bucket) == "artifacts" && aws.ToString(in.Key) == wantKey
	}

	t.Run("absent object is uploaded", func(t *testing.T) {
		f := newFixture(t)
		f.s3.EXPECT().HeadObject(mock.Anything, mock.MatchedBy(keyIs)).Return(nil, &s3types.NotFound{}).Once()
		f.s3.EXPECT().PutObject(mock.Anything, mock.MatchedBy(func(in *s3.PutObjectInput) bool {
			return aws.ToString(in.Key) == wantKey && aws.ToInt64(in.ContentLength) == int64(len(body))
		})).Return(&s3.PutObjectOutput{}, nil).Once()
		key, err := f.d.Upload(context.Background(), "artifacts", "ingest", path)
		if err != nil || key != wantKey {
			t.Fatalf("Upload = %q, %v; want %q", key, err, wantKey)
		}
	})
	t.Run("present object is not uploaded again", func(t *testing.T) {
		f := newFixture(t)
		f.s3.EXPECT().HeadObject(mock.Anything, mock.MatchedBy(keyIs)).Return(&s3.HeadObjectOutput{}, nil).Once()
		key, err := f.d.Upload(context.Background(), "artifacts", "ingest", path)
		if err != nil || key != wantKey {
			t.Fatalf("Upload = %q, %v; want %q", key, err, wantKey)
		}
	})
	t.Run("other S3 errors stop the upload", func(t *testing.T) {
		f := newFixture(t)
		f.s3.EXPECT().HeadObject(mock.Anything, mock.Anything).Return(nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}).Once()
		if _, err := f.d.Upload(context.Background(), "artifacts", "ingest", path); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("Upload error = %v, want AccessDenied", err)
		}
	})
}

func TestDeployFailedCreateNamesResourceAndNextDeployStartsOver(t *testing.T) {
	f := newFixture(t)
	review := event("e0", stackName, "AWS::CloudFormation::Stack", types.ResourceStatus("REVIEW_IN_PROGRESS"), "User Initiated")
	failed := []types.StackEvent{
		review,
		event("e1", "OrdersTable", "AWS::DynamoDB::Table", types.ResourceStatusCreateFailed,
			"Resource handler returned message: \"Table already exists: orderflow-dev-orders\""),
		event("e2", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusRollbackInProgress,
			"The following resource(s) failed to create: [OrdersTable]. Rollback requested by user."),
		event("e3", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusRollbackComplete, ""),
	}
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(nil, notFound()).Once()
	f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeCreate)).
		Return(&cloudformation.CreateChangeSetOutput{Id: aws.String(csID)}, nil).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusCreateComplete, "",
		change(types.ChangeActionAdd, "OrdersTable", "AWS::DynamoDB::Table", ""),
	), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(review), nil).Once()
	f.cfn.EXPECT().ExecuteChangeSet(mock.Anything, mock.Anything).Return(&cloudformation.ExecuteChangeSetOutput{}, nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusRollbackComplete), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(failed...), nil).Once()

	_, err := f.d.Deploy(context.Background(), template)
	if err == nil || !strings.Contains(err.Error(), "OrdersTable (AWS::DynamoDB::Table) CREATE_FAILED") ||
		!strings.Contains(err.Error(), "Table already exists") {
		t.Fatalf("Deploy error = %v, want one naming OrdersTable and its reason", err)
	}

	// The next deploy finds the stack in ROLLBACK_COMPLETE: it deletes it, then creates.
	g := newFixture(t)
	g.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusRollbackComplete), nil).Twice()
	g.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(failed...), nil).Once()
	g.cfn.EXPECT().DeleteStack(mock.Anything, mock.Anything).Return(&cloudformation.DeleteStackOutput{}, nil).Once()
	g.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusDeleteComplete), nil).Once()
	g.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(failed...), nil).Once()
	g.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeCreate)).
		Return(nil, errors.New("stop here: the CREATE change set is what this test is after")).Once()
	_, err = g.d.Deploy(context.Background(), template)
	if err == nil || !strings.Contains(err.Error(), "stop here") {
		t.Fatalf("second Deploy error = %v, want the stub's", err)
	}
	if !strings.Contains(g.out.String(), "deleting it before creating it again") {
		t.Errorf("output does not say the rolled-back stack is deleted:\n%s", g.out)
	}
}

// TestDeployDoesNotTrustAStaleStatus: right after ExecuteChangeSet, DescribeStacks may
// still show the status from before the update; the deploy waits for the stack's own
// final event instead of declaring success.
func TestDeployDoesNotTrustAStaleStatus(t *testing.T) {
	f := newFixture(t)
	old := event("e0", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateComplete, "")
	started := event("e1", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateInProgress, "User Initiated")
	done := event("e2", stackName, "AWS::CloudFormation::Stack", types.ResourceStatusUpdateComplete, "")
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete), nil).Once()
	f.cfn.EXPECT().CreateChangeSet(mock.Anything, changeSetOfType(types.ChangeSetTypeUpdate)).
		Return(&cloudformation.CreateChangeSetOutput{Id: aws.String(csID)}, nil).Once()
	f.cfn.EXPECT().DescribeChangeSet(mock.Anything, mock.Anything).Return(changeSet(types.ChangeSetStatusCreateComplete, "",
		change(types.ChangeActionModify, "OrdersQueue", "AWS::SQS::Queue", types.ReplacementFalse),
	), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(old), nil).Once()
	f.cfn.EXPECT().ExecuteChangeSet(mock.Anything, mock.Anything).Return(&cloudformation.ExecuteChangeSetOutput{}, nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(old), nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateInProgress), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(old, started), nil).Once()
	f.cfn.EXPECT().DescribeStacks(mock.Anything, mock.Anything).Return(stackIs(types.StackStatusUpdateComplete), nil).Once()
	f.cfn.EXPECT().DescribeStackEvents(mock.Anything, mock.Anything).Return(newestFirst(old, started, done), nil).Once()

	res, err := f.d.Deploy(context.Background(), template)
	if err != nil || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("Deploy = %+v, %v; want UPDATE_COMPLETE", res, err)
	}
	if !strings.Contains(f.out.String(), "UPDATE_IN_PROGRESS") {
		t.Errorf("deploy returned before the update's events:\n%s", f.out)
	}
}
