package attr

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

var b64 = base64.StdEncoding

// Messages DynamoDB gives for malformed AttributeValues.
const (
	msgEmptyValue   = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgMultipleType = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
)

// MarshalJSON encodes v in DynamoDB's awsJson wire form, e.g. {"N":"1.5"}.
// Numbers are written in canonical form.
func (v Value) MarshalJSON() ([]byte, error) {
	return v.AppendJSON(nil), nil
}

// AppendJSON appends v's wire form to dst. The zero Value is written as
// {} (it should never be sent).
func (v Value) AppendJSON(dst []byte) []byte {
	if v.t == TypeNone {
		return append(dst, "{}"...)
	}
	dst = append(dst, `{"`...)
	dst = append(dst, typeKeys[v.t]...)
	dst = append(dst, `":`...)
	switch v.t {
	case TypeS:
		dst = appendJSONString(dst, v.s)
	case TypeN:
		dst = append(dst, '"')
		dst = append(dst, v.n.String()...)
		dst = append(dst, '"')
	case TypeB:
		dst = appendBase64(dst, v.s)
	case TypeBOOL, TypeNULL:
		dst = strconv.AppendBool(dst, v.b)
	case TypeL:
		dst = append(dst, '[')
		for i, e := range v.l {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.AppendJSON(dst)
		}
		dst = append(dst, ']')
	case TypeM:
		dst = v.m.AppendJSON(dst)
	case TypeSS, TypeBS:
		dst = append(dst, '[')
		for i, s := range v.ss {
			if i > 0 {
				dst = append(dst, ',')
			}
			if v.t == TypeSS {
				dst = appendJSONString(dst, s)
			} else {
				dst = appendBase64(dst, s)
			}
		}
		dst = append(dst, ']')
	case TypeNS:
		dst = append(dst, '[')
		for i, n := range v.ns {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = append(dst, n.String()...)
			dst = append(dst, '"')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// MarshalJSON encodes item as a JSON object of AttributeValues.
func (item Item) MarshalJSON() ([]byte, error) {
	if item == nil {
		return []byte("null"), nil
	}
	return item.AppendJSON(nil), nil
}

// AppendJSON appends item's wire form to dst. Attribute order is not
// specified.
func (item Item) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	first := true
	for k, v := range item {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = v.AppendJSON(dst)
	}
	return append(dst, '}')
}

func appendBase64(dst []byte, raw string) []byte {
	dst = append(dst, '"')
	dst = b64.AppendEncode(dst, []byte(raw))
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD
// as encoding/json does.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// UnmarshalJSON decodes and validates one AttributeValue as DynamoDB does.
// Errors are *Error: ValidationException with DynamoDB's message for
// invalid values, SerializationException for JSON of the wrong shape.
func (v *Value) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return serializationError()
	}
	out, err := decodeValue(raw)
	if err != nil {
		return err
	}
	*v = out
	return nil
}

// UnmarshalJSON decodes and validates a map of AttributeValues.
func (item *Item) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return serializationError()
	}
	if raw == nil {
		*item = nil
		return nil
	}
	out, err := decodeItem(raw)
	if err != nil {
		return err
	}
	*item = out
	return nil
}

// Parse decodes one AttributeValue from its wire JSON.
func Parse(data []byte) (Value, error) {
	var v Value
	err := v.UnmarshalJSON(data)
	return v, err
}

// ParseItem decodes an item from its wire JSON.
func ParseItem(data []byte) (Item, error) {
	var item Item
	err := item.UnmarshalJSON(data)
	return item, err
}

func serializationError() error {
	return &Error{Code: CodeSerialization, Message: "Start of structure or map found where not expected"}
}

// wrongShape words a SerializationException for a member whose JSON kind is
// not the one its type needs, as the awsJson deserializer does.
func wrongShape(rv json.RawMessage, want string) error {
	b := bytes.TrimSpace(rv)
	msg := "Unexpected value type in payload"
	if len(b) > 0 {
		switch c := b[0]; {
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
	}
	return &Error{Code: CodeSerialization, Message: msg}
}

func decodeItem(raw map[string]json.RawMessage) (Item, error) {
	out := make(Item, len(raw))
	for k, rv := range raw {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(rv, &m); err != nil {
			return nil, serializationError()
		}
		v, err := decodeValue(m)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// decodeValue validates like DynamoDB: each type present is checked (so a
// bad member wins over "more than one datatype"), in a fixed order so the
// message is deterministic, then the count.
func decodeValue(raw map[string]json.RawMessage) (Value, error) {
	var out Value
	count := 0
	for t := TypeS; t <= TypeBS; t++ {
		rv, ok := raw[typeKeys[t]]
		if !ok || isJSONNull(rv) {
			continue // unknown members are ignored, null means unset
		}
		count++
		v, err := decodeTyped(t, rv)
		if err != nil {
			return Value{}, err
		}
		out = v
	}
	switch {
	case count == 0:
		return Value{}, Validation("%s", msgEmptyValue)
	case count > 1:
		return Value{}, Validation("%s", msgMultipleType)
	}
	return out, nil
}

func isJSONNull(rv json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(rv), []byte("null"))
}

func decodeTyped(t Type, rv json.RawMessage) (Value, error) {
	switch t {
	case TypeS:
		var s string
		if err := json.Unmarshal(rv, &s); err != nil {
			return Value{}, wrongShape(rv, "String")
		}
		return S(s), nil
	case TypeN:
		var s string
		if err := json.Unmarshal(rv, &s); err != nil {
			return Value{}, wrongShape(rv, "String")
		}
		return ParseN(s)
	case TypeB:
		b, err := decodeBase64(rv)
		if err != nil {
			return Value{}, err
		}
		return Value{t: TypeB, s: string(b)}, nil
	case TypeBOOL:
		var b bool
		if err := json.Unmarshal(rv, &b); err != nil {
			return Value{}, wrongShape(rv, "Boolean")
		}
		return Bool(b), nil
	case TypeNULL:
		var b bool
		if err := json.Unmarshal(rv, &b); err != nil {
			return Value{}, wrongShape(rv, "Boolean")
		}
		if !b {
			return Value{}, invalidParam("Null attribute value types must have the value of true")
		}
		return Null(), nil
	case TypeL:
		var raws []map[string]json.RawMessage
		if err := json.Unmarshal(rv, &raws); err != nil {
			return Value{}, serializationError()
		}
		l := make([]Value, len(raws))
		for i, r := range raws {
			e, err := decodeValue(r)
			if err != nil {
				return Value{}, err
			}
			l[i] = e
		}
		return L(l...), nil
	case TypeM:
		var raws map[string]json.RawMessage
		if err := json.Unmarshal(rv, &raws); err != nil {
			return Value{}, serializationError()
		}
		m, err := decodeItem(raws)
		if err != nil {
			return Value{}, err
		}
		return M(m), nil
	case TypeSS:
		var ss []string
		if err := json.Unmarshal(rv, &ss); err != nil {
			return Value{}, serializationError()
		}
		return SS(ss...)
	case TypeNS:
		var ss []string
		if err := json.Unmarshal(rv, &ss); err != nil {
			return Value{}, serializationError()
		}
		return NS(ss...)
	case TypeBS:
		var raws []json.RawMessage
		if err := json.Unmarshal(rv, &raws); err != nil {
			return Value{}, serializationError()
		}
		bs := make([][]byte, len(raws))
		for i, r := range raws {
			b, err := decodeBase64(r)
			if err != nil {
				return Value{}, err
			}
			bs[i] = b
		}
		return BS(bs...)
	}
	return Value{}, serializationError()
}

func decodeBase64(rv json.RawMessage) ([]byte, error) {
	var s string
	if err := json.Unmarshal(rv, &s); err != nil {
		return nil, wrongShape(rv, "Blob")
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, &Error{Code: CodeSerialization, Message: "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s))}
	}
	return b, nil
}
