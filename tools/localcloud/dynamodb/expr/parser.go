package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// operand is a value-producing term: a document path, a :value, a function
// call, or (in update expressions) a + or - of two operands.
type operand struct {
	kind  opKind
	path  Path
	value attr.Value
	fn    string
	args  []*operand
	minus bool
}

type opKind uint8

const (
	oPath opKind = iota
	oValue
	oCall
	oArith
)

// cond is a boolean condition node.
type cond struct {
	kind condKind
	op   tokKind // comparator of cCmp
	fn   string  // function of cFunc
	sub  []*cond
	args []*operand
}

type condKind uint8

const (
	cAnd condKind = iota
	cOr
	cNot
	cCmp
	cBetween
	cIn
	cFunc
)

// node is what the condition grammar yields before context decides: a
// condition, or an operand (a function call can become either).
type node struct {
	c      *cond
	o      *operand
	parens int
}

// maxDocPathIndex is the largest list index DynamoDB accepts.
const maxDocPathIndex = 1<<31 - 1

// maxPathDepth is how many elements a document path may have.
const maxPathDepth = 32

// maxOperators is how many operators and functions an expression may use.
const maxOperators = 300

// maxInOperands is the most values IN accepts.
const maxInOperands = 100

var conditionFuncs = map[string]int{
	"attribute_exists":     1,
	"attribute_not_exists": 1,
	"attribute_type":       2,
	"begins_with":          2,
	"contains":             2,
	"size":                 1,
}

var updateFuncs = map[string]int{
	"if_not_exists": 2,
	"list_append":   2,
}

// Words that cannot be attribute names in each grammar (never mutated).
var (
	conditionKeywords = []string{"AND", "OR", "NOT", "BETWEEN", "IN"}
	updateKeywords    = []string{"SET", "REMOVE", "ADD", "DELETE"}
)

// validTypeNames is the order DynamoDB lists type names in its message.
const validTypeNames = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"

type parser struct {
	kind     Kind
	src      string
	toks     []token
	i        int
	names    map[string]string
	values   map[string]attr.Value
	used     Placeholders
	errs     errorSet
	fail     *attr.Error
	keywords []string
	ops      int // operators and functions seen
}

func newParser(kind Kind, src string, names map[string]string, values map[string]attr.Value) (*parser, error) {
	if src == "" {
		return nil, invalid(kind, "The expression can not be empty;")
	}
	if len(src) > MaxExpressionLength {
		return nil, invalid(kind, fmt.Sprintf("Expression size has exceeded the maximum allowed size; expression size: %d", len(src)))
	}
	p := &parser{
		kind:   kind,
		src:    src,
		toks:   lex(src),
		names:  names,
		values: values,
	}
	switch kind {
	case KindUpdate:
		p.keywords = updateKeywords
	case KindProjection:
	default:
		p.keywords = conditionKeywords
	}
	return p, nil
}

func (p *parser) cur() token { return p.toks[p.i] }

func (p *parser) peek() token {
	if p.i+1 < len(p.toks) {
		return p.toks[p.i+1]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() {
	if p.toks[p.i].kind != tEOF {
		p.i++
	}
}

// syntax records a syntax error at the current token.
func (p *parser) syntax() {
	if p.fail == nil {
		p.fail = syntaxError(p.kind, p.src, p.toks, p.i)
	}
}

func (p *parser) expect(k tokKind) bool {
	if p.fail != nil {
		return false
	}
	if p.cur().kind != k {
		p.syntax()
		return false
	}
	p.advance()
	return true
}

func (p *parser) isKeyword(t token) bool {
	if t.kind != tIdent {
		return false
	}
	for _, k := range p.keywords {
		if strings.EqualFold(t.text, k) {
			return true
		}
	}
	return false
}

// result turns the parse outcome into DynamoDB's error, if any: syntax
// errors first, then the highest-priority semantic error.
func (p *parser) result() error {
	if p.fail != nil {
		return p.fail
	}
	if m := p.errs.first(); m != "" {
		return invalid(p.kind, m)
	}
	return nil
}

// pathName parses one name step: an identifier or a #placeholder.
func (p *parser) pathName() (string, bool) {
	t := p.cur()
	switch {
	case t.kind == tIdent && !p.isKeyword(t):
		if isReserved(t.text) {
			p.errs.add(errReserved, "Attribute name is a reserved keyword; reserved keyword: %s", t.text)
		}
		p.advance()
		return t.text, true
	case t.kind == tName:
		p.advance()
		name, ok := p.names[t.text]
		if !ok {
			p.errs.add(errUndefined, "An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
			return t.text, true
		}
		if p.used.Names == nil {
			p.used.Names = map[string]struct{}{}
		}
		p.used.Names[t.text] = struct{}{}
		return name, true
	}
	p.syntax()
	return "", false
}

func (p *parser) parsePath() Path {
	name, ok := p.pathName()
	if !ok {
		return nil
	}
	path := Path{{Name: name}}
	for p.fail == nil {
		switch p.cur().kind {
		case tDot:
			p.advance()
			name, ok := p.pathName()
			if !ok {
				return nil
			}
			path = append(path, PathElem{Name: name})
		case tLBrack:
			p.advance()
			t := p.cur()
			if t.kind != tNumber {
				p.syntax()
				return nil
			}
			n, err := strconv.Atoi(t.text)
			if err != nil || n > maxDocPathIndex {
				if p.fail == nil {
					p.fail = invalid(p.kind, "List index is not within the allowable range; index: ["+t.text+"]")
				}
				return nil
			}
			p.advance()
			if !p.expect(tRBrack) {
				return nil
			}
			path = append(path, PathElem{Index: n, IsIndex: true})
		default:
			if len(path) > maxPathDepth {
				p.errs.add(errOther, "The document path has too many nesting levels; nesting levels: %d", len(path))
			}
			return path
		}
	}
	return nil
}

// operator counts one operator or function against DynamoDB's limit.
func (p *parser) operator() {
	p.ops++
	if p.ops > maxOperators {
		p.errs[errOperators] = fmt.Sprintf("The expression contains too many operators; operator count: %d", p.ops)
	}
}

func (p *parser) parseValue() *operand {
	t := p.cur()
	if t.kind != tValue {
		p.syntax()
		return nil
	}
	p.advance()
	v, ok := p.values[t.text]
	if !ok {
		p.errs.add(errUndefined, "An expression attribute value used in expression is not defined; attribute value: %s", t.text)
		return &operand{kind: oValue}
	}
	if p.used.Values == nil {
		p.used.Values = map[string]struct{}{}
	}
	p.used.Values[t.text] = struct{}{}
	return &operand{kind: oValue, value: v}
}

// parseOperand parses an operand of a condition: a path, a :value, a
// function call, or one of those in parentheses.
func (p *parser) parseOperand() *operand {
	switch p.cur().kind {
	case tValue:
		return p.parseValue()
	case tLParen:
		p.advance()
		inner := p.cur().kind == tLParen
		o := p.parseOperand()
		if !p.expect(tRParen) {
			return nil
		}
		if inner {
			p.errs.add(errParens, "The expression has redundant parentheses;")
		}
		return o
	}
	return p.parseCallOrPath(p.parseOperand)
}

// parseCallOrPath parses a function call (arguments parsed by arg) or a
// document path.
func (p *parser) parseCallOrPath(arg func() *operand) *operand {
	if t := p.cur(); t.kind == tIdent && !p.isKeyword(t) && p.peek().kind == tLParen {
		return p.parseCall(arg)
	}
	path := p.parsePath()
	if path == nil {
		return nil
	}
	return &operand{kind: oPath, path: path}
}

// parseCall parses name(arg, …) with arguments parsed by arg, and checks
// the call against the functions of the expression kind.
func (p *parser) parseCall(arg func() *operand) *operand {
	name := p.cur().text
	p.advance() // name
	p.advance() // (
	var args []*operand
	for {
		a := arg()
		if p.fail != nil {
			return nil
		}
		args = append(args, a)
		if p.cur().kind != tComma {
			break
		}
		p.advance()
	}
	if !p.expect(tRParen) {
		return nil
	}
	o := &operand{kind: oCall, fn: name, args: args}
	p.operator()
	p.checkCall(o)
	return o
}

func (p *parser) checkCall(o *operand) {
	funcs, other := conditionFuncs, updateFuncs
	if p.kind == KindUpdate {
		funcs, other = updateFuncs, conditionFuncs
	}
	want, ok := funcs[o.fn]
	if !ok {
		if _, known := other[o.fn]; known {
			if p.kind == KindUpdate {
				p.errs.add(errMisusedFunc, "The function is not allowed in an update expression; function: %s", o.fn)
			} else {
				p.errs.add(errMisusedFunc, "The function is not allowed in a condition expression; function: %s", o.fn)
			}
			return
		}
		p.errs.add(errUnknownFunc, "Invalid function name; function: %s", o.fn)
		return
	}
	if len(o.args) != want {
		p.errs.add(errOperandCount, "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", o.fn, len(o.args))
		return
	}
	if want == 2 {
		p.checkDistinct(o.fn, o.args[0], o.args[1])
	}
	requirePath := func() {
		if o.args[0].kind != oPath {
			p.errs.add(errOperandType, "Operator or function requires a document path; operator or function: %s", o.fn)
		}
	}
	badType := func(a *operand, allowed ...attr.Type) {
		if a.kind != oValue || !a.value.Exists() {
			return
		}
		for _, t := range allowed {
			if a.value.Type() == t {
				return
			}
		}
		p.errs.add(errOperandType, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", o.fn, a.value.Type())
	}
	switch o.fn {
	case "attribute_exists", "attribute_not_exists", "if_not_exists":
		requirePath()
	case "attribute_type":
		requirePath()
		t := o.args[1]
		switch {
		case t.kind != oValue:
			p.errs.add(errOperandType, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", o.fn, "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
		case !t.value.Exists():
		case t.value.Type() != attr.TypeS:
			p.errs.add(errOperandType, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", o.fn, t.value.Type())
		default:
			if _, ok := attr.ParseType(t.value.Str()); !ok {
				p.errs.add(errOperandType, "Invalid attribute type name found; type: %s, valid types: %s", t.value.Str(), validTypeNames)
			}
		}
	case "begins_with":
		badType(o.args[0], attr.TypeS, attr.TypeB)
		badType(o.args[1], attr.TypeS, attr.TypeB)
	case "size":
		badType(o.args[0], attr.TypeS, attr.TypeB, attr.TypeL, attr.TypeM, attr.TypeSS, attr.TypeNS, attr.TypeBS)
	case "list_append":
		badType(o.args[0], attr.TypeL)
		badType(o.args[1], attr.TypeL)
	}
	// Boolean functions cannot be arguments of other functions.
	for _, a := range o.args {
		p.checkNotBoolCall(a)
	}
}

// checkDistinct rejects the same document path on both sides.
func (p *parser) checkDistinct(op string, a, b *operand) {
	if a.kind != oPath || b.kind != oPath || len(a.path) != len(b.path) {
		return
	}
	for i := range a.path {
		if a.path[i] != b.path[i] {
			return
		}
	}
	p.errs.add(errDistinct, "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", op, a.path)
}

// checkNotBoolCall rejects a boolean function used where a value is needed.
func (p *parser) checkNotBoolCall(o *operand) {
	if o != nil && o.kind == oCall && o.fn != "size" {
		if _, ok := conditionFuncs[o.fn]; ok {
			p.errs.add(errMisusedFunc, "The function is not allowed to be used this way in an expression; function: %s", o.fn)
		}
	}
}

// parseConditionRoot parses a whole condition expression.
func (p *parser) parseConditionRoot() *cond {
	n := p.parseOr()
	if p.fail != nil {
		return nil
	}
	c := p.requireCond(n)
	if p.fail != nil {
		return nil
	}
	if p.cur().kind != tEOF {
		p.syntax()
		return nil
	}
	return c
}

// requireCond converts n to a condition, or reports a syntax error at the
// current token when n is a plain operand.
func (p *parser) requireCond(n node) *cond {
	if p.fail != nil {
		return nil
	}
	if n.c != nil {
		return n.c
	}
	if n.o != nil && n.o.kind == oCall {
		if n.o.fn == "size" {
			p.errs.add(errMisusedFunc, "The function is not allowed to be used this way in an expression; function: size")
		}
		return &cond{kind: cFunc, fn: n.o.fn, args: n.o.args}
	}
	p.syntax()
	return nil
}

// requireOperand converts n to an operand, or reports a syntax error at
// the current token when n is a condition.
func (p *parser) requireOperand(n node) *operand {
	if n.c != nil || n.o == nil {
		p.syntax()
		return nil
	}
	p.checkNotBoolCall(n.o)
	return n.o
}

func (p *parser) parseOr() node {
	left := p.parseAnd()
	for p.fail == nil && p.cur().isWord("OR") {
		l := p.requireCond(left)
		p.advance()
		r := p.requireCond(p.parseAnd())
		if p.fail != nil {
			return node{}
		}
		p.operator()
		left = node{c: &cond{kind: cOr, sub: []*cond{l, r}}}
	}
	return left
}

func (p *parser) parseAnd() node {
	left := p.parseNot()
	for p.fail == nil && p.cur().isWord("AND") {
		l := p.requireCond(left)
		p.advance()
		r := p.requireCond(p.parseNot())
		if p.fail != nil {
			return node{}
		}
		p.operator()
		left = node{c: &cond{kind: cAnd, sub: []*cond{l, r}}}
	}
	return left
}

func (p *parser) parseNot() node {
	if p.cur().isWord("NOT") {
		p.advance()
		c := p.requireCond(p.parseNot())
		if p.fail != nil {
			return node{}
		}
		p.operator()
		return node{c: &cond{kind: cNot, sub: []*cond{c}}}
	}
	return p.parseComparison()
}

func (p *parser) parseComparison() node {
	left := p.parsePrimary()
	if p.fail != nil {
		return node{}
	}
	t := p.cur()
	switch {
	case t.isComparator():
		l := p.requireOperand(left)
		if p.fail != nil {
			return node{}
		}
		p.advance()
		r := p.parseOperand()
		if p.fail != nil {
			return node{}
		}
		p.checkNotBoolCall(r)
		p.checkDistinct(t.text, l, r)
		p.operator()
		return node{c: &cond{kind: cCmp, op: t.kind, args: []*operand{l, r}}}
	case t.isWord("BETWEEN"):
		x := p.requireOperand(left)
		if p.fail != nil {
			return node{}
		}
		p.advance()
		lo := p.parseOperand()
		if p.fail != nil {
			return node{}
		}
		if !p.cur().isWord("AND") {
			p.syntax()
			return node{}
		}
		p.advance()
		hi := p.parseOperand()
		if p.fail != nil {
			return node{}
		}
		p.checkNotBoolCall(lo)
		p.checkNotBoolCall(hi)
		p.checkBetween(lo, hi)
		p.operator()
		return node{c: &cond{kind: cBetween, args: []*operand{x, lo, hi}}}
	case t.isWord("IN"):
		x := p.requireOperand(left)
		if p.fail != nil {
			return node{}
		}
		p.advance()
		if !p.expect(tLParen) {
			return node{}
		}
		args := []*operand{x}
		for {
			a := p.parseOperand()
			if p.fail != nil {
				return node{}
			}
			p.checkNotBoolCall(a)
			args = append(args, a)
			if p.cur().kind != tComma {
				break
			}
			p.advance()
		}
		if !p.expect(tRParen) {
			return node{}
		}
		if n := len(args) - 1; n > maxInOperands {
			p.errs.add(errOther, "The IN operator is provided with too many operands; number of operands: %d", n)
		}
		p.operator()
		return node{c: &cond{kind: cIn, args: args}}
	}
	return left
}

// parsePrimary parses a parenthesised condition or operand, or an operand.
func (p *parser) parsePrimary() node {
	if p.cur().kind != tLParen {
		o := p.parseOperand()
		return node{o: o}
	}
	p.advance()
	n := p.parseOr()
	if !p.expect(tRParen) {
		return node{}
	}
	n.parens++
	if n.parens > 1 {
		p.errs.add(errParens, "The expression has redundant parentheses;")
	}
	return n
}

// checkBetween validates literal bounds as DynamoDB does.
func (p *parser) checkBetween(lo, hi *operand) {
	if lo.kind != oValue || hi.kind != oValue || !lo.value.Exists() || !hi.value.Exists() {
		return
	}
	lt, ht := lo.value.Type(), hi.value.Type()
	if lt != ht {
		p.errs.add(errOperandType, "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}",
			describe(lo.value), describe(hi.value))
		return
	}
	if c, ok := attr.Compare(lo.value, hi.value); ok && c > 0 {
		p.errs.add(errOperandType, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s}, upper bound operand: AttributeValue: {%s}",
			describe(lo.value), describe(hi.value))
	}
}

// describe prints a scalar value as DynamoDB's messages do: "N:1", "S:a".
func describe(v attr.Value) string {
	switch v.Type() {
	case attr.TypeS:
		return "S:" + v.Str()
	case attr.TypeN:
		return "N:" + v.Num().String()
	case attr.TypeB:
		return "B:" + string(v.Bytes())
	}
	j, _ := v.MarshalJSON()
	return v.Type().String() + ":" + string(j)
}
