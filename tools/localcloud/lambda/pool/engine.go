package pool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/code"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/runtime"
)

// MaxRequestBytes is the largest synchronous invocation payload.
const MaxRequestBytes = 6 * 1024 * 1024

// ErrClosed is returned by calls on a closed engine.
var ErrClosed = errors.New("lambda engine closed")

// maxAttempts bounds how many environments an invocation tries when each
// ends before taking it (a runtime that exits right after asking for work).
const maxAttempts = 3

// CredentialsProvider gives a function's execution environment the
// credentials of its role.
type CredentialsProvider interface {
	FunctionCredentials(ctx context.Context, roleARN, functionName string) (runtime.Credentials, error)
}

// StaticCredentials hands every function the same credentials (until STS
// role sessions are wired in).
type StaticCredentials runtime.Credentials

// FunctionCredentials implements CredentialsProvider.
func (s StaticCredentials) FunctionCredentials(context.Context, string, string) (runtime.Credentials, error) {
	return runtime.Credentials(s), nil
}

// Config wires an Engine.
type Config struct {
	// DataDir is where code is unpacked (under lambda/code/).
	DataDir string
	Clock   clock.Clock
	// IDs makes request IDs and log stream names.
	IDs *ids.Source
	// Logs receives function logs; *logs.Service implements it.
	Logs        runtime.LogSink
	Credentials CredentialsProvider
	Region      string
	Account     string
	// EndpointURL is the AWS_ENDPOINT_URL functions get.
	EndpointURL string
	// MaxConcurrency is the account's concurrency limit (default 100).
	MaxConcurrency int
	// IdleTimeout is how long an idle environment lives (default 5 min).
	IdleTimeout time.Duration
	// InitTimeout bounds an environment's init phase (default 10 s).
	InitTimeout time.Duration
	Logger      *slog.Logger
}

// Function is a deployed function version.
type Function struct {
	Name string
	// Version is "$LATEST" (default) or a published version.
	Version string
	// Code: Zip (the archive's bytes), ZipFile (a path to it) or CodeDir
	// (an unpacked directory, used in place); the first set wins.
	Zip     []byte
	ZipFile string
	CodeDir string
	Handler string
	// Runtime defaults to "provided.al2023".
	Runtime string
	// Timeout defaults to 3 s, MemoryMB to 128.
	Timeout  time.Duration
	MemoryMB int
	// Architecture is "x86_64" or "arm64"; the bootstrap must match it
	// and this machine.
	Architecture string
	Environment  map[string]string
	// ReservedConcurrency caps the function's concurrency and sets that
	// much aside from the account's; nil means unreserved.
	ReservedConcurrency *int
	// Role is the execution role's ARN.
	Role string
}

// Request is an invocation.
type Request struct {
	FunctionName string
	// Qualifier is a version; empty means $LATEST.
	Qualifier string
	Payload   []byte
	// ClientContext and CognitoIdentity are JSON documents for the
	// runtime's headers; TraceID is generated when empty.
	ClientContext   string
	CognitoIdentity string
	TraceID         string
	// Wait queues the invocation while the function is at its
	// concurrency limit instead of failing with a ThrottleError.
	Wait bool
}

// Response is an invocation's outcome.
type Response struct {
	runtime.Result
	RequestID       string
	ExecutedVersion string
}

// Figures are a function's current and cumulative counts.
type Figures struct {
	// Busy counts invocations in progress (including cold starts),
	// Starting environments in their init phase, Idle warm environments
	// and Waiting invocations queued for capacity.
	Busy, Starting, Idle, Waiting                        int
	ColdStarts, Invocations, Throttles, Errors, Timeouts uint64
}

// NotFoundError is Lambda's ResourceNotFoundException for Invoke.
type NotFoundError struct{ ARN string }

func (e *NotFoundError) Error() string { return "Function not found: " + e.ARN }

// ThrottleError is Lambda's TooManyRequestsException.
type ThrottleError struct {
	// Reason is ReservedFunctionConcurrentInvocationLimitExceeded or
	// ConcurrentInvocationLimitExceeded.
	Reason string
}

func (e *ThrottleError) Error() string { return "Rate Exceeded." }

// RequestTooLargeError is Lambda's RequestTooLargeException.
type RequestTooLargeError struct{ Size int }

func (e *RequestTooLargeError) Error() string {
	return fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", MaxRequestBytes)
}

type key struct{ name, version string }

type waiter struct {
	ch      chan struct{}
	pool    *pool
	granted bool
	slot    slot
	err     error
}

// slot is a unit of concurrency held by an invocation; shared says it
// came from the account's unreserved share, so releasing it returns it
// there even if the function's reservation changed meanwhile.
type slot struct {
	f      *function
	shared bool
}

type idleInstance struct {
	inst  *runtime.Instance
	gen   int
	timer clock.Timer
}

// function is what a function's versions share: Lambda's concurrency
// limits apply to a function across its versions.
type function struct {
	name     string
	limit    int // reserved concurrency, or -1
	inUse    int
	waiters  []*waiter // queued for a reserved function's slots
	versions int
}

type pool struct {
	key     key
	fun     *function
	fn      Function
	gen     int
	idle    []*idleInstance
	all     map[*runtime.Instance]int // live instances and their generation
	removed bool
	fig     Figures
}

// Engine runs functions.
type Engine struct {
	cfg Config

	mu                sync.Mutex
	pools             map[key]*pool
	funcs             map[string]*function
	reservedTotal     int
	unreservedInUse   int
	unreservedWaiters []*waiter
	changed           chan struct{}
	closed            bool
	stopping          sync.WaitGroup
}

// New returns an engine with no functions.
func New(cfg Config) *Engine {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = 100
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{cfg: cfg, pools: map[key]*pool{}, funcs: map[string]*function{}, changed: make(chan struct{})}
}

func (e *Engine) functionARN(name, qualifier string) string {
	arn := "arn:aws:lambda:" + e.cfg.Region + ":" + e.cfg.Account + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}

// Deploy adds or replaces a function version: it unpacks and checks the
// code (errors wrap code.ErrInvalidCode) and retires the environments of
// the previous definition (idle ones now, busy ones when they finish).
func (e *Engine) Deploy(ctx context.Context, fn Function) error {
	if fn.Name == "" {
		return errors.New("deploy: function name is required")
	}
	if fn.Version == "" {
		fn.Version = "$LATEST"
	}
	switch fn.Runtime {
	case "":
		fn.Runtime = "provided.al2023"
	case "provided.al2023", "provided.al2", "provided":
	default:
		return fmt.Errorf("deploy %s: %w: runtime %s is not supported by localcloud, which runs OS-only runtimes (provided.al2023, provided.al2) whose bootstrap it can execute natively",
			fn.Name, code.ErrInvalidCode, fn.Runtime)
	}
	dir, err := e.codeDir(fn)
	if err != nil {
		return fmt.Errorf("deploy %s: %w", fn.Name, err)
	}
	if err := code.Check(dir, fn.Architecture); err != nil {
		return fmt.Errorf("deploy %s: %w", fn.Name, err)
	}
	fn.CodeDir, fn.Zip, fn.ZipFile = dir, nil, ""
	k := key{fn.Name, fn.Version}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return fmt.Errorf("deploy %s: %w", fn.Name, ErrClosed)
	}
	p := e.pools[k]
	if p == nil {
		f := e.funcs[fn.Name]
		if f == nil {
			f = &function{name: fn.Name, limit: -1}
			e.funcs[fn.Name] = f
		}
		f.versions++
		p = &pool{key: k, fun: f, all: map[*runtime.Instance]int{}}
		e.pools[k] = p
	}
	e.reserveLocked(p.fun, fn.ReservedConcurrency)
	p.fn = fn
	p.gen++
	retired := e.takeIdleLocked(p)
	e.grantLocked()
	e.notifyLocked()
	e.mu.Unlock()
	stopAll(retired)
	return nil
}

// codeDir returns the unpacked code of fn, unpacking a zip once into a
// directory named by its SHA-256 (so a redeploy of the same zip is free).
func (e *Engine) codeDir(fn Function) (string, error) {
	data := fn.Zip
	if data == nil && fn.ZipFile != "" {
		info, err := os.Stat(fn.ZipFile)
		if err != nil {
			return "", fmt.Errorf("read code: %w", err)
		}
		if info.Size() > code.MaxUnzippedBytes {
			return "", fmt.Errorf("%w: the zip is %d bytes, over the %d-byte limit", code.ErrInvalidCode, info.Size(), code.MaxUnzippedBytes)
		}
		if data, err = os.ReadFile(fn.ZipFile); err != nil {
			return "", fmt.Errorf("read code: %w", err)
		}
	}
	if data == nil {
		if fn.CodeDir == "" {
			return "", fmt.Errorf("%w: no code given (Zip, ZipFile or CodeDir)", code.ErrInvalidCode)
		}
		return filepath.Abs(fn.CodeDir)
	}
	sum := sha256.Sum256(data)
	root := filepath.Join(e.cfg.DataDir, "lambda", "code")
	dir := filepath.Join(root, hex.EncodeToString(sum[:]))
	if _, err := os.Stat(dir); err == nil {
		return filepath.Abs(dir)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("create code directory: %w", err)
	}
	tmp := dir + ".tmp-" + e.cfg.IDs.Hex(8)
	if err := code.Unpack(data, tmp, code.Limits{}); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.RemoveAll(tmp)
		if !errors.Is(err, fs.ErrExist) {
			if _, serr := os.Stat(dir); serr != nil {
				return "", fmt.Errorf("install code: %w", err)
			}
		}
	}
	return filepath.Abs(dir)
}

// reserveLocked sets a function's reserved concurrency (nil: none).
func (e *Engine) reserveLocked(f *function, n *int) {
	if f.limit >= 0 {
		e.reservedTotal -= f.limit
	}
	f.limit = -1
	if n != nil {
		f.limit = max(0, *n)
		e.reservedTotal += f.limit
	}
}

// SetReservedConcurrency changes a deployed function's reserved
// concurrency (nil removes it), as PutFunctionConcurrency and
// DeleteFunctionConcurrency do; environments stay warm.
func (e *Engine) SetReservedConcurrency(name string, n *int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.funcs[name]
	if f == nil {
		return &NotFoundError{ARN: e.functionARN(name, "")}
	}
	e.reserveLocked(f, n)
	e.grantLocked()
	e.notifyLocked()
	return nil
}

// Remove deletes a function version; its environments stop and queued
// invocations fail with NotFoundError.
func (e *Engine) Remove(name, version string) {
	if version == "" {
		version = "$LATEST"
	}
	e.mu.Lock()
	p := e.pools[key{name, version}]
	if p == nil {
		e.mu.Unlock()
		return
	}
	delete(e.pools, p.key)
	p.removed = true
	f := p.fun
	if f.versions--; f.versions == 0 {
		delete(e.funcs, name)
		e.reserveLocked(f, nil)
	}
	retired := e.takeIdleLocked(p)
	nf := &NotFoundError{ARN: e.functionARN(name, version)}
	fail := func(list []*waiter) []*waiter {
		kept := list[:0]
		for _, w := range list {
			if w.pool == p {
				w.err = nf
				close(w.ch)
				continue
			}
			kept = append(kept, w)
		}
		return kept
	}
	f.waiters = fail(f.waiters)
	e.unreservedWaiters = fail(e.unreservedWaiters)
	e.grantLocked()
	e.notifyLocked()
	e.mu.Unlock()
	stopAll(retired)
}

// Close stops every environment, busy or idle, and waits for them;
// queued invocations fail with ErrClosed. Close the engine before the log
// sink's store, so the last lines are kept.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	fail := func(list []*waiter) {
		for _, w := range list {
			w.err = ErrClosed
			close(w.ch)
		}
	}
	for _, f := range e.funcs {
		fail(f.waiters)
		f.waiters = nil
	}
	fail(e.unreservedWaiters)
	e.unreservedWaiters = nil
	var all []*runtime.Instance
	for _, p := range e.pools {
		for _, it := range p.idle {
			it.timer.Stop()
		}
		p.idle = nil
		for inst := range p.all {
			all = append(all, inst)
		}
	}
	e.notifyLocked()
	e.mu.Unlock()
	stopAll(all)
	e.stopping.Wait()
}

func stopAll(insts []*runtime.Instance) {
	var wg sync.WaitGroup
	for _, inst := range insts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst.Stop()
		}()
	}
	wg.Wait()
}

// takeIdleLocked removes p's idle environments for stopping.
func (e *Engine) takeIdleLocked(p *pool) []*runtime.Instance {
	out := make([]*runtime.Instance, 0, len(p.idle))
	for _, it := range p.idle {
		it.timer.Stop()
		delete(p.all, it.inst)
		out = append(out, it.inst)
	}
	p.idle = nil
	return out
}

// Changed returns a channel closed at the next change of any figure.
func (e *Engine) Changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changed
}

func (e *Engine) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// Figures sums the figures of every version of a function.
func (e *Engine) Figures(name string) Figures {
	e.mu.Lock()
	defer e.mu.Unlock()
	var f Figures
	if fun := e.funcs[name]; fun != nil {
		f.Busy = fun.inUse
		f.Waiting = len(fun.waiters)
	}
	for k, p := range e.pools {
		if k.name != name {
			continue
		}
		g := p.fig
		f.Starting += g.Starting
		f.Idle += len(p.idle)
		f.ColdStarts += g.ColdStarts
		f.Invocations += g.Invocations
		f.Throttles += g.Throttles
		f.Errors += g.Errors
		f.Timeouts += g.Timeouts
	}
	for _, w := range e.unreservedWaiters {
		if w.pool.key.name == name {
			f.Waiting++
		}
	}
	return f
}

// tryAcquireLocked takes a concurrency slot for f: one of its reserved
// slots, or one of the account's unreserved ones.
func (e *Engine) tryAcquireLocked(f *function) (slot, bool) {
	if f.limit >= 0 {
		if f.inUse < f.limit {
			f.inUse++
			return slot{f: f}, true
		}
		return slot{}, false
	}
	if e.unreservedInUse < e.cfg.MaxConcurrency-e.reservedTotal {
		e.unreservedInUse++
		f.inUse++
		return slot{f: f, shared: true}, true
	}
	return slot{}, false
}

// releaseLocked frees a slot, handing it to the first waiter that can use
// it.
func (e *Engine) releaseLocked(s slot) {
	s.f.inUse--
	if s.shared {
		e.unreservedInUse--
	}
	e.grantLocked()
}

// grantLocked hands free slots to waiters in order. (A function whose
// reservation changed while it was busy may run over its new limit until
// its slots drain, as on Lambda.)
func (e *Engine) grantLocked() {
	for _, f := range e.funcs {
		for len(f.waiters) > 0 {
			s, ok := e.tryAcquireLocked(f)
			if !ok {
				break
			}
			w := f.waiters[0]
			f.waiters = f.waiters[1:]
			w.granted, w.slot = true, s
			close(w.ch)
		}
	}
	for len(e.unreservedWaiters) > 0 {
		w := e.unreservedWaiters[0]
		if f := w.pool.fun; f.limit >= 0 {
			// Its function became reserved meanwhile: move it over.
			e.unreservedWaiters = e.unreservedWaiters[1:]
			f.waiters = append(f.waiters, w)
			continue
		}
		s, ok := e.tryAcquireLocked(w.pool.fun)
		if !ok {
			break
		}
		e.unreservedWaiters = e.unreservedWaiters[1:]
		w.granted, w.slot = true, s
		close(w.ch)
	}
}

func removeWaiter(list []*waiter, w *waiter) []*waiter {
	for i, x := range list {
		if x == w {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// Invoke runs one invocation synchronously. Function errors, timeouts and
// crashes are Responses with FunctionError set; errors are NotFoundError,
// ThrottleError, RequestTooLargeError, ErrClosed, or the context's when it
// ends before the invocation starts.
func (e *Engine) Invoke(ctx context.Context, req Request) (*Response, error) {
	version := req.Qualifier
	if version == "" {
		version = "$LATEST"
	}
	if len(req.Payload) > MaxRequestBytes {
		return nil, &RequestTooLargeError{Size: len(req.Payload)}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, held, err := e.acquireLocked(ctx, req, version)
	if err != nil {
		return nil, err
	}
	defer func() {
		e.releaseLocked(held)
		e.notifyLocked()
	}()
	inv := runtime.Invocation{
		RequestID:          e.cfg.IDs.UUID(),
		Payload:            req.Payload,
		InvokedFunctionARN: e.functionARN(req.FunctionName, req.Qualifier),
		TraceID:            req.TraceID,
		ClientContext:      req.ClientContext,
		CognitoIdentity:    req.CognitoIdentity,
	}
	if inv.TraceID == "" {
		inv.TraceID = fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", e.cfg.Clock.Now().Unix(), e.cfg.IDs.Hex(12), e.cfg.IDs.Hex(8))
	}
	res, err := e.runLocked(ctx, p, inv)
	if err != nil {
		return nil, err
	}
	p.fig.Invocations++
	if res.FunctionError != "" {
		p.fig.Errors++
	}
	if res.Status == "timeout" {
		p.fig.Timeouts++
	}
	return &Response{Result: res, RequestID: inv.RequestID, ExecutedVersion: version}, nil
}

// acquireLocked finds the function version and takes a concurrency slot
// for it, throttling or, with req.Wait, queueing (the lock is released
// while queued).
func (e *Engine) acquireLocked(ctx context.Context, req Request, version string) (*pool, slot, error) {
	if e.closed {
		return nil, slot{}, ErrClosed
	}
	p := e.pools[key{req.FunctionName, version}]
	if p == nil {
		return nil, slot{}, &NotFoundError{ARN: e.functionARN(req.FunctionName, req.Qualifier)}
	}
	f := p.fun
	if held, ok := e.tryAcquireLocked(f); ok {
		return p, held, nil
	}
	if !req.Wait {
		p.fig.Throttles++
		e.notifyLocked()
		if f.limit >= 0 {
			return nil, slot{}, &ThrottleError{Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}
		}
		return nil, slot{}, &ThrottleError{Reason: "ConcurrentInvocationLimitExceeded"}
	}
	w := &waiter{ch: make(chan struct{}), pool: p}
	if f.limit >= 0 {
		f.waiters = append(f.waiters, w)
	} else {
		e.unreservedWaiters = append(e.unreservedWaiters, w)
	}
	e.notifyLocked()
	e.mu.Unlock()
	select {
	case <-w.ch:
	case <-ctx.Done():
	}
	e.mu.Lock()
	switch {
	case w.granted && p.removed:
		e.releaseLocked(w.slot)
		return nil, slot{}, &NotFoundError{ARN: e.functionARN(req.FunctionName, req.Qualifier)}
	case w.granted:
		return p, w.slot, nil
	case w.err != nil:
		return nil, slot{}, w.err
	}
	f.waiters = removeWaiter(f.waiters, w)
	e.unreservedWaiters = removeWaiter(e.unreservedWaiters, w)
	e.notifyLocked()
	return nil, slot{}, ctx.Err()
}

// runLocked runs inv on a warm environment of p or, failing that, a new
// one. The lock is released while the environment works.
func (e *Engine) runLocked(ctx context.Context, p *pool, inv runtime.Invocation) (runtime.Result, error) {
	for attempt := 1; ; attempt++ {
		inst, gen := e.popIdleLocked(p)
		if inst == nil {
			fn, g := p.fn, p.gen
			p.fig.Starting++
			p.fig.ColdStarts++
			e.notifyLocked()
			e.mu.Unlock()
			started, err := e.start(ctx, fn)
			e.mu.Lock()
			p.fig.Starting--
			var ie *runtime.InitError
			switch {
			case err != nil && ctx.Err() != nil:
				return runtime.Result{}, ctx.Err()
			case errors.As(err, &ie):
				return ie.Result(inv.RequestID), nil
			case err != nil:
				return runtime.Result{}, err
			}
			inst, gen = started, g
			p.all[inst] = gen
			if e.closed {
				e.retireLocked(p, inst)
				return runtime.Result{}, ErrClosed
			}
		}
		e.mu.Unlock()
		res, err := inst.Invoke(ctx, inv)
		e.mu.Lock()
		switch {
		case errors.Is(err, runtime.ErrNotDelivered) || errors.Is(err, runtime.ErrBusy):
			// The environment ended between invocations: try another.
			e.retireLocked(p, inst)
			if attempt == maxAttempts {
				return runtime.Result{}, fmt.Errorf("invoke %s: %d environments in a row ended before taking the invocation: %w", p.key.name, attempt, err)
			}
		case err != nil:
			e.keepOrRetireLocked(p, inst, gen)
			return runtime.Result{}, err
		default:
			e.keepOrRetireLocked(p, inst, gen)
			return res, nil
		}
	}
}

// popIdleLocked takes the most recently used live idle environment.
func (e *Engine) popIdleLocked(p *pool) (*runtime.Instance, int) {
	for len(p.idle) > 0 {
		it := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		it.timer.Stop()
		if it.inst.Alive() {
			return it.inst, it.gen
		}
		e.retireLocked(p, it.inst)
	}
	return nil, 0
}

// keepOrRetireLocked parks a healthy, current environment as idle and
// retires any other.
func (e *Engine) keepOrRetireLocked(p *pool, inst *runtime.Instance, gen int) {
	if !inst.Alive() || gen != p.gen || p.removed || e.closed {
		e.retireLocked(p, inst)
		return
	}
	it := &idleInstance{inst: inst, gen: gen}
	it.timer = e.cfg.Clock.AfterFunc(e.cfg.IdleTimeout, func() { e.reap(p, it) })
	p.idle = append(p.idle, it)
}

// retireLocked forgets inst and stops it in the background.
func (e *Engine) retireLocked(p *pool, inst *runtime.Instance) {
	delete(p.all, inst)
	e.stopping.Add(1)
	go func() {
		defer e.stopping.Done()
		inst.Stop()
	}()
}

// reap shuts down an environment that stayed idle for IdleTimeout.
func (e *Engine) reap(p *pool, it *idleInstance) {
	e.mu.Lock()
	found := false
	for i, x := range p.idle {
		if x == it {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			found = true
			break
		}
	}
	if !found {
		e.mu.Unlock()
		return
	}
	delete(p.all, it.inst)
	e.stopping.Add(1)
	e.mu.Unlock()
	it.inst.Stop()
	e.stopping.Done()
	e.mu.Lock()
	e.notifyLocked()
	e.mu.Unlock()
}

// start launches a new environment for fn.
func (e *Engine) start(ctx context.Context, fn Function) (*runtime.Instance, error) {
	var creds runtime.Credentials
	if e.cfg.Credentials != nil {
		c, err := e.cfg.Credentials.FunctionCredentials(ctx, fn.Role, fn.Name)
		if err != nil {
			return nil, fmt.Errorf("credentials for %s: %w", fn.Name, err)
		}
		creds = c
	}
	stream := fmt.Sprintf("%s/[%s]%s", e.cfg.Clock.Now().UTC().Format("2006/01/02"), fn.Version, e.cfg.IDs.Hex(16))
	return runtime.Start(ctx, runtime.Spec{
		FunctionName: fn.Name,
		Version:      fn.Version,
		CodeDir:      fn.CodeDir,
		Handler:      fn.Handler,
		Runtime:      fn.Runtime,
		MemoryMB:     fn.MemoryMB,
		Timeout:      fn.Timeout,
		InitTimeout:  e.cfg.InitTimeout,
		Region:       e.cfg.Region,
		EndpointURL:  e.cfg.EndpointURL,
		Credentials:  creds,
		Environment:  fn.Environment,
		LogGroup:     "/aws/lambda/" + fn.Name,
		LogStream:    stream,
		Logs:         e.cfg.Logs,
		Clock:        e.cfg.Clock,
		Logger:       e.cfg.Logger,
	})
}
