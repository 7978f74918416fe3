package logs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Filter is a compiled CloudWatch Logs filter pattern.
type Filter interface {
	// Match reports whether a log event's message matches.
	Match(message string) bool
}

// ParseFilter compiles a filter pattern: empty (everything), terms
// ("ERROR", "?ERROR ?WARN", "ERROR -health"), quoted phrases
// ("\"Internal Server Error\""), regular expressions ("%time[ou]+t%") and
// JSON patterns ("{ $.level = \"ERROR\" && $.latency > 100 }") with =, !=,
// <, <=, >, >=, IS TRUE/FALSE/NULL, EXISTS, NOT EXISTS, && and ||.
// Space-delimited patterns ("[ip, user, ...]") are not supported.
func ParseFilter(pattern string) (Filter, error) {
	p := strings.TrimSpace(pattern)
	switch {
	case p == "":
		return matchAll{}, nil
	case strings.HasPrefix(p, "{"):
		return parseJSONFilter(p)
	case strings.HasPrefix(p, "["):
		return nil, fmt.Errorf("Space-delimited filter patterns are not supported by localcloud: %s", pattern)
	case len(p) >= 2 && strings.HasPrefix(p, "%") && strings.HasSuffix(p, "%"):
		re, err := regexp.Compile(p[1 : len(p)-1])
		if err != nil {
			return nil, fmt.Errorf("Invalid regex filter pattern: %s", pattern)
		}
		return regexFilter{re}, nil
	}
	return parseTerms(p)
}

type matchAll struct{}

func (matchAll) Match(string) bool { return true }

type regexFilter struct{ re *regexp.Regexp }

func (f regexFilter) Match(m string) bool { return f.re.MatchString(m) }

// termFilter matches when every required term is present and no excluded
// term is, or, with optional (?) terms, when any of them is present.
type termFilter struct {
	required, excluded, optional []string
}

func (f termFilter) Match(m string) bool {
	if len(f.optional) > 0 {
		for _, t := range f.optional {
			if strings.Contains(m, t) {
				return true
			}
		}
		return false
	}
	for _, t := range f.required {
		if !strings.Contains(m, t) {
			return false
		}
	}
	for _, t := range f.excluded {
		if strings.Contains(m, t) {
			return false
		}
	}
	return true
}

func parseTerms(p string) (Filter, error) {
	var f termFilter
	for len(p) > 0 {
		p = strings.TrimLeftFunc(p, unicode.IsSpace)
		if p == "" {
			break
		}
		kind := byte(0)
		if p[0] == '?' || p[0] == '-' {
			kind, p = p[0], p[1:]
		}
		var term string
		if strings.HasPrefix(p, `"`) {
			end := strings.Index(p[1:], `"`)
			if end < 0 {
				return nil, fmt.Errorf("Invalid filter pattern: unterminated quoted term in %q", p)
			}
			term, p = p[1:1+end], p[2+end:]
		} else {
			end := strings.IndexFunc(p, unicode.IsSpace)
			if end < 0 {
				end = len(p)
			}
			term, p = p[:end], p[end:]
			if strings.ContainsAny(term, `"{}[]()`) {
				return nil, fmt.Errorf("Invalid character(s) in term '%s'", term)
			}
		}
		if term == "" {
			continue
		}
		switch kind {
		case '?':
			f.optional = append(f.optional, term)
		case '-':
			f.excluded = append(f.excluded, term)
		default:
			f.required = append(f.required, term)
		}
	}
	return f, nil
}

// JSON patterns.

type jsonFilter struct{ expr jsonExpr }

func (f jsonFilter) Match(m string) bool {
	var doc any
	if err := json.Unmarshal([]byte(m), &doc); err != nil {
		return false
	}
	return f.expr.eval(doc)
}

type jsonExpr interface{ eval(doc any) bool }

type jsonOr struct{ l, r jsonExpr }

func (e jsonOr) eval(d any) bool { return e.l.eval(d) || e.r.eval(d) }

type jsonAnd struct{ l, r jsonExpr }

func (e jsonAnd) eval(d any) bool { return e.l.eval(d) && e.r.eval(d) }

type pathStep struct {
	key   string
	index int // -1 for a key step
}

type jsonCompare struct {
	path   []pathStep
	op     string
	str    glob     // string value (with * wildcards)
	num    *float64 // numeric value
	isWhat string   // TRUE, FALSE, NULL, EXISTS, NOT EXISTS
}

func (e jsonCompare) eval(doc any) bool {
	v, ok := selectPath(doc, e.path)
	switch e.isWhat {
	case "EXISTS":
		return ok
	case "NOT EXISTS":
		return !ok
	case "NULL":
		return ok && v == nil
	case "TRUE", "FALSE":
		b, isBool := v.(bool)
		return ok && isBool && b == (e.isWhat == "TRUE")
	}
	if !ok {
		return false
	}
	if e.num != nil {
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case string:
			parsed, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return e.op == "!="
			}
			f = parsed
		default:
			return e.op == "!="
		}
		switch e.op {
		case "=":
			return f == *e.num
		case "!=":
			return f != *e.num
		case "<":
			return f < *e.num
		case "<=":
			return f <= *e.num
		case ">":
			return f > *e.num
		case ">=":
			return f >= *e.num
		}
		return false
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	default:
		return e.op == "!="
	}
	matched := e.str.match(s)
	if e.op == "!=" {
		return !matched
	}
	return matched
}

func selectPath(doc any, path []pathStep) (any, bool) {
	cur := doc
	for _, st := range path {
		if st.index >= 0 {
			arr, ok := cur.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false
			}
			cur = arr[st.index]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[st.key]; !ok {
			return nil, false
		}
	}
	return cur, true
}

type jsonParser struct {
	src string
	i   int
}

func parseJSONFilter(p string) (Filter, error) {
	if !strings.HasSuffix(p, "}") {
		return nil, fmt.Errorf("Invalid filter pattern: %s: missing closing brace", p)
	}
	jp := &jsonParser{src: p[1 : len(p)-1]}
	e, err := jp.parseOr()
	if err != nil {
		return nil, fmt.Errorf("Invalid filter pattern: %s: %w", p, err)
	}
	jp.skip()
	if jp.i != len(jp.src) {
		return nil, fmt.Errorf("Invalid filter pattern: %s: unexpected %q", p, jp.src[jp.i:])
	}
	return jsonFilter{e}, nil
}

func (p *jsonParser) skip() {
	for p.i < len(p.src) && unicode.IsSpace(rune(p.src[p.i])) {
		p.i++
	}
}

func (p *jsonParser) accept(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.src[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *jsonParser) parseOr() (jsonExpr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.accept("||") {
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = jsonOr{l, r}
	}
	return l, nil
}

func (p *jsonParser) parseAnd() (jsonExpr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.accept("&&") {
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = jsonAnd{l, r}
	}
	return l, nil
}

func (p *jsonParser) parseUnary() (jsonExpr, error) {
	if p.accept("(") {
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	}
	return p.parseCompare()
}

func (p *jsonParser) parseCompare() (jsonExpr, error) {
	path, err := p.parsePath()
	if err != nil {
		return nil, err
	}
	c := jsonCompare{path: path}
	p.skip()
	rest := p.src[p.i:]
	upper := strings.ToUpper(rest)
	switch {
	case strings.HasPrefix(upper, "NOT EXISTS"):
		p.i += len("NOT EXISTS")
		c.isWhat = "NOT EXISTS"
		return c, nil
	case strings.HasPrefix(upper, "EXISTS"):
		p.i += len("EXISTS")
		c.isWhat = "EXISTS"
		return c, nil
	case strings.HasPrefix(upper, "IS "):
		p.i += 3
		p.skip()
		for _, w := range []string{"TRUE", "FALSE", "NULL"} {
			if strings.HasPrefix(strings.ToUpper(p.src[p.i:]), w) {
				p.i += len(w)
				c.isWhat = w
				return c, nil
			}
		}
		return nil, fmt.Errorf("IS must be followed by TRUE, FALSE or NULL")
	}
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			c.op = op
			p.i += len(op)
			break
		}
	}
	if c.op == "" {
		return nil, fmt.Errorf("expected an operator after the selector")
	}
	p.skip()
	if strings.HasPrefix(p.src[p.i:], `"`) {
		end := strings.Index(p.src[p.i+1:], `"`)
		if end < 0 {
			return nil, fmt.Errorf("unterminated string")
		}
		lit := p.src[p.i+1 : p.i+1+end]
		p.i += end + 2
		if c.op != "=" && c.op != "!=" {
			return nil, fmt.Errorf("strings compare only with = and !=")
		}
		c.str = wildcard(lit)
		return c, nil
	}
	start := p.i
	for p.i < len(p.src) && !unicode.IsSpace(rune(p.src[p.i])) && !strings.ContainsRune("()&|}", rune(p.src[p.i])) {
		p.i++
	}
	lit := p.src[start:p.i]
	if lit == "" {
		return nil, fmt.Errorf("expected a value after %s", c.op)
	}
	if f, err := strconv.ParseFloat(lit, 64); err == nil {
		c.num = &f
		return c, nil
	}
	if c.op != "=" && c.op != "!=" {
		return nil, fmt.Errorf("%s needs a number, got %s", c.op, lit)
	}
	c.str = wildcard(lit)
	return c, nil
}

func (p *jsonParser) parsePath() ([]pathStep, error) {
	p.skip()
	if !p.accept("$") {
		return nil, fmt.Errorf("expected a selector starting with $")
	}
	var path []pathStep
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case '.':
			p.i++
			start := p.i
			for p.i < len(p.src) && (isIdent(rune(p.src[p.i]))) {
				p.i++
			}
			if start == p.i {
				return nil, fmt.Errorf("empty selector member")
			}
			path = append(path, pathStep{key: p.src[start:p.i], index: -1})
		case '[':
			end := strings.IndexByte(p.src[p.i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("missing ]")
			}
			n, err := strconv.Atoi(p.src[p.i+1 : p.i+end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad array index %q", p.src[p.i+1:p.i+end])
			}
			path = append(path, pathStep{index: n})
			p.i += end + 1
		default:
			return path, nil
		}
	}
	return path, nil
}

func isIdent(r rune) bool {
	return r == '_' || r == '-' || r == '@' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// glob is a value in which * matches any run of characters: the literal
// parts between the stars.
type glob []string

func wildcard(lit string) glob { return strings.Split(lit, "*") }

func (g glob) match(s string) bool {
	if len(g) == 1 {
		return s == g[0]
	}
	if !strings.HasPrefix(s, g[0]) {
		return false
	}
	s = s[len(g[0]):]
	for _, part := range g[1 : len(g)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, g[len(g)-1])
}
