package expr

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

var conditionErrorTests = []struct {
	name, expr, want string
}{
	{"empty", "", "Invalid ConditionExpression: The expression can not be empty;"},
	{"bare path", "foo", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"`},
	{"arithmetic", "a+:n<b", `Invalid ConditionExpression: Syntax error; token: "+", near: "a+:n"`},
	{"unclosed call", "contains (themes, :s", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":s"`},
	{"open paren", "attribute_not_exists(", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("`},
	{"parenthesised path", "(#a)", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ")"`},
	{"dash in name", "user-id = :s", `Invalid ConditionExpression: Syntax error; token: "-", near: "user-id"`},
	{"first token", "= :s", `Invalid ConditionExpression: Syntax error; token: "=", near: "= :s"`},
	{"illegal char", "a = :s @ b", `Invalid ConditionExpression: Syntax error; token: "@", near: ":s @ b"`},
	{"lone hash", "# = :s", `Invalid ConditionExpression: Syntax error; token: "#", near: "# ="`},
	{"number literal", "a > 4", `Invalid ConditionExpression: Syntax error; token: "4", near: "> 4"`},
	{"dangling AND", "a = :s AND", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
	{"operand after OR", "a = :s OR b", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "b"`},
	{"NOT operand", "NOT a", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a"`},
	{"BETWEEN without AND", "a BETWEEN :n1 OR :n", `Invalid ConditionExpression: Syntax error; token: "OR", near: ":n1 OR :n"`},
	{"IN without parens", "a IN :n", `Invalid ConditionExpression: Syntax error; token: ":n", near: "IN :n"`},
	{"compare conditions", "(a = :s) = :s", `Invalid ConditionExpression: Syntax error; token: "=", near: ") = :s"`},
	{"trailing tokens", "a = :s b", `Invalid ConditionExpression: Syntax error; token: "b", near: ":s b"`},
	{"keyword as path", "a = :s AND and = :s", `Invalid ConditionExpression: Syntax error; token: "and", near: "AND and ="`},
	{"bad index", "a[x] = :s", `Invalid ConditionExpression: Syntax error; token: "x", near: "[x]"`},
	{"negative index", "a[-1] = :s", `Invalid ConditionExpression: Syntax error; token: "-", near: "[-1"`},
	{"huge index", "a[99999999999999999999] = :s", "Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999999999999]"},
	{"index past int32", "a[2147483648] = :s", "Invalid ConditionExpression: List index is not within the allowable range; index: [2147483648]"},
	{"deep path", "a" + strings.Repeat(".b", 32) + " = :s", "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"},
	{"too many operators", "a = :s" + strings.Repeat(" OR a = :s", 150), "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"},
	{"reserved word", "status = :s", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
	{"reserved nested", "a.Size = :s", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Size"},
	{"undefined value", "a = :x", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"},
	{"undefined name", "#x = :s", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
	{"unknown function", "foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"},
	{"function names are case-sensitive", "Begins_With(a, :s)", "Invalid ConditionExpression: Invalid function name; function: Begins_With"},
	{"update function", "if_not_exists(a, :s) = :s", "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"},
	{"size as condition", "size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
	{"boolean function as operand", "attribute_exists(a) = :t", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
	{"boolean function in IN", "a IN (:s, contains(b, :s))", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: contains"},
	{"redundant parens", "((a = :s))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
	{"redundant operand parens", "a = ((:s))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
	{"operand count", "begins_with(a)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"},
	{"operand count size", "size(a, b) > :n", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
	{"exists needs path", "attribute_exists(:s)", "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"},
	{"begins_with type", "begins_with(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
	{"size type", "size(:n) > :n", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"},
	{"attribute_type type", "attribute_type(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
	{"attribute_type path", "attribute_type(a, b)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
	{"attribute_type name", "attribute_type(a, :typeX)", "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
	{"distinct comparison", "a.b = a.b", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a, b]"},
	{"distinct function", "begins_with(a, a)", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [a]"},
	{"between types", "a BETWEEN :n AND :s", "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:abc}"},
	{"between order", "a BETWEEN :n10 AND :n", "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:5}"},
	{"too many IN operands", "a IN (" + strings.Repeat(":n, ", 100) + ":n)", "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"},
	{"too long", "a = :s AND " + strings.Repeat("a = :s OR ", 500) + "a = :s", "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 5017"},
	{"priority: unknown function before reserved", "status = :s AND foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"},
	{"priority: reserved before undefined", "a = :x AND status = :s", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
	{"priority: syntax first", "status = :x AND", `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
}

func TestParseConditionErrors(t *testing.T) {
	tests := conditionErrorTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCondition(tt.expr, testNames, testValues(t))
			if got := message(t, err); got != tt.want {
				t.Errorf("ParseCondition(%q)\n got: %s\nwant: %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestFilterErrorsNameFilterExpression(t *testing.T) {
	_, err := ParseFilter("a", nil, nil)
	if got, want := message(t, err), `Invalid FilterExpression: Syntax error; token: "<EOF>", near: "a"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

var conditionEvalTests = []struct {
	name, expr string
	want       bool
}{
	{"equal string", "a = :s", true},
	{"equal other type", "n = :s", false},
	{"equal numbers canonical", "n = :n", true},
	{"equal attributes", "n = n2", true},
	{"not equal", "a <> :s2", true},
	{"not equal same", "a <> :s", false},
	{"not equal nope", "nope <> :s", true},
	{"equal nope", "nope = :s", false},
	{"less string bytewise", "a < :s2", true},
	{"less number", "n < :n10", true},
	{"numeric not lexical", ":n10 > n", true},
	{"less mixed types", "a < :n", false},
	{"less nope", "nope < :n", false},
	{"less equal", "n <= :n", true},
	{"greater equal", "n >= :n10", false},
	{"binary compare", "b > :bpre", true},
	{"between", "n BETWEEN :n1 AND :n10", true},
	{"between inclusive", "n BETWEEN :n AND :n", true},
	{"between outside", "n BETWEEN :n10 AND n", false},
	{"between strings", "a BETWEEN :pre AND :s2", true},
	{"in", "a IN (:s2, :s)", true},
	{"in none", "a IN (:s2, :pre)", false},
	{"in nope", "nope IN (:s)", false},
	{"and", "a = :s AND n = :n", true},
	{"or", "a = :s2 OR n = :n", true},
	{"not", "NOT a = :s", false},
	{"precedence and over or", "a = :s2 AND n = :n OR t = :t", true},
	{"precedence explicit", "a = :s2 AND (n = :n OR t = :t)", false},
	{"not binds tighter than and", "NOT a = :s2 AND n = :n", true},
	{"double not", "NOT NOT a = :s", true},
	{"case-insensitive keywords", "a = :s and n between :n1 AND :n10 or not t = :t", true},
	{"exists", "attribute_exists(a)", true},
	{"exists missing", "attribute_exists(nope)", false},
	{"not exists", "attribute_not_exists(nope)", true},
	{"exists nested", "attribute_exists(m.kid.z)", true},
	{"exists list element", "attribute_exists(l[2].deep)", true},
	{"exists index out of range", "attribute_exists(l[3])", false},
	{"exists index on map", "attribute_exists(m[0])", false},
	{"name placeholder with dot", "#dot = :s", false},
	{"name placeholder with dot matches top level", "attribute_exists(#dot)", true},
	{"nested placeholder with dot", "m.#dot = :s", false},
	{"reserved via placeholder", "#s = :open", true},
	{"type S", "attribute_type(a, :typeS)", true},
	{"type N", "attribute_type(n, :typeN)", true},
	{"type mismatch", "attribute_type(a, :typeN)", false},
	{"type of nope", "attribute_type(nope, :typeS)", false},
	{"type list", "attribute_type(l, :typeL)", true},
	{"begins_with", "begins_with(a, :pre)", true},
	{"begins_with empty", "begins_with(a, :empty)", true},
	{"begins_with no", "begins_with(a, :s2)", false},
	{"begins_with binary", "begins_with(b, :bpre)", true},
	{"begins_with wrong type", "begins_with(n, :pre)", false},
	{"contains substring", "contains(a, :pre)", true},
	{"contains set member", "contains(ss, :a)", true},
	{"contains set other type", "contains(ns, :a)", false},
	{"contains number set", "contains(ns, :n1)", true},
	{"contains list element", "contains(l, :x)", true},
	{"contains list number", "contains(l, :n1)", true},
	{"contains binary", "contains(b, :b)", true},
	{"contains nope", "contains(nope, :s)", false},
	{"size string", "size(a) = :three", true},
	{"size list", "size(l) = :three", true},
	{"size map", "size(m) = :three", true},
	{"size set", "size(ss) < :three", true},
	{"size binary", "size(b) = :three", true},
	{"size number is no value", "size(n) = :three", false},
	{"size nope", "size(nope) < :three", false},
	{"size both sides", "size(a) = size(l)", true},
	{"size in between", "size(a) BETWEEN :n1 AND :n", true},
	{"parenthesised operand", "(a) = :s", true},
	{"parenthesised condition", "(a = :s)", true},
	{"nested list map", "l[2].deep = :y", true},
	{"bool equal", "t = :t", true},
	{"null equal", "nul = :null", true},
	{"set equality unordered", "ss = :ssrev", true},
	{"map equality", "m.kid = :inner", true},
	{"decimal exact", "frac = :dec3", true},
}

func TestConditionEval(t *testing.T) {
	doc := `{
		"a": {"S": "abc"}, "n": {"N": "5"}, "n2": {"N": "5.0"}, "frac": {"N": "0.3"}, "b": {"B": "AAEC"},
		"t": {"BOOL": true}, "nul": {"NULL": true},
		"ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AA=="]},
		"l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"S": "y"}}}]},
		"m": {"M": {"k": {"S": "v"}, "a.b": {"S": "dotted"}, "kid": {"M": {"z": {"N": "1"}}}}},
		"status": {"S": "open"}, "a.b": {"S": "literal dot"}
	}`
	tests := conditionEvalTests
	vals := testValues(t)
	for k, v := range item(t, `{":open":{"S":"open"},":a":{"S":"a"},":x":{"S":"x"},":three":{"N":"3"},":y":{"S":"y"},
		":ssrev":{"SS":["b","a"]},":inner":{"M":{"z":{"N":"1.0"}}},":dec3":{"N":"3E-1"}}`) {
		vals[k] = v
	}
	it := item(t, doc)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCondition(tt.expr, testNames, vals)
			if err != nil {
				t.Fatalf("ParseCondition(%q): %v", tt.expr, err)
			}
			if got := c.Eval(it); got != tt.want {
				t.Errorf("Eval(%q) = %v, want %v", tt.expr, got, tt.want)
			}
		})
	}
	t.Run("nope item", func(t *testing.T) {
		c, err := ParseCondition("attribute_not_exists(id)", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Eval(nil) {
			t.Fatal("attribute_not_exists on a nope item must hold")
		}
	})
}

func TestPlaceholders(t *testing.T) {
	vals := testValues(t)
	c, err := ParseCondition("#a = :s", testNames, vals)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProjection("#s", testNames)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"#a": "a", "#s": "status", "#z": "z", "#y": "y"}
	err = CheckUnused(names, nil, c.Placeholders(), p.Placeholders())
	if got, want := message(t, err), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#y, #z}"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	err = CheckUnused(map[string]string{"#a": "a"}, item(t, `{":s":{"S":"a"},":x":{"S":"b"}}`), c.Placeholders())
	if got, want := message(t, err), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if err := CheckUnused(map[string]string{"#a": "a"}, item(t, `{":s":{"S":"a"}}`), c.Placeholders()); err != nil {
		t.Errorf("all used: %v", err)
	}

	bad := []struct {
		names map[string]string
		vals  string
		want  string
	}{
		{map[string]string{}, "", "ExpressionAttributeNames must not be empty"},
		{map[string]string{"a": "a"}, "", `ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`},
		{map[string]string{"#a-b": "a"}, "", `ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"`},
		{map[string]string{"#DE": ""}, "", "ExpressionAttributeNames contains invalid value: Empty attribute name for key #DE"},
		{nil, `{}`, "ExpressionAttributeValues must not be empty"},
		{nil, `{"b":{"S":"a"}}`, `ExpressionAttributeValues contains invalid key: Syntax error; key: "b"`},
	}
	for _, b := range bad {
		var v map[string]attr.Value
		if b.vals != "" {
			v = item(t, b.vals)
		}
		if got := message(t, ValidatePlaceholders(b.names, v)); got != b.want {
			t.Errorf("ValidatePlaceholders(%v, %s) = %s, want %s", b.names, b.vals, got, b.want)
		}
	}
}

func TestConditionPaths(t *testing.T) {
	c, err := ParseCondition("a = :s AND (size(m.kid) > :n OR NOT contains(l[1], :s)) AND #s IN (:s, b)", testNames, testValues(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Paths() {
		got = append(got, p.String())
	}
	want := "[[a] [m, kid] [l, [1]] [status] [b]]"
	if s := fmt.Sprint(got); s != want {
		t.Fatalf("Paths = %s, want %s", s, want)
	}
}
