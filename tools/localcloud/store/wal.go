package store

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The write-ahead log makes a group durable with one append and one fdatasync, while the
// bbolt file is written without syncing (see DECISIONS.md, "Store"). A log is a series of
// segment files named after the sequence number of their first record:
//
//	wal-<20-digit first seq>.log
//
// Each record is one committed group:
//
//	u32 payload length | u32 CRC-32C of payload | payload
//	payload = u64 seq, then ops: u8 kind (1 put, 2 delete), uvarint-prefixed bucket, key,
//	          and for a put the uvarint-prefixed value.
//
// Records are written only after their group is applied to bbolt, so the bbolt file's
// sequence number is never behind the log's durable end.

const (
	opPut    = 1
	opDelete = 2
	// maxRecord bounds a record's payload, so a damaged length cannot make replay
	// allocate without bound (bbolt values are at most 2 GiB; groups are far smaller).
	maxRecord = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recorder collects a group's puts and deletes as a log payload.
type recorder struct{ buf []byte }

func (r *recorder) reset(seq uint64) {
	r.buf = binary.BigEndian.AppendUint64(r.buf[:0], seq)
}

func (r *recorder) put(bucket string, key, value []byte) {
	r.buf = append(r.buf, opPut)
	r.buf = appendBytes(r.buf, []byte(bucket))
	r.buf = appendBytes(r.buf, key)
	r.buf = appendBytes(r.buf, value)
}

func (r *recorder) delete(bucket string, key []byte) {
	r.buf = append(r.buf, opDelete)
	r.buf = appendBytes(r.buf, []byte(bucket))
	r.buf = appendBytes(r.buf, key)
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// frame appends payload as a framed record to dst.
func frame(dst, payload []byte) []byte {
	var h [8]byte
	binary.BigEndian.PutUint32(h[:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(h[4:], crc32.Checksum(payload, castagnoli))
	return append(append(dst, h[:]...), payload...)
}

// walOp is one decoded put or delete.
type walOp struct {
	kind       byte
	bucket     string
	key, value []byte
}

// decodePayload splits a payload into its sequence number and operations.
func decodePayload(p []byte) (uint64, []walOp, error) {
	if len(p) < 8 {
		return 0, nil, errors.New("record shorter than its sequence number")
	}
	seq := binary.BigEndian.Uint64(p)
	p = p[8:]
	var ops []walOp
	next := func() ([]byte, error) {
		n, w := binary.Uvarint(p)
		if w <= 0 || uint64(len(p)-w) < n {
			return nil, errors.New("truncated field")
		}
		b := p[w : w+int(n)]
		p = p[w+int(n):]
		return b, nil
	}
	for len(p) > 0 {
		kind := p[0]
		p = p[1:]
		if kind != opPut && kind != opDelete {
			return 0, nil, fmt.Errorf("unknown operation %d", kind)
		}
		bucket, err := next()
		if err != nil {
			return 0, nil, err
		}
		key, err := next()
		if err != nil {
			return 0, nil, err
		}
		op := walOp{kind: kind, bucket: string(bucket), key: key}
		if kind == opPut {
			if op.value, err = next(); err != nil {
				return 0, nil, err
			}
		}
		ops = append(ops, op)
	}
	return seq, ops, nil
}

// segment is one log file on disk.
type segment struct {
	path     string
	firstSeq uint64
}

func segmentName(firstSeq uint64) string { return fmt.Sprintf("wal-%020d.log", firstSeq) }

// listSegments returns dir's log segments in sequence order.
func listSegments(dir string) ([]segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list write-ahead log: %w", err)
	}
	var out []segment
	for _, e := range entries {
		name := e.Name()
		num, ok := strings.CutPrefix(name, "wal-")
		if !ok {
			continue
		}
		num, ok = strings.CutSuffix(num, ".log")
		if !ok {
			continue
		}
		seq, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			continue
		}
		out = append(out, segment{path: filepath.Join(dir, name), firstSeq: seq})
	}
	slices.SortFunc(out, func(a, b segment) int { return cmp.Compare(a.firstSeq, b.firstSeq) })
	return out, nil
}

// readSegment calls fn for every whole, intact record in path, in order, and returns the
// offset just past the last one. A record cut short or failing its checksum ends the
// scan: that is where a write in progress was interrupted (torn is true).
func readSegment(path string, fn func(seq uint64, ops []walOp) error) (end int64, torn bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var h [8]byte
	for {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return end, false, nil
			}
			return end, true, nil
		}
		n := binary.BigEndian.Uint32(h[:4])
		if n > maxRecord {
			return end, true, nil
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return end, true, nil
		}
		if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(h[4:]) {
			return end, true, nil
		}
		seq, ops, err := decodePayload(payload)
		if err != nil {
			return end, true, nil
		}
		if err := fn(seq, ops); err != nil {
			return end, false, err
		}
		end += int64(len(h)) + int64(n)
	}
}
