package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSON values are decoded into: nil, bool, string, number, *object and
// []any. Objects keep member order and numbers keep their text, because
// the validator's messages print them as Jackson does.

type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// number is a JSON number as written.
type number string

// isInteger reports whether the number is written without fraction or
// exponent: Jackson reads those as integral nodes, which is what JSON
// Schema's "integer" means to API Gateway's validator.
func (n number) isInteger() bool { return !strings.ContainsAny(string(n), ".eE") }

// maxExp10 bounds the decimal exponent numbers are handled exactly with;
// beyond it (1e999999999) exact arithmetic would need gigabytes.
const maxExp10 = 1000

// rat returns the exact value, or nil when the exponent is beyond maxExp10.
func (n number) rat() *big.Rat {
	s := string(n)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > maxExp10 || e < -maxExp10 {
			return nil
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil
	}
	return r
}

// decimal is a number as sign, significant digits and the decimal exponent
// e such that the value is 0.digits × 10^e; it compares exactly without
// materialising huge exponents.
type decimal struct {
	neg    bool
	digits string // no leading or trailing zeros; "" for zero
	exp    int64
}

func (n number) decimal() decimal {
	s := string(n)
	var d decimal
	if strings.HasPrefix(s, "-") {
		d.neg = true
		s = s[1:]
	}
	var exp int64
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		es := strings.TrimPrefix(s[i+1:], "+")
		e, err := strconv.ParseInt(es, 10, 64)
		if err != nil || e > 1<<40 || e < -(1<<40) {
			e = 1 << 40
			if strings.HasPrefix(es, "-") {
				e = -e
			}
		}
		exp = e
		s = s[:i]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	all := intPart + frac
	exp += int64(len(intPart))
	trimmed := strings.TrimLeft(all, "0")
	exp -= int64(len(all) - len(trimmed))
	d.digits = strings.TrimRight(trimmed, "0")
	d.exp = exp
	if d.digits == "" {
		d.neg, d.exp = false, 0
	}
	return d
}

// digestText is how the validator prints a schema's numeric bound: its
// digester turns an integral value into an integer node (1.0 and 1e2 print
// as 1 and 100); other values print as written.
func (n number) digestText() string {
	d := n.decimal()
	if d.digits == "" {
		return "0"
	}
	if d.exp < int64(len(d.digits)) || d.exp > maxExp10 {
		return string(n)
	}
	s := d.digits + strings.Repeat("0", int(d.exp)-len(d.digits))
	if d.neg {
		s = "-" + s
	}
	return s
}

// cmpNumbers compares two JSON numbers exactly.
func cmpNumbers(a, b number) int {
	x, y := a.decimal(), b.decimal()
	sign := func(d decimal) int {
		switch {
		case d.digits == "":
			return 0
		case d.neg:
			return -1
		}
		return 1
	}
	if sx, sy := sign(x), sign(y); sx != sy || sx == 0 {
		switch {
		case sx < sy:
			return -1
		case sx > sy:
			return 1
		}
		return 0
	}
	mag := 0
	switch {
	case x.exp > y.exp:
		mag = 1
	case x.exp < y.exp:
		mag = -1
	default:
		for i := 0; i < max(len(x.digits), len(y.digits)) && mag == 0; i++ {
			cx, cy := byte('0'), byte('0')
			if i < len(x.digits) {
				cx = x.digits[i]
			}
			if i < len(y.digits) {
				cy = y.digits[i]
			}
			switch {
			case cx > cy:
				mag = 1
			case cx < cy:
				mag = -1
			}
		}
	}
	if x.neg {
		return -mag
	}
	return mag
}

// isMultiple reports whether a is an integer multiple of the positive d.
func isMultiple(a, d number) bool {
	ra, rd := a.rat(), d.rat()
	if ra != nil && rd != nil {
		return new(big.Rat).Quo(ra, rd).IsInt()
	}
	// Only astronomically large or small values get here: a huge value is
	// a multiple of any reasonable divisor, a tiny non-zero one of none.
	x := a.decimal()
	return x.digits == "" || x.exp > 0
}

// maxDepth bounds the nesting of bodies and schemas.
const maxDepth = 1000

// decode parses one JSON value and, like Jackson's readTree, ignores
// whatever follows it.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeValue(dec, 0)
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if _, dup := o.vals[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return number(t), nil
	default:
		return t, nil
	}
}

// parseErrorMessage words a body that is not JSON the way Jackson does for
// the common cases.
func parseErrorMessage(data []byte, err error) string {
	s := strings.TrimLeft(string(data), " \t\r\n")
	if s == "" || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "Unexpected end-of-input"
	}
	r, _ := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune(`{["-0123456789tfn`, r) {
		return fmt.Sprintf("Unexpected character ('%c' (code %d)): expected a valid value (number, String, array, object, 'true', 'false' or 'null')", r, r)
	}
	return "Invalid JSON: " + err.Error()
}

// typeName is the JSON Schema primitive type of a value.
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case number:
		if x.isInteger() {
			return "integer"
		}
		return "number"
	case *object:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

// jsonText prints a value compactly as Jackson's JsonNode.toString does.
func jsonText(v any) string {
	var b strings.Builder
	writeJSON(&b, v)
	return b.String()
}

func writeJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case number:
		b.WriteString(string(x))
	case string:
		q, _ := json.Marshal(x)
		// Jackson does not escape <, > and & as encoding/json does.
		s := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(q))
		b.WriteString(s)
	case *object:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, k)
			b.WriteByte(':')
			writeJSON(b, x.vals[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, it)
		}
		b.WriteByte(']')
	}
}

func stringsJSON(ss []string) string {
	arr := make([]any, len(ss))
	for i, s := range ss {
		arr[i] = s
	}
	return jsonText(arr)
}

// jsonEqual is JSON Schema equality: numbers compare by value (1 == 1.0).
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case number:
		y, ok := b.(number)
		return ok && cmpNumbers(x, y) == 0
	case *object:
		y, ok := b.(*object)
		if !ok || len(x.keys) != len(y.keys) {
			return false
		}
		for _, k := range x.keys {
			yv, ok := y.vals[k]
			if !ok || !jsonEqual(x.vals[k], yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// canonical is a key that is equal for JSON-Schema-equal values: numbers
// by value, objects regardless of member order.
func canonical(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch x := v.(type) {
	case number:
		b.WriteString("n")
		d := x.decimal()
		fmt.Fprintf(b, "%v:%s:%d", d.neg, d.digits, d.exp)
	case *object:
		keys := append([]string(nil), x.keys...)
		sort.Strings(keys)
		b.WriteByte('{')
		for _, k := range keys {
			writeJSON(b, k)
			b.WriteByte(':')
			writeCanonical(b, x.vals[k])
			b.WriteByte(',')
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for _, it := range x {
			writeCanonical(b, it)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	default:
		writeJSON(b, v)
	}
}

// sortJava sorts strings in Java's natural String order (UTF-16 code
// units), which the validator uses for the names it reports.
func sortJava(names []string) []string {
	out := append([]string(nil), names...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := utf16Units(out[i]), utf16Units(out[j])
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
	return out
}

func utf16Units(s string) []uint16 {
	var u []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			u = append(u, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		u = append(u, uint16(r))
	}
	return u
}
