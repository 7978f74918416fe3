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

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/orderflow/orderflow/contracts/lambdalog"
	"github.com/orderflow/orderflow/ingest/internal/handler"
	"github.com/orderflow/orderflow/ingest/internal/handler/mocks"
)

const table = "orders-test"

// logBuffer collects the handler's JSON log lines; safe for the handler's
// concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines decodes every log line.
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

func newHandler(t *testing.T, db handler.PutItemAPI) (*handler.Handler, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	h, err := handler.New(handler.Config{
		TableName: table,
		DB:        db,
		Logger:    lambdalog.New(logs, "DEBUG"),
	})
	require.NoError(t, err)
	return h, logs
}

func loadEvent(t *testing.T, name string) events.SQSEvent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var ev events.SQSEvent
	require.NoError(t, json.Unmarshal(raw, &ev))
	return ev
}

// lambdaContext is what the Lambda runtime puts in every invocation's context.
func lambdaContext() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "3f7c1b8e-lambda-invocation"})
}

// wantPut is the exact PutItem call for one order.
func wantPut(orderID, item, customerID, quantity, receivedAt string) *dynamodb.PutItemInput {
	return &dynamodb.PutItemInput{
		TableName:           aws.String(table),
		ConditionExpression: aws.String("attribute_not_exists(orderID)"),
		Item: map[string]types.AttributeValue{
			"orderID":       &types.AttributeValueMemberS{Value: orderID},
			"item":          &types.AttributeValueMemberS{Value: item},
			"customerID":    &types.AttributeValueMemberS{Value: customerID},
			"quantity":      &types.AttributeValueMemberN{Value: quantity},
			"status":        &types.AttributeValueMemberS{Value: "RECEIVED"},
			"receivedAt":    &types.AttributeValueMemberS{Value: receivedAt},
			"schemaVersion": &types.AttributeValueMemberN{Value: "1"},
		},
	}
}

// apiError wraps an AWS error the way the SDK returns it.
func apiError(err error) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "PutItem", Err: err}
}

func orderIDOf(in *dynamodb.PutItemInput) string {
	if s, ok := in.Item["orderID"].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func failureIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestStoresWithTypedAttributes(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		want    *dynamodb.PutItemInput
	}{
		{
			name:    "tutorial bare body keyed by SQS message ID",
			fixture: "sqs-event-tutorial.json",
			want:    wantPut("2e1424d4-f796-459a-8184-9c92662be6da", "latex gloves", "12345", "1", "2026-11-27T08:50:00.123Z"),
		},
		{
			name:    "envelope keyed by API request ID",
			fixture: "sqs-event-envelope.json",
			want:    wantPut("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "latex gloves", "12345", "3", "2026-11-27T08:50:00.100Z"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := mocks.NewMockPutItemAPI(t)
			db.EXPECT().PutItem(mock.Anything, tc.want).Return(&dynamodb.PutItemOutput{}, nil).Once()
			h, logs := newHandler(t, db)

			resp, err := h.Handle(lambdaContext(), loadEvent(t, tc.fixture))

			require.NoError(t, err)
			assert.Empty(t, resp.BatchItemFailures)
			stored := findLog(t, logs, "order stored")
			assert.Equal(t, "3f7c1b8e-lambda-invocation", stored["requestId"])
			assert.Equal(t, orderIDOf(tc.want), stored["orderID"])
			assert.NotEmpty(t, stored["messageId"])
		})
	}
}

func TestSameMessageTwiceStoresOnce(t *testing.T) {
	ev := loadEvent(t, "sqs-event-tutorial.json")
	want := wantPut("2e1424d4-f796-459a-8184-9c92662be6da", "latex gloves", "12345", "1", "2026-11-27T08:50:00.123Z")
	db := mocks.NewMockPutItemAPI(t)
	first := db.EXPECT().PutItem(mock.Anything, want).Return(&dynamodb.PutItemOutput{}, nil).Once()
	db.EXPECT().PutItem(mock.Anything, want).
		Return(nil, apiError(&types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")})).
		Once().NotBefore(first)
	h, logs := newHandler(t, db)

	for delivery := 1; delivery <= 2; delivery++ {
		resp, err := h.Handle(lambdaContext(), ev)
		require.NoError(t, err)
		assert.Empty(t, resp.BatchItemFailures, "delivery %d", delivery)
	}
	dup := findLog(t, logs, "order already stored; redelivery treated as success")
	assert.Equal(t, "INFO", dup["level"])
}

func TestBatchWithMalformedRecords(t *testing.T) {
	ev := loadEvent(t, "sqs-event-batch-10.json")
	require.Len(t, ev.Records, 10)
	db := mocks.NewMockPutItemAPI(t)
	db.EXPECT().PutItem(mock.Anything, mock.MatchedBy(func(in *dynamodb.PutItemInput) bool {
		return aws.ToString(in.TableName) == table && aws.ToString(in.ConditionExpression) == "attribute_not_exists(orderID)"
	})).Return(&dynamodb.PutItemOutput{}, nil).Times(8)
	h, logs := newHandler(t, db)

	resp, err := h.Handle(lambdaContext(), ev)

	require.NoError(t, err)
	assert.Equal(t, []string{"6b0d549b-6f03-475a-9600-a35a099950d8", "0cb1e29c-658c-4a14-95e6-0af593bd04cf"}, failureIDs(resp))
	var malformed []map[string]any
	for _, l := range logs.lines(t) {
		if strings.HasPrefix(l["message"].(string), "malformed order message") {
			malformed = append(malformed, l)
		}
	}
	require.Len(t, malformed, 2)
	for _, l := range malformed {
		assert.Equal(t, "ERROR", l["level"])
		assert.NotEmpty(t, l["error"], "the log line must say why")
		assert.Equal(t, "3", l["receiveCount"])
	}
}

func TestStoreFailuresReportOnlyThatRecord(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantLog string
		level   string
	}{
		{
			name:    "provisioned throughput exceeded",
			err:     apiError(&types.ProvisionedThroughputExceededException{Message: aws.String("Rate exceeded")}),
			wantLog: "order not stored: DynamoDB throttled; SQS will redeliver it",
			level:   "WARN",
		},
		{
			name:    "throttling exception",
			err:     apiError(&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput"}),
			wantLog: "order not stored: DynamoDB throttled; SQS will redeliver it",
			level:   "WARN",
		},
		{
			name:    "access denied",
			err:     apiError(&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform dynamodb:PutItem"}),
			wantLog: "order not stored; SQS will redeliver it",
			level:   "ERROR",
		},
		{
			name:    "network error",
			err:     errors.New("dial tcp: connection refused"),
			wantLog: "order not stored; SQS will redeliver it",
			level:   "ERROR",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := loadEvent(t, "sqs-event-batch-10.json")
			// Record 5 is an envelope with Idempotency-Key client-05.
			const unlucky = "client-05"
			db := mocks.NewMockPutItemAPI(t)
			db.EXPECT().PutItem(mock.Anything, mock.MatchedBy(func(in *dynamodb.PutItemInput) bool { return orderIDOf(in) == unlucky })).
				Return(nil, tc.err).Once()
			db.EXPECT().PutItem(mock.Anything, mock.MatchedBy(func(in *dynamodb.PutItemInput) bool { return orderIDOf(in) != unlucky })).
				Return(&dynamodb.PutItemOutput{}, nil).Times(7)
			h, logs := newHandler(t, db)

			resp, err := h.Handle(lambdaContext(), ev)

			require.NoError(t, err)
			assert.Equal(t, []string{ev.Records[3].MessageId, ev.Records[5].MessageId, ev.Records[7].MessageId}, failureIDs(resp),
				"the two malformed records and the failed put, in batch order")
			l := findLog(t, logs, tc.wantLog)
			assert.Equal(t, tc.level, l["level"])
			assert.Equal(t, unlucky, l["orderID"])
			assert.Contains(t, l["error"], "put order "+unlucky)
		})
	}
}

func TestSequentialWhenConcurrencyIsOne(t *testing.T) {
	ev := loadEvent(t, "sqs-event-batch-10.json")
	db := mocks.NewMockPutItemAPI(t)
	var seen []string
	db.EXPECT().PutItem(mock.Anything, mock.Anything).
		RunAndReturn(func(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
			seen = append(seen, orderIDOf(in)) // no lock: must not be called concurrently
			return &dynamodb.PutItemOutput{}, nil
		}).Times(8)
	h, err := handler.New(handler.Config{TableName: table, DB: db, Logger: slog.New(slog.DiscardHandler), Concurrency: 1})
	require.NoError(t, err)

	resp, err := h.Handle(context.Background(), ev)

	require.NoError(t, err)
	assert.Len(t, resp.BatchItemFailures, 2)
	assert.Equal(t, []string{
		ev.Records[0].MessageId, "client-01", ev.Records[2].MessageId, ev.Records[4].MessageId,
		"client-05", ev.Records[6].MessageId, ev.Records[8].MessageId, "client-09",
	}, seen)
}

func TestEmptyBatch(t *testing.T) {
	h, _ := newHandler(t, mocks.NewMockPutItemAPI(t))
	resp, err := h.Handle(context.Background(), events.SQSEvent{})
	require.NoError(t, err)
	body, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"batchItemFailures":[]}`, string(body))
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	db := mocks.NewMockPutItemAPI(t)
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name string
		cfg  handler.Config
		want string
	}{
		{"no table", handler.Config{DB: db, Logger: log}, "table name"},
		{"no client", handler.Config{TableName: table, Logger: log}, "DynamoDB client"},
		{"no logger", handler.Config{TableName: table, DB: db}, "logger"},
		{"negative concurrency", handler.Config{TableName: table, DB: db, Logger: log, Concurrency: -1}, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := handler.New(tc.cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestFixturesRoundTrip checks the fixtures are shaped as Lambda sends SQS
// events: every member they hold survives unmarshal and marshal.
func TestFixturesRoundTrip(t *testing.T) {
	for _, name := range []string{"sqs-event-tutorial.json", "sqs-event-envelope.json", "sqs-event-batch-10.json"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			var ev events.SQSEvent
			require.NoError(t, json.Unmarshal(raw, &ev))
			again, err := json.Marshal(ev)
			require.NoError(t, err)
			var want, got any
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, json.Unmarshal(again, &got))
			// events.SQSMessage always writes md5OfMessageAttributes, which
			// SQS omits for a message without attributes.
			dropZeroAdditions(want, got)
			assert.True(t, reflect.DeepEqual(want, got), "round trip changed the event:\nwant %s\ngot  %s", raw, again)
		})
	}
}

// dropZeroAdditions removes from got the empty members that want lacks.
func dropZeroAdditions(want, got any) {
	switch g := got.(type) {
	case map[string]any:
		w, _ := want.(map[string]any)
		for k, v := range g {
			if _, ok := w[k]; !ok && (v == nil || v == "") {
				delete(g, k)
				continue
			}
			dropZeroAdditions(w[k], v)
		}
	case []any:
		w, _ := want.([]any)
		for i := range g {
			if i < len(w) {
				dropZeroAdditions(w[i], g[i])
			}
		}
	}
}

func findLog(t *testing.T, logs *logBuffer, msg string) map[string]any {
	t.Helper()
	for _, l := range logs.lines(t) {
		if l["message"] == msg {
			return l
		}
	}
	t.Fatalf("no log line %q", msg)
	return nil
}

// TestThroughLambdaRuntimeHandler feeds the fixture's bytes through
// aws-lambda-go's handler wrapper, as lambda.Start does, and checks the bytes
// Lambda gets back.
func TestThroughLambdaRuntimeHandler(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "sqs-event-batch-10.json"))
	require.NoError(t, err)
	db := mocks.NewMockPutItemAPI(t)
	db.EXPECT().PutItem(mock.Anything, mock.Anything).Return(&dynamodb.PutItemOutput{}, nil).Times(8)
	h, _ := newHandler(t, db)

	out, err := lambda.NewHandler(h.Handle).Invoke(lambdaContext(), raw)

	require.NoError(t, err)
	assert.JSONEq(t, `{"batchItemFailures":[
		{"itemIdentifier":"6b0d549b-6f03-475a-9600-a35a099950d8"},
		{"itemIdentifier":"0cb1e29c-658c-4a14-95e6-0af593bd04cf"}]}`, string(out))
}
