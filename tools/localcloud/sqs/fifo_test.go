package sqs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

func TestFIFOQueues(t *testing.T) {
	dir := t.TempDir()
	env := localcloudtest.Start(t, localcloudtest.Options{DataDir: dir})
	c := sqs.NewFromConfig(env.Config())
	ctx := context.Background()

	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders.fifo")})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("std"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	wantCode(t, err, "InvalidAttributeName")
	url := createQueue(t, c, "orders.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "30"})

	send := func(group, dedup, body string) *sqs.SendMessageOutput {
		t.Helper()
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body),
			MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(dedup)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	wantCode(t, err, "MissingParameter")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageGroupId: aws.String("g"),
		MessageDeduplicationId: aws.String("d"), DelaySeconds: 5})
	wantCode(t, err, "InvalidParameterValue")

	a1 := send("A", "a1", "a1")
	if again := send("A", "a1", "a1 resent"); aws.ToString(again.MessageId) != aws.ToString(a1.MessageId) ||
		aws.ToString(again.SequenceNumber) != aws.ToString(a1.SequenceNumber) {
		t.Fatalf("duplicate within the window got a new message: %v vs %v", aws.ToString(again.MessageId), aws.ToString(a1.MessageId))
	}
	a2 := send("A", "a2", "a2")
	send("B", "b1", "b1")
	send("A", "a3", "a3")
	if aws.ToString(a2.SequenceNumber) <= aws.ToString(a1.SequenceNumber) {
		t.Fatalf("sequence numbers not increasing: %s then %s", aws.ToString(a1.SequenceNumber), aws.ToString(a2.SequenceNumber))
	}

	receive := func(max int32) []types.Message {
		t.Helper()
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: max,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	bodies := func(ms []types.Message) (out []string) {
		for _, m := range ms {
			out = append(out, aws.ToString(m.Body))
		}
		return out
	}
	first := receive(1)
	if got := bodies(first); len(got) != 1 || got[0] != "a1" || first[0].Attributes["MessageGroupId"] != "A" ||
		first[0].Attributes["SequenceNumber"] != aws.ToString(a1.SequenceNumber) || first[0].Attributes["MessageDeduplicationId"] != "a1" {
		t.Fatalf("first receive = %v %v", got, first[0].Attributes)
	}
	// Group A is locked while a1 is in flight: only B is served.
	if got := bodies(receive(10)); len(got) != 1 || got[0] != "b1" {
		t.Fatalf("with A in flight received %v", got)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if got := bodies(receive(10)); len(got) != 2 || got[0] != "a2" || got[1] != "a3" {
		t.Fatalf("after deleting a1 received %v, want [a2 a3] in order", got)
	}
	// a2 and a3 come back in order after their visibility timeout.
	env.Clock.Advance(30 * time.Second)
	if got := bodies(receive(1)); len(got) != 1 || got[0] != "a2" {
		t.Fatalf("after timeout received %v", got)
	}

	// The deduplication window survives a restart and ends after 5 minutes.
	env.Stop()
	env = localcloudtest.Start(t, localcloudtest.Options{DataDir: dir})
	c = sqs.NewFromConfig(env.Config())
	if again := send("A", "a1", "a1"); aws.ToString(again.MessageId) != aws.ToString(a1.MessageId) {
		t.Fatal("deduplication forgotten across restart")
	}
	env.Clock.Advance(6 * time.Minute)
	if again := send("A", "a1", "a1"); aws.ToString(again.MessageId) == aws.ToString(a1.MessageId) {
		t.Fatal("deduplication outlived its 5-minute window")
	}

	cbd := createQueue(t, c, "cbd.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	var ids []string
	for range 2 {
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(cbd), MessageBody: aws.String("same"), MessageGroupId: aws.String("g")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.MessageId))
	}
	if ids[0] != ids[1] {
		t.Fatalf("content-based deduplication sent twice: %v", ids)
	}
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(cbd),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:std-dlq","maxReceiveCount":1}`}})
	wantCode(t, err, "InvalidParameterValue")
	createQueue(t, c, "std-dlq", nil)
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(cbd),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:std-dlq","maxReceiveCount":1}`}})
	wantCode(t, err, "InvalidParameterValue")
}

// A FIFO queue's message starts a new enqueue timestamp in its dead-letter queue (a
// standard queue's keeps the original: TestVisibilityTimeoutAndDeadLetterQueue).
func TestFIFODeadLetterRestartsEnqueueTimestamp(t *testing.T) {
	env := localcloudtest.Start(t, localcloudtest.Options{NoFsync: true})
	c := sqs.NewFromConfig(env.Config())
	ctx := context.Background()
	dlq := createQueue(t, c, "failed.fifo", map[string]string{"FifoQueue": "true"})
	url := createQueue(t, c, "jobs.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "10",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + queueArn(t, c, dlq) + `","maxReceiveCount":1}`})
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")}); err != nil {
		t.Fatal(err)
	}
	all := []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}
	first, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageSystemAttributeNames: all})
	if err != nil || len(first.Messages) != 1 {
		t.Fatalf("receive: %v %v", first, err)
	}
	env.Clock.Advance(time.Hour)
	if again, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(again.Messages) != 0 {
		t.Fatalf("received again instead of moving to the dead-letter queue: %+v", again.Messages)
	}
	dl, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MessageSystemAttributeNames: all})
	if err != nil || len(dl.Messages) != 1 {
		t.Fatalf("dead-letter queue: %v %v", dl, err)
	}
	sent, moved := first.Messages[0].Attributes["SentTimestamp"], dl.Messages[0].Attributes["SentTimestamp"]
	want := strconv.FormatInt(env.Clock.Now().UnixMilli(), 10)
	if moved == sent || moved != want {
		t.Fatalf("SentTimestamp in the dead-letter queue %s (original %s), want the move time %s", moved, sent, want)
	}
}
