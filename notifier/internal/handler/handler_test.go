package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{table: mocks.NewMockTableAPI(t), topic: mocks.NewMockPublishAPI(t), logs: &logBuffer{}}
	h, err := handler.New(handler.Config{
		TableName: table,
		TopicARN:  topic,
		Table:     f.table,
		Topic:     f.topic,
		Logger:    lambdalog.New(f.logs, "DEBUG"),
		Now:       func() time.Time { return fixedNow },
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

func wantGet(orderID string) *dynamodb.GetItemInput {
	return &dynamodb.GetItemInput{
		TableName:            aws.String(table),
		Key:                  key(orderID),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("orderID, notifiedAt"),
	}
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

// notYetNotified is GetItem's answer for a stored order without the marker.
func notYetNotified(orderID string) *dynamodb.GetItemOutput {
	return &dynamodb.GetItemOutput{Item: key(orderID)}
}

func alreadyNotified(orderID string) *dynamodb.GetItemOutput {
	item := key(orderID)
	item["notifiedAt"] = &dbtypes.AttributeValueMemberS{Value: "2026-11-27T08:50:01.000Z"}
	return &dynamodb.GetItemOutput{Item: item}
}

func publishFor(orderID string) any {
	return mock.MatchedBy(func(in *sns.PublishInput) bool {
		var variants map[string]string
		if json.Unmarshal([]byte(aws.ToString(in.Message)), &variants) != nil {
			return false
		}
		var n struct{ OrderID string }
		return json.Unmarshal([]byte(variants["default"]), &n) == nil && n.OrderID == orderID
	})
}

func published(id string) *sns.PublishOutput { return &sns.PublishOutput{MessageId: aws.String(id)} }

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
	for _, id := range []string{orderA, orderB, orderC} {
		f.table.EXPECT().GetItem(mock.Anything, wantGet(id)).Return(notYetNotified(id), nil).Once()
		f.topic.EXPECT().Publish(mock.Anything, publishFor(id)).Return(published("sns-"+id), nil).Once()
		f.table.EXPECT().UpdateItem(mock.Anything, wantMark(id)).Return(&dynamodb.UpdateItemOutput{}, nil).Once()
	}

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
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

func TestPublishInputIsTheContractsNotification(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	ev.Records = ev.Records[:1] // INSERT of the tutorial order
	f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).Return(notYetNotified(orderA), nil).Once()
	var got *sns.PublishInput
	f.topic.EXPECT().Publish(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
			got = in
			return published("m-1"), nil
		}).Once()
	f.table.EXPECT().UpdateItem(mock.Anything, wantMark(orderA)).Return(&dynamodb.UpdateItemOutput{}, nil).Once()

	_, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, topic, aws.ToString(got.TopicArn))
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

func TestFailedPublishIsReportedBySequenceNumber(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	for _, id := range []string{orderA, orderB, orderC} {
		f.table.EXPECT().GetItem(mock.Anything, wantGet(id)).Return(notYetNotified(id), nil).Once()
	}
	f.topic.EXPECT().Publish(mock.Anything, publishFor(orderB)).
		Return(nil, &smithy.OperationError{ServiceID: "SNS", OperationName: "Publish",
			Err: &smithy.GenericAPIError{Code: "InternalError", Message: "try again"}}).Once()
	for _, id := range []string{orderA, orderC} {
		f.topic.EXPECT().Publish(mock.Anything, publishFor(id)).Return(published("ok"), nil).Once()
		f.table.EXPECT().UpdateItem(mock.Anything, wantMark(id)).Return(&dynamodb.UpdateItemOutput{}, nil).Once()
	}

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{ev.Records[2].Change.SequenceNumber}, failureIDs(resp))
	l := f.logs.withMsg(t, "publish failed; will retry")
	require.Len(t, l, 1)
	assert.Equal(t, orderB, l[0]["orderID"])
	assert.Contains(t, l[0]["error"], "publish order client-05")
}

func TestRedeliveredBatchOfNotifiedOrdersPublishesNothing(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-mixed.json")
	for _, id := range []string{orderA, orderB, orderC} {
		f.table.EXPECT().GetItem(mock.Anything, wantGet(id)).Return(alreadyNotified(id), nil).Once()
	}
	// No Publish or UpdateItem expectations: any call fails the test.

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
	var mu sync.Mutex
	marked := map[string]bool{}
	publishes := map[string]int{}
	failB := true
	f.table.EXPECT().GetItem(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
			mu.Lock()
			defer mu.Unlock()
			id := in.Key["orderID"].(*dbtypes.AttributeValueMemberS).Value
			if marked[id] {
				return alreadyNotified(id), nil
			}
			return notYetNotified(id), nil
		})
	f.topic.EXPECT().Publish(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
			mu.Lock()
			defer mu.Unlock()
			var variants map[string]string
			var n struct{ OrderID string }
			_ = json.Unmarshal([]byte(aws.ToString(in.Message)), &variants)
			_ = json.Unmarshal([]byte(variants["default"]), &n)
			if n.OrderID == orderB && failB {
				failB = false
				return nil, errors.New("connection reset")
			}
			publishes[n.OrderID]++
			return published("ok"), nil
		})
	f.table.EXPECT().UpdateItem(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
			mu.Lock()
			defer mu.Unlock()
			marked[in.Key["orderID"].(*dbtypes.AttributeValueMemberS).Value] = true
			return &dynamodb.UpdateItemOutput{}, nil
		})

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
	assert.Equal(t, map[string]int{orderA: 1, orderB: 1, orderC: 1}, publishes)
}

func TestMalformedRecordsAreReported(t *testing.T) {
	f := newFixture(t)
	ev := loadEvent(t, "dynamodb-stream-malformed.json")
	f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).Return(notYetNotified(orderA), nil).Once()
	f.topic.EXPECT().Publish(mock.Anything, publishFor(orderA)).Return(published("ok"), nil).Once()
	f.table.EXPECT().UpdateItem(mock.Anything, wantMark(orderA)).Return(&dynamodb.UpdateItemOutput{}, nil).Once()

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{ev.Records[1].Change.SequenceNumber, ev.Records[2].Change.SequenceNumber}, failureIDs(resp))
	bad := f.logs.withMsg(t, "malformed stream record; reporting it for retry and the on-failure destination")
	require.Len(t, bad, 2)
	why := map[any]any{} // records are handled concurrently: match by sequence number
	for _, l := range bad {
		why[l["sequenceNumber"]] = l["error"]
	}
	assert.Contains(t, why[ev.Records[1].Change.SequenceNumber], "quantity: attribute has type S, want N")
	assert.Contains(t, why[ev.Records[2].Change.SequenceNumber], "no image")
}

func TestMarkerAndReadOutcomes(t *testing.T) {
	insertA := func(t *testing.T) events.DynamoDBEvent {
		ev := loadEvent(t, "dynamodb-stream-mixed.json")
		ev.Records = ev.Records[:1]
		return ev
	}
	tests := []struct {
		name       string
		setup      func(f fixture)
		wantFailed bool
		wantLog    string
		wantLevel  string
	}{
		{
			name: "read fails",
			setup: func(f fixture) {
				f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).
					Return(nil, &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException"}).Once()
			},
			wantFailed: true,
			wantLog:    "cannot read notified marker; will retry",
			wantLevel:  "ERROR",
		},
		{
			name: "order deleted before notification",
			setup: func(f fixture) {
				f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).Return(&dynamodb.GetItemOutput{}, nil).Once()
			},
			wantLog:   "order no longer in the table; not notifying",
			wantLevel: "WARN",
		},
		{
			name: "marker set by another delivery meanwhile",
			setup: func(f fixture) {
				f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).Return(notYetNotified(orderA), nil).Once()
				f.topic.EXPECT().Publish(mock.Anything, publishFor(orderA)).Return(published("ok"), nil).Once()
				f.table.EXPECT().UpdateItem(mock.Anything, wantMark(orderA)).
					Return(nil, &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "UpdateItem",
						Err: &dbtypes.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}}).Once()
			},
			wantLog:   "notification published; marker was already set by another delivery",
			wantLevel: "INFO",
		},
		{
			name: "marker write fails after publish",
			setup: func(f fixture) {
				f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).Return(notYetNotified(orderA), nil).Once()
				f.topic.EXPECT().Publish(mock.Anything, publishFor(orderA)).Return(published("ok"), nil).Once()
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
	f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).Return(nil, errors.New("timeout")).Once()
	f.table.EXPECT().GetItem(mock.Anything, wantGet(orderB)).Return(notYetNotified(orderB), nil).Once()
	f.topic.EXPECT().Publish(mock.Anything, publishFor(orderB)).Return(published("ok"), nil).Once()
	f.table.EXPECT().UpdateItem(mock.Anything, wantMark(orderB)).Return(&dynamodb.UpdateItemOutput{}, nil).Once()

	resp, err := f.h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{mixed.Records[0].Change.SequenceNumber}, failureIDs(resp),
		"only the failed record; the later one of the same order is redelivered from it")
	assert.Len(t, f.logs.withMsg(t, "record not processed: an earlier record of this order failed and will be retried first"), 1)
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
	f.table.EXPECT().GetItem(mock.Anything, wantGet(orderA)).Return(alreadyNotified(orderA), nil).Once()

	out, err := lambda.NewHandler(f.h.Handle).Invoke(lambdaContext(), raw)

	require.NoError(t, err)
	ev := loadEvent(t, "dynamodb-stream-malformed.json")
	assert.JSONEq(t, `{"batchItemFailures":[
		{"itemIdentifier":"`+ev.Records[1].Change.SequenceNumber+`"},
		{"itemIdentifier":"`+ev.Records[2].Change.SequenceNumber+`"}]}`, string(out))
}
