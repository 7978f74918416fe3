// Package fuzzrun tells a real failure of a bounded `go test -fuzz` run from the
// fuzzing coordinator's shutdown race in Go 1.26 (go.dev/issue/75804, fixed in Go 1.27):
// when -fuzztime expires while a worker is still in a call, the coordinator reports the
// bare "context deadline exceeded" as a failure although no input failed and nothing
// was written to testdata/fuzz.
package fuzzrun

import (
	"bufio"
	"bytes"
	"strings"
)

// Outcome is what one `go test -fuzz` run amounted to.
type Outcome int

const (
	// Passed: the run exited zero.
	Passed Outcome = iota
	// Failed: a real failure (a failing input, a panic, a build error, ...).
	Failed
	// ShutdownRace: the only failure reported is the coordinator's own deadline at the
	// end of -fuzztime and no failing input was written; running again is the remedy.
	ShutdownRace
)

func (o Outcome) String() string {
	switch o {
	case Passed:
		return "passed"
	case ShutdownRace:
		return "coordinator shutdown race"
	default:
		return "failed"
	}
}

// Classify reads the combined output and exit error of one `go test -fuzz` run.
func Classify(output []byte, runErr error) Outcome {
	if runErr == nil {
		return Passed
	}
	if bytes.Contains(output, []byte("Failing input written to")) {
		return Failed
	}
	// Every "--- FAIL: Fuzz..." block must hold exactly the deadline line and nothing else.
	sawFail, inFail, reasons := false, false, 0
	sc := bufio.NewScanner(bytes.NewReader(output))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "--- FAIL: "):
			if !strings.HasPrefix(line, "--- FAIL: Fuzz") {
				return Failed
			}
			sawFail, inFail = true, true
		case inFail && strings.HasPrefix(line, "    "):
			if strings.TrimSpace(line) != "context deadline exceeded" {
				return Failed
			}
			reasons++
		default:
			inFail = false
			if strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "fatal error:") {
				return Failed
			}
		}
	}
	if sawFail && reasons > 0 {
		return ShutdownRace
	}
	return Failed
}
