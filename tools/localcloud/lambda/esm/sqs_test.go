package esm_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
)

// Messages arrive in batches with AWS's SQS event shape and are deleted
// after the function succeeds.
func TestSQSBatchDeliveryAndDeletion(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	fn := e.deploy(t, "ingest")
	url, arn := e.queue(t, "orders", nil)
	var bodies []string
	for i := range 25 {
		bodies = append(bodies, fmt.Sprintf(`{"order":%d}`, i))
	}
	sender := iam.WithPrincipal(context.Background(), iam.Principal{Account: account, UserID: "AROAEXAMPLE:api"})
	str := "v"
	if _, err := e.queues.SendMessage(sender, &sqs.SendMessageInput{QueueURL: url, MessageBody: &bodies[0],
		MessageAttributes: map[string]sqs.MessageAttributeValue{"kind": {DataType: "String", StringValue: &str}}}); err != nil {
		t.Fatal(err)
	}
	e.send(t, url, bodies[1:]...)

	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest", BatchSize: new(10),
		MaximumBatchingWindowInSeconds: new(1)})
	if err != nil {
		t.Fatal(err)
	}
	if mp.State != esm.StateCreating || mp.FunctionArn != fn || mp.BatchSize != 10 {
		t.Fatalf("created %+v", mp)
	}
	waitFigures(t, ctx, m, mp.UUID, "25 deletions", func(f esm.Figures) bool { return f.Deleted == 25 })
	if v, nv := e.count(t, url); v != "0" || nv != "0" {
		t.Fatalf("queue after processing: %s visible, %s in flight", v, nv)
	}

	seen := map[string]int{}
	for _, raw := range e.reports.all() {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if len(ev.Records) == 0 || len(ev.Records) > 10 {
			t.Fatalf("batch of %d records", len(ev.Records))
		}
		for _, r := range ev.Records {
			seen[r.Body]++
			sum := md5.Sum([]byte(r.Body))
			if r.EventSource != "aws:sqs" || r.EventSourceARN != arn || r.AWSRegion != region || r.Md5OfBody != hex.EncodeToString(sum[:]) ||
				r.ReceiptHandle == "" || r.MessageId == "" || r.Attributes["ApproximateReceiveCount"] == "" ||
				r.Attributes["SentTimestamp"] == "" || r.Attributes["ApproximateFirstReceiveTimestamp"] == "" {
				t.Fatalf("record %+v", r)
			}
			if r.Body == bodies[0] {
				if r.Attributes["SenderId"] != "AROAEXAMPLE:api" || r.MessageAttributes["kind"].DataType != "String" ||
					*r.MessageAttributes["kind"].StringValue != "v" || r.Md5OfMessageAttributes == "" {
					t.Fatalf("attributes of the first record: %+v", r)
				}
			}
		}
		// The raw record keeps the list members and the null MD5 that
		// Lambda sends.
		var rawEv struct {
			Records []map[string]json.RawMessage
		}
		_ = json.Unmarshal(raw, &rawEv)
		for _, r := range rawEv.Records {
			if _, ok := r["md5OfMessageAttributes"]; !ok {
				t.Fatalf("md5OfMessageAttributes missing: %s", raw)
			}
		}
	}
	for _, b := range bodies {
		if seen[b] == 0 {
			t.Fatalf("%s never delivered (seen %v)", b, seen)
		}
	}
	got, err := m.Get(mp.UUID)
	if err != nil || got.State != esm.StateEnabled || got.LastProcessingResult != "OK" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
}

// With ReportBatchItemFailures only the reported messages return to the
// queue; the queue's redrive policy moves them to the DLQ after
// maxReceiveCount.
func TestSQSReportBatchItemFailuresReachDLQ(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	e.deploy(t, "ingest")
	dlqURL, dlqARN := e.queue(t, "orders-dlq", nil)
	url, arn := e.queue(t, "orders", map[string]string{"VisibilityTimeout": "1",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"2"}`})
	var bodies []string
	for i := range 10 {
		b := fmt.Sprintf("ok-%d", i)
		if i == 3 || i == 7 {
			b = fmt.Sprintf("fail-%d", i)
		}
		bodies = append(bodies, b)
	}
	e.send(t, url, bodies...)
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest",
		FunctionResponseTypes: []string{esm.ReportBatchItemFailures}})
	if err != nil {
		t.Fatal(err)
	}
	dead := e.drain(t, ctx, dlqURL, 2)
	sort.Strings(dead)
	if !slices.Equal(dead, []string{"fail-3", "fail-7"}) {
		t.Fatalf("DLQ holds %v", dead)
	}
	f := waitFigures(t, ctx, m, mp.UUID, "8 deletions", func(f esm.Figures) bool { return f.Deleted >= 8 })
	if f.Failed < 4 {
		t.Fatalf("failed records %d, want each failing message reported at least twice", f.Failed)
	}
	if v, nv := e.count(t, url); v != "0" || nv != "0" {
		t.Fatalf("source queue: %s visible, %s in flight", v, nv)
	}
	// The failing messages were delivered maxReceiveCount times; the
	// others left after their first successful batch.
	counts := map[string]int{}
	for _, raw := range e.reports.all() {
		var ev events.SQSEvent
		_ = json.Unmarshal(raw, &ev)
		for _, r := range ev.Records {
			counts[r.Body]++
		}
	}
	if counts["fail-3"] != 2 || counts["fail-7"] != 2 {
		t.Fatalf("deliveries %v", counts)
	}
}

// A function error leaves the whole batch in the queue, to reappear after
// its visibility timeout.
func TestSQSFunctionErrorKeepsBatch(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	e.deploy(t, "ingest")
	url, arn := e.queue(t, "orders", map[string]string{"VisibilityTimeout": "600"})
	e.send(t, url, "error one", "error two")
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest",
		FunctionResponseTypes: []string{esm.ReportBatchItemFailures}})
	if err != nil {
		t.Fatal(err)
	}
	waitFigures(t, ctx, m, mp.UUID, "a failed batch", func(f esm.Figures) bool { return f.Failed >= 2 && f.Concurrency == 0 })
	if f := m.Figures(mp.UUID); f.Deleted != 0 {
		t.Fatalf("deleted %d messages of a failed batch", f.Deleted)
	}
	if _, nv := e.count(t, url); nv != "2" {
		t.Fatalf("%s messages in flight, want 2", nv)
	}
	got, _ := m.Get(mp.UUID)
	if !strings.HasPrefix(got.LastProcessingResult, "PROBLEM") {
		t.Fatalf("LastProcessingResult %q", got.LastProcessingResult)
	}
}

// Messages that match no filter are deleted without invoking the function.
func TestSQSFilterCriteriaDropAndDelete(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	e.deploy(t, "ingest")
	url, arn := e.queue(t, "orders", nil)
	e.send(t, url, `{"kind":"order","n":1}`, `{"kind":"refund","n":2}`, `plain text`, `{"kind":"order","n":12}`, `{"kind":"order","n":3}`)
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest",
		FilterCriteria: &esm.FilterCriteria{Filters: []esm.Filter{{Pattern: `{"body":{"kind":["order"],"n":[{"numeric":["<",10]}]}}`}}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFigures(t, ctx, m, mp.UUID, "all settled", func(f esm.Figures) bool { return f.Filtered+f.Deleted == 5 })
	if f := m.Figures(mp.UUID); f.Filtered != 3 || f.Deleted != 2 {
		t.Fatalf("figures %+v", f)
	}
	for _, raw := range e.reports.all() {
		var ev events.SQSEvent
		_ = json.Unmarshal(raw, &ev)
		for _, r := range ev.Records {
			if r.Body != `{"kind":"order","n":1}` && r.Body != `{"kind":"order","n":3}` {
				t.Fatalf("unmatched message delivered: %s", r.Body)
			}
		}
	}
	if v, nv := e.count(t, url); v != "0" || nv != "0" {
		t.Fatalf("queue: %s visible, %s in flight", v, nv)
	}
}

// Under a backlog the pollers grow to MaximumConcurrency (never beyond it)
// and fall back to five when the queue drains.
func TestSQSScalesOutAndIn(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	e.cfg.TimeScale = 60 // a minute of scaling per second
	e.deploy(t, "ingest")
	url, arn := e.queue(t, "orders", map[string]string{"VisibilityTimeout": "120"})
	const n = 240
	var bodies []string
	for i := range n {
		bodies = append(bodies, fmt.Sprintf("sleep:40 #%d", i))
	}
	e.send(t, url, bodies...)
	m := e.manager(t)
	const maxConc = 12
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest", BatchSize: new(1),
		ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: new(maxConc)}})
	if err != nil {
		t.Fatal(err)
	}
	var maxPollers, maxBusy, maxBacklog int
	sample := func(f esm.Figures) {
		maxPollers = max(maxPollers, f.Pollers)
		maxBusy = max(maxBusy, f.Concurrency)
		maxBacklog = max(maxBacklog, f.Backlog)
	}
	waitFigures(t, ctx, m, mp.UUID, "scale-out", func(f esm.Figures) bool { return f.Pollers == maxConc }, sample)
	waitFigures(t, ctx, m, mp.UUID, "drain and scale-in", func(f esm.Figures) bool {
		return f.Deleted == n && f.Pollers == 5 && f.Concurrency == 0
	}, sample)
	if maxPollers != maxConc || maxBusy > maxConc || maxBusy <= 5 || maxBacklog == 0 {
		t.Fatalf("max pollers %d, max concurrency %d, max backlog %d (limit %d)", maxPollers, maxBusy, maxBacklog, maxConc)
	}
	if f := m.Figures(mp.UUID); f.PeakPollers != maxConc || f.PeakConcurrency > maxConc || f.Target != 5 {
		t.Fatalf("figures after scale-in %+v", f)
	}
	if busy := e.engine.Figures("ingest").Busy; busy != 0 {
		t.Fatalf("function still busy: %d", busy)
	}
}

// reservedEngine tells mappings the function's reserved concurrency, as
// the Lambda service will once the engine reports it.
type reservedEngine struct {
	*pool.Engine
	n int
}

func (r reservedEngine) ReservedConcurrency(string) (int, bool) { return r.n, true }

// A function's reserved concurrency caps its SQS pollers below the default
// five.
func TestSQSPollersCappedByReservedConcurrency(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	e.cfg.TimeScale = 60
	e.cfg.Invoker = reservedEngine{Engine: e.engine, n: 3}
	if err := e.engine.Deploy(ctx, pool.Function{Name: "ingest", CodeDir: filepath.Dir(bootstrap), Handler: "bootstrap",
		ReservedConcurrency: new(3), Environment: map[string]string{"FN_REPORT_URL": e.reports.srv.URL}}); err != nil {
		t.Fatal(err)
	}
	url, arn := e.queue(t, "orders", map[string]string{"VisibilityTimeout": "120"})
	var bodies []string
	for i := range 40 {
		bodies = append(bodies, fmt.Sprintf("sleep:20 #%d", i))
	}
	e.send(t, url, bodies...)
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest", BatchSize: new(1)})
	if err != nil {
		t.Fatal(err)
	}
	f := waitFigures(t, ctx, m, mp.UUID, "drain", func(f esm.Figures) bool { return f.Deleted == 40 })
	if f.PeakPollers != 3 || f.PeakConcurrency > 3 || f.Target != 3 {
		t.Fatalf("figures %+v, want pollers capped at 3", f)
	}
}

// A mapping whose function does not exist yet reports the problem and
// keeps the messages; once the function is deployed they are processed.
func TestSQSMissingFunctionKeepsMessages(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	url, arn := e.queue(t, "orders", map[string]string{"VisibilityTimeout": "1"})
	e.send(t, url, "first")
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "later"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		ch := m.Changed()
		got, _ := m.Get(mp.UUID)
		if strings.HasPrefix(got.LastProcessingResult, "PROBLEM: Function not found") {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("LastProcessingResult %q", got.LastProcessingResult)
		}
	}
	if f := m.Figures(mp.UUID); f.Deleted != 0 {
		t.Fatalf("figures %+v", f)
	}
	e.deploy(t, "later")
	waitFigures(t, ctx, m, mp.UUID, "the message processed", func(f esm.Figures) bool { return f.Deleted == 1 })
}

// A function that times out is killed; its batch returns after the
// visibility timeout, is retried, and reaches the DLQ after
// maxReceiveCount.
func TestSQSTimeoutRetriedThenDLQ(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	if err := e.engine.Deploy(ctx, pool.Function{Name: "slow", CodeDir: filepath.Dir(bootstrap), Handler: "bootstrap",
		Timeout: 300 * time.Millisecond, Environment: map[string]string{"FN_REPORT_URL": e.reports.srv.URL}}); err != nil {
		t.Fatal(err)
	}
	dlqURL, dlqARN := e.queue(t, "slow-dlq", nil)
	url, arn := e.queue(t, "slow", map[string]string{"VisibilityTimeout": "1",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"2"}`})
	e.send(t, url, "sleep:5000")
	m := e.manager(t)
	if _, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "slow"}); err != nil {
		t.Fatal(err)
	}
	if got := e.drain(t, ctx, dlqURL, 1); got[0] != "sleep:5000" {
		t.Fatalf("DLQ holds %v", got)
	}
	for {
		ch := e.engine.Changed()
		if e.engine.Figures("slow").Timeouts >= 2 {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("engine figures %+v", e.engine.Figures("slow"))
		}
	}
	if f := e.engine.Figures("slow"); f.Timeouts != 2 || f.ColdStarts != 2 {
		t.Fatalf("engine figures %+v: want two timed-out invocations, each on a fresh environment", f)
	}
}

// A disabled mapping runs no pollers; enabling it drains what waited.
func TestSQSDisableAndEnable(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	e.deploy(t, "ingest")
	url, arn := e.queue(t, "orders", nil)
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest", Enabled: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	e.send(t, url, "a", "b")
	if f := m.Figures(mp.UUID); f.Pollers != 0 {
		t.Fatalf("disabled mapping runs %d pollers", f.Pollers)
	}
	if v, _ := e.count(t, url); v != "2" {
		t.Fatalf("%s messages visible before enabling", v)
	}
	if _, err := m.Update(ctx, esm.UpdateInput{UUID: mp.UUID, Enabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	waitFigures(t, ctx, m, mp.UUID, "both processed", func(f esm.Figures) bool { return f.Deleted == 2 })
	up, err := m.Update(ctx, esm.UpdateInput{UUID: mp.UUID, Enabled: new(false)})
	if err != nil || up.State != esm.StateUpdating {
		t.Fatalf("update: %+v, %v", up, err)
	}
	waitState(t, ctx, m, mp.UUID, esm.StateDisabled)
	if f := m.Figures(mp.UUID); f.Pollers != 0 || f.Concurrency != 0 {
		t.Fatalf("after disabling: %+v", f)
	}
}
