package sqs_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

func newClient(t *testing.T) (*sqs.Client, *localcloudtest.Env) {
	t.Helper()
	env := localcloudtest.Start(t)
	return sqs.NewFromConfig(env.Config()), env
}

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

func queueArn(t *testing.T, c *sqs.Client, url string) string {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["QueueArn"]
}

func TestQueueLifecycle(t *testing.T) {
	c, env := newClient(t)
	ctx := context.Background()
	url := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"})
	if want := env.URL + "/000000000000/orders"; url != want {
		t.Fatalf("queue url = %s, want %s", url, want)
	}
	// Same attributes: idempotent. Different: QueueNameExists.
	if again := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"}); again != url {
		t.Fatalf("second create returned %s", again)
	}
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "46"}})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Fatalf("create with other attributes: %v", err)
	}
	wantCode(t, err, "QueueAlreadyExists")

	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var dne *types.QueueDoesNotExist
	if !errors.As(err, &dne) {
		t.Fatalf("GetQueueUrl missing: %v", err)
	}
	wantCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")

	for _, n := range []string{"orders-dlq", "other"} {
		createQueue(t, c, n, nil)
	}
	list, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("orders")})
	if err != nil || len(list.QueueUrls) != 2 {
		t.Fatalf("ListQueues prefix = %v, %v", list, err)
	}
	page1, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(2)})
	if err != nil || len(page1.QueueUrls) != 2 || page1.NextToken == nil {
		t.Fatalf("page1 = %+v, %v", page1, err)
	}
	page2, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(2), NextToken: page1.NextToken})
	if err != nil || len(page2.QueueUrls) != 1 || page2.NextToken != nil {
		t.Fatalf("page2 = %+v, %v", page2, err)
	}

	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"VisibilityTimeout": "45", "MessageRetentionPeriod": "345600",
		"ApproximateNumberOfMessages": "0", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders", "DelaySeconds": "0"} {
		if attrs.Attributes[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}
	_, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Bogus"}})
	wantCode(t, err, "InvalidAttributeName")
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Bogus": "1"}})
	wantCode(t, err, "InvalidAttributeName")
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "99999"}})
	wantCode(t, err, "InvalidAttributeValue")
	if _, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"DelaySeconds": "5"}}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"team": "a", "env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "a" {
		t.Fatalf("tags = %v, %v", tags, err)
	}

	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	wantCode(t, err, "AWS.SimpleQueueService.PurgeQueueInProgress")
	env.Clock.Advance(61 * time.Second)
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatalf("purge after a minute: %v", err)
	}

	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	if !errors.As(err, &dne) {
		t.Fatalf("send to deleted queue: %v", err)
	}
}

func TestSendReceiveDelete(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	url := createQueue(t, c, "q", nil)
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(url), MessageBody: aws.String(`{"item":"latex gloves"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("order")},
			"n":     {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"bytes": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(sent.MD5OfMessageAttributes) == "" {
		t.Fatal("no MD5OfMessageAttributes")
	}
	recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recv.Messages) != 1 {
		t.Fatalf("received %d messages", len(recv.Messages))
	}
	m := recv.Messages[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != `{"item":"latex gloves"}` {
		t.Fatalf("message = %+v", m)
	}
	if aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) {
		t.Fatalf("attribute MD5 %s != sent %s", aws.ToString(m.MD5OfMessageAttributes), aws.ToString(sent.MD5OfMessageAttributes))
	}
	if string(m.MessageAttributes["bytes"].BinaryValue) != "\x00\x01\x02" || aws.ToString(m.MessageAttributes["n"].StringValue) != "3" {
		t.Fatalf("attributes = %+v", m.MessageAttributes)
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SenderId"] != "000000000000" || m.Attributes["SentTimestamp"] == "" {
		t.Fatalf("system attributes = %v", m.Attributes)
	}
	// In flight: a second receive sees nothing.
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("in-flight message received again: %v %v", again, err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	var rhi *types.ReceiptHandleIsInvalid
	if !errors.As(err, &rhi) {
		t.Fatalf("delete with garbage handle: %v", err)
	}
	attrs, _ := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("counts after delete = %v", attrs.Attributes)
	}
}

func TestMessageValidation(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	url := createQueue(t, c, "q", map[string]string{"MaximumMessageSize": "1024"})
	tests := []struct {
		name string
		in   *sqs.SendMessageInput
		code string
	}{
		{"bad chars", &sqs.SendMessageInput{MessageBody: aws.String("a\x00b")}, "InvalidMessageContents"},
		{"too big", &sqs.SendMessageInput{MessageBody: aws.String(strings.Repeat("x", 1025))}, "InvalidParameterValue"},
		{"delay", &sqs.SendMessageInput{MessageBody: aws.String("x"), DelaySeconds: 901}, "InvalidParameterValue"},
		{"reserved attr", &sqs.SendMessageInput{MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{
			"AWS.x": {DataType: aws.String("String"), StringValue: aws.String("v")}}}, "InvalidParameterValue"},
		{"bad number", &sqs.SendMessageInput{MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{
			"n": {DataType: aws.String("Number"), StringValue: aws.String("abc")}}}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.QueueUrl = aws.String(url)
			_, err := c.SendMessage(ctx, tt.in)
			wantCode(t, err, tt.code)
		})
	}
	_, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad name!")})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"Nope": "1"}})
	wantCode(t, err, "InvalidAttributeName")
}

func TestBatches(t *testing.T) {
	c, env := newClient(t)
	ctx := context.Background()
	url := createQueue(t, c, "q", nil)
	var entries []types.SendMessageBatchRequestEntry
	for i := range 10 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("m%d", i)), MessageBody: aws.String(fmt.Sprintf("body %d", i))})
	}
	bad := append([]types.SendMessageBatchRequestEntry{}, entries[:2]...)
	bad = append(bad, types.SendMessageBatchRequestEntry{Id: aws.String("bad"), MessageBody: aws.String("\x01")})
	out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: bad})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "bad" ||
		aws.ToString(out.Failed[0].Code) != "InvalidMessageContents" || !out.Failed[0].SenderFault {
		t.Fatalf("partial batch = %+v", out)
	}
	if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries[2:]}); err != nil {
		t.Fatal(err)
	}

	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: append(entries, entries[0])})
	var tooMany *types.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Fatalf("11 entries: %v", err)
	}
	wantCode(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{entries[0], entries[0]}})
	wantCode(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
	_, err = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{}})
	wantCode(t, err, "AWS.SimpleQueueService.EmptyBatchRequest")
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{{Id: aws.String("no spaces"), MessageBody: aws.String("x")}}})
	wantCode(t, err, "AWS.SimpleQueueService.InvalidBatchEntryId")

	seen := map[string]bool{}
	var handles []types.DeleteMessageBatchRequestEntry
	var vis []types.ChangeMessageVisibilityBatchRequestEntry
	for range 3 {
		r, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range r.Messages {
			seen[aws.ToString(m.Body)] = true
			id := aws.String(fmt.Sprintf("e%d", len(handles)+i))
			_ = id
		}
		for _, m := range r.Messages {
			id := aws.String(fmt.Sprintf("e%d", len(handles)))
			if len(handles) < 10 {
				handles = append(handles, types.DeleteMessageBatchRequestEntry{Id: id, ReceiptHandle: m.ReceiptHandle})
				vis = append(vis, types.ChangeMessageVisibilityBatchRequestEntry{Id: id, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
			}
		}
	}
	if len(seen) != 10 {
		t.Fatalf("received %d distinct bodies, want 10", len(seen))
	}
	cv, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url),
		Entries: append(vis[:1:1], types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String("junk"), ReceiptHandle: aws.String("junk"), VisibilityTimeout: 5})})
	if err != nil || len(cv.Successful) != 1 || len(cv.Failed) != 1 || aws.ToString(cv.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("change visibility batch = %+v, %v", cv, err)
	}
	// The first message is visible again; receiving it issues a new handle,
	// so its old handle no longer deletes it.
	r, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(r.Messages) != 1 {
		t.Fatalf("receive after visibility 0: %v %v", r, err)
	}
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: handles})
	if err != nil || len(del.Successful) != 10 {
		t.Fatalf("delete batch = %+v, %v", del, err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: r.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Hour)
	left, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if len(left.Messages) != 0 {
		t.Fatalf("%d messages left after deleting all", len(left.Messages))
	}
}

func TestVisibilityTimeoutAndDeadLetterQueue(t *testing.T) {
	c, env := newClient(t)
	ctx := context.Background()
	dlqURL := createQueue(t, c, "orders-dlq", nil)
	dlqArn := queueArn(t, c, dlqURL)
	url := createQueue(t, c, "orders", map[string]string{
		"VisibilityTimeout": "30",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"2"}`,
	})
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("poison")})
	if err != nil {
		t.Fatal(err)
	}
	receive := func(u string) []types.Message {
		t.Helper()
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(u),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	sentAt := ""
	for i := 1; i <= 2; i++ {
		got := receive(url)
		if len(got) != 1 || got[0].Attributes["ApproximateReceiveCount"] != strconv.Itoa(i) {
			t.Fatalf("receive %d: %+v", i, got)
		}
		sentAt = got[0].Attributes["SentTimestamp"]
		env.Clock.Advance(29 * time.Second)
		if got := receive(url); len(got) != 0 {
			t.Fatalf("message visible before its timeout on receive %d", i)
		}
		env.Clock.Advance(time.Second)
	}
	if got := receive(url); len(got) != 0 {
		t.Fatalf("message received a third time instead of moving to the DLQ: %+v", got)
	}
	dl := receive(dlqURL)
	if len(dl) != 1 || aws.ToString(dl[0].MessageId) != aws.ToString(sent.MessageId) ||
		dl[0].Attributes["DeadLetterQueueSourceArn"] != queueArn(t, c, url) {
		t.Fatalf("dead-letter queue holds %+v", dl)
	}
	// A standard queue's message keeps its enqueue timestamp in the dead-letter
	// queue, so its retention there counts from the original send.
	if got := dl[0].Attributes["SentTimestamp"]; sentAt == "" || got != sentAt {
		t.Errorf("SentTimestamp in the dead-letter queue %s, want the original %s", got, sentAt)
	}
	src, err := c.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlqURL)})
	if err != nil || len(src.QueueUrls) != 1 || src.QueueUrls[0] != url {
		t.Fatalf("dead-letter sources = %v, %v", src, err)
	}

	// Redrive back to the source.
	env.Clock.Advance(30 * time.Second)
	task, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn)})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqArn)})
	if err != nil || len(tasks.Results) != 1 || aws.ToString(tasks.Results[0].TaskHandle) != aws.ToString(task.TaskHandle) ||
		aws.ToString(tasks.Results[0].Status) != "COMPLETED" || tasks.Results[0].ApproximateNumberOfMessagesMoved != 1 {
		t.Fatalf("move tasks = %+v, %v", tasks, err)
	}
	back := receive(url)
	if len(back) != 1 || aws.ToString(back[0].Body) != "poison" || back[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("after redrive the source holds %+v", back)
	}
	_, err = c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(queueArn(t, c, url))})
	wantCode(t, err, "InvalidParameterValue")
}

func TestChangeVisibilityDelayAndRetention(t *testing.T) {
	c, env := newClient(t)
	ctx := context.Background()
	url := createQueue(t, c, "q", map[string]string{"MessageRetentionPeriod": "60"})
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("later"), DelaySeconds: 10}); err != nil {
		t.Fatal(err)
	}
	if r, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(r.Messages) != 0 {
		t.Fatal("delayed message delivered early")
	}
	attrs, _ := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesDelayed"}})
	if attrs.Attributes["ApproximateNumberOfMessagesDelayed"] != "1" {
		t.Fatalf("delayed count = %v", attrs.Attributes)
	}
	env.Clock.Advance(10 * time.Second)
	r, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(r.Messages) != 1 {
		t.Fatalf("after delay: %v %v", r, err)
	}
	h := r.Messages[0].ReceiptHandle
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: h, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: h, VisibilityTimeout: 10})
	var notInflight *types.MessageNotInflight
	if !errors.As(err, &notInflight) {
		t.Fatalf("change visibility of a visible message: %v", err)
	}
	env.Clock.Advance(61 * time.Second)
	if r, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); len(r.Messages) != 0 {
		t.Fatal("message outlived its retention period")
	}
}

func TestLongPoll(t *testing.T) {
	c, env := newClient(t)
	ctx := context.Background()
	url := createQueue(t, c, "q", nil)
	longPoll := func() <-chan *sqs.ReceiveMessageOutput {
		done := make(chan *sqs.ReceiveMessageOutput, 1)
		go func() {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20, VisibilityTimeout: 5})
			if err != nil {
				t.Error(err)
			}
			done <- out
		}()
		// The poll registers a clock timer for its deadline once it waits
		// (other services' housekeeping timers are minutes ahead).
		waitUntil(t, "long poll waiting", func() bool { return env.Clock.PendingWithin(20*time.Second) > 0 })
		return done
	}

	t.Run("woken by send", func(t *testing.T) {
		done := longPoll()
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("wake")}); err != nil {
			t.Fatal(err)
		}
		out := receiveWithin(t, done)
		if out == nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "wake" {
			t.Fatalf("long poll returned %+v", out)
		}
	})
	t.Run("woken when visibility expires", func(t *testing.T) {
		done := longPoll()
		env.Clock.Advance(5 * time.Second)
		out := receiveWithin(t, done)
		if out == nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "wake" {
			t.Fatalf("long poll returned %+v", out)
		}
	})
	t.Run("times out empty", func(t *testing.T) {
		waitUntil(t, "earlier polls finished", func() bool { return env.Clock.PendingWithin(20*time.Second) == 0 })
		if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
			t.Fatal(err)
		}
		done := longPoll()
		env.Clock.Advance(20 * time.Second)
		if out := receiveWithin(t, done); out == nil || len(out.Messages) != 0 {
			t.Fatalf("long poll returned %+v", out)
		}
	})
}

func TestPermissionsAndMoveTaskErrors(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	url := createQueue(t, c, "shared", nil)
	if _, err := c.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("apigw"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("apigw"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
	wantCode(t, err, "InvalidParameterValue")
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNamePolicy}})
	if err != nil || !strings.Contains(attrs.Attributes["Policy"], `"Sid":"apigw"`) || !strings.Contains(attrs.Attributes["Policy"], "SQS:SendMessage") {
		t.Fatalf("policy = %v, %v", attrs.Attributes, err)
	}
	if _, err := c.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("apigw")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("apigw")})
	wantCode(t, err, "InvalidParameterValue")
	attrs, _ = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if _, ok := attrs.Attributes["Policy"]; ok {
		t.Fatalf("policy left after removing the last statement: %v", attrs.Attributes["Policy"])
	}

	_, err = c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String("nope")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("cancel unknown task: %v", err)
	}
	_, err = c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:missing")})
	if !errors.As(err, &rnf) {
		t.Fatalf("list tasks of a missing queue: %v", err)
	}
}

// waitUntil polls cond until it holds, failing the test after 30 s instead of hanging.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// receiveWithin takes a long poll's result, failing the test after 30 s instead of
// hanging.
func receiveWithin(t *testing.T, done <-chan *sqs.ReceiveMessageOutput) *sqs.ReceiveMessageOutput {
	t.Helper()
	select {
	case out := <-done:
		return out
	case <-time.After(30 * time.Second):
		t.Fatal("long poll did not return within 30s")
		return nil
	}
}
