package esm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

const bucketAsync = "lambda.async"

// Lambda's asynchronous invocation defaults: two retries after function
// errors, one and then two minutes apart; events are kept up to six hours
// while the function is throttled or unavailable.
const (
	asyncRetries     = 2
	asyncFirstDelay  = time.Minute
	asyncMaxEventAge = 6 * time.Hour
)

// AsyncConfig wires an AsyncInvoker.
type AsyncConfig struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Source
	Invoker Invoker
	// TimeScale divides the retry delays (see Config.TimeScale).
	TimeScale float64
	Logger    *slog.Logger
}

// AsyncInvoker is Lambda's queue for asynchronous (Event) invocations: an
// event is stored before InvokeEvent returns, invoked in the background,
// retried twice after function errors and kept while the function is
// throttled, then forgotten. *AsyncInvoker implements sns.FunctionInvoker.
type AsyncInvoker struct {
	cfg    AsyncConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	delivered uint64
	failed    uint64
	changed   chan struct{}
}

type asyncEvent struct {
	ID          string    `json:"id"`
	FunctionArn string    `json:"functionArn"`
	Payload     []byte    `json:"payload"`
	Received    time.Time `json:"received"`
	Attempts    int       `json:"attempts"`
}

// NewAsync returns an invoker and resumes the events stored by a previous
// run.
func NewAsync(cfg AsyncConfig) (*AsyncInvoker, error) {
	if err := fillDefaults(&cfg.Clock, &cfg.Logger, &cfg.TimeScale, cfg.Store, cfg.IDs, cfg.Invoker); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &AsyncInvoker{cfg: cfg, ctx: ctx, cancel: cancel, changed: make(chan struct{})}
	var pending []asyncEvent
	err := cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(bucketAsync, nil, func(k, v []byte) error {
			var ev asyncEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("async event %s: %w", k, err)
			}
			pending = append(pending, ev)
			return nil
		})
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("load async events: %w", err)
	}
	for _, ev := range pending {
		a.wg.Add(1)
		go a.deliver(ev)
	}
	return a, nil
}

// InvokeEvent queues payload for the function named by functionArn (with
// an optional qualifier) and returns once the event is stored.
func (a *AsyncInvoker) InvokeEvent(ctx context.Context, functionArn string, payload []byte) error {
	if len(payload) > 256*1024 {
		return &pool.RequestTooLargeError{Size: len(payload)}
	}
	if !strings.HasPrefix(functionArn, "arn:aws:lambda:") {
		return fmt.Errorf("invoke event: %q is not a function ARN", functionArn)
	}
	if a.ctx.Err() != nil {
		return fmt.Errorf("invoke event: %w", pool.ErrClosed)
	}
	ev := asyncEvent{ID: a.cfg.IDs.UUID(), FunctionArn: functionArn, Payload: payload, Received: a.cfg.Clock.Now()}
	if err := a.save(ev); err != nil {
		return err
	}
	a.wg.Add(1)
	go a.deliver(ev)
	return nil
}

func (a *AsyncInvoker) save(ev asyncEvent) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode async event: %w", err)
	}
	if err := a.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketAsync, []byte(ev.ID), b) }); err != nil {
		return fmt.Errorf("store async event: %w", err)
	}
	return nil
}

func (a *AsyncInvoker) sleep(d time.Duration) bool {
	ch := make(chan struct{})
	t := a.cfg.Clock.AfterFunc(time.Duration(float64(d)/a.cfg.TimeScale), func() { close(ch) })
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-a.ctx.Done():
		return false
	}
}

// deliver invokes until success, the retries are spent or the event is
// too old; a stop leaves the event stored for the next run.
func (a *AsyncInvoker) deliver(ev asyncEvent) {
	defer a.wg.Done()
	name, qualifier := splitFunctionARN(ev.FunctionArn)
	backoff := time.Second
	for {
		if a.cfg.Clock.Now().Sub(ev.Received) > asyncMaxEventAge {
			a.finish(ev, false, "event too old")
			return
		}
		resp, err := a.cfg.Invoker.Invoke(a.ctx, pool.Request{FunctionName: name, Qualifier: qualifier, Payload: ev.Payload, Wait: true})
		if a.ctx.Err() != nil {
			return
		}
		var nf *pool.NotFoundError
		switch {
		case errors.As(err, &nf):
			a.finish(ev, false, err.Error())
			return
		case err != nil:
			// Throttled or unavailable: keep the event and try again.
			if !a.sleep(backoff) {
				return
			}
			backoff = min(2*backoff, 5*time.Minute)
			continue
		case resp.FunctionError == "":
			a.finish(ev, true, "")
			return
		}
		ev.Attempts++
		if ev.Attempts > asyncRetries {
			a.finish(ev, false, "function error: "+string(resp.Payload))
			return
		}
		if err := a.save(ev); err != nil {
			a.cfg.Logger.Warn("async invoke: could not record the attempt", "err", err)
		}
		if !a.sleep(asyncFirstDelay * time.Duration(ev.Attempts)) {
			return
		}
	}
}

func (a *AsyncInvoker) finish(ev asyncEvent, ok bool, reason string) {
	if err := a.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketAsync, []byte(ev.ID)) }); err != nil {
		a.cfg.Logger.Warn("async invoke: could not forget a finished event", "err", err)
	}
	a.mu.Lock()
	if ok {
		a.delivered++
	} else {
		a.failed++
	}
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
	if !ok {
		a.cfg.Logger.Warn("async invoke: event dropped", "function", ev.FunctionArn, "attempts", ev.Attempts+1, "reason", reason)
	}
}

// Counts returns how many events were delivered and how many were dropped
// after their retries.
func (a *AsyncInvoker) Counts() (delivered, dropped uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.delivered, a.failed
}

// Changed returns a channel closed when Counts next changes.
func (a *AsyncInvoker) Changed() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.changed
}

// Close stops delivery; undelivered events stay stored and resume with the
// next NewAsync.
func (a *AsyncInvoker) Close() {
	a.cancel()
	a.wg.Wait()
}
