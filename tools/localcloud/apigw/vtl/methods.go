package vtl

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// property resolves $x.name the way Velocity's uberspector does for the
// types a mapping template meets: a map's get(name), an entry's key/value,
// $foreach's counters, isEmpty() as .empty, $input.body.
func (st *state) property(v any, name string) any {
	switch x := v.(type) {
	case *Map:
		val, _ := x.Get(name)
		return val
	case *mapEntry:
		switch name {
		case "key":
			return x.key
		case "value":
			return x.val
		}
	case *foreachInfo:
		switch name {
		case "index":
			return int64(x.index)
		case "count":
			return int64(x.index + 1)
		case "hasNext":
			return x.hasNext
		case "first":
			return x.index == 0
		case "last":
			return !x.hasNext
		case "parent":
			if x.parent != nil {
				return x.parent
			}
		}
	case *inputObj:
		if name == "body" {
			return x.in.Body
		}
	case string:
		if name == "empty" {
			return x == ""
		}
	case *List:
		if name == "empty" {
			return len(x.Items) == 0
		}
	}
	return nil
}

// indexValue is $x[i]: list and array elements (negative counts from the
// end), map values by key.
func indexValue(v, idx any) (any, error) {
	switch x := v.(type) {
	case *List:
		i, ok := asInt(idx)
		if !ok {
			return nil, nil
		}
		n := int64(len(x.Items))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, fmt.Errorf("index %v out of bounds for length %d", idx, n)
		}
		return x.Items[i], nil
	case *Map:
		val, _ := x.Get(toString(idx))
		return val, nil
	}
	return nil, nil
}

// call invokes $x.name(args). A method that does not exist for the value
// yields null (the reference then renders as written); a method that fails
// returns an error, as a Java exception fails the Velocity rendering.
func (st *state) call(v any, name string, args []any) (any, error) {
	cost := 1 + callCost(v, name)
	for _, a := range args {
		cost += size(a)
	}
	if err := st.spend(0, cost); err != nil {
		return nil, err
	}
	var (
		res any
		ok  bool
		err error
	)
	switch x := v.(type) {
	case string:
		res, ok, err = st.stringMethod(x, name, args)
	case *List:
		res, ok, err = listMethod(x, name, args)
	case *Map:
		res, ok, err = mapMethod(x, name, args)
	case *mapEntry:
		switch {
		case name == "getKey" && len(args) == 0:
			return x.key, nil
		case name == "getValue" && len(args) == 0:
			return x.val, nil
		}
	case *foreachInfo:
		if len(args) == 0 {
			switch name {
			case "hasNext", "getHasNext":
				return x.hasNext, nil
			case "getIndex":
				return int64(x.index), nil
			case "getCount":
				return int64(x.index + 1), nil
			case "isFirst", "getFirst":
				return x.index == 0, nil
			case "isLast", "getLast":
				return !x.hasNext, nil
			}
		}
	case *inputObj:
		res, ok, err = x.call(name, args)
	case *utilObj:
		res, ok, err = utilMethod(name, args)
	case int64, float64:
		res, ok, err = numberMethod(x, name, args)
	}
	if err != nil {
		return nil, err
	}
	if ok {
		if err := st.spend(0, size(res)); err != nil {
			return nil, err
		}
		// add/addAll/put grow the receiver; split builds a list.
		if limit := 10 * st.lim.MaxIterations; collectionSize(v) > limit || collectionSize(res) > limit {
			return nil, fmt.Errorf("%w: a collection of more than %d elements", ErrLimit, limit)
		}
		return res, nil
	}
	if len(args) == 0 && v != nil {
		switch name {
		case "toString":
			return toString(v), nil
		case "getClass":
			return nil, nil
		}
	}
	if name == "equals" && len(args) == 1 {
		return javaEquals(v, args[0]), nil
	}
	return nil, nil
}

func collectionSize(v any) int {
	switch x := v.(type) {
	case *List:
		return len(x.Items)
	case *Map:
		return x.Len()
	}
	return 0
}

// callCost is the work of a method beyond its arguments: linear in the
// receiver for string methods and for the collection methods that scan or
// copy.
func callCost(v any, name string) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case *List:
		switch name {
		case "contains", "indexOf", "addAll", "equals", "toString", "remove", "add":
			return len(x.Items)
		}
	case *Map:
		switch name {
		case "keySet", "values", "entrySet", "containsValue", "putAll", "clear", "equals", "toString", "remove":
			return x.Len()
		}
	case *inputObj:
		if !x.parsed && (name == "json" || name == "path") {
			return len(x.in.Body) // parsed once per rendering
		}
	}
	return 0
}

func numberMethod(v any, name string, args []any) (any, bool, error) {
	if len(args) != 0 {
		return nil, false, nil
	}
	switch name {
	case "intValue", "longValue":
		if f, ok := v.(float64); ok {
			return int64(f), true, nil
		}
		return v, true, nil
	case "doubleValue", "floatValue":
		return toFloat(v), true, nil
	}
	return nil, false, nil
}

// ---- java.lang.String (indices are UTF-16 code units, as in Java) ----

func u16(s string) []uint16 { return utf16.Encode([]rune(s)) }

func s16(u []uint16) string { return string(utf16.Decode(u)) }

func argInt(a any) (int, bool) {
	i, ok := a.(int64)
	if !ok || i < -1<<31 || i > 1<<31-1 {
		return 0, false
	}
	return int(i), true
}

func argStrings(args []any, n int) ([]string, bool) {
	if len(args) != n {
		return nil, false
	}
	out := make([]string, n)
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

func indexOf16(hay, needle []uint16, from int) int {
	if from < 0 {
		from = 0
	}
	for i := from; i+len(needle) <= len(hay); i++ {
		match := true
		for j := range needle {
			if hay[i+j] != needle[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

func (st *state) stringMethod(s, name string, args []any) (any, bool, error) {
	switch name {
	case "length":
		if len(args) == 0 {
			return int64(len(u16(s))), true, nil
		}
	case "isEmpty":
		if len(args) == 0 {
			return s == "", true, nil
		}
	case "toString", "intern":
		if len(args) == 0 {
			return s, true, nil
		}
	case "toLowerCase":
		if len(args) == 0 {
			return strings.ToLower(s), true, nil
		}
	case "toUpperCase":
		if len(args) == 0 {
			return strings.ToUpper(s), true, nil
		}
	case "trim":
		if len(args) == 0 {
			// Java trims every character <= U+0020.
			return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }), true, nil
		}
	case "hashCode":
		if len(args) == 0 {
			var h int32
			for _, c := range u16(s) {
				h = 31*h + int32(c)
			}
			return int64(h), true, nil
		}
	case "substring":
		u := u16(s)
		if len(args) < 1 || len(args) > 2 {
			return nil, false, nil
		}
		b, ok := argInt(args[0])
		if !ok {
			return nil, false, nil
		}
		e := len(u)
		if len(args) == 2 {
			if e, ok = argInt(args[1]); !ok {
				return nil, false, nil
			}
		}
		if b < 0 || e > len(u) || b > e {
			return nil, true, fmt.Errorf("begin %d, end %d, length %d", b, e, len(u))
		}
		return s16(u[b:e]), true, nil
	case "charAt":
		if len(args) != 1 {
			return nil, false, nil
		}
		i, ok := argInt(args[0])
		if !ok {
			return nil, false, nil
		}
		u := u16(s)
		if i < 0 || i >= len(u) {
			return nil, true, fmt.Errorf("index %d out of bounds for length %d", i, len(u))
		}
		return s16(u[i : i+1]), true, nil
	case "indexOf", "lastIndexOf":
		if len(args) < 1 || len(args) > 2 {
			return nil, false, nil
		}
		needle, ok := args[0].(string)
		if !ok {
			return nil, false, nil
		}
		from := -1
		if len(args) == 2 {
			if from, ok = argInt(args[1]); !ok {
				return nil, false, nil
			}
		}
		hay, nd := u16(s), u16(needle)
		if name == "indexOf" {
			return int64(indexOf16(hay, nd, max(from, 0))), true, nil
		}
		start := len(hay) - len(nd)
		if len(args) == 2 && from < start {
			start = from
		}
		for i := start; i >= 0; i-- {
			if indexOf16(hay[:i+len(nd)], nd, i) == i {
				return int64(i), true, nil
			}
		}
		return int64(-1), true, nil
	case "contains", "startsWith", "endsWith", "equalsIgnoreCase", "concat", "compareTo":
		a, ok := argStrings(args, 1)
		if !ok {
			if name == "equalsIgnoreCase" && len(args) == 1 {
				return false, true, nil
			}
			return nil, false, nil
		}
		switch name {
		case "contains":
			return strings.Contains(s, a[0]), true, nil
		case "startsWith":
			return strings.HasPrefix(s, a[0]), true, nil
		case "endsWith":
			return strings.HasSuffix(s, a[0]), true, nil
		case "equalsIgnoreCase":
			return strings.EqualFold(s, a[0]), true, nil
		case "compareTo":
			return int64(strings.Compare(s, a[0])), true, nil
		default:
			return s + a[0], true, nil
		}
	case "equals":
		if len(args) == 1 {
			o, ok := args[0].(string)
			return ok && o == s, true, nil
		}
	case "replace":
		a, ok := argStrings(args, 2)
		if !ok {
			return nil, false, nil
		}
		if err := st.checkGrowth(s, strings.Count(s, a[0]), len(a[1])-len(a[0])); err != nil {
			return nil, true, err
		}
		if a[0] == "" {
			// Java inserts the replacement between every character.
			u := u16(s)
			var b strings.Builder
			b.WriteString(a[1])
			for i := range u {
				b.WriteString(s16(u[i : i+1]))
				b.WriteString(a[1])
			}
			return b.String(), true, nil
		}
		return strings.ReplaceAll(s, a[0], a[1]), true, nil
	case "replaceAll", "replaceFirst":
		a, ok := argStrings(args, 2)
		if !ok {
			return nil, false, nil
		}
		re, err := st.t.re.compile(a[0])
		if err != nil {
			return nil, true, err
		}
		repl, err := javaReplacement(a[1])
		if err != nil {
			return nil, true, err
		}
		if err := st.checkReplace(re, s, repl, name == "replaceAll"); err != nil {
			return nil, true, err
		}
		if name == "replaceAll" {
			return re.ReplaceAllString(s, repl), true, nil
		}
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil {
			return s, true, nil
		}
		var dst []byte
		dst = re.ExpandString(dst, repl, s, loc)
		return s[:loc[0]] + string(dst) + s[loc[1]:], true, nil
	case "matches":
		a, ok := argStrings(args, 1)
		if !ok {
			return nil, false, nil
		}
		re, err := st.t.re.compile(`^(?:` + a[0] + `)$`)
		if err != nil {
			return nil, true, err
		}
		return re.MatchString(s), true, nil
	case "split":
		if len(args) < 1 || len(args) > 2 {
			return nil, false, nil
		}
		pat, ok := args[0].(string)
		if !ok {
			return nil, false, nil
		}
		limit := 0
		if len(args) == 2 {
			if limit, ok = argInt(args[1]); !ok {
				return nil, false, nil
			}
		}
		re, err := st.t.re.compile(pat)
		if err != nil {
			return nil, true, err
		}
		return javaSplit(re, s, limit), true, nil
	}
	return nil, false, nil
}

// checkGrowth fails when replacing count occurrences in s, each growing
// the text by delta bytes, would exceed the output limit — before the
// result is built.
func (st *state) checkGrowth(s string, count, delta int) error {
	if delta > 0 && count > 0 && len(s)+count*delta > st.lim.MaxOutput {
		return fmt.Errorf("%w: the result would exceed %d bytes", ErrLimit, st.lim.MaxOutput)
	}
	return nil
}

// checkReplace bounds the result of a regex replacement before building
// it: every match contributes the replacement's literal text plus, per
// group reference, at most the match itself.
func (st *state) checkReplace(re *regexp.Regexp, s, repl string, all bool) error {
	literal, refs := len(repl), strings.Count(repl, "${")
	literal -= refs * 3
	n := 1
	if all {
		n = -1
	}
	count, matched := 0, 0
	count1 := func(m string) string {
		if n < 0 || count < n {
			count++
			matched += len(m)
		}
		return ""
	}
	re.ReplaceAllStringFunc(s, count1) // counts without keeping the matches
	if len(s)-matched+count*max(literal, 0)+refs*matched > st.lim.MaxOutput {
		return fmt.Errorf("%w: the result would exceed %d bytes", ErrLimit, st.lim.MaxOutput)
	}
	return nil
}

// javaSplit is String.split: a zero-width match at the start yields no
// leading empty string, and with limit 0 trailing empty strings go.
func javaSplit(re *regexp.Regexp, s string, limit int) *List {
	l := &List{}
	if s == "" {
		l.Items = []any{""}
		return l
	}
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if limit > 0 && len(l.Items) == limit-1 {
			break
		}
		if m[1] == 0 {
			continue // zero-width match at the beginning
		}
		if m[0] == m[1] && m[0] >= len(s) {
			break
		}
		l.Items = append(l.Items, s[last:m[0]])
		last = m[1]
	}
	l.Items = append(l.Items, s[last:])
	if limit == 0 {
		for len(l.Items) > 1 && l.Items[len(l.Items)-1] == "" {
			l.Items = l.Items[:len(l.Items)-1]
		}
		if len(l.Items) == 1 && l.Items[0] == "" && s != "" {
			l.Items = nil
		}
	}
	return l
}

// javaReplacement converts a java.util.regex replacement ($1, \$) into Go's
// syntax (${1}, $$).
func javaReplacement(r string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch c {
		case '\\':
			i++
			if i >= len(r) {
				return "", errors.New("character to be escaped is missing")
			}
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case '$':
			i++
			if i >= len(r) {
				return "", errors.New("illegal group reference: group index is missing")
			}
			if r[i] == '{' {
				end := strings.IndexByte(r[i:], '}')
				if end < 0 {
					return "", errors.New("named capturing group is missing trailing '}'")
				}
				b.WriteString("${" + r[i+1:i+end] + "}")
				i += end
				continue
			}
			if !isDigit(r[i]) {
				return "", errors.New("illegal group reference")
			}
			j := i
			for j < len(r) && isDigit(r[j]) {
				j++
			}
			b.WriteString("${" + r[i:j] + "}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// regexpEntry caches one compiled java.util.regex pattern.
type regexpEntry struct {
	re  *regexp.Regexp
	err error
}

// maxCachedRegexps bounds the per-template regex cache.
const maxCachedRegexps = 64

// compile translates a Java pattern to Go's RE2 syntax. Java-only features
// (back-references, look-around, possessive quantifiers) fail to compile.
func (c *regexCache) compile(pat string) (*regexp.Regexp, error) {
	c.mu.Lock()
	e, ok := c.m[pat]
	c.mu.Unlock()
	if ok {
		return e.re, e.err
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		err = fmt.Errorf("regular expression %q is not supported: %w", pat, err)
	}
	c.mu.Lock()
	if len(c.m) < maxCachedRegexps {
		c.m[pat] = &regexpEntry{re: re, err: err}
	}
	c.mu.Unlock()
	return re, err
}

// ---- java.util.List ----

// listIndex reads an int argument that must be below limit. ok is false
// when the argument is not an int (no such method); err is Java's
// IndexOutOfBoundsException.
func listIndex(l *List, arg any, limit int) (int, bool, error) {
	i, ok := argInt(arg)
	if !ok {
		return 0, false, nil
	}
	if i < 0 || i >= limit {
		return 0, true, fmt.Errorf("index %d out of bounds for length %d", i, len(l.Items))
	}
	return i, true, nil
}

func listMethod(l *List, name string, args []any) (any, bool, error) {
	switch name {
	case "size":
		if len(args) == 0 {
			return int64(len(l.Items)), true, nil
		}
	case "isEmpty":
		if len(args) == 0 {
			return len(l.Items) == 0, true, nil
		}
	case "get", "remove":
		if len(args) != 1 {
			return nil, false, nil
		}
		i, ok, err := listIndex(l, args[0], len(l.Items))
		if !ok || err != nil {
			return nil, ok, err
		}
		v := l.Items[i]
		if name == "remove" {
			l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
		}
		return v, true, nil
	case "contains", "indexOf":
		if len(args) != 1 {
			return nil, false, nil
		}
		for i, it := range l.Items {
			if javaEquals(it, args[0]) {
				if name == "contains" {
					return true, true, nil
				}
				return int64(i), true, nil
			}
		}
		if name == "contains" {
			return false, true, nil
		}
		return int64(-1), true, nil
	case "add":
		switch len(args) {
		case 1:
			l.Items = append(l.Items, args[0])
			return true, true, nil
		case 2:
			i, ok, err := listIndex(l, args[0], len(l.Items)+1)
			if !ok || err != nil {
				return nil, ok, err
			}
			l.Items = append(l.Items[:i], append([]any{args[1]}, l.Items[i:]...)...)
			return nil, true, nil
		}
	case "set":
		if len(args) != 2 {
			return nil, false, nil
		}
		i, ok, err := listIndex(l, args[0], len(l.Items))
		if !ok || err != nil {
			return nil, ok, err
		}
		old := l.Items[i]
		l.Items[i] = args[1]
		return old, true, nil
	case "addAll":
		if len(args) == 1 {
			if o, ok := args[0].(*List); ok {
				l.Items = append(l.Items, o.Items...)
				return len(o.Items) > 0, true, nil
			}
		}
	case "clear":
		if len(args) == 0 {
			l.Items = nil
			return nil, true, nil
		}
	}
	return nil, false, nil
}

// ---- java.util.Map ----

func mapMethod(m *Map, name string, args []any) (any, bool, error) {
	key := func() string { return toString(args[0]) }
	switch name {
	case "size":
		if len(args) == 0 {
			return int64(m.Len()), true, nil
		}
	case "isEmpty":
		if len(args) == 0 {
			return m.Len() == 0, true, nil
		}
	case "get":
		if len(args) == 1 {
			v, _ := m.Get(key())
			return v, true, nil
		}
	case "containsKey":
		if len(args) == 1 {
			_, ok := m.Get(key())
			return ok, true, nil
		}
	case "containsValue":
		if len(args) == 1 {
			for _, k := range m.order() {
				if javaEquals(m.vals[k], args[0]) {
					return true, true, nil
				}
			}
			return false, true, nil
		}
	case "put":
		if len(args) == 2 {
			return m.Put(key(), args[1]), true, nil
		}
	case "putAll":
		if len(args) == 1 {
			if o, ok := args[0].(*Map); ok {
				for _, k := range o.Keys() {
					m.Put(k, o.vals[k])
				}
				return nil, true, nil
			}
		}
	case "remove":
		if len(args) == 1 {
			return m.Remove(key()), true, nil
		}
	case "keySet":
		if len(args) == 0 {
			l := &List{Items: make([]any, 0, m.Len())}
			for _, k := range m.order() {
				l.Items = append(l.Items, k)
			}
			return l, true, nil
		}
	case "values":
		if len(args) == 0 {
			l := &List{Items: make([]any, 0, m.Len())}
			for _, k := range m.order() {
				l.Items = append(l.Items, m.vals[k])
			}
			return l, true, nil
		}
	case "entrySet":
		if len(args) == 0 {
			l := &List{Items: make([]any, 0, m.Len())}
			for _, k := range m.order() {
				l.Items = append(l.Items, &mapEntry{key: k, val: m.vals[k]})
			}
			return l, true, nil
		}
	case "clear":
		if len(args) == 0 {
			for _, k := range m.Keys() {
				m.Remove(k)
			}
			return nil, true, nil
		}
	}
	return nil, false, nil
}

// ---- $util ----

func utilMethod(name string, args []any) (any, bool, error) {
	if len(args) != 1 {
		return nil, false, nil
	}
	if args[0] == nil {
		return nil, true, nil
	}
	switch name {
	case "escapeJavaScript":
		return escapeJavaScript(toString(args[0])), true, nil
	case "parseJson":
		s, ok := args[0].(string)
		if !ok {
			return nil, false, nil
		}
		v, err := parseJSON(s)
		if err != nil {
			return nil, true, fmt.Errorf("invalid JSON: %w", err)
		}
		return v, true, nil
	case "urlEncode":
		// java.net.URLEncoder: space is '+', and * - . _ stay as they are.
		s := url.QueryEscape(toString(args[0]))
		s = strings.ReplaceAll(s, "~", "%7E")
		return strings.ReplaceAll(s, "%2A", "*"), true, nil
	case "urlDecode":
		s, err := url.QueryUnescape(toString(args[0]))
		if err != nil {
			return nil, true, err
		}
		return s, true, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(toString(args[0]))), true, nil
	case "base64Decode":
		in := strings.TrimRight(toString(args[0]), "=")
		b, err := base64.RawStdEncoding.DecodeString(in)
		if err != nil {
			return nil, true, fmt.Errorf("invalid base64: %w", err)
		}
		return string(b), true, nil
	}
	return nil, false, nil
}

// escapeJavaScript is commons-lang StringEscapeUtils.escapeJavaScript:
// quotes, backslash and '/' are backslash-escaped, control characters use
// the short escapes or \u00XX, and every non-ASCII UTF-16 unit becomes
// \uXXXX (upper-case hex).
func escapeJavaScript(s string) string {
	var b strings.Builder
	for _, c := range u16(s) {
		switch {
		case c > 0x7f:
			b.WriteString(`\u`)
			b.WriteString(strings.ToUpper(fmt.Sprintf("%04x", c)))
		case c < 0x20:
			switch c {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				b.WriteString(`\u00`)
				b.WriteString(strings.ToUpper(strconv.FormatInt(int64(c)>>4&0xf, 16) + strconv.FormatInt(int64(c)&0xf, 16)))
			}
		case c == '\'':
			b.WriteString(`\'`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '/':
			b.WriteString(`\/`)
		default:
			b.WriteByte(byte(c))
		}
	}
	return b.String()
}
