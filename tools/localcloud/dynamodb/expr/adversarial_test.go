package expr

import (
	"strings"
	"testing"
)

// TestAdversarialInputs feeds maximal-size pathological expressions; each
// must be rejected (or accepted) quickly and without a panic.
func TestAdversarialInputs(t *testing.T) {
	vals := testValues(t)
	inputs := []string{
		strings.Repeat("(", MaxExpressionLength),
		strings.Repeat("(", 2000) + "a = :s" + strings.Repeat(")", 2000),
		strings.Repeat("NOT ", 1000) + "a = :s",
		strings.Repeat("a.", 2000) + "b = :s",
		strings.Repeat("a[1]", 1000) + " = :s",
		"a IN (" + strings.Repeat(":s,", 1300) + ":s)",
		"SET " + strings.Repeat("a = :s, ", 500),
		"SET " + strings.Repeat("x = :s, ", 400) + "x = :s",
		"REMOVE " + strings.Repeat("l[1], ", 600) + "l[2]",
		"SET a = " + strings.Repeat("list_append(", 300) + ":l" + strings.Repeat(", :l)", 300),
		strings.Repeat("\xff", MaxExpressionLength),
		strings.Repeat("#", MaxExpressionLength),
	}
	for _, in := range inputs {
		if c, err := ParseCondition(in, testNames, vals); err == nil {
			c.Eval(item(t, fuzzItem))
		}
		if u, err := ParseUpdate(in, testNames, vals); err == nil {
			_, _ = u.Apply(item(t, fuzzItem))
		}
		_, _ = ParseProjection(in, testNames)
		_, _ = ParseKeyCondition(in, testNames, vals)
	}
}
