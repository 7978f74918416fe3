package expr

import (
	"slices"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

var updateErrorTests = []struct {
	name, expr, want string
}{
	{"empty", "", "Invalid UpdateExpression: The expression can not be empty;"},
	{"no clause", "whatever", `Invalid UpdateExpression: Syntax error; token: "whatever", near: "whatever"`},
	{"set without value", "SET a", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"`},
	{"trailing comma", "SET #a = :s, #s = :n,", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","`},
	{"keyword only", "SET", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"`},
	{"dash in name", "SET book-price = :n", `Invalid UpdateExpression: Syntax error; token: "-", near: "book-price"`},
	{"two operators", "set a = b + c + d", `Invalid UpdateExpression: Syntax error; token: "+", near: "c + d"`},
	{"multiplication", "set a = b * c", `Invalid UpdateExpression: Syntax error; token: "*", near: "b * c"`},
	{"remove with value", "remove a = b", `Invalid UpdateExpression: Syntax error; token: "=", near: "a = b"`},
	{"add needs value", "add a b", `Invalid UpdateExpression: Syntax error; token: "b", near: "a b"`},
	{"add path value", "add a = :n", `Invalid UpdateExpression: Syntax error; token: "=", near: "a = :n"`},
	{"value as target", "set :s = b", `Invalid UpdateExpression: Syntax error; token: ":s", near: "set :s ="`},
	{"remove value", "remove :s", `Invalid UpdateExpression: Syntax error; token: ":s", near: "remove :s"`},
	{"keyword as value", "set a=set", `Invalid UpdateExpression: Syntax error; token: "set", near: "=set"`},
	{"function as target", "SET if_not_exists(a, :s) = a", `Invalid UpdateExpression: Syntax error; token: "(", near: "if_not_exists(a"`},
	{"path after parens", "set a = (b.c).d + e", `Invalid UpdateExpression: Syntax error; token: ".", near: ").d"`},
	{"index literal", "set a[1] = 1", `Invalid UpdateExpression: Syntax error; token: "1", near: "= 1"`},
	{"string literal", `set a[1] = "eight"`, `Invalid UpdateExpression: Syntax error; token: "\"", near: "= \"eight"`},
	{"condition in update", "SET a = :s AND b = :s", `Invalid UpdateExpression: Syntax error; token: "AND", near: ":s AND b"`},
	{"section twice", "set a = :s set c = :n", `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
	{"remove twice", "remove a set b = :s remove e", `Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;`},
	{"section error beats undefined", "set a = #c set c = :d", `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
	{"reserved", " set #a = :s remove abOrt ", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt"},
	{"reserved in value", "SET a = #s + count", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: count"},
	{"unknown function", "set a = if_not_exist(a, :s)", "Invalid UpdateExpression: Invalid function name; function: if_not_exist"},
	{"condition function", "set a = size(b)", "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
	{"undefined name", "SET #c = if_not_exists(a, :s)", "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #c"},
	{"undefined value", "SET #a = if_not_exists(a, :c)", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :c"},
	{"operand count", "set a = if_not_exists(c)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
	{"operand count list_append", "set a = list_append(c)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
	{"if_not_exists needs path", "set a = if_not_exists(:s, c)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
	{"if_not_exists nested", "set a = if_not_exists(if_not_exists(a, b), c)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
	{"list_append literal type", "set a = list_append(:s, a)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
	{"list_append map", "set a = list_append(a, :m)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: M"},
	{"plus string", "set a = a + :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
	{"minus set", "set a = :ns - a", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: NS"},
	{"add string", "add a.b :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
	{"add bool", "add a :t", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN"},
	{"add list", "add a :l", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST"},
	{"delete number", "delete a.b :n", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
	{"delete map", "delete a :m", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: MAP"},
	{"overlap same", "SET a = :s, a = :n", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
	{"overlap parent", "SET c[1].a = :s, #a = if_not_exists(a, :s), c = :n", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]"},
	{"overlap across clauses", "SET p.nm = :s REMOVE p", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [p, nm], path two: [p]"},
	{"overlap placeholder index name", "set c[3].#idx = :s, c[3] = :s", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]"},
	{"overlap before conflict", "set d[1] = :s, d.b = :s, c = :s, c.x = :s", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c], path two: [c, x]"},
	{"conflict", "remove a.c set a[1] = :s", "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"},
}

func TestParseUpdateErrors(t *testing.T) {
	tests := updateErrorTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUpdate(tt.expr, testNames, testValues(t))
			if got := message(t, err); got != tt.want {
				t.Errorf("ParseUpdate(%q)\n got: %s\nwant: %s", tt.expr, got, tt.want)
			}
		})
	}
}

var updateApplyTests = []struct {
	name, item, expr string
	want             string // JSON of the attributes to check (others must be unchanged), or ""
	gone             []string
	changed          []string
	err              string
}{
	{name: "set new", expr: "SET a = :s", want: `{"a":{"S":"abc"}}`, changed: []string{"a"}},
	{name: "set overwrite", expr: "SET s = :n", want: `{"s":{"N":"5"}}`, changed: []string{"s"}},
	{name: "set from attribute", expr: "SET a = s", want: `{"a":{"S":"x"}}`},
	{name: "plus exact decimal", expr: "SET n = n + :dec", want: `{"n":{"N":"5.1"}}`},
	{name: "minus", expr: "SET n = :n1 - n", want: `{"n":{"N":"-4"}}`},
	{name: "counter from nothing", item: `{"id":{"S":"k"}}`, expr: "SET c = if_not_exists(c, :n1) + :n1", want: `{"c":{"N":"2"}}`},
	{name: "if_not_exists existing", expr: "SET n = if_not_exists(n, :n10)", want: `{"n":{"N":"5"}}`},
	{name: "if_not_exists missing", expr: "SET q = if_not_exists(q, :n10)", want: `{"q":{"N":"10"}}`},
	{name: "list_append", expr: "SET l = list_append(l, :l)", want: `{"l":{"L":[{"S":"l0"},{"S":"l1"},{"S":"l2"},{"S":"l3"},{"S":"x"}]}}`},
	{name: "list_append prepend", expr: "SET m.lst = list_append(:l, m.lst)", want: `{"m":{"M":{"k":{"S":"v"},"lst":{"L":[{"S":"x"},{"N":"1"}]},"kid":{"M":{"z":{"N":"1"}}}}}}`},
	{name: "list_append new list", expr: "SET z = list_append(if_not_exists(z, :el), :l)", want: `{"z":{"L":[{"S":"x"}]}}`},
	{name: "set nested", expr: "SET m.kid.y = :s", want: `{"m":{"M":{"k":{"S":"v"},"lst":{"L":[{"N":"1"}]},"kid":{"M":{"z":{"N":"1"},"y":{"S":"abc"}}}}}}`},
	{name: "set list element", expr: "SET l[1] = :s", want: `{"l":{"L":[{"S":"l0"},{"S":"abc"},{"S":"l2"},{"S":"l3"}]}}`},
	{name: "set past end appends", expr: "SET l[10] = :s", want: `{"l":{"L":[{"S":"l0"},{"S":"l1"},{"S":"l2"},{"S":"l3"},{"S":"abc"}]}}`},
	{name: "swap reads old values", expr: "SET s = n, n = s", want: `{"s":{"N":"5"},"n":{"S":"x"}}`},
	{name: "placeholders", expr: "SET #s = :s, #dot = :n", want: `{"status":{"S":"abc"},"a.b":{"N":"5"}}`},
	{name: "remove", expr: "REMOVE s, nope", gone: []string{"s"}, changed: []string{"s", "nope"}},
	{name: "remove nested", expr: "REMOVE m.k, m.absent", want: `{"m":{"M":{"lst":{"L":[{"N":"1"}]},"kid":{"M":{"z":{"N":"1"}}}}}}`},
	{name: "remove list indexes refer to old list", expr: "REMOVE l[1], l[3], l[9]", want: `{"l":{"L":[{"S":"l0"},{"S":"l2"}]}}`},
	{name: "remove index order independent", expr: "REMOVE l[3], l[0]", want: `{"l":{"L":[{"S":"l1"},{"S":"l2"}]}}`},
	{name: "add number", expr: "ADD n :n10", want: `{"n":{"N":"15"}}`},
	{name: "add creates number", expr: "ADD cnt :n1", want: `{"cnt":{"N":"1"}}`},
	{name: "add set", expr: "ADD ss :ssb, ns :ns", want: `{"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]}}`},
	{name: "add set union", expr: "ADD ss :ssc", want: `{"ss":{"SS":["a","b","c"]}}`},
	{name: "add creates set", expr: "ADD tags :ss", want: `{"tags":{"SS":["a","b"]}}`},
	{name: "delete from set", expr: "DELETE ss :ssb", want: `{"ss":{"SS":["a"]}}`},
	{name: "delete last members removes attribute", expr: "DELETE ss :ss", gone: []string{"ss"}},
	{name: "delete from missing", expr: "DELETE nope :ss"},
	{name: "all clauses", expr: "SET a = :s REMOVE s ADD n :n1 DELETE ns :ns1", want: `{"a":{"S":"abc"},"n":{"N":"6"},"ns":{"NS":["2"]}}`, gone: []string{"s"}, changed: []string{"a", "s", "n", "ns"}},
	{name: "clauses in any order", expr: "delete ns :ns1 add n :n1", want: `{"n":{"N":"6"},"ns":{"NS":["2"]}}`},
	{name: "missing item", item: "-", expr: "SET a = :s", want: `{"a":{"S":"abc"}}`},

	{name: "missing operand", expr: "SET a = nope", err: msgMissingAttr},
	{name: "missing in list_append", expr: "SET l = list_append(nope, :l)", err: msgMissingAttr},
	{name: "arithmetic on string", expr: "SET a = s + :n", err: msgIncorrectType},
	{name: "list_append on string", expr: "SET a = list_append(s, :l)", err: msgIncorrectType},
	{name: "add to string", expr: "ADD s :n", err: msgIncorrectType},
	{name: "add number to set", expr: "ADD ss :n", err: msgIncorrectType},
	{name: "add wrong set type", expr: "ADD ss :ns", err: msgIncorrectType},
	{name: "delete wrong set type", expr: "DELETE ss :ns", err: msgIncorrectType},
	{name: "delete from number", expr: "DELETE n :ns", err: msgIncorrectType},
	{name: "set under missing parent", expr: "SET nope.a = :s", err: msgInvalidDocPath},
	{name: "set index on map", expr: "SET m[0] = :s", err: msgInvalidDocPath},
	{name: "set member of string", expr: "SET s.a = :s", err: msgInvalidDocPath},
	{name: "set deep past list end", expr: "SET l[9].a = :s", err: msgInvalidDocPath},
	{name: "remove under missing parent", expr: "REMOVE nope.a", err: msgInvalidDocPath},
	{name: "remove index of map", expr: "REMOVE m[1]", err: msgInvalidDocPath},
	{name: "add under missing parent", expr: "ADD nope.a :n", err: msgInvalidDocPath},
	{name: "delete under missing parent", expr: "DELETE nope[1] :ss", err: msgInvalidDocPath},
	{name: "number overflow", expr: "SET n = :big + :big", err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
}

func TestUpdateApply(t *testing.T) {
	base := `{
		"id": {"S": "k"}, "n": {"N": "5"}, "s": {"S": "x"}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
		"l": {"L": [{"S": "l0"}, {"S": "l1"}, {"S": "l2"}, {"S": "l3"}]},
		"m": {"M": {"k": {"S": "v"}, "lst": {"L": [{"N": "1"}]}, "kid": {"M": {"z": {"N": "1"}}}}}
	}`
	tests := updateApplyTests
	vals := testValues(t)
	for k, v := range item(t, `{":el":{"L":[]},":ssc":{"SS":["c"]},":ns1":{"NS":["1"]},":big":{"N":"9E+125"}}`) {
		vals[k] = v
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.item
			if src == "" {
				src = base
			}
			var in attr.Item
			if src != "-" {
				in = item(t, src)
			}
			before := in.Clone()
			u, err := ParseUpdate(tt.expr, testNames, vals)
			if err != nil {
				t.Fatalf("ParseUpdate(%q): %v", tt.expr, err)
			}
			res, err := u.Apply(in)
			if !attr.EqualItems(in, before) {
				t.Fatalf("Apply modified its input")
			}
			if tt.err != "" {
				if got := message(t, err); got != tt.err {
					t.Fatalf("Apply(%q) error = %q, want %q", tt.expr, got, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply(%q): %v", tt.expr, err)
			}
			want := in.Clone()
			if want == nil {
				want = attr.Item{}
			}
			if tt.want != "" {
				for k, v := range item(t, tt.want) {
					want[k] = v
				}
			}
			for _, k := range tt.gone {
				delete(want, k)
			}
			if !attr.EqualItems(res.Item, want) {
				got, _ := res.Item.MarshalJSON()
				exp, _ := want.MarshalJSON()
				t.Fatalf("Apply(%q)\n got: %s\nwant: %s", tt.expr, got, exp)
			}
			if tt.changed != nil && !slices.Equal(res.Changed, tt.changed) {
				t.Errorf("Changed = %v, want %v", res.Changed, tt.changed)
			}
		})
	}
}

func TestUpdatedPathsProjection(t *testing.T) {
	old := item(t, `{"id":{"S":"k"},"m":{"M":{"a":{"N":"1"},"b":{"N":"2"}}},"l":{"L":[{"S":"x"},{"S":"y"}]},"gone":{"S":"g"}}`)
	u, err := ParseUpdate("SET m.a = :n, l[1] = :s REMOVE gone", nil, testValues(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := u.Apply(old)
	if err != nil {
		t.Fatal(err)
	}
	updatedOld := Project(old, u.Paths())
	updatedNew := Project(res.Item, u.Paths())
	wantOld := item(t, `{"m":{"M":{"a":{"N":"1"}}},"l":{"L":[{"S":"y"}]},"gone":{"S":"g"}}`)
	wantNew := item(t, `{"m":{"M":{"a":{"N":"5"}}},"l":{"L":[{"S":"abc"}]}}`)
	if !attr.EqualItems(updatedOld, wantOld) || !attr.EqualItems(updatedNew, wantNew) {
		a, _ := updatedOld.MarshalJSON()
		b, _ := updatedNew.MarshalJSON()
		t.Fatalf("UPDATED_OLD %s, UPDATED_NEW %s", a, b)
	}
}
