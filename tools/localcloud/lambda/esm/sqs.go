package esm

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/sqs"
)

// SQS scaling as AWS documents it for standard queues: five concurrent
// batches to start, up to 300 more pollers a minute while messages are
// available, at most 1,000, back to five when traffic drops.
const (
	sqsInitialPollers = 5
	sqsMaxPollers     = 1000
	sqsScalePerMinute = 300
	// sqsScaleInterval is how often the scaler samples the backlog while
	// scaling (before TimeScale).
	sqsScaleInterval = time.Second
	// sqsLongPoll is the receive wait pollers use.
	sqsLongPoll = 20
	// maxPayloadBytes keeps a batch within the 6 MB invoke limit.
	maxPayloadBytes = 5 << 20
)

// SQSRecord is one record of the SQS event Lambda sends.
type SQSRecord struct {
	MessageID              string                       `json:"messageId"`
	ReceiptHandle          string                       `json:"receiptHandle"`
	Body                   string                       `json:"body"`
	Attributes             map[string]string            `json:"attributes"`
	MessageAttributes      map[string]SQSAttributeValue `json:"messageAttributes"`
	MD5OfMessageAttributes *string                      `json:"md5OfMessageAttributes"`
	MD5OfBody              string                       `json:"md5OfBody"`
	EventSource            string                       `json:"eventSource"`
	EventSourceARN         string                       `json:"eventSourceARN"`
	AWSRegion              string                       `json:"awsRegion"`
}

// SQSAttributeValue is a message attribute in the SQS event (lower-case
// member names, list members always present).
type SQSAttributeValue struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// SQSEvent is the event an SQS mapping invokes its function with.
type SQSEvent struct {
	Records []SQSRecord `json:"Records"`
}

type poller struct {
	cancel context.CancelFunc
	// idle is true while the poller waits for a first message.
	idle bool
}

type sqsWorker struct {
	lifecycle
	mp      Mapping
	filters filters
	kick    chan struct{}

	mu      sync.Mutex
	url     string
	pollers map[*poller]bool
	target  int
	limit   int
}

func (m *Manager) startSQS(mp Mapping) worker {
	w := &sqsWorker{lifecycle: m.newLifecycle(mp.UUID), mp: mp, filters: compileFilters(mp.FilterCriteria),
		kick: make(chan struct{}, 1), pollers: map[*poller]bool{}}
	w.limit = sqsMaxPollers
	if sc := mp.ScalingConfig; sc != nil && sc.MaximumConcurrency != nil {
		w.limit = *sc.MaximumConcurrency
	}
	if cl, ok := m.cfg.Invoker.(ConcurrencyLimiter); ok {
		name, _ := splitFunctionARN(mp.FunctionArn)
		if n, ok := cl.ReservedConcurrency(name); ok && n < w.limit {
			w.limit = max(n, 1)
		}
	}
	w.wg.Add(1)
	go w.run()
	return w
}

func (w *sqsWorker) minPollers() int { return min(sqsInitialPollers, w.limit) }

// run resolves the queue, starts the initial pollers and scales them.
func (w *sqsWorker) run() {
	defer w.wg.Done()
	if w.m.cfg.Queues == nil {
		w.m.setResult(w.mp.UUID, "PROBLEM: SQS is not available")
		return
	}
	backoff := time.Second
	for {
		url, err := w.m.cfg.Queues.QueueURL(w.ctx, w.mp.EventSourceArn)
		if err == nil {
			w.url = url
			break
		}
		w.m.setResult(w.mp.UUID, "PROBLEM: Error occurred while ReceiveMessage. The specified queue does not exist.")
		if !w.m.sleep(w.ctx, w.m.scaled(backoff)) {
			return
		}
		backoff = min(2*backoff, time.Minute)
	}
	w.mu.Lock()
	w.target = w.minPollers()
	w.spawnLocked()
	w.mu.Unlock()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.kick:
		}
		if !w.scale() {
			return
		}
	}
}

// scale samples the backlog every interval, adding pollers while it lasts
// and shrinking to the minimum once it is gone; it returns false when the
// worker stops.
func (w *sqsWorker) scale() bool {
	step := max(1, int(float64(sqsScalePerMinute)*sqsScaleInterval.Seconds()/60))
	for {
		if !w.m.sleep(w.ctx, w.m.scaled(sqsScaleInterval)) {
			return false
		}
		backlog := w.backlog()
		throttled := w.throttled()
		w.mu.Lock()
		if backlog > 0 && throttled {
			// The function is at its limit: stop adding pollers and
			// let busy ones retire down towards what it can run.
			w.target = max(w.minPollers(), w.target-step)
			w.figuresLocked()
			w.mu.Unlock()
			continue
		}
		if backlog > 0 {
			w.target = min(w.limit, w.target+step)
			w.spawnLocked()
			w.mu.Unlock()
			continue
		}
		w.target = w.minPollers()
		for p := range w.pollers {
			if len(w.pollers) <= w.target {
				break
			}
			if p.idle {
				p.cancel()
				delete(w.pollers, p)
			}
		}
		w.figuresLocked()
		w.mu.Unlock()
		return true
	}
}

// backlog samples the queue's visible messages.
func (w *sqsWorker) backlog() int {
	out, err := w.m.cfg.Queues.GetQueueAttributes(w.ctx, &sqs.GetQueueAttributesInput{QueueURL: w.url,
		AttributeNames: []string{"ApproximateNumberOfMessages"}})
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	w.m.update(w.mp.UUID, func(f *Figures) { f.Backlog = n })
	return n
}

// throttled reports whether the function's invocations are queued for
// capacity right now.
func (w *sqsWorker) throttled() bool {
	cr, ok := w.m.cfg.Invoker.(CapacityReporter)
	if !ok {
		return false
	}
	name, _ := splitFunctionARN(w.mp.FunctionArn)
	return cr.Figures(name).Waiting > 0
}

func (w *sqsWorker) spawnLocked() {
	for len(w.pollers) < w.target && w.ctx.Err() == nil {
		ctx, cancel := context.WithCancel(w.ctx)
		p := &poller{cancel: cancel}
		w.pollers[p] = true
		w.wg.Add(1)
		go w.poll(ctx, p)
	}
	w.figuresLocked()
}

func (w *sqsWorker) figuresLocked() {
	n, t := len(w.pollers), w.target
	w.m.update(w.mp.UUID, func(f *Figures) { f.Pollers, f.Target = n, t })
}

// keep reports whether p should go on polling, retiring it when the
// worker has more pollers than its target.
func (w *sqsWorker) keep(p *poller) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.pollers[p] || w.ctx.Err() != nil {
		return false
	}
	if len(w.pollers) > w.target {
		delete(w.pollers, p)
		p.cancel()
		w.figuresLocked()
		return false
	}
	return true
}

func (w *sqsWorker) setIdle(p *poller, idle bool) {
	w.mu.Lock()
	p.idle = idle
	w.mu.Unlock()
}

func (w *sqsWorker) poll(ctx context.Context, p *poller) {
	defer w.wg.Done()
	defer p.cancel()
	for w.keep(p) {
		batch := w.collect(ctx, p)
		if len(batch) > 0 {
			w.process(batch)
		}
	}
}

func (w *sqsWorker) receive(ctx context.Context, n int) ([]sqs.Message, error) {
	out, err := w.m.cfg.Queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueURL: w.url, AttributeNames: []string{"All"},
		MessageAttributeNames: []string{"All"}, MaxNumberOfMessages: &n, WaitTimeSeconds: intp(sqsLongPoll)})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// collect long-polls for a first message, then gathers up to BatchSize
// within the batching window.
func (w *sqsWorker) collect(ctx context.Context, p *poller) []sqs.Message {
	per := min(10, w.mp.BatchSize)
	w.setIdle(p, true)
	got, err := w.receive(ctx, per)
	w.setIdle(p, false)
	if err != nil {
		if ctx.Err() == nil {
			w.m.cfg.Logger.Warn("event source mapping: receive failed", "uuid", w.mp.UUID, "err", err)
			w.m.setResult(w.mp.UUID, "PROBLEM: Error occurred while ReceiveMessage. "+err.Error())
			w.m.sleep(ctx, w.m.scaled(time.Second))
		}
		return nil
	}
	if len(got) == per {
		w.signalBacklog()
	}
	window := w.m.scaled(time.Duration(w.mp.MaximumBatchingWindowInSeconds) * time.Second)
	if len(got) == 0 || window <= 0 || len(got) >= w.mp.BatchSize {
		return got
	}
	wctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	timer := w.m.cfg.Clock.AfterFunc(window, cancel)
	defer timer.Stop()
	size := bodyBytes(got)
	for len(got) < w.mp.BatchSize && size < maxPayloadBytes && wctx.Err() == nil {
		more, err := w.receive(wctx, min(10, w.mp.BatchSize-len(got)))
		if err != nil {
			break
		}
		if len(more) == min(10, w.mp.BatchSize-len(got)) {
			w.signalBacklog()
		}
		got = append(got, more...)
		size += bodyBytes(more)
	}
	return got
}

func bodyBytes(ms []sqs.Message) int {
	n := 0
	for _, m := range ms {
		n += len(m.Body) + 512
	}
	return n
}

func (w *sqsWorker) signalBacklog() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *sqsWorker) record(msg sqs.Message) SQSRecord {
	attrs := map[string]string{}
	for k, v := range msg.Attributes {
		if k != "SqsManagedSseEnabled" {
			attrs[k] = v
		}
	}
	r := SQSRecord{MessageID: msg.MessageID, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body, Attributes: attrs,
		MessageAttributes: map[string]SQSAttributeValue{}, MD5OfBody: msg.MD5OfBody, EventSource: "aws:sqs",
		EventSourceARN: w.mp.EventSourceArn, AWSRegion: w.m.cfg.Region}
	if msg.MD5OfMessageAttributes != "" {
		md5 := msg.MD5OfMessageAttributes
		r.MD5OfMessageAttributes = &md5
	}
	for k, v := range msg.MessageAttributes {
		a := SQSAttributeValue{StringValue: v.StringValue, BinaryValue: v.BinaryValue, StringListValues: v.StringListValues,
			BinaryListValues: v.BinaryListValues, DataType: v.DataType}
		if a.StringListValues == nil {
			a.StringListValues = []string{}
		}
		if a.BinaryListValues == nil {
			a.BinaryListValues = [][]byte{}
		}
		r.MessageAttributes[k] = a
	}
	return r
}

// process filters, invokes and settles one batch.
func (w *sqsWorker) process(batch []sqs.Message) {
	uuid := w.mp.UUID
	var records []SQSRecord
	var dropped []string
	for _, msg := range batch {
		r := w.record(msg)
		if len(w.filters) > 0 {
			b, err := json.Marshal(r)
			if err != nil || !w.filters.pass(b) {
				dropped = append(dropped, msg.ReceiptHandle)
				continue
			}
		}
		records = append(records, r)
	}
	if len(dropped) > 0 {
		// Lambda deletes messages that match no filter.
		n := w.delete(dropped)
		w.m.update(uuid, func(f *Figures) { f.Filtered += uint64(n) })
	}
	if len(records) == 0 {
		return
	}
	resp, err := w.invokeBatch(w.mp.FunctionArn, SQSEvent{Records: records}, len(records))
	if err != nil {
		// Stopped, or the function cannot be invoked: the messages
		// reappear after the visibility timeout; this poller pauses.
		if w.ctx.Err() == nil {
			w.m.cfg.Logger.Warn("event source mapping: invoke failed", "uuid", uuid, "err", err)
			w.m.setResult(uuid, invokeProblem(err))
			w.m.update(uuid, func(f *Figures) { f.Failed += uint64(len(records)) })
			w.m.sleep(w.ctx, w.m.scaled(10*time.Second))
		}
		return
	}
	if resp.FunctionError != "" {
		w.m.setResult(uuid, "PROBLEM: Function call failed")
		w.m.update(uuid, func(f *Figures) { f.Failed += uint64(len(records)) })
		return
	}
	done := make([]string, 0, len(records))
	failed := 0
	if w.mp.reportsItemFailures() {
		ids, ok := batchItemFailures(resp.Payload)
		failedIDs := map[string]bool{}
		for _, id := range ids {
			failedIDs[id] = true
		}
		if ok {
			known := map[string]bool{}
			for _, r := range records {
				known[r.MessageID] = true
			}
			for id := range failedIDs {
				if !known[id] {
					ok = false // an unknown identifier fails the whole batch
				}
			}
		}
		if !ok {
			w.m.setResult(uuid, "PROBLEM: Function call failed")
			w.m.update(uuid, func(f *Figures) { f.Failed += uint64(len(records)) })
			return
		}
		for _, r := range records {
			if failedIDs[r.MessageID] {
				failed++
				continue
			}
			done = append(done, r.ReceiptHandle)
		}
	} else {
		for _, r := range records {
			done = append(done, r.ReceiptHandle)
		}
	}
	n := w.delete(done)
	w.m.setResult(uuid, "OK")
	w.m.update(uuid, func(f *Figures) {
		f.Deleted += uint64(n)
		f.Failed += uint64(failed)
	})
}

// delete removes messages ten at a time and returns how many went.
func (w *sqsWorker) delete(handles []string) int {
	deleted := 0
	for len(handles) > 0 {
		n := min(10, len(handles))
		entries := make([]sqs.DeleteMessageBatchRequestEntry, n)
		for i := range n {
			entries[i] = sqs.DeleteMessageBatchRequestEntry{ID: strconv.Itoa(i), ReceiptHandle: handles[i]}
		}
		handles = handles[n:]
		// Deletes use a context of their own: a mapping being stopped
		// still settles the batch its function already processed.
		out, err := w.m.cfg.Queues.DeleteMessageBatch(context.WithoutCancel(w.ctx), &sqs.DeleteMessageBatchInput{QueueURL: w.url, Entries: entries})
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				w.m.cfg.Logger.Warn("event source mapping: delete failed", "uuid", w.mp.UUID, "err", err)
			}
			continue
		}
		deleted += len(out.Successful)
	}
	return deleted
}
