package esm

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/sns"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

const (
	bucketMappings    = "lambda.esm"
	bucketCheckpoints = "lambda.esm.checkpoints"
)

// Invoker runs a function synchronously; *pool.Engine implements it.
type Invoker interface {
	Invoke(ctx context.Context, req pool.Request) (*pool.Response, error)
}

// ConcurrencyLimiter reports a function's reserved concurrency. The
// Invoker may implement it; without it SQS pollers are capped by
// MaximumConcurrency alone (and queue for capacity in the engine).
type ConcurrencyLimiter interface {
	ReservedConcurrency(functionName string) (int, bool)
}

// CapacityReporter reports a function's engine figures; *pool.Engine
// implements it. When the Invoker implements it, SQS scaling backs off
// while invocations queue for capacity (as Lambda backs off when throttled).
type CapacityReporter interface {
	Figures(functionName string) pool.Figures
}

// Queues is what mappings need of SQS; *sqs.Service implements it.
type Queues interface {
	QueueURL(ctx context.Context, arn string) (string, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput) (*sqs.AttributesOutput, error)
	SendToARN(ctx context.Context, arn, body string, attrs map[string]sqs.MessageAttributeValue) (string, error)
}

// Streams is what mappings need of DynamoDB Streams; *dynamodb.Service
// implements it.
type Streams interface {
	Stream(arn string) (dynamodb.StreamInfo, error)
	TrimHorizon(arn string) (uint64, error)
	ReadStream(arn string, after uint64, limit, maxBytes int) ([]dynamodb.StreamRecord, error)
	StreamWait(arn string) (<-chan struct{}, error)
}

// Topics publishes failure records to SNS destinations; *sns.Service
// implements it.
type Topics interface {
	Publish(ctx context.Context, in *sns.PublishInput) (*sns.PublishOutput, error)
}

// Config wires a Manager.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Source
	Region  string
	Account string
	Invoker Invoker
	// Queues, Streams and Topics are the sources and destinations; a
	// mapping whose service is missing fails to start.
	Queues  Queues
	Streams Streams
	Topics  Topics
	// RoleAllows decides whether the execution role of functionArn may call action on
	// resource (whose resource-based policy is resourcePolicy): AWS refuses to create a
	// mapping whose role cannot poll its source or reach its on-failure destination.
	// Nil skips the check.
	RoleAllows func(ctx context.Context, functionArn, action, resource, resourcePolicy string) bool
	// TimeScale speeds up the mappings' own rates and waits (scaling
	// steps, batching windows, retry back-off): 60 makes a minute of
	// scaling take a second. Values below 1 mean 1.
	TimeScale float64
	Logger    *slog.Logger
}

// Figures are a mapping's current and cumulative counts.
type Figures struct {
	// Pollers are running SQS pollers (streams: shard workers); Target
	// is the scaler's current goal; Concurrency counts batches handed to
	// the function (running, or queued in the engine for capacity);
	// Backlog is the queue's last sampled
	// ApproximateNumberOfMessages (streams: records read but not yet
	// checkpointed).
	Pollers, Target, Concurrency, Backlog int
	// PeakPollers and PeakConcurrency are the highest Pollers and
	// Concurrency since the mapping was loaded.
	PeakPollers, PeakConcurrency int
	// Invocations and Records count function calls and the records
	// they carried; Deleted counts SQS messages deleted after success;
	// Filtered counts records dropped by filter criteria; Failed counts
	// records left to retry or discarded; Discarded counts stream
	// records sent to the on-failure destination (or dropped).
	Invocations, Records, Deleted, Filtered, Failed, Discarded uint64
}

// worker is a running mapping.
type worker interface {
	stop()
}

type entry struct {
	m      Mapping
	kind   string
	worker worker
	fig    Figures
	// enabled is the stored state (m.State shows Updating during a
	// hand-over); gen counts changes, so a hand-over overtaken by a later
	// change does not start a worker; handover is closed when the latest
	// hand-over is done.
	enabled  bool
	gen      int
	handover chan struct{}
}

// Manager keeps event source mappings and runs them.
type Manager struct {
	cfg Config
	// ops serialises Create, Update, Delete and Close, which stop and
	// start workers outside mu.
	ops sync.Mutex

	mu      sync.Mutex
	entries map[string]*entry
	changed chan struct{}
	closed  bool
	// handovers tracks Updates still replacing a worker.
	handovers sync.WaitGroup
}

// New loads the stored mappings and starts the enabled ones.
func New(cfg Config) (*Manager, error) {
	if err := fillDefaults(&cfg.Clock, &cfg.Logger, &cfg.TimeScale, cfg.Store, cfg.IDs, cfg.Invoker); err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, entries: map[string]*entry{}, changed: make(chan struct{})}
	var loaded []Mapping
	err := cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(bucketMappings, nil, func(k, v []byte) error {
			var mp Mapping
			if err := json.Unmarshal(v, &mp); err != nil {
				return fmt.Errorf("mapping %s: %w", k, err)
			}
			loaded = append(loaded, mp)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load event source mappings: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mp := range loaded {
		kind, err := sourceKind(mp.EventSourceArn)
		if err != nil {
			continue
		}
		switch mp.State {
		case StateDeleting:
			// The delete was acknowledged; finish it.
			if err := m.forget(mp.UUID); err != nil {
				m.closeLocked()
				return nil, err
			}
			continue
		case StateDisabled:
		default:
			mp.State = StateEnabled
		}
		e := &entry{m: mp, kind: kind, enabled: mp.State == StateEnabled}
		m.entries[mp.UUID] = e
		if mp.State == StateEnabled {
			m.startLocked(e)
		}
	}
	return m, nil
}

// fillDefaults applies the defaults Config and AsyncConfig share and
// checks their required members.
func fillDefaults(clk *clock.Clock, logger **slog.Logger, scale *float64, st store.Store, src *ids.Source, inv Invoker) error {
	if *clk == nil {
		*clk = clock.Real{}
	}
	if *logger == nil {
		*logger = slog.New(slog.DiscardHandler)
	}
	if *scale < 1 {
		*scale = 1
	}
	if st == nil || src == nil || inv == nil {
		return errors.New("esm: Store, IDs and Invoker are required")
	}
	return nil
}

// lifecycle is what every worker has: a context that stops it and the
// goroutines to wait for.
type lifecycle struct {
	m      *Manager
	uuid   string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (m *Manager) newLifecycle(uuid string) lifecycle {
	ctx, cancel := context.WithCancel(context.Background())
	return lifecycle{m: m, uuid: uuid, ctx: ctx, cancel: cancel}
}

// stop cancels the worker, waits for its goroutines (they settle the
// batches already handed to the function) and clears its live figures.
func (l *lifecycle) stop() {
	l.cancel()
	l.wg.Wait()
	l.m.update(l.uuid, func(f *Figures) { f.Pollers, f.Target, f.Concurrency = 0, 0, 0 })
}

// invokeBatch sends one event of n records to the mapping's function,
// counting it in the figures while it is in flight.
func (l *lifecycle) invokeBatch(functionArn string, event any, n int) (*pool.Response, error) {
	payload, err := json.Marshal(event)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	l.m.update(l.uuid, func(f *Figures) { f.Concurrency++ })
	resp, err := l.m.invoke(l.ctx, functionArn, payload)
	l.m.update(l.uuid, func(f *Figures) {
		f.Concurrency--
		if err == nil {
			f.Invocations++
			f.Records += uint64(n)
		}
	})
	return resp, err
}

// scaled divides a duration by the time scale.
func (m *Manager) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / m.cfg.TimeScale)
}

// functionARN resolves FunctionName (name, name:qualifier, partial or full
// ARN) to the function's ARN, and returns the name and qualifier.
func (m *Manager) functionARN(name string) (arn, fn, qualifier string, err error) {
	s := name
	if strings.HasPrefix(s, "arn:") {
		parts := strings.Split(s, ":")
		if len(parts) < 7 || parts[2] != "lambda" || parts[5] != "function" {
			return "", "", "", validationError(name, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
		}
		fn = parts[6]
		if len(parts) > 7 {
			qualifier = parts[7]
		}
	} else {
		s = strings.TrimPrefix(s, m.cfg.Account+":function:")
		fn, qualifier, _ = strings.Cut(s, ":")
	}
	if fn == "" {
		return "", "", "", validationError(name, "functionName", "Member must have length greater than or equal to 1")
	}
	arn = "arn:aws:lambda:" + m.cfg.Region + ":" + m.cfg.Account + ":function:" + fn
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn, fn, qualifier, nil
}

// splitFunctionARN returns a mapping's function name and qualifier.
func splitFunctionARN(arn string) (string, string) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 {
		return arn, ""
	}
	if len(parts) > 7 {
		return parts[6], parts[7]
	}
	return parts[6], ""
}

// persist stores a mapping, and with it any extra writes (a first
// checkpoint) in the same transaction.
func (m *Manager) persist(mp Mapping, extra ...func(store.Tx) error) error {
	b, err := json.Marshal(mp)
	if err != nil {
		return fmt.Errorf("encode mapping %s: %w", mp.UUID, err)
	}
	if err := m.cfg.Store.Update(func(tx store.Tx) error {
		for _, f := range extra {
			if err := f(tx); err != nil {
				return err
			}
		}
		return tx.Put(bucketMappings, []byte(mp.UUID), b)
	}); err != nil {
		return fmt.Errorf("store mapping %s: %w", mp.UUID, err)
	}
	return nil
}

func (m *Manager) forget(uuid string) error {
	err := m.cfg.Store.Update(func(tx store.Tx) error {
		if err := tx.Delete(bucketMappings, []byte(uuid)); err != nil {
			return err
		}
		var keys [][]byte
		if err := tx.ForEach(bucketCheckpoints, []byte(uuid+"/"), func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(bucketCheckpoints, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete mapping %s: %w", uuid, err)
	}
	return nil
}

// Create adds a mapping. It answers in state Creating (Enabling is
// immediate here: the returned mapping is already running when enabled),
// as Lambda's CreateEventSourceMapping does.
func (m *Manager) Create(ctx context.Context, in CreateInput) (Mapping, error) {
	m.ops.Lock()
	defer m.ops.Unlock()
	kind, err := sourceKind(in.EventSourceArn)
	if err != nil {
		return Mapping{}, err
	}
	if err := checkModel(in.BatchSize, in.MaximumBatchingWindowInSeconds, in.MaximumRetryAttempts, in.MaximumRecordAgeInSeconds,
		in.ParallelizationFactor, in.TumblingWindowInSeconds, in.ScalingConfig); err != nil {
		return Mapping{}, err
	}
	arn, _, _, err := m.functionARN(in.FunctionName)
	if err != nil {
		return Mapping{}, err
	}
	mp := Mapping{
		UUID: m.cfg.IDs.UUID(), EventSourceArn: in.EventSourceArn, FunctionArn: arn,
		StateTransitionReason: "USER_INITIATED", LastModified: m.cfg.Clock.Now().UTC(),
		LastProcessingResult:  "No records processed",
		FunctionResponseTypes: in.FunctionResponseTypes, FilterCriteria: in.FilterCriteria, ScalingConfig: in.ScalingConfig,
		StartingPosition: in.StartingPosition, StartingPositionTimestamp: in.StartingPositionTimestamp,
		BisectBatchOnFunctionError: in.BisectBatchOnFunctionError, MaximumRetryAttempts: in.MaximumRetryAttempts,
		MaximumRecordAgeInSeconds: in.MaximumRecordAgeInSeconds, ParallelizationFactor: in.ParallelizationFactor,
		DestinationConfig: in.DestinationConfig, TumblingWindowInSeconds: in.TumblingWindowInSeconds,
	}
	if in.BatchSize != nil {
		mp.BatchSize = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		mp.MaximumBatchingWindowInSeconds = *in.MaximumBatchingWindowInSeconds
	}
	applyDefaults(&mp, kind)
	if err := validate(&mp, kind); err != nil {
		return Mapping{}, err
	}
	if err := m.checkSource(ctx, kind, mp.EventSourceArn); err != nil {
		return Mapping{}, err
	}
	if err := m.checkRole(ctx, kind, mp); err != nil {
		return Mapping{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Mapping{}, errors.New("esm: manager closed")
	}
	for _, e := range m.entries {
		if e.m.EventSourceArn == mp.EventSourceArn && e.m.FunctionArn == mp.FunctionArn {
			return Mapping{}, conflict("The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. Please update or delete the existing mapping with UUID %s",
				mp.EventSourceArn, mp.FunctionArn, e.m.UUID)
		}
	}
	enabled := in.Enabled == nil || *in.Enabled
	mp.State = StateDisabled
	if enabled {
		mp.State = StateEnabled
	}
	var extra []func(store.Tx) error
	if kind == kindStream && mp.StartingPosition == Latest {
		// LATEST means after what the stream holds now, not when the
		// worker gets to it: fix the position with the mapping.
		info, err := m.cfg.Streams.Stream(mp.EventSourceArn)
		if err != nil {
			return Mapping{}, invalidParameter("Stream not found: %s", mp.EventSourceArn)
		}
		extra = append(extra, func(tx store.Tx) error {
			return tx.Put(bucketCheckpoints, checkpointKey(mp.UUID, info.ShardID), binary.BigEndian.AppendUint64(nil, info.Last))
		})
	}
	if err := m.persist(mp, extra...); err != nil {
		return Mapping{}, err
	}
	e := &entry{m: mp, kind: kind, enabled: enabled}
	m.entries[mp.UUID] = e
	if enabled {
		m.startLocked(e)
	}
	m.notifyLocked()
	out := mp.clone()
	out.State = StateCreating
	return out, nil
}

// checkSource verifies that the event source exists.
func (m *Manager) checkSource(ctx context.Context, kind, arn string) error {
	switch kind {
	case kindSQS:
		if m.cfg.Queues == nil {
			return invalidParameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.")
		}
		if _, err := m.cfg.Queues.QueueURL(ctx, arn); err != nil {
			return invalidParameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.")
		}
	case kindStream:
		if m.cfg.Streams == nil {
			return invalidParameter("Stream not found: %s", arn)
		}
		if _, err := m.cfg.Streams.Stream(arn); err != nil {
			return invalidParameter("Stream not found: %s", arn)
		}
	}
	return nil
}

// checkRole refuses a mapping whose function's execution role could not poll the source
// or send to the on-failure destination, with the messages Lambda gives.
func (m *Manager) checkRole(ctx context.Context, kind string, mp Mapping) error {
	allows := m.cfg.RoleAllows
	if allows == nil {
		return nil
	}
	switch kind {
	case kindSQS:
		policy := m.queuePolicy(ctx, mp.EventSourceArn)
		for _, op := range []string{"ReceiveMessage", "DeleteMessage", "GetQueueAttributes"} {
			if !allows(ctx, mp.FunctionArn, "sqs:"+op, mp.EventSourceArn, policy) {
				return invalidParameter("The provided execution role does not have permissions to call %s on SQS", op)
			}
		}
	case kindStream:
		for _, op := range []string{"GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"} {
			if !allows(ctx, mp.FunctionArn, "dynamodb:"+op, mp.EventSourceArn, "") {
				return invalidParameter("Cannot access stream %s. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.", mp.EventSourceArn)
			}
		}
	}
	if mp.DestinationConfig == nil || mp.DestinationConfig.OnFailure == nil || mp.DestinationConfig.OnFailure.Destination == "" {
		return nil
	}
	dest := mp.DestinationConfig.OnFailure.Destination
	switch {
	case strings.HasPrefix(dest, "arn:aws:sqs:"):
		if !allows(ctx, mp.FunctionArn, "sqs:SendMessage", dest, m.queuePolicy(ctx, dest)) {
			return invalidParameter("The provided execution role does not have permissions to call SendMessage on SQS")
		}
	case strings.HasPrefix(dest, "arn:aws:sns:"):
		if !allows(ctx, mp.FunctionArn, "sns:Publish", dest, "") {
			return invalidParameter("The provided execution role does not have permissions to call Publish on SNS")
		}
	}
	return nil
}

// queuePolicy is the queue's Policy attribute ("" when it has none or cannot be read).
func (m *Manager) queuePolicy(ctx context.Context, arn string) string {
	if m.cfg.Queues == nil {
		return ""
	}
	url, err := m.cfg.Queues.QueueURL(ctx, arn)
	if err != nil {
		return ""
	}
	out, err := m.cfg.Queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueURL: url, AttributeNames: []string{"Policy"}})
	if err != nil || out == nil {
		return ""
	}
	return out.Attributes["Policy"]
}

// Get returns a mapping.
func (m *Manager) Get(uuid string) (Mapping, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[uuid]
	if e == nil {
		return Mapping{}, notFound("The resource you requested does not exist.")
	}
	return e.m.clone(), nil
}

// List returns mappings ordered by UUID, optionally for one source and/or
// function, a page at a time (MaxItems 1..10000, default 100).
func (m *Manager) List(in ListInput) (ListOutput, error) {
	fnArn := ""
	if in.FunctionName != "" {
		arn, _, _, err := m.functionARN(in.FunctionName)
		if err != nil {
			return ListOutput{}, err
		}
		fnArn = arn
	}
	max := in.MaxItems
	if max <= 0 {
		max = 100
	}
	m.mu.Lock()
	var all []Mapping
	for _, e := range m.entries {
		if in.EventSourceArn != "" && e.m.EventSourceArn != in.EventSourceArn {
			continue
		}
		if fnArn != "" && e.m.FunctionArn != fnArn {
			continue
		}
		all = append(all, e.m.clone())
	}
	m.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].UUID < all[j].UUID })
	out := ListOutput{}
	for _, mp := range all {
		if in.Marker != "" && mp.UUID <= in.Marker {
			continue
		}
		if len(out.EventSourceMappings) == max {
			out.NextMarker = out.EventSourceMappings[max-1].UUID
			break
		}
		out.EventSourceMappings = append(out.EventSourceMappings, mp)
	}
	return out, nil
}

// Update changes a mapping and answers in state Updating, as Lambda does.
// In the background the old worker settles its in-flight batches, then the
// new one starts (stream checkpoints are kept) and the state becomes
// Enabled or Disabled.
func (m *Manager) Update(ctx context.Context, in UpdateInput) (Mapping, error) {
	m.ops.Lock()
	defer m.ops.Unlock()
	if err := checkModel(in.BatchSize, in.MaximumBatchingWindowInSeconds, in.MaximumRetryAttempts, in.MaximumRecordAgeInSeconds,
		in.ParallelizationFactor, in.TumblingWindowInSeconds, in.ScalingConfig); err != nil {
		return Mapping{}, err
	}
	m.mu.Lock()
	e := m.entries[in.UUID]
	if e == nil {
		m.mu.Unlock()
		return Mapping{}, notFound("The resource you requested does not exist.")
	}
	if e.m.State == StateDeleting {
		m.mu.Unlock()
		return Mapping{}, conflict("Cannot update the event source mapping because it is in use.")
	}
	mp := e.m.clone()
	kind := e.kind
	m.mu.Unlock()

	if in.FunctionName != "" {
		arn, _, _, err := m.functionARN(in.FunctionName)
		if err != nil {
			return Mapping{}, err
		}
		mp.FunctionArn = arn
	}
	if in.BatchSize != nil {
		mp.BatchSize = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		mp.MaximumBatchingWindowInSeconds = *in.MaximumBatchingWindowInSeconds
	}
	if in.FunctionResponseTypes != nil {
		mp.FunctionResponseTypes = in.FunctionResponseTypes
		if len(in.FunctionResponseTypes) == 0 {
			mp.FunctionResponseTypes = nil
		}
	}
	if in.FilterCriteria != nil {
		mp.FilterCriteria = in.FilterCriteria
		if len(in.FilterCriteria.Filters) == 0 {
			mp.FilterCriteria = nil
		}
	}
	if in.ScalingConfig != nil {
		mp.ScalingConfig = in.ScalingConfig
		if in.ScalingConfig.MaximumConcurrency == nil {
			mp.ScalingConfig = nil
		}
	}
	setIf := func(dst **int, v *int) {
		if v != nil {
			*dst = intp(*v)
		}
	}
	setIf(&mp.MaximumRetryAttempts, in.MaximumRetryAttempts)
	setIf(&mp.MaximumRecordAgeInSeconds, in.MaximumRecordAgeInSeconds)
	setIf(&mp.ParallelizationFactor, in.ParallelizationFactor)
	setIf(&mp.TumblingWindowInSeconds, in.TumblingWindowInSeconds)
	if in.BisectBatchOnFunctionError != nil {
		b := *in.BisectBatchOnFunctionError
		mp.BisectBatchOnFunctionError = &b
	}
	if in.DestinationConfig != nil {
		mp.DestinationConfig = in.DestinationConfig
	}
	// Stream-only members are validated against the stored StartingPosition.
	if err := validate(&mp, kind); err != nil {
		return Mapping{}, err
	}
	m.mu.Lock()
	enabled := e.enabled
	m.mu.Unlock()
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	mp.State = StateDisabled
	if enabled {
		mp.State = StateEnabled
	}
	mp.StateTransitionReason = "USER_INITIATED"
	mp.LastModified = m.cfg.Clock.Now().UTC()

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Mapping{}, errors.New("esm: manager closed")
	}
	if m.entries[in.UUID] != e {
		return Mapping{}, notFound("The resource you requested does not exist.")
	}
	mp.LastProcessingResult = e.m.LastProcessingResult
	if err := m.persist(mp); err != nil {
		return Mapping{}, err
	}
	// The old worker settles its in-flight batches in the background;
	// the new one starts after it, so a shard never has two readers.
	old, prev := e.worker, e.handover
	done := make(chan struct{})
	e.worker, e.handover, e.enabled = nil, done, enabled
	e.gen++
	e.m = mp
	e.m.State = StateUpdating
	m.handovers.Add(1)
	go m.handOver(e, e.gen, prev, old, done)
	m.notifyLocked()
	out := mp.clone()
	out.State = StateUpdating
	return out, nil
}

// handOver stops a mapping's old worker (after any earlier hand-over) and
// starts the new one unless a later change or Close overtook it.
func (m *Manager) handOver(e *entry, gen int, prev <-chan struct{}, old worker, done chan struct{}) {
	defer m.handovers.Done()
	defer close(done)
	if prev != nil {
		<-prev
	}
	if old != nil {
		old.stop()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.gen != gen || m.entries[e.m.UUID] != e || m.closed {
		return
	}
	e.m.State = StateDisabled
	if e.enabled {
		e.m.State = StateEnabled
		m.startLocked(e)
	}
	m.notifyLocked()
}

// Delete removes a mapping. It answers in state Deleting; the mapping is
// gone once its worker has stopped (in-flight SQS messages return to the
// queue after their visibility timeout).
func (m *Manager) Delete(ctx context.Context, uuid string) (Mapping, error) {
	m.ops.Lock()
	defer m.ops.Unlock()
	m.mu.Lock()
	e := m.entries[uuid]
	if e == nil {
		m.mu.Unlock()
		return Mapping{}, notFound("The resource you requested does not exist.")
	}
	if e.m.State == StateDeleting {
		m.mu.Unlock()
		return e.m.clone(), nil
	}
	e.m.State = StateDeleting
	e.m.StateTransitionReason = "USER_INITIATED"
	mp := e.m.clone()
	w, prev := e.worker, e.handover
	e.worker, e.handover = nil, nil
	e.gen++ // a hand-over in progress starts nothing
	m.notifyLocked()
	m.mu.Unlock()
	if err := m.persist(mp); err != nil {
		return Mapping{}, err
	}
	if prev != nil {
		<-prev
	}
	if w != nil {
		w.stop()
	}
	if err := m.forget(uuid); err != nil {
		return Mapping{}, err
	}
	m.mu.Lock()
	delete(m.entries, uuid)
	m.notifyLocked()
	m.mu.Unlock()
	return mp, nil
}

// Close stops every worker (mappings stay stored and resume on the next
// New).
func (m *Manager) Close() {
	m.ops.Lock()
	defer m.ops.Unlock()
	m.mu.Lock()
	ws := m.takeWorkersLocked()
	m.mu.Unlock()
	stopAll(ws)
	m.handovers.Wait()
}

// closeLocked marks the manager closed and stops its workers in the
// background (New's failure path, which holds the lock).
func (m *Manager) closeLocked() {
	go stopAll(m.takeWorkersLocked())
}

func (m *Manager) takeWorkersLocked() []worker {
	m.closed = true
	var ws []worker
	for _, e := range m.entries {
		if e.worker != nil {
			ws = append(ws, e.worker)
			e.worker = nil
		}
	}
	return ws
}

func stopAll(ws []worker) {
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.stop()
		}()
	}
	wg.Wait()
}

// Figures returns a mapping's figures (zero for an unknown UUID).
func (m *Manager) Figures(uuid string) Figures {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.entries[uuid]; e != nil {
		return e.fig
	}
	return Figures{}
}

// Changed returns a channel closed at the next change of any figure or
// mapping.
func (m *Manager) Changed() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changed
}

func (m *Manager) notifyLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// update changes a running mapping's figures under the lock and wakes
// samplers.
func (m *Manager) update(uuid string, f func(*Figures)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.entries[uuid]; e != nil {
		f(&e.fig)
		e.fig.PeakPollers = max(e.fig.PeakPollers, e.fig.Pollers)
		e.fig.PeakConcurrency = max(e.fig.PeakConcurrency, e.fig.Concurrency)
		m.notifyLocked()
	}
}

// setResult records LastProcessingResult (in memory; it is persisted with
// the next change of the mapping).
func (m *Manager) setResult(uuid, result string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.entries[uuid]; e != nil && e.m.LastProcessingResult != result {
		e.m.LastProcessingResult = result
		m.notifyLocked()
	}
}

func (m *Manager) startLocked(e *entry) {
	mp := e.m.clone()
	switch e.kind {
	case kindSQS:
		e.worker = m.startSQS(mp)
	case kindStream:
		e.worker = m.startStream(mp)
	}
}

// after returns a channel closed once d has passed on the clock, and a
// stop function.
func (m *Manager) after(d time.Duration) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	t := m.cfg.Clock.AfterFunc(d, func() { close(ch) })
	return ch, func() { t.Stop() }
}

// sleep waits d on the clock or until ctx ends; it reports whether the full
// time passed.
func (m *Manager) sleep(ctx context.Context, d time.Duration) bool {
	ch, stop := m.after(d)
	defer stop()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// invoke calls the function, waiting for capacity at its concurrency
// limit. Throttles are retried with back-off until ctx ends; other errors
// (the function is missing, the payload too large, the engine closed) are
// returned for the caller to keep the batch and retry later.
func (m *Manager) invoke(ctx context.Context, functionArn string, payload []byte) (*pool.Response, error) {
	name, qualifier := splitFunctionARN(functionArn)
	backoff := time.Second
	for {
		resp, err := m.cfg.Invoker.Invoke(ctx, pool.Request{FunctionName: name, Qualifier: qualifier, Payload: payload, Wait: true})
		var throttled *pool.ThrottleError
		if err == nil || ctx.Err() != nil || !errors.As(err, &throttled) {
			return resp, err
		}
		if !m.sleep(ctx, m.scaled(backoff)) {
			return nil, ctx.Err()
		}
		backoff = min(backoff*2, time.Minute)
	}
}

// invokeProblem words an invoke error for LastProcessingResult.
func invokeProblem(err error) string {
	var nf *pool.NotFoundError
	if errors.As(err, &nf) {
		return "PROBLEM: Function not found: " + nf.ARN
	}
	return "PROBLEM: " + err.Error()
}

// batchItemFailures parses a ReportBatchItemFailures response. ok is false
// when the response must count as a failure of the whole batch.
func batchItemFailures(payload []byte) (ids []string, ok bool) {
	trimmed := strings.TrimSpace(string(payload))
	if trimmed == "" || trimmed == "null" {
		return nil, true
	}
	if !json.Valid(payload) {
		return nil, false
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(payload, &resp); err != nil {
		// Valid JSON that is not an object carries no failures.
		return nil, true
	}
	raw, present := resp["batchItemFailures"]
	if !present || string(raw) == "null" {
		return nil, true
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false
	}
	for _, it := range items {
		var id string
		v, present := it["itemIdentifier"]
		if !present || json.Unmarshal(v, &id) != nil || id == "" {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}
