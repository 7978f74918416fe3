package esm_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
)

// armedClock is a manual clock that tells the test each time a timer is
// set, so it advances time only once the scaler waits.
type armedClock struct {
	*clock.Manual
	armed chan struct{}
}

func (c armedClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := c.Manual.AfterFunc(d, f)
	c.armed <- struct{}{}
	return t
}

// fakeQueue hands out full receives while its backlog lasts and blocks
// receivers (as a long poll) when it is empty.
type fakeQueue struct {
	mu      sync.Mutex
	backlog int
	seq     int
	refill  chan struct{}
}

func (q *fakeQueue) setBacklog(n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.backlog = n
	close(q.refill)
	q.refill = make(chan struct{})
}

func (q *fakeQueue) QueueURL(context.Context, string) (string, error) { return "q", nil }

func (q *fakeQueue) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
	for {
		q.mu.Lock()
		if q.backlog > 0 {
			out := &sqs.ReceiveMessageOutput{}
			for range min(*in.MaxNumberOfMessages, q.backlog) {
				q.seq++
				id := strconv.Itoa(q.seq)
				out.Messages = append(out.Messages, sqs.Message{MessageID: id, ReceiptHandle: id, Body: "m" + id})
			}
			q.backlog -= len(out.Messages)
			q.mu.Unlock()
			return out, nil
		}
		refill := q.refill
		q.mu.Unlock()
		select {
		case <-refill:
		case <-ctx.Done():
			return &sqs.ReceiveMessageOutput{}, nil
		}
	}
}

func (q *fakeQueue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, sqs.BatchResultEntry{ID: e.ID})
	}
	return out, nil
}

func (q *fakeQueue) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput) (*sqs.AttributesOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return &sqs.AttributesOutput{Attributes: map[string]string{"ApproximateNumberOfMessages": strconv.Itoa(q.backlog)}}, nil
}

func (q *fakeQueue) SendToARN(context.Context, string, string, map[string]sqs.MessageAttributeValue) (string, error) {
	return "", nil
}

// gatedInvoker holds every invocation until release is closed.
type gatedInvoker struct{ release chan struct{} }

func (g gatedInvoker) Invoke(ctx context.Context, _ pool.Request) (*pool.Response, error) {
	select {
	case <-g.release:
		return &pool.Response{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// On a controlled clock the pollers grow by exactly five a second (300 a
// minute) while the queue has a backlog, stop at MaximumConcurrency, and
// return to five at the first sample that finds the queue empty.
func TestSQSScalingRateOnManualClock(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	clk := armedClock{Manual: clock.NewManual(time.Unix(1_800_000_000, 0)), armed: make(chan struct{}, 16)}
	q := &fakeQueue{backlog: 10_000, refill: make(chan struct{})}
	inv := gatedInvoker{release: make(chan struct{})}
	m, err := esm.New(esm.Config{Store: e.st, Clock: clk, IDs: e.ids, Region: region, Account: account, Invoker: inv, Queues: q})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders", FunctionName: "ingest",
		ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: new(17)}})
	if err != nil {
		t.Fatal(err)
	}
	tick := func() {
		t.Helper()
		select {
		case <-clk.armed:
		case <-ctx.Done():
			t.Fatal("the scaler never waited")
		}
		clk.Advance(time.Second)
	}
	for _, want := range []int{5, 10, 15, 17, 17} {
		waitFigures(t, ctx, m, mp.UUID, fmt.Sprintf("%d busy pollers", want), func(f esm.Figures) bool {
			return f.Pollers == want && f.Concurrency == want
		})
		tick()
	}
	if f := m.Figures(mp.UUID); f.Target != 17 || f.Backlog == 0 {
		t.Fatalf("at the cap: %+v", f)
	}
	// The queue drains: the next sample finds it empty and the idle
	// pollers beyond five stop.
	q.setBacklog(0)
	close(inv.release)
	waitFigures(t, ctx, m, mp.UUID, "pollers idle", func(f esm.Figures) bool { return f.Concurrency == 0 && f.Deleted == 170 })
	tick()
	f := waitFigures(t, ctx, m, mp.UUID, "scale-in", func(f esm.Figures) bool { return f.Pollers == 5 })
	if f.Target != 5 || f.Backlog != 0 || f.PeakPollers != 17 {
		t.Fatalf("after scale-in: %+v", f)
	}
}
