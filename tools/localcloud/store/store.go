package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Store is the persistence interface shared by localcloud services.
type Store interface {
	// Update runs fn in a read-write transaction and returns once the
	// transaction is durable on disk. Concurrent Updates may share one
	// commit; fn must only touch the transaction (it may run again if
	// another function in its group fails).
	Update(fn func(Tx) error) error
	// Enqueue queues fn for the next group commit and returns at once;
	// the channel yields fn's durable outcome. Functions commit in the
	// order they were enqueued, so callers can enqueue under their own
	// lock and wait for durability after releasing it.
	Enqueue(fn func(Tx) error) <-chan error
	// View runs fn in a read-only transaction.
	View(fn func(Tx) error) error
	// Close flushes and closes the store.
	Close() error
}

// Tx is a transaction over named buckets of ordered keys.
type Tx interface {
	// Get returns the value for key, or nil. The slice is only valid
	// during the transaction.
	Get(bucket string, key []byte) []byte
	// Put stores value under key, creating the bucket if needed.
	Put(bucket string, key, value []byte) error
	// Delete removes key; a missing key or bucket is not an error.
	Delete(bucket string, key []byte) error
	// ForEach calls fn for every key starting with prefix, in key order.
	ForEach(bucket string, prefix []byte, fn func(k, v []byte) error) error
}

// ErrClosed is returned by operations on a closed store.
var ErrClosed = errors.New("store closed")

// Bolt is a Store on a bbolt file with group commit.
type Bolt struct {
	db      *bolt.DB
	reqs    chan *request
	done    chan struct{}
	closeMu sync.RWMutex
	closed  bool
}

type request struct {
	fn  func(Tx) error
	err chan error
}

// Options tune a store.
type Options struct {
	// NoFsync skips fsync on commit. Committed data is still written to the
	// operating system before Update returns, so it survives the process
	// being killed (kill -9) but not a machine crash or power loss.
	NoFsync bool
}

// Open opens (creating if needed) the store file "state.db" in dir.
func Open(dir string, opts ...Options) (*Bolt, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	path := filepath.Join(dir, "state.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, FreelistType: bolt.FreelistMapType,
		NoSync: o.NoFsync, NoFreelistSync: true, InitialMmapSize: 64 << 20})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: another process (a running localcloud?) holds it: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	b := &Bolt{db: db, reqs: make(chan *request, 1024), done: make(chan struct{})}
	go b.commitLoop()
	return b, nil
}

// Update implements Store with group commit: the committer takes every
// request queued while the previous fsync ran and commits them together.
func (b *Bolt) Update(fn func(Tx) error) error {
	return <-b.Enqueue(fn)
}

// Enqueue implements Store.
func (b *Bolt) Enqueue(fn func(Tx) error) <-chan error {
	r := &request{fn: fn, err: make(chan error, 1)}
	b.closeMu.RLock()
	defer b.closeMu.RUnlock()
	if b.closed {
		r.err <- ErrClosed
		return r.err
	}
	b.reqs <- r
	return r.err
}

// View implements Store.
func (b *Bolt) View(fn func(Tx) error) error {
	return b.db.View(func(t *bolt.Tx) error { return fn(boltTx{t}) })
}

// Close stops the committer after the queued writes and closes the file.
func (b *Bolt) Close() error {
	b.closeMu.Lock()
	if b.closed {
		b.closeMu.Unlock()
		return nil
	}
	b.closed = true
	close(b.reqs)
	b.closeMu.Unlock()
	<-b.done
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

func (b *Bolt) commitLoop() {
	defer close(b.done)
	const maxGroup = 512
	for first := range b.reqs {
		group := []*request{first}
	drain:
		for len(group) < maxGroup {
			select {
			case r, ok := <-b.reqs:
				if !ok {
					break drain
				}
				group = append(group, r)
			default:
				break drain
			}
		}
		b.commitGroup(group)
	}
}

// commitGroup commits the group in one transaction. A function that fails
// gets its own error and the rest are retried without it, as bbolt's Batch
// does, so one bad write never fails its neighbours.
func (b *Bolt) commitGroup(group []*request) {
	for len(group) > 0 {
		failed := -1
		var failErr error
		err := b.db.Update(func(t *bolt.Tx) error {
			for i, r := range group {
				if err := r.fn(boltTx{t}); err != nil {
					failed, failErr = i, err
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			group[failed].err <- failErr
			group = append(group[:failed:failed], group[failed+1:]...)
			continue
		}
		for _, r := range group {
			if err != nil {
				r.err <- fmt.Errorf("commit: %w", err)
			} else {
				r.err <- nil
			}
		}
		return
	}
}

type boltTx struct{ t *bolt.Tx }

func (x boltTx) Get(bucket string, key []byte) []byte {
	bk := x.t.Bucket([]byte(bucket))
	if bk == nil {
		return nil
	}
	return bk.Get(key)
}

func (x boltTx) Put(bucket string, key, value []byte) error {
	bk, err := x.t.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return fmt.Errorf("bucket %s: %w", bucket, err)
	}
	if err := bk.Put(key, value); err != nil {
		return fmt.Errorf("put %s/%s: %w", bucket, key, err)
	}
	return nil
}

func (x boltTx) Delete(bucket string, key []byte) error {
	bk := x.t.Bucket([]byte(bucket))
	if bk == nil {
		return nil
	}
	if err := bk.Delete(key); err != nil {
		return fmt.Errorf("delete %s/%s: %w", bucket, key, err)
	}
	return nil
}

func (x boltTx) ForEach(bucket string, prefix []byte, fn func(k, v []byte) error) error {
	bk := x.t.Bucket([]byte(bucket))
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func hasPrefix(k, p []byte) bool {
	return len(k) >= len(p) && string(k[:len(p)]) == string(p)
}
