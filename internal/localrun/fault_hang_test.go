package localrun

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orderflow/orderflow/internal/artifact"
)

// hangFunctionZip builds testdata/hangfn for this machine and zips it as bootstrap.
func hangFunctionZip(t *testing.T) []byte {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, ".")
	build.Dir = filepath.Join("testdata", "hangfn")
	build.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build testdata/hangfn: %v\n%s", err, out)
	}
	z, err := artifact.WriteBootstrapZip(bin+".zip", bin)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(z.Path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// hangingFunction deploys a function of its own (testdata/hangfn) with a one-second
// timeout on a queue of its own: its first invocation for a message hangs, Lambda
// times it out, and the message, visible again, succeeds on a retry and is deleted.
func (s *faultSystem) hangingFunction(t *testing.T) {
	s = s.on(t)
	ctx := t.Context()
	name := "fault-hang"
	code := hangFunctionZip(t)

	q, err := s.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name),
		Attributes: map[string]string{string(sqstypes.QueueAttributeNameVisibilityTimeout): "2"}})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	qa, err := s.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	queueArn := qa.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]

	roles := iam.NewFromConfig(s.cfg)
	role, err := roles.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:ChangeMessageVisibility","sqs:GetQueueAttributes"],"Resource":%q},
		{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`, queueArn)
	if _, err := roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("consume"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}

	state := t.TempDir()
	fns := lambda.NewFromConfig(s.cfg)
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: role.Role.Arn, Code: &lambdatypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(1),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"STATE_DIR": state}},
	}); err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	waiter := lambda.NewFunctionActiveV2Waiter(fns)
	if err := waiter.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("function %s not active: %v", name, err)
	}
	if _, err := fns.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(name), EventSourceArn: aws.String(queueArn), BatchSize: aws.Int32(1),
	}); err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}

	sent, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hang once")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(sent.MessageId)
	group := "/aws/lambda/" + name
	waitUntil(t, "message processed on a retry", 45*time.Second, func() (bool, string) {
		_, err := os.Stat(filepath.Join(state, id+".done"))
		if errors.Is(err, os.ErrNotExist) {
			_, seenErr := os.Stat(filepath.Join(state, id+".seen"))
			return false, fmt.Sprintf("first delivery seen: %v", seenErr == nil)
		}
		return err == nil, fmt.Sprint(err)
	})
	waitUntil(t, "message deleted from its queue", 15*time.Second, func() (bool, string) {
		n := s.queueDepth(aws.ToString(q.QueueUrl))
		return n == 0, fmt.Sprintf("%d messages visible or in flight", n)
	})
	if n := len(s.logLines(group, "Task timed out after 1.00 seconds")); n != 1 {
		t.Errorf("%d %q lines in %s, want 1", n, "Task timed out after 1.00 seconds", group)
	}
	hung := s.logLines(group, "hanging on message "+id+" (receive 1)")
	done := s.logLines(group, "processed message "+id)
	if len(hung) != 1 || len(done) != 1 || !strings.Contains(done[0], "(receive 2)") {
		t.Errorf("function log: hung %q, processed %q; want one hang on receive 1 and one success on receive 2", hung, done)
	}
}
