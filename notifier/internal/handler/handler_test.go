package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/orderflow/orderflow/contracts/lambdalog"
	"github.com/orderflow/orderflow/notifier/internal/handler"
	"github.com/orderflow/orderflow/notifier/internal/handler/mocks"
)

const (
	table = "orders-test"
	topic = "arn:aws:sns:us-east-1:123456789012:order-events"

	orderA = "2e1424d4-f796-459a-8184-9c92662be6da"
	orderB = "client-05"
	orderC = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
)

var fixedNow = time.Date(2026, 11, 27, 8, 50, 2, 345e6, time.UTC)

// logBuffer collects JSON log lines from concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "log line %q", line)
		out = append(out, m)
	}
	return out
}

func (b *logBuffer) withMsg(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range b.lines(t) {
		if l["message"] == msg {
			out = append(out, l)
		}
	}
	return out
}

type fixture struct {
	table *mocks.MockTableAPI
	topic *mocks.MockPublishAPI
	h     *handler.Handler
	logs  *logBuffer

	t         *testing.T
	mu        sync.Mutex
	reads     [][]string // order IDs of each BatchGetItem call
	batches   [][]string // order IDs of each PublishBatch call
	entries   map[string]snstypes.PublishBatchRequestEntry
	published map[string]int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, table: mocks.NewMockTableAPI(t), topic: mocks.NewMockPublishAPI(t), logs: &logBuffer{},
		entries: map[string]snstypes.PublishBatchRequestEntry{}, published: map[string]int{}}
	h, err := handler.New(handler.Config{
		TableName: table,
		TopicARN:  topic,
		Table:     f.table,
		Topic:     f.topic,
		Logger:    lambdalog.New(f.logs, "DEBUG"),
		Now:       func() time.Time { return fixedNow },
		Backoff:   func(int) time.Duration { return 0 },
	})
	require.NoError(t, err)
	f.h = h
	return f
}

func loadEvent(t *testing.T, name string) events.DynamoDBEvent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var ev events.DynamoDBEvent
	require.NoError(t, json.Unmarshal(raw, &ev))
	return ev
}

func lambdaContext() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "9a0c6f1e-lambda-invocation"})
}

func key(orderID string) map[string]dbtypes.AttributeValue {
	return map[string]dbtypes.AttributeValue{"orderID": &dbtypes.AttributeValueMemberS{Value: orderID}}
}

func wantMark(orderID string) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName:           aws.String(table),
		Key:                 key(orderID),
		UpdateExpression:    aws.String("SET notifiedAt = :now"),
		ConditionExpression: aws.String("attribute_exists(orderID) AND attribute_not_exists(notifiedAt)"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{
			":now": &dbtypes.AttributeValueMemberS{Value: "2026-11-27T08:50:02.345Z"},
		},
	}
}

// marker is what the table holds for an order.
type marker int

const (
	notYetNotified marker = iota // stored, no marker
	alreadyNotified
	gone        // not in the table
	unprocessed // DynamoDB leaves the key unprocessed every time
	busyOnce    // unprocessed on the first read, then not yet notified
)

// readsMarkers answers every BatchGetItem from state (orders not in it are not
// yet notified) and records the order IDs each call asked for.
func (f *fixture) readsMarkers(state func(orderID string) marker) {
	t := f.t
	seenBusy := map[string]bool{}
	f.table.EXPECT().BatchGetItem(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			ka, ok := in.RequestItems[table]
			if !assert.True(t, ok && len(in.RequestItems) == 1, "BatchGetItem reads only %s: %v", table, in.RequestItems) {
				return nil, errors.New("wrong table")
			}
			assert.True(t, aws.ToBool(ka.ConsistentRead), "marker reads must be consistent")
			assert.Equal(t, "orderID, notifiedAt", aws.ToString(ka.ProjectionExpression))
			assert.LessOrEqual(t, len(ka.Keys), 100)
			out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]dbtypes.AttributeValue{}, UnprocessedKeys: map[string]dbtypes.KeysAndAttributes{}}
			var ids []string
			var left []map[string]dbtypes.AttributeValue
			for _, k := range ka.Keys {
				id := k["orderID"].(*dbtypes.AttributeValueMemberS).Value
				ids = append(ids, id)
				st := notYetNotified
				if state != nil {
					st = state(id)
				}
				if st == busyOnce && !seenBusy[id] {
					seenBusy[id] = true
					st = unprocessed
				} else if st == busyOnce {
					st = notYetNotified
				}
				switch st {
				case notYetNotified:
					out.Responses[table] = append(out.Responses[table], key(id))
				case alreadyNotified:
					item := key(id)
					item["notifiedAt"] = &dbtypes.AttributeValueMemberS{Value: "2026-11-27T08:50:01.000Z"}
					out.Responses[table] = append(out.Responses[table], item)
				case unprocessed:
					left = append(left, k)
				}
			}
			if len(left) > 0 {
				out.UnprocessedKeys[table] = dbtypes.KeysAndAttributes{Keys: left, ConsistentRead: aws.Bool(true)}
			}
			f.reads = append(f.reads, ids)
			return out, nil
		}).Maybe()
}

// orderOf is the order ID a notification names.
func orderOf(t *testing.T, e snstypes.PublishBatchRequestEntry) string {
	var variants map[string]string
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(e.Message)), &variants))
	var n struct{ OrderID string }
	require.NoError(t, json.Unmarshal([]byte(variants["default"]), &n))
	return n.OrderID
}

// publishes answers PublishBatch: an order with a failure code fails, the rest
// succeed with message ID "sns-<order>".
func (f *fixture) publishes(failures func(orderID string) string) {
	t := f.t
	f.topic.EXPECT().PublishBatch(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *sns.PublishBatchInput, _ ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			assert.Equal(t, topic, aws.ToString(in.TopicArn))
			assert.LessOrEqual(t, len(in.PublishBatchRequestEntries), 10)
			out := &sns.PublishBatchOutput{}
			var ids []string
			seen := map[string]bool{}
			for _, e := range in.PublishBatchRequestEntries {
				assert.False(t, seen[aws.ToString(e.Id)], "entry IDs must be distinct")
				seen[aws.ToString(e.Id)] = true
				id := orderOf(t, e)
				ids = append(ids, id)
				f.entries[id] = e
				if code := ""; failures != nil {
					code = failures(id)
					if code != "" {
						out.Failed = append(out.Failed, snstypes.BatchResultErrorEntry{Id: e.Id, Code: aws.String(code), Message: aws.String("try again"), SenderFault: false})
						continue
					}
				}
				f.published[id]++
				out.Successful = append(out.Successful, snstypes.PublishBatchResultEntry{Id: e.Id, MessageId: aws.String("sns-" + id)})
			}
			f.batches = append(f.batches, ids)
			return out, nil
		}).Maybe()
}

// marks expects one marker write per order.
func (f *fixture) marks(ids ...string) {
	for _, id := range ids {
		f.table.EXPECT().UpdateItem(mock.Anything, wantMark(id)).Return(&dynamodb.UpdateItemOutput{}, nil).Once()
	}
}

// marksInto accepts every marker write and records the order in marked, which
// a readsMarkers state function can then consult.
func (f *fixture) marksInto(marked map[string]bool) *mocks.MockTableAPI_UpdateItem_Call {
	return f.table.EXPECT().UpdateItem(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			marked[in.Key["orderID"].(*dbtypes.AttributeValueMemberS).Value] = true
			return &dynamodb.UpdateItemOutput{}, nil
		})
}

func failureIDs(resp events.DynamoDBEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestPublishesOncePerInsertAndIgnoresModifyAndRemove(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	f.readsMarkers(nil)
	f.publishes(nil)
	f.marks(orderA, orderB, orderC)

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	// One read and one publish call for the whole batch, orders in the order
	// their first record appears (orderC's MODIFY comes before orderB).
	assert.Equal(t, [][]string{{orderA, orderC, orderB}}, f.reads)
	assert.Equal(t, [][]string{{orderA, orderC, orderB}}, f.batches)
	ignored := f.logs.withMsg(t, "stream record ignored: only INSERT announces an order")
	require.Len(t, ignored, 2)
	assert.ElementsMatch(t, []any{"MODIFY", "REMOVE"}, []any{ignored[0]["eventName"], ignored[1]["eventName"]})
	assert.Equal(t, "DEBUG", ignored[0]["level"])
	done := f.logs.withMsg(t, "notification published")
	require.Len(t, done, 3)
	for _, l := range done {
		assert.Equal(t, "9a0c6f1e-lambda-invocation", l["requestId"])
		assert.NotEmpty(t, l["sequenceNumber"])
		assert.Equal(t, "sns-"+l["orderID"].(string), l["snsMessageId"])
	}
}

func TestLargeBatchReadsOnceAndPublishesTenAtATime(t *testing.T) {
	f := newFixture(t)
	tmpl := loadEvent(t, "dynamodb-stream-mixed.json").Records[0]
	var ev events.DynamoDBEvent
	var ids []string
	for i := range 25 {
		id := fmt.Sprintf("order-%02d", i)
		ids = append(ids, id)
		rec := tmpl
		rec.Change.SequenceNumber = fmt.Sprintf("4%025d", i)
		rec.Change.Keys = map[string]events.DynamoDBAttributeValue{"orderID": events.NewStringAttribute(id)}
		img := map[string]events.DynamoDBAttributeValue{}
		for k, v := range tmpl.Change.NewImage {
			img[k] = v
		}
		img["orderID"] = events.NewStringAttribute(id)
		rec.Change.NewImage = img
		ev.Records = append(ev.Records, rec)
	}
	f.readsMarkers(nil)
	f.publishes(nil)
	f.marks(ids...)

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Equal(t, [][]string{ids}, f.reads, "one BatchGetItem for 25 orders")
	require.Len(t, f.batches, 3, "PublishBatch sends at most 10 entries")
	assert.Equal(t, [][]string{ids[:10], ids[10:20], ids[20:]}, f.batches)
}

func TestPublishEntryIsTheContractsNotification(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	ev.Records = ev.Records[:1] // INSERT of the tutorial order
	f.readsMarkers(nil)
	f.publishes(nil)
	f.marks(orderA)

	_, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	got, ok := f.entries[orderA]
	require.True(t, ok)
	assert.Equal(t, "json", aws.ToString(got.MessageStructure))
	assert.Equal(t, "Order received: "+orderA, aws.ToString(got.Subject))
	assert.Equal(t, map[string]snstypes.MessageAttributeValue{
		"eventType":  {DataType: aws.String("String"), StringValue: aws.String("OrderReceived")},
		"customerID": {DataType: aws.String("String"), StringValue: aws.String("12345")},
		"quantity":   {DataType: aws.String("Number"), StringValue: aws.String("1")},
	}, got.MessageAttributes)
	var variants map[string]string
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Message)), &variants))
	assert.JSONEq(t, `{"type":"OrderReceived","orderID":"`+orderA+`","item":"latex gloves","customerID":"12345",
		"quantity":1,"receivedAt":"2026-11-27T08:50:00.123Z","schemaVersion":1}`, variants["default"])
	assert.Contains(t, variants["email"], "latex gloves")
}

func TestFailedEntryIsReportedBySequenceNumber(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	f.readsMarkers(nil)
	f.publishes(func(id string) string {
		if id == orderB {
			return "InternalError"
		}
		return ""
	})
	f.marks(orderA, orderC)

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{ev.Records[2].Change.SequenceNumber}, failureIDs(resp))
	l := f.logs.withMsg(t, "publish failed; will retry")
	require.Len(t, l, 1)
	assert.Equal(t, orderB, l[0]["orderID"])
	assert.Contains(t, l[0]["error"], "publish order client-05: InternalError: try again")
}

func TestFailedPublishCallReportsEveryOrderInIt(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	f.readsMarkers(nil)
	f.topic.EXPECT().PublishBatch(mock.Anything, mock.Anything).
		Return(nil, &smithy.OperationError{ServiceID: "SNS", OperationName: "PublishBatch",
			Err: &smithy.GenericAPIError{Code: "InternalError", Message: "try again"}}).Once()
	// No UpdateItem expectation: nothing was published, nothing is marked.

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{ev.Records[0].Change.SequenceNumber, ev.Records[2].Change.SequenceNumber, ev.Records[4].Change.SequenceNumber}, failureIDs(resp))
	assert.Len(t, f.logs.withMsg(t, "publish failed; will retry"), 3)
}

func TestRedeliveredBatchOfNotifiedOrdersPublishesNothing(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	f.readsMarkers(func(string) marker { return alreadyNotified })
	// No PublishBatch or UpdateItem expectations: any call fails the test.

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Len(t, f.logs.withMsg(t, "order already notified; not publishing again"), 3)
}

// TestRedeliveryAfterPartialFailure replays AWS's behaviour: the first
// delivery fails one publish, Lambda redelivers from that record on, and in
// the end every order is published exactly once.
func TestRedeliveryAfterPartialFailure(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	marked := map[string]bool{}
	failB := true
	f.readsMarkers(func(id string) marker {
		if marked[id] {
			return alreadyNotified
		}
		return notYetNotified
	})
	f.publishes(func(id string) string {
		if id == orderB && failB {
			failB = false
			return "InternalError"
		}
		return ""
	})
	f.marksInto(marked)

	first, err := f.h.Handle(lambdaContext(), ev)
	require.NoError(t, err)
	require.Len(t, first.BatchItemFailures, 1)
	// Lambda resumes from the lowest reported sequence number.
	resume := 0
	for i, r := range ev.Records {
		if r.Change.SequenceNumber == first.BatchItemFailures[0].ItemIdentifier {
			resume = i
		}
	}
	second, err := f.h.Handle(lambdaContext(), events.DynamoDBEvent{Records: ev.Records[resume:]})
	require.NoError(t, err)

	assert.Empty(t, second.BatchItemFailures)
	assert.Equal(t, map[string]int{orderA: 1, orderB: 1, orderC: 1}, f.published)
}

func TestMalformedRecordsAreReported(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-malformed.json")
	f.readsMarkers(nil)
	f.publishes(nil)
	f.marks(orderA)

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{ev.Records[1].Change.SequenceNumber, ev.Records[2].Change.SequenceNumber}, failureIDs(resp))
	bad := f.logs.withMsg(t, "malformed stream record; reporting it for retry and the on-failure destination")
	require.Len(t, bad, 2)
	why := map[any]any{}
	for _, l := range bad {
		why[l["sequenceNumber"]] = l["error"]
	}
	assert.Contains(t, why[ev.Records[1].Change.SequenceNumber], "quantity: attribute has type S, want N")
	assert.Contains(t, why[ev.Records[2].Change.SequenceNumber], "no image")
	assert.Equal(t, map[string]int{orderA: 1}, f.published)
}

func TestMarkerAndReadOutcomes(t *testing.T) {
	insertA := func(t *testing.T) events.DynamoDBEvent {
		ev := loadEvent(t, "dynamodb-stream-mixed.json")
		ev.Records = ev.Records[:1]
		return ev
	}
	tests := []struct {
		name       string
		setup      func(f *fixture)
		wantFailed bool
		wantLog    string
		wantLevel  string
	}{
		{
			name: "read fails",
			setup: func(f *fixture) {
				f.table.EXPECT().BatchGetItem(mock.Anything, mock.Anything).
					Return(nil, &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException"}).Once()
			},
			wantFailed: true,
			wantLog:    "cannot read notified marker; will retry",
			wantLevel:  "ERROR",
		},
		{
			name:       "key left unprocessed after every retry",
			setup:      func(f *fixture) { f.readsMarkers(func(string) marker { return unprocessed }) },
			wantFailed: true,
			wantLog:    "cannot read notified marker; will retry",
			wantLevel:  "ERROR",
		},
		{
			name: "key left unprocessed once, then read",
			setup: func(f *fixture) {
				f.readsMarkers(func(string) marker { return busyOnce })
				f.publishes(nil)
				f.marks(orderA)
			},
			wantLog:   "notification published",
			wantLevel: "INFO",
		},
		{
			name:      "order deleted before notification",
			setup:     func(f *fixture) { f.readsMarkers(func(string) marker { return gone }) },
			wantLog:   "order no longer in the table; not notifying",
			wantLevel: "WARN",
		},
		{
			name: "marker set by another delivery meanwhile",
			setup: func(f *fixture) {
				f.readsMarkers(nil)
				f.publishes(nil)
				f.table.EXPECT().UpdateItem(mock.Anything, wantMark(orderA)).
					Return(nil, &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "UpdateItem",
						Err: &dbtypes.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}}).Once()
			},
			wantLog:   "notification published; marker was already set by another delivery",
			wantLevel: "INFO",
		},
		{
			name: "marker write fails after publish",
			setup: func(f *fixture) {
				f.readsMarkers(nil)
				f.publishes(nil)
				f.table.EXPECT().UpdateItem(mock.Anything, wantMark(orderA)).Return(nil, errors.New("connection reset")).Once()
			},
			// Reporting it would make the retry publish a certain duplicate.
			wantFailed: false,
			wantLog:    "notification published but marker not set; a redelivery would notify again",
			wantLevel:  "ERROR",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.setup(f)
			ev := insertA(t)

			resp, err := f.h.Handle(lambdaContext(), ev)

			require.NoError(t, err)
			if tc.wantFailed {
				assert.Equal(t, []string{ev.Records[0].Change.SequenceNumber}, failureIDs(resp))
			} else {
				assert.Empty(t, resp.BatchItemFailures)
			}
			l := f.logs.withMsg(t, tc.wantLog)
			require.Len(t, l, 1)
			assert.Equal(t, tc.wantLevel, l[0]["level"])
			assert.Equal(t, orderA, l[0]["orderID"])
		})
	}
}

func TestLaterRecordsOfAFailedOrderWaitForItsRetry(t *testing.T) {
	f := newFixture(t)
	mixed := loadEvent(t, "dynamodb-stream-mixed.json")
	again := mixed.Records[0]
	again.Change.SequenceNumber = "40000000000009997419876543"
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{mixed.Records[0], mixed.Records[2], again}}
	f.readsMarkers(func(id string) marker {
		if id == orderA {
			return unprocessed
		}
		return notYetNotified
	})
	f.publishes(nil)
	f.marks(orderB)

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{mixed.Records[0].Change.SequenceNumber}, failureIDs(resp),
		"only the failed record; the later one of the same order is redelivered from it")
	assert.Len(t, f.logs.withMsg(t, "record not processed: an earlier record of this order failed and will be retried first"), 1)
	assert.Equal(t, map[string]int{orderB: 1}, f.published)
}

func TestLaterRecordOfAnOrderWaitsForTheNextRound(t *testing.T) {
	f := newFixture(t)
	mixed := loadEvent(t, "dynamodb-stream-mixed.json")
	again := mixed.Records[0] // the order deleted and inserted again
	again.Change.SequenceNumber = "40000000000009997419876543"
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{mixed.Records[0], mixed.Records[2], again}}
	marked := map[string]bool{}
	f.readsMarkers(func(id string) marker {
		if marked[id] {
			return alreadyNotified
		}
		return notYetNotified
	})
	f.publishes(nil)
	f.marksInto(marked).Times(2)

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	// The second record of orderA is read after the first one's marker was set.
	assert.Equal(t, [][]string{{orderA, orderB}, {orderA}}, f.reads)
	assert.Equal(t, map[string]int{orderA: 1, orderB: 1}, f.published)
}

func TestEmptyBatch(t *testing.T) {
	f := newFixture(t)
	resp, err := f.h.Handle(context.Background(), events.DynamoDBEvent{})
	require.NoError(t, err)
	body, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"batchItemFailures":[]}`, string(body))
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	tbl, tpc, log := mocks.NewMockTableAPI(t), mocks.NewMockPublishAPI(t), slog.New(slog.DiscardHandler)
	full := handler.Config{TableName: table, TopicARN: topic, Table: tbl, Topic: tpc, Logger: log}
	tests := []struct {
		name   string
		change func(c *handler.Config)
		want   string
	}{
		{"no table name", func(c *handler.Config) { c.TableName = "" }, "table name"},
		{"no topic", func(c *handler.Config) { c.TopicARN = "" }, "topic ARN"},
		{"no DynamoDB client", func(c *handler.Config) { c.Table = nil }, "DynamoDB client"},
		{"no SNS client", func(c *handler.Config) { c.Topic = nil }, "SNS client"},
		{"no logger", func(c *handler.Config) { c.Logger = nil }, "logger"},
		{"negative concurrency", func(c *handler.Config) { c.Concurrency = -2 }, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := full
			tc.change(&cfg)
			_, err := handler.New(cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, err := handler.New(full)
	assert.NoError(t, err)
}

// TestFixturesRoundTrip checks the fixtures are shaped as Lambda sends stream
// events: every member survives unmarshal and marshal.
func TestFixturesRoundTrip(t *testing.T) {
	for _, name := range []string{"dynamodb-stream-mixed.json", "dynamodb-stream-malformed.json"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			var ev events.DynamoDBEvent
			require.NoError(t, json.Unmarshal(raw, &ev))
			again, err := json.Marshal(ev)
			require.NoError(t, err)
			var want, got any
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, json.Unmarshal(again, &got))
			assert.True(t, reflect.DeepEqual(want, got), "round trip changed the event:\nwant %s\ngot  %s", raw, again)
		})
	}
}

// TestThroughLambdaRuntimeHandler feeds the fixture's bytes through
// aws-lambda-go's handler wrapper, as lambda.Start does, and checks the bytes
// Lambda gets back.
func TestThroughLambdaRuntimeHandler(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "dynamodb-stream-malformed.json"))
	require.NoError(t, err)
	f := newFixture(t)
	f.readsMarkers(func(string) marker { return alreadyNotified })

	out, err := lambda.NewHandler(f.h.Handle).Invoke(lambdaContext(), raw)

	require.NoError(t, err)
	ev := loadEvent(t, "dynamodb-stream-malformed.json")
	assert.JSONEq(t, `{"batchItemFailures":[
		{"itemIdentifier":"`+ev.Records[1].Change.SequenceNumber+`"},
		{"itemIdentifier":"`+ev.Records[2].Change.SequenceNumber+`"}]}`, string(out))
}
