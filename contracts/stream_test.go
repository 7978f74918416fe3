package contracts

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func loadStreamFixture(t *testing.T) (raw []byte, ev events.DynamoDBEvent) {
	t.Helper()
	raw = []byte(readFixture(t, "dynamodb-stream-insert.json"))
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("unmarshal stream event: %v", err)
	}
	return raw, ev
}

func TestStreamFixtureRoundTrips(t *testing.T) {
	raw, ev := loadStreamFixture(t)
	again, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, raw, again)
}

func TestStoredOrderFromStreamImage(t *testing.T) {
	_, ev := loadStreamFixture(t)
	got, err := StoredOrderFromStreamImage(ev.Records[0].Change.NewImage)
	if err != nil {
		t.Fatal(err)
	}
	if want := sampleOrder(); got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestStoredOrderFromStreamImageErrors(t *testing.T) {
	_, ev := loadStreamFixture(t)
	valid := ev.Records[0].Change.NewImage
	with := func(name string, v *events.DynamoDBAttributeValue) map[string]events.DynamoDBAttributeValue {
		m := make(map[string]events.DynamoDBAttributeValue, len(valid))
		for k, av := range valid {
			m[k] = av
		}
		if v == nil {
			delete(m, name)
		} else {
			m[name] = *v
		}
		return m
	}
	ptr := func(av events.DynamoDBAttributeValue) *events.DynamoDBAttributeValue { return &av }
	tests := []struct {
		name       string
		image      map[string]events.DynamoDBAttributeValue
		wantFields []string
		wantInMsg  string
	}{
		{"missing customerID", with(AttrCustomerID, nil), []string{AttrCustomerID}, "customerID: missing attribute (want type S)"},
		{"quantity as string", with(AttrQuantity, ptr(events.NewStringAttribute("3"))), []string{AttrQuantity}, "quantity: attribute has type S, want N"},
		{"orderID as number", with(AttrOrderID, ptr(events.NewNumberAttribute("7"))), []string{AttrOrderID}, "orderID: attribute has type N, want S"},
		{"status as map", with(AttrStatus, ptr(events.NewMapAttribute(nil))), []string{AttrStatus}, "type M, want S"},
		{"receivedAt as null", with(AttrReceivedAt, ptr(events.NewNullAttribute())), []string{AttrReceivedAt}, "type NULL, want S"},
		{"schemaVersion as bool", with(AttrSchemaVersion, ptr(events.NewBooleanAttribute(true))), []string{AttrSchemaVersion}, "type BOOL, want N"},
		{"item as string set", with(AttrItem, ptr(events.NewStringSetAttribute([]string{"a"}))), []string{AttrItem}, "type SS, want S"},
		{"quantity too large", with(AttrQuantity, ptr(events.NewNumberAttribute("5000"))), []string{AttrQuantity}, "from 1 to 1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StoredOrderFromStreamImage(tc.image) // must not panic
			assertFields(t, err, tc.wantFields)
			if !strings.Contains(err.Error(), tc.wantInMsg) {
				t.Errorf("message %q lacks %q", err, tc.wantInMsg)
			}
		})
	}
}

func TestStoredOrderFromStreamImageWithoutImage(t *testing.T) {
	_, err := StoredOrderFromStreamImage(nil)
	if err == nil || !strings.Contains(err.Error(), "NEW_IMAGE") {
		t.Errorf("err = %v, want a hint about the stream view type", err)
	}
}

// assertSameJSON compares two JSON documents by value, not by bytes.
func assertSameJSON(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v", err)
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("JSON differs:\nwant %s\ngot  %s", want, got)
	}
}
