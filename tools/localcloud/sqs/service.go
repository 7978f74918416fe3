package sqs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Config wires the SQS service.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Source
	Account string
	Region  string
	// PublicURL is the base of queue URLs handed out outside a request.
	PublicURL string
	Logger    *slog.Logger
}

// Service is the SQS service.
type Service struct {
	cfg    Config
	mu     sync.RWMutex
	queues map[string]*queue
	seq    atomic.Uint64

	tasksMu sync.Mutex
	tasks   []*MessageMoveTask
}

var (
	queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	fifoNameRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,75}\.fifo$`)
	batchIDRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
)

// New loads every queue and message from the store.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, queues: map[string]*queue{}}
	var maxSeq uint64
	err := cfg.Store.View(func(tx store.Tx) error {
		if err := tx.ForEach(bucketQueues, nil, func(k, v []byte) error {
			var rec queueRecord
			if err := jsonUnmarshal(v, &rec); err != nil {
				return fmt.Errorf("queue %s: %w", k, err)
			}
			s.queues[rec.Name] = newQueue(rec, s.arn(rec.Name))
			return nil
		}); err != nil {
			return err
		}
		if err := tx.ForEach(bucketDedup, nil, func(k, v []byte) error {
			name, key, _ := bytes.Cut(k, []byte{0})
			var ent dedupEntry
			if err := jsonUnmarshal(v, &ent); err != nil {
				return fmt.Errorf("dedup %q: %w", k, err)
			}
			if q := s.queues[string(name)]; q != nil {
				q.dedup[string(key)] = ent
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEach(bucketMessages, nil, func(k, v []byte) error {
			name, _, _ := bytes.Cut(k, []byte{0})
			var m message
			if err := jsonUnmarshal(v, &m); err != nil {
				return fmt.Errorf("message %q: %w", k, err)
			}
			maxSeq = max(maxSeq, m.Seq)
			if q := s.queues[string(name)]; q != nil {
				q.insertLocked(&m)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load sqs state: %w", err)
	}
	s.seq.Store(maxSeq)
	return s, nil
}

// Descriptor describes SQS's wire identity and operations for the server.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:             "sqs",
		JSONTargetPrefix: "AmazonSQS",
		JSONVersion:      "1.0",
		JSONNamespace:    "com.amazonaws.sqs",
		QueryCompatible:  true,
		Query:            true,
		XMLNamespace:     "http://queue.amazonaws.com/doc/2012-11-05/",
		Operations: map[string]server.Operation{
			"CreateQueue":                  server.Op(s.CreateQueue),
			"GetQueueUrl":                  server.Op(s.GetQueueURL),
			"ListQueues":                   server.Op(s.ListQueues),
			"DeleteQueue":                  server.Op(s.DeleteQueue),
			"GetQueueAttributes":           server.Op(s.GetQueueAttributes),
			"SetQueueAttributes":           server.Op(s.SetQueueAttributes),
			"TagQueue":                     server.Op(s.TagQueue),
			"UntagQueue":                   server.Op(s.UntagQueue),
			"ListQueueTags":                server.Op(s.ListQueueTags),
			"PurgeQueue":                   server.Op(s.PurgeQueue),
			"SendMessage":                  server.Op(s.SendMessage),
			"SendMessageBatch":             server.Op(s.SendMessageBatch),
			"ReceiveMessage":               server.Op(s.ReceiveMessage),
			"DeleteMessage":                server.Op(s.DeleteMessage),
			"DeleteMessageBatch":           server.Op(s.DeleteMessageBatch),
			"ChangeMessageVisibility":      server.Op(s.ChangeMessageVisibility),
			"ChangeMessageVisibilityBatch": server.Op(s.ChangeMessageVisibilityBatch),
			"ListDeadLetterSourceQueues":   server.Op(s.ListDeadLetterSourceQueues),
			"StartMessageMoveTask":         server.Op(s.StartMessageMoveTask),
			"ListMessageMoveTasks":         server.Op(s.ListMessageMoveTasks),
			"CancelMessageMoveTask":        server.Op(s.CancelMessageMoveTask),
			"AddPermission":                server.Op(s.AddPermission),
			"RemovePermission":             server.Op(s.RemovePermission),
		},
	}
}

func (s *Service) arn(name string) string {
	return "arn:aws:sqs:" + s.cfg.Region + ":" + s.cfg.Account + ":" + name
}

func (s *Service) queueURL(ctx context.Context, name string) string {
	base := server.CallFrom(ctx).Endpoint
	if base == "" {
		base = s.cfg.PublicURL
	}
	return base + "/" + s.cfg.Account + "/" + name
}

// resolve finds the queue a QueueUrl names. Query clients may instead
// post to the queue URL itself.
func (s *Service) resolve(ctx context.Context, queueURL string) (*queue, error) {
	path := ""
	if queueURL == "" {
		path = server.CallFrom(ctx).Path
		if strings.Count(strings.Trim(path, "/"), "/") != 1 {
			return nil, errMissingParameter("QueueUrl")
		}
	} else {
		u, err := url.Parse(queueURL)
		if err != nil {
			return nil, errNonExistentQueue()
		}
		path = u.Path
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-2] != s.cfg.Account {
		return nil, errNonExistentQueue()
	}
	s.mu.RLock()
	q := s.queues[parts[len(parts)-1]]
	s.mu.RUnlock()
	if q == nil {
		return nil, errNonExistentQueue()
	}
	return q, nil
}

// QueueURL returns the URL of the queue named by arn, for in-process
// callers (event source mappings, API Gateway integrations) that hold an
// ARN and call the operation methods directly.
func (s *Service) QueueURL(ctx context.Context, arn string) (string, error) {
	q := s.byARN(arn)
	if q == nil {
		return "", errNonExistentQueue()
	}
	return s.queueURL(ctx, q.rec.Name), nil
}

func (s *Service) byARN(arn string) *queue {
	prefix := "arn:aws:sqs:" + s.cfg.Region + ":" + s.cfg.Account + ":"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.queues[name]
}

func (s *Service) now() int64 { return ms(s.cfg.Clock.Now()) }

// CreateQueue creates a queue, or returns the existing one when its
// attributes match.
func (s *Service) CreateQueue(ctx context.Context, in *CreateQueueInput) (*CreateQueueOutput, error) {
	if in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	fifo := strings.HasSuffix(in.QueueName, ".fifo")
	if fifo {
		if !fifoNameRE.MatchString(in.QueueName) || in.Attributes["FifoQueue"] != "true" {
			return nil, errInvalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
	} else {
		if !queueNameRE.MatchString(in.QueueName) {
			return nil, errInvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
		}
		if in.Attributes["FifoQueue"] == "true" {
			return nil, errInvalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
	}
	if err := validateAttributes(in.Attributes, fifo); err != nil {
		return nil, err
	}
	if err := s.checkRedriveTarget(in.Attributes, fifo); err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, errInvalidParameter("Too many tags added for queue %s.", in.QueueName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queues[in.QueueName]; q != nil {
		q.mu.Lock()
		defer q.mu.Unlock()
		for k, v := range in.Attributes {
			cur, ok := q.rec.Attributes[k]
			if !ok {
				cur = defaults[k]
			}
			if cur != v {
				return nil, errQueueNameExists(k)
			}
		}
		return &CreateQueueOutput{QueueURL: s.queueURL(ctx, in.QueueName)}, nil
	}
	now := s.cfg.Clock.Now().Unix()
	rec := queueRecord{Name: in.QueueName, Attributes: map[string]string{}, Tags: in.Tags, Created: now, Modified: now}
	for k, v := range in.Attributes {
		rec.Attributes[k] = v
	}
	data := encode(rec)
	if err := s.cfg.Store.Update(func(tx store.Tx) error {
		return tx.Put(bucketQueues, []byte(rec.Name), data)
	}); err != nil {
		return nil, fmt.Errorf("create queue %s: %w", rec.Name, err)
	}
	s.queues[rec.Name] = newQueue(rec, s.arn(rec.Name))
	return &CreateQueueOutput{QueueURL: s.queueURL(ctx, in.QueueName)}, nil
}

func (s *Service) checkRedriveTarget(attrs map[string]string, fifo bool) error {
	v := attrs["RedrivePolicy"]
	if v == "" {
		return nil
	}
	p, _ := parseRedrive(v)
	prefix := "arn:aws:sqs:" + s.cfg.Region + ":" + s.cfg.Account + ":"
	name, ok := strings.CutPrefix(p.DeadLetterTargetArn, prefix)
	s.mu.RLock()
	_, exists := s.queues[name]
	s.mu.RUnlock()
	if !ok || !exists {
		return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", v)
	}
	if strings.HasSuffix(name, ".fifo") != fifo {
		return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source..", v)
	}
	return nil
}

// GetQueueURL returns a queue's URL.
func (s *Service) GetQueueURL(ctx context.Context, in *GetQueueURLInput) (*GetQueueURLOutput, error) {
	if in.QueueOwnerAWSAccountID != "" && in.QueueOwnerAWSAccountID != s.cfg.Account {
		return nil, errNonExistentQueue()
	}
	s.mu.RLock()
	q := s.queues[in.QueueName]
	s.mu.RUnlock()
	if q == nil {
		return nil, errNonExistentQueue()
	}
	return &GetQueueURLOutput{QueueURL: s.queueURL(ctx, in.QueueName)}, nil
}

// ListQueues lists queue URLs by name prefix, paginated when MaxResults is
// given.
func (s *Service) ListQueues(ctx context.Context, in *ListQueuesInput) (*ListQueuesOutput, error) {
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, errInvalidParameter("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil {
			return nil, errInvalidParameter("Invalid NextToken value.")
		}
		after = string(b)
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.queues))
	for n := range s.queues {
		if strings.HasPrefix(n, in.QueueNamePrefix) && n > after {
			names = append(names, n)
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	out := &ListQueuesOutput{}
	for i, n := range names {
		if i == limit {
			if in.MaxResults != nil {
				out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(names[i-1]))
			}
			break
		}
		out.QueueURLs = append(out.QueueURLs, s.queueURL(ctx, n))
	}
	return out, nil
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(ctx context.Context, in *QueueRef) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q.mu.Lock()
	name := q.rec.Name
	q.deleted = true
	q.notifyLocked()
	q.mu.Unlock()
	delete(s.queues, name)
	err = s.cfg.Store.Update(func(tx store.Tx) error {
		var keys [][]byte
		if err := tx.ForEach(bucketMessages, msgPrefix(name), func(k, _ []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(bucketMessages, k); err != nil {
				return err
			}
		}
		var dedupKeys [][]byte
		if err := tx.ForEach(bucketDedup, msgPrefix(name), func(k, _ []byte) error {
			dedupKeys = append(dedupKeys, bytes.Clone(k))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range dedupKeys {
			if err := tx.Delete(bucketDedup, k); err != nil {
				return err
			}
		}
		return tx.Delete(bucketQueues, []byte(name))
	})
	if err != nil {
		return nil, fmt.Errorf("delete queue %s: %w", name, err)
	}
	return &Empty{}, nil
}

// GetQueueAttributes returns the requested attributes ("All" for all).
func (s *Service) GetQueueAttributes(ctx context.Context, in *GetQueueAttributesInput) (*AttributesOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	all := false
	for _, n := range in.AttributeNames {
		if n == "All" {
			all = true
			continue
		}
		if _, ok := settable[n]; !ok && !contains(readOnly, n) {
			return nil, errInvalidAttributeName(n)
		}
		want[n] = true
	}
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return nil, errNonExistentQueue()
	}
	attrs := map[string]string{}
	for k, v := range defaults {
		attrs[k] = v
	}
	for k, v := range q.rec.Attributes {
		attrs[k] = v
	}
	visible, inflight, delayed := 0, 0, 0
	retention := int64(q.attrInt("MessageRetentionPeriod")) * 1000
	for _, m := range q.msgs {
		switch {
		case m.SentAt+retention <= now:
		case m.VisibleAt <= now:
			visible++
		case m.ReceiveCount > 0:
			inflight++
		default:
			delayed++
		}
	}
	attrs["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	attrs["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inflight)
	attrs["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	attrs["CreatedTimestamp"] = strconv.FormatInt(q.rec.Created, 10)
	attrs["LastModifiedTimestamp"] = strconv.FormatInt(q.rec.Modified, 10)
	attrs["QueueArn"] = q.arn
	out := &AttributesOutput{Attributes: map[string]string{}}
	for k, v := range attrs {
		if all || want[k] {
			out.Attributes[k] = v
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// SetQueueAttributes changes queue attributes.
func (s *Service) SetQueueAttributes(ctx context.Context, in *SetQueueAttributesInput) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if _, ok := in.Attributes["FifoQueue"]; ok {
		return nil, errInvalidAttributeName("FifoQueue")
	}
	q.mu.Lock()
	fifo := q.fifo()
	q.mu.Unlock()
	if err := validateAttributes(in.Attributes, fifo); err != nil {
		return nil, err
	}
	if err := s.checkRedriveTarget(in.Attributes, fifo); err != nil {
		return nil, err
	}
	return &Empty{}, s.updateRecord(q, func(rec *queueRecord) error {
		for k, v := range in.Attributes {
			if v == "" && (k == "RedrivePolicy" || k == "Policy" || k == "RedriveAllowPolicy") {
				delete(rec.Attributes, k)
				continue
			}
			rec.Attributes[k] = v
		}
		return nil
	})
}

// updateRecord applies change to a copy of q's record, persists it and
// installs it.
func (s *Service) updateRecord(q *queue, change func(*queueRecord) error) error {
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return errNonExistentQueue()
	}
	rec := q.rec
	rec.Attributes = cloneMap(q.rec.Attributes)
	rec.Tags = cloneMap(q.rec.Tags)
	if err := change(&rec); err != nil {
		q.mu.Unlock()
		return err
	}
	rec.Modified = s.cfg.Clock.Now().Unix()
	data := encode(rec)
	wait := s.cfg.Store.Enqueue(func(tx store.Tx) error { return tx.Put(bucketQueues, []byte(rec.Name), data) })
	q.rec = rec
	q.notifyLocked()
	q.mu.Unlock()
	if err := <-wait; err != nil {
		return fmt.Errorf("update queue %s: %w", rec.Name, err)
	}
	return nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TagQueue adds or replaces tags.
func (s *Service) TagQueue(ctx context.Context, in *TagQueueInput) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	return &Empty{}, s.updateRecord(q, func(rec *queueRecord) error {
		for k, v := range in.Tags {
			rec.Tags[k] = v
		}
		if len(rec.Tags) > 50 {
			return errInvalidParameter("Too many tags added for queue %s.", rec.Name)
		}
		return nil
	})
}

// UntagQueue removes tags.
func (s *Service) UntagQueue(ctx context.Context, in *UntagQueueInput) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, errMissingParameter("TagKeys")
	}
	return &Empty{}, s.updateRecord(q, func(rec *queueRecord) error {
		for _, k := range in.TagKeys {
			delete(rec.Tags, k)
		}
		return nil
	})
}

// ListQueueTags lists a queue's tags.
func (s *Service) ListQueueTags(ctx context.Context, in *QueueRef) (*ListQueueTagsOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return &ListQueueTagsOutput{Tags: cloneMap(q.rec.Tags)}, nil
}

// PurgeQueue deletes every message; AWS allows one purge a minute.
func (s *Service) PurgeQueue(ctx context.Context, in *QueueRef) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	now := s.now()
	q.mu.Lock()
	if q.rec.LastPurge != 0 && now-q.rec.LastPurge < 60_000 {
		q.mu.Unlock()
		return nil, errPurgeInProgress(q.arn)
	}
	var keys [][]byte
	for seq := range q.msgs {
		keys = append(keys, msgKey(q.rec.Name, seq))
	}
	q.clearLocked()
	q.rec.LastPurge = now
	data := encode(q.rec)
	name := q.rec.Name
	wait := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		for _, k := range keys {
			if err := tx.Delete(bucketMessages, k); err != nil {
				return err
			}
		}
		return tx.Put(bucketQueues, []byte(name), data)
	})
	q.mu.Unlock()
	if err := <-wait; err != nil {
		return nil, fmt.Errorf("purge %s: %w", name, err)
	}
	return &Empty{}, nil
}

// sendEntry is one message to send, from SendMessage, a batch entry or
// another service.
type sendEntry struct {
	body     *string
	delay    *int
	attrs    map[string]MessageAttributeValue
	sysAttrs map[string]MessageAttributeValue
	group    string
	dedup    string
}

var fifoIDRE = regexp.MustCompile(`^[!-~]{1,128}$`)

// prepare validates an entry and builds its message (not yet stored).
func (s *Service) prepare(ctx context.Context, q *queue, e sendEntry) (*message, error) {
	if e.body == nil || *e.body == "" {
		return nil, errMissingParameter("MessageBody")
	}
	if err := validBody(*e.body); err != nil {
		return nil, err
	}
	size, err := validateMessageAttributes(e.attrs)
	if err != nil {
		return nil, err
	}
	for n := range e.sysAttrs {
		if n != "AWSTraceHeader" {
			return nil, errInvalidParameter("Message system attribute name '%s' is invalid.", n)
		}
	}
	q.mu.Lock()
	maxSize := q.attrInt("MaximumMessageSize")
	delay := q.attrInt("DelaySeconds")
	fifo := q.fifo()
	contentDedup := q.rec.Attributes["ContentBasedDeduplication"] == "true"
	q.mu.Unlock()
	if total := len(*e.body) + size; total > maxSize {
		return nil, errInvalidParameter("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", maxSize)
	}
	dedupID := e.dedup
	if fifo {
		if e.group == "" {
			return nil, errMissingParameter("MessageGroupId")
		}
		if !fifoIDRE.MatchString(e.group) {
			return nil, errInvalidParameter("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", e.group)
		}
		if e.delay != nil {
			return nil, errInvalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *e.delay)
		}
		if dedupID == "" {
			if !contentDedup {
				return nil, errInvalidParameter("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(*e.body))
			dedupID = hex.EncodeToString(sum[:])
		}
		if !fifoIDRE.MatchString(dedupID) {
			return nil, errInvalidParameter("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", dedupID)
		}
	} else if e.dedup != "" {
		return nil, errInvalidParameter("Value %s for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.", e.dedup)
	}
	if e.delay != nil {
		if *e.delay < 0 || *e.delay > maxDelay {
			return nil, errInvalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *e.delay)
		}
		delay = *e.delay
	}
	now := s.now()
	sender := ""
	if p, ok := iam.PrincipalFrom(ctx); ok {
		sender = p.UserID
	}
	m := &message{
		Seq: s.seq.Add(1), ID: s.cfg.IDs.UUID(), Body: *e.body, Attributes: e.attrs, SystemAttrs: e.sysAttrs,
		SenderID: sender, SentAt: now, VisibleAt: now + int64(delay)*1000, GroupID: e.group, DedupID: dedupID,
	}
	if fifo {
		// Reserve the deduplication ID now, so a concurrent duplicate
		// gets this message's ID rather than a second copy.
		q.mu.Lock()
		key := q.dedupKey(e.group, dedupID)
		if ent, ok := q.dedup[key]; ok && ent.Expires > now {
			q.mu.Unlock()
			m.ID, m.Seq, m.duplicate = ent.ID, ent.Seq, true
			return m, nil
		}
		if len(q.dedup) > 1024 {
			for k, ent := range q.dedup {
				if ent.Expires <= now {
					delete(q.dedup, k)
				}
			}
		}
		q.dedup[key] = dedupEntry{ID: m.ID, Seq: m.Seq, Expires: now + dedupWindow}
		q.mu.Unlock()
	}
	return m, nil
}

func validBody(body string) error {
	if !utf8.ValidString(body) {
		return invalidContents()
	}
	for _, r := range body {
		if !allowedChar(r) {
			return invalidContents()
		}
	}
	return nil
}

// allowedChar reports whether SQS accepts r in a message.
func allowedChar(r rune) bool {
	switch {
	case r == 0x9, r == 0xA, r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

func invalidContents() error {
	return errBatch("InvalidMessageContents", "", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
}

var attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// validateMessageAttributes checks user attributes and returns the bytes
// they count towards the message size.
func validateMessageAttributes(attrs map[string]MessageAttributeValue) (int, error) {
	if len(attrs) > 10 {
		return 0, errInvalidParameter("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	size := 0
	for n, v := range attrs {
		lower := strings.ToLower(n)
		if !attrNameRE.MatchString(n) || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
			strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".") || strings.Contains(n, "..") {
			return 0, errInvalidParameter("Message attribute name '%s' is invalid.", n)
		}
		base, _, _ := strings.Cut(v.DataType, ".")
		switch base {
		case "String", "Number":
			if v.StringValue == nil || *v.StringValue == "" {
				return 0, errInvalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", n, base)
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(*v.StringValue, 64); err != nil {
					return 0, errInvalidParameter("Can't cast the value of message (user) attribute '%s' to a number.", n)
				}
			}
			if err := validBody(*v.StringValue); err != nil {
				return 0, err
			}
			size += len(*v.StringValue)
		case "Binary":
			if len(v.BinaryValue) == 0 {
				return 0, errInvalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", n)
			}
			size += len(v.BinaryValue)
		case "":
			return 0, errInvalidParameter("The message attribute '%s' must contain non-empty message attribute type.", n)
		default:
			return 0, errInvalidParameter("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", n)
		}
		size += len(n) + len(v.DataType)
	}
	return size, nil
}

// commitSends stores messages durably and then makes them receivable.
func (s *Service) commitSends(q *queue, all []*message) error {
	var msgs []*message
	for _, m := range all {
		if !m.duplicate {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	q.mu.Lock()
	name, fifo := q.rec.Name, q.fifo()
	var dedupKeys []string
	if fifo {
		for _, m := range msgs {
			dedupKeys = append(dedupKeys, q.dedupKey(m.GroupID, m.DedupID))
		}
	}
	q.mu.Unlock()
	type kv struct {
		bucket string
		k, v   []byte
	}
	var puts []kv
	for i, m := range msgs {
		puts = append(puts, kv{bucketMessages, msgKey(name, m.Seq), encode(m)})
		if fifo {
			ent := dedupEntry{ID: m.ID, Seq: m.Seq, Expires: m.SentAt + dedupWindow}
			puts = append(puts, kv{bucketDedup, append(msgPrefix(name), dedupKeys[i]...), encode(ent)})
		}
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error {
		for _, p := range puts {
			if err := tx.Put(p.bucket, p.k, p.v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		// Release the deduplication IDs reserved for messages never stored.
		q.mu.Lock()
		for i, m := range msgs {
			if fifo && q.dedup[dedupKeys[i]].Seq == m.Seq {
				delete(q.dedup, dedupKeys[i])
			}
		}
		q.mu.Unlock()
		return fmt.Errorf("send to %s: %w", name, err)
	}
	q.mu.Lock()
	if !q.deleted {
		for _, m := range msgs {
			q.insertLocked(m)
		}
		q.notifyLocked()
	}
	q.mu.Unlock()
	return nil
}

// SendMessage sends one message.
func (s *Service) SendMessage(ctx context.Context, in *SendMessageInput) (*SendMessageOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	m, err := s.prepare(ctx, q, sendEntry{body: in.MessageBody, delay: in.DelaySeconds, attrs: in.MessageAttributes,
		sysAttrs: in.MessageSystemAttributes, group: in.MessageGroupID, dedup: in.MessageDeduplicationID})
	if err != nil {
		return nil, err
	}
	if err := s.commitSends(q, []*message{m}); err != nil {
		return nil, err
	}
	return &SendMessageOutput{MessageID: m.ID, MD5OfMessageBody: md5Hex(m.Body),
		MD5OfMessageAttributes: md5OfAttributes(m.Attributes), MD5OfMessageSystemAttributes: md5OfAttributes(m.SystemAttrs),
		SequenceNumber: fifoSequence(q, m)}, nil
}

// fifoSequence is the SequenceNumber to answer for m: empty on standard
// queues.
func fifoSequence(q *queue, m *message) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.fifo() {
		return ""
	}
	return sequenceNumber(m.Seq)
}

// SendToARN sends body to the queue named by arn; SNS delivers through it.
// It returns the new message's ID.
func (s *Service) SendToARN(ctx context.Context, arn, body string, attrs map[string]MessageAttributeValue) (string, error) {
	q := s.byARN(arn)
	if q == nil {
		return "", errNonExistentQueue()
	}
	m, err := s.prepare(ctx, q, sendEntry{body: &body, attrs: attrs})
	if err != nil {
		return "", err
	}
	if err := s.commitSends(q, []*message{m}); err != nil {
		return "", err
	}
	return m.ID, nil
}

func checkBatchIDs[T any](entries []T, id func(T) string, entryName string) error {
	if len(entries) == 0 {
		return errBatch("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one %s in the request.", entryName)
	}
	if len(entries) > 10 {
		return errBatch("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", len(entries))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		i := id(e)
		if !batchIDRE.MatchString(i) {
			return errBatch("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[i] {
			return errBatch("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", i)
		}
		seen[i] = true
	}
	return nil
}

func failure(id string, err error) BatchResultErrorEntry {
	e := BatchResultErrorEntry{ID: id, SenderFault: true, Code: "InternalError", Message: err.Error()}
	if pe := asProtocolError(err); pe != nil {
		e.Code, e.Message, e.SenderFault = pe.WireCode(), pe.Message, pe.Fault != "Receiver"
	}
	return e
}

// single turns the per-entry result of a one-entry call into its error.
func single(errs []error, err error) error {
	if err != nil {
		return err
	}
	return errs[0]
}

// outcomes splits batch entries into successes and failures by errs.
func outcomes[T any](entries []T, id func(T) string, errs []error) ([]BatchResultEntry, []BatchResultErrorEntry) {
	ok, failed := []BatchResultEntry{}, []BatchResultErrorEntry{}
	for i, e := range entries {
		if errs[i] != nil {
			failed = append(failed, failure(id(e), errs[i]))
		} else {
			ok = append(ok, BatchResultEntry{ID: id(e)})
		}
	}
	return ok, failed
}

// SendMessageBatch sends up to ten messages in one durable commit.
func (s *Service) SendMessageBatch(ctx context.Context, in *SendMessageBatchInput) (*SendMessageBatchOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkBatchIDs(in.Entries, func(e SendMessageBatchRequestEntry) string { return e.ID }, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	total := 0
	for _, e := range in.Entries {
		if e.MessageBody != nil {
			total += len(*e.MessageBody)
		}
		n, _ := validateMessageAttributes(e.MessageAttributes)
		total += n
	}
	if total > defaultMaxMessageSize {
		return nil, errBatch("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", defaultMaxMessageSize, total)
	}
	out := &SendMessageBatchOutput{Successful: []SendMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	var msgs []*message
	var ok []SendMessageBatchRequestEntry
	for _, e := range in.Entries {
		m, err := s.prepare(ctx, q, sendEntry{body: e.MessageBody, delay: e.DelaySeconds, attrs: e.MessageAttributes,
			sysAttrs: e.MessageSystemAttributes, group: e.MessageGroupID, dedup: e.MessageDeduplicationID})
		if err != nil {
			out.Failed = append(out.Failed, failure(e.ID, err))
			continue
		}
		msgs = append(msgs, m)
		ok = append(ok, e)
	}
	if len(msgs) > 0 {
		if err := s.commitSends(q, msgs); err != nil {
			return nil, err
		}
	}
	for i, m := range msgs {
		out.Successful = append(out.Successful, SendMessageBatchResultEntry{ID: ok[i].ID, MessageID: m.ID,
			MD5OfMessageBody: md5Hex(m.Body), MD5OfMessageAttributes: md5OfAttributes(m.Attributes),
			MD5OfMessageSystemAttributes: md5OfAttributes(m.SystemAttrs), SequenceNumber: fifoSequence(q, m)})
	}
	return out, nil
}

// receiptHandle identifies one receive of one message.
type receiptHandle struct {
	queue string
	seq   uint64
	nonce string
}

func (h receiptHandle) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(h.queue + "\x00" + strconv.FormatUint(h.seq, 10) + "\x00" + h.nonce))
}

func parseHandle(q *queue, s string) (receiptHandle, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return receiptHandle{}, errReceiptHandleInvalid(s)
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 3 || parts[0] != q.rec.Name || parts[2] == "" {
		return receiptHandle{}, errReceiptHandleInvalid(s)
	}
	seq, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil {
		return receiptHandle{}, errReceiptHandleInvalid(s)
	}
	return receiptHandle{queue: parts[0], seq: seq, nonce: parts[2]}, nil
}

var systemAttributeNames = []string{"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
	"AWSTraceHeader", "DeadLetterQueueSourceArn", "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "SqsManagedSseEnabled"}

// ReceiveMessage receives up to MaxNumberOfMessages, long-polling up to
// WaitTimeSeconds.
func (s *Service) ReceiveMessage(ctx context.Context, in *ReceiveMessageInput) (*ReceiveMessageOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	maxN := 1
	if in.MaxNumberOfMessages != nil {
		maxN = *in.MaxNumberOfMessages
		if maxN < 1 || maxN > 10 {
			return nil, errInvalidParameter("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", maxN)
		}
	}
	q.mu.Lock()
	wait, vis := q.attrInt("ReceiveMessageWaitTimeSeconds"), q.attrInt("VisibilityTimeout")
	q.mu.Unlock()
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
		if wait < 0 || wait > maxWait {
			return nil, errInvalidParameter("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", wait)
		}
	}
	if in.VisibilityTimeout != nil {
		vis = *in.VisibilityTimeout
		if vis < 0 || vis > maxVisibility {
			return nil, errInvalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", vis)
		}
	}
	sysWanted := map[string]bool{}
	for _, n := range append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...) {
		if n == "All" {
			for _, a := range systemAttributeNames {
				sysWanted[a] = true
			}
			continue
		}
		if !contains(systemAttributeNames, n) && !contains(readOnly, n) {
			if _, ok := settable[n]; !ok {
				return nil, errInvalidAttributeName(n)
			}
		}
		sysWanted[n] = true
	}
	deadline := s.cfg.Clock.Now().Add(time.Duration(wait) * time.Second)
	for {
		if in.VisibilityTimeout == nil && wait > 0 {
			// A long poll takes messages with the queue's visibility
			// timeout as it is when they arrive, not when the poll began.
			q.mu.Lock()
			vis = q.attrInt("VisibilityTimeout")
			q.mu.Unlock()
		}
		got, nextWake, changed, err := s.tryReceive(q, maxN, vis)
		if err != nil {
			return nil, err
		}
		if len(got) > 0 || wait == 0 {
			return s.receiveOutput(q, got, sysWanted, in.MessageAttributeNames), nil
		}
		now := s.cfg.Clock.Now()
		if !now.Before(deadline) {
			return &ReceiveMessageOutput{}, nil
		}
		d := deadline.Sub(now)
		if nextWake > 0 {
			if w := time.UnixMilli(nextWake).Sub(now); w < d {
				d = max(w, time.Millisecond)
			}
		}
		tick := make(chan struct{})
		timer := s.cfg.Clock.AfterFunc(d, func() { close(tick) })
		select {
		case <-changed:
		case <-tick:
		case <-ctx.Done():
			timer.Stop()
			return &ReceiveMessageOutput{}, nil
		}
		timer.Stop()
	}
}

// tryReceive takes up to maxN visible messages, moving messages past
// maxReceiveCount to the dead-letter queue. It returns the received
// messages, the time the next invisible message becomes visible (0 if
// none), and the channel that signals the next change.
func (s *Service) tryReceive(q *queue, maxN, vis int) ([]message, int64, <-chan struct{}, error) {
	q.mu.Lock()
	rp, hasRP := q.redrive()
	q.mu.Unlock()
	var dlq *queue
	if hasRP {
		dlq = s.byARN(rp.DeadLetterTargetArn)
	}

	now := s.now()
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return nil, 0, nil, errNonExistentQueue()
	}
	retention := int64(q.attrInt("MessageRetentionPeriod")) * 1000
	name := q.rec.Name
	var got []message
	var putKeys, putVals, delKeys [][]byte
	var moved []*message
	var nextWake int64
	wakeAt := func(t int64) {
		if nextWake == 0 || t < nextWake {
			nextWake = t
		}
	}
	// settle drops an expired message or moves one past maxReceiveCount
	// to the dead-letter queue; it reports whether m is gone.
	settle := func(m *message) bool {
		if m.SentAt+retention <= now {
			q.removeLocked(m.Seq)
			delKeys = append(delKeys, msgKey(name, m.Seq))
			return true
		}
		if m.VisibleAt <= now && dlq != nil && dlq != q && m.ReceiveCount >= rp.MaxReceiveCount {
			q.removeLocked(m.Seq)
			delKeys = append(delKeys, msgKey(name, m.Seq))
			mv := *m
			mv.Seq, mv.ReceiveCount, mv.FirstReceiveAt, mv.Nonce, mv.VisibleAt, mv.DLQSourceArn = s.seq.Add(1), 0, 0, "", now, q.arn
			if q.fifo() {
				// A standard queue's message keeps its enqueue timestamp (retention
				// counts from the original send); a FIFO queue's starts again.
				mv.SentAt = now
			}
			moved = append(moved, &mv)
			return true
		}
		return false
	}
	take := func(m *message) {
		m.ReceiveCount++
		if m.FirstReceiveAt == 0 {
			m.FirstReceiveAt = now
		}
		m.VisibleAt = now + int64(vis)*1000
		m.Nonce = s.cfg.IDs.Hex(8)
		q.fixLocked(m)
		putKeys = append(putKeys, msgKey(name, m.Seq))
		putVals = append(putVals, encode(m))
		got = append(got, *m)
	}
	if q.fifo() {
		// In sequence order; a message group with a message in flight (or
		// delayed) is blocked until that message is deleted or visible.
		seqs := make([]uint64, 0, len(q.msgs))
		for seq := range q.msgs {
			seqs = append(seqs, seq)
		}
		slices.Sort(seqs)
		blocked := map[string]bool{}
		for _, seq := range seqs {
			m := q.msgs[seq]
			if len(got) >= maxN {
				break
			}
			if blocked[m.GroupID] || settle(m) {
				continue
			}
			if m.VisibleAt > now {
				blocked[m.GroupID] = true
				wakeAt(m.VisibleAt)
				continue
			}
			take(m)
		}
	} else {
		taken := map[uint64]bool{}
		for len(got) < maxN && q.ready.Len() > 0 {
			m := q.ready[0]
			if taken[m.Seq] {
				// Received with a zero visibility timeout: back on top.
				break
			}
			if settle(m) {
				continue
			}
			if m.VisibleAt > now {
				wakeAt(m.VisibleAt)
				break
			}
			taken[m.Seq] = true
			take(m)
		}
	}
	changed := q.changed
	var wait <-chan error
	if len(putKeys)+len(delKeys)+len(moved) > 0 {
		var dlqName string
		var movedKeys, movedVals [][]byte
		if dlq != nil && len(moved) > 0 {
			dlqName = dlq.rec.Name
			for _, m := range moved {
				movedKeys = append(movedKeys, msgKey(dlqName, m.Seq))
				movedVals = append(movedVals, encode(m))
			}
		}
		wait = s.cfg.Store.Enqueue(func(tx store.Tx) error {
			for _, k := range delKeys {
				if err := tx.Delete(bucketMessages, k); err != nil {
					return err
				}
			}
			for i := range putKeys {
				if err := tx.Put(bucketMessages, putKeys[i], putVals[i]); err != nil {
					return err
				}
			}
			for i := range movedKeys {
				if err := tx.Put(bucketMessages, movedKeys[i], movedVals[i]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	q.mu.Unlock()
	if wait != nil {
		if err := <-wait; err != nil {
			return nil, 0, nil, fmt.Errorf("receive from %s: %w", name, err)
		}
	}
	if len(moved) > 0 {
		dlq.mu.Lock()
		if !dlq.deleted {
			for _, m := range moved {
				dlq.insertLocked(m)
			}
			dlq.notifyLocked()
		}
		dlq.mu.Unlock()
	}
	return got, nextWake, changed, nil
}

func (s *Service) receiveOutput(q *queue, got []message, sysWanted map[string]bool, attrNames []string) *ReceiveMessageOutput {
	out := &ReceiveMessageOutput{}
	for _, m := range got {
		rm := Message{MessageID: m.ID, ReceiptHandle: receiptHandle{q.rec.Name, m.Seq, m.Nonce}.String(),
			MD5OfBody: md5Hex(m.Body), Body: m.Body}
		sys := map[string]string{}
		add := func(name, v string) {
			if sysWanted[name] && v != "" {
				sys[name] = v
			}
		}
		add("SenderId", m.SenderID)
		add("SentTimestamp", strconv.FormatInt(m.SentAt, 10))
		add("ApproximateReceiveCount", strconv.Itoa(m.ReceiveCount))
		add("ApproximateFirstReceiveTimestamp", strconv.FormatInt(m.FirstReceiveAt, 10))
		add("DeadLetterQueueSourceArn", m.DLQSourceArn)
		add("MessageGroupId", m.GroupID)
		if m.DedupID != "" {
			add("MessageDeduplicationId", m.DedupID)
			add("SequenceNumber", sequenceNumber(m.Seq))
		}
		if v, ok := m.SystemAttrs["AWSTraceHeader"]; ok && v.StringValue != nil {
			add("AWSTraceHeader", *v.StringValue)
		}
		if len(sys) > 0 {
			rm.Attributes = sys
		}
		user := selectAttributes(m.Attributes, attrNames)
		if len(user) > 0 {
			rm.MessageAttributes = user
			rm.MD5OfMessageAttributes = md5OfAttributes(user)
		}
		out.Messages = append(out.Messages, rm)
	}
	return out
}

func selectAttributes(attrs map[string]MessageAttributeValue, names []string) map[string]MessageAttributeValue {
	out := map[string]MessageAttributeValue{}
	for _, want := range names {
		for n, v := range attrs {
			switch {
			case want == "All" || want == ".*":
				out[n] = v
			case strings.HasSuffix(want, ".*"):
				if strings.HasPrefix(n, strings.TrimSuffix(want, "*")) {
					out[n] = v
				}
			case want == n:
				out[n] = v
			}
		}
	}
	return out
}

// deleteHandles deletes the messages named by receipt handles; stale
// handles of messages received again since are accepted and ignored, as
// AWS does. It returns per-handle errors (nil for success).
func (s *Service) deleteHandles(q *queue, handles []string) ([]error, error) {
	errs := make([]error, len(handles))
	parsed := make([]receiptHandle, len(handles))
	for i, h := range handles {
		parsed[i], errs[i] = parseHandle(q, h)
	}
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return nil, errNonExistentQueue()
	}
	var keys [][]byte
	for i, h := range parsed {
		if errs[i] != nil {
			continue
		}
		m := q.msgs[h.seq]
		if m == nil || m.Nonce != h.nonce {
			continue
		}
		q.removeLocked(h.seq)
		keys = append(keys, msgKey(h.queue, h.seq))
	}
	var wait <-chan error
	if len(keys) > 0 {
		wait = s.cfg.Store.Enqueue(func(tx store.Tx) error {
			for _, k := range keys {
				if err := tx.Delete(bucketMessages, k); err != nil {
					return err
				}
			}
			return nil
		})
	}
	q.mu.Unlock()
	if wait != nil {
		if err := <-wait; err != nil {
			return nil, fmt.Errorf("delete messages: %w", err)
		}
	}
	return errs, nil
}

// DeleteMessage deletes a received message.
func (s *Service) DeleteMessage(ctx context.Context, in *DeleteMessageInput) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	return &Empty{}, single(s.deleteHandles(q, []string{in.ReceiptHandle}))
}

// DeleteMessageBatch deletes up to ten received messages.
func (s *Service) DeleteMessageBatch(ctx context.Context, in *DeleteMessageBatchInput) (*DeleteMessageBatchOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkBatchIDs(in.Entries, func(e DeleteMessageBatchRequestEntry) string { return e.ID }, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	handles := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		handles[i] = e.ReceiptHandle
	}
	errs, err := s.deleteHandles(q, handles)
	if err != nil {
		return nil, err
	}
	out := &DeleteMessageBatchOutput{}
	out.Successful, out.Failed = outcomes(in.Entries, func(e DeleteMessageBatchRequestEntry) string { return e.ID }, errs)
	return out, nil
}

// changeVisibility applies new timeouts to in-flight messages; per-entry
// errors are returned in order.
func (s *Service) changeVisibility(q *queue, handles []string, timeouts []*int) ([]error, error) {
	errs := make([]error, len(handles))
	now := s.now()
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return nil, errNonExistentQueue()
	}
	var keys, vals [][]byte
	for i, hs := range handles {
		if timeouts[i] == nil {
			errs[i] = errMissingParameter("VisibilityTimeout")
			continue
		}
		vis := *timeouts[i]
		if vis < 0 || vis > maxVisibility {
			errs[i] = errInvalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", vis)
			continue
		}
		h, err := parseHandle(q, hs)
		if err != nil {
			errs[i] = err
			continue
		}
		m := q.msgs[h.seq]
		if m == nil || m.Nonce != h.nonce {
			errs[i] = errInvalidParameter("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", hs)
			continue
		}
		if m.VisibleAt <= now {
			errs[i] = errMessageNotInflight()
			continue
		}
		m.VisibleAt = now + int64(vis)*1000
		q.fixLocked(m)
		keys = append(keys, msgKey(h.queue, h.seq))
		vals = append(vals, encode(m))
	}
	var wait <-chan error
	if len(keys) > 0 {
		wait = s.cfg.Store.Enqueue(func(tx store.Tx) error {
			for i := range keys {
				if err := tx.Put(bucketMessages, keys[i], vals[i]); err != nil {
					return err
				}
			}
			return nil
		})
		q.notifyLocked()
	}
	q.mu.Unlock()
	if wait != nil {
		if err := <-wait; err != nil {
			return nil, fmt.Errorf("change visibility: %w", err)
		}
	}
	return errs, nil
}

// ChangeMessageVisibility changes one in-flight message's timeout.
func (s *Service) ChangeMessageVisibility(ctx context.Context, in *ChangeMessageVisibilityInput) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	return &Empty{}, single(s.changeVisibility(q, []string{in.ReceiptHandle}, []*int{in.VisibilityTimeout}))
}

// ChangeMessageVisibilityBatch changes up to ten timeouts.
func (s *Service) ChangeMessageVisibilityBatch(ctx context.Context, in *ChangeMessageVisibilityBatchInput) (*ChangeMessageVisibilityBatchOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkBatchIDs(in.Entries, func(e ChangeMessageVisibilityBatchRequestEntry) string { return e.ID }, "ChangeMessageVisibilityBatchRequestEntry"); err != nil {
		return nil, err
	}
	handles := make([]string, len(in.Entries))
	timeouts := make([]*int, len(in.Entries))
	for i, e := range in.Entries {
		handles[i], timeouts[i] = e.ReceiptHandle, e.VisibilityTimeout
	}
	errs, err := s.changeVisibility(q, handles, timeouts)
	if err != nil {
		return nil, err
	}
	out := &ChangeMessageVisibilityBatchOutput{}
	out.Successful, out.Failed = outcomes(in.Entries, func(e ChangeMessageVisibilityBatchRequestEntry) string { return e.ID }, errs)
	return out, nil
}

// ListDeadLetterSourceQueues lists queues whose redrive policy targets the
// given queue.
func (s *Service) ListDeadLetterSourceQueues(ctx context.Context, in *ListDeadLetterSourceQueuesInput) (*ListDeadLetterSourceQueuesOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	names := s.sourcesOf(q.arn)
	out := &ListDeadLetterSourceQueuesOutput{QueueURLs: []string{}}
	for _, n := range names {
		out.QueueURLs = append(out.QueueURLs, s.queueURL(ctx, n))
	}
	return out, nil
}

func (s *Service) sourcesOf(dlqArn string) []string {
	s.mu.RLock()
	all := make([]*queue, 0, len(s.queues))
	for _, q := range s.queues {
		all = append(all, q)
	}
	s.mu.RUnlock()
	var names []string
	for _, q := range all {
		q.mu.Lock()
		rp, ok := q.redrive()
		name := q.rec.Name
		q.mu.Unlock()
		if ok && rp.DeadLetterTargetArn == dlqArn {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
