package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestParseReport(t *testing.T) {
	at := time.UnixMilli(1_000_000)
	cold := "REPORT RequestId: r-1\tDuration: 12.50 ms\tBilled Duration: 21 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 8.25 ms\t\n"
	inv, ok := ParseReport(cold, at)
	if !ok || inv.Duration != 12500*time.Microsecond || inv.Init != 8250*time.Microsecond || !inv.End.Equal(at) {
		t.Errorf("cold REPORT = %+v, %v", inv, ok)
	}
	if got := inv.Start(); !got.Equal(at.Add(-12500 * time.Microsecond)) {
		t.Errorf("Start = %v", got)
	}
	warm := "REPORT RequestId: r-2\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\t\n"
	if inv, ok := ParseReport(warm, at); !ok || inv.Init != 0 || inv.Duration != time.Millisecond {
		t.Errorf("warm REPORT = %+v, %v", inv, ok)
	}
	if _, ok := ParseReport(`{"level":"INFO","msg":"stored"}`, at); ok {
		t.Error("a log line that is not a REPORT parsed as one")
	}
}

func TestConcurrency(t *testing.T) {
	start := time.Unix(100, 0)
	step := 100 * time.Millisecond
	inv := func(from, to time.Duration) Invocation {
		return Invocation{End: start.Add(to), Duration: to - from}
	}
	got := Concurrency([]Invocation{
		inv(0, 200*time.Millisecond),                    // busy through steps 0 and 1
		inv(50*time.Millisecond, 100*time.Millisecond),  // half of step 0
		inv(250*time.Millisecond, 260*time.Millisecond), // a tenth of step 2
		inv(-time.Second, -500*time.Millisecond),        // before the window
	}, start, start.Add(300*time.Millisecond), step)
	want := []float64{1.5, 1, 0.1}
	if len(got) != len(want) {
		t.Fatalf("Concurrency = %v, want %v", got, want)
	}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("step %d = %v, want %v (all %v)", i, got[i], want[i], got)
		}
	}
}

func TestProcFiles(t *testing.T) {
	dir := t.TempDir()
	// A command name with spaces and a parenthesis, as the kernel allows.
	stat := "4242 (local cloud) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 250 150 0 0 20 0 12 0 100 0 0\n"
	if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o600); err != nil {
		t.Fatal(err)
	}
	cpu, err := ProcCPU(filepath.Join(dir, "stat"))
	if err != nil || cpu != 4*time.Second {
		t.Errorf("ProcCPU = %v, %v; want 4s (250+150 ticks)", cpu, err)
	}
	status := "Name:\tlocalcloud\nVmPeak:\t  900000 kB\nVmRSS:\t   51200 kB\nThreads:\t12\n"
	if err := os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o600); err != nil {
		t.Fatal(err)
	}
	rss, err := ProcRSS(filepath.Join(dir, "status"))
	if err != nil || rss != 50<<20 {
		t.Errorf("ProcRSS = %d, %v; want 50 MiB", rss, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad"), []byte("Name:\tx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ProcRSS(filepath.Join(dir, "bad")); err == nil {
		t.Error("ProcRSS without a VmRSS line succeeded")
	}
	if _, err := ProcCPU(filepath.Join(dir, "bad")); err == nil {
		t.Error("ProcCPU of a file without a command name succeeded")
	}
}

func TestProcOfThisProcess(t *testing.T) {
	s, err := Sampler{PID: os.Getpid()}.Take(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSS <= 0 {
		t.Errorf("RSS of this process = %d", s.RSS)
	}
}

func TestStats(t *testing.T) {
	end := time.Unix(10, 0)
	st := Stats([]Invocation{{End: end, Duration: 300 * time.Millisecond}, {End: end, Duration: 700 * time.Millisecond}}, 2*time.Second)
	if st.Invocations != 2 || st.Busy != 0.5 || st.Durations.Max != 700*time.Millisecond {
		t.Errorf("Stats = %+v, want 2 invocations, busy 0.5, max 700ms", st)
	}
	if st := Stats(nil, 0); st.Invocations != 0 || st.Busy != 0 {
		t.Errorf("Stats of nothing = %+v", st)
	}
}

func TestCPUUse(t *testing.T) {
	t0 := time.Unix(0, 0)
	avg, peak := CPUUse([]Sample{
		{At: t0, CPU: 0},
		{At: t0.Add(time.Second), CPU: 500 * time.Millisecond},
		{At: t0.Add(2 * time.Second), CPU: 2 * time.Second},
	})
	if avg != 1 || peak != 1.5 {
		t.Errorf("CPUUse = %v avg, %v peak; want 1 and 1.5", avg, peak)
	}
	if avg, peak := CPUUse(nil); avg != 0 || peak != 0 {
		t.Errorf("CPUUse(nil) = %v, %v", avg, peak)
	}
}

func TestReadTreeCPU(t *testing.T) {
	proc := t.TempDir()
	stat := func(pid, ppid, utime, stime, cutime, cstime int) {
		dir := filepath.Join(proc, strconv.Itoa(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%d (bootstrap) S %d %d %d 0 -1 0 0 0 0 0 %d %d %d %d 20 0 1 0 100 0 0\n", pid, ppid, pid, pid, utime, stime, cutime, cstime)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stat(10, 1, 100, 50, 30, 20) // localcloud: 1.5 s own, 0.5 s of reaped children
	stat(11, 10, 40, 10, 0, 0)   // a function instance
	stat(12, 11, 5, 5, 0, 0)     // its child
	stat(13, 1, 1000, 0, 0, 0)   // unrelated
	if err := os.WriteFile(filepath.Join(proc, "uptime"), []byte("1 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTreeCPU(proc, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got.Own != 1500*time.Millisecond || got.Descendants != 1100*time.Millisecond {
		t.Fatalf("ReadTreeCPU = %+v, want own 1.5s, descendants 1.1s", got)
	}
	if _, err := ReadTreeCPU(proc, 99); err == nil {
		t.Fatal("a missing root succeeded")
	}
}
