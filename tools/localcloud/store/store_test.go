package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestUpdatePersistsAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(func(tx Tx) error {
				return tx.Put("b", fmt.Appendf(nil, "k%03d", i), []byte("v"))
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	err = s.View(func(tx Tx) error {
		return tx.ForEach("b", []byte("k0"), func(k, v []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 50 {
		t.Fatalf("got %d keys after reopen, want 50", n)
	}
}

func TestFailingUpdateDoesNotFailNeighbours(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(func(tx Tx) error {
				if err := tx.Put("b", fmt.Appendf(nil, "%02d", i), []byte("v")); err != nil {
					return err
				}
				if i%5 == 0 {
					return boom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%5 == 0) != errors.Is(err, boom) {
			t.Errorf("update %d: err = %v", i, err)
		}
	}
	_ = s.View(func(tx Tx) error {
		for i := range 20 {
			got := tx.Get("b", fmt.Appendf(nil, "%02d", i)) != nil
			if got != (i%5 != 0) {
				t.Errorf("key %02d present = %v", i, got)
			}
		}
		return nil
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("update after close: %v", err)
	}
}

// BenchmarkDurableWrites compares the write strategies behind DECISIONS.md:
// one fsync per write, bbolt's Batch, and this package's group commit, with
// 1 and 64 concurrent writers.
func BenchmarkDurableWrites(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("bolt-update/writers=%d", writers), func(b *testing.B) {
			db, err := bolt.Open(b.TempDir()+"/x.db", 0o600, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			runWriters(b, writers, func(k []byte) error {
				return db.Update(func(t *bolt.Tx) error {
					bk, err := t.CreateBucketIfNotExists([]byte("b"))
					if err != nil {
						return err
					}
					return bk.Put(k, k)
				})
			})
		})
		b.Run(fmt.Sprintf("bolt-batch/writers=%d", writers), func(b *testing.B) {
			db, err := bolt.Open(b.TempDir()+"/x.db", 0o600, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			runWriters(b, writers, func(k []byte) error {
				return db.Batch(func(t *bolt.Tx) error {
					bk, err := t.CreateBucketIfNotExists([]byte("b"))
					if err != nil {
						return err
					}
					return bk.Put(k, k)
				})
			})
		})
		b.Run(fmt.Sprintf("group-commit/writers=%d", writers), func(b *testing.B) {
			s, err := Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			runWriters(b, writers, func(k []byte) error {
				return s.Update(func(tx Tx) error { return tx.Put("b", k, k) })
			})
		})
	}
}

func runWriters(b *testing.B, writers int, write func(k []byte) error) {
	var mu sync.Mutex
	next := 0
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= b.N {
					return
				}
				if err := write(fmt.Appendf(nil, "%010d", i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("second open: %v", err)
	}
}
