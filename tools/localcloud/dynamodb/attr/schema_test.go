package attr

import (
	"bytes"
	"testing"
)

func TestKeySchema(t *testing.T) {
	s := KeySchema{PartitionKey: "pk", PartitionType: TypeS, SortKey: "sk", SortType: TypeN}
	item := func(js string) Item {
		it, err := ParseItem([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	msg := errMessage
	items := []struct{ name, item, want string }{
		{"valid", `{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":""}}`, ""},
		{"missing sort key", `{"pk":{"S":"a"}}`, "One or more parameter values were invalid: Missing the key sk in the item"},
		{"type mismatch", `{"pk":{"N":"1"},"sk":{"N":"1"}}`, "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
		{"empty string key", `{"pk":{"S":""},"sk":{"N":"1"}}`, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
	}
	for _, tt := range items {
		if got := msg(s.CheckItem(item(tt.item))); got != tt.want {
			t.Errorf("CheckItem %s: %q, want %q", tt.name, got, tt.want)
		}
	}
	keys := []struct{ name, key, want string }{
		{"valid", `{"pk":{"S":"a"},"sk":{"N":"1"}}`, ""},
		{"extra attribute", `{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"b"}}`, "The provided key element does not match the schema"},
		{"missing sort", `{"pk":{"S":"a"}}`, "The provided key element does not match the schema"},
		{"wrong type", `{"pk":{"S":"a"},"sk":{"S":"1"}}`, "The provided key element does not match the schema"},
		{"empty", `{"pk":{"S":""},"sk":{"N":"1"}}`, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
	}
	for _, tt := range keys {
		if got := msg(s.CheckKey(item(tt.key))); got != tt.want {
			t.Errorf("CheckKey %s: %q, want %q", tt.name, got, tt.want)
		}
	}
	full := item(`{"pk":{"S":"a"},"sk":{"N":"10"},"x":{"S":"b"}}`)
	if k := s.Key(full); len(k) != 2 {
		t.Errorf("Key = %v", k)
	}
	a, _ := s.AppendKey(nil, full)
	b, _ := s.AppendKey(nil, item(`{"pk":{"S":"a"},"sk":{"N":"9"}}`))
	c, _ := s.AppendKey(nil, item(`{"pk":{"S":"a\u0000"},"sk":{"N":"-1"}}`))
	if bytes.Compare(b, a) >= 0 || bytes.Compare(a, c) >= 0 {
		t.Errorf("composite keys out of order: %x %x %x", b, a, c)
	}
}
