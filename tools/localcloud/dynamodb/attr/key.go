package attr

import "fmt"

// Key encoding: AppendKey writes S, N and B values as bytes whose unsigned
// lexicographic order is DynamoDB's order of the values, and which are
// self-delimiting, so a store can concatenate a partition key and a sort key
// and range-scan the sort keys in order.
//
//   - S and B: the raw bytes with 0x00 escaped as 0x00 0xFF, then the
//     terminator 0x00 0x00.
//   - N: a sign byte (0x01 negative, 0x02 zero, 0x03 positive); for non-zero
//     numbers the position of the most significant digit as a big-endian
//     uint16 offset by 0x8000, then the significant digits as ASCII, then
//     0x00. Negative numbers have every byte after the sign complemented, so
//     larger magnitudes sort first.

const (
	keySignNeg  = 0x01
	keySignZero = 0x02
	keySignPos  = 0x03
)

// AppendKey appends the order-preserving encoding of a key value (S, N or
// B) to dst.
func AppendKey(dst []byte, v Value) ([]byte, error) {
	switch v.t {
	case TypeS, TypeB:
		dst = appendEscaped(dst, v.s)
		return append(dst, 0x00, 0x00), nil
	case TypeN:
		return appendNumberKey(dst, v.n), nil
	}
	return dst, fmt.Errorf("attr: %s is not a key type", v.t)
}

// AppendKeyPrefix appends the encoding of an S or B prefix without its
// terminator: every key beginning with prefix encodes to bytes beginning
// with it (for begins_with range scans).
func AppendKeyPrefix(dst []byte, prefix Value) ([]byte, error) {
	if prefix.t != TypeS && prefix.t != TypeB {
		return dst, fmt.Errorf("attr: %s cannot be a key prefix", prefix.t)
	}
	return appendEscaped(dst, prefix.s), nil
}

// PrefixEnd returns the smallest byte string greater than every string
// beginning with prefix, or nil when there is none (prefix is empty or all
// 0xFF). It is the exclusive end of a prefix scan.
func PrefixEnd(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xFF {
			end := append([]byte(nil), prefix[:i+1]...)
			end[i]++
			return end
		}
	}
	return nil
}

func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0x00 {
			dst = append(dst, 0x00, 0xFF)
		} else {
			dst = append(dst, s[i])
		}
	}
	return dst
}

func appendNumberKey(dst []byte, n Number) []byte {
	switch n.Sign() {
	case 0:
		return append(dst, keySignZero)
	case 1:
		dst = append(dst, keySignPos)
	default:
		dst = append(dst, keySignNeg)
	}
	var flip byte
	if n.neg {
		flip = 0xFF
	}
	pos := uint16(n.exp + len(n.coef) - 1 + 0x8000)
	dst = append(dst, byte(pos>>8)^flip, byte(pos)^flip)
	for i := 0; i < len(n.coef); i++ {
		dst = append(dst, n.coef[i]^flip)
	}
	return append(dst, flip)
}

// DecodeKey decodes one key value of type t (S, N or B) from the front of
// src and returns it with the remaining bytes.
func DecodeKey(t Type, src []byte) (Value, []byte, error) {
	switch t {
	case TypeS, TypeB:
		var out []byte
		for i := 0; i+1 < len(src); i++ {
			if src[i] != 0x00 {
				out = append(out, src[i])
				continue
			}
			switch src[i+1] {
			case 0x00:
				return Value{t: t, s: string(out)}, src[i+2:], nil
			case 0xFF:
				out = append(out, 0x00)
				i++
			default:
				return Value{}, nil, fmt.Errorf("attr: bad key escape")
			}
		}
		return Value{}, nil, fmt.Errorf("attr: unterminated key")
	case TypeN:
		if len(src) == 0 {
			return Value{}, nil, fmt.Errorf("attr: empty number key")
		}
		var n Number
		switch src[0] {
		case keySignZero:
			return N(Number{}), src[1:], nil
		case keySignPos:
		case keySignNeg:
			n.neg = true
		default:
			return Value{}, nil, fmt.Errorf("attr: bad number key sign")
		}
		var flip byte
		if n.neg {
			flip = 0xFF
		}
		if len(src) < 3 {
			return Value{}, nil, fmt.Errorf("attr: short number key")
		}
		pos := int(uint16(src[1]^flip)<<8|uint16(src[2]^flip)) - 0x8000
		var coef []byte
		for i := 3; i < len(src); i++ {
			c := src[i] ^ flip
			if c == 0 {
				// Only canonical coefficients are ever encoded.
				if len(coef) == 0 || coef[0] == '0' || coef[len(coef)-1] == '0' {
					return Value{}, nil, fmt.Errorf("attr: bad number key")
				}
				n.coef = string(coef)
				n.exp = pos - len(coef) + 1
				if n.check() != nil {
					return Value{}, nil, fmt.Errorf("attr: number key out of range")
				}
				return N(n), src[i+1:], nil
			}
			if c < '0' || c > '9' {
				return Value{}, nil, fmt.Errorf("attr: bad number key digit")
			}
			coef = append(coef, c)
		}
		return Value{}, nil, fmt.Errorf("attr: unterminated number key")
	}
	return Value{}, nil, fmt.Errorf("attr: %s is not a key type", t)
}
