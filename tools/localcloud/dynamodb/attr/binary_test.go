package attr

import (
	"testing"
)

const binaryTestItem = `{"orderID":{"S":"3f2c9a1e"},"item":{"S":"latex gloves"},"empty":{"S":""},"bin":{"B":"AAEC"},
	"quantity":{"N":"1"},"neg":{"N":"-0.000123"},"zero":{"N":"0"},"big":{"N":"9.9999999999999999999999999999999999999E+125"},
	"ok":{"BOOL":true},"no":{"BOOL":false},"nul":{"NULL":true},
	"tags":{"SS":["a","b"]},"nums":{"NS":["1","-2.5"]},"bins":{"BS":["AA==","AQ=="]},
	"meta":{"M":{"src":{"S":"api"},"n":{"L":[{"N":"1"},{"BOOL":true},{"L":[]},{"M":{}}]}}}}`

func TestBinaryRoundTrip(t *testing.T) {
	item, err := ParseItem([]byte(binaryTestItem))
	if err != nil {
		t.Fatal(err)
	}
	enc := AppendItemBinary(nil, item)
	back, err := DecodeItemBinary(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !EqualItems(item, back) {
		t.Fatalf("round trip changed the item")
	}
	if _, err := DecodeItemBinary(append(enc, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	for i := range enc {
		_, _ = DecodeItemBinary(enc[:i]) // truncations must not panic
	}
	v, rest, err := DecodeValueBinary(AppendValueBinary([]byte(nil), item["meta"]))
	if err != nil || len(rest) != 0 || !Equal(v, item["meta"]) {
		t.Fatalf("value round trip: %v %v", v, err)
	}
	if len(enc) >= len(item.AppendJSON(nil)) {
		t.Errorf("binary (%d bytes) not smaller than JSON (%d)", len(enc), len(item.AppendJSON(nil)))
	}
}

// FuzzDecodeItemBinary checks that arbitrary bytes never panic and that
// whatever decodes re-encodes to an equal item.
func FuzzDecodeItemBinary(f *testing.F) {
	item, err := ParseItem([]byte(binaryTestItem))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(AppendItemBinary(nil, item))
	f.Add([]byte{0})
	f.Add([]byte{1, 1, 'a', byte(TypeN), 1, 2, 1, '5'})
	f.Fuzz(func(t *testing.T, b []byte) {
		item, err := DecodeItemBinary(b)
		if err != nil {
			return
		}
		again, err := DecodeItemBinary(AppendItemBinary(nil, item))
		if err != nil || !EqualItems(item, again) {
			t.Fatalf("%x: re-encoding gives %v, %v", b, again, err)
		}
		for _, v := range item {
			if v.Type() == TypeN {
				if n, err := ParseNumber(v.Num().String()); err != nil || n != v.Num() {
					t.Fatalf("%x: non-canonical number %v", b, v.Num())
				}
			}
		}
	})
}

func BenchmarkDecodeItemBinary(b *testing.B) {
	item, err := ParseItem([]byte(binaryTestItem))
	if err != nil {
		b.Fatal(err)
	}
	enc := AppendItemBinary(nil, item)
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := DecodeItemBinary(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseItemJSONSameItem(b *testing.B) {
	data := []byte(binaryTestItem)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseItem(data); err != nil {
			b.Fatal(err)
		}
	}
}
