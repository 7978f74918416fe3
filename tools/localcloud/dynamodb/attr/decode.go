package attr

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The wire decoder is hand-written because item decoding sits on every
// PutItem's hot path: it walks the JSON once, without intermediate maps or
// json.RawMessage copies. It validates exactly as DynamoDB does (see
// decodeValue) and reports malformed JSON as a SerializationException.

// maxJSONDepth bounds nesting while decoding, as encoding/json does.
const maxJSONDepth = 10000

// UnmarshalJSON decodes and validates one AttributeValue as DynamoDB does.
// Errors are *Error: ValidationException with DynamoDB's message for
// invalid values, SerializationException for JSON of the wrong shape.
func (v *Value) UnmarshalJSON(data []byte) error {
	out, err := Parse(data)
	if err != nil {
		return err
	}
	*v = out
	return nil
}

// UnmarshalJSON decodes and validates a map of AttributeValues; JSON null
// gives a nil Item.
func (item *Item) UnmarshalJSON(data []byte) error {
	out, err := ParseItem(data)
	if err != nil {
		return err
	}
	*item = out
	return nil
}

// Parse decodes one AttributeValue from its wire JSON.
func Parse(data []byte) (Value, error) {
	d := decoder{data: data}
	d.ws()
	v, err := d.value(0)
	if err != nil {
		return Value{}, err
	}
	if err := d.end(); err != nil {
		return Value{}, err
	}
	return v, nil
}

// ParseItem decodes an item (a JSON object of AttributeValues) from its
// wire JSON.
func ParseItem(data []byte) (Item, error) {
	d := decoder{data: data}
	d.ws()
	if d.literal("null") {
		return nil, d.end()
	}
	it, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return it, nil
}

const msgMalformed = "Malformed JSON"

func malformed() error {
	return &Error{Code: CodeSerialization, Message: msgMalformed}
}

// isMalformed reports whether err is malformed JSON, which stops decoding
// (validation errors are remembered and decoding goes on).
func isMalformed(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	return errors.As(err, &e) && e.Message == msgMalformed
}

// wrongShape words a SerializationException for a member whose JSON kind is
// not the one its type needs, as the awsJson deserializer does.
func wrongShape(c byte, want string) error {
	msg := "Unexpected value type in payload"
	switch {
	case c == '{':
		msg = "Start of structure or map found where not expected"
	case c == '[':
		msg = "Start of list found where not expected"
	case c == 't':
		msg = "TRUE_VALUE cannot be converted to " + want
	case c == 'f':
		msg = "FALSE_VALUE cannot be converted to " + want
	case c == '"':
		msg = "STRING_VALUE cannot be converted to " + want
	case c == '-' || (c >= '0' && c <= '9'):
		msg = "NUMBER_VALUE cannot be converted to " + want
	}
	return &Error{Code: CodeSerialization, Message: msg}
}

type decoder struct {
	data []byte
	i    int
}

func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) end() error {
	d.ws()
	if d.i != len(d.data) {
		return malformed()
	}
	return nil
}

func (d *decoder) peek() byte {
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

// consume skips c and the whitespace after it, if c is next.
func (d *decoder) consume(c byte) bool {
	if d.peek() != c {
		return false
	}
	d.i++
	d.ws()
	return true
}

func (d *decoder) literal(lit string) bool {
	if len(d.data)-d.i >= len(lit) && string(d.data[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		d.ws()
		return true
	}
	return false
}

// object calls member for each key of a JSON object; member must consume
// the value.
func (d *decoder) object(member func(key string) error) error {
	if !d.consume('{') {
		return wrongShape(d.peek(), "Map")
	}
	if d.consume('}') {
		return nil
	}
	for {
		if d.peek() != '"' {
			return malformed()
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if !d.consume(':') {
			return malformed()
		}
		if err := member(key); err != nil {
			return err
		}
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			return nil
		}
		return malformed()
	}
}

// array calls elem for each element of a JSON array.
func (d *decoder) array(elem func() error) error {
	if !d.consume('[') {
		return wrongShape(d.peek(), "List")
	}
	if d.consume(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return nil
		}
		return malformed()
	}
}

func (d *decoder) item(depth int) (Item, error) {
	if depth > maxJSONDepth {
		return nil, malformed()
	}
	out := Item{}
	err := d.object(func(key string) error {
		v, err := d.value(depth + 1)
		if err != nil {
			return err
		}
		out[key] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// value decodes one AttributeValue object. Like DynamoDB it ignores
// unknown members and null members, checks every type present (so a bad
// member wins over "more than one datatype") in a fixed order so that the
// message is deterministic, and then requires exactly one type.
func (d *decoder) value(depth int) (Value, error) {
	if depth > maxJSONDepth {
		return Value{}, malformed()
	}
	var (
		found [TypeBS + 1]Value
		errs  [TypeBS + 1]error
		count int
	)
	err := d.object(func(key string) error {
		t, ok := ParseType(key)
		if !ok || d.peek() == 'n' {
			return d.skip(depth + 1)
		}
		if !found[t].Exists() && errs[t] == nil {
			count++
		}
		found[t], errs[t] = d.typed(t, depth+1)
		if isMalformed(errs[t]) {
			return errs[t]
		}
		return nil
	})
	if err != nil {
		return Value{}, err
	}
	for t := TypeS; t <= TypeBS; t++ {
		if errs[t] != nil {
			return Value{}, errs[t]
		}
	}
	switch {
	case count == 0:
		return Value{}, Validation("%s", msgEmptyValue)
	case count > 1:
		return Value{}, Validation("%s", msgMultipleType)
	}
	for t := TypeS; t <= TypeBS; t++ {
		if found[t].Exists() {
			return found[t], nil
		}
	}
	return Value{}, Validation("%s", msgEmptyValue)
}

// typed decodes the member of type t. Shape errors leave the decoder after
// the member so that decoding can go on.
func (d *decoder) typed(t Type, depth int) (Value, error) {
	c := d.peek()
	shape := func(want string) (Value, error) {
		if err := d.skip(depth); err != nil {
			return Value{}, err
		}
		return Value{}, wrongShape(c, want)
	}
	switch t {
	case TypeS, TypeN, TypeB:
		if c != '"' {
			return shape(map[Type]string{TypeS: "String", TypeN: "String", TypeB: "Blob"}[t])
		}
		s, err := d.str()
		if err != nil {
			return Value{}, err
		}
		switch t {
		case TypeS:
			return S(s), nil
		case TypeN:
			return ParseN(s)
		}
		b, err := decodeBase64(s)
		if err != nil {
			return Value{}, err
		}
		return Value{t: TypeB, s: string(b)}, nil
	case TypeBOOL, TypeNULL:
		var b bool
		switch {
		case d.literal("true"):
			b = true
		case d.literal("false"):
		default:
			return shape("Boolean")
		}
		if t == TypeBOOL {
			return Bool(b), nil
		}
		if !b {
			return Value{}, invalidParam("Null attribute value types must have the value of true")
		}
		return Null(), nil
	case TypeL:
		if c != '[' {
			return shape("List")
		}
		l := []Value{}
		var first error
		err := d.array(func() error {
			if d.peek() != '{' {
				return d.skipElem(depth, &first, "Map")
			}
			v, err := d.value(depth + 1)
			if err != nil && first == nil {
				first = err
			}
			l = append(l, v)
			return fatal(err)
		})
		if err != nil {
			return Value{}, err
		}
		if first != nil {
			return Value{}, first
		}
		return L(l...), nil
	case TypeM:
		if c != '{' {
			return shape("Map")
		}
		m := Item{}
		var first error
		err := d.object(func(key string) error {
			v, err := d.value(depth + 1)
			if err != nil && first == nil {
				first = err
			}
			m[key] = v
			return fatal(err)
		})
		if err != nil {
			return Value{}, err
		}
		if first != nil {
			return Value{}, first
		}
		return M(m), nil
	case TypeSS, TypeNS, TypeBS:
		if c != '[' {
			return shape("List")
		}
		var members []string
		var first error
		err := d.array(func() error {
			if d.peek() != '"' {
				return d.skipElem(depth, &first, "String")
			}
			s, err := d.str()
			members = append(members, s)
			return err
		})
		if err != nil {
			return Value{}, err
		}
		if first != nil {
			return Value{}, first
		}
		switch t {
		case TypeSS:
			return SS(members...)
		case TypeNS:
			return NS(members...)
		}
		bs := make([][]byte, len(members))
		for i, s := range members {
			b, err := decodeBase64(s)
			if err != nil {
				return Value{}, err
			}
			bs[i] = b
		}
		return BS(bs...)
	}
	return shape("String")
}

// fatal passes on only the errors that stop decoding (malformed JSON);
// validation errors are remembered and reported after the value.
func fatal(err error) error {
	if isMalformed(err) {
		return err
	}
	return nil
}

// skipElem skips an element of the wrong JSON kind, remembering the shape
// error.
func (d *decoder) skipElem(depth int, first *error, want string) error {
	c := d.peek()
	if err := d.skip(depth + 1); err != nil {
		return err
	}
	if *first == nil {
		*first = wrongShape(c, want)
	}
	return nil
}

func decodeBase64(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, &Error{Code: CodeSerialization, Message: "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s))}
	}
	return b, nil
}

// skip consumes any JSON value.
func (d *decoder) skip(depth int) error {
	if depth > maxJSONDepth {
		return malformed()
	}
	switch c := d.peek(); {
	case c == '{':
		return d.object(func(string) error { return d.skip(depth + 1) })
	case c == '[':
		return d.array(func() error { return d.skip(depth + 1) })
	case c == '"':
		_, err := d.str()
		return err
	case d.literal("true"), d.literal("false"), d.literal("null"):
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return malformed()
}

// number consumes a JSON number.
func (d *decoder) number() error {
	start := d.i
	if d.peek() == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.peek() == '0' {
		d.i++
	} else if digits() == 0 {
		return malformed()
	}
	if d.peek() == '.' {
		d.i++
		if digits() == 0 {
			return malformed()
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if digits() == 0 {
			return malformed()
		}
	}
	if d.i == start {
		return malformed()
	}
	d.ws()
	return nil
}

// str decodes a JSON string at the current position (which is '"'),
// replacing invalid UTF-8 and lone surrogates with U+FFFD as encoding/json
// does.
func (d *decoder) str() (string, error) {
	d.i++ // opening quote
	start := d.i
	// Fast path: no escapes, valid ASCII or UTF-8.
	for d.i < len(d.data) {
		c := d.data[d.i]
		if c == '"' {
			s := string(d.data[start:d.i])
			d.i++
			d.ws()
			if !utf8.ValidString(s) {
				return string([]rune(s)), nil // maps invalid bytes to U+FFFD
			}
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		d.i++
	}
	buf := append([]byte(nil), d.data[start:d.i]...)
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			d.i++
			d.ws()
			if !utf8.Valid(buf) {
				return string([]rune(string(buf))), nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", malformed()
		case c != '\\':
			buf = append(buf, c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.data) {
			return "", malformed()
		}
		e := d.data[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", malformed()
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				save := d.i
				if d.i+1 < len(d.data) && d.data[d.i] == '\\' && d.data[d.i+1] == 'u' {
					d.i += 2
					if x, ok := d.hex4(); ok {
						if dec := utf16.DecodeRune(r, x); dec != utf8.RuneError {
							r2 = dec
						} else {
							d.i = save
						}
					} else {
						return "", malformed()
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", malformed()
		}
	}
	return "", malformed()
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.i : d.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}
