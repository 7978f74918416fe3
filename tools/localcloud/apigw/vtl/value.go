package vtl

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Template values are plain Go values: nil (Java null), bool, int64, float64,
// string, *List and *Map, plus a few engine-internal objects ($input, $util,
// $foreach, map entries). Lists and maps are pointers because Java
// collections are reference types: $list.add(1) changes every alias.

// List is a template list (a java.util.List): JSON arrays, [a, b] literals,
// ranges, keySet(), values() and split() results.
type List struct {
	Items []any
}

// Map is a template map (a java.util.Map): JSON objects and the API
// Gateway variable maps keep insertion order (LinkedHashMap); {"k": v}
// literals iterate in java.util.HashMap order, as Velocity 1.7 builds them
// with a HashMap.
type Map struct {
	keys []string
	vals map[string]any
	// hashed maps iterate like a java.util.HashMap of capacity buckets.
	hashed   bool
	capacity int
}

// NewMap returns an empty insertion-ordered map.
func NewMap() *Map { return &Map{vals: map[string]any{}} }

// newHashMap returns an empty map that iterates like java.util.HashMap.
func newHashMap() *Map { return &Map{vals: map[string]any{}, hashed: true, capacity: 16} }

// order returns the keys in iteration order.
func (m *Map) order() []string {
	if !m.hashed || len(m.keys) < 2 {
		return m.keys
	}
	type slot struct {
		key    string
		bucket uint32
	}
	slots := make([]slot, len(m.keys))
	for i, k := range m.keys {
		var h int32
		for _, c := range u16(k) {
			h = 31*h + int32(c)
		}
		u := uint32(h)
		slots[i] = slot{k, (u ^ u>>16) & uint32(m.capacity-1)}
	}
	// Within a bucket entries stay in insertion order, also across resizes.
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].bucket < slots[j].bucket })
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.key
	}
	return out
}

// Get returns the value stored under k and whether it is present.
func (m *Map) Get(k string) (any, bool) {
	v, ok := m.vals[k]
	return v, ok
}

// Put stores v under k and returns the previous value (nil when absent).
func (m *Map) Put(k string, v any) any {
	old, ok := m.vals[k]
	if !ok {
		m.keys = append(m.keys, k)
		if m.hashed && float64(len(m.keys)) > 0.75*float64(m.capacity) {
			m.capacity *= 2 // HashMap resizes and never shrinks
		}
	}
	m.vals[k] = v
	return old
}

// Remove deletes k and returns the value it held (nil when absent).
func (m *Map) Remove(k string) any {
	old, ok := m.vals[k]
	if !ok {
		return nil
	}
	delete(m.vals, k)
	for i, key := range m.keys {
		if key == k {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
	return old
}

// Keys returns the keys in iteration order.
func (m *Map) Keys() []string { return append([]string(nil), m.order()...) }

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.keys) }

// mapFromStrings builds a map with sorted keys so that output is stable.
func mapFromStrings(src map[string]string) *Map {
	m := NewMap()
	for _, k := range sortedKeys(src) {
		m.Put(k, src[k])
	}
	return m
}

func sortedKeys[V any](src map[string]V) []string {
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mapEntry is a java.util.Map.Entry from entrySet().
type mapEntry struct {
	key string
	val any
}

// maxShowDepth bounds the recursion of toString and JSON output so that a
// self-containing collection ($l.add($l)) cannot recurse forever, and
// maxBuild bounds the text they produce, so that collections sharing
// members many times over cannot make it exponential.
const (
	maxShowDepth = 64
	maxBuild     = 16 << 20
)

// toString renders a value the way Java's String.valueOf would.
func toString(v any) string { return toStringMax(v, maxBuild) }

// toStringMax is toString that stops writing once limit bytes are
// written; the caller rejects a result longer than it accepts.
func toStringMax(v any, limit int) string {
	var b strings.Builder
	writeString(&b, v, 0, limit)
	return b.String()
}

func writeString(b *strings.Builder, v any, depth, limit int) {
	if b.Len() > limit {
		return
	}
	if depth > maxShowDepth {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(x)
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
				b.WriteString(", ")
			}
			if it == any(x) {
				b.WriteString("(this Collection)")
				continue
			}
			writeString(b, it, depth+1, limit)
		}
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range x.order() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			if val := x.vals[k]; val == any(x) {
				b.WriteString("(this Map)")
			} else {
				writeString(b, val, depth+1, limit)
			}
		}
		b.WriteByte('}')
	case *mapEntry:
		b.WriteString(x.key)
		b.WriteByte('=')
		writeString(b, x.val, depth+1, limit)
	case *foreachInfo:
		b.WriteString("org.apache.velocity.runtime.directive.ForeachScope")
	case *inputObj:
		b.WriteString("input")
	case *utilObj:
		b.WriteString("util")
	default:
		b.WriteString("?")
	}
}

// javaDouble formats f as Java's Double.toString does: plain notation with at
// least one fractional digit for 1e-3 <= |f| < 1e7, computerized scientific
// notation ("1.0E10") otherwise.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1.2345e+10
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// truthy is Velocity 1.7's #if test: only null and false are false.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}

// isNumber reports whether v is a template number.
func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// valuesEqual is Velocity 1.7's ==: numbers compare numerically, values of
// the same kind with equals(), values of different kinds by their toString().
func valuesEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if isNumber(a) && isNumber(b) {
		ai, aok := a.(int64)
		bi, bok := b.(int64)
		if aok && bok {
			return ai == bi
		}
		return toFloat(a) == toFloat(b)
	}
	if sameKind(a, b) {
		return javaEquals(a, b)
	}
	return toString(a) == toString(b)
}

func sameKind(a, b any) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	case *List:
		_, ok := b.(*List)
		return ok
	case *Map:
		_, ok := b.(*Map)
		return ok
	}
	return false
}

// javaEquals is Object.equals for template values (List.equals and
// Map.equals compare contents). Comparing collections that share members
// many times over is cut off after maxEqualSteps comparisons.
func javaEquals(a, b any) bool {
	steps := maxEqualSteps
	return equalsDepth(a, b, 0, &steps)
}

const maxEqualSteps = 1 << 20

func equalsDepth(a, b any, depth int, steps *int) bool {
	*steps--
	if depth > maxShowDepth || *steps < 0 {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string, bool, int64, float64:
		return a == b
	case *List:
		y, ok := b.(*List)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		if x == y {
			return true
		}
		for i := range x.Items {
			if !equalsDepth(x.Items[i], y.Items[i], depth+1, steps) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		if x == y {
			return true
		}
		for _, k := range x.order() {
			yv, ok := y.vals[k]
			if !ok || !equalsDepth(x.vals[k], yv, depth+1, steps) {
				return false
			}
		}
		return true
	case *mapEntry:
		y, ok := b.(*mapEntry)
		return ok && x.key == y.key && equalsDepth(x.val, y.val, depth+1, steps)
	}
	return a == b
}

// FromGo converts ordinary Go data (maps, slices, strings, numbers, bools)
// into template values, for callers that pass extra variables.
func FromGo(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, *List, *Map:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case []string:
		l := &List{Items: make([]any, len(x))}
		for i, s := range x {
			l.Items[i] = s
		}
		return l
	case []any:
		l := &List{Items: make([]any, len(x))}
		for i, it := range x {
			l.Items[i] = FromGo(it)
		}
		return l
	case map[string]string:
		return mapFromStrings(x)
	case map[string]any:
		m := NewMap()
		for _, k := range sortedKeys(x) {
			m.Put(k, FromGo(x[k]))
		}
		return m
	}
	return nil
}
