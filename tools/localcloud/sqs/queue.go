package sqs

import (
	"container/heap"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Store buckets.
const (
	bucketQueues   = "sqs.queues"
	bucketMessages = "sqs.messages"
	bucketDedup    = "sqs.dedup"
)

// queueRecord is a queue's persisted definition.
type queueRecord struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
	Tags       map[string]string `json:"tags,omitempty"`
	Created    int64             `json:"created"`
	Modified   int64             `json:"modified"`
	LastPurge  int64             `json:"lastPurge,omitempty"`
}

// message is a persisted message. Times are Unix milliseconds.
type message struct {
	Seq            uint64                           `json:"seq"`
	ID             string                           `json:"id"`
	Body           string                           `json:"body"`
	Attributes     map[string]MessageAttributeValue `json:"attrs,omitempty"`
	SystemAttrs    map[string]MessageAttributeValue `json:"sysAttrs,omitempty"`
	SenderID       string                           `json:"sender"`
	SentAt         int64                            `json:"sent"`
	VisibleAt      int64                            `json:"visible"`
	ReceiveCount   int                              `json:"receives"`
	FirstReceiveAt int64                            `json:"firstReceive,omitempty"`
	Nonce          string                           `json:"nonce,omitempty"`
	DLQSourceArn   string                           `json:"dlqSource,omitempty"`
	GroupID        string                           `json:"group,omitempty"`
	DedupID        string                           `json:"dedup,omitempty"`

	// duplicate marks a FIFO send answered from the deduplication window
	// (ID and Seq are the original's); it is not stored again.
	duplicate bool

	// idx is the message's position in its queue's heap.
	idx int
}

// queue is a live queue: its record and an index of its messages.
type queue struct {
	mu   sync.Mutex
	rec  queueRecord
	arn  string
	msgs map[uint64]*message
	// ready orders messages by (VisibleAt, Seq): the next receivable
	// message is at the top, so a receive costs O(log n) however many
	// messages are in flight.
	ready   messageHeap
	deleted bool
	// dedup is a FIFO queue's deduplication window by scope key.
	dedup map[string]dedupEntry
	// changed is closed (and replaced) whenever messages may have become
	// receivable, waking long polls.
	changed chan struct{}
}

func newQueue(rec queueRecord, arn string) *queue {
	return &queue{rec: rec, arn: arn, msgs: map[uint64]*message{}, dedup: map[string]dedupEntry{}, changed: make(chan struct{})}
}

// dedupEntry remembers a FIFO send for the five-minute deduplication window.
type dedupEntry struct {
	ID      string `json:"id"`
	Seq     uint64 `json:"seq"`
	Expires int64  `json:"expires"`
}

// dedupWindow is SQS's FIFO deduplication interval.
const dedupWindow = 5 * 60 * 1000

func (q *queue) fifo() bool { return q.rec.Attributes["FifoQueue"] == "true" }

// dedupKey scopes a deduplication ID per queue or per message group.
func (q *queue) dedupKey(group, id string) string {
	if q.rec.Attributes["DeduplicationScope"] == "messageGroup" {
		return group + "\x00" + id
	}
	return id
}

// sequenceNumber is the FIFO SequenceNumber of a message.
func sequenceNumber(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// notifyLocked wakes every waiting receive. Callers hold q.mu.
func (q *queue) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// insertLocked adds m to the index.
func (q *queue) insertLocked(m *message) {
	q.msgs[m.Seq] = m
	heap.Push(&q.ready, m)
}

// removeLocked drops seq from the index.
func (q *queue) removeLocked(seq uint64) {
	m := q.msgs[seq]
	if m == nil {
		return
	}
	delete(q.msgs, seq)
	heap.Remove(&q.ready, m.idx)
}

// fixLocked restores heap order after m.VisibleAt changed.
func (q *queue) fixLocked(m *message) { heap.Fix(&q.ready, m.idx) }

// clearLocked drops every message.
func (q *queue) clearLocked() {
	q.msgs = map[uint64]*message{}
	q.ready = nil
}

// messageHeap implements heap.Interface over messages.
type messageHeap []*message

func (h messageHeap) Len() int { return len(h) }
func (h messageHeap) Less(i, j int) bool {
	if h[i].VisibleAt != h[j].VisibleAt {
		return h[i].VisibleAt < h[j].VisibleAt
	}
	return h[i].Seq < h[j].Seq
}
func (h messageHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *messageHeap) Push(x any) {
	m := x.(*message)
	m.idx = len(*h)
	*h = append(*h, m)
}
func (h *messageHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return m
}

func (q *queue) attrInt(name string) int {
	v, ok := q.rec.Attributes[name]
	if !ok {
		v = defaults[name]
	}
	n, _ := strconv.Atoi(v)
	return n
}

func (q *queue) redrive() (redrivePolicy, bool) {
	v := q.rec.Attributes["RedrivePolicy"]
	if v == "" {
		return redrivePolicy{}, false
	}
	p, err := parseRedrive(v)
	return p, err == nil
}

func msgKey(queueName string, seq uint64) []byte {
	k := make([]byte, 0, len(queueName)+9)
	k = append(k, queueName...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

func msgPrefix(queueName string) []byte {
	return append([]byte(queueName), 0)
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only maps of strings and plain structs are encoded; a failure
		// is a programming error.
		panic("sqs: encode: " + err.Error())
	}
	return b
}

func ms(t time.Time) int64 { return t.UnixMilli() }
