package attr

import (
	"bytes"
	"slices"
	"sort"
	"strings"
)

// Type is the data type of an AttributeValue, named by its wire key.
type Type uint8

// The AttributeValue data types. The zero Type marks the zero Value, which
// stands for "no value" (an attribute that does not exist).
const (
	TypeNone Type = iota
	TypeS
	TypeN
	TypeB
	TypeBOOL
	TypeNULL
	TypeL
	TypeM
	TypeSS
	TypeNS
	TypeBS
)

var typeKeys = [...]string{"", "S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"}

var typeWords = [...]string{"", "STRING", "NUMBER", "BINARY", "BOOLEAN", "NULL", "LIST", "MAP", "STRING_SET", "NUMBER_SET", "BINARY_SET"}

// String returns the wire key of t ("S", "NS", …), or "" for TypeNone.
func (t Type) String() string {
	if int(t) < len(typeKeys) {
		return typeKeys[t]
	}
	return ""
}

// Word returns the upper-case type name DynamoDB uses in some messages
// ("STRING", "NUMBER_SET", …).
func (t Type) Word() string {
	if int(t) < len(typeWords) {
		return typeWords[t]
	}
	return ""
}

// IsSet reports whether t is SS, NS or BS.
func (t Type) IsSet() bool { return t == TypeSS || t == TypeNS || t == TypeBS }

// ParseType returns the Type named by a wire key such as "S" or "BOOL".
func ParseType(key string) (Type, bool) {
	for i, k := range typeKeys {
		if i > 0 && k == key {
			return Type(i), true
		}
	}
	return TypeNone, false
}

// Value is one DynamoDB AttributeValue. Values are immutable once built:
// accessors return the Value's own slices and maps, which callers must not
// modify. The zero Value has TypeNone and means "absent".
type Value struct {
	t  Type
	b  bool     // BOOL
	s  string   // S; B as raw bytes
	n  Number   // N
	l  []Value  // L
	m  Item     // M
	ss []string // SS; BS as raw bytes
	ns []Number // NS
}

// Item is a set of named attributes: a DynamoDB item, a key, or the contents
// of an M value.
type Item map[string]Value

// S returns a string value.
func S(s string) Value { return Value{t: TypeS, s: s} }

// N returns a number value.
func N(n Number) Value { return Value{t: TypeN, n: n} }

// ParseN parses s as a number value.
func ParseN(s string) (Value, error) {
	n, err := ParseNumber(s)
	if err != nil {
		return Value{}, err
	}
	return N(n), nil
}

// B returns a binary value holding a copy of b.
func B(b []byte) Value { return Value{t: TypeB, s: string(b)} }

// Bool returns a BOOL value.
func Bool(b bool) Value { return Value{t: TypeBOOL, b: b} }

// Null returns the NULL value.
func Null() Value { return Value{t: TypeNULL, b: true} }

// L returns a list value of vs (not copied).
func L(vs ...Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{t: TypeL, l: vs}
}

// M returns a map value of m (not copied).
func M(m Item) Value {
	if m == nil {
		m = Item{}
	}
	return Value{t: TypeM, m: m}
}

// SS returns a string set. Like DynamoDB it rejects empty sets and duplicates.
func SS(members ...string) (Value, error) {
	if len(members) == 0 {
		return Value{}, invalidParam("An string set  may not be empty")
	}
	if hasDuplicate(members) {
		return Value{}, invalidParam("Input collection [" + strings.Join(members, ", ") + "] contains duplicates.")
	}
	return Value{t: TypeSS, ss: slices.Clone(members)}, nil
}

// NS returns a number set parsed from decimal strings. Like DynamoDB it
// rejects empty sets, invalid numbers and duplicates (numerically equal
// members).
func NS(members ...string) (Value, error) {
	if len(members) == 0 {
		return Value{}, invalidParam("An number set  may not be empty")
	}
	ns := make([]Number, len(members))
	for i, m := range members {
		n, err := ParseNumber(m)
		if err != nil {
			return Value{}, err
		}
		ns[i] = n
	}
	return numberSet(ns)
}

func numberSet(ns []Number) (Value, error) {
	keys := make([]string, len(ns))
	for i, n := range ns {
		keys[i] = n.String()
	}
	if hasDuplicate(keys) {
		return Value{}, Validation("Input collection contains duplicates")
	}
	return Value{t: TypeNS, ns: ns}, nil
}

// BS returns a binary set. Like DynamoDB it rejects empty sets and
// duplicates.
func BS(members ...[]byte) (Value, error) {
	if len(members) == 0 {
		return Value{}, invalidParam("Binary sets should not be empty")
	}
	ss := make([]string, len(members))
	for i, m := range members {
		ss[i] = string(m)
	}
	if hasDuplicate(ss) {
		enc := make([]string, len(ss))
		for i, m := range members {
			enc[i] = b64.EncodeToString(m)
		}
		return Value{}, invalidParam("Input collection [" + strings.Join(enc, ", ") + "]of type BS contains duplicates.")
	}
	return Value{t: TypeBS, ss: ss}, nil
}

func hasDuplicate(ss []string) bool {
	if len(ss) < 2 {
		return false
	}
	if len(ss) < 16 {
		for i := range ss {
			for j := i + 1; j < len(ss); j++ {
				if ss[i] == ss[j] {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		if _, ok := seen[s]; ok {
			return true
		}
		seen[s] = struct{}{}
	}
	return false
}

// Type returns v's data type; TypeNone for the zero Value.
func (v Value) Type() Type { return v.t }

// Exists reports whether v holds a value (is not the zero Value).
func (v Value) Exists() bool { return v.t != TypeNone }

// Str returns the string of an S value.
func (v Value) Str() string { return v.s }

// Num returns the number of an N value.
func (v Value) Num() Number { return v.n }

// Bytes returns a copy of the bytes of a B value.
func (v Value) Bytes() []byte { return []byte(v.s) }

// BoolValue returns the boolean of a BOOL value.
func (v Value) BoolValue() bool { return v.b }

// List returns the elements of an L value.
func (v Value) List() []Value { return v.l }

// Map returns the members of an M value.
func (v Value) Map() Item { return v.m }

// Strings returns the members of an SS value.
func (v Value) Strings() []string { return v.ss }

// Numbers returns the members of an NS value.
func (v Value) Numbers() []Number { return v.ns }

// Binaries returns copies of the members of a BS value.
func (v Value) Binaries() [][]byte {
	out := make([][]byte, len(v.ss))
	for i, s := range v.ss {
		out[i] = []byte(s)
	}
	return out
}

// Compare orders two values as DynamoDB's <, <=, >, >= and BETWEEN do:
// numbers numerically, strings and binaries bytewise (unsigned). ok is false
// when the values are not of the same scalar type S, N or B.
func Compare(a, b Value) (c int, ok bool) {
	if a.t != b.t {
		return 0, false
	}
	switch a.t {
	case TypeS, TypeB:
		return strings.Compare(a.s, b.s), true
	case TypeN:
		return a.n.Cmp(b.n), true
	}
	return 0, false
}

// Equal reports whether a and b are the same DynamoDB value: same type and
// contents, with set members compared regardless of order and numbers
// numerically.
func Equal(a, b Value) bool {
	if a.t != b.t {
		return false
	}
	switch a.t {
	case TypeNone:
		return true
	case TypeS, TypeB:
		return a.s == b.s
	case TypeN:
		return a.n == b.n
	case TypeBOOL, TypeNULL:
		return a.b == b.b
	case TypeL:
		if len(a.l) != len(b.l) {
			return false
		}
		for i := range a.l {
			if !Equal(a.l[i], b.l[i]) {
				return false
			}
		}
		return true
	case TypeM:
		return EqualItems(a.m, b.m)
	case TypeSS, TypeBS:
		return sameMembers(a.ss, b.ss)
	case TypeNS:
		if len(a.ns) != len(b.ns) {
			return false
		}
		for _, n := range a.ns {
			if !slices.Contains(b.ns, n) {
				return false
			}
		}
		return true
	}
	return false
}

// EqualItems reports whether two items have the same attributes with Equal
// values.
func EqualItems(a, b Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !Equal(av, bv) {
			return false
		}
	}
	return true
}

func sameMembers(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) < 16 {
		for _, s := range a {
			if !slices.Contains(b, s) {
				return false
			}
		}
		return true
	}
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

// ContainsMember reports whether set contains member, which must be the
// set's element type (S for SS, N for NS, B for BS).
func ContainsMember(set, member Value) bool {
	switch {
	case set.t == TypeSS && member.t == TypeS, set.t == TypeBS && member.t == TypeB:
		return slices.Contains(set.ss, member.s)
	case set.t == TypeNS && member.t == TypeN:
		return slices.Contains(set.ns, member.n)
	}
	return false
}

// Union returns the members of a and b (same set type) without duplicates.
func Union(a, b Value) Value {
	switch a.t {
	case TypeNS:
		ns := slices.Clone(a.ns)
		for _, n := range b.ns {
			if !slices.Contains(ns, n) {
				ns = append(ns, n)
			}
		}
		return Value{t: TypeNS, ns: ns}
	default:
		ss := slices.Clone(a.ss)
		have := make(map[string]struct{}, len(ss))
		for _, s := range ss {
			have[s] = struct{}{}
		}
		for _, s := range b.ss {
			if _, ok := have[s]; !ok {
				ss = append(ss, s)
				have[s] = struct{}{}
			}
		}
		return Value{t: a.t, ss: ss}
	}
}

// Difference returns the members of a not in b (same set type). The result
// is the zero Value when no member is left, because DynamoDB removes an
// attribute whose set becomes empty.
func Difference(a, b Value) Value {
	if a.t == TypeNS {
		if ns := without(a.ns, b.ns); len(ns) > 0 {
			return Value{t: TypeNS, ns: ns}
		}
		return Value{}
	}
	if ss := without(a.ss, b.ss); len(ss) > 0 {
		return Value{t: a.t, ss: ss}
	}
	return Value{}
}

// without returns the members of a that are not in b.
func without[T comparable](a, b []T) []T {
	var out []T
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// HasPrefix reports whether a (S or B) begins with prefix of the same type.
func HasPrefix(a, prefix Value) bool {
	if a.t != prefix.t || (a.t != TypeS && a.t != TypeB) {
		return false
	}
	return strings.HasPrefix(a.s, prefix.s)
}

// Contains implements DynamoDB's contains(path, operand): substring for S
// and B, membership for sets, element equality for lists.
func Contains(a, operand Value) bool {
	switch a.t {
	case TypeS:
		return operand.t == TypeS && strings.Contains(a.s, operand.s)
	case TypeB:
		return operand.t == TypeB && bytes.Contains([]byte(a.s), []byte(operand.s))
	case TypeSS, TypeNS, TypeBS:
		return ContainsMember(a, operand)
	case TypeL:
		for _, e := range a.l {
			if Equal(e, operand) {
				return true
			}
		}
	}
	return false
}

// Clone returns a deep copy of item whose maps and lists may be modified
// without affecting item. Scalars and sets are shared, being immutable.
func (item Item) Clone() Item {
	if item == nil {
		return nil
	}
	out := make(Item, len(item))
	for k, v := range item {
		out[k] = v.Clone()
	}
	return out
}

// Clone returns a deep copy of v's maps and lists.
func (v Value) Clone() Value {
	switch v.t {
	case TypeL:
		l := make([]Value, len(v.l))
		for i, e := range v.l {
			l[i] = e.Clone()
		}
		v.l = l
	case TypeM:
		v.m = v.m.Clone()
	}
	return v
}
