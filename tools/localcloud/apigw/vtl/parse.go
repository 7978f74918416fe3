package vtl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
)

// ParseError is a template syntax error with its 1-based position.
type ParseError struct {
	Line   int
	Column int
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("vtl: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Template is a parsed mapping template. It is immutable and safe for
// concurrent use.
type Template struct {
	src   string
	nodes []node
	re    *regexCache
}

// maxNesting bounds directive, expression and literal nesting so that
// parsing a hostile template cannot exhaust the stack.
const maxNesting = 200

// Parse compiles a mapping template.
func Parse(src string) (*Template, error) {
	p := &parser{src: src}
	nodes, term, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	if term != "" {
		return nil, p.errAt(p.termPos, "#%s without a matching #if or #foreach", term)
	}
	return &Template{src: src, nodes: nodes, re: &regexCache{m: map[string]*regexpEntry{}}}, nil
}

// ---- AST ----

type node interface{}

type textNode struct{ s string }

type refNode struct{ ref *reference }

type setNode struct {
	pos int
	lhs *reference
	rhs expr
}

type ifNode struct {
	conds  []expr
	blocks [][]node
	els    []node
	hasEls bool
}

type foreachNode struct {
	pos  int
	name string
	coll expr
	body []node
}

type breakNode struct{}

type stopNode struct{}

// reference is $name followed by .prop, .method(args) and [index] parts.
type reference struct {
	pos     int
	escapes int    // backslashes written before the $
	quiet   bool   // $!
	lit     string // the reference as written, without the escapes
	name    string
	parts   []refPart
}

type partKind int

const (
	partProp partKind = iota
	partMethod
	partIndex
)

type refPart struct {
	kind partKind
	name string
	args []expr
	pos  int
}

type expr interface{}

type litExpr struct{ v any }

type strExpr struct {
	raw   string // value when not interpolated, or when interpolation fails
	nodes []node // interpolated template (raw + " ")
}

type refExpr struct{ ref *reference }

type listExpr struct{ items []expr }

type mapExpr struct{ keys, vals []expr }

type rangeExpr struct {
	pos      int
	from, to expr
}

type binExpr struct {
	pos  int
	op   string
	l, r expr
}

type notExpr struct{ x expr }

// ---- parser ----

type parser struct {
	src     string
	pos     int
	depth   int
	termPos int
}

func (p *parser) errAt(pos int, format string, args ...any) *ParseError {
	line, col := lineCol(p.src, pos)
	return &ParseError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func lineCol(src string, pos int) (int, int) {
	if pos > len(src) {
		pos = len(src)
	}
	line, col := 1, 1
	for i := 0; i < pos; i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxNesting {
		return p.errAt(pos, "nesting deeper than %d", maxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) peek(off int) byte {
	if p.pos+off < len(p.src) {
		return p.src[p.pos+off]
	}
	return 0
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// identifier characters of a reference: Velocity 1.7 allows '-' and '_'.
func isIdentChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '-' || c == '_' }

func isWordChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' || c == '@' }

// eatLineEnd consumes [ \t]* followed by one newline, if a newline follows;
// otherwise it consumes nothing. This is how Velocity 1.7 swallows the rest
// of a directive line.
func (p *parser) eatLineEnd() {
	i := p.pos
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t') {
		i++
	}
	switch {
	case strings.HasPrefix(p.src[i:], "\r\n"):
		p.pos = i + 2
	case i < len(p.src) && (p.src[i] == '\n' || p.src[i] == '\r'):
		p.pos = i + 1
	}
}

// setAhead reports whether the text at i is [ \t]*#set( — Velocity 1.7's
// #set token swallows the indentation before it when that indentation
// starts a token.
func setAhead(s string, i int) (int, bool) {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	rest := s[j:]
	var k int
	switch {
	case strings.HasPrefix(rest, "#set"):
		k = 4
	case strings.HasPrefix(rest, "#{set}"):
		k = 6
	default:
		return 0, false
	}
	for k < len(rest) && rest[k] == ' ' {
		k++
	}
	return j, k < len(rest) && rest[k] == '('
}

// parseBlock parses statements until EOF or a block terminator (#end,
// #else, #elseif), which it returns without consuming anything after its
// name.
func (p *parser) parseBlock() ([]node, string, error) {
	var nodes []node
	text := func(s string) {
		if s == "" {
			return
		}
		if n := len(nodes); n > 0 {
			if t, ok := nodes[n-1].(*textNode); ok {
				t.s += s
				return
			}
		}
		nodes = append(nodes, &textNode{s: s})
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case ' ', '\t':
			if j, ok := setAhead(p.src, p.pos); ok {
				p.pos = j
				continue
			}
		case '$':
			ref, err := p.parseReference(0)
			if err != nil {
				return nil, "", err
			}
			if ref == nil {
				text("$")
				p.pos++
				continue
			}
			nodes = append(nodes, &refNode{ref: ref})
			continue
		case '\\':
			n := 0
			for p.pos+n < len(p.src) && p.src[p.pos+n] == '\\' {
				n++
			}
			next := byte(0)
			if p.pos+n < len(p.src) {
				next = p.src[p.pos+n]
			}
			if next == '$' {
				start := p.pos
				p.pos += n
				ref, err := p.parseReference(n)
				if err != nil {
					return nil, "", err
				}
				if ref == nil {
					text(p.src[start : p.pos+1])
					p.pos++
					continue
				}
				nodes = append(nodes, &refNode{ref: ref})
				continue
			}
			if next == '#' {
				word, after := p.directiveWordAt(p.pos + n)
				known := knownDirective(word)
				if n%2 == 1 && word != "" {
					// \#if: an escaped directive renders as text.
					start := p.pos
					p.pos = after
					if known {
						text(strings.Repeat(`\`, n/2) + p.src[start+n:p.pos])
					} else {
						text(p.src[start:p.pos])
					}
					continue
				}
				if n%2 == 0 && known {
					// \\#if: each pair renders as one backslash and the
					// directive still runs.
					text(strings.Repeat(`\`, n/2))
					p.pos += n
					continue
				}
			}
			text(p.src[p.pos : p.pos+n])
			p.pos += n
			continue
		case '#':
			nd, term, handled, err := p.parseHash()
			if err != nil {
				return nil, "", err
			}
			if term != "" {
				return nodes, term, nil
			}
			if !handled {
				text("#")
				p.pos++
				continue
			}
			switch x := nd.(type) {
			case nil:
			case *textNode:
				text(x.s)
			default:
				nodes = append(nodes, nd)
			}
			continue
		}
		// plain text up to the next special character
		j := p.pos + 1
		for j < len(p.src) && p.src[j] != '$' && p.src[j] != '#' && p.src[j] != '\\' {
			j++
		}
		text(p.src[p.pos:j])
		p.pos = j
	}
	return nodes, "", nil
}

func knownDirective(w string) bool {
	switch w {
	case "if", "elseif", "else", "end", "set", "foreach", "break", "stop",
		"macro", "define", "evaluate", "include", "parse":
		return true
	}
	return false
}

// directiveWordAt reads the directive name after the '#' at i: #name or
// #{name}. It returns the name and the index just past it.
func (p *parser) directiveWordAt(i int) (string, int) {
	if i >= len(p.src) || p.src[i] != '#' {
		return "", i
	}
	j := i + 1
	braced := j < len(p.src) && p.src[j] == '{'
	if braced {
		j++
	}
	k := j
	if k < len(p.src) && (isAlpha(p.src[k]) || p.src[k] == '_' || (!braced && p.src[k] == '@')) {
		k++
		for k < len(p.src) && isWordChar(p.src[k]) {
			k++
		}
	}
	if k == j {
		return "", i
	}
	if braced {
		if k >= len(p.src) || p.src[k] != '}' {
			return "", i
		}
		return p.src[j:k], k + 1
	}
	return p.src[j:k], k
}

// parseHash handles everything that starts with '#' at p.pos. handled is
// false when the '#' is plain text.
func (p *parser) parseHash() (nd node, term string, handled bool, err error) {
	start := p.pos
	rest := p.src[p.pos:]
	switch {
	case strings.HasPrefix(rest, "##"):
		end := strings.IndexAny(rest, "\r\n")
		if end < 0 {
			p.pos = len(p.src)
		} else {
			p.pos += end
			if strings.HasPrefix(p.src[p.pos:], "\r\n") {
				p.pos += 2
			} else {
				p.pos++
			}
		}
		return nil, "", true, nil
	case strings.HasPrefix(rest, "#*"):
		end := strings.Index(rest[2:], "*#")
		if end < 0 {
			return nil, "", false, p.errAt(start, "unterminated #* comment")
		}
		p.pos += 2 + end + 2
		return nil, "", true, nil
	case strings.HasPrefix(rest, "#[["):
		end := strings.Index(rest[3:], "]]#")
		if end < 0 {
			return nil, "", false, p.errAt(start, "unterminated #[[ text block")
		}
		p.pos += 3 + end + 3
		return &textNode{s: rest[3 : 3+end]}, "", true, nil
	}
	word, after := p.directiveWordAt(p.pos)
	if word == "" {
		return nil, "", false, nil
	}
	switch word {
	case "set":
		if _, ok := setAhead(p.src, p.pos); !ok {
			p.pos = after
			return &textNode{s: p.src[start:after]}, "", true, nil
		}
		p.pos = strings.IndexByte(p.src[p.pos:], '(') + p.pos + 1
		n, err := p.parseSet(start)
		return n, "", true, err
	case "if":
		p.pos = after
		n, err := p.parseIf(start)
		return n, "", true, err
	case "elseif", "else", "end":
		p.termPos = start
		p.pos = after
		if word != "elseif" {
			p.eatLineEnd()
		}
		return nil, word, true, nil
	case "foreach":
		p.pos = after
		n, err := p.parseForeach(start)
		return n, "", true, err
	case "break", "stop":
		p.pos = after
		if err := p.optionalScopeArg(); err != nil {
			return nil, "", true, err
		}
		if word == "break" {
			return &breakNode{}, "", true, nil
		}
		return &stopNode{}, "", true, nil
	case "macro", "define", "evaluate", "include", "parse":
		return nil, "", true, p.errAt(start, "#%s is not supported in API Gateway mapping templates", word)
	}
	p.pos = after
	return &textNode{s: p.src[start:after]}, "", true, nil
}

// skipWS skips spaces, tabs and newlines (whitespace inside a directive).
func (p *parser) skipWS() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) expect(c byte, what string) error {
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return p.errAt(p.pos, "expected %q %s", c, what)
	}
	p.pos++
	return nil
}

// closeDirective consumes the ')' that ends a directive and the rest of its
// line when only whitespace follows.
func (p *parser) closeDirective(what string) error {
	if err := p.expect(')', what); err != nil {
		return err
	}
	p.eatLineEnd()
	return nil
}

func (p *parser) optionalScopeArg() error {
	i := p.pos
	for i < len(p.src) && strings.IndexByte(" \t\r\n", p.src[i]) >= 0 {
		i++
	}
	if i >= len(p.src) || p.src[i] != '(' {
		return nil
	}
	p.pos = i + 1
	p.skipWS()
	if p.pos < len(p.src) && p.src[p.pos] == '$' {
		ref, err := p.parseReference(0)
		if err != nil {
			return err
		}
		if ref == nil {
			return p.errAt(p.pos, "expected a reference")
		}
	}
	return p.closeDirective("to close the directive")
}

func (p *parser) parseSet(start int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.errAt(p.pos, "#set needs a reference on the left of =")
	}
	lhs, err := p.parseReference(0)
	if err != nil {
		return nil, err
	}
	if lhs == nil {
		return nil, p.errAt(p.pos, "#set needs a reference on the left of =")
	}
	if err := p.expect('=', "in #set"); err != nil {
		return nil, err
	}
	rhs, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("to close #set"); err != nil {
		return nil, err
	}
	return &setNode{pos: start, lhs: lhs, rhs: rhs}, nil
}

func (p *parser) parseCond() (expr, error) {
	if err := p.expect('(', "after the directive"); err != nil {
		return nil, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("to close the condition"); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *parser) parseIf(start int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	n := &ifNode{}
	cond, err := p.parseCond()
	if err != nil {
		return nil, err
	}
	for {
		body, term, err := p.parseBlock()
		if err != nil {
			return nil, err
		}
		if n.hasEls {
			n.els = body
		} else {
			n.conds = append(n.conds, cond)
			n.blocks = append(n.blocks, body)
		}
		switch term {
		case "":
			return nil, p.errAt(start, "#if without #end")
		case "end":
			return n, nil
		case "else":
			if n.hasEls {
				return nil, p.errAt(p.termPos, "#else after #else")
			}
			n.hasEls = true
		case "elseif":
			if n.hasEls {
				return nil, p.errAt(p.termPos, "#elseif after #else")
			}
			if cond, err = p.parseCond(); err != nil {
				return nil, err
			}
		}
	}
}

func (p *parser) parseForeach(start int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.expect('(', "after #foreach"); err != nil {
		return nil, err
	}
	p.skipWS()
	v, err := p.parseReference(0)
	if err != nil {
		return nil, err
	}
	if v == nil || len(v.parts) > 0 {
		return nil, p.errAt(p.pos, "#foreach needs a simple $variable before 'in'")
	}
	p.skipWS()
	if !strings.HasPrefix(p.src[p.pos:], "in") || (p.pos+2 < len(p.src) && isWordChar(p.src[p.pos+2])) {
		return nil, p.errAt(p.pos, "expected 'in' in #foreach")
	}
	p.pos += 2
	coll, err := p.parseParameter()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("to close #foreach"); err != nil {
		return nil, err
	}
	body, term, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	if term != "end" {
		if term == "" {
			return nil, p.errAt(start, "#foreach without #end")
		}
		return nil, p.errAt(p.termPos, "#%s inside #foreach without #if", term)
	}
	return &foreachNode{pos: start, name: v.name, coll: coll, body: body}, nil
}

// parseReference parses a reference at p.pos ('$'). escapes is the number
// of backslashes already consumed before it. It returns nil, leaving p.pos
// on the '$', when the text is not a reference.
func (p *parser) parseReference(escapes int) (*reference, error) {
	start := p.pos
	i := p.pos + 1
	quiet := i < len(p.src) && p.src[i] == '!'
	if quiet {
		i++
	}
	formal := i < len(p.src) && p.src[i] == '{'
	if formal {
		i++
	}
	if i >= len(p.src) || !(isAlpha(p.src[i]) || p.src[i] == '_') {
		return nil, nil
	}
	j := i + 1
	for j < len(p.src) && isIdentChar(p.src[j]) {
		j++
	}
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	ref := &reference{pos: start, escapes: escapes, quiet: quiet, name: p.src[i:j]}
	p.pos = j
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '[' {
			part, err := p.parseIndex()
			if err != nil {
				return nil, err
			}
			ref.parts = append(ref.parts, part)
			continue
		}
		if c != '.' || !isAlpha(p.peek(1)) {
			break
		}
		k := p.pos + 2
		for k < len(p.src) && isIdentChar(p.src[k]) {
			k++
		}
		name := p.src[p.pos+1 : k]
		partPos := p.pos
		p.pos = k
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			p.pos++
			args, err := p.parseArgs()
			if err != nil {
				return nil, err
			}
			ref.parts = append(ref.parts, refPart{kind: partMethod, name: name, args: args, pos: partPos})
			continue
		}
		ref.parts = append(ref.parts, refPart{kind: partProp, name: name, pos: partPos})
	}
	if formal {
		if p.pos >= len(p.src) || p.src[p.pos] != '}' {
			return nil, p.errAt(p.pos, "expected } to close ${%s", ref.name)
		}
		p.pos++
	}
	ref.lit = p.src[start:p.pos]
	return ref, nil
}

func (p *parser) parseIndex() (refPart, error) {
	pos := p.pos
	p.pos++ // [
	p.skipWS()
	var e expr
	var err error
	switch c := p.peek(0); {
	case c == '"' || c == '\'':
		e, err = p.parseString()
	case c == '$':
		var r *reference
		r, err = p.parseReference(0)
		if r == nil && err == nil {
			err = p.errAt(p.pos, "bad index")
		}
		e = &refExpr{ref: r}
	case c == '-' || isDigit(c):
		e, err = p.parseNumber()
	case p.keyword("true"):
		p.pos += 4
		e = &litExpr{v: true}
	case p.keyword("false"):
		p.pos += 5
		e = &litExpr{v: false}
	default:
		err = p.errAt(p.pos, "bad index")
	}
	if err != nil {
		return refPart{}, err
	}
	if err := p.expect(']', "to close the index"); err != nil {
		return refPart{}, err
	}
	return refPart{kind: partIndex, args: []expr{e}, pos: pos}, nil
}

func (p *parser) parseArgs() ([]expr, error) {
	var args []expr
	p.skipWS()
	if p.peek(0) == ')' {
		p.pos++
		return args, nil
	}
	for {
		a, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		p.skipWS()
		switch p.peek(0) {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return args, nil
		default:
			return nil, p.errAt(p.pos, "expected , or ) in method arguments")
		}
	}
}

// keyword reports whether the word w starts at p.pos and is not followed
// by another word character.
func (p *parser) keyword(w string) bool {
	if !strings.HasPrefix(p.src[p.pos:], w) {
		return false
	}
	e := p.pos + len(w)
	return e >= len(p.src) || !isWordChar(p.src[e])
}

// parseParameter is Velocity 1.7's Parameter: a literal or reference, no
// operators (method arguments, #foreach collections, list and map items).
func (p *parser) parseParameter() (expr, error) {
	p.skipWS()
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	switch c := p.peek(0); {
	case c == '"' || c == '\'':
		return p.parseString()
	case c == '$':
		r, err := p.parseReference(0)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, p.errAt(p.pos, "expected a reference")
		}
		return &refExpr{ref: r}, nil
	case c == '[':
		return p.parseListOrRange()
	case c == '{':
		return p.parseMap()
	case c == '-' || c == '.' || isDigit(c):
		return p.parseNumber()
	case p.keyword("true"):
		p.pos += 4
		return &litExpr{v: true}, nil
	case p.keyword("false"):
		p.pos += 5
		return &litExpr{v: false}, nil
	}
	return nil, p.errAt(p.pos, "expected a value")
}

func (p *parser) parseNumber() (expr, error) {
	start := p.pos
	i := p.pos
	if i < len(p.src) && p.src[i] == '-' {
		i++
	}
	ds := i
	for i < len(p.src) && isDigit(p.src[i]) {
		i++
	}
	intPart := i > ds
	isFloat := false
	if i < len(p.src) && p.src[i] == '.' && !(i+1 < len(p.src) && p.src[i+1] == '.') {
		j := i + 1
		for j < len(p.src) && isDigit(p.src[j]) {
			j++
		}
		if intPart || j > i+1 {
			isFloat = true
			i = j
		}
	}
	if !intPart && !isFloat {
		return nil, p.errAt(start, "expected a number")
	}
	if i < len(p.src) && (p.src[i] == 'e' || p.src[i] == 'E') {
		j := i + 1
		if j < len(p.src) && (p.src[j] == '+' || p.src[j] == '-') {
			j++
		}
		if j < len(p.src) && isDigit(p.src[j]) {
			for j < len(p.src) && isDigit(p.src[j]) {
				j++
			}
			isFloat = true
			i = j
		}
	}
	s := p.src[start:i]
	p.pos = i
	if !isFloat {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &litExpr{v: n}, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, p.errAt(start, "bad number %q", s)
	}
	return &litExpr{v: f}, nil
}

// parseString reads a '...' or "..." literal. A doubled quote stands for
// one quote; \uXXXX is unescaped; other backslashes are kept (Velocity 1.7
// does not unescape them, which is why .replaceAll("\\'","'") works).
// Double-quoted strings containing $ or # are interpolated templates.
func (p *parser) parseString() (expr, error) {
	start := p.pos
	q := p.src[p.pos]
	i := p.pos + 1
	var b strings.Builder
	for {
		if i >= len(p.src) {
			return nil, p.errAt(start, "unterminated string literal")
		}
		c := p.src[i]
		if c == q {
			if i+1 < len(p.src) && p.src[i+1] == q {
				b.WriteByte(q)
				i += 2
				continue
			}
			i++
			break
		}
		b.WriteByte(c)
		i++
	}
	p.pos = i
	raw := unescapeUnicode(b.String())
	se := &strExpr{raw: raw}
	if q == '"' && strings.ContainsAny(raw, "$#") {
		if err := p.enter(start); err != nil {
			return nil, err
		}
		defer p.leave()
		sub := &parser{src: raw + " ", depth: p.depth}
		nodes, term, err := sub.parseBlock()
		if err == nil && term != "" {
			err = sub.errAt(sub.termPos, "#%s without a matching #if or #foreach", term)
		}
		if err != nil {
			msg := err.Error()
			var pe *ParseError
			if errors.As(err, &pe) {
				msg = pe.Msg
			}
			line, col := lineCol(p.src, start)
			return nil, &ParseError{Line: line, Column: col, Msg: "in string literal: " + msg}
		}
		se.nodes = nodes
	}
	return se, nil
}

func unescapeUnicode(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var units []uint16
	var b strings.Builder
	flush := func() {
		if len(units) > 0 {
			b.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	for i := 0; i < len(s); {
		if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				units = append(units, uint16(n))
				i += 6
				continue
			}
		}
		flush()
		b.WriteByte(s[i])
		i++
	}
	flush()
	return b.String()
}

func (p *parser) parseListOrRange() (expr, error) {
	start := p.pos
	p.pos++ // [
	p.skipWS()
	if p.peek(0) == ']' {
		p.pos++
		return &listExpr{}, nil
	}
	first, err := p.parseParameter()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if strings.HasPrefix(p.src[p.pos:], "..") {
		switch x := first.(type) {
		case *refExpr:
		case *litExpr:
			if _, ok := x.v.(int64); !ok {
				return nil, p.errAt(start, "range bounds must be integers or references")
			}
		default:
			return nil, p.errAt(start, "range bounds must be integers or references")
		}
		p.pos += 2
		p.skipWS()
		var to expr
		if p.peek(0) == '$' {
			r, err := p.parseReference(0)
			if err != nil {
				return nil, err
			}
			if r == nil {
				return nil, p.errAt(p.pos, "bad range")
			}
			to = &refExpr{ref: r}
		} else {
			to, err = p.parseNumber()
			if err != nil {
				return nil, err
			}
			if _, ok := to.(*litExpr).v.(int64); !ok {
				return nil, p.errAt(start, "range bounds must be integers or references")
			}
		}
		if err := p.expect(']', "to close the range"); err != nil {
			return nil, err
		}
		return &rangeExpr{pos: start, from: first, to: to}, nil
	}
	items := []expr{first}
	for {
		p.skipWS()
		switch p.peek(0) {
		case ']':
			p.pos++
			return &listExpr{items: items}, nil
		case ',':
			p.pos++
			it, err := p.parseParameter()
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		default:
			return nil, p.errAt(p.pos, "expected , or ] in list")
		}
	}
}

func (p *parser) parseMap() (expr, error) {
	p.pos++ // {
	m := &mapExpr{}
	p.skipWS()
	if p.peek(0) == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':', "in map literal"); err != nil {
			return nil, err
		}
		v, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		p.skipWS()
		switch p.peek(0) {
		case '}':
			p.pos++
			return m, nil
		case ',':
			p.pos++
		default:
			return nil, p.errAt(p.pos, "expected , or } in map literal")
		}
	}
}

// ---- expressions (inside #set, #if, #elseif) ----

func (p *parser) parseExpr() (expr, error) {
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.parseBinary(0)
}

// op reports whether one of the operator spellings starts at p.pos (after
// whitespace) and consumes it.
func (p *parser) op(spellings ...string) (string, int, bool) {
	p.skipWS()
	for _, s := range spellings {
		if !strings.HasPrefix(p.src[p.pos:], s) {
			continue
		}
		e := p.pos + len(s)
		if isAlpha(s[0]) && e < len(p.src) && isWordChar(p.src[e]) {
			continue
		}
		switch s {
		case "<", ">", "!", "=":
			if e < len(p.src) && p.src[e] == '=' {
				continue
			}
		case "-":
			if e < len(p.src) && isDigit(p.src[e]) {
				// -1 is a negative literal in Velocity 1.7, not minus one
				continue
			}
		}
		pos := p.pos
		p.pos = e
		return s, pos, true
	}
	return "", 0, false
}

// canon maps the word spellings of the operators to their symbols.
func canon(s string) string {
	switch s {
	case "or":
		return "||"
	case "and":
		return "&&"
	case "eq":
		return "=="
	case "ne":
		return "!="
	case "lt":
		return "<"
	case "le":
		return "<="
	case "gt":
		return ">"
	case "ge":
		return ">="
	}
	return s
}

// levels is the number of binary precedence levels.
const levels = 6

// operatorsAt lists the binary operators of a precedence level, from the
// loosest (0) to the tightest binding, as in Velocity 1.7's grammar. Longer
// spellings come first so that "<=" is not read as "<".
func operatorsAt(level int) []string {
	switch level {
	case 0:
		return []string{"||", "or"}
	case 1:
		return []string{"&&", "and"}
	case 2:
		return []string{"==", "!=", "eq", "ne"}
	case 3:
		return []string{"<=", ">=", "<", ">", "le", "ge", "lt", "gt"}
	case 4:
		return []string{"+", "-"}
	}
	return []string{"*", "/", "%"}
}

// parseBinary parses a left-associative chain of the operators at level.
func (p *parser) parseBinary(level int) (expr, error) {
	if level == levels {
		return p.parseUnary()
	}
	l, err := p.parseBinary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		o, pos, ok := p.op(operatorsAt(level)...)
		if !ok {
			return l, nil
		}
		r, err := p.parseBinary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binExpr{pos: pos, op: canon(o), l: l, r: r}
	}
}

func (p *parser) parseUnary() (expr, error) {
	if _, pos, ok := p.op("!", "not"); ok {
		if err := p.enter(pos); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (expr, error) {
	p.skipWS()
	if p.peek(0) == '(' {
		p.pos++
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')', "to close the parenthesis"); err != nil {
			return nil, err
		}
		return e, nil
	}
	return p.parseParameter()
}

// ---- regex cache (per template) ----

type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexpEntry
}
