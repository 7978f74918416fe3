package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func bootIs(id string) Options { return Options{BootID: func() string { return id }} }

// writeKeys commits n keys k000.. concurrently, each acknowledged.
func writeKeys(t *testing.T, s *Bolt, from, n int, value []byte) {
	t.Helper()
	var wg sync.WaitGroup
	for i := from; i < from+n; i++ {
		wg.Go(func() {
			if err := s.Update(func(tx Tx) error { return tx.Put("b", fmt.Appendf(nil, "k%05d", i), value) }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func countKeys(t *testing.T, s *Bolt) int {
	t.Helper()
	n := 0
	if err := s.View(func(tx Tx) error {
		return tx.ForEach("b", []byte("k"), func(k, v []byte) error { n++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// crashCopy copies dir's files as they are now (what the kernel holds if the process
// dies this instant) to a new directory.
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == lockFile {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if os.IsNotExist(err) {
			continue // removed by a checkpoint meanwhile
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

func TestKill9KeepsEveryAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeKeys(t, s, 0, 300, []byte("v"))
	crashed := crashCopy(t, dir)
	r, err := Open(crashed, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := countKeys(t, r); n != 300 {
		t.Fatalf("after kill -9: %d keys, want 300", n)
	}
}

func TestPowerLossRebuildsFromSnapshotAndLog(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeKeys(t, s, 0, 200, []byte("v"))
	boom := fmt.Errorf("refused")
	if err := s.Update(func(tx Tx) error {
		_ = tx.Put("b", []byte("k-refused"), []byte("x"))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failing update: %v", err)
	}
	crashed := crashCopy(t, dir)
	// Unsynced bbolt pages are gone after a power loss: make the file garbage.
	if err := os.WriteFile(filepath.Join(crashed, dbFile), bytes.Repeat([]byte{0xAB}, 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(crashed, bootIs("boot-2"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := countKeys(t, r); n != 200 {
		t.Fatalf("after power loss: %d keys, want 200", n)
	}
	_ = r.View(func(tx Tx) error {
		if tx.Get("b", []byte("k-refused")) != nil {
			t.Error("a refused update's write came back")
		}
		return nil
	})
}

func TestTornLogTailIsCutAndLaterWritesSurvive(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	writeKeys(t, s, 0, 50, []byte("v"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := listSegments(dir)
	last := segs[len(segs)-1].path
	before, _ := os.Stat(last)
	f, _ := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0o600)
	_, _ = f.Write(frame(nil, []byte("0123456789abcdef"))[:11]) // a record cut short
	f.Close()
	s, err = Open(dir, bootIs("boot-2")) // rebuilt from snapshot + log
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(last); after.Size() != before.Size() {
		t.Errorf("torn tail kept: %d bytes, want %d", after.Size(), before.Size())
	}
	writeKeys(t, s, 50, 10, []byte("v"))
	crashed := crashCopy(t, dir)
	_ = os.Remove(filepath.Join(crashed, dbFile))
	s.Close()
	r, err := Open(crashed, bootIs("boot-3"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := countKeys(t, r); n != 60 {
		t.Fatalf("%d keys, want 60", n)
	}
}

func TestDamagedOlderSegmentRefusesToOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	writeKeys(t, s, 0, 20, bytes.Repeat([]byte("x"), 300))
	dir = crashCopy(t, dir) // as a crash leaves it: the log still holds the writes
	s.Close()
	segs, _ := listSegments(dir)
	if len(segs) != 1 {
		t.Fatalf("want one segment, got %d", len(segs))
	}
	// A later segment holds a good record, and the older one is damaged in the middle:
	// replay cannot know what it lost, so it must refuse rather than carry on.
	var r recorder
	r.reset(1000)
	r.put("b", []byte("later"), []byte("v"))
	if err := os.WriteFile(filepath.Join(dir, segmentName(1000)), frame(nil, r.buf), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(segs[0].path)
	data[len(data)/2] ^= 0xFF
	_ = os.WriteFile(segs[0].path, data, 0o600)
	_, err = Open(dir, bootIs("boot-1"))
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("open with a damaged older segment: %v", err)
	}
}

func TestCheckpointRemovesCoveredSegments(t *testing.T) {
	defer func(v int64) { segmentLimit = v }(segmentLimit)
	segmentLimit = 64 << 10
	dir := t.TempDir()
	s, err := Open(dir, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	val := bytes.Repeat([]byte("y"), 1000)
	for i := range 20 {
		writeKeys(t, s, i*50, 50, val)
	}
	s.checkpoint.Wait()
	segs, _ := listSegments(dir)
	var logBytes int64
	for _, sg := range segs {
		st, _ := os.Stat(sg.path)
		logBytes += st.Size()
	}
	if logBytes > 3*segmentLimit {
		t.Errorf("log holds %d bytes in %d segments after checkpoints; want at most %d", logBytes, len(segs), 3*segmentLimit)
	}
	crashed := crashCopy(t, dir)
	s.Close()
	_ = os.WriteFile(filepath.Join(crashed, dbFile), nil, 0o600)
	r, err := Open(crashed, bootIs("boot-2"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := countKeys(t, r); n != 1000 {
		t.Fatalf("after power loss following checkpoints: %d keys, want 1000", n)
	}
}

func TestCleanCloseLeavesAnEmptyLog(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	writeKeys(t, s, 0, 30, []byte("v"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := listSegments(dir)
	if len(segs) != 1 {
		t.Fatalf("%d segments after a clean close, want 1", len(segs))
	}
	if st, _ := os.Stat(segs[0].path); st.Size() != 0 {
		t.Errorf("log holds %d bytes after a clean close; the next start would read them", st.Size())
	}
	// Even after a reboot the snapshot alone holds everything.
	_ = os.Remove(filepath.Join(dir, dbFile))
	r, err := Open(dir, bootIs("boot-2"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := countKeys(t, r); n != 30 {
		t.Fatalf("%d keys, want 30", n)
	}
}

func TestNoFsyncDropsLogAndSnapshot(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	writeKeys(t, s, 0, 10, []byte("v"))
	crashed := crashCopy(t, dir)
	s.Close()
	r, err := Open(crashed, Options{NoFsync: true, BootID: func() string { return "boot-1" }})
	if err != nil {
		t.Fatal(err)
	}
	writeKeys(t, r, 10, 10, []byte("v"))
	if n := countKeys(t, r); n != 20 {
		t.Fatalf("%d keys, want 20", n)
	}
	r.Close()
	for _, name := range []string{snapFile, bootFile} {
		if _, err := os.Stat(filepath.Join(crashed, name)); err == nil {
			t.Errorf("%s left behind by a run without fsync", name)
		}
	}
	if segs, _ := listSegments(crashed); len(segs) != 0 {
		t.Errorf("%d log segments left behind by a run without fsync", len(segs))
	}
	// A durable run afterwards takes a fresh snapshot and keeps everything.
	d, err := Open(crashed, bootIs("boot-1"))
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := os.Stat(filepath.Join(crashed, snapFile)); err != nil {
		t.Errorf("no snapshot after a durable open: %v", err)
	}
	p, err := Open(crashed, bootIs("boot-9"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if n := countKeys(t, p); n != 20 {
		t.Fatalf("after a reboot: %d keys, want 20", n)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	var r recorder
	r.reset(42)
	r.put("bucket", []byte("key"), []byte("value"))
	r.delete("other", []byte{0, 1, 2})
	r.put("b", []byte{}, []byte{})
	var got []string
	end, torn, err := readSegmentBytes(t, frame(nil, r.buf), func(seq uint64, ops []walOp) {
		for _, op := range ops {
			got = append(got, fmt.Sprintf("%d %d %s %q %q", seq, op.kind, op.bucket, op.key, op.value))
		}
	})
	if err != nil || torn || end != int64(len(frame(nil, r.buf))) {
		t.Fatalf("end=%d torn=%v err=%v", end, torn, err)
	}
	want := []string{`42 1 bucket "key" "value"`, `42 2 other "\x00\x01\x02" ""`, `42 1 b "" ""`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func readSegmentBytes(t *testing.T, data []byte, fn func(uint64, []walOp)) (int64, bool, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), segmentName(1))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return readSegment(path, func(seq uint64, ops []walOp) error { fn(seq, ops); return nil })
}
