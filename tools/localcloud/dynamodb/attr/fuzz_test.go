package attr

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseNumber checks that any accepted number survives a round trip
// through its canonical text and its key encoding, and that the key
// encoding orders like Cmp.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "1.50", "-15E-1", "1e125", "1e-130", ".5", "5.", "-0", "12345678901234567890123456789012345678", "b", ""} {
		f.Add(s, "1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		// Arbitrary bytes must decode to an error or a canonical value.
		for _, typ := range []Type{TypeS, TypeN, TypeB} {
			if v, _, err := DecodeKey(typ, []byte(a)); err == nil && typ == TypeN {
				if again, err := ParseNumber(v.Num().String()); err != nil || again != v.Num() {
					t.Fatalf("DecodeKey(%q) gave non-canonical %v", a, v.Num())
				}
			}
		}
		x, err := ParseNumber(a)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeValidation {
				t.Fatalf("%q: %v", a, err)
			}
			return
		}
		back, err := ParseNumber(x.String())
		if err != nil || back != x {
			t.Fatalf("%q: canonical %q reparses as %v, %v", a, x.String(), back, err)
		}
		kx, _ := AppendKey(nil, N(x))
		dv, rest, err := DecodeKey(TypeN, kx)
		if err != nil || len(rest) != 0 || dv.Num() != x {
			t.Fatalf("%q: key round trip %v, %v", a, dv, err)
		}
		y, err := ParseNumber(b)
		if err != nil {
			return
		}
		ky, _ := AppendKey(nil, N(y))
		if c := bytes.Compare(kx, ky); c != x.Cmp(y) {
			t.Fatalf("%q vs %q: key order %d, numeric order %d", a, b, c, x.Cmp(y))
		}
		if sum, err := x.Add(y); err == nil {
			if d, err := sum.Sub(y); err == nil && d != x {
				t.Fatalf("(%s + %s) - %s = %s", x, y, y, d)
			}
		}
	})
}

// FuzzParseValue checks that decoding never panics, that every error is a
// DynamoDB error, and that what decodes re-encodes to an equal value.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{`{"S":"x"}`, `{"N":"1.5"}`, `{"B":"AAE="}`, `{"BOOL":true}`, `{"NULL":true}`,
		`{"L":[{"S":"a"},{"M":{"k":{"NS":["1","2"]}}}]}`, `{"SS":["a","b"]}`, `{"BS":["AA=="]}`, `{}`, `{"S":"a","N":"1"}`, `[`,
		`{"S":"\ud83d\ude00\u00e9\n"}`, `{"S":"\ud800x"}`, `{"S":null,"N":"1"}`, `{"L":[1]}`, `{"SS":[1]}`, `{"M":{"a":{"S":1}}}`, `{"S":"a"} x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		// The hand-written decoder must agree with the encoding/json oracle.
		ov, oerr := oracleParse(data)
		if (err == nil) != (oerr == nil) || (err == nil && !Equal(v, ov)) {
			t.Fatalf("%q: decoder (%v, %v) disagrees with oracle (%v, %v)", data, v, err, ov, oerr)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("%s: %v", data, err)
			}
			return
		}
		enc, _ := v.MarshalJSON()
		again, err := Parse(enc)
		if err != nil || !Equal(v, again) {
			t.Fatalf("%s re-encoded as %s: %v", data, enc, err)
		}
		_ = Size(v)
	})
}
