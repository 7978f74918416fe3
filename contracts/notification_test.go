package contracts

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestNewPublication(t *testing.T) {
	p, err := NewPublication(sampleOrder())
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Order received: c6af9ac6-7b61-11e6-9a41-93e8deadbeef" {
		t.Errorf("Subject = %q", p.Subject)
	}
	if p.MessageStructure != "json" {
		t.Errorf("MessageStructure = %q, want json", p.MessageStructure)
	}
	var variants map[string]string
	if err := json.Unmarshal([]byte(p.Message), &variants); err != nil {
		t.Fatalf("Message is not a JSON object of strings: %v", err)
	}
	if len(variants) != 2 {
		t.Errorf("variants = %v, want default and email", variants)
	}
	assertSameJSON(t, []byte(`{
		"type":"OrderReceived","orderID":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","item":"latex gloves",
		"customerID":"12345","quantity":3,"receivedAt":"2026-11-27T08:50:00.123Z","schemaVersion":1}`),
		[]byte(variants["default"]))
	for _, want := range []string{"c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "latex gloves", "Quantity:    3", "12345"} {
		if !strings.Contains(variants["email"], want) {
			t.Errorf("email text lacks %q:\n%s", want, variants["email"])
		}
	}
	wantAttrs := map[string]MessageAttribute{
		"eventType":  {DataType: "String", StringValue: "OrderReceived"},
		"customerID": {DataType: "String", StringValue: "12345"},
		"quantity":   {DataType: "Number", StringValue: "3"},
	}
	if !reflect.DeepEqual(p.Attributes, wantAttrs) {
		t.Errorf("Attributes = %v, want %v", p.Attributes, wantAttrs)
	}
}

func TestNewPublicationRejectsInvalidOrder(t *testing.T) {
	o := sampleOrder()
	o.CustomerID = ""
	if _, err := NewPublication(o); err == nil || !strings.Contains(err.Error(), "customerID") {
		t.Errorf("err = %v, want one naming customerID", err)
	}
}

func TestSubject(t *testing.T) {
	long := "Order received: " + strings.Repeat("k", 128)
	tests := []struct {
		name, in, want string
	}{
		{"short unchanged", "Order received: abc", "Order received: abc"},
		{"line breaks become spaces", "Order\r\nreceived", "Order  received"},
		{"leading space trimmed", "  Order", "Order"},
		{"non-ASCII replaced", "Größe", "Gr??e"},
		{"long cut with ellipsis", long, long[:MaxSubjectLength-3] + "..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Subject(tc.in)
			if got != tc.want {
				t.Errorf("Subject(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if len(got) > MaxSubjectLength {
				t.Errorf("len = %d > %d", len(got), MaxSubjectLength)
			}
		})
	}
}
