package attr

import (
	"bytes"
	"errors"
	"sort"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"integer", "12", "12", ""},
		{"trailing zeros", "1.50", "1.5", ""},
		{"exponent", "15E-1", "1.5", ""},
		{"leading zeros", "007", "7", ""},
		{"plus sign", "+3e+2", "300", ""},
		{"negative fraction", "-0.00100", "-0.001", ""},
		{"leading point", ".5", "0.5", ""},
		{"trailing point", "5.", "5", ""},
		{"negative zero", "-0.000", "0", ""},
		{"zero huge exponent", "0e999999999999", "0", ""},
		{"max", "9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + zeros(88), ""},
		{"min", "1E-130", "0." + zeros(129) + "1", ""},
		{"38 digits", "12345678901234567890123456789012345678", "12345678901234567890123456789012345678", ""},
		{"39 digits", "123456789012345678901234567890123456789", "", msgNumberDigits},
		{"39 digits fraction", "-1.23456789012345678901234567890123456789", "", msgNumberDigits},
		{"overflow", "1e126", "", msgNumberOverflow},
		{"negative overflow", "-1e126", "", msgNumberOverflow},
		{"underflow", "1e-131", "", msgNumberUnderflow},
		{"empty", "", "", msgNumberNotNumeric},
		{"letters", "b", "", msgNumberNotNumeric + ": b"},
		{"two points", "1.2.3", "", msgNumberNotNumeric + ": 1.2.3"},
		{"bare exponent", "1e", "", msgNumberNotNumeric + ": 1e"},
		{"space", " 1", "", msgNumberNotNumeric + ":  1"},
		{"infinity", "Infinity", "", msgNumberNotNumeric + ": Infinity"},
		{"sign only", "-", "", msgNumberNotNumeric + ": -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNumber(tt.in)
			if tt.err != "" {
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeValidation || e.Message != tt.err {
					t.Fatalf("ParseNumber(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseNumber(%q): %v", tt.in, err)
			}
			if got := n.String(); got != tt.want {
				t.Fatalf("ParseNumber(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func zeros(n int) string { return string(bytes.Repeat([]byte("0"), n)) }

func num(t testing.TB, s string) Number {
	t.Helper()
	n, err := ParseNumber(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNumberArithmeticAndOrder(t *testing.T) {
	tests := []struct {
		name, a, b, sum, diff string
		cmp                   int
	}{
		{"equal forms", "1.50", "15E-1", "3", "0", 0},
		{"decimal exact", "0.1", "0.2", "0.3", "-0.1", -1},
		{"negative", "-5", "3", "-2", "-8", -1},
		{"magnitudes", "1e20", "1", "100000000000000000001", "99999999999999999999", 1},
		{"tiny", "1e-130", "1e-130", "0." + zeros(129) + "2", "0", 0},
		{"prefix digits", "1.5", "1", "2.5", "0.5", 1},
		{"negative order", "-1.5", "-1", "-2.5", "-0.5", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := num(t, tt.a), num(t, tt.b)
			s, err := a.Add(b)
			if err != nil || s.String() != tt.sum {
				t.Errorf("%s + %s = %s, %v; want %s", tt.a, tt.b, s, err, tt.sum)
			}
			d, err := a.Sub(b)
			if err != nil || d.String() != tt.diff {
				t.Errorf("%s - %s = %s, %v; want %s", tt.a, tt.b, d, err, tt.diff)
			}
			if c := a.Cmp(b); c != tt.cmp {
				t.Errorf("Cmp(%s, %s) = %d, want %d", tt.a, tt.b, c, tt.cmp)
			}
		})
	}
	t.Run("precision overflow", func(t *testing.T) {
		_, err := num(t, "1e30").Add(num(t, "1e-10"))
		if errMessage(err) != msgNumberDigits {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("range overflow", func(t *testing.T) {
		m := num(t, "9.9999999999999999999999999999999999999E+125")
		_, err := m.Add(m)
		if errMessage(err) != msgNumberOverflow {
			t.Fatalf("got %v", err)
		}
	})
}

func TestUnmarshalValidation(t *testing.T) {
	tests := []struct {
		name, in, msg string
	}{
		{"empty", `{}`, msgEmptyValue},
		{"unknown key", `{"a":""}`, msgEmptyValue},
		{"nested empty in map", `{"M":{"a":{}}}`, msgEmptyValue},
		{"nested empty in list", `{"L":[{}]}`, msgEmptyValue},
		{"two types", `{"S":"a","N":"1"}`, msgMultipleType},
		{"null false", `{"NULL":false}`, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{"empty SS", `{"SS":[]}`, "One or more parameter values were invalid: An string set  may not be empty"},
		{"empty NS", `{"NS":[]}`, "One or more parameter values were invalid: An number set  may not be empty"},
		{"empty BS", `{"BS":[]}`, "One or more parameter values were invalid: Binary sets should not be empty"},
		{"dup SS", `{"SS":["a","a"]}`, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{"dup BS", `{"BS":["Yg==","Yg=="]}`, "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."},
		{"dup NS", `{"NS":["1","1.0"]}`, "Input collection contains duplicates"},
		{"bad number", `{"N":"b"}`, "The parameter cannot be converted to a numeric value: b"},
		{"empty number", `{"N":""}`, "The parameter cannot be converted to a numeric value"},
		{"bad number in set", `{"NS":["1","b"]}`, "The parameter cannot be converted to a numeric value: b"},
		{"bad member wins over two types", `{"S":"a","N":"b"}`, "The parameter cannot be converted to a numeric value: b"},
		{"too many digits", `{"N":"123456789012345678901234567890123456789"}`, msgNumberDigits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeValidation || e.Message != tt.msg {
				t.Fatalf("Parse(%s) = %v, want %q", tt.in, err, tt.msg)
			}
		})
	}
	for _, in := range []string{`[]`, `{"S":1}`, `{"B":"!!"}`, `{"L":{}}`, `nope`, `{"BOOL":"x"}`} {
		t.Run("serialization "+in, func(t *testing.T) {
			_, err := Parse([]byte(in))
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeSerialization {
				t.Fatalf("Parse(%s) = %v, want SerializationException", in, err)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"S":"x\"\n\u0001é"}`, `{"S":"x\"\n\u0001é"}`},
		{`{"N":"1.50"}`, `{"N":"1.5"}`},
		{`{"N":"-15E-1"}`, `{"N":"-1.5"}`},
		{`{"B":"AAEC"}`, `{"B":"AAEC"}`},
		{`{"BOOL":false}`, `{"BOOL":false}`},
		{`{"NULL":true}`, `{"NULL":true}`},
		{`{"L":[{"S":"a"},{"N":"1"}]}`, `{"L":[{"S":"a"},{"N":"1"}]}`},
		{`{"L":[]}`, `{"L":[]}`},
		{`{"M":{"a":{"NS":["1","2e0"]}}}`, `{"M":{"a":{"NS":["1","2"]}}}`},
		{`{"SS":["b","a"]}`, `{"SS":["b","a"]}`},
		{`{"BS":["YQ==","Yg=="]}`, `{"BS":["YQ==","Yg=="]}`},
		{`{"S":"x","N":null,"unknown":1}`, `{"S":"x"}`},
	}
	for _, tt := range tests {
		v, err := Parse([]byte(tt.in))
		if err != nil {
			t.Fatalf("Parse(%s): %v", tt.in, err)
		}
		got, _ := v.MarshalJSON()
		if string(got) != tt.want {
			t.Errorf("round trip %s = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func mustParse(t testing.TB, s string) Value {
	t.Helper()
	v, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEqualAndCompare(t *testing.T) {
	eq := []struct {
		a, b string
		want bool
	}{
		{`{"N":"1.5"}`, `{"N":"15e-1"}`, true},
		{`{"SS":["a","b"]}`, `{"SS":["b","a"]}`, true},
		{`{"NS":["1","2"]}`, `{"NS":["2.0","1"]}`, true},
		{`{"L":[{"S":"a"},{"S":"b"}]}`, `{"L":[{"S":"b"},{"S":"a"}]}`, false},
		{`{"M":{"a":{"N":"1"}}}`, `{"M":{"a":{"N":"1.0"}}}`, true},
		{`{"S":"1"}`, `{"N":"1"}`, false},
		{`{"SS":["a"]}`, `{"SS":["a","b"]}`, false},
	}
	for _, tt := range eq {
		if got := Equal(mustParse(t, tt.a), mustParse(t, tt.b)); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
	cmp := []struct {
		a, b string
		want int
		ok   bool
	}{
		{`{"N":"10"}`, `{"N":"9"}`, 1, true},
		{`{"S":"10"}`, `{"S":"9"}`, -1, true},
		{`{"S":"é"}`, `{"S":"z"}`, 1, true},
		{`{"B":"/w=="}`, `{"B":"AA=="}`, 1, true},
		{`{"S":"a"}`, `{"N":"1"}`, 0, false},
		{`{"BOOL":true}`, `{"BOOL":true}`, 0, false},
	}
	for _, tt := range cmp {
		c, ok := Compare(mustParse(t, tt.a), mustParse(t, tt.b))
		if c != tt.want || ok != tt.ok {
			t.Errorf("Compare(%s, %s) = %d, %v", tt.a, tt.b, c, ok)
		}
	}
}

func TestSize(t *testing.T) {
	item, err := ParseItem([]byte(`{"name":{"S":"abc"},"n":{"N":"123"},"b":{"BOOL":true},"l":{"L":[{"S":"x"},{"NULL":true}]},"m":{"M":{"k":{"S":"v"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	// name 4+3, n 1+3, b 1+1, l 1+(3+1+1+1+1), m 1+(3+1+1+1)
	want := 7 + 4 + 2 + 8 + 7
	if got := ItemSize(item); got != want {
		t.Fatalf("ItemSize = %d, want %d", got, want)
	}
}

func TestKeyEncodingOrder(t *testing.T) {
	nums := []string{"-1e125", "-100", "-15", "-1.5", "-1", "-0.001", "0", "1e-130", "0.001", "1", "1.5", "10", "15", "100", "9.9999999999999999999999999999999999999E+125"}
	var encs [][]byte
	for _, s := range nums {
		v := N(num(t, s))
		k, err := AppendKey(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		back, rest, err := DecodeKey(TypeN, append(k, 'x'))
		if err != nil || !Equal(back, v) || string(rest) != "x" {
			t.Fatalf("DecodeKey(%s) = %v, %q, %v", s, back, rest, err)
		}
		encs = append(encs, k)
	}
	if !sort.SliceIsSorted(encs, func(i, j int) bool { return bytes.Compare(encs[i], encs[j]) < 0 }) {
		t.Fatalf("number keys not in numeric order")
	}
	strs := []string{"", "\x00", "\x00\x00", "\x00a", "a", "a\x00", "a\x00b", "ab", "b", "é"}
	encs = nil
	for _, s := range strs {
		k, _ := AppendKey(nil, S(s))
		back, rest, err := DecodeKey(TypeS, k)
		if err != nil || back.Str() != s || len(rest) != 0 {
			t.Fatalf("DecodeKey(%q) = %q, %v", s, back.Str(), err)
		}
		encs = append(encs, k)
	}
	if !sort.SliceIsSorted(encs, func(i, j int) bool { return bytes.Compare(encs[i], encs[j]) < 0 }) {
		t.Fatalf("string keys not in byte order")
	}
	p, _ := AppendKeyPrefix(nil, S("a"))
	end := PrefixEnd(p)
	for _, s := range strs {
		k, _ := AppendKey(nil, S(s))
		in := bytes.Compare(k, p) >= 0 && bytes.Compare(k, end) < 0
		if in != (len(s) > 0 && s[0] == 'a') {
			t.Errorf("prefix scan of %q: in=%v", s, in)
		}
	}
}

func TestCheckDepth(t *testing.T) {
	nest := func(n int) Item {
		v := S("leaf")
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				v = M(Item{"n": v})
			} else {
				v = L(v)
			}
		}
		return Item{"a": v}
	}
	if err := CheckDepth(nest(MaxDepth)); err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	err := CheckDepth(nest(MaxDepth + 1))
	if errMessage(err) != "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit" {
		t.Fatalf("depth %d: %v", MaxDepth+1, err)
	}
}

func BenchmarkParseItem(b *testing.B) {
	data := []byte(`{"orderID":{"S":"3f2c9a1e-7b1d-4c55-9a43-0e1d2f3a4b5c"},"item":{"S":"latex gloves"},
		"customerID":{"S":"12345"},"quantity":{"N":"1"},"status":{"S":"RECEIVED"},
		"receivedAt":{"S":"2026-11-27T09:00:00Z"},"schemaVersion":{"N":"1"},
		"tags":{"SS":["a","b"]},"meta":{"M":{"src":{"S":"api"},"n":{"L":[{"N":"1"},{"BOOL":true}]}}}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseItem(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendItemJSON(b *testing.B) {
	item, err := ParseItem([]byte(`{"orderID":{"S":"3f2c9a1e"},"item":{"S":"latex gloves"},"quantity":{"N":"1"},"meta":{"M":{"src":{"S":"api"}}}}`))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = item.AppendJSON(buf[:0])
	}
}

func TestSetsAndContains(t *testing.T) {
	ss := mustParse(t, `{"SS":["a","b"]}`)
	ns := mustParse(t, `{"NS":["1","2.0"]}`)
	bs := mustParse(t, `{"BS":["AA==","AQ=="]}`)
	if u := Union(ss, mustParse(t, `{"SS":["b","c"]}`)); !Equal(u, mustParse(t, `{"SS":["a","b","c"]}`)) {
		t.Errorf("Union SS = %v", u)
	}
	if u := Union(ns, mustParse(t, `{"NS":["2","3"]}`)); !Equal(u, mustParse(t, `{"NS":["1","2","3"]}`)) {
		t.Errorf("Union NS = %v", u)
	}
	if d := Difference(ns, mustParse(t, `{"NS":["2"]}`)); !Equal(d, mustParse(t, `{"NS":["1"]}`)) {
		t.Errorf("Difference NS = %v", d)
	}
	if d := Difference(bs, bs); d.Exists() {
		t.Errorf("Difference to empty = %v, want absent", d)
	}
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"S":"hello"}`, `{"S":"ell"}`, true},
		{`{"S":"hello"}`, `{"N":"1"}`, false},
		{`{"B":"AAEC"}`, `{"B":"AQ=="}`, true},
		{`{"SS":["a","b"]}`, `{"S":"b"}`, true},
		{`{"NS":["1","2"]}`, `{"N":"2.00"}`, true},
		{`{"NS":["1","2"]}`, `{"S":"2"}`, false},
		{`{"BS":["AA=="]}`, `{"B":"AA=="}`, true},
		{`{"L":[{"M":{"k":{"S":"v"}}}]}`, `{"M":{"k":{"S":"v"}}}`, true},
		{`{"M":{"k":{"S":"v"}}}`, `{"S":"k"}`, false},
	}
	for _, tt := range tests {
		if got := Contains(mustParse(t, tt.a), mustParse(t, tt.b)); got != tt.want {
			t.Errorf("Contains(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
	if !HasPrefix(S("abc"), S("ab")) || HasPrefix(S("abc"), B([]byte("ab"))) {
		t.Error("HasPrefix")
	}
	for _, tt := range []struct {
		v    string
		n    int
		size bool
	}{{`{"S":"héllo"}`, 6, true}, {`{"B":"AAEC"}`, 3, true}, {`{"L":[{"S":"a"}]}`, 1, true}, {`{"N":"1"}`, 0, false}, {`{"NS":["1","2"]}`, 2, true}} {
		n, ok := mustParse(t, tt.v).Len()
		if n != tt.n || ok != tt.size {
			t.Errorf("Len(%s) = %d, %v", tt.v, n, ok)
		}
	}
}

func TestConstructors(t *testing.T) {
	if _, err := SS(); err == nil {
		t.Error("empty SS accepted")
	}
	if _, err := NS("1", "1.0"); errMessage(err) != "Input collection contains duplicates" {
		t.Errorf("NS duplicates: %v", err)
	}
	if _, err := BS([]byte{1}, []byte{1}); errMessage(err) != "One or more parameter values were invalid: Input collection [AQ==, AQ==]of type BS contains duplicates." {
		t.Errorf("BS duplicates: %v", err)
	}
	v, err := ParseN("-0.50")
	if err != nil || v.Num().String() != "-0.5" || v.Type() != TypeN {
		t.Errorf("ParseN = %v, %v", v, err)
	}
	if L().List() == nil || M(nil).Map() == nil {
		t.Error("empty L and M must not be nil")
	}
	if Null().Type() != TypeNULL || !Bool(true).BoolValue() || string(B([]byte("x")).Bytes()) != "x" {
		t.Error("scalar constructors")
	}
	if ty, ok := ParseType("BOOL"); !ok || ty != TypeBOOL || ty.Word() != "BOOLEAN" || !TypeNS.IsSet() {
		t.Error("types")
	}
}

func TestCheckSize(t *testing.T) {
	big := string(bytes.Repeat([]byte("x"), MaxItemSize-2))
	if err := CheckSize(Item{"ab": S(big)}); err != nil {
		t.Fatalf("exactly 400 KB rejected: %v", err)
	}
	if err := CheckSize(Item{"abc": S(big)}); errMessage(err) != "Item size has exceeded the maximum allowed size" {
		t.Fatalf("over 400 KB: %v", err)
	}
	if err := CheckUpdatedSize(Item{"abc": S(big)}); errMessage(err) != "Item size to update has exceeded the maximum allowed size" {
		t.Fatalf("update over 400 KB: %v", err)
	}
}

// errMessage returns the message of an *Error, or "" for nil.
func errMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
