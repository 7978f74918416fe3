package lambdaapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// maxAsyncPayload is Lambda's limit for an asynchronous invocation.
const maxAsyncPayload = 256 * 1024

// target is a resolved invocation target.
type target struct {
	name      string
	qualifier string // as asked: "", $LATEST, a version or an alias
	version   string // the version it runs: $LATEST or a number
	policy    string
}

// target resolves ref and qualifier to the version to run.
func (s *Service) target(ref, qualifier string) (target, error) {
	name, qual, err := s.resolve(ref, qualifier)
	if err != nil {
		return target{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, v, err := s.lookupLocked(name, qual)
	if err != nil {
		return target{}, err
	}
	return target{name: name, qualifier: qual, version: v.Version, policy: resourcePolicy(r, qual)}, nil
}

func (t target) engineQualifier() string {
	if t.version == latest {
		return ""
	}
	return t.version
}

// Invoke runs a function synchronously (RequestResponse), queues it
// (Event) or checks that the caller may (DryRun).
func (s *Service) Invoke(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	t, err := s.target(in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:InvokeFunction", s.functionARN(t.name, t.qualifier), t.policy); err != nil {
		return nil, err
	}
	if len(in.Payload) > 0 && !json.Valid(in.Payload) {
		return nil, lambdaError("InvalidRequestContentException", http.StatusBadRequest, "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	switch in.InvocationType {
	case "DryRun":
		return &InvokeOutput{StatusCode: http.StatusNoContent}, nil
	case "Event":
		if len(in.Payload) > maxAsyncPayload {
			return nil, lambdaError("RequestTooLargeException", http.StatusRequestEntityTooLarge,
				"Request must be smaller than %d bytes for the InvokeAsync operation", maxAsyncPayload)
		}
		if err := s.enqueue(ctx, t, in.Payload); err != nil {
			return nil, err
		}
		return &InvokeOutput{StatusCode: http.StatusAccepted}, nil
	case "", "RequestResponse":
	default:
		return nil, errValidation(in.InvocationType, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	if in.LogType != "" && in.LogType != "None" && in.LogType != "Tail" {
		return nil, errValidation(in.LogType, "logType", "Member must satisfy enum value set: [None, Tail]")
	}
	req := pool.Request{FunctionName: t.name, Qualifier: t.engineQualifier(), Payload: in.Payload}
	if in.ClientContext != "" {
		cc, err := base64.StdEncoding.DecodeString(in.ClientContext)
		if err != nil || !json.Valid(cc) {
			return nil, errInvalidParameter("Client context must be a valid Base64-encoded JSON object.")
		}
		req.ClientContext = string(cc)
	}
	if len(req.Payload) == 0 {
		req.Payload = []byte("{}")
	}
	var seen *tailWatch
	if in.LogType == "Tail" {
		seen = s.tail.watch("/aws/lambda/" + t.name)
		defer seen.stop()
	}
	resp, err := s.engine.Invoke(ctx, req)
	if err != nil {
		return nil, invokeError(err)
	}
	out := &InvokeOutput{StatusCode: http.StatusOK, FunctionError: resp.FunctionError, ExecutedVersion: resp.ExecutedVersion, Payload: resp.Payload}
	if seen != nil {
		out.LogResult = base64.StdEncoding.EncodeToString(seen.wait(ctx, resp.RequestID))
	}
	return out, nil
}

// invokeError maps the engine's errors to Lambda's.
func invokeError(err error) error {
	var nf *pool.NotFoundError
	var th *pool.ThrottleError
	var big *pool.RequestTooLargeError
	switch {
	case errors.As(err, &nf):
		return errFunctionNotFound(nf.ARN)
	case errors.As(err, &th):
		return errTooManyRequests()
	case errors.As(err, &big):
		return lambdaError("RequestTooLargeException", http.StatusRequestEntityTooLarge, "%s", big.Error())
	case errors.Is(err, pool.ErrClosed):
		return lambdaError("ServiceException", http.StatusServiceUnavailable, "localcloud is shutting down.")
	}
	return errInternal("invoke", err)
}

// InvokeSync runs a function in process as Invoke RequestResponse does,
// without a principal check. With wait, an invocation beyond the
// function's concurrency queues instead of failing (event source
// mappings poll this way).
func (s *Service) InvokeSync(ctx context.Context, functionRef string, payload []byte, wait bool) (*pool.Response, error) {
	t, err := s.target(functionRef, "")
	if err != nil {
		return nil, err
	}
	resp, err := s.engine.Invoke(ctx, pool.Request{FunctionName: t.name, Qualifier: t.engineQualifier(), Payload: payload, Wait: wait})
	if err != nil {
		return nil, invokeError(err)
	}
	return resp, nil
}

// InvokeEvent queues an asynchronous invocation in process (SNS
// deliveries); it returns once the event is stored.
func (s *Service) InvokeEvent(ctx context.Context, functionArn string, payload []byte) error {
	t, err := s.target(functionArn, "")
	if err != nil {
		return err
	}
	return s.enqueue(ctx, t, payload)
}

// asyncRecord is a stored asynchronous invocation.
type asyncRecord struct {
	ID       string `json:"id"`
	Function string `json:"function"`
	Version  string `json:"version"`
	Payload  []byte `json:"payload"`
	// Attempt counts the attempts made so far.
	Attempt int `json:"attempt"`
}

// enqueue stores an event durably, then runs it in the background.
func (s *Service) enqueue(ctx context.Context, t target, payload []byte) error {
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if s.cfg.Async != nil {
		if err := s.cfg.Async.InvokeEvent(ctx, s.functionARN(t.name, t.engineQualifier()), payload); err != nil {
			return invokeError(err)
		}
		return nil
	}
	// Time-ordered IDs keep resumed events in arrival order.
	a := asyncRecord{ID: fmt.Sprintf("%016x-%s", s.cfg.Clock.Now().UnixNano(), s.cfg.IDs.Hex(8)), Function: t.name,
		Version: t.engineQualifier(), Payload: payload}
	if err := s.putAsync(a); err != nil {
		return errInternal("queue event", err)
	}
	s.schedule(a, 0)
	return nil
}

func (s *Service) putAsync(a asyncRecord) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketAsync, []byte(a.ID), b) }); err != nil {
		return fmt.Errorf("store event: %w", err)
	}
	return nil
}

// schedule runs attempt a.Attempt+1 of an event now (delay 0) or after
// delay on the service clock.
func (s *Service) schedule(a asyncRecord, delay int) {
	s.amu.Lock()
	defer s.amu.Unlock()
	if s.closed {
		return
	}
	s.async.Add(1)
	if delay == 0 {
		go s.runAsync(a)
		return
	}
	s.timers[a.ID] = s.cfg.Clock.AfterFunc(s.cfg.RetryDelays[delay-1], func() {
		s.amu.Lock()
		_, pending := s.timers[a.ID]
		delete(s.timers, a.ID)
		s.amu.Unlock()
		if pending {
			s.runAsync(a)
			return
		}
		s.async.Done() // Close took it off the list but could not stop it
	})
}

// runAsync makes one attempt; a function error schedules the next one
// (two retries, as Lambda), anything else ends the event.
func (s *Service) runAsync(a asyncRecord) {
	defer s.async.Done()
	resp, err := s.engine.Invoke(s.ctx, pool.Request{FunctionName: a.Function, Qualifier: a.Version, Payload: a.Payload, Wait: true})
	if s.ctx.Err() != nil || errors.Is(err, pool.ErrClosed) {
		return // still stored: resumes after a restart
	}
	a.Attempt++
	var nf *pool.NotFoundError
	switch {
	case errors.As(err, &nf):
		s.cfg.Logger.Warn("lambda: dropping event for a deleted function", "function", a.Function)
	case err != nil || resp.FunctionError != "":
		if a.Attempt <= len(s.cfg.RetryDelays) {
			if perr := s.putAsync(a); perr != nil {
				s.cfg.Logger.Error("lambda: storing retry failed", "function", a.Function, "err", perr)
			}
			s.schedule(a, a.Attempt)
			return
		}
		s.cfg.Logger.Warn("lambda: asynchronous invocation failed after retries", "function", a.Function, "attempts", a.Attempt)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketAsync, []byte(a.ID)) }); err != nil {
		s.cfg.Logger.Error("lambda: removing finished event failed", "function", a.Function, "err", err)
	}
}
