package expr

import (
	"errors"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// fuzzItem is an item with every type, so that expressions that parse are
// also evaluated against real data.
const fuzzItem = `{
	"a": {"S": "abc"}, "b": {"B": "AAEC"}, "n": {"N": "5"}, "t": {"BOOL": true}, "nul": {"NULL": true},
	"ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AA=="]},
	"l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"d": {"S": "y"}}}]},
	"m": {"M": {"k": {"S": "v"}, "lst": {"L": [{"N": "1"}]}, "kid": {"M": {"z": {"N": "1"}}}}},
	"status": {"S": "open"}, "a.b": {"S": "dot"}
}`

// checkFuzzError fails unless err is a ValidationException.
func checkFuzzError(t *testing.T, expr string, err error) {
	var e *attr.Error
	if !errors.As(err, &e) || e.Code != attr.CodeValidation || e.Message == "" {
		t.Fatalf("%q: error %v is not a ValidationException", expr, err)
	}
}

func FuzzParseCondition(f *testing.F) {
	for _, tt := range conditionErrorTests {
		f.Add(tt.expr)
	}
	for _, tt := range conditionEvalTests {
		f.Add(tt.expr)
	}
	vals := testValues(f)
	it := item(f, fuzzItem)
	f.Fuzz(func(t *testing.T, expr string) {
		for _, parse := range []func(string, map[string]string, map[string]attr.Value) (*Condition, error){ParseCondition, ParseFilter} {
			c, err := parse(expr, testNames, vals)
			if err != nil {
				checkFuzzError(t, expr, err)
				continue
			}
			c.Eval(it)
			c.Eval(nil)
		}
		k, err := ParseKeyCondition(expr, testNames, vals)
		if err != nil {
			checkFuzzError(t, expr, err)
			return
		}
		q, err := k.Bind(attr.KeySchema{PartitionKey: "a", PartitionType: attr.TypeS, SortKey: "n", SortType: attr.TypeN})
		if err != nil {
			checkFuzzError(t, expr, err)
			return
		}
		if q.Sort != nil {
			q.Sort.Match(it["n"])
			if _, _, err := q.Sort.Range(); err != nil {
				t.Fatalf("%q: Range: %v", expr, err)
			}
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, tt := range updateErrorTests {
		f.Add(tt.expr)
	}
	for _, tt := range updateApplyTests {
		f.Add(tt.expr)
	}
	vals := testValues(f)
	it := item(f, fuzzItem)
	f.Fuzz(func(t *testing.T, expr string) {
		u, err := ParseUpdate(expr, testNames, vals)
		if err != nil {
			checkFuzzError(t, expr, err)
		} else {
			before := it.Clone()
			if _, err := u.Apply(it); err != nil {
				checkFuzzError(t, expr, err)
			}
			if !attr.EqualItems(it, before) {
				t.Fatalf("%q: Apply modified its input", expr)
			}
			if _, err := u.Apply(nil); err != nil {
				checkFuzzError(t, expr, err)
			}
		}
		p, err := ParseProjection(expr, testNames)
		if err != nil {
			checkFuzzError(t, expr, err)
			return
		}
		p.Apply(it)
	})
}
