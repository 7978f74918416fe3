package attr

import (
	"encoding/base64"
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
