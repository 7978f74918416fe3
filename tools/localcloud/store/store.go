package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/orderflow/orderflow/tools/localcloud/durable"
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

// Files in the data directory besides the log segments.
const (
	dbFile   = "state.db"   // the bbolt file, written without fsync
	snapFile = "state.snap" // a durable copy of dbFile the log continues from
	bootFile = "state.boot" // the boot the last writer ran in
	lockFile = "state.lock"
)

// segmentLimit is the log size at which a new segment starts and a checkpoint (a fresh
// snapshot, then removal of the segments it covers) runs in the background.
var segmentLimit int64 = 32 << 20 // a variable so tests can rotate small logs

var (
	metaBucket = []byte("\x00store")
	seqKey     = []byte("seq")
)

// Bolt is a Store on a bbolt file with group commit and a write-ahead log.
type Bolt struct {
	db      *bolt.DB
	dir     string
	logging bool
	unlock  func()

	reqs    chan *request
	applied chan *appliedGroup // groups applied to bbolt, waiting for the log (logging only)
	done    chan struct{}
	closeMu sync.RWMutex
	closed  bool

	// owned by the committer goroutine
	seq uint64
	rec recorder

	// owned by the log syncer goroutine
	wal        *os.File
	walSize    int64
	checkpoint sync.WaitGroup
	checkingMu sync.Mutex
	checking   bool

	failMu  sync.Mutex
	failErr error // a log write failed: no further write is acknowledged
	ckptErr error // the last background checkpoint failed (reported by Close)
}

type request struct {
	fn  func(Tx) error
	err chan error
}

type appliedGroup struct {
	reqs   []*request
	seq    uint64
	record []byte
}

// Options tune a store.
type Options struct {
	// NoFsync skips the write-ahead log and every fsync. Committed data is still
	// written to the operating system before Update returns, so it survives the process
	// being killed (kill -9) but not a machine crash or power loss.
	NoFsync bool
	// BootID identifies the running operating-system boot; a store last written in
	// another boot is rebuilt from its snapshot and log, since the bbolt file may have
	// lost unsynced pages. Default: Linux's /proc/sys/kernel/random/boot_id; where
	// that is unknown every open rebuilds.
	BootID func() string
}

// Open opens (creating if needed) the store in dir: recovers from a crash by replaying
// the write-ahead log, and from a power loss by first restoring the last snapshot.
func Open(dir string, opts ...Options) (*Bolt, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.BootID == nil {
		o.BootID = linuxBootID
	}
	path := filepath.Join(dir, dbFile)
	unlock, err := lockDir(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("open store %s: another process (a running localcloud?) holds it: %w", path, err)
	}
	b := &Bolt{dir: dir, logging: !o.NoFsync, unlock: unlock, reqs: make(chan *request, 1024), done: make(chan struct{})}
	if err := b.open(o.BootID()); err != nil {
		if b.db != nil {
			_ = b.db.Close()
		}
		if b.wal != nil {
			_ = b.wal.Close()
		}
		unlock()
		return nil, err
	}
	if b.logging {
		b.applied = make(chan *appliedGroup)
		go b.syncLoop()
	}
	go b.commitLoop()
	return b, nil
}

func (b *Bolt) open(boot string) error {
	path := filepath.Join(b.dir, dbFile)
	snap := filepath.Join(b.dir, snapFile)
	_, snapErr := os.Stat(snap)
	_, dbErr := os.Stat(path)
	prevBoot, bootErr := os.ReadFile(filepath.Join(b.dir, bootFile))
	// The bbolt file is trusted after a crash of the process (the kernel still wrote
	// every page) but not across a reboot that may have come from a power loss.
	if snapErr == nil && (errors.Is(dbErr, fs.ErrNotExist) || bootErr == nil && (boot == "" || string(prevBoot) != boot)) {
		if err := durable.CopyFile(snap, path, 0o600); err != nil {
			return fmt.Errorf("open store %s: restore snapshot: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, FreelistType: bolt.FreelistMapType,
		NoSync: true, NoGrowSync: true, NoFreelistSync: true, InitialMmapSize: 64 << 20})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("open store %s: another process (a running localcloud?) holds it: %w", path, err)
	}
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	b.db = db
	if err := b.replay(); err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.Sync(); err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if !b.logging {
		// Without the log there is no power-loss protection to keep: drop the
		// snapshot and log (just replayed) so a later durable run starts afresh.
		segs, _ := listSegments(b.dir)
		for _, s := range segs {
			_ = os.Remove(s.path)
		}
		_ = os.Remove(snap)
		_ = os.Remove(filepath.Join(b.dir, bootFile))
		return nil
	}
	if err := durable.WriteFile(filepath.Join(b.dir, bootFile), []byte(boot), 0o600); err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if err := b.openSegment(); err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if snapErr != nil {
		if err := b.takeCheckpoint(); err != nil {
			return fmt.Errorf("open store %s: first snapshot: %w", path, err)
		}
	}
	return nil
}

// replay applies every logged group newer than the bbolt file, truncating a torn tail
// of the last segment (a write that never completed, so was never acknowledged).
func (b *Bolt) replay() error {
	err := b.db.View(func(t *bolt.Tx) error {
		b.seq = readSeq(t)
		return nil
	})
	if err != nil {
		return err
	}
	segs, err := listSegments(b.dir)
	if err != nil {
		return err
	}
	for i, s := range segs {
		// Every record of a segment is older than the next segment's first: one the
		// bbolt file already holds entirely need not be read.
		if i+1 < len(segs) && segs[i+1].firstSeq-1 <= b.seq {
			continue
		}
		var pending []walOp
		last := b.seq
		end, torn, err := readSegment(s.path, func(seq uint64, ops []walOp) error {
			if seq > last {
				pending = append(pending, ops...)
				last = seq
			}
			return nil
		})
		if err != nil {
			return err
		}
		if torn && i < len(segs)-1 {
			return fmt.Errorf("write-ahead log segment %s is damaged at offset %d and later segments exist; refusing to open rather than lose acknowledged writes",
				filepath.Base(s.path), end)
		}
		if torn {
			if err := os.Truncate(s.path, end); err != nil {
				return fmt.Errorf("truncate torn log tail: %w", err)
			}
		}
		if last > b.seq {
			err := b.db.Update(func(t *bolt.Tx) error {
				tx := boltTx{t: t}
				for _, op := range pending {
					var err error
					if op.kind == opPut {
						err = tx.Put(op.bucket, op.key, op.value)
					} else {
						err = tx.Delete(op.bucket, op.key)
					}
					if err != nil {
						return err
					}
				}
				return writeSeq(t, last)
			})
			if err != nil {
				return fmt.Errorf("replay %s: %w", filepath.Base(s.path), err)
			}
			b.seq = last
		}
	}
	return nil
}

// openSegment opens the newest log segment for appending, or starts one.
func (b *Bolt) openSegment() error {
	segs, err := listSegments(b.dir)
	if err != nil {
		return err
	}
	path := filepath.Join(b.dir, segmentName(b.seq+1))
	if len(segs) > 0 {
		path = segs[len(segs)-1].path
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open write-ahead log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if err := durable.SyncDir(b.dir); err != nil {
		f.Close()
		return err
	}
	b.wal, b.walSize = f, st.Size()
	return nil
}

// takeCheckpoint writes a durable snapshot of the current bbolt state, then removes the
// log segments every record of which it holds.
func (b *Bolt) takeCheckpoint() error {
	t, err := b.db.Begin(false)
	if err != nil {
		return err
	}
	seq := readSeq(t)
	err = durable.Replace(filepath.Join(b.dir, snapFile), 0o600, func(w io.Writer) error {
		_, err := t.WriteTo(w)
		return err
	})
	_ = t.Rollback()
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	segs, err := listSegments(b.dir)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(segs); i++ {
		if segs[i+1].firstSeq <= seq+1 {
			if err := os.Remove(segs[i].path); err != nil {
				return fmt.Errorf("remove %s: %w", filepath.Base(segs[i].path), err)
			}
		}
	}
	return nil
}

func readSeq(t *bolt.Tx) uint64 {
	if bk := t.Bucket(metaBucket); bk != nil {
		if v := bk.Get(seqKey); len(v) == 8 {
			return binary.BigEndian.Uint64(v)
		}
	}
	return 0
}

func writeSeq(t *bolt.Tx, seq uint64) error {
	bk, err := t.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return err
	}
	return bk.Put(seqKey, binary.BigEndian.AppendUint64(nil, seq))
}

// linuxBootID is the kernel's boot ID, or "" where there is none.
func linuxBootID() string {
	id, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(id))
}

// Update implements Store with group commit: the committer takes every
// request queued while the previous group was applied and commits them together.
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

// View implements Store. It may see a group that is applied but not yet durable; such a
// group is lost only with a power loss, and then together with everything after it.
func (b *Bolt) View(fn func(Tx) error) error {
	return b.db.View(func(t *bolt.Tx) error { return fn(boltTx{t: t}) })
}

// Close stops the committer after the queued writes and closes the files.
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
	b.checkpoint.Wait()
	var errs []error
	if b.wal != nil && b.walSize > 0 && b.failure() == nil {
		// Leave a fresh snapshot and an empty log, so the next start reads no log.
		b.checkingMu.Lock()
		b.rotateLocked(b.seq)
		b.checkingMu.Unlock()
		b.checkpoint.Wait()
	}
	if b.wal != nil {
		errs = append(errs, b.wal.Close())
	}
	errs = append(errs, b.db.Sync(), b.db.Close())
	b.unlock()
	b.failMu.Lock()
	errs = append(errs, b.ckptErr)
	b.failMu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

func (b *Bolt) failure() error {
	b.failMu.Lock()
	defer b.failMu.Unlock()
	return b.failErr
}

func (b *Bolt) commitLoop() {
	defer func() {
		if b.logging {
			close(b.applied)
		} else {
			close(b.done)
		}
	}()
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

// commitGroup applies the group in one bbolt transaction and hands it to the log. A
// function that fails gets its own error and the rest are retried without it, as bbolt's
// Batch does, so one bad write never fails its neighbours.
func (b *Bolt) commitGroup(group []*request) {
	if err := b.failure(); err != nil {
		for _, r := range group {
			r.err <- err
		}
		return
	}
	for len(group) > 0 {
		failed := -1
		var failErr error
		seq := b.seq + 1
		err := b.db.Update(func(t *bolt.Tx) error {
			tx := boltTx{t: t}
			if b.logging {
				b.rec.reset(seq)
				tx.rec = &b.rec
			}
			for i, r := range group {
				if err := r.fn(tx); err != nil {
					failed, failErr = i, err
					return err
				}
			}
			return writeSeq(t, seq)
		})
		if failed >= 0 {
			group[failed].err <- failErr
			group = append(group[:failed:failed], group[failed+1:]...)
			continue
		}
		if err != nil {
			for _, r := range group {
				r.err <- fmt.Errorf("commit: %w", err)
			}
			return
		}
		b.seq = seq
		if !b.logging {
			for _, r := range group {
				r.err <- nil
			}
			return
		}
		b.applied <- &appliedGroup{reqs: group, seq: seq, record: frame(nil, b.rec.buf)}
		return
	}
}

// syncLoop appends applied groups to the log, as many as are waiting in one write and
// one fsync, and only then acknowledges them.
func (b *Bolt) syncLoop() {
	defer close(b.done)
	var buf []byte
	for first := range b.applied {
		batch := []*appliedGroup{first}
	drain:
		for len(batch) < 256 {
			select {
			case g, ok := <-b.applied:
				if !ok {
					break drain
				}
				batch = append(batch, g)
			default:
				break drain
			}
		}
		buf = buf[:0]
		for _, g := range batch {
			buf = append(buf, g.record...)
		}
		err := b.appendLog(buf, batch[len(batch)-1].seq)
		for _, g := range batch {
			for _, r := range g.reqs {
				r.err <- err
			}
		}
	}
}

// appendLog makes buf durable at the end of the log; lastSeq is its last record's.
func (b *Bolt) appendLog(buf []byte, lastSeq uint64) error {
	if err := b.failure(); err != nil {
		return err
	}
	_, err := b.wal.Write(buf)
	if err == nil {
		err = b.wal.Sync()
	}
	if err != nil {
		err = fmt.Errorf("write-ahead log: %w (later writes are refused; restart localcloud once the cause is fixed)", err)
		b.failMu.Lock()
		b.failErr = err
		b.failMu.Unlock()
		return err
	}
	b.walSize += int64(len(buf))
	if b.walSize >= segmentLimit {
		b.rotate(lastSeq)
	}
	return nil
}

// rotate starts a new segment after lastSeq and, unless one is running, a checkpoint.
func (b *Bolt) rotate(lastSeq uint64) {
	b.checkingMu.Lock()
	defer b.checkingMu.Unlock()
	if b.checking {
		return
	}
	b.rotateLocked(lastSeq)
}

// rotateLocked is rotate with checkingMu held and no checkpoint running.
func (b *Bolt) rotateLocked(lastSeq uint64) {
	f, err := os.OpenFile(filepath.Join(b.dir, segmentName(lastSeq+1)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err == nil {
		err = durable.SyncDir(b.dir)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		b.failMu.Lock()
		b.ckptErr = fmt.Errorf("start log segment: %w", err)
		b.failMu.Unlock()
		return
	}
	_ = b.wal.Close()
	b.wal, b.walSize = f, 0
	b.checking = true
	b.checkpoint.Go(func() {
		err := b.takeCheckpoint()
		b.failMu.Lock()
		b.ckptErr = err
		b.failMu.Unlock()
		b.checkingMu.Lock()
		b.checking = false
		b.checkingMu.Unlock()
	})
}

type boltTx struct {
	t   *bolt.Tx
	rec *recorder // nil when the group is not logged
}

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
	if x.rec != nil {
		x.rec.put(bucket, key, value)
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
	if x.rec != nil {
		x.rec.delete(bucket, key)
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
