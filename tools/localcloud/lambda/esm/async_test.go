package esm_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/mail"
	"github.com/orderflow/orderflow/tools/localcloud/sns"
)

func (e *env) async(t *testing.T, inv esm.Invoker) *esm.AsyncInvoker {
	t.Helper()
	a, err := esm.NewAsync(esm.AsyncConfig{Store: e.st, Clock: e.clk, IDs: e.ids, Invoker: inv, TimeScale: 600})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// SNS delivers to a subscribed function through the async invoker: the
// function gets the SNS event; a failing one is tried three times in all.
func TestAsyncInvokerDeliversSNSWithRetries(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	fn := e.deploy(t, "notifier")
	a := e.async(t, e.engine)
	mb, err := mail.Open(filepath.Join(e.dir, "mail"))
	if err != nil {
		t.Fatal(err)
	}
	topics, err := sns.New(sns.Config{Store: e.st, Clock: e.clk, IDs: e.ids, Account: account, Region: region, Queues: e.queues,
		Mailbox: mb, Functions: a, PublicURL: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	defer topics.Close()
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: "order-events"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: "lambda", Endpoint: fn}); err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"order placed", "error: cannot notify"} {
		if _, err := topics.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: &msg}); err != nil {
			t.Fatal(err)
		}
	}
	raws := e.reports.wait(t, ctx, 4)
	counts := map[string]int{}
	for _, raw := range raws {
		var ev events.SNSEvent
		if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) != 1 {
			t.Fatalf("event %s: %v", raw, err)
		}
		r := ev.Records[0]
		if r.EventSource != "aws:sns" || r.SNS.TopicArn != topic.TopicArn || r.SNS.Type != "Notification" || r.SNS.MessageID == "" {
			t.Fatalf("record %+v", r)
		}
		counts[r.SNS.Message]++
	}
	if counts["order placed"] != 1 || counts["error: cannot notify"] < 1 {
		t.Fatalf("deliveries %v", counts)
	}
	// Wait for the failing event's retries to finish.
	for {
		ch := a.Changed()
		if d, dropped := a.Counts(); d == 1 && dropped == 1 {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			d, dropped := a.Counts()
			t.Fatalf("delivered %d, dropped %d", d, dropped)
		}
	}
	counts = map[string]int{}
	for _, raw := range e.reports.all() {
		var ev events.SNSEvent
		_ = json.Unmarshal(raw, &ev)
		counts[ev.Records[0].SNS.Message]++
	}
	if counts["error: cannot notify"] != 3 {
		t.Fatalf("the failing event ran %d times, want 3 (two retries)", counts["error: cannot notify"])
	}
}

// blockedInvoker never runs anything: its invocations wait until the
// invoker closes.
type blockedInvoker struct{}

func (blockedInvoker) Invoke(ctx context.Context, _ pool.Request) (*pool.Response, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// An accepted event survives a restart before it ran.
func TestAsyncInvokerResumesStoredEvents(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	fn := e.deploy(t, "notifier")
	first, err := esm.NewAsync(esm.AsyncConfig{Store: e.st, Clock: e.clk, IDs: e.ids, Invoker: blockedInvoker{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.InvokeEvent(ctx, fn, []byte(`{"Records":[{"EventSource":"aws:sns","Sns":{"Message":"kept"}}]}`)); err != nil {
		t.Fatal(err)
	}
	first.Close()
	if len(e.reports.all()) != 0 {
		t.Fatal("the blocked invoker ran the event")
	}
	a := e.async(t, e.engine)
	e.reports.wait(t, ctx, 1)
	for {
		ch := a.Changed()
		if d, _ := a.Counts(); d == 1 {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatal("event not delivered after restart")
		}
	}
	if err := a.InvokeEvent(ctx, "not-an-arn", nil); err == nil {
		t.Fatal("InvokeEvent accepted a bad ARN")
	}
}
