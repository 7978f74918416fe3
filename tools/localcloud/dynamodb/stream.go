package dynamodb

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// StreamRetention is how long stream records are kept.
const StreamRetention = 24 * time.Hour

// streamRecord is a stream's definition as the store keeps it.
type streamRecord struct {
	Arn       string             `json:"arn"`
	Table     string             `json:"table"`
	TableID   string             `json:"tableId"`
	Label     string             `json:"label"`
	ViewType  string             `json:"viewType"`
	Created   int64              `json:"created"`
	Disabled  int64              `json:"disabled,omitempty"`
	KeySchema []KeySchemaElement `json:"keySchema"`
	ShardID   string             `json:"shardId"`
}

type streamState struct {
	rec streamRecord
	// wake is closed (and replaced) when records commit or the stream
	// is disabled.
	wake chan struct{}
}

// StreamRecord is one DynamoDB Streams record in AWS's shape, as GetRecords
// returns it (Lambda's event adds eventSourceARN).
type StreamRecord struct {
	EventID      string     `json:"eventID"`
	EventName    string     `json:"eventName"`
	EventVersion string     `json:"eventVersion"`
	EventSource  string     `json:"eventSource"`
	AWSRegion    string     `json:"awsRegion"`
	Dynamodb     StreamData `json:"dynamodb"`
}

// Seq is the record's sequence number as a position for ReadStream.
func (r StreamRecord) Seq() uint64 {
	n, _ := ParseSequenceNumber(r.Dynamodb.SequenceNumber)
	return n
}

// StreamData is the "dynamodb" member of a stream record.
type StreamData struct {
	// ApproximateCreationDateTime is in epoch seconds.
	ApproximateCreationDateTime float64   `json:"ApproximateCreationDateTime"`
	Keys                        attr.Item `json:"Keys"`
	NewImage                    attr.Item `json:"NewImage,omitempty"`
	OldImage                    attr.Item `json:"OldImage,omitempty"`
	SequenceNumber              string    `json:"SequenceNumber"`
	SizeBytes                   int64     `json:"SizeBytes"`
	StreamViewType              string    `json:"StreamViewType"`
}

// StreamInfo describes a stream and the sequence numbers it holds.
type StreamInfo struct {
	Arn       string
	TableName string
	Label     string
	ViewType  string
	Created   time.Time
	// Disabled is when the stream was disabled; zero while it is enabled.
	// A disabled stream's only shard is closed.
	Disabled  time.Time
	KeySchema []KeySchemaElement
	ShardID   string
	// First is the sequence number of the first record ever written
	// (1); Last is that of the latest record, 0 when there is none.
	Last uint64
}

// Enabled reports whether the stream still receives records.
func (i StreamInfo) Enabled() bool { return i.Disabled.IsZero() }

// ErrStreamNotFound is returned for an unknown stream ARN.
var ErrStreamNotFound = errors.New("stream not found")

// ErrTrimmed is returned when a read starts before the oldest record still
// kept (records are kept StreamRetention).
var ErrTrimmed = errors.New("stream records trimmed")

// FormatSequenceNumber renders n as a stream sequence number: a numeric
// string of fixed width, so that numeric and lexical order agree.
func FormatSequenceNumber(n uint64) string { return "1" + fmt.Sprintf("%020d", n) }

// ParseSequenceNumber is the inverse of FormatSequenceNumber.
func ParseSequenceNumber(s string) (uint64, bool) {
	if len(s) != 21 || s[0] != '1' {
		return 0, false
	}
	n, err := strconv.ParseUint(s[1:], 10, 64)
	return n, err == nil
}

func putStream(tx store.Tx, rec *streamRecord) error {
	return tx.Put(bucketStreams, []byte(rec.Arn), mustJSON(rec))
}

// addStream installs or updates a stream's definition and wakes its readers.
func (s *Service) addStream(rec streamRecord) {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	st := s.streams[rec.Arn]
	if st == nil {
		s.streams[rec.Arn] = &streamState{rec: rec, wake: make(chan struct{})}
		return
	}
	st.rec = rec
	close(st.wake)
	st.wake = make(chan struct{})
}

func (s *Service) streamExists(arn string) bool {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	return s.streams[arn] != nil
}

// disableStream returns the stream's definition marked disabled at now; the
// caller persists it and then installs it with addStream.
func (s *Service) disableStream(arn string, now time.Time) *streamRecord {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	st := s.streams[arn]
	if st == nil {
		return nil
	}
	rec := st.rec
	rec.Disabled = now.UnixMilli()
	return &rec
}

func (s *Service) notify(arns []string) {
	if len(arns) == 0 {
		return
	}
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	for _, arn := range arns {
		if st := s.streams[arn]; st != nil {
			close(st.wake)
			st.wake = make(chan struct{})
		}
	}
}

// StreamWait returns a channel that is closed when records are next
// committed to the stream (or it is disabled). Take it before reading, then
// read, then wait on it if the read found nothing: no record is missed.
func (s *Service) StreamWait(arn string) (<-chan struct{}, error) {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	st := s.streams[arn]
	if st == nil {
		return nil, ErrStreamNotFound
	}
	return st.wake, nil
}

func recordKey(arn string, seq uint64) []byte {
	k := append([]byte(arn), 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

func seqKey(arn string) []byte { return append([]byte(arn), 1) }

func lastSeq(tx store.Tx, arn string) uint64 {
	if v := tx.Get(bucketRecords, seqKey(arn)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// appendRecord writes rec as the stream's next record and drops a few
// records past retention from the stream's head.
func appendRecord(tx store.Tx, arn string, rec *StreamRecord, now time.Time) error {
	seq := lastSeq(tx, arn) + 1
	if err := tx.Put(bucketRecords, seqKey(arn), binary.BigEndian.AppendUint64(nil, seq)); err != nil {
		return err
	}
	rec.Dynamodb.SequenceNumber = FormatSequenceNumber(seq)
	val := binary.BigEndian.AppendUint64(nil, uint64(now.UnixMilli()))
	val = append(val, mustJSON(rec)...)
	if err := tx.Put(bucketRecords, recordKey(arn, seq), val); err != nil {
		return err
	}
	return trimHead(tx, arn, now, 4)
}

var errStop = errors.New("stop")

func trimHead(tx store.Tx, arn string, now time.Time, limit int) error {
	horizon := uint64(now.Add(-StreamRetention).UnixMilli())
	var expired [][]byte
	err := tx.ForEach(bucketRecords, append([]byte(arn), 0), func(k, v []byte) error {
		if len(expired) == limit || len(v) < 8 || binary.BigEndian.Uint64(v) >= horizon {
			return errStop
		}
		expired = append(expired, bytes.Clone(k))
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	for _, k := range expired {
		if err := tx.Delete(bucketRecords, k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) streamInfo(tx store.Tx, rec streamRecord) StreamInfo {
	info := StreamInfo{Arn: rec.Arn, TableName: rec.Table, Label: rec.Label, ViewType: rec.ViewType,
		Created: time.UnixMilli(rec.Created), KeySchema: rec.KeySchema, ShardID: rec.ShardID, Last: lastSeq(tx, rec.Arn)}
	if rec.Disabled != 0 {
		info.Disabled = time.UnixMilli(rec.Disabled)
	}
	return info
}

// Streams describes every stream, ordered by ARN.
func (s *Service) Streams() ([]StreamInfo, error) {
	s.streamsMu.Lock()
	recs := make([]streamRecord, 0, len(s.streams))
	for _, st := range s.streams {
		recs = append(recs, st.rec)
	}
	s.streamsMu.Unlock()
	sort.Slice(recs, func(i, j int) bool { return recs[i].Arn < recs[j].Arn })
	out := make([]StreamInfo, len(recs))
	err := s.cfg.Store.View(func(tx store.Tx) error {
		for i, r := range recs {
			out[i] = s.streamInfo(tx, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list streams: %w", err)
	}
	return out, nil
}

// Stream describes one stream.
func (s *Service) Stream(arn string) (StreamInfo, error) {
	s.streamsMu.Lock()
	st := s.streams[arn]
	s.streamsMu.Unlock()
	if st == nil {
		return StreamInfo{}, ErrStreamNotFound
	}
	var info StreamInfo
	err := s.cfg.Store.View(func(tx store.Tx) error {
		s.streamsMu.Lock()
		rec := st.rec
		s.streamsMu.Unlock()
		info = s.streamInfo(tx, rec)
		return nil
	})
	if err != nil {
		return StreamInfo{}, fmt.Errorf("describe stream: %w", err)
	}
	return info, nil
}

// TrimHorizon returns the position before the oldest record still kept:
// reading after it returns that record first.
func (s *Service) TrimHorizon(arn string) (uint64, error) {
	if _, err := s.Stream(arn); err != nil {
		return 0, err
	}
	var pos uint64
	err := s.cfg.Store.View(func(tx store.Tx) error {
		pos = s.firstKept(tx, arn) - 1
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("trim horizon: %w", err)
	}
	return pos, nil
}

// firstKept is the sequence number of the oldest record within retention
// (the next one to be written when there is none).
func (s *Service) firstKept(tx store.Tx, arn string) uint64 {
	horizon := uint64(s.cfg.Clock.Now().Add(-StreamRetention).UnixMilli())
	first := lastSeq(tx, arn) + 1
	_ = tx.ForEach(bucketRecords, append([]byte(arn), 0), func(k, v []byte) error {
		if len(v) >= 8 && binary.BigEndian.Uint64(v) >= horizon {
			first = binary.BigEndian.Uint64(k[len(k)-8:])
			return errStop
		}
		return nil
	})
	return first
}

// ReadStream returns up to limit records of the stream after sequence
// number after (0 reads from the first record ever written), stopping
// before maxBytes of record data would be exceeded (but returning at least
// one record). It fails with ErrTrimmed when records after `after` have
// passed retention.
func (s *Service) ReadStream(arn string, after uint64, limit, maxBytes int) ([]StreamRecord, error) {
	if _, err := s.Stream(arn); err != nil {
		return nil, err
	}
	var out []StreamRecord
	err := s.cfg.Store.View(func(tx store.Tx) error {
		if after+1 < s.firstKept(tx, arn) {
			return ErrTrimmed
		}
		// Sequence numbers are dense, so the read walks 256-record blocks
		// (keys sharing all but the last byte of the sequence number)
		// from the one holding after+1 instead of the whole stream.
		last := lastSeq(tx, arn)
		size := 0
		full := false
		for block := (after + 1) >> 8; !full && block <= last>>8; block++ {
			prefix := recordKey(arn, block<<8)
			prefix = prefix[:len(prefix)-1]
			err := tx.ForEach(bucketRecords, prefix, func(k, v []byte) error {
				if binary.BigEndian.Uint64(k[len(k)-8:]) <= after {
					return nil
				}
				if len(out) >= limit || (len(out) > 0 && size+len(v)-8 > maxBytes) {
					full = true
					return errStop
				}
				var r StreamRecord
				if err := json.Unmarshal(v[8:], &r); err != nil {
					return fmt.Errorf("record %x: %w", k, err)
				}
				size += len(v) - 8
				out = append(out, r)
				return nil
			})
			if err != nil && !errors.Is(err, errStop) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrTrimmed) {
			return nil, ErrTrimmed
		}
		return nil, fmt.Errorf("read stream: %w", err)
	}
	return out, nil
}

// TableExists reports whether a table exists (ListStreams' TableName must
// name one).
func (s *Service) TableExists(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tables[name] != nil
}
