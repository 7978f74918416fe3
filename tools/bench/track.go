package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BatchGetItemAPI is the part of the DynamoDB client the tracker polls the table with.
type BatchGetItemAPI interface {
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Tracker follows accepted orders to the table (item present) and to the mailbox (an
// e-mail naming the order), recording when each was first seen. It polls: the table with
// consistent BatchGetItem calls for the orders not yet seen there (only when DB is set),
// the mailbox with a directory listing that reads each new file once.
type Tracker struct {
	DB    BatchGetItemAPI
	Table string
	// MailDir is <data-dir>/mail; IDs finds order IDs in a message.
	MailDir string
	IDs     *regexp.Regexp
	// Every is the polling interval (default 5 ms).
	Every time.Duration

	mu       sync.Mutex
	sent     map[string]time.Time
	stored   map[string]time.Time
	mailed   map[string]time.Time
	mails    map[string]int
	seenFile map[string]bool
}

// NewTracker returns a Tracker for orders whose IDs match ids.
func NewTracker(db BatchGetItemAPI, table, mailDir string, ids *regexp.Regexp) *Tracker {
	return &Tracker{DB: db, Table: table, MailDir: mailDir, IDs: ids, Every: 5 * time.Millisecond,
		sent: map[string]time.Time{}, stored: map[string]time.Time{}, mailed: map[string]time.Time{},
		mails: map[string]int{}, seenFile: map[string]bool{}}
}

// Add starts following an accepted order.
func (t *Tracker) Add(a Accepted) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.sent[a.OrderID]; !ok {
		t.sent[a.OrderID] = a.Sent
	}
}

// Follow polls until ctx ends or, once done is closed, every followed order has been
// e-mailed. It returns the first polling error. Where the system can announce new files
// (Linux), e-mails are taken as they land and the mailbox is listed only at the start,
// after an event overflow and at the end; elsewhere it is listed on every poll.
func (t *Tracker) Follow(ctx context.Context, done <-chan struct{}) error {
	watch, werr := watchMail(t.MailDir)
	var events <-chan mailEvent
	var overflow <-chan struct{}
	if werr == nil {
		defer watch.close()
		events, overflow = watch.events, watch.overflow
	}
	tick := time.NewTicker(t.Every)
	defer tick.Stop()
	closed := false
	list := true // list the mailbox: at the start (files before the watch) and when needed
	pollDB := t.DB != nil
	for {
		if pollDB {
			if err := t.pollTable(ctx); err != nil && ctx.Err() == nil {
				return err
			}
			pollDB = false
		}
		if list || events == nil {
			if err := t.pollMail(); err != nil {
				return err
			}
			list = false
		}
		if closed && t.pending() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			closed, done = true, nil
			list = true // whatever landed meanwhile is seen before deciding
		case <-overflow:
			overflow, list = nil, true
			events = nil // from now on, list on every poll
		case ev, ok := <-events:
			if !ok {
				events = nil
				list = true
				continue
			}
			if err := t.readMail(ev.name, ev.at); err != nil {
				return err
			}
			continue // drain events without waiting for the tick
		case <-tick.C:
			pollDB = t.DB != nil
			if events != nil && closed {
				list = true // a last safety net while draining
			}
		}
	}
}

// pending counts followed orders not yet e-mailed.
func (t *Tracker) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for id := range t.sent {
		if _, ok := t.mailed[id]; !ok {
			n++
		}
	}
	return n
}

func (t *Tracker) pollTable(ctx context.Context) error {
	t.mu.Lock()
	var ids []string
	for id := range t.sent {
		if _, ok := t.stored[id]; !ok {
			ids = append(ids, id)
		}
	}
	t.mu.Unlock()
	for len(ids) > 0 {
		n := min(len(ids), 100)
		keys := make([]map[string]types.AttributeValue, 0, n)
		for _, id := range ids[:n] {
			keys = append(keys, map[string]types.AttributeValue{"orderID": &types.AttributeValueMemberS{Value: id}})
		}
		ids = ids[n:]
		out, err := t.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			t.Table: {Keys: keys, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("orderID")}}})
		if err != nil {
			return fmt.Errorf("poll table %s: %w", t.Table, err)
		}
		now := time.Now()
		t.mu.Lock()
		for _, item := range out.Responses[t.Table] {
			if id, ok := item["orderID"].(*types.AttributeValueMemberS); ok {
				if _, seen := t.stored[id.Value]; !seen {
					t.stored[id.Value] = now
				}
			}
		}
		t.mu.Unlock()
	}
	return nil
}

func (t *Tracker) pollMail() error {
	entries, err := os.ReadDir(t.MailDir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read mailbox: %w", err)
	}
	now := time.Now()
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if err := t.readMail(e.Name(), now); err != nil {
			return err
		}
	}
	return nil
}

// readMail reads a new message once and records, for each followed order it names, the
// time it was first seen (at).
func (t *Tracker) readMail(name string, at time.Time) error {
	if !strings.HasSuffix(name, ".eml") || strings.HasPrefix(name, ".") || t.seenFile[name] {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(t.MailDir, name))
	if err != nil {
		return fmt.Errorf("read mail %s: %w", name, err)
	}
	t.seenFile[name] = true
	// A message names its order more than once (subject, body, attributes): count
	// the message once per distinct order.
	found := map[string]bool{}
	for _, id := range t.IDs.FindAllString(string(data), -1) {
		found[id] = true
	}
	t.mu.Lock()
	for id := range found {
		t.mails[id]++
		if _, ok := t.mailed[id]; !ok {
			t.mailed[id] = at
		}
	}
	t.mu.Unlock()
	return nil
}

// Latencies returns, over the followed orders, the time from send to stored and from
// send to e-mailed (only orders seen there).
func (t *Tracker) Latencies() (stored, mailed []time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, sent := range t.sent {
		if at, ok := t.stored[id]; ok {
			stored = append(stored, at.Sub(sent))
		}
		if at, ok := t.mailed[id]; ok {
			mailed = append(mailed, at.Sub(sent))
		}
	}
	return stored, mailed
}

// MailCounts is how many messages named each followed order, and how many messages
// named an order that was never followed (for example one the API refused).
func (t *Tracker) MailCounts() (perOrder map[string]int, strangers int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	perOrder = map[string]int{}
	for id := range t.sent {
		perOrder[id] = t.mails[id]
	}
	for id, n := range t.mails {
		if _, ok := t.sent[id]; !ok {
			strangers += n
		}
	}
	return perOrder, strangers
}

// LastMailed is when the last followed order was first seen e-mailed.
func (t *Tracker) LastMailed() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	var last time.Time
	for id := range t.sent {
		if at := t.mailed[id]; at.After(last) {
			last = at
		}
	}
	return last
}
