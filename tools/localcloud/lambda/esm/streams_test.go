package esm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/mail"
	"github.com/orderflow/orderflow/tools/localcloud/sns"
)

func (e *env) table(t *testing.T, name string) string {
	t.Helper()
	_, err := e.tables.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            name,
		AttributeDefinitions: []dynamodb.AttributeDefinition{{AttributeName: "orderID", AttributeType: "S"}},
		KeySchema:            []dynamodb.KeySchemaElement{{AttributeName: "orderID", KeyType: "HASH"}},
		BillingMode:          "PAY_PER_REQUEST",
		StreamSpecification:  &dynamodb.StreamSpecification{StreamEnabled: new(true), StreamViewType: "NEW_IMAGE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	streams, err := e.tables.Streams()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if s.TableName == name {
			return s.Arn
		}
	}
	t.Fatalf("no stream for %s", name)
	return ""
}

// put writes items whose notes steer the test function.
func (e *env) put(t *testing.T, table string, notes ...string) {
	t.Helper()
	for i, note := range notes {
		item, _ := json.Marshal(map[string]any{"orderID": map[string]string{"S": fmt.Sprintf("o-%s-%d", note, i)}, "note": map[string]string{"S": note}})
		if _, err := e.tables.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
			t.Fatal(err)
		}
	}
}

// batches decodes the reported stream events as lists of notes.
func batches(t *testing.T, raws []json.RawMessage) [][]string {
	t.Helper()
	var out [][]string
	for _, raw := range raws {
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		var notes []string
		for _, r := range ev.Records {
			notes = append(notes, r.Change.NewImage["note"].String())
		}
		out = append(out, notes)
	}
	return out
}

func failureRecords(t *testing.T, bodies []string) []esm.FailureRecord {
	t.Helper()
	var out []esm.FailureRecord
	for _, b := range bodies {
		var r esm.FailureRecord
		if err := json.Unmarshal([]byte(b), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func equalBatches(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// Records arrive in order with AWS's DynamoDB event shape; a partial
// failure resumes from the reported sequence number; when the retries are
// spent the failure record goes to the on-failure queue and the shard moves
// on.
func TestStreamPartialFailureRetriesThenOnFailure(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	fn := e.deploy(t, "notifier")
	streamARN := e.table(t, "orders")
	dlqURL, dlqARN := e.queue(t, "notifier-failures", nil)
	e.put(t, "orders", "a", "fail-b", "c", "d", "e", "f")
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "notifier", StartingPosition: esm.TrimHorizon,
		BatchSize: new(3), MaximumRetryAttempts: new(1), FunctionResponseTypes: []string{esm.ReportBatchItemFailures},
		DestinationConfig: &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: dlqARN}}})
	if err != nil {
		t.Fatal(err)
	}
	if mp.BatchSize != 3 || *mp.MaximumRecordAgeInSeconds != -1 || *mp.ParallelizationFactor != 1 || mp.StartingPosition != esm.TrimHorizon {
		t.Fatalf("created %+v", mp)
	}
	raws := e.reports.wait(t, ctx, 3)
	want := [][]string{{"a", "fail-b", "c"}, {"fail-b", "c"}, {"d", "e", "f"}}
	if got := batches(t, raws); !equalBatches(got, want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	var ev events.DynamoDBEvent
	_ = json.Unmarshal(raws[0], &ev)
	r := ev.Records[0]
	if r.EventSource != "aws:dynamodb" || r.EventName != "INSERT" || r.EventVersion == "" || r.EventID == "" || r.AWSRegion != region ||
		r.EventSourceArn != streamARN || r.Change.SequenceNumber == "" || r.Change.StreamViewType != "NEW_IMAGE" ||
		r.Change.Keys["orderID"].String() == "" || r.Change.SizeBytes == 0 || r.Change.ApproximateCreationDateTime.IsZero() {
		t.Fatalf("record %+v", r)
	}

	recs := failureRecords(t, e.drain(t, ctx, dlqURL, 1))
	f := recs[0]
	b := f.BatchInfo
	if f.Version != "1.0" || f.Timestamp == "" || f.RequestContext.FunctionArn != fn || f.RequestContext.Condition != esm.ConditionRetriesExhausted ||
		f.RequestContext.ApproximateInvokeCount != 2 || f.RequestContext.RequestID == "" || f.ResponseContext == nil ||
		f.ResponseContext.StatusCode != 200 || f.ResponseContext.ExecutedVersion != "$LATEST" ||
		b.BatchSize != 2 || b.StreamArn != streamARN || b.ShardID == "" || b.StartSequenceNumber != ev.Records[1].Change.SequenceNumber ||
		b.EndSequenceNumber != ev.Records[2].Change.SequenceNumber || b.ApproximateArrivalOfFirstRecord == "" {
		t.Fatalf("failure record %+v / %+v", f, b)
	}
	fig := waitFigures(t, ctx, m, mp.UUID, "batch settled", func(f esm.Figures) bool { return f.Discarded == 2 && f.Backlog == 0 && f.Invocations == 3 })
	if fig.Pollers != 1 {
		t.Fatalf("figures %+v", fig)
	}
}

// A function error with BisectBatchOnFunctionError splits the batch until
// the poison record is alone; it is retried, sent to the on-failure queue,
// and the records around it are processed in order.
func TestStreamBisectIsolatesPoisonRecord(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	streamARN := e.table(t, "orders")
	e.deploy(t, "notifier")
	dlqURL, dlqARN := e.queue(t, "notifier-failures", nil)
	e.put(t, "orders", "1", "2", "error-3", "4")
	m := e.manager(t)
	_, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "notifier", StartingPosition: esm.TrimHorizon,
		BatchSize: new(4), MaximumRetryAttempts: new(1), BisectBatchOnFunctionError: new(true),
		DestinationConfig: &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: dlqARN}}})
	if err != nil {
		t.Fatal(err)
	}
	recs := failureRecords(t, e.drain(t, ctx, dlqURL, 1))
	raws := e.reports.wait(t, ctx, 6)
	want := [][]string{{"1", "2", "error-3", "4"}, {"1", "2"}, {"error-3", "4"}, {"error-3"}, {"error-3"}, {"4"}}
	if got := batches(t, raws); !equalBatches(got, want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	f := recs[0]
	if f.BatchInfo.BatchSize != 1 || f.BatchInfo.StartSequenceNumber != f.BatchInfo.EndSequenceNumber ||
		f.RequestContext.ApproximateInvokeCount != 2 || f.ResponseContext.FunctionError != "Unhandled" {
		t.Fatalf("failure record %+v", f)
	}
}

// Mappings and checkpoints survive a restart: the new manager resumes
// after the last processed record.
func TestStreamRestartResumesFromCheckpoint(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	streamARN := e.table(t, "orders")
	e.deploy(t, "notifier")
	e.put(t, "orders", "a", "b", "c")
	m, err := esm.New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "notifier", StartingPosition: esm.TrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	waitFigures(t, ctx, m, mp.UUID, "three records", func(f esm.Figures) bool { return f.Records == 3 && f.Backlog == 0 })
	m.Close()

	e.put(t, "orders", "d", "e")
	m2 := e.manager(t)
	got, err := m2.Get(mp.UUID)
	if err != nil || got.State != esm.StateEnabled || got.EventSourceArn != streamARN {
		t.Fatalf("after restart: %+v, %v", got, err)
	}
	raws := e.reports.wait(t, ctx, 2)
	notes := slices.Concat(batches(t, raws)...)
	if !slices.Equal(notes[:3], []string{"a", "b", "c"}) {
		t.Fatalf("first run saw %v", notes)
	}
	waitFigures(t, ctx, m2, mp.UUID, "two more records", func(f esm.Figures) bool { return f.Records == 2 && f.Backlog == 0 })
	notes = slices.Concat(batches(t, e.reports.all())...)
	if !slices.Equal(notes, []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("deliveries %v: the restart replayed or skipped records", notes)
	}
}

// LATEST skips what the stream held before the mapping; filters drop
// records (they are checkpointed, not delivered).
func TestStreamLatestAndFilter(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	streamARN := e.table(t, "orders")
	e.deploy(t, "notifier")
	e.put(t, "orders", "old")
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "notifier", StartingPosition: esm.Latest,
		FilterCriteria: &esm.FilterCriteria{Filters: []esm.Filter{{Pattern: `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"note":{"S":[{"prefix":"keep"}]}}}}`}}}})
	if err != nil {
		t.Fatal(err)
	}
	// LATEST is fixed (and stored) by Create: what follows is delivered
	// even if the worker has not started yet.
	e.put(t, "orders", "keep-1", "drop-2", "keep-3")
	waitFigures(t, ctx, m, mp.UUID, "all settled", func(f esm.Figures) bool { return f.Records+f.Filtered == 3 && f.Backlog == 0 })
	notes := slices.Concat(batches(t, e.reports.all())...)
	if !slices.Equal(notes, []string{"keep-1", "keep-3"}) {
		t.Fatalf("delivered %v", notes)
	}
}

// With a ParallelizationFactor the shard's records run in concurrent lanes
// by partition key; each key keeps its order.
func TestStreamParallelizationKeepsKeyOrder(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	streamARN := e.table(t, "orders")
	e.deploy(t, "notifier")
	const keys, updates = 12, 3
	for u := range updates {
		for k := range keys {
			item, _ := json.Marshal(map[string]any{"orderID": map[string]string{"S": fmt.Sprintf("k%d", k)},
				"note": map[string]string{"S": fmt.Sprintf("sleep:30 k%d/%d", k, u)}})
			if _, err := e.tables.PutItem(ctx, &dynamodb.PutItemInput{TableName: "orders", Item: item}); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "notifier", StartingPosition: esm.TrimHorizon,
		BatchSize: new(4), ParallelizationFactor: new(3)})
	if err != nil {
		t.Fatal(err)
	}
	f := waitFigures(t, ctx, m, mp.UUID, "every record", func(f esm.Figures) bool { return f.Records == keys*updates && f.Backlog == 0 })
	if f.PeakConcurrency < 2 || f.PeakConcurrency > 3 {
		t.Fatalf("peak concurrency %d with factor 3", f.PeakConcurrency)
	}
	next := map[string]int{}
	for _, note := range slices.Concat(batches(t, e.reports.all())...) {
		k, us, _ := strings.Cut(strings.TrimPrefix(note, "sleep:30 "), "/")
		u, err := strconv.Atoi(us)
		if err != nil {
			t.Fatalf("note %q: %v", note, err)
		}
		if u != next[k] {
			t.Fatalf("key %s: update %d arrived when %d was due", k, u, next[k])
		}
		next[k]++
	}
	if len(next) != keys {
		t.Fatalf("keys seen %v", next)
	}
}

// Records older than MaximumRecordAgeInSeconds are not sent to the
// function: their failure record goes to the on-failure SNS topic.
func TestStreamRecordAgeToSNSDestination(t *testing.T) {
	ctx := testContext(t)
	e := newEnvWithTableClock(t, clock.NewManual(time.Now().Add(-2*time.Hour)))
	streamARN := e.table(t, "orders")
	fn := e.deploy(t, "notifier")
	mb, err := mail.Open(filepath.Join(e.dir, "mail"))
	if err != nil {
		t.Fatal(err)
	}
	topics, err := sns.New(sns.Config{Store: e.st, Clock: e.clk, IDs: e.ids, Account: account, Region: region, Queues: e.queues,
		Mailbox: mb, PublicURL: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	defer topics.Close()
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: "notifier-failures"})
	if err != nil {
		t.Fatal(err)
	}
	copyURL, copyARN := e.queue(t, "failure-copies", nil)
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: "sqs", Endpoint: copyARN}); err != nil {
		t.Fatal(err)
	}
	e.cfg.Topics = topics
	e.put(t, "orders", "old-1", "old-2")
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "notifier", StartingPosition: esm.TrimHorizon,
		MaximumRecordAgeInSeconds: new(3600), DestinationConfig: &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: topic.TopicArn}}})
	if err != nil {
		t.Fatal(err)
	}
	var envelope struct{ Message string }
	if err := json.Unmarshal([]byte(e.drain(t, ctx, copyURL, 1)[0]), &envelope); err != nil {
		t.Fatal(err)
	}
	recs := failureRecords(t, []string{envelope.Message})
	f := recs[0]
	if f.RequestContext.Condition != esm.ConditionRecordAge || f.RequestContext.FunctionArn != fn || f.RequestContext.ApproximateInvokeCount != 0 ||
		f.ResponseContext != nil || f.BatchInfo.BatchSize != 2 || f.BatchInfo.StreamArn != streamARN {
		t.Fatalf("failure record %+v", f)
	}
	fig := waitFigures(t, ctx, m, mp.UUID, "records discarded", func(f esm.Figures) bool { return f.Discarded == 2 && f.Backlog == 0 })
	if fig.Invocations != 0 || len(e.reports.all()) != 0 {
		t.Fatalf("expired records reached the function: %+v", fig)
	}
}

// An update hands the shard from the old worker to the new one: the batch
// in flight finishes and is checkpointed first, so nothing is delivered
// twice or out of order.
func TestStreamUpdateHandsOverShard(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	streamARN := e.table(t, "orders")
	e.deploy(t, "notifier")
	var notes []string
	for i := range 20 {
		notes = append(notes, fmt.Sprintf("sleep:10 #%02d", i))
	}
	e.put(t, "orders", notes...)
	m := e.manager(t)
	mp, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "notifier", StartingPosition: esm.TrimHorizon, BatchSize: new(2)})
	if err != nil {
		t.Fatal(err)
	}
	waitFigures(t, ctx, m, mp.UUID, "a few batches", func(f esm.Figures) bool { return f.Records >= 4 })
	up, err := m.Update(ctx, esm.UpdateInput{UUID: mp.UUID, BatchSize: new(5)})
	if err != nil || up.State != esm.StateUpdating || up.BatchSize != 5 {
		t.Fatalf("update: %+v, %v", up, err)
	}
	waitState(t, ctx, m, mp.UUID, esm.StateEnabled)
	waitFigures(t, ctx, m, mp.UUID, "every record", func(f esm.Figures) bool { return f.Records >= 20 && f.Backlog == 0 })
	got := slices.Concat(batches(t, e.reports.all())...)
	if !slices.Equal(got, notes) {
		t.Fatalf("deliveries %v", got)
	}
	if f := m.Figures(mp.UUID); f.Records != 20 {
		t.Fatalf("%d records delivered, want 20", f.Records)
	}
}
