package expr

import (
	"strconv"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// Condition is a parsed ConditionExpression or FilterExpression.
type Condition struct {
	root *cond
	used Placeholders
}

// ParseCondition parses a ConditionExpression with the request's
// ExpressionAttributeNames and ExpressionAttributeValues (either may be
// nil). Errors are *attr.Error ValidationExceptions worded as DynamoDB's.
func ParseCondition(expr string, names map[string]string, values map[string]attr.Value) (*Condition, error) {
	return parseCondition(KindCondition, expr, names, values)
}

// ParseFilter parses a FilterExpression; it is a condition whose errors name
// FilterExpression.
func ParseFilter(expr string, names map[string]string, values map[string]attr.Value) (*Condition, error) {
	return parseCondition(KindFilter, expr, names, values)
}

func parseCondition(kind Kind, expr string, names map[string]string, values map[string]attr.Value) (*Condition, error) {
	p, err := newParser(kind, expr, names, values)
	if err != nil {
		return nil, err
	}
	root := p.parseConditionRoot()
	if err := p.result(); err != nil {
		return nil, err
	}
	return &Condition{root: root, used: p.used}, nil
}

// Placeholders returns the names and values the expression uses, for
// CheckUnused.
func (c *Condition) Placeholders() Placeholders { return c.used }

// Eval reports whether item satisfies the condition. A nil item is an item
// that does not exist (every attribute is missing). Evaluation never fails:
// comparisons of missing attributes or mismatched types are simply false, as
// in DynamoDB.
func (c *Condition) Eval(item attr.Item) bool { return c.root.eval(item) }

func (c *cond) eval(item attr.Item) bool {
	switch c.kind {
	case cAnd:
		return c.sub[0].eval(item) && c.sub[1].eval(item)
	case cOr:
		return c.sub[0].eval(item) || c.sub[1].eval(item)
	case cNot:
		return !c.sub[0].eval(item)
	case cCmp:
		l, r := c.args[0].eval(item), c.args[1].eval(item)
		switch c.op {
		case tEq:
			return l.Exists() && attr.Equal(l, r)
		case tNe:
			return !l.Exists() || !r.Exists() || !attr.Equal(l, r)
		}
		n, ok := attr.Compare(l, r)
		if !ok {
			return false
		}
		switch c.op {
		case tLt:
			return n < 0
		case tLe:
			return n <= 0
		case tGt:
			return n > 0
		case tGe:
			return n >= 0
		}
	case cBetween:
		x := c.args[0].eval(item)
		lo, ok1 := attr.Compare(x, c.args[1].eval(item))
		hi, ok2 := attr.Compare(x, c.args[2].eval(item))
		return ok1 && ok2 && lo >= 0 && hi <= 0
	case cIn:
		x := c.args[0].eval(item)
		if !x.Exists() {
			return false
		}
		for _, a := range c.args[1:] {
			if attr.Equal(x, a.eval(item)) {
				return true
			}
		}
	case cFunc:
		return c.evalFunc(item)
	}
	return false
}

func (c *cond) evalFunc(item attr.Item) bool {
	switch c.fn {
	case "attribute_exists":
		return c.args[0].eval(item).Exists()
	case "attribute_not_exists":
		return !c.args[0].eval(item).Exists()
	case "attribute_type":
		v := c.args[0].eval(item)
		return v.Exists() && v.Type().String() == c.args[1].eval(item).Str()
	case "begins_with":
		return attr.HasPrefix(c.args[0].eval(item), c.args[1].eval(item))
	case "contains":
		return attr.Contains(c.args[0].eval(item), c.args[1].eval(item))
	}
	return false
}

// eval returns the operand's value in a condition, or the zero Value when
// it has none (missing attribute, size of a type without a size).
func (o *operand) eval(item attr.Item) attr.Value {
	switch o.kind {
	case oPath:
		return o.path.Get(item)
	case oValue:
		return o.value
	case oCall:
		if o.fn == "size" {
			return sizeOf(o.args[0].eval(item))
		}
	}
	return attr.Value{}
}

// sizeOf implements size() on a value.
func sizeOf(v attr.Value) attr.Value {
	n, ok := v.Len()
	if !ok {
		return attr.Value{}
	}
	num, _ := attr.ParseNumber(strconv.Itoa(n))
	return attr.N(num)
}

// Paths returns the document paths the condition reads, in textual order
// (with repeats). An API layer uses it, for example, to reject key
// attributes in a Query's FilterExpression.
func (c *Condition) Paths() []Path {
	var out []Path
	var walk func(*cond)
	var visit func(*operand)
	visit = func(o *operand) {
		if o.kind == oPath {
			out = append(out, o.path)
		}
		for _, a := range o.args {
			visit(a)
		}
	}
	walk = func(n *cond) {
		for _, s := range n.sub {
			walk(s)
		}
		for _, a := range n.args {
			visit(a)
		}
	}
	walk(c.root)
	return out
}
