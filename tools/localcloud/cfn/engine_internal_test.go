package cfn

import (
	"errors"
	"sync"
	"testing"
)

func TestRunDAG(t *testing.T) {
	deps := map[string][]string{"a": nil, "b": {"a"}, "c": {"a"}, "d": {"b", "c"}, "e": nil, "f": nil, "g": nil}
	var mu sync.Mutex
	running, peak := 0, 0
	done := map[string]bool{}
	failed := runDAG(deps, 2, func(n string) error {
		mu.Lock()
		for _, d := range deps[n] {
			if !done[d] {
				t.Errorf("%s started before its dependency %s finished", n, d)
			}
		}
		running++
		peak = max(peak, running)
		mu.Unlock()
		mu.Lock()
		running--
		done[n] = true
		mu.Unlock()
		return nil
	})
	if len(failed) != 0 || len(done) != len(deps) {
		t.Fatalf("failed = %v, done = %v", failed, done)
	}
	if peak > 2 {
		t.Fatalf("%d ran at once, bound is 2", peak)
	}
}

func TestRunDAGStopsAfterFailure(t *testing.T) {
	deps := map[string][]string{"a": nil, "b": {"a"}, "c": {"b"}}
	var ran []string
	failed := runDAG(deps, 1, func(n string) error {
		ran = append(ran, n)
		if n == "b" {
			return errors.New("boom")
		}
		return nil
	})
	if len(failed) != 1 || failed["b"] == nil || len(ran) != 2 {
		t.Fatalf("failed = %v, ran = %v", failed, ran)
	}
	// Deletion order is the reverse.
	rev := reverseDeps(deps)
	if len(rev["a"]) != 1 || rev["a"][0] != "b" || len(rev["c"]) != 0 {
		t.Fatalf("reverse = %v", rev)
	}
}

func TestRunDAGRecoversPanics(t *testing.T) {
	failed := runDAG(map[string][]string{"a": nil}, 1, func(string) error { panic("provider bug") })
	if failed["a"] == nil || failed["a"].Error() != "internal error in the resource provider: provider bug" {
		t.Fatalf("failed = %v", failed)
	}
}
