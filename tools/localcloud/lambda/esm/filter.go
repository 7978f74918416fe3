package esm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// pattern is a parsed Lambda event filtering pattern: an object whose
// leaves are arrays of rules.
type pattern map[string]*patternNode

type patternNode struct {
	sub   pattern // set for a nested object
	rules []rule  // set for a leaf array
}

type ruleKind int

const (
	ruleString ruleKind = iota
	ruleNumber
	ruleNull
	rulePrefix
	ruleSuffix
	ruleIgnoreCase
	ruleAnythingBut
	ruleNumeric
	ruleExists
)

type comparison struct {
	op  string
	num float64
}

type rule struct {
	kind   ruleKind
	str    string
	num    float64
	exists bool
	// but holds anything-but's excluded values (or one prefix rule).
	but     []rule
	numeric []comparison
}

func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

// parsePattern parses a filter's Pattern.
func parsePattern(s string) (pattern, error) {
	v, err := decodeJSON(s)
	if err != nil {
		return nil, fmt.Errorf("pattern is not valid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("pattern must be a JSON object")
	}
	return parseObject(obj)
}

func parseObject(obj map[string]any) (pattern, error) {
	if len(obj) == 0 {
		return nil, errors.New("empty objects are not allowed in a pattern")
	}
	p := pattern{}
	for k, v := range obj {
		if k == "$or" {
			return nil, errors.New("$or is not supported by localcloud")
		}
		switch v := v.(type) {
		case map[string]any:
			sub, err := parseObject(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			p[k] = &patternNode{sub: sub}
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%s: empty arrays are not allowed in a pattern", k)
			}
			rules := make([]rule, 0, len(v))
			for _, x := range v {
				r, err := parseRule(x)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", k, err)
				}
				rules = append(rules, r)
			}
			p[k] = &patternNode{rules: rules}
		default:
			return nil, fmt.Errorf("%s: match values must be in an array", k)
		}
	}
	return p, nil
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func parseRule(x any) (rule, error) {
	switch x := x.(type) {
	case string:
		return rule{kind: ruleString, str: x}, nil
	case json.Number:
		f, _ := number(x)
		return rule{kind: ruleNumber, num: f}, nil
	case nil:
		return rule{kind: ruleNull}, nil
	case map[string]any:
		if len(x) != 1 {
			return rule{}, errors.New("a matching object takes exactly one operator")
		}
		for op, arg := range x {
			return parseOperator(op, arg)
		}
	}
	return rule{}, fmt.Errorf("unsupported match value %v", x)
}

func parseOperator(op string, arg any) (rule, error) {
	switch op {
	case "prefix", "suffix", "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return rule{}, fmt.Errorf("%s takes a string", op)
		}
		kind := map[string]ruleKind{"prefix": rulePrefix, "suffix": ruleSuffix, "equals-ignore-case": ruleIgnoreCase}[op]
		return rule{kind: kind, str: s}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return rule{}, errors.New("exists takes true or false")
		}
		return rule{kind: ruleExists, exists: b}, nil
	case "anything-but":
		r := rule{kind: ruleAnythingBut}
		switch a := arg.(type) {
		case []any:
			for _, v := range a {
				sub, err := parseRule(v)
				if err != nil || (sub.kind != ruleString && sub.kind != ruleNumber) {
					return rule{}, errors.New("anything-but lists take strings or numbers")
				}
				r.but = append(r.but, sub)
			}
		case map[string]any:
			sub, err := parseRule(a)
			if err != nil || sub.kind != rulePrefix {
				return rule{}, errors.New("anything-but takes a value, a list or a prefix")
			}
			r.but = []rule{sub}
		default:
			sub, err := parseRule(a)
			if err != nil || (sub.kind != ruleString && sub.kind != ruleNumber) {
				return rule{}, errors.New("anything-but takes a value, a list or a prefix")
			}
			r.but = []rule{sub}
		}
		return r, nil
	case "numeric":
		a, ok := arg.([]any)
		if !ok || len(a) == 0 || len(a)%2 != 0 || len(a) > 4 {
			return rule{}, errors.New("numeric takes one or two operator and number pairs")
		}
		r := rule{kind: ruleNumeric}
		for i := 0; i < len(a); i += 2 {
			o, _ := a[i].(string)
			n, ok := number(a[i+1])
			switch o {
			case "=", "<", "<=", ">", ">=":
			default:
				ok = false
			}
			if !ok {
				return rule{}, fmt.Errorf("invalid numeric comparison %v %v", a[i], a[i+1])
			}
			r.numeric = append(r.numeric, comparison{op: o, num: n})
		}
		return r, nil
	}
	return rule{}, fmt.Errorf("unsupported operator %q", op)
}

// match reports whether event (decoded with UseNumber) satisfies p.
func (p pattern) match(event map[string]any) bool {
	for k, node := range p {
		v, present := event[k]
		if node.sub != nil {
			obj, _ := v.(map[string]any)
			if !node.sub.match(obj) {
				return false
			}
			continue
		}
		if !node.matchLeaf(v, present) {
			return false
		}
	}
	return true
}

func (n *patternNode) matchLeaf(v any, present bool) bool {
	for _, r := range n.rules {
		if r.kind == ruleExists {
			if r.exists == present {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		if list, ok := v.([]any); ok {
			for _, x := range list {
				if r.matches(x) {
					return true
				}
			}
			continue
		}
		if r.matches(v) {
			return true
		}
	}
	return false
}

func (r rule) matches(v any) bool {
	switch r.kind {
	case ruleString:
		s, ok := v.(string)
		return ok && s == r.str
	case ruleNumber:
		f, ok := number(v)
		return ok && f == r.num
	case ruleNull:
		return v == nil
	case rulePrefix:
		s, ok := v.(string)
		return ok && strings.HasPrefix(s, r.str)
	case ruleSuffix:
		s, ok := v.(string)
		return ok && strings.HasSuffix(s, r.str)
	case ruleIgnoreCase:
		s, ok := v.(string)
		return ok && strings.EqualFold(s, r.str)
	case ruleAnythingBut:
		if _, isStr := v.(string); !isStr {
			if _, isNum := number(v); !isNum {
				return false
			}
		}
		for _, b := range r.but {
			if b.matches(v) {
				return false
			}
		}
		return true
	case ruleNumeric:
		f, ok := number(v)
		if !ok {
			return false
		}
		for _, c := range r.numeric {
			var ok bool
			switch c.op {
			case "=":
				ok = f == c.num
			case "<":
				ok = f < c.num
			case "<=":
				ok = f <= c.num
			case ">":
				ok = f > c.num
			case ">=":
				ok = f >= c.num
			}
			if !ok {
				return false
			}
		}
		return true
	}
	return false
}

// filters is a mapping's compiled FilterCriteria; nil passes everything.
type filters []pattern

func compileFilters(fc *FilterCriteria) filters {
	if fc == nil {
		return nil
	}
	var out filters
	for _, f := range fc.Filters {
		if p, err := parsePattern(f.Pattern); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// pass reports whether the record (its event JSON) matches any filter.
func (fs filters) pass(record []byte) bool {
	if len(fs) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return false
	}
	// An SQS body that holds JSON is filtered as JSON, as Lambda does.
	if body, ok := obj["body"].(string); ok {
		if v, err := decodeJSON(body); err == nil {
			if _, isObj := v.(map[string]any); isObj {
				obj["body"] = v
			}
		}
	}
	for _, p := range fs {
		if p.match(obj) {
			return true
		}
	}
	return false
}
