package expr

import (
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// SortOp is the operator of a sort key condition.
type SortOp string

// Sort key operators a KeyConditionExpression allows.
const (
	SortEq         SortOp = "="
	SortLt         SortOp = "<"
	SortLe         SortOp = "<="
	SortGt         SortOp = ">"
	SortGe         SortOp = ">="
	SortBetween    SortOp = "BETWEEN"
	SortBeginsWith SortOp = "begins_with"
)

type keyCond struct {
	name   string
	op     SortOp
	values []attr.Value
}

// KeyCondition is a parsed KeyConditionExpression: one or two conditions
// on key attributes, not yet matched to a key schema (see Bind).
type KeyCondition struct {
	conds []keyCond
	used  Placeholders
}

// ParseKeyCondition parses a KeyConditionExpression and checks DynamoDB's
// structural rules (only AND, one condition per key, a bare key attribute
// on one side, at most two conditions).
func ParseKeyCondition(expr string, names map[string]string, values map[string]attr.Value) (*KeyCondition, error) {
	p, err := newParser(KindKeyCondition, expr, names, values)
	if err != nil {
		return nil, err
	}
	root := p.parseConditionRoot()
	if err := p.result(); err != nil {
		return nil, err
	}
	k := &KeyCondition{used: p.used}
	if err := k.collect(root); err != nil {
		return nil, err
	}
	if len(k.conds) > 2 {
		return nil, attr.Validation("Conditions can be of length 1 or 2 only")
	}
	return k, nil
}

// Placeholders returns the names and values the expression uses, for
// CheckUnused.
func (k *KeyCondition) Placeholders() Placeholders { return k.used }

var flipped = map[tokKind]SortOp{tEq: SortEq, tLt: SortGt, tLe: SortGe, tGt: SortLt, tGe: SortLe}
var straight = map[tokKind]SortOp{tEq: SortEq, tLt: SortLt, tLe: SortLe, tGt: SortGt, tGe: SortGe}

func (k *KeyCondition) collect(c *cond) error {
	bad := func(op string) error {
		return attr.Validation("Invalid operator used in KeyConditionExpression: %s", op)
	}
	switch c.kind {
	case cAnd:
		if err := k.collect(c.sub[0]); err != nil {
			return err
		}
		return k.collect(c.sub[1])
	case cOr:
		return bad("OR")
	case cNot:
		return bad("NOT")
	case cIn:
		return bad("IN")
	case cCmp:
		if c.op == tNe {
			return bad("<>")
		}
	case cFunc:
		if c.fn != "begins_with" {
			return bad(c.fn)
		}
	}
	var op SortOp
	switch c.kind {
	case cBetween:
		op = SortBetween
	case cFunc:
		op = SortBeginsWith
	}
	if op != "" && c.args[0].kind != oPath {
		return attr.Validation("Invalid condition in KeyConditionExpression: %s operator must have the key attribute as its first operand", op)
	}
	name, at := "", -1
	for i, a := range c.args {
		switch a.kind {
		case oPath:
			if at >= 0 {
				return attr.Validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
			}
			if len(a.path) > 1 {
				return attr.Validation("KeyConditionExpressions cannot have conditions on nested attributes")
			}
			name, at = a.path[0].Name, i
		case oCall:
			return attr.Validation("KeyConditionExpressions cannot contain nested operations")
		}
	}
	if at < 0 {
		return attr.Validation("Invalid condition in KeyConditionExpression: No key attribute specified")
	}
	for _, kc := range k.conds {
		if kc.name == name {
			return attr.Validation("KeyConditionExpressions must only contain one condition per key")
		}
	}
	if c.kind == cCmp {
		op = straight[c.op]
		if at == 1 {
			op = flipped[c.op]
		}
	}
	kc := keyCond{name: name, op: op}
	for i, a := range c.args {
		if i != at {
			kc.values = append(kc.values, a.value)
		}
	}
	k.conds = append(k.conds, kc)
	return nil
}

// KeyQuery is a key condition bound to a schema: the partition to read and
// an optional condition on the sort key.
type KeyQuery struct {
	Partition attr.Value
	Sort      *SortCondition
}

// SortCondition restricts the sort key of a query.
type SortCondition struct {
	Op SortOp
	// Values holds one operand, or the two bounds of BETWEEN.
	Values []attr.Value
}

// Bind matches the key condition to a key schema, with DynamoDB's errors
// for conditions on other attributes, a non-equality partition condition
// and values of the wrong type.
func (k *KeyCondition) Bind(s attr.KeySchema) (*KeyQuery, error) {
	var q KeyQuery
	var hash, sort *keyCond
	for i := range k.conds {
		kc := &k.conds[i]
		switch {
		case kc.name == s.PartitionKey:
			hash = kc
		case s.SortKey != "" && kc.name == s.SortKey:
			sort = kc
		}
	}
	if hash == nil {
		return nil, attr.Validation("Query condition missed key schema element: %s", s.PartitionKey)
	}
	if len(k.conds) == 2 && sort == nil {
		if s.SortKey == "" {
			return nil, attr.Validation(msgKeyNotSupported)
		}
		return nil, attr.Validation("Query condition missed key schema element: %s", s.SortKey)
	}
	if hash.op != SortEq {
		return nil, attr.Validation(msgKeyNotSupported)
	}
	mismatch := attr.Validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	if hash.values[0].Type() != s.PartitionType {
		return nil, mismatch
	}
	q.Partition = hash.values[0]
	if sort != nil {
		for _, v := range sort.values {
			if v.Type() != s.SortType {
				return nil, mismatch
			}
		}
		if sort.op == SortBeginsWith && s.SortType == attr.TypeN {
			return nil, attr.Validation(msgKeyNotSupported)
		}
		q.Sort = &SortCondition{Op: sort.op, Values: sort.values}
	}
	return &q, nil
}

// Match reports whether a sort key value satisfies the condition.
func (s *SortCondition) Match(v attr.Value) bool {
	if s.Op == SortBeginsWith {
		return attr.HasPrefix(v, s.Values[0])
	}
	c, ok := attr.Compare(v, s.Values[0])
	if !ok {
		return false
	}
	switch s.Op {
	case SortEq:
		return c == 0
	case SortLt:
		return c < 0
	case SortLe:
		return c <= 0
	case SortGt:
		return c > 0
	case SortGe:
		return c >= 0
	case SortBetween:
		hi, ok := attr.Compare(v, s.Values[1])
		return c >= 0 && ok && hi <= 0
	}
	return false
}

// Range returns the half-open range [start, end) of sort key encodings
// (attr.AppendKey) that can satisfy the condition; nil means unbounded.
// Stores scan the range and need no further check.
func (s *SortCondition) Range() (start, end []byte, err error) {
	enc := func(v attr.Value) ([]byte, error) { return attr.AppendKey(nil, v) }
	// after returns the smallest encoding greater than every encoding that
	// begins with b: encodings are prefix-free, so b+0x00 follows b and all
	// of its extensions precede the next key.
	after := func(b []byte) []byte { return append(b, 0x00) }
	v := s.Values[0]
	switch s.Op {
	case SortEq:
		b, err := enc(v)
		if err != nil {
			return nil, nil, err
		}
		return b, after(append([]byte(nil), b...)), nil
	case SortLt:
		b, err := enc(v)
		return nil, b, err
	case SortLe:
		b, err := enc(v)
		if err != nil {
			return nil, nil, err
		}
		return nil, after(b), nil
	case SortGt:
		b, err := enc(v)
		if err != nil {
			return nil, nil, err
		}
		return after(b), nil, nil
	case SortGe:
		b, err := enc(v)
		return b, nil, err
	case SortBetween:
		lo, err := enc(v)
		if err != nil {
			return nil, nil, err
		}
		hi, err := enc(s.Values[1])
		if err != nil {
			return nil, nil, err
		}
		return lo, after(hi), nil
	case SortBeginsWith:
		p, err := attr.AppendKeyPrefix(nil, v)
		if err != nil {
			return nil, nil, err
		}
		if len(p) == 0 {
			return nil, nil, nil
		}
		return p, attr.PrefixEnd(p), nil
	}
	return nil, nil, fmt.Errorf("expr: unknown sort operator %q", s.Op)
}
