package expr

import (
	"slices"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// ActionKind is the clause an update action belongs to.
type ActionKind uint8

// Update clauses.
const (
	ActionSet ActionKind = iota
	ActionRemove
	ActionAdd
	ActionDelete
)

var actionWords = [...]string{"SET", "REMOVE", "ADD", "DELETE"}

// String returns the clause keyword.
func (k ActionKind) String() string { return actionWords[k] }

type action struct {
	kind  ActionKind
	path  Path
	value *operand // SET: the value expression; ADD, DELETE: the :value
}

// Update is a parsed UpdateExpression.
type Update struct {
	actions []action
	used    Placeholders
}

// ParseUpdate parses an UpdateExpression with the request's
// ExpressionAttributeNames and ExpressionAttributeValues (either may be
// nil). Errors are *attr.Error ValidationExceptions worded as DynamoDB's.
func ParseUpdate(expr string, names map[string]string, values map[string]attr.Value) (*Update, error) {
	p, err := newParser(KindUpdate, expr, names, values)
	if err != nil {
		return nil, err
	}
	u := &Update{}
	p.parseUpdate(u)
	if err := p.result(); err != nil {
		return nil, err
	}
	if err := checkPaths(KindUpdate, u.Paths()); err != nil {
		return nil, err
	}
	u.used = p.used
	return u, nil
}

// Placeholders returns the names and values the expression uses, for
// CheckUnused.
func (u *Update) Placeholders() Placeholders { return u.used }

// Paths returns the document paths the update writes, in textual order.
// With Project they give the attributes ReturnValues UPDATED_OLD and
// UPDATED_NEW return; the API layer also checks them against key attributes.
func (u *Update) Paths() []Path {
	out := make([]Path, len(u.actions))
	for i, a := range u.actions {
		out[i] = a.path
	}
	return out
}

func (p *parser) parseUpdate(u *Update) {
	var seen [4]bool
	if p.cur().kind == tEOF {
		p.syntax()
		return
	}
	for p.fail == nil && p.cur().kind != tEOF {
		t := p.cur()
		kind := -1
		for i, w := range actionWords {
			if t.isWord(w) {
				kind = i
			}
		}
		if kind < 0 {
			p.syntax()
			return
		}
		if seen[kind] {
			p.errs.add(errSection, "The %q section can only be used once in an update expression;", actionWords[kind])
		}
		seen[kind] = true
		p.advance()
		for p.fail == nil {
			a := action{kind: ActionKind(kind), path: p.parsePath()}
			if p.fail != nil {
				return
			}
			switch a.kind {
			case ActionSet:
				if !p.expect(tEq) {
					return
				}
				a.value = p.parseSetValue()
			case ActionAdd, ActionDelete:
				a.value = p.parseValue()
				if p.fail == nil {
					p.checkAddDelete(a)
				}
			}
			if p.fail != nil {
				return
			}
			u.actions = append(u.actions, a)
			if p.cur().kind != tComma {
				break
			}
			p.advance()
		}
	}
}

// checkAddDelete rejects literal operands ADD and DELETE cannot use.
func (p *parser) checkAddDelete(a action) {
	v := a.value.value
	if !v.Exists() {
		return
	}
	ok := v.Type().IsSet() || (a.kind == ActionAdd && v.Type() == attr.TypeN)
	if !ok {
		p.errs.add(errOperandType, "Incorrect operand type for operator or function; operator: %s, operand type: %s", a.kind, v.Type().Word())
	}
}

// parseSetValue parses operand [(+|-) operand].
func (p *parser) parseSetValue() *operand {
	left := p.parseSetOperand()
	if p.fail != nil {
		return nil
	}
	t := p.cur()
	if t.kind != tPlus && t.kind != tMinus {
		return left
	}
	p.advance()
	right := p.parseSetOperand()
	if p.fail != nil {
		return nil
	}
	p.operator()
	for _, o := range []*operand{left, right} {
		if o.kind == oValue && o.value.Exists() && o.value.Type() != attr.TypeN {
			p.errs.add(errOperandType, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", t.text, o.value.Type())
		}
	}
	return &operand{kind: oArith, minus: t.kind == tMinus, args: []*operand{left, right}}
}

func (p *parser) parseSetOperand() *operand {
	switch p.cur().kind {
	case tValue:
		return p.parseValue()
	case tLParen:
		p.advance()
		o := p.parseSetValue()
		if !p.expect(tRParen) {
			return nil
		}
		return o
	}
	return p.parseCallOrPath(p.parseSetOperand)
}

// Result is the outcome of applying an update.
type Result struct {
	// Item is the updated item: a new map; the input item is not modified.
	Item attr.Item
	// Changed lists the top-level attributes the update wrote or removed,
	// in textual order, without duplicates.
	Changed []string
}

// Apply runs the update against item (nil for an item that does not exist
// yet; the caller adds the key attributes first, as DynamoDB does). All
// operands are evaluated against the original item, then the actions are
// applied. Errors are *attr.Error ValidationExceptions with DynamoDB's
// messages for missing operands, wrong types and invalid document paths.
func (u *Update) Apply(item attr.Item) (Result, error) {
	// Evaluate every SET value first: operands see the item as it was.
	setValues := make([]attr.Value, len(u.actions))
	for i, a := range u.actions {
		if a.kind != ActionSet {
			continue
		}
		v, err := a.value.evalUpdate(item)
		if err != nil {
			return Result{}, err
		}
		setValues[i] = v
	}
	out := item.Clone()
	if out == nil {
		out = attr.Item{}
	}
	var removes []Path
	for i, a := range u.actions {
		var err error
		switch a.kind {
		case ActionSet:
			// The value may share maps and lists with the input item or
			// with ExpressionAttributeValues; the result must not.
			err = setPath(out, a.path, setValues[i].Clone())
		case ActionRemove:
			removes = append(removes, a.path)
		}
		if err != nil {
			return Result{}, err
		}
	}
	// Remove list elements from the highest index down so that every index
	// refers to the list as it was.
	slices.SortStableFunc(removes, comparePathsForRemoval)
	for _, path := range removes {
		if err := removePath(out, path); err != nil {
			return Result{}, err
		}
	}
	for _, a := range u.actions {
		var err error
		switch a.kind {
		case ActionAdd:
			err = addPath(out, a.path, a.value.value)
		case ActionDelete:
			err = deleteFromPath(out, a.path, a.value.value)
		}
		if err != nil {
			return Result{}, err
		}
	}
	res := Result{Item: out}
	for _, a := range u.actions {
		if name := a.path[0].Name; !slices.Contains(res.Changed, name) {
			res.Changed = append(res.Changed, name)
		}
	}
	return res, nil
}

// comparePathsForRemoval orders paths element by element, names ascending
// and list indexes descending.
func comparePathsForRemoval(a, b Path) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x.IsIndex && y.IsIndex:
			if x.Index != y.Index {
				return y.Index - x.Index
			}
		case x.IsIndex != y.IsIndex:
			if x.IsIndex {
				return 1
			}
			return -1
		default:
			if c := strings.Compare(x.Name, y.Name); c != 0 {
				return c
			}
		}
	}
	return len(a) - len(b)
}

func incorrectType() error    { return attr.Validation(msgIncorrectType) }
func invalidDocPath() error   { return attr.Validation(msgInvalidDocPath) }
func missingAttribute() error { return attr.Validation(msgMissingAttr) }

// evalUpdate evaluates a SET operand against the original item.
func (o *operand) evalUpdate(item attr.Item) (attr.Value, error) {
	switch o.kind {
	case oValue:
		return o.value, nil
	case oPath:
		v := o.path.Get(item)
		if !v.Exists() {
			return attr.Value{}, missingAttribute()
		}
		return v, nil
	case oArith:
		l, r, err := o.evalArgs(item, attr.TypeN)
		if err != nil {
			return attr.Value{}, err
		}
		var n attr.Number
		if o.minus {
			n, err = l.Num().Sub(r.Num())
		} else {
			n, err = l.Num().Add(r.Num())
		}
		if err != nil {
			return attr.Value{}, err
		}
		return attr.N(n), nil
	case oCall:
		switch o.fn {
		case "if_not_exists":
			if v := o.args[0].path.Get(item); v.Exists() {
				return v, nil
			}
			return o.args[1].evalUpdate(item)
		case "list_append":
			l, r, err := o.evalArgs(item, attr.TypeL)
			if err != nil {
				return attr.Value{}, err
			}
			out := make([]attr.Value, 0, len(l.List())+len(r.List()))
			out = append(out, l.List()...)
			out = append(out, r.List()...)
			return attr.L(out...), nil
		}
	}
	return attr.Value{}, incorrectType()
}

// evalArgs evaluates both operands of a binary operator or function and
// requires them to be of type t.
func (o *operand) evalArgs(item attr.Item, t attr.Type) (l, r attr.Value, err error) {
	if l, err = o.args[0].evalUpdate(item); err != nil {
		return
	}
	if r, err = o.args[1].evalUpdate(item); err != nil {
		return
	}
	if l.Type() != t || r.Type() != t {
		err = incorrectType()
	}
	return
}

// setPath writes v at path in item (which the caller owns). Intermediate
// steps must exist with the right type; a list index past the end appends.
func setPath(item attr.Item, path Path, v attr.Value) error {
	name := path[0].Name
	if len(path) == 1 {
		item[name] = v
		return nil
	}
	root, ok := item[name]
	if !ok {
		return invalidDocPath()
	}
	nv, err := setIn(root, path[1:], v)
	if err != nil {
		return err
	}
	item[name] = nv
	return nil
}

func setIn(cur attr.Value, rest Path, v attr.Value) (attr.Value, error) {
	e := rest[0]
	if e.IsIndex {
		if cur.Type() != attr.TypeL {
			return attr.Value{}, invalidDocPath()
		}
		l := cur.List() // owned: the item was cloned
		if len(rest) == 1 {
			if e.Index < len(l) {
				l[e.Index] = v
				return cur, nil
			}
			return attr.L(append(l, v)...), nil
		}
		if e.Index >= len(l) {
			return attr.Value{}, invalidDocPath()
		}
		nv, err := setIn(l[e.Index], rest[1:], v)
		if err != nil {
			return attr.Value{}, err
		}
		l[e.Index] = nv
		return cur, nil
	}
	if cur.Type() != attr.TypeM {
		return attr.Value{}, invalidDocPath()
	}
	m := cur.Map()
	if len(rest) == 1 {
		m[e.Name] = v
		return cur, nil
	}
	c, ok := m[e.Name]
	if !ok {
		return attr.Value{}, invalidDocPath()
	}
	nv, err := setIn(c, rest[1:], v)
	if err != nil {
		return attr.Value{}, err
	}
	m[e.Name] = nv
	return cur, nil
}

// parentOf returns the container holding the last step of path, and
// whether it exists with the type that step needs.
func parentOf(item attr.Item, path Path) (attr.Value, bool) {
	if len(path) == 1 {
		return attr.Value{}, true
	}
	parent := path[:len(path)-1].Get(item)
	last := path[len(path)-1]
	if last.IsIndex {
		return parent, parent.Type() == attr.TypeL
	}
	return parent, parent.Type() == attr.TypeM
}

// removePath deletes the attribute, map member or list element at path. A
// missing leaf is not an error; a missing or mistyped parent is.
func removePath(item attr.Item, path Path) error {
	parent, ok := parentOf(item, path)
	if !ok {
		return invalidDocPath()
	}
	last := path[len(path)-1]
	if len(path) == 1 {
		delete(item, last.Name)
		return nil
	}
	if !last.IsIndex {
		delete(parent.Map(), last.Name)
		return nil
	}
	l := parent.List()
	if last.Index >= len(l) {
		return nil
	}
	nl := append(slices.Clone(l[:last.Index]), l[last.Index+1:]...)
	return setPath(item, path[:len(path)-1], attr.L(nl...))
}

// addPath implements ADD: numeric addition, set union, or creation.
func addPath(item attr.Item, path Path, v attr.Value) error {
	if _, ok := parentOf(item, path); !ok {
		return invalidDocPath()
	}
	cur := path.Get(item)
	switch {
	case !cur.Exists():
		return setPath(item, path, v)
	case cur.Type() == attr.TypeN && v.Type() == attr.TypeN:
		n, err := cur.Num().Add(v.Num())
		if err != nil {
			return err
		}
		return setPath(item, path, attr.N(n))
	case cur.Type().IsSet() && cur.Type() == v.Type():
		return setPath(item, path, attr.Union(cur, v))
	}
	return incorrectType()
}

// deleteFromPath implements DELETE: set difference, removing the attribute
// when no member is left.
func deleteFromPath(item attr.Item, path Path, v attr.Value) error {
	if _, ok := parentOf(item, path); !ok {
		return invalidDocPath()
	}
	cur := path.Get(item)
	switch {
	case !cur.Exists():
		return nil
	case cur.Type() != v.Type():
		return incorrectType()
	}
	rest := attr.Difference(cur, v)
	if !rest.Exists() {
		return removePath(item, path)
	}
	return setPath(item, path, rest)
}
