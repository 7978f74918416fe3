package expr

import (
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// BenchmarkConditionParseEval measures the per-request cost of a typical
// conditional write: parse the ConditionExpression, then evaluate it.
func BenchmarkConditionParseEval(b *testing.B) {
	vals := testValues(b)
	it := item(b, fuzzItem)
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseCondition("attribute_not_exists(a) OR (#s = :s AND n BETWEEN :n1 AND :n10 AND begins_with(a, :pre))", testNames, vals)
		if err != nil {
			b.Fatal(err)
		}
		c.Eval(it)
	}
}

// BenchmarkUpdateParseApply measures parsing and applying a counter-style
// update with a nested SET and a list append.
func BenchmarkUpdateParseApply(b *testing.B) {
	vals := testValues(b)
	it := item(b, fuzzItem)
	b.ReportAllocs()
	for b.Loop() {
		u, err := ParseUpdate("SET n = if_not_exists(n, :n1) + :n1, m.k = :s, l = list_append(l, :l) REMOVE nul ADD ss :ssb", testNames, vals)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := u.Apply(it); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkItemJSON measures decoding and encoding an item on the wire.
func BenchmarkItemJSON(b *testing.B) {
	data := []byte(fuzzItem)
	b.ReportAllocs()
	for b.Loop() {
		it, err := attr.ParseItem(data)
		if err != nil {
			b.Fatal(err)
		}
		it.AppendJSON(nil)
	}
}

// BenchmarkConditionalPut is the ingest function's write condition, parsed
// and evaluated once per PutItem.
func BenchmarkConditionalPut(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseCondition("attribute_not_exists(orderID)", nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		c.Eval(nil)
	}
}
