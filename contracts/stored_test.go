package contracts

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func sampleOrder() StoredOrder {
	return StoredOrder{
		OrderID:       "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
		Item:          "latex gloves",
		CustomerID:    "12345",
		Quantity:      3,
		Status:        StatusReceived,
		ReceivedAt:    time.Date(2026, 11, 27, 8, 50, 0, 123e6, time.UTC),
		SchemaVersion: SchemaVersion,
	}
}

func TestStoredOrderAttributes(t *testing.T) {
	got, err := sampleOrder().Attributes()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{
		"orderID":       &types.AttributeValueMemberS{Value: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
		"item":          &types.AttributeValueMemberS{Value: "latex gloves"},
		"customerID":    &types.AttributeValueMemberS{Value: "12345"},
		"quantity":      &types.AttributeValueMemberN{Value: "3"},
		"status":        &types.AttributeValueMemberS{Value: "RECEIVED"},
		"receivedAt":    &types.AttributeValueMemberS{Value: "2026-11-27T08:50:00.123Z"},
		"schemaVersion": &types.AttributeValueMemberN{Value: "1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Attributes() =\n%#v\nwant\n%#v", got, want)
	}
}

func TestStoredOrderRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		order StoredOrder
	}{
		{"sample", sampleOrder()},
		{"non-UTC zone is stored as UTC", func() StoredOrder {
			o := sampleOrder()
			o.ReceivedAt = o.ReceivedAt.In(time.FixedZone("CET", 3600))
			return o
		}()},
		{"unicode item", func() StoredOrder { o := sampleOrder(); o.Item = "Handschuhe – größe L"; return o }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			item, err := tc.order.Attributes()
			if err != nil {
				t.Fatal(err)
			}
			item[AttrNotifiedAt] = &types.AttributeValueMemberS{Value: "2026-11-27T08:50:01.000Z"}
			back, err := StoredOrderFromAttributes(item)
			if err != nil {
				t.Fatal(err)
			}
			if !back.ReceivedAt.Equal(tc.order.ReceivedAt) || back.ReceivedAt.Location() != time.UTC {
				t.Errorf("receivedAt %v, want %v in UTC", back.ReceivedAt, tc.order.ReceivedAt)
			}
			back.ReceivedAt, tc.order.ReceivedAt = time.Time{}, time.Time{}
			if back != tc.order {
				t.Errorf("round trip %+v, want %+v", back, tc.order)
			}
		})
	}
}

func TestStoredOrderAttributesRejectsInvalid(t *testing.T) {
	o := sampleOrder()
	o.OrderID = "not valid!"
	o.Quantity = 0
	_, err := o.Attributes()
	assertFields(t, err, []string{AttrOrderID, AttrQuantity})
}

func TestStoredOrderFromAttributesErrors(t *testing.T) {
	valid, err := sampleOrder().Attributes()
	if err != nil {
		t.Fatal(err)
	}
	with := func(name string, v types.AttributeValue) map[string]types.AttributeValue {
		m := make(map[string]types.AttributeValue, len(valid))
		for k, av := range valid {
			m[k] = av
		}
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
		return m
	}
	tests := []struct {
		name       string
		item       map[string]types.AttributeValue
		wantFields []string
		wantInMsg  string
		wantIs     error
	}{
		{"missing orderID", with(AttrOrderID, nil), []string{AttrOrderID}, "missing attribute (want type S)", nil},
		{"quantity as string", with(AttrQuantity, &types.AttributeValueMemberS{Value: "3"}), []string{AttrQuantity}, "type S, want N", nil},
		{"fractional quantity", with(AttrQuantity, &types.AttributeValueMemberN{Value: "2.5"}), []string{AttrQuantity}, "not an integer", nil},
		{"item as list", with(AttrItem, &types.AttributeValueMemberL{}), []string{AttrItem}, "type L, want S", nil},
		{"bad time", with(AttrReceivedAt, &types.AttributeValueMemberS{Value: "yesterday"}), []string{AttrReceivedAt}, "RFC 3339", nil},
		{"future schema version", with(AttrSchemaVersion, &types.AttributeValueMemberN{Value: "2"}), []string{AttrSchemaVersion}, "unsupported", ErrUnsupportedSchemaVersion},
		{"empty item", map[string]types.AttributeValue{}, []string{AttrOrderID, AttrItem, AttrCustomerID, AttrQuantity, AttrStatus, AttrReceivedAt, AttrSchemaVersion}, "missing", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StoredOrderFromAttributes(tc.item)
			assertFields(t, err, tc.wantFields)
			if !strings.Contains(err.Error(), tc.wantInMsg) {
				t.Errorf("message %q lacks %q", err, tc.wantInMsg)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.wantIs)
			}
		})
	}
}

func TestFormatTime(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"whole second keeps three digits", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000Z"},
		{"sub-millisecond truncated", time.Date(2026, 1, 2, 3, 4, 5, 987654321, time.UTC), "2026-01-02T03:04:05.987Z"},
		{"converted to UTC", time.Date(2026, 1, 2, 4, 4, 5, 0, time.FixedZone("CET", 3600)), "2026-01-02T03:04:05.000Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatTime(tc.in); got != tc.want {
				t.Errorf("FormatTime = %s, want %s", got, tc.want)
			}
		})
	}
}
