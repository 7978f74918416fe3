package vtl

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Limits bound one rendering so that a hostile template cannot hang or
// exhaust the server.
type Limits struct {
	// MaxIterations caps the #foreach iterations (summed over all loops) and
	// the length of [a..b] ranges.
	MaxIterations int
	// MaxOutput caps the rendered output and every string built on the way,
	// in bytes.
	MaxOutput int
	// MaxSteps caps the work of a rendering: one step per node and
	// expression, plus one per byte or element a method, comparison or
	// loop has to go through.
	MaxSteps int
}

// DefaultLimits are the limits Render uses, and those Execute uses for any
// field left zero: 100,000 iterations, 10 MiB (API Gateway's payload
// limit) and 100 million steps (well under a second).
func DefaultLimits() Limits {
	return Limits{MaxIterations: 100_000, MaxOutput: 10 << 20, MaxSteps: 100_000_000}
}

// ErrLimit is wrapped by the error a rendering returns when it hits one of
// its Limits.
var ErrLimit = errors.New("vtl: template exceeded its execution limits")

// RenderError is a failure while rendering (a method that threw, a limit),
// with the 1-based template position of the construct that failed.
type RenderError struct {
	Line   int
	Column int
	Err    error
}

func (e *RenderError) Error() string {
	return fmt.Sprintf("vtl: line %d, column %d: %v", e.Line, e.Column, e.Err)
}

func (e *RenderError) Unwrap() error { return e.Err }

// Result is the outcome of Execute: the rendered text and the overrides the
// template set through $context.requestOverride / $context.responseOverride.
type Result struct {
	Output string
	// Status is $context.responseOverride.status when the template set it
	// to a number, else 0.
	Status int
	// ResponseHeaders are $context.responseOverride.header.*.
	ResponseHeaders map[string]string
	// RequestHeaders, RequestPath and RequestQueryString are
	// $context.requestOverride.header.*, .path.* and .querystring.*.
	RequestHeaders     map[string]string
	RequestPath        map[string]string
	RequestQueryString map[string]string
}

// Render renders the template with DefaultLimits.
func (t *Template) Render(vars *Vars) (string, error) {
	r, err := t.Execute(vars, DefaultLimits())
	if err != nil {
		return "", err
	}
	return r.Output, nil
}

// Execute renders the template within lim and reports the overrides the
// template set. A nil vars renders with no API Gateway variables at all.
func (t *Template) Execute(vars *Vars, lim Limits) (res *Result, err error) {
	def := DefaultLimits()
	if lim.MaxIterations <= 0 {
		lim.MaxIterations = def.MaxIterations
	}
	if lim.MaxOutput <= 0 {
		lim.MaxOutput = def.MaxOutput
	}
	if lim.MaxSteps <= 0 {
		lim.MaxSteps = def.MaxSteps
	}
	st := &state{t: t, lim: lim, vars: map[string]any{}}
	ctx := st.install(vars)
	defer func() {
		// The engine is written not to panic; this is a last line of
		// defence so that one bad template cannot take the server down.
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("vtl: internal error rendering template: %v", r)
		}
	}()
	var out strings.Builder
	err = st.renderNodes(&out, t.nodes)
	if err != nil && !errors.Is(err, errStop) && !errors.Is(err, errBreak) {
		return nil, err
	}
	res = &Result{Output: out.String()}
	ctx.collect(res)
	return res, nil
}

var (
	errStop  = errors.New("#stop")
	errBreak = errors.New("#break")
)

type state struct {
	t     *Template
	lim   Limits
	vars  map[string]any
	iters int
	steps int
	// foreach is the innermost running loop, for $foreach.parent.
	foreach *foreachInfo
}

func (st *state) fail(pos int, err error) error {
	var re *RenderError
	if errors.As(err, &re) {
		return err
	}
	line, col := lineCol(st.t.src, pos)
	return &RenderError{Line: line, Column: col, Err: err}
}

// spend charges n steps of work.
func (st *state) spend(pos, n int) error {
	st.steps += n
	if st.steps > st.lim.MaxSteps {
		return st.fail(pos, fmt.Errorf("%w: more than %d steps of work", ErrLimit, st.lim.MaxSteps))
	}
	return nil
}

// size is the work proportional to a value: its bytes or elements.
func size(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case *List:
		return len(x.Items)
	case *Map:
		return x.Len()
	}
	return 1
}

func (st *state) checkLen(pos, n int) error {
	if n > st.lim.MaxOutput {
		return st.fail(pos, fmt.Errorf("%w: more than %d bytes", ErrLimit, st.lim.MaxOutput))
	}
	return nil
}

func (st *state) write(out *strings.Builder, pos int, s string) error {
	if err := st.checkLen(pos, out.Len()+len(s)); err != nil {
		return err
	}
	out.WriteString(s)
	return nil
}

func (st *state) renderNodes(out *strings.Builder, nodes []node) error {
	for _, n := range nodes {
		if err := st.renderNode(out, n); err != nil {
			return err
		}
	}
	return nil
}

func (st *state) renderNode(out *strings.Builder, n node) error {
	if err := st.spend(0, 1); err != nil {
		return err
	}
	switch x := n.(type) {
	case *textNode:
		return st.write(out, 0, x.s)
	case *refNode:
		return st.renderRef(out, x.ref)
	case *setNode:
		return st.execSet(x)
	case *ifNode:
		for i, c := range x.conds {
			v, err := st.eval(c)
			if err != nil {
				return err
			}
			if truthy(v) {
				return st.renderNodes(out, x.blocks[i])
			}
		}
		if x.hasEls {
			return st.renderNodes(out, x.els)
		}
		return nil
	case *foreachNode:
		return st.execForeach(out, x)
	case *breakNode:
		return errBreak
	case *stopNode:
		return errStop
	}
	return nil
}

// renderRef writes a reference: its value, or, when the value is null, the
// reference as written ($!ref: nothing). Backslashes before the $ follow
// Velocity 1.7: with a defined value each pair renders as one backslash and
// an odd one escapes the reference; with an undefined value everything is
// written as is.
func (st *state) renderRef(out *strings.Builder, r *reference) error {
	v, err := st.evalRef(r)
	if err != nil {
		return err
	}
	if v == nil {
		if r.escapes > 0 {
			return st.write(out, r.pos, strings.Repeat(`\`, r.escapes)+r.lit)
		}
		if r.quiet {
			return nil
		}
		return st.write(out, r.pos, r.lit)
	}
	prefix := strings.Repeat(`\`, r.escapes/2)
	if r.escapes%2 == 1 {
		return st.write(out, r.pos, prefix+r.lit)
	}
	s := toStringMax(v, st.lim.MaxOutput)
	if err := st.spend(r.pos, len(s)); err != nil {
		return err
	}
	return st.write(out, r.pos, prefix+s)
}

func (st *state) evalRef(r *reference) (any, error) {
	cur, ok := st.vars[r.name]
	if !ok {
		return nil, nil
	}
	for _, part := range r.parts {
		if cur == nil {
			return nil, nil
		}
		switch part.kind {
		case partProp:
			cur = st.property(cur, part.name)
		case partIndex:
			idx, err := st.eval(part.args[0])
			if err != nil {
				return nil, err
			}
			cur, err = indexValue(cur, idx)
			if err != nil {
				return nil, st.fail(part.pos, err)
			}
		case partMethod:
			args := make([]any, len(part.args))
			for i, a := range part.args {
				v, err := st.eval(a)
				if err != nil {
					return nil, err
				}
				args[i] = v
			}
			v, err := st.call(cur, part.name, args)
			if err != nil {
				return nil, st.fail(part.pos, fmt.Errorf("%s(): %w", part.name, err))
			}
			if s, ok := v.(string); ok {
				if err := st.checkLen(part.pos, len(s)); err != nil {
					return nil, err
				}
			}
			cur = v
		}
	}
	return cur, nil
}

func (st *state) execSet(n *setNode) error {
	v, err := st.eval(n.rhs)
	if err != nil {
		return err
	}
	if v == nil {
		// Velocity 1.7: a null right-hand side leaves the target unchanged.
		return nil
	}
	lhs := n.lhs
	if len(lhs.parts) == 0 {
		st.vars[lhs.name] = v
		return nil
	}
	target, ok := st.vars[lhs.name]
	if !ok {
		return nil
	}
	for _, part := range lhs.parts[:len(lhs.parts)-1] {
		switch part.kind {
		case partProp:
			target = st.property(target, part.name)
		case partIndex:
			idx, err := st.eval(part.args[0])
			if err != nil {
				return err
			}
			if target, err = indexValue(target, idx); err != nil {
				return st.fail(part.pos, err)
			}
		case partMethod:
			args := make([]any, len(part.args))
			for i, a := range part.args {
				if args[i], err = st.eval(a); err != nil {
					return err
				}
			}
			if target, err = st.call(target, part.name, args); err != nil {
				return st.fail(part.pos, err)
			}
		}
		if target == nil {
			return nil
		}
	}
	last := lhs.parts[len(lhs.parts)-1]
	switch last.kind {
	case partProp:
		if m, ok := target.(*Map); ok {
			m.Put(last.name, v)
		}
	case partIndex:
		idx, err := st.eval(last.args[0])
		if err != nil {
			return err
		}
		switch t := target.(type) {
		case *Map:
			t.Put(toString(idx), v)
		case *List:
			i, ok := idx.(int64)
			if !ok {
				return nil
			}
			if i < 0 {
				i += int64(len(t.Items))
			}
			if i < 0 || i >= int64(len(t.Items)) {
				return st.fail(last.pos, fmt.Errorf("index %d out of bounds for length %d", i, len(t.Items)))
			}
			t.Items[i] = v
		}
	}
	return nil
}

// foreachInfo is $foreach inside a loop.
type foreachInfo struct {
	index   int
	hasNext bool
	parent  *foreachInfo
}

func (st *state) execForeach(out *strings.Builder, n *foreachNode) error {
	coll, err := st.eval(n.coll)
	if err != nil {
		return err
	}
	var items []any
	switch c := coll.(type) {
	case *List:
		items = append([]any(nil), c.Items...)
	case *Map:
		// Velocity iterates a Map's values.
		for _, k := range c.order() {
			items = append(items, c.vals[k])
		}
	default:
		return nil
	}
	if err := st.spend(n.pos, len(items)); err != nil {
		return err
	}
	saved := map[string]any{}
	for _, k := range []string{n.name, "foreach", "velocityCount", "velocityHasNext"} {
		if v, ok := st.vars[k]; ok {
			saved[k] = v
		}
	}
	info := &foreachInfo{parent: st.foreach}
	st.foreach = info
	defer func() {
		st.foreach = info.parent
		for _, k := range []string{n.name, "foreach", "velocityCount", "velocityHasNext"} {
			if v, ok := saved[k]; ok {
				st.vars[k] = v
			} else {
				delete(st.vars, k)
			}
		}
	}()
	for i, it := range items {
		st.iters++
		if st.iters > st.lim.MaxIterations {
			return st.fail(n.pos, fmt.Errorf("%w: more than %d #foreach iterations", ErrLimit, st.lim.MaxIterations))
		}
		info.index = i
		info.hasNext = i < len(items)-1
		if it == nil {
			delete(st.vars, n.name)
		} else {
			st.vars[n.name] = it
		}
		st.vars["foreach"] = info
		st.vars["velocityCount"] = int64(i + 1)
		st.vars["velocityHasNext"] = info.hasNext
		err := st.renderNodes(out, n.body)
		if errors.Is(err, errBreak) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// eval evaluates an expression to a template value.
func (st *state) eval(e expr) (any, error) {
	if err := st.spend(0, 1); err != nil {
		return nil, err
	}
	switch x := e.(type) {
	case *litExpr:
		return x.v, nil
	case *strExpr:
		if x.nodes == nil {
			return x.raw, nil
		}
		var b strings.Builder
		if err := st.renderNodes(&b, x.nodes); err != nil {
			if errors.Is(err, errStop) || errors.Is(err, errBreak) {
				return x.raw, nil
			}
			return nil, err
		}
		s := b.String()
		if s == "" {
			return x.raw, nil
		}
		return s[:len(s)-1], nil // drop the space added at parse time
	case *refExpr:
		return st.evalRef(x.ref)
	case *listExpr:
		l := &List{Items: make([]any, 0, len(x.items))}
		for _, it := range x.items {
			v, err := st.eval(it)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case *mapExpr:
		m := newHashMap()
		for i := range x.keys {
			k, err := st.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := st.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(toString(k), v)
		}
		return m, nil
	case *rangeExpr:
		return st.evalRange(x)
	case *notExpr:
		v, err := st.eval(x.x)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case *binExpr:
		return st.evalBin(x)
	}
	return nil, nil
}

func (st *state) evalRange(x *rangeExpr) (any, error) {
	fv, err := st.eval(x.from)
	if err != nil {
		return nil, err
	}
	tv, err := st.eval(x.to)
	if err != nil {
		return nil, err
	}
	from, ok1 := asInt(fv)
	to, ok2 := asInt(tv)
	if !ok1 || !ok2 {
		return nil, nil
	}
	n := to - from
	if n < 0 {
		n = -n
	}
	if n >= int64(st.lim.MaxIterations) {
		return nil, st.fail(x.pos, fmt.Errorf("%w: range of %d elements", ErrLimit, n+1))
	}
	if err := st.spend(x.pos, int(n)); err != nil {
		return nil, err
	}
	l := &List{Items: make([]any, 0, n+1)}
	step := int64(1)
	if to < from {
		step = -1
	}
	for i := from; ; i += step {
		l.Items = append(l.Items, i)
		if i == to {
			break
		}
	}
	return l, nil
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

func (st *state) evalBin(x *binExpr) (any, error) {
	l, err := st.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := st.eval(x.r)
		if err != nil {
			return nil, err
		}
		return truthy(r), nil
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := st.eval(x.r)
		if err != nil {
			return nil, err
		}
		return truthy(r), nil
	}
	r, err := st.eval(x.r)
	if err != nil {
		return nil, err
	}
	if err := st.spend(x.pos, size(l)+size(r)); err != nil {
		return nil, err
	}
	switch x.op {
	case "==":
		return valuesEqual(l, r), nil
	case "!=":
		return !valuesEqual(l, r), nil
	case "<", "<=", ">", ">=":
		if !isNumber(l) || !isNumber(r) {
			// Velocity logs an error and the comparison is false.
			return false, nil
		}
		c := compareNumbers(l, r)
		switch x.op {
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		default:
			return c >= 0, nil
		}
	}
	if x.op == "+" {
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			// Velocity 1.7 concatenates, writing a null side as its
			// reference text ("a" + $nope is "a$nope").
			s := operandText(x.l, l) + operandText(x.r, r)
			if err := st.checkLen(x.pos, len(s)); err != nil {
				return nil, err
			}
			return s, nil
		}
	}
	return arith(x.op, l, r), nil
}

func operandText(e expr, v any) string {
	if v == nil {
		if re, ok := e.(*refExpr); ok {
			return re.ref.lit
		}
	}
	return toStringMax(v, maxBuild)
}

func compareNumbers(a, b any) int {
	ai, aok := a.(int64)
	bi, bok := b.(int64)
	if aok && bok {
		switch {
		case ai < bi:
			return -1
		case ai > bi:
			return 1
		}
		return 0
	}
	af, bf := toFloat(a), toFloat(b)
	switch {
	case af < bf:
		return -1
	case af > bf:
		return 1
	}
	return 0
}

// arith is Velocity's math on numbers; anything else, and division by
// zero, gives null.
func arith(op string, l, r any) any {
	if !isNumber(l) || !isNumber(r) {
		return nil
	}
	ai, aok := l.(int64)
	bi, bok := r.(int64)
	if aok && bok {
		switch op {
		case "+":
			s := ai + bi
			if (s > ai) == (bi > 0) {
				return s
			}
		case "-":
			d := ai - bi
			if (d < ai) == (bi > 0) {
				return d
			}
		case "*":
			if ai == 0 || bi == 0 {
				return int64(0)
			}
			p := ai * bi
			if p/bi == ai && !(ai == -1 && bi == math.MinInt64) && !(bi == -1 && ai == math.MinInt64) {
				return p
			}
		case "/":
			if bi == 0 {
				return nil
			}
			if ai == math.MinInt64 && bi == -1 {
				break
			}
			return ai / bi
		case "%":
			if bi == 0 {
				return nil
			}
			if bi == -1 {
				return int64(0)
			}
			return ai % bi
		}
		// overflow: fall back to floating point
	}
	af, bf := toFloat(l), toFloat(r)
	switch op {
	case "+":
		return af + bf
	case "-":
		return af - bf
	case "*":
		return af * bf
	case "/":
		if bf == 0 {
			return nil
		}
		return af / bf
	case "%":
		if bf == 0 {
			return nil
		}
		return math.Mod(af, bf)
	}
	return nil
}
