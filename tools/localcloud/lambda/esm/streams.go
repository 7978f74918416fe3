package esm

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/sns"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Failure conditions in on-failure records.
const (
	ConditionRetriesExhausted = "RetryAttemptsExhausted"
	ConditionRecordAge        = "RecordAgeExceeded"
)

// DynamoDBRecord is one record of the DynamoDB Streams event Lambda sends:
// the stream record plus the mapping's source ARN.
type DynamoDBRecord struct {
	dynamodb.StreamRecord
	EventSourceARN string `json:"eventSourceARN"`
}

// DynamoDBEvent is the event a stream mapping invokes its function with.
type DynamoDBEvent struct {
	Records []DynamoDBRecord `json:"Records"`
}

// FailureRecord is what Lambda sends to a stream mapping's on-failure
// destination when it discards a batch.
type FailureRecord struct {
	RequestContext  FailureRequestContext   `json:"requestContext"`
	ResponseContext *FailureResponseContext `json:"responseContext,omitempty"`
	Version         string                  `json:"version"`
	Timestamp       string                  `json:"timestamp"`
	BatchInfo       DDBStreamBatchInfo      `json:"DDBStreamBatchInfo"`
}

// FailureRequestContext describes the failed invocations.
type FailureRequestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// FailureResponseContext describes the last invocation's outcome.
type FailureResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError"`
}

// DDBStreamBatchInfo locates the discarded records in the stream.
type DDBStreamBatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

type streamWorker struct {
	lifecycle
	mp      Mapping
	filters filters
	shardID string
	pos     uint64
}

func (m *Manager) startStream(mp Mapping) worker {
	w := &streamWorker{lifecycle: m.newLifecycle(mp.UUID), mp: mp, filters: compileFilters(mp.FilterCriteria)}
	w.wg.Add(1)
	go w.run()
	return w
}

func checkpointKey(uuid, shard string) []byte { return []byte(uuid + "/" + shard) }

// start finds the shard and the position to read after: the stored
// checkpoint, or the starting position (which is stored at once, so a
// restart resumes where the mapping began).
func (w *streamWorker) start() error {
	info, err := w.m.cfg.Streams.Stream(w.mp.EventSourceArn)
	if err != nil {
		return fmt.Errorf("stream %s: %w", w.mp.EventSourceArn, err)
	}
	w.shardID = info.ShardID
	key := checkpointKey(w.mp.UUID, w.shardID)
	found := false
	if err := w.m.cfg.Store.View(func(tx store.Tx) error {
		if v := tx.Get(bucketCheckpoints, key); len(v) == 8 {
			w.pos, found = binary.BigEndian.Uint64(v), true
		}
		return nil
	}); err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	if found {
		return nil
	}
	if w.mp.StartingPosition == Latest {
		w.pos = info.Last
	} else if w.pos, err = w.m.cfg.Streams.TrimHorizon(w.mp.EventSourceArn); err != nil {
		return fmt.Errorf("trim horizon: %w", err)
	}
	return w.checkpoint(w.pos)
}

// checkpoint durably records that every record up to seq is done.
func (w *streamWorker) checkpoint(seq uint64) error {
	if seq < w.pos {
		return nil
	}
	w.pos = seq
	v := binary.BigEndian.AppendUint64(nil, seq)
	if err := w.m.cfg.Store.Update(func(tx store.Tx) error {
		return tx.Put(bucketCheckpoints, checkpointKey(w.mp.UUID, w.shardID), v)
	}); err != nil {
		return fmt.Errorf("store checkpoint: %w", err)
	}
	return nil
}

func (w *streamWorker) run() {
	defer w.wg.Done()
	uuid := w.mp.UUID
	backoff := time.Second
	for {
		if w.m.cfg.Streams == nil {
			w.m.setResult(uuid, "PROBLEM: DynamoDB Streams are not available")
			return
		}
		err := w.start()
		if err == nil {
			break
		}
		w.m.setResult(uuid, "PROBLEM: "+err.Error())
		if !w.m.sleep(w.ctx, w.m.scaled(backoff)) {
			return
		}
		backoff = min(2*backoff, time.Minute)
	}
	w.m.update(uuid, func(f *Figures) { f.Pollers, f.Target = 1, 1 })
	for w.ctx.Err() == nil {
		recs, err := w.read()
		if err != nil {
			if w.ctx.Err() != nil {
				return
			}
			w.m.setResult(uuid, "PROBLEM: "+err.Error())
			if !w.m.sleep(w.ctx, w.m.scaled(time.Second)) {
				return
			}
			continue
		}
		if len(recs) > 0 {
			w.handle(recs)
		}
	}
}

// read waits for records after the checkpoint and gathers up to BatchSize
// (times the ParallelizationFactor) within the batching window.
func (w *streamWorker) read() ([]dynamodb.StreamRecord, error) {
	arn := w.mp.EventSourceArn
	var recs []dynamodb.StreamRecord
	var deadline <-chan struct{}
	// A parallelized shard reads enough to fill a batch per lane.
	limit := w.mp.BatchSize * w.factor()
	for {
		wake, err := w.m.cfg.Streams.StreamWait(arn)
		if err != nil {
			return nil, err
		}
		after := w.pos
		if len(recs) > 0 {
			after, _ = dynamodb.ParseSequenceNumber(recs[len(recs)-1].Dynamodb.SequenceNumber)
		}
		more, err := w.m.cfg.Streams.ReadStream(arn, after, limit-len(recs), maxPayloadBytes)
		if errors.Is(err, dynamodb.ErrTrimmed) && len(recs) == 0 {
			// Records passed retention before they were read: skip to
			// the oldest kept one, as a trimmed shard iterator does.
			pos, terr := w.m.cfg.Streams.TrimHorizon(arn)
			if terr != nil {
				return nil, terr
			}
			w.m.cfg.Logger.Warn("event source mapping: records expired from the stream before processing", "uuid", w.mp.UUID)
			if err := w.checkpoint(pos); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, more...)
		if len(recs) >= limit {
			return recs, nil
		}
		if len(recs) > 0 && deadline == nil {
			window := w.m.scaled(time.Duration(w.mp.MaximumBatchingWindowInSeconds) * time.Second)
			if window <= 0 {
				return recs, nil
			}
			ch, stop := w.m.after(window)
			defer stop()
			deadline = ch
		}
		select {
		case <-w.ctx.Done():
			return nil, w.ctx.Err()
		case <-deadline:
			return recs, nil
		case <-wake:
		}
	}
}

func seqOf(r DynamoDBRecord) uint64 {
	n, _ := dynamodb.ParseSequenceNumber(r.Dynamodb.SequenceNumber)
	return n
}

// handle delivers what one read returned, then checkpoints past it. With a
// ParallelizationFactor above one the records are spread over that many
// lanes by partition key (so each key keeps its order) and the lanes run
// concurrently; the shard is then checkpointed only when every lane is done.
func (w *streamWorker) handle(batch []dynamodb.StreamRecord) {
	uuid := w.mp.UUID
	last, _ := dynamodb.ParseSequenceNumber(batch[len(batch)-1].Dynamodb.SequenceNumber)
	var matched []DynamoDBRecord
	for _, r := range batch {
		rec := DynamoDBRecord{StreamRecord: r, EventSourceARN: w.mp.EventSourceArn}
		if len(w.filters) > 0 {
			b, err := json.Marshal(rec)
			if err != nil || !w.filters.pass(b) {
				continue
			}
		}
		matched = append(matched, rec)
	}
	if filtered := len(batch) - len(matched); filtered > 0 {
		w.m.update(uuid, func(f *Figures) { f.Filtered += uint64(filtered) })
	}
	w.m.update(uuid, func(f *Figures) { f.Backlog = len(matched) })
	lanes := partition(matched, w.factor())
	ok := true
	if len(lanes) == 1 {
		ok = w.deliver(lanes[0], true)
	} else {
		results := make([]bool, len(lanes))
		var wg sync.WaitGroup
		for i, lane := range lanes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = w.deliver(lane, false)
			}()
		}
		wg.Wait()
		for _, r := range results {
			ok = ok && r
		}
	}
	if ok && w.checkpointOrStop(last) {
		w.m.update(uuid, func(f *Figures) { f.Backlog = 0 })
	}
}

func (w *streamWorker) factor() int {
	if w.mp.ParallelizationFactor == nil {
		return 1
	}
	return max(1, *w.mp.ParallelizationFactor)
}

// partition spreads records over up to n lanes by a hash of their keys,
// keeping each lane in stream order; empty lanes are left out.
func partition(recs []DynamoDBRecord, n int) [][]DynamoDBRecord {
	if n <= 1 || len(recs) <= 1 {
		return [][]DynamoDBRecord{recs}
	}
	lanes := make([][]DynamoDBRecord, n)
	for _, r := range recs {
		h := fnv.New32a()
		key, _ := json.Marshal(r.Dynamodb.Keys)
		_, _ = h.Write(key)
		i := int(h.Sum32() % uint32(n))
		lanes[i] = append(lanes[i], r)
	}
	out := lanes[:0]
	for _, l := range lanes {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// deliver invokes the function with recs, BatchSize at a time and in
// order, until every record is processed or discarded. Partial failures
// resume from the lowest reported sequence number, function errors bisect
// (when enabled) and retry, and records past their retries or age go to the
// on-failure destination. When checkpoints is true progress is
// checkpointed as it is made. It returns false when the worker stops first.
func (w *streamWorker) deliver(recs []DynamoDBRecord, checkpoints bool) bool {
	uuid := w.mp.UUID
	type segment struct {
		recs     []DynamoDBRecord
		attempts int
	}
	var pending []segment
	for len(recs) > 0 {
		n := min(len(recs), w.mp.BatchSize)
		pending = append(pending, segment{recs: recs[:n]})
		recs = recs[n:]
	}
	done := func(seq uint64) bool { return !checkpoints || w.checkpointOrStop(seq) }
	maxRetries := -1
	if w.mp.MaximumRetryAttempts != nil {
		maxRetries = *w.mp.MaximumRetryAttempts
	}
	bisect := w.mp.BisectBatchOnFunctionError != nil && *w.mp.BisectBatchOnFunctionError
	backoff := 100 * time.Millisecond
	for len(pending) > 0 {
		seg := pending[0]
		if expired := w.expired(seg.recs); expired > 0 {
			if !w.discard(seg.recs[:expired], ConditionRecordAge, seg.attempts, nil) || !done(seqOf(seg.recs[expired-1])) {
				return false
			}
			seg.recs = seg.recs[expired:]
			if len(seg.recs) == 0 {
				pending = pending[1:]
				continue
			}
		}
		resp, err := w.invokeBatch(w.mp.FunctionArn, DynamoDBEvent{Records: seg.recs}, len(seg.recs))
		if err != nil {
			if w.ctx.Err() != nil {
				return false // stopping: resume from the checkpoint
			}
			var tooLarge *pool.RequestTooLargeError
			if errors.As(err, &tooLarge) && len(seg.recs) > 1 {
				half := len(seg.recs) / 2
				pending = append([]segment{{recs: seg.recs[:half], attempts: seg.attempts}, {recs: seg.recs[half:], attempts: seg.attempts}}, pending[1:]...)
				continue
			}
			// The function cannot be invoked (missing, say): keep the
			// shard where it is and try again.
			w.m.cfg.Logger.Warn("event source mapping: invoke failed", "uuid", uuid, "err", err)
			w.m.setResult(uuid, invokeProblem(err))
			if !w.m.sleep(w.ctx, w.m.scaled(10*time.Second)) {
				return false
			}
			continue
		}
		failedAt := -1 // index of the first record to retry; -1: none
		if resp.FunctionError != "" {
			failedAt = 0
		} else if w.mp.reportsItemFailures() {
			failedAt = itemFailureIndex(resp.Payload, seg.recs)
		}
		if failedAt < 0 {
			if !done(seqOf(seg.recs[len(seg.recs)-1])) {
				return false
			}
			w.m.setResult(uuid, "OK")
			pending = pending[1:]
			continue
		}
		w.m.setResult(uuid, "PROBLEM: Function call failed")
		w.m.update(uuid, func(f *Figures) { f.Failed += uint64(len(seg.recs) - failedAt) })
		if failedAt > 0 {
			// Partial failure: the records before the lowest reported
			// one are done; retry from it.
			if !done(seqOf(seg.recs[failedAt-1])) {
				return false
			}
			seg.recs = seg.recs[failedAt:]
			seg.attempts++
		} else if bisect && len(seg.recs) > 1 && resp.FunctionError != "" {
			// Splitting does not use up the retry quota.
			half := len(seg.recs) / 2
			pending = append([]segment{{recs: seg.recs[:half], attempts: seg.attempts}, {recs: seg.recs[half:], attempts: seg.attempts}}, pending[1:]...)
			continue
		} else {
			seg.attempts++
		}
		if maxRetries >= 0 && seg.attempts > maxRetries {
			if !w.discard(seg.recs, ConditionRetriesExhausted, seg.attempts, resp) || !done(seqOf(seg.recs[len(seg.recs)-1])) {
				return false
			}
			pending = pending[1:]
			continue
		}
		pending[0] = seg
		if !w.m.sleep(w.ctx, w.m.scaled(backoff)) {
			return false
		}
		backoff = min(2*backoff, 30*time.Second)
	}
	return true
}

// itemFailureIndex returns the index of the lowest sequence number a
// ReportBatchItemFailures response names, 0 when the response fails the
// whole batch, and -1 when it reports no failure.
func itemFailureIndex(payload []byte, recs []DynamoDBRecord) int {
	ids, ok := batchItemFailures(payload)
	if !ok {
		return 0
	}
	if len(ids) == 0 {
		return -1
	}
	index := map[string]int{}
	for i, r := range recs {
		index[r.Dynamodb.SequenceNumber] = i
	}
	lowest := len(recs)
	for _, id := range ids {
		i, found := index[id]
		if !found {
			return 0 // an unknown sequence number fails the whole batch
		}
		lowest = min(lowest, i)
	}
	return lowest
}

func (w *streamWorker) checkpointOrStop(seq uint64) bool {
	if err := w.checkpoint(seq); err != nil {
		w.m.cfg.Logger.Error("event source mapping: checkpoint failed", "uuid", w.mp.UUID, "err", err)
		return false
	}
	return true
}

// expired counts the leading records older than MaximumRecordAgeInSeconds.
func (w *streamWorker) expired(recs []DynamoDBRecord) int {
	if w.mp.MaximumRecordAgeInSeconds == nil || *w.mp.MaximumRecordAgeInSeconds < 0 {
		return 0
	}
	limit := float64(w.m.cfg.Clock.Now().Unix() - int64(*w.mp.MaximumRecordAgeInSeconds))
	n := 0
	for n < len(recs) && recs[n].Dynamodb.ApproximateCreationDateTime < limit {
		n++
	}
	return n
}

func arrival(r DynamoDBRecord) string {
	sec := r.Dynamodb.ApproximateCreationDateTime
	return time.UnixMilli(int64(sec * 1000)).UTC().Format(time.RFC3339)
}

// discard sends the failure record for recs to the on-failure destination,
// retrying until it is accepted; false means the worker is stopping first.
func (w *streamWorker) discard(recs []DynamoDBRecord, condition string, attempts int, resp *pool.Response) bool {
	uuid := w.mp.UUID
	w.m.update(uuid, func(f *Figures) { f.Discarded += uint64(len(recs)) })
	rec := FailureRecord{
		RequestContext: FailureRequestContext{RequestID: w.m.cfg.IDs.UUID(), FunctionArn: w.mp.FunctionArn,
			Condition: condition, ApproximateInvokeCount: attempts},
		Version:   "1.0",
		Timestamp: w.m.cfg.Clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		BatchInfo: DDBStreamBatchInfo{ShardID: w.shardID, StartSequenceNumber: recs[0].Dynamodb.SequenceNumber,
			EndSequenceNumber:               recs[len(recs)-1].Dynamodb.SequenceNumber,
			ApproximateArrivalOfFirstRecord: arrival(recs[0]), ApproximateArrivalOfLastRecord: arrival(recs[len(recs)-1]),
			BatchSize: len(recs), StreamArn: w.mp.EventSourceArn},
	}
	if resp != nil {
		rec.ResponseContext = &FailureResponseContext{StatusCode: 200, ExecutedVersion: resp.ExecutedVersion, FunctionError: resp.FunctionError}
	}
	if dest := w.mp.onFailure(); dest != "" {
		body, err := json.Marshal(rec)
		if err != nil {
			return false
		}
		backoff := time.Second
		for {
			err := w.m.sendFailure(w.ctx, dest, string(body))
			if err == nil {
				break
			}
			w.m.cfg.Logger.Warn("event source mapping: on-failure destination refused the record", "uuid", uuid, "destination", dest, "err", err)
			if !w.m.sleep(w.ctx, w.m.scaled(backoff)) {
				return false
			}
			backoff = min(2*backoff, time.Minute)
		}
	} else {
		w.m.cfg.Logger.Warn("event source mapping: discarding stream records", "uuid", uuid, "condition", condition,
			"start", rec.BatchInfo.StartSequenceNumber, "end", rec.BatchInfo.EndSequenceNumber)
	}
	return true
}

// sendFailure delivers a failure record to an SQS queue or SNS topic.
func (m *Manager) sendFailure(ctx context.Context, dest, body string) error {
	switch {
	case strings.HasPrefix(dest, "arn:aws:sqs:"):
		if m.cfg.Queues == nil {
			return errors.New("no SQS service")
		}
		_, err := m.cfg.Queues.SendToARN(ctx, dest, body, nil)
		return err
	case strings.HasPrefix(dest, "arn:aws:sns:"):
		if m.cfg.Topics == nil {
			return errors.New("no SNS service")
		}
		_, err := m.cfg.Topics.Publish(ctx, &sns.PublishInput{TopicArn: dest, Message: &body})
		return err
	}
	return fmt.Errorf("unsupported destination %s", dest)
}
