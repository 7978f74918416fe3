package expr

import (
	"bytes"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

func TestParseKeyConditionErrors(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"empty", "", "Invalid KeyConditionExpression: The expression can not be empty;"},
		{"syntax", "things are not gonna be ok", `Invalid KeyConditionExpression: Syntax error; token: "are", near: "things are not"`},
		{"number literal", "a > 4", `Invalid KeyConditionExpression: Syntax error; token: "4", near: "> 4"`},
		{"or", "a > :s and size(b) > c or a > :s", "Invalid operator used in KeyConditionExpression: OR"},
		{"in", "a in (:s, :n)", "Invalid operator used in KeyConditionExpression: IN"},
		{"attribute_exists", "attribute_exists(a)", "Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"attribute_type", "attribute_type(a, :typeS)", "Invalid operator used in KeyConditionExpression: attribute_type"},
		{"contains", "contains(a.d, :s)", "Invalid operator used in KeyConditionExpression: contains"},
		{"not", "not a > :s", "Invalid operator used in KeyConditionExpression: NOT"},
		{"not equal", "a <> :s", "Invalid operator used in KeyConditionExpression: <>"},
		{"between value first", ":s between a and :s2 and b > :s", "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
		{"begins_with value first", "begins_with(:s, b) and a > :s", "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"},
		{"nested operation", "a > size(b.d)", "KeyConditionExpressions cannot contain nested operations"},
		{"nested operation in between", "a between size(b) and size(a)", "KeyConditionExpressions cannot contain nested operations"},
		{"two attributes", "b > a.b", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"two attributes begins_with", "begins_with(a, b)", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"nested attribute", "a.d > :s", "KeyConditionExpressions cannot have conditions on nested attributes"},
		{"list element", "b[0] > :s", "KeyConditionExpressions cannot have conditions on nested attributes"},
		{"no attribute", ":s2 > :s AND a < :s2", "Invalid condition in KeyConditionExpression: No key attribute specified"},
		{"same key twice", "b > :s AND b < :s2 and c = :s", "KeyConditionExpressions must only contain one condition per key"},
		{"three conditions", ":s = a and b = :s and :s = c", "Conditions can be of length 1 or 2 only"},
		{"between types", "a between :n and :s", "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:abc}"},
		{"between order", "a between :s2 and :s", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:abd}, upper bound operand: AttributeValue: {S:abc}"},
		{"reserved", "status = :s", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeyCondition(tt.expr, testNames, testValues(t))
			if got := message(t, err); got != tt.want {
				t.Errorf("ParseKeyCondition(%q)\n got: %s\nwant: %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestKeyConditionBind(t *testing.T) {
	schema := attr.KeySchema{PartitionKey: "pk", PartitionType: attr.TypeS, SortKey: "sk", SortType: attr.TypeN}
	tests := []struct {
		name, expr string
		op         SortOp
		err        string
	}{
		{name: "partition only", expr: "pk = :s"},
		{name: "flipped partition", expr: ":s = pk"},
		{name: "sort first", expr: "sk > :n AND pk = :s", op: SortGt},
		{name: "flipped sort", expr: "pk = :s AND :n > sk", op: SortLt},
		{name: "flipped le", expr: "pk = :s AND :n <= sk", op: SortGe},
		{name: "between", expr: "pk = :s AND sk BETWEEN :n1 AND :n10", op: SortBetween},
		{name: "placeholder", expr: "#p = :s AND sk <= :n", op: SortLe},
		{name: "missing partition", expr: "sk = :n", err: "Query condition missed key schema element: pk"},
		{name: "other attribute", expr: "pk = :s AND colour = :n", err: "Query condition missed key schema element: sk"},
		{name: "partition range", expr: "pk > :s", err: msgKeyNotSupported},
		{name: "partition begins_with", expr: "begins_with(pk, :s)", err: msgKeyNotSupported},
		{name: "partition type", expr: "pk = :n", err: "One or more parameter values were invalid: Condition parameter type does not match schema type"},
		{name: "sort type", expr: "pk = :s AND sk = :s", err: "One or more parameter values were invalid: Condition parameter type does not match schema type"},
	}
	names := map[string]string{"#p": "pk"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeyCondition(tt.expr, names, testValues(t))
			if err != nil {
				t.Fatalf("ParseKeyCondition(%q): %v", tt.expr, err)
			}
			q, err := k.Bind(schema)
			if tt.err != "" {
				if got := message(t, err); got != tt.err {
					t.Fatalf("Bind error %q, want %q", got, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if q.Partition.Str() != "abc" {
				t.Errorf("partition = %v", q.Partition)
			}
			if (q.Sort == nil) != (tt.op == "") || (q.Sort != nil && q.Sort.Op != tt.op) {
				t.Errorf("sort = %+v, want op %q", q.Sort, tt.op)
			}
		})
	}
	t.Run("hash-only table", func(t *testing.T) {
		k, err := ParseKeyCondition("pk = :s AND colour = :n", nil, testValues(t))
		if err != nil {
			t.Fatal(err)
		}
		_, err = k.Bind(attr.KeySchema{PartitionKey: "pk", PartitionType: attr.TypeS})
		if got := message(t, err); got != msgKeyNotSupported {
			t.Fatalf("got %q", got)
		}
	})
}

// TestSortConditionRange checks that scanning the encoded range selects
// exactly the keys Match accepts.
func TestSortConditionRange(t *testing.T) {
	numKeys := []string{"-100", "-1.5", "0", "0.1", "1", "1.5", "5", "5.0001", "10", "100"}
	strKeys := []string{"", "a", "ab", "abc", "abc\x00", "abd", "ac", "b", "\xff"}
	vals := testValues(t)
	for k, v := range item(t, `{":neg":{"N":"-1.5"},":hundred":{"N":"100"},":ff":{"B":"/w=="}}`) {
		vals[k] = v
	}
	tests := []struct {
		expr string
		typ  attr.Type
	}{
		{"pk = :s AND sk = :n", attr.TypeN},
		{"pk = :s AND sk < :n", attr.TypeN},
		{"pk = :s AND sk <= :n", attr.TypeN},
		{"pk = :s AND sk > :n", attr.TypeN},
		{"pk = :s AND sk >= :neg", attr.TypeN},
		{"pk = :s AND sk BETWEEN :neg AND :n", attr.TypeN},
		{"pk = :s AND sk BETWEEN :n1 AND :hundred", attr.TypeN},
		{"pk = :s AND sk = :s", attr.TypeS},
		{"pk = :s AND sk > :pre", attr.TypeS},
		{"pk = :s AND sk <= :s2", attr.TypeS},
		{"pk = :s AND begins_with(sk, :pre)", attr.TypeS},
		{"pk = :s AND begins_with(sk, :empty)", attr.TypeS},
		{"pk = :s AND sk BETWEEN :pre AND :s2", attr.TypeS},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			k, err := ParseKeyCondition(tt.expr, nil, vals)
			if err != nil {
				t.Fatal(err)
			}
			q, err := k.Bind(attr.KeySchema{PartitionKey: "pk", PartitionType: attr.TypeS, SortKey: "sk", SortType: tt.typ})
			if err != nil {
				t.Fatal(err)
			}
			start, end, err := q.Sort.Range()
			if err != nil {
				t.Fatal(err)
			}
			var keys []attr.Value
			if tt.typ == attr.TypeN {
				for _, s := range numKeys {
					v, _ := attr.ParseN(s)
					keys = append(keys, v)
				}
			} else {
				for _, s := range strKeys {
					keys = append(keys, attr.S(s))
				}
			}
			for _, v := range keys {
				enc, _ := attr.AppendKey(nil, v)
				inRange := (start == nil || bytes.Compare(enc, start) >= 0) && (end == nil || bytes.Compare(enc, end) < 0)
				if inRange != q.Sort.Match(v) {
					j, _ := v.MarshalJSON()
					t.Errorf("key %s: in range %v, Match %v", j, inRange, q.Sort.Match(v))
				}
			}
		})
	}
}
