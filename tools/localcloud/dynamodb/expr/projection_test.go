package expr

import (
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

func TestProjection(t *testing.T) {
	doc := item(t, `{
		"id": {"S": "k"}, "a": {"N": "1"}, "status": {"S": "open"},
		"l": {"L": [{"S": "l0"}, {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}, {"S": "l2"}]},
		"m": {"M": {"k": {"S": "v"}, "o": {"S": "w"}, "kid": {"M": {"z": {"N": "1"}}}}}
	}`)
	tests := []struct {
		name, expr, want string
	}{
		{"top level", "id, a", `{"id":{"S":"k"},"a":{"N":"1"}}`},
		{"reserved via placeholder", "#s", `{"status":{"S":"open"}}`},
		{"missing left out", "id, nope", `{"id":{"S":"k"}}`},
		{"nested member", "m.k", `{"m":{"M":{"k":{"S":"v"}}}}`},
		{"two members of one map", "m.k, m.kid.z", `{"m":{"M":{"k":{"S":"v"},"kid":{"M":{"z":{"N":"1"}}}}}}`},
		{"list elements compacted in order", "l[2], l[0]", `{"l":{"L":[{"S":"l0"},{"S":"l2"}]}}`},
		{"inside list element", "l[1].y", `{"l":{"L":[{"M":{"y":{"N":"2"}}}]}}`},
		{"index out of range", "l[7]", `{}`},
		{"member of non-map", "a.b", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseProjection(tt.expr, testNames)
			if err != nil {
				t.Fatalf("ParseProjection(%q): %v", tt.expr, err)
			}
			got := p.Apply(doc)
			if !attr.EqualItems(got, item(t, tt.want)) {
				j, _ := got.MarshalJSON()
				t.Fatalf("Apply(%q) = %s, want %s", tt.expr, j, tt.want)
			}
		})
	}
	errs := []struct {
		name, expr, want string
	}{
		{"empty", "", "Invalid ProjectionExpression: The expression can not be empty;"},
		{"trailing comma", "a,", `Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","`},
		{"value", "a, :s", `Invalid ProjectionExpression: Syntax error; token: ":s", near: ", :s"`},
		{"space separated", "a b", `Invalid ProjectionExpression: Syntax error; token: "b", near: "a b"`},
		{"reserved", "id, name", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"},
		{"undefined name", "#nope", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope"},
		{"overlap", "m, m.k", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, k]"},
		{"duplicate", "a, #a", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"conflict", "m.k, m[0]", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [m, k], path two: [m, [0]]"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProjection(tt.expr, testNames)
			if got := message(t, err); got != tt.want {
				t.Errorf("ParseProjection(%q)\n got: %s\nwant: %s", tt.expr, got, tt.want)
			}
		})
	}
}
