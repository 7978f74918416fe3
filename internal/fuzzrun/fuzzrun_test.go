package fuzzrun

import (
	"errors"
	"testing"
)

func TestClassify(t *testing.T) {
	exit1 := errors.New("exit status 1")
	cases := []struct {
		name string
		out  string
		err  error
		want Outcome
	}{
		{"pass", "fuzz: elapsed: 10s, execs: 1 (1/sec)\nPASS\nok  \tx\t10.1s\n", nil, Passed},
		{"shutdown race", `fuzz: elapsed: 10s, execs: 342300 (33211/sec), new interesting: 9 (total: 290)
--- FAIL: FuzzValidate (10.11s)
    context deadline exceeded
FAIL
exit status 1
FAIL	example.com/validate	10.125s
`, exit1, ShutdownRace},
		{"failing input", `--- FAIL: FuzzValidate (0.20s)
    --- FAIL: FuzzValidate (0.00s)
        validate_test.go:40: boom
    Failing input written to testdata/fuzz/FuzzValidate/abc
    To re-run:
    go test -run=FuzzValidate/abc
FAIL
`, exit1, Failed},
		{"deadline plus another reason", `--- FAIL: FuzzX (10.1s)
    context deadline exceeded
    x_test.go:9: something else
FAIL
`, exit1, Failed},
		{"panic", "panic: runtime error\n--- FAIL: FuzzX (1s)\n    context deadline exceeded\n", exit1, Failed},
		{"build error", "# example.com/x\n./x.go:3:1: syntax error\nFAIL\texample.com/x [build failed]\n", exit1, Failed},
		{"a plain test failed", "--- FAIL: TestY (0.1s)\n    context deadline exceeded\nFAIL\n", exit1, Failed},
	}
	for _, c := range cases {
		if got := Classify([]byte(c.out), c.err); got != c.want {
			t.Errorf("%s: Classify = %v, want %v", c.name, got, c.want)
		}
	}
}
