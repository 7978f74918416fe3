package sqs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// TestDifferentialMoto runs the same SQS calls against localcloud and
// moto_server and compares what a client can observe: error codes, MD5s
// and message shapes.
func TestDifferentialMoto(t *testing.T) {
	motoURL := localcloudtest.StartMoto(t)
	env := localcloudtest.Start(t)
	clients := map[string]*sqs.Client{
		"localcloud": sqs.NewFromConfig(env.Config()),
		"moto":       sqs.NewFromConfig(localcloudtest.Config(motoURL, "test", "test")),
	}
	ctx := context.Background()
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		if err != nil {
			return "non-API error: " + err.Error()
		}
		return "ok"
	}
	type observation map[string]string
	observe := func(c *sqs.Client) observation {
		o := observation{}
		q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("diff"), Attributes: map[string]string{"VisibilityTimeout": "30"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("diff"), Attributes: map[string]string{"VisibilityTimeout": "31"}})
		o["create conflicting"] = code(err)
		sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("body"),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"s": {DataType: aws.String("String"), StringValue: aws.String("v")},
				"n": {DataType: aws.String("Number"), StringValue: aws.String("1.5")},
				"b": {DataType: aws.String("Binary"), BinaryValue: []byte("bin")},
			}})
		o["send"] = code(err)
		if err == nil {
			o["send md5 body"] = aws.ToString(sent.MD5OfMessageBody)
			o["send md5 attrs"] = aws.ToString(sent.MD5OfMessageAttributes)
		}
		recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MessageAttributeNames: []string{"All"},
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}})
		o["receive"] = code(err)
		if err == nil && len(recv.Messages) == 1 {
			m := recv.Messages[0]
			o["receive md5 attrs"] = aws.ToString(m.MD5OfMessageAttributes)
			o["receive count"] = m.Attributes["ApproximateReceiveCount"]
			o["receive attrs"] = fmt.Sprint(len(m.MessageAttributes))
		}
		_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
		o["get missing queue"] = code(err)
		var entries []types.SendMessageBatchRequestEntry
		for i := range 11 {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), MessageBody: aws.String("x")})
		}
		_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: entries})
		o["batch of 11"] = code(err)
		_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []types.SendMessageBatchRequestEntry{entries[0], entries[0]}})
		o["duplicate batch ids"] = code(err)
		_, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []types.QueueAttributeName{"Bogus"}})
		o["bogus attribute"] = code(err)
		_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 11})
		o["receive 11"] = code(err)
		_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: q.QueueUrl, ReceiptHandle: aws.String("bogus"), VisibilityTimeout: 5})
		o["change visibility bogus handle"] = code(err)
		_, err = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl})
		o["delete queue"] = code(err)

		_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("nofifoattr.fifo")})
		o["fifo name without FifoQueue"] = code(err)
		f, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("diff.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: f.QueueUrl, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
		o["fifo without group"] = code(err)
		_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: f.QueueUrl, MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
		o["fifo without dedup"] = code(err)
		var firstID string
		for i, body := range []string{"one", "one again", "two"} {
			dedup := "d1"
			if i == 2 {
				dedup = "d2"
			}
			out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: f.QueueUrl, MessageBody: aws.String(body),
				MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(dedup)})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				firstID = aws.ToString(out.MessageId)
			}
			if i == 1 {
				o["fifo duplicate keeps id"] = fmt.Sprint(aws.ToString(out.MessageId) == firstID)
			}
		}
		r1, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: f.QueueUrl, MaxNumberOfMessages: 1})
		if err == nil && len(r1.Messages) == 1 {
			o["fifo first"] = aws.ToString(r1.Messages[0].Body)
		}
		r2, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: f.QueueUrl, MaxNumberOfMessages: 10})
		if err == nil {
			o["fifo while group in flight"] = fmt.Sprint(len(r2.Messages))
		}
		return o
	}
	got := map[string]observation{}
	for name, c := range clients {
		got[name] = observe(c)
	}
	t.Logf("moto: %v\nlocalcloud: %v", got["moto"], got["localcloud"])
	// Where moto departs from AWS, localcloud follows AWS's documentation.
	motoDeviations := map[string]string{
		// "If you don't specify the FifoQueue attribute, Amazon SQS creates
		// a standard queue" — and a standard queue's name cannot end in
		// .fifo. moto creates a FIFO queue.
		"fifo name without FifoQueue": "InvalidParameterValue",
		// A duplicate inside the deduplication window is acknowledged with
		// the original message's ID; moto mints a new one.
		"fifo duplicate keeps id": "true",
	}
	for k, want := range got["moto"] {
		if documented, ok := motoDeviations[k]; ok {
			want = documented
		}
		if have := got["localcloud"][k]; have != want {
			t.Errorf("%s: localcloud %q, want %q (moto %q)", k, have, want, got["moto"][k])
		}
	}
}
