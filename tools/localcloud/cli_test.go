package localcloud_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// awsCLI runs the AWS CLI against endpoint with the given credentials and
// an empty configuration, returning stdout, stderr and the exit code.
type awsCLI struct {
	t        *testing.T
	bin      string
	endpoint string
	env      []string
}

func newCLI(t *testing.T, endpoint, key, secret string) *awsCLI {
	bin := localcloudtest.RequireTool(t, "aws")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	return &awsCLI{t: t, bin: bin, endpoint: endpoint, env: env}
}

func (c *awsCLI) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"--endpoint-url", c.endpoint, "--output", "json"}, args...)...)
	cmd.Env = c.env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("aws %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed and decodes its JSON output.
func (c *awsCLI) ok(v any, args ...string) {
	c.t.Helper()
	out, errOut, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			c.t.Fatalf("aws %s: output %q: %v", strings.Join(args, " "), out, err)
		}
	}
}

// fails runs a command that must fail with errCode in its message.
func (c *awsCLI) fails(errCode string, args ...string) {
	c.t.Helper()
	_, errOut, code := c.run(args...)
	if code == 0 || !strings.Contains(errOut, "("+errCode+")") {
		c.t.Fatalf("aws %s: exit %d, stderr %q; want error (%s)", strings.Join(args, " "), code, errOut, errCode)
	}
}

func TestAWSCLI(t *testing.T) {
	env := localcloudtest.Start(t)
	cli := newCLI(t, env.URL, "test", "test")

	var id struct{ Account, Arn string }
	cli.ok(&id, "sts", "get-caller-identity")
	if id.Account != "000000000000" {
		t.Fatalf("identity = %+v", id)
	}

	var q struct{ QueueUrl string }
	cli.ok(&q, "sqs", "create-queue", "--queue-name", "cli", "--attributes", "VisibilityTimeout=60")
	if q.QueueUrl != env.URL+"/000000000000/cli" {
		t.Fatalf("queue url = %s", q.QueueUrl)
	}
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	// The CLI checks both MD5s against what it sent.
	cli.ok(&sent, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "hello from the cli",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"order"},"n":{"DataType":"Number","StringValue":"42"},"b":{"DataType":"Binary","BinaryValue":"AAEC"}}`)
	if sent.MD5OfMessageAttributes == "" {
		t.Fatal("no attribute MD5")
	}
	var recv struct {
		Messages []struct {
			Body, ReceiptHandle, MD5OfMessageAttributes string
			Attributes                                  map[string]string
		}
	}
	cli.ok(&recv, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--attribute-names", "All", "--message-attribute-names", "All")
	if len(recv.Messages) != 1 || recv.Messages[0].Body != "hello from the cli" || recv.Messages[0].Attributes["ApproximateReceiveCount"] != "1" ||
		recv.Messages[0].MD5OfMessageAttributes != sent.MD5OfMessageAttributes {
		t.Fatalf("received %+v", recv)
	}
	cli.ok(nil, "sqs", "delete-message", "--queue-url", q.QueueUrl, "--receipt-handle", recv.Messages[0].ReceiptHandle)
	var attrs struct{ Attributes map[string]string }
	cli.ok(&attrs, "sqs", "get-queue-attributes", "--queue-url", q.QueueUrl, "--attribute-names", "All")
	if attrs.Attributes["VisibilityTimeout"] != "60" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("attributes = %v", attrs.Attributes)
	}
	var list struct{ QueueUrls []string }
	cli.ok(&list, "sqs", "list-queues")
	if len(list.QueueUrls) != 1 {
		t.Fatalf("list-queues = %v", list)
	}

	cli.fails("AWS.SimpleQueueService.NonExistentQueue", "sqs", "get-queue-url", "--queue-name", "missing")
	var entries []string
	for i := range 11 {
		entries = append(entries, fmt.Sprintf("Id=m%d,MessageBody=b", i))
	}
	cli.fails("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", append([]string{"sqs", "send-message-batch", "--queue-url", q.QueueUrl, "--entries"}, entries...)...)
	cli.fails("ReceiptHandleIsInvalid", "sqs", "delete-message", "--queue-url", q.QueueUrl, "--receipt-handle", "bogus")
	cli.fails("InvalidAttributeName", "sqs", "get-queue-attributes", "--queue-url", q.QueueUrl, "--attribute-names", "Bogus")

	var topic struct{ TopicArn string }
	cli.ok(&topic, "sns", "create-topic", "--name", "cli-topic")
	qArn := "arn:aws:sqs:us-east-1:000000000000:cli"
	cli.ok(nil, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", qArn,
		"--attributes", "RawMessageDelivery=true")
	var pub struct{ MessageId string }
	cli.ok(&pub, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "fanned out")
	cli.ok(&recv, "sqs", "receive-message", "--queue-url", q.QueueUrl)
	if len(recv.Messages) != 1 || recv.Messages[0].Body != "fanned out" {
		t.Fatalf("after publish the queue holds %+v", recv)
	}
	var subs struct {
		Subscriptions []struct{ Protocol, Endpoint string }
	}
	cli.ok(&subs, "sns", "list-subscriptions")
	if len(subs.Subscriptions) != 1 || subs.Subscriptions[0].Endpoint != qArn {
		t.Fatalf("subscriptions = %+v", subs)
	}
	cli.fails("NotFound", "sns", "get-topic-attributes", "--topic-arn", topic.TopicArn+"-missing")

	newCLI(t, env.URL, "test", "wrong").fails("SignatureDoesNotMatch", "sts", "get-caller-identity")
	newCLI(t, env.URL, "nobody", "test").fails("InvalidClientTokenId", "sqs", "list-queues")
}
