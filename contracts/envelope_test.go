package contracts

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	testMessageID = "059f36b4-87a3-44ab-83d2-661975830a7d"
	testSent      = "1795769400999"
)

func TestDecodeQueueMessage(t *testing.T) {
	tests := []struct {
		name string
		body string
		want StoredOrder
	}{
		{
			name: "tutorial bare body takes SQS identity",
			body: readFixture(t, "order-tutorial.json"),
			want: StoredOrder{
				OrderID: testMessageID, Item: "latex gloves", CustomerID: "12345", Quantity: 1,
				Status: StatusReceived, ReceivedAt: time.UnixMilli(1795769400999).UTC(), SchemaVersion: 1,
			},
		},
		{
			name: "envelope without key uses request ID",
			body: readFixture(t, "envelope-v1.json"),
			want: StoredOrder{
				OrderID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", Item: "latex gloves", CustomerID: "12345", Quantity: 3,
				Status: StatusReceived, ReceivedAt: time.Date(2026, 11, 27, 8, 50, 0, 123e6, time.UTC), SchemaVersion: 1,
			},
		},
		{
			name: "envelope with key uses key",
			body: readFixture(t, "envelope-v1-idempotency-key.json"),
			want: StoredOrder{
				OrderID: "order-2026-11-27:0001", Item: "nitrile gloves", CustomerID: "C-77", Quantity: 1,
				Status: StatusReceived, ReceivedAt: time.Date(2026, 11, 27, 8, 50, 0, 456e6, time.UTC), SchemaVersion: 1,
			},
		},
		{
			name: "envelope ignores unknown members",
			body: `{"schemaVersion":1,"requestID":"r-1","receivedAt":1795769400000,"traceID":"x","order":{"item":"a","customerID":"b"}}`,
			want: StoredOrder{
				OrderID: "r-1", Item: "a", CustomerID: "b", Quantity: 1,
				Status: StatusReceived, ReceivedAt: time.UnixMilli(1795769400000).UTC(), SchemaVersion: 1,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeQueueMessage(tc.body, testMessageID, testSent)
			if err != nil {
				t.Fatalf("DecodeQueueMessage: %v", err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeQueueMessageErrors(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		noID       bool // deliver without an SQS message ID
		noSent     bool // deliver without a SentTimestamp attribute
		wantFields []string
		wantIs     error
	}{
		{name: "unknown schema version", body: readFixture(t, "envelope-v2.json"), wantFields: []string{"schemaVersion"}, wantIs: ErrUnsupportedSchemaVersion},
		{name: "order without version", body: `{"requestID":"r","receivedAt":1,"order":{"item":"a","customerID":"b"}}`, wantFields: []string{"schemaVersion"}},
		{name: "string version", body: `{"schemaVersion":"1","requestID":"r","receivedAt":1,"order":{"item":"a","customerID":"b"}}`, wantFields: []string{"schemaVersion"}},
		{name: "missing order", body: `{"schemaVersion":1,"requestID":"r","receivedAt":1}`, wantFields: []string{"order"}},
		{name: "order not an object", body: `{"schemaVersion":1,"requestID":"r","receivedAt":1,"order":"latex gloves"}`, wantFields: []string{"order"}},
		{name: "invalid order fields are qualified", body: `{"schemaVersion":1,"requestID":"r","receivedAt":1,"order":{"item":"","quantity":0}}`, wantFields: []string{"order.item", "order.customerID", "order.quantity"}},
		{name: "missing identity", body: `{"schemaVersion":1,"order":{"item":"a","customerID":"b"}}`, wantFields: []string{"requestID", "receivedAt"}},
		{name: "bad idempotency key", body: `{"schemaVersion":1,"requestID":"r","idempotencyKey":"has space","receivedAt":1,"order":{"item":"a","customerID":"b"}}`, wantFields: []string{"idempotencyKey"}},
		{name: "non-positive receivedAt", body: `{"schemaVersion":1,"requestID":"r","receivedAt":0,"order":{"item":"a","customerID":"b"}}`, wantFields: []string{"receivedAt"}},
		{name: "bare body with wrong fields", body: `{"product":"gloves"}`, wantFields: []string{"item", "customerID", "product"}},
		{name: "bare body without sent timestamp", body: `{"item":"a","customerID":"b"}`, noSent: true, wantFields: []string{"SentTimestamp"}},
		{name: "bare body with odd message ID", body: `{"item":"a","customerID":"b"}`, noID: true, wantFields: []string{"messageId"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, sent := testMessageID, testSent
			if tc.noID {
				id = ""
			}
			if tc.noSent {
				sent = ""
			}
			_, err := DecodeQueueMessage(tc.body, id, sent)
			assertFields(t, err, tc.wantFields)
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.wantIs)
			}
		})
	}
}

// TestEnvelopeMarshalsToWhatDecodeReads keeps the exported Envelope type (for
// producers other than API Gateway, such as load generators) in step with
// the decoder.
func TestEnvelopeMarshalsToWhatDecodeReads(t *testing.T) {
	env := Envelope{
		SchemaVersion:  SchemaVersion,
		RequestID:      "r-42",
		IdempotencyKey: "k-42",
		ReceivedAt:     1795769400123,
		Order:          OrderRequest{Item: "latex gloves", CustomerID: "12345", Quantity: 5},
	}
	body, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeQueueMessage(string(body), testMessageID, testSent)
	if err != nil {
		t.Fatal(err)
	}
	want := StoredOrder{
		OrderID: "k-42", Item: "latex gloves", CustomerID: "12345", Quantity: 5,
		Status: StatusReceived, ReceivedAt: time.UnixMilli(1795769400123).UTC(), SchemaVersion: 1,
	}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDecodeQueueMessageNotJSON(t *testing.T) {
	_, err := DecodeQueueMessage("Message Body", testMessageID, testSent)
	if !errors.Is(err, errNotObject) || !strings.Contains(err.Error(), testMessageID) {
		t.Errorf("err = %v, want errNotObject naming the message", err)
	}
}

func TestRedeliveryKeepsIdentity(t *testing.T) {
	for _, fixture := range []string{"order-tutorial.json", "envelope-v1.json"} {
		t.Run(fixture, func(t *testing.T) {
			body := readFixture(t, fixture)
			first, err1 := DecodeQueueMessage(body, testMessageID, testSent)
			again, err2 := DecodeQueueMessage(body, testMessageID, testSent)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if first != again {
				t.Errorf("redelivery decoded differently: %+v vs %+v", first, again)
			}
		})
	}
}

func TestOrderID(t *testing.T) {
	tests := []struct {
		name, key, requestID, want string
	}{
		{"key wins", "client-key-1", "req-1", "client-key-1"},
		{"request ID without key", "", "req-1", "req-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := OrderID(tc.key, tc.requestID); got != tc.want {
				t.Errorf("OrderID(%q, %q) = %q, want %q", tc.key, tc.requestID, got, tc.want)
			}
		})
	}
}

func TestValidIdempotencyKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"order-2026-11-27:0001", true},
		{"A_b.c:d-e", true},
		{strings.Repeat("k", 128), true},
		{"", false},
		{strings.Repeat("k", 129), false},
		{"-leading-dash", false},
		{"has space", false},
		{"slash/inside", false},
		{"ünïcode", false},
		{"quote\"", false},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			if got := ValidIdempotencyKey(tc.key); got != tc.want {
				t.Errorf("ValidIdempotencyKey(%q) = %v, want %v", tc.key, got, tc.want)
			}
		})
	}
}
