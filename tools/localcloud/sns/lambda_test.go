package sns

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/mail"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

type recordingInvoker struct {
	arn     string
	payload []byte
}

func (r *recordingInvoker) InvokeEvent(_ context.Context, arn string, payload []byte) error {
	r.arn, r.payload = arn, payload
	return nil
}

type noQueues struct{}

func (noQueues) SendToARN(context.Context, string, string, map[string]sqs.MessageAttributeValue) (string, error) {
	return "", nil
}

// The event a subscribed function receives decodes into aws-lambda-go's
// events.SNSEvent, the type orderflow's functions use.
func TestLambdaDeliveryEventShape(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mb, err := mail.Open(filepath.Join(dir, "mail"))
	if err != nil {
		t.Fatal(err)
	}
	inv := &recordingInvoker{}
	svc, err := New(Config{Store: st, Clock: clock.NewManual(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)), IDs: ids.New(rand.Reader),
		Account: "000000000000", Region: "us-east-1", Queues: noQueues{}, Mailbox: mb, Functions: inv, PublicURL: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	topic, err := svc.CreateTopic(ctx, &CreateTopicInput{Name: "events"})
	if err != nil {
		t.Fatal(err)
	}
	fn := "arn:aws:lambda:us-east-1:000000000000:function:notifier"
	sub, err := svc.Subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: "lambda", Endpoint: fn})
	if err != nil {
		t.Fatal(err)
	}
	v := "order_placed"
	msg := "hello"
	if _, err := svc.Publish(ctx, &PublishInput{TopicArn: topic.TopicArn, Message: &msg,
		MessageAttributes: map[string]MessageAttributeValue{"event": {DataType: "String", StringValue: &v}}}); err != nil {
		t.Fatal(err)
	}
	if inv.arn != fn {
		t.Fatalf("invoked %q", inv.arn)
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(inv.payload, &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Records) != 1 {
		t.Fatalf("records = %d", len(ev.Records))
	}
	r := ev.Records[0]
	if r.EventSource != "aws:sns" || r.EventSubscriptionArn != sub.SubscriptionArn || r.SNS.Message != "hello" ||
		r.SNS.TopicArn != topic.TopicArn || r.SNS.Type != "Notification" || r.SNS.UnsubscribeURL == "" || r.SNS.SigningCertURL == "" ||
		r.SNS.Timestamp.IsZero() {
		t.Fatalf("record = %+v", r)
	}
	if a, ok := r.SNS.MessageAttributes["event"].(map[string]any); !ok || a["Value"] != "order_placed" {
		t.Fatalf("attributes = %+v", r.SNS.MessageAttributes)
	}
}
