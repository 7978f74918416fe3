package logs_test

import (
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

func TestParseFilter(t *testing.T) {
	const (
		jsonErr  = `{"level":"ERROR","latency":250,"user":{"id":"u-1","tags":["a","b"]},"ok":false,"none":null}`
		jsonInfo = `{"level":"INFO","latency":"12","user":{"id":"u-2"}}`
		text     = `2026-01-01 ERROR: Internal Server Error for /orders`
	)
	cases := []struct {
		pattern string
		matches []string
		misses  []string
	}{
		{"", []string{text, jsonErr}, nil},
		{"ERROR", []string{text, jsonErr}, []string{jsonInfo}},
		{"ERROR orders", []string{text}, []string{jsonErr}},
		{`"Server Error"`, []string{text}, []string{jsonErr}},
		{"?INFO ?orders", []string{text, jsonInfo}, []string{jsonErr}},
		{"ERROR -orders", []string{jsonErr}, []string{text}},
		{`{ $.level = "ERROR" }`, []string{jsonErr}, []string{jsonInfo, text}},
		{`{ $.level != "ERROR" }`, []string{jsonInfo}, []string{jsonErr, text}},
		{`{ $.level = "ERR*" }`, []string{jsonErr}, []string{jsonInfo}},
		{`{ $.latency > 100 }`, []string{jsonErr}, []string{jsonInfo}},
		{`{ $.latency <= 12 }`, []string{jsonInfo}, []string{jsonErr}},
		{`{ $.latency = 250 }`, []string{jsonErr}, []string{jsonInfo}},
		{`{ $.user.id = "u-2" }`, []string{jsonInfo}, []string{jsonErr}},
		{`{ $.user.tags[1] = "b" }`, []string{jsonErr}, []string{jsonInfo}},
		{`{ $.ok IS FALSE }`, []string{jsonErr}, []string{jsonInfo}},
		{`{ $.none IS NULL }`, []string{jsonErr}, []string{jsonInfo}},
		{`{ $.none EXISTS }`, []string{jsonErr}, []string{jsonInfo}},
		{`{ $.none NOT EXISTS }`, []string{jsonInfo}, []string{jsonErr}},
		{`{ $.level = "INFO" || ($.latency > 200 && $.ok IS FALSE) }`, []string{jsonErr, jsonInfo}, nil},
		{`{ $.level = "INFO" && $.latency > 200 }`, nil, []string{jsonErr, jsonInfo}},
		{"%Server [A-Z][a-z]+%", []string{text}, []string{jsonErr}},
	}
	for _, tc := range cases {
		f, err := logs.ParseFilter(tc.pattern)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tc.pattern, err)
			continue
		}
		for _, m := range tc.matches {
			if !f.Match(m) {
				t.Errorf("%q should match %s", tc.pattern, m)
			}
		}
		for _, m := range tc.misses {
			if f.Match(m) {
				t.Errorf("%q should not match %s", tc.pattern, m)
			}
		}
	}
	for _, bad := range []string{`{ $.level = }`, `{ $.level = "x"`, `{ level = "x" }`, `{ $.a > "x" }`, `{ ($.a = 1 }`,
		`"unterminated`, `ERROR:"x"`, `[ip, user]`, `%(%`, `{ $.a IS MAYBE }`} {
		if _, err := logs.ParseFilter(bad); err == nil {
			t.Errorf("ParseFilter(%q) accepted", bad)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, seed := range []string{"", "ERROR", `"a b" -c ?d`, `{ $.a = "x*" && ($.b > 1 || $.c NOT EXISTS) }`, `{ $.a[0].b IS NULL }`, "%a+%", "[a]"} {
		f.Add(seed, `{"a":"xyz","b":2,"c":[1]}`)
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		filter, err := logs.ParseFilter(pattern)
		if err != nil {
			return
		}
		filter.Match(message) // must not panic
	})
}
