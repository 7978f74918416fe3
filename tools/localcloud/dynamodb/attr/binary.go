package attr

import (
	"encoding/binary"
	"errors"
)

// The storage encoding: a compact, self-describing binary form of items for
// a store to keep, much cheaper to decode than the wire JSON because stored
// items were validated when written. It is not a wire format.
//
//	item   = uvarint(count) { uvarint(len) name  value }
//	value  = type-byte payload
//	S, B   = uvarint(len) bytes
//	N      = number
//	number = sign-byte (0 zero, 1 positive, 2 negative) [ zigzag-varint(exp) uvarint(len) digits ]
//	BOOL   = 0 | 1;  NULL = (nothing)
//	L      = uvarint(count) { value };  M = item
//	SS, BS = uvarint(count) { uvarint(len) bytes };  NS = uvarint(count) { number }
//
// Decoding checks bounds, nesting and number canonical form, so corrupt
// input gives an error, never a panic or an invalid Value.

// maxBinaryDepth bounds nesting while decoding stored items.
const maxBinaryDepth = 2 * MaxDepth

var errCorrupt = errors.New("attr: corrupt stored item")

// AppendItemBinary appends the storage encoding of item to dst.
func AppendItemBinary(dst []byte, item Item) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(item)))
	for k, v := range item {
		dst = appendBytes(dst, k)
		dst = AppendValueBinary(dst, v)
	}
	return dst
}

// AppendValueBinary appends the storage encoding of one value to dst.
func AppendValueBinary(dst []byte, v Value) []byte {
	dst = append(dst, byte(v.t))
	switch v.t {
	case TypeS, TypeB:
		dst = appendBytes(dst, v.s)
	case TypeN:
		dst = appendNumberBinary(dst, v.n)
	case TypeBOOL:
		if v.b {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	case TypeL:
		dst = binary.AppendUvarint(dst, uint64(len(v.l)))
		for _, e := range v.l {
			dst = AppendValueBinary(dst, e)
		}
	case TypeM:
		dst = AppendItemBinary(dst, v.m)
	case TypeSS, TypeBS:
		dst = binary.AppendUvarint(dst, uint64(len(v.ss)))
		for _, s := range v.ss {
			dst = appendBytes(dst, s)
		}
	case TypeNS:
		dst = binary.AppendUvarint(dst, uint64(len(v.ns)))
		for _, n := range v.ns {
			dst = appendNumberBinary(dst, n)
		}
	}
	return dst
}

func appendBytes(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendNumberBinary(dst []byte, n Number) []byte {
	switch n.Sign() {
	case 0:
		return append(dst, 0)
	case 1:
		dst = append(dst, 1)
	default:
		dst = append(dst, 2)
	}
	dst = binary.AppendVarint(dst, int64(n.exp))
	return appendBytes(dst, n.coef)
}

// DecodeItemBinary decodes an item written by AppendItemBinary. The
// decoded strings share one copy of b, so decoding costs one allocation for
// all of them.
func DecodeItemBinary(b []byte) (Item, error) {
	r := binReader{b: b, s: string(b)}
	item := r.item(0)
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(r.b) {
		return nil, errCorrupt
	}
	return item, nil
}

// DecodeValueBinary decodes one value written by AppendValueBinary from the
// front of b and returns the remaining bytes.
func DecodeValueBinary(b []byte) (Value, []byte, error) {
	r := binReader{b: b, s: string(b)}
	v := r.value(0)
	if r.err != nil {
		return Value{}, nil, r.err
	}
	return v, b[r.off:], nil
}

// binReader reads b from off; s is b as one string, sliced for every
// decoded string.
type binReader struct {
	b   []byte
	s   string
	off int
	err error
}

func (r *binReader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.off = len(r.b)
}

func (r *binReader) left() int { return len(r.b) - r.off }

func (r *binReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.off += n
	return x
}

// count reads an element count; every element takes at least one byte, so
// a count larger than what is left is corrupt (and never allocated).
func (r *binReader) count() int {
	n := r.uvarint()
	if n > uint64(r.left()) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *binReader) str() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(r.left()) {
		r.fail()
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *binReader) byte1() byte {
	if r.err != nil || r.left() == 0 {
		r.fail()
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *binReader) item(depth int) Item {
	if depth > maxBinaryDepth {
		r.fail()
		return nil
	}
	n := r.count()
	item := make(Item, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.str()
		item[k] = r.value(depth + 1)
	}
	return item
}

func (r *binReader) value(depth int) Value {
	if depth > maxBinaryDepth {
		r.fail()
		return Value{}
	}
	t := Type(r.byte1())
	switch t {
	case TypeS, TypeB:
		return Value{t: t, s: r.str()}
	case TypeN:
		return N(r.number())
	case TypeBOOL:
		switch r.byte1() {
		case 0:
			return Bool(false)
		case 1:
			return Bool(true)
		}
	case TypeNULL:
		return Null()
	case TypeL:
		n := r.count()
		l := make([]Value, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			l = append(l, r.value(depth+1))
		}
		return L(l...)
	case TypeM:
		return M(r.item(depth + 1))
	case TypeSS, TypeBS:
		n := r.count()
		if n == 0 {
			break
		}
		ss := make([]string, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			ss = append(ss, r.str())
		}
		return Value{t: t, ss: ss}
	case TypeNS:
		n := r.count()
		if n == 0 {
			break
		}
		ns := make([]Number, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			ns = append(ns, r.number())
		}
		return Value{t: t, ns: ns}
	}
	r.fail()
	return Value{}
}

func (r *binReader) number() Number {
	var n Number
	switch r.byte1() {
	case 0:
		return n
	case 1:
	case 2:
		n.neg = true
	default:
		r.fail()
		return Number{}
	}
	if r.err != nil {
		return Number{}
	}
	exp, k := binary.Varint(r.b[r.off:])
	if k <= 0 || exp < -1000 || exp > 1000 {
		r.fail()
		return Number{}
	}
	r.off += k
	n.exp = int(exp)
	n.coef = r.str()
	c := n.coef
	if r.err != nil || c == "" || c[0] == '0' || c[len(c)-1] == '0' {
		r.fail()
		return Number{}
	}
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			r.fail()
			return Number{}
		}
	}
	if n.check() != nil {
		r.fail()
		return Number{}
	}
	return n
}
