package logs

import (
	"encoding/binary"
	"encoding/json"
	"sync"
)

// Store buckets.
const (
	bucketGroups  = "logs.groups"
	bucketStreams = "logs.streams"
	bucketEvents  = "logs.events"
	bucketMinutes = "logs.minutes"
)

// groupRecord is a log group's persisted definition.
type groupRecord struct {
	Name      string            `json:"name"`
	Created   int64             `json:"created"`
	Retention int               `json:"retention,omitempty"`
	KmsKeyID  string            `json:"kms,omitempty"`
	Class     string            `json:"class,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
	Protected bool              `json:"protected,omitempty"`
}

// streamRecord is a log stream's persisted definition and summary.
type streamRecord struct {
	ID         uint64 `json:"id"`
	Group      string `json:"group"`
	Name       string `json:"name"`
	Created    int64  `json:"created"`
	First      int64  `json:"first,omitempty"`
	Last       int64  `json:"last,omitempty"`
	LastIngest int64  `json:"lastIngest,omitempty"`
	LastSeq    uint64 `json:"lastSeq,omitempty"`
	Uploads    uint64 `json:"uploads,omitempty"`
	Bytes      int64  `json:"bytes,omitempty"`
	HasEvents  bool   `json:"hasEvents,omitempty"`
}

// minute is one non-empty minute of a stream: its events share a key
// prefix, so reads seek straight to the minutes they need.
type minute struct {
	Minute int64
	Count  int64
	Bytes  int64
}

// group is a live log group. mu guards everything below it and the
// streams' state.
type group struct {
	mu      sync.Mutex
	rec     groupRecord
	streams map[string]*stream
	deleted bool
}

// stream is a live log stream.
type stream struct {
	rec     streamRecord
	minutes []minute // ascending by Minute
	deleted bool
}

// minuteIndex returns the position of m in s.minutes and whether it exists.
func (s *stream) minuteIndex(m int64) (int, bool) {
	lo, hi := 0, len(s.minutes)
	for lo < hi {
		mid := (lo + hi) / 2
		if s.minutes[mid].Minute < m {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(s.minutes) && s.minutes[lo].Minute == m
}

// addToMinute records an event of size bytes in minute m and returns the
// minute's new totals.
func (s *stream) addToMinute(m int64, size int64) minute {
	i, ok := s.minuteIndex(m)
	if !ok {
		s.minutes = append(s.minutes, minute{})
		copy(s.minutes[i+1:], s.minutes[i:])
		s.minutes[i] = minute{Minute: m}
	}
	s.minutes[i].Count++
	s.minutes[i].Bytes += size
	return s.minutes[i]
}

func minuteOf(ts int64) int64 {
	m := ts / 60000
	if ts%60000 < 0 {
		m-- // floor, without overflowing near math.MinInt64
	}
	return m
}

// Keys: events are streamID | minute | timestamp | seq (big-endian, with
// the sign bit flipped so negative times sort first); minute records are
// streamID | minute.

func orderable(v int64) uint64 { return uint64(v) ^ (1 << 63) }

func minutePrefix(streamID uint64, m int64) []byte {
	k := make([]byte, 0, 32)
	k = binary.BigEndian.AppendUint64(k, streamID)
	return binary.BigEndian.AppendUint64(k, orderable(m))
}

func streamPrefix(streamID uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, streamID)
}

func eventKey(streamID uint64, ts int64, seq uint64) []byte {
	k := minutePrefix(streamID, minuteOf(ts))
	k = binary.BigEndian.AppendUint64(k, orderable(ts))
	return binary.BigEndian.AppendUint64(k, seq)
}

func parseEventKey(k []byte) (ts int64, seq uint64, ok bool) {
	if len(k) != 32 {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(k[16:24]) ^ (1 << 63)), binary.BigEndian.Uint64(k[24:32]), true
}

// eventValue is ingestion time | message.
func eventValue(ingest int64, msg string) []byte {
	v := make([]byte, 8, 8+len(msg))
	binary.BigEndian.PutUint64(v, uint64(ingest))
	return append(v, msg...)
}

func parseEventValue(v []byte) (ingest int64, msg string, ok bool) {
	if len(v) < 8 {
		return 0, "", false
	}
	return int64(binary.BigEndian.Uint64(v[:8])), string(v[8:]), true
}

func minuteValue(m minute) []byte {
	v := binary.BigEndian.AppendUint64(nil, uint64(m.Count))
	return binary.BigEndian.AppendUint64(v, uint64(m.Bytes))
}

func streamKey(groupName, streamName string) []byte {
	k := make([]byte, 0, len(groupName)+1+len(streamName))
	k = append(k, groupName...)
	k = append(k, 0)
	return append(k, streamName...)
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain structs and string maps are encoded; a failure is a
		// programming error.
		panic("logs: encode: " + err.Error())
	}
	return b
}
