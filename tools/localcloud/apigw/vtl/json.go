package vtl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseJSON decodes a JSON document into template values, keeping object
// key order (JsonPath in API Gateway hands templates ordered maps).
// Integers become int64, other numbers float64 (Java Integer/Long/Double).
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m.Put(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			l := &List{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return parseNumber(string(t)), nil
	default:
		return t, nil // string, bool, nil
	}
}

func parseNumber(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// toJSON serialises a template value compactly (what $input.json returns).
func toJSON(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v, 0)
	return b.String()
}

func writeJSON(b *bytes.Buffer, v any, depth int) {
	if b.Len() > maxBuild {
		return
	}
	if depth > maxShowDepth {
		b.WriteString("null")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeJSONString(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(javaDouble(x))
	case *List:
		b.WriteByte('[')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, it, depth+1)
		}
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range x.order() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSON(b, x.vals[k], depth+1)
		}
		b.WriteByte('}')
	default:
		writeJSONString(b, toString(v))
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// jsonPath is a compiled JSONPath expression (the Jayway JsonPath subset
// API Gateway documents: $, .name, ['name'], [n], [*], .*, ..name, unions
// and slices). Filters ([?(...)]) are not supported.
type jsonPath struct {
	steps    []pathStep
	definite bool
}

type stepKind int

const (
	stepName stepKind = iota
	stepIndex
	stepWildcard
	stepSlice
)

type pathStep struct {
	kind  stepKind
	deep  bool // ".." before this step
	names []string
	idx   []int
	start *int
	end   *int
}

func compileJSONPath(p string) (*jsonPath, error) {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("JSONPath %q must start with $", p)
	}
	jp := &jsonPath{definite: true}
	i := 1
	for i < len(p) {
		var st pathStep
		switch {
		case strings.HasPrefix(p[i:], ".."):
			st.deep = true
			i += 2
			if i < len(p) && p[i] == '[' {
				break
			}
			fallthrough
		case p[i] == '.':
			if !st.deep {
				i++
			}
			if i < len(p) && p[i] == '*' {
				st.kind = stepWildcard
				i++
				jp.add(st)
				continue
			}
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("JSONPath %q: empty property name at %d", p, i)
			}
			st.kind = stepName
			st.names = []string{p[i:j]}
			i = j
			jp.add(st)
			continue
		case p[i] != '[':
			return nil, fmt.Errorf("JSONPath %q: unexpected %q at %d", p, p[i], i)
		}
		// bracket step at p[i] == '['
		end := strings.IndexByte(p[i:], ']')
		if end < 0 {
			return nil, fmt.Errorf("JSONPath %q: missing ]", p)
		}
		inner := strings.TrimSpace(p[i+1 : i+end])
		if strings.HasPrefix(inner, "'") || strings.HasPrefix(inner, `"`) {
			// quoted names may contain ']' — rescan for the closing quote
			names, n, err := scanQuotedNames(p[i+1:])
			if err != nil {
				return nil, fmt.Errorf("JSONPath %q: %w", p, err)
			}
			st.kind = stepName
			st.names = names
			i += 1 + n
			jp.add(st)
			continue
		}
		i += end + 1
		switch {
		case inner == "*":
			st.kind = stepWildcard
		case strings.HasPrefix(inner, "?"):
			return nil, fmt.Errorf("JSONPath %q: filters are not supported", p)
		case strings.Contains(inner, ":"):
			st.kind = stepSlice
			a, b, _ := strings.Cut(inner, ":")
			if b2, _, ok := strings.Cut(b, ":"); ok {
				b = b2
			}
			if a = strings.TrimSpace(a); a != "" {
				n, err := strconv.Atoi(a)
				if err != nil {
					return nil, fmt.Errorf("JSONPath %q: bad slice", p)
				}
				st.start = &n
			}
			if b = strings.TrimSpace(b); b != "" {
				n, err := strconv.Atoi(b)
				if err != nil {
					return nil, fmt.Errorf("JSONPath %q: bad slice", p)
				}
				st.end = &n
			}
		default:
			st.kind = stepIndex
			for _, part := range strings.Split(inner, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(part))
				if err != nil {
					return nil, fmt.Errorf("JSONPath %q: bad index %q", p, part)
				}
				st.idx = append(st.idx, n)
			}
		}
		jp.add(st)
	}
	return jp, nil
}

func (jp *jsonPath) add(st pathStep) {
	if st.deep || st.kind == stepWildcard || st.kind == stepSlice ||
		len(st.names) > 1 || len(st.idx) > 1 {
		jp.definite = false
	}
	jp.steps = append(jp.steps, st)
}

// scanQuotedNames reads 'a' or 'a','b' up to the closing ] and returns the
// names and the number of bytes consumed including the ].
func scanQuotedNames(s string) ([]string, int, error) {
	var names []string
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || (s[i] != '\'' && s[i] != '"') {
			return nil, 0, errors.New("bad quoted name")
		}
		q := s[i]
		j := i + 1
		var b strings.Builder
		for j < len(s) && s[j] != q {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			b.WriteByte(s[j])
			j++
		}
		if j >= len(s) {
			return nil, 0, errors.New("unterminated quoted name")
		}
		names = append(names, b.String())
		i = j + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		if i < len(s) && s[i] == ']' {
			return names, i + 1, nil
		}
		return nil, 0, errors.New("missing ]")
	}
}

// eval applies the path to root. found is false when a definite path does
// not exist; an indefinite path always yields a *List of its matches.
func (jp *jsonPath) eval(root any) (result any, found bool) {
	cur := []any{root}
	for _, st := range jp.steps {
		var next []any
		for _, v := range cur {
			if len(next) >= maxWalk {
				break // a template made the tree share itself; stop growing
			}
			if st.deep {
				budget := maxWalk
				walk(v, 0, &budget, func(n any) { next = applyStep(st, n, next) })
			} else {
				next = applyStep(st, v, next)
			}
		}
		cur = next
	}
	if jp.definite {
		if len(cur) == 0 {
			return nil, false
		}
		return cur[0], true
	}
	return &List{Items: cur}, true
}

// maxWalk bounds a deep scan ($..name) to this many visited values: a
// template can make the body's tree share or contain itself.
const maxWalk = 1 << 20

func walk(v any, depth int, budget *int, fn func(any)) {
	*budget--
	if depth > maxShowDepth || *budget < 0 {
		return
	}
	fn(v)
	switch x := v.(type) {
	case *Map:
		for _, k := range x.order() {
			walk(x.vals[k], depth+1, budget, fn)
		}
	case *List:
		for _, it := range x.Items {
			walk(it, depth+1, budget, fn)
		}
	}
}

func applyStep(st pathStep, v any, out []any) []any {
	switch st.kind {
	case stepName:
		if m, ok := v.(*Map); ok {
			for _, n := range st.names {
				if x, ok := m.vals[n]; ok {
					out = append(out, x)
				}
			}
		}
	case stepWildcard:
		switch x := v.(type) {
		case *Map:
			for _, k := range x.order() {
				out = append(out, x.vals[k])
			}
		case *List:
			out = append(out, x.Items...)
		}
	case stepIndex:
		if l, ok := v.(*List); ok {
			for _, i := range st.idx {
				if i < 0 {
					i += len(l.Items)
				}
				if i >= 0 && i < len(l.Items) {
					out = append(out, l.Items[i])
				}
			}
		}
	case stepSlice:
		if l, ok := v.(*List); ok {
			n := len(l.Items)
			from, to := 0, n
			if st.start != nil {
				from = *st.start
			}
			if st.end != nil {
				to = *st.end
			}
			if from < 0 {
				from += n
			}
			if to < 0 {
				to += n
			}
			from = max(0, min(from, n))
			to = max(0, min(to, n))
			if from < to {
				out = append(out, l.Items[from:to]...)
			}
		}
	}
	return out
}
