package expr

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

func TestDecodeValues(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ok", `{":a":{"S":"x"},":b":{"N":"1.0"}}`, ""},
		{"empty", `{}`, "ExpressionAttributeValues must not be empty"},
		{"bad key first", `{":b":{"NULL":false},"b":{"S":"a"}}`, `ExpressionAttributeValues contains invalid key: Syntax error; key: "b"`},
		{"empty value", `{":b":{}}`, "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :b"},
		{"null false", `{":b":{"NULL":false}}`, "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Null attribute value types must have the value of true for key :b"},
		{"bad number", `{":b":{"N":"x"}}`, "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x for key :b"},
		{"set duplicates", `{":b":{"NS":["1","1"]}}`, "ExpressionAttributeValues contains invalid value: Input collection contains duplicates for key :b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.in), &raw); err != nil {
				t.Fatal(err)
			}
			vals, err := DecodeValues(raw)
			if got := message(t, err); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if err == nil && vals[":b"].Num().String() != "1" {
				t.Fatalf("values = %v", vals)
			}
		})
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal([]byte(`{":b":{"S":1}}`), &raw)
	var e *attr.Error
	if _, err := DecodeValues(raw); !errors.As(err, &e) || e.Code != attr.CodeSerialization {
		t.Fatalf("shape error: %v", err)
	}
}
