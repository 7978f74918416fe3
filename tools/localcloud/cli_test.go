package localcloud_test

import (
	"fmt"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

func newCLI(t *testing.T, endpoint, key, secret string) *localcloudtest.CLI {
	return localcloudtest.NewCLI(t, endpoint, key, secret)
}

func TestAWSCLI(t *testing.T) {
	env := localcloudtest.Start(t)
	cli := newCLI(t, env.URL, "test", "test")

	var id struct{ Account, Arn string }
	cli.OK(&id, "sts", "get-caller-identity")
	if id.Account != "000000000000" {
		t.Fatalf("identity = %+v", id)
	}

	var q struct{ QueueUrl string }
	cli.OK(&q, "sqs", "create-queue", "--queue-name", "cli", "--attributes", "VisibilityTimeout=60")
	if q.QueueUrl != env.URL+"/000000000000/cli" {
		t.Fatalf("queue url = %s", q.QueueUrl)
	}
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	// The CLI checks both MD5s against what it sent.
	cli.OK(&sent, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "hello from the cli",
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
	cli.OK(&recv, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--attribute-names", "All", "--message-attribute-names", "All")
	if len(recv.Messages) != 1 || recv.Messages[0].Body != "hello from the cli" || recv.Messages[0].Attributes["ApproximateReceiveCount"] != "1" ||
		recv.Messages[0].MD5OfMessageAttributes != sent.MD5OfMessageAttributes {
		t.Fatalf("received %+v", recv)
	}
	cli.OK(nil, "sqs", "delete-message", "--queue-url", q.QueueUrl, "--receipt-handle", recv.Messages[0].ReceiptHandle)
	var attrs struct{ Attributes map[string]string }
	cli.OK(&attrs, "sqs", "get-queue-attributes", "--queue-url", q.QueueUrl, "--attribute-names", "All")
	if attrs.Attributes["VisibilityTimeout"] != "60" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("attributes = %v", attrs.Attributes)
	}
	var list struct{ QueueUrls []string }
	cli.OK(&list, "sqs", "list-queues")
	if len(list.QueueUrls) != 1 {
		t.Fatalf("list-queues = %v", list)
	}

	cli.Fails("AWS.SimpleQueueService.NonExistentQueue", "sqs", "get-queue-url", "--queue-name", "missing")
	var entries []string
	for i := range 11 {
		entries = append(entries, fmt.Sprintf("Id=m%d,MessageBody=b", i))
	}
	cli.Fails("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", append([]string{"sqs", "send-message-batch", "--queue-url", q.QueueUrl, "--entries"}, entries...)...)
	cli.Fails("ReceiptHandleIsInvalid", "sqs", "delete-message", "--queue-url", q.QueueUrl, "--receipt-handle", "bogus")
	cli.Fails("InvalidAttributeName", "sqs", "get-queue-attributes", "--queue-url", q.QueueUrl, "--attribute-names", "Bogus")

	var topic struct{ TopicArn string }
	cli.OK(&topic, "sns", "create-topic", "--name", "cli-topic")
	qArn := "arn:aws:sqs:us-east-1:000000000000:cli"
	cli.OK(nil, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", qArn,
		"--attributes", "RawMessageDelivery=true")
	var pub struct{ MessageId string }
	cli.OK(&pub, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "fanned out")
	cli.OK(&recv, "sqs", "receive-message", "--queue-url", q.QueueUrl)
	if len(recv.Messages) != 1 || recv.Messages[0].Body != "fanned out" {
		t.Fatalf("after publish the queue holds %+v", recv)
	}
	var subs struct {
		Subscriptions []struct{ Protocol, Endpoint string }
	}
	cli.OK(&subs, "sns", "list-subscriptions")
	if len(subs.Subscriptions) != 1 || subs.Subscriptions[0].Endpoint != qArn {
		t.Fatalf("subscriptions = %+v", subs)
	}
	cli.Fails("NotFound", "sns", "get-topic-attributes", "--topic-arn", topic.TopicArn+"-missing")

	newCLI(t, env.URL, "test", "wrong").Fails("SignatureDoesNotMatch", "sts", "get-caller-identity")
	newCLI(t, env.URL, "nobody", "test").Fails("InvalidClientTokenId", "sqs", "list-queues")
}
