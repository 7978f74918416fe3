package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/code"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

// LogSink receives the function's log events; *logs.Service implements it.
type LogSink interface {
	Append(ctx context.Context, group, stream string, events []logs.Event) error
}

// Credentials are the temporary credentials of the function's role, put
// in the environment as AWS does.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Spec describes the environment to start.
type Spec struct {
	FunctionName string
	// Version is "$LATEST" or a published version number.
	Version string
	// CodeDir holds the unpacked code with bootstrap at its root.
	CodeDir string
	Handler string
	// Runtime is the function's runtime ("provided.al2023").
	Runtime  string
	MemoryMB int
	// Timeout bounds each invocation (default 3 s).
	Timeout time.Duration
	// InitTimeout bounds the init phase (default 10 s, as on AWS).
	InitTimeout time.Duration
	Region      string
	// EndpointURL is put in AWS_ENDPOINT_URL so SDKs call localcloud.
	EndpointURL string
	Credentials Credentials
	// Environment is the function's own variables; reserved names are
	// overridden by Lambda's values.
	Environment map[string]string
	LogGroup    string
	LogStream   string
	Logs        LogSink
	Clock       clock.Clock
	// Random seeds the unguessable marker that tells the platform's log
	// lines from the function's (default crypto/rand).
	Random io.Reader
	Logger *slog.Logger
}

// Invocation is one event to deliver to the runtime.
type Invocation struct {
	RequestID          string
	Payload            []byte
	InvokedFunctionARN string
	TraceID            string
	// ClientContext and CognitoIdentity are JSON documents passed through
	// their Lambda-Runtime-* headers when set.
	ClientContext   string
	CognitoIdentity string
}

// ErrNotDelivered is returned by Invoke when the environment ended before
// the runtime took the invocation; the caller may retry elsewhere.
var ErrNotDelivered = errors.New("invocation not delivered: the execution environment ended")

// ErrBusy is returned by Invoke when an invocation is already in progress.
var ErrBusy = errors.New("execution environment is busy")

type phase int

const (
	phaseInit phase = iota
	phaseReady
	phaseDead
)

type call struct {
	inv   Invocation
	done  chan struct{}
	res   Result
	start time.Time
	// timer ends the call after the function's timeout: first while it
	// waits for the runtime to ask for it, then, re-armed, once delivered.
	// timerGen tells a stale firing from the current one.
	timer     clock.Timer
	timerGen  int
	delivered bool
	cold      bool
	finished  bool
	dropped   bool // ended before delivery
}

// Instance is a running execution environment.
type Instance struct {
	spec    Spec
	ln      net.Listener
	srv     *http.Server
	cmd     *exec.Cmd
	ship    *shipper
	started time.Time
	exited  chan struct{}
	// out is localcloud's copy of the write end of the process's output
	// pipe: platform lines are written into it behind marker, so they
	// land in the log stream after everything the function wrote before
	// them. Guarded by mu; nil once the process has exited.
	out    *os.File
	marker []byte

	mu           sync.Mutex
	phase        phase
	initDone     chan struct{}
	initErr      *InitError
	initDuration time.Duration
	invoked      bool
	pending      *call
	current      *call
	parked       bool
	wake         chan struct{}
}

func (s *Spec) defaults() {
	if s.Version == "" {
		s.Version = "$LATEST"
	}
	if s.Timeout <= 0 {
		s.Timeout = 3 * time.Second
	}
	if s.InitTimeout <= 0 {
		s.InitTimeout = 10 * time.Second
	}
	if s.MemoryMB <= 0 {
		s.MemoryMB = 128
	}
	if s.Clock == nil {
		s.Clock = clock.Real{}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Random == nil {
		s.Random = rand.Reader
	}
}

// Start launches bootstrap and returns once the runtime asks for its first
// invocation. A failed init phase is an *InitError; the environment is
// then gone.
func Start(ctx context.Context, spec Spec) (*Instance, error) {
	spec.defaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the runtime API: %w", err)
	}
	i := &Instance{spec: spec, ln: ln, exited: make(chan struct{}), initDone: make(chan struct{}), wake: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", i.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", i.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", i.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", i.handleInitError)
	i.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(spec.Logger.Handler(), slog.LevelDebug)}
	var token [16]byte
	if _, err := io.ReadFull(spec.Random, token[:]); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("draw log marker: %w", err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("create output pipe: %w", err)
	}
	i.marker = []byte("\x00localcloud:" + hex.EncodeToString(token[:]) + ":")
	i.ship = newShipper(spec)
	i.cmd = exec.Command(filepath.Join(spec.CodeDir, "bootstrap"))
	i.cmd.Dir = spec.CodeDir
	i.cmd.Env = i.environment()
	i.cmd.Stdout, i.cmd.Stderr = pw, pw
	setProcessGroup(i.cmd)
	if spec.Runtime != "" {
		i.ship.add("INIT_START Runtime Version: " + strings.Replace(spec.Runtime, ".", ":", 1) + "\n")
	}
	i.started = spec.Clock.Now()
	if err := i.cmd.Start(); err != nil {
		_ = pw.Close()
		_ = pr.Close()
		_ = ln.Close()
		reason := err.Error()
		if cerr := code.Check(spec.CodeDir, ""); cerr != nil {
			reason = strings.TrimPrefix(cerr.Error(), code.ErrInvalidCode.Error()+": ")
		}
		ie := &InitError{Type: "Runtime.InvalidEntrypoint", Reason: reason}
		i.ship.add(fmt.Sprintf("INIT_REPORT Init Duration: 0.00 ms\tPhase: init\tStatus: error\tError Type: %s\n", ie.Type))
		i.ship.release()
		return nil, ie
	}
	i.out = pw
	// Serving starts once every field is set; the runtime's first
	// connection waits in the listen backlog until then.
	go func() { _ = i.srv.Serve(ln) }()
	go i.readOutput(pr)
	go i.waitExit()

	timer := spec.Clock.AfterFunc(spec.InitTimeout, func() {
		i.mu.Lock()
		i.finishInitLocked(&InitError{Type: "Sandbox.Timedout", Reason: "Init phase timed out after " + secondsText(spec.InitTimeout)})
		i.mu.Unlock()
	})
	select {
	case <-i.initDone:
	case <-ctx.Done():
		i.mu.Lock()
		i.finishInitLocked(&InitError{Type: "Runtime.Unknown", Reason: "init cancelled: " + ctx.Err().Error()})
		i.mu.Unlock()
	}
	timer.Stop()
	i.mu.Lock()
	ie := i.initErr
	i.mu.Unlock()
	if ie != nil {
		i.Stop() // the reaper logs INIT_REPORT
		return nil, ie
	}
	return i, nil
}

// environment builds the process environment from scratch, as Lambda
// does: defaults, then the function's variables, then the reserved ones.
func (i *Instance) environment() []string {
	s := i.spec
	env := map[string]string{
		"PATH": "/usr/local/bin:/usr/bin:/bin:/opt/bin",
		"LANG": "en_US.UTF-8",
	}
	for k, v := range s.Environment {
		env[k] = v
	}
	reserved := map[string]string{
		"_HANDLER":                        s.Handler,
		"AWS_REGION":                      s.Region,
		"AWS_DEFAULT_REGION":              s.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        s.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION":     s.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(s.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       s.LogGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME":      s.LogStream,
		"AWS_LAMBDA_RUNTIME_API":          i.ln.Addr().String(),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"LAMBDA_TASK_ROOT":                s.CodeDir,
		"LAMBDA_RUNTIME_DIR":              s.CodeDir,
		"TZ":                              ":UTC",
		"AWS_ACCESS_KEY_ID":               s.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           s.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN":               s.Credentials.SessionToken,
		"AWS_ENDPOINT_URL":                s.EndpointURL,
	}
	// AWS defines AWS_EXECUTION_ENV for managed runtimes only, not for the
	// OS-only provided family.
	if s.Runtime != "" && !strings.HasPrefix(s.Runtime, "provided") {
		reserved["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + s.Runtime
	}
	for k, v := range reserved {
		if v == "" {
			delete(env, k)
			continue
		}
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Alive reports whether the environment can take another invocation.
func (i *Instance) Alive() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.phase == phaseReady
}

// Pid is the bootstrap process ID.
func (i *Instance) Pid() int { return i.cmd.Process.Pid }

// RuntimeAPI is the host:port of the instance's Runtime API.
func (i *Instance) RuntimeAPI() string { return i.ln.Addr().String() }

// Exited is closed when the bootstrap process has exited.
func (i *Instance) Exited() <-chan struct{} { return i.exited }

// Invoke delivers inv to the runtime and waits for its outcome. Function
// errors, timeouts and crashes are Results; the error is ErrNotDelivered
// when the environment ended before the runtime took the invocation,
// ErrBusy when one is in progress, or the context's error when ctx ended
// before delivery. Once delivered, an invocation runs to its end (as on
// AWS, where a client hanging up does not stop the function).
func (i *Instance) Invoke(ctx context.Context, inv Invocation) (Result, error) {
	c := &call{inv: inv, done: make(chan struct{})}
	i.mu.Lock()
	switch {
	case i.phase != phaseReady:
		i.mu.Unlock()
		return Result{}, ErrNotDelivered
	case i.pending != nil || i.current != nil && !i.current.finished:
		i.mu.Unlock()
		return Result{}, ErrBusy
	}
	i.pending = c
	// A runtime that never asks for more work must not hang the caller.
	i.armLocked(c)
	i.signalLocked()
	i.mu.Unlock()
	select {
	case <-c.done:
	case <-ctx.Done():
		i.mu.Lock()
		if i.pending == c {
			i.pending = nil
			c.dropped = true
			i.finishLocked(c, Result{}) // stops its timer
			i.mu.Unlock()
			return Result{}, ctx.Err()
		}
		i.mu.Unlock()
		<-c.done
	}
	if c.dropped {
		return Result{}, ErrNotDelivered
	}
	return c.res, nil
}

// Stop kills the environment (its whole process group) and waits for the
// process to exit. An invocation in progress ends with Runtime.ExitError.
func (i *Instance) Stop() {
	select {
	case <-i.exited: // reaped: its PID may belong to someone else now
	default:
		killProcessGroup(i.cmd)
	}
	<-i.exited
	_ = i.srv.Close()
}

func (i *Instance) signalLocked() {
	close(i.wake)
	i.wake = make(chan struct{})
}

// finishInitLocked ends the init phase, successfully when ie is nil.
func (i *Instance) finishInitLocked(ie *InitError) {
	if i.phase != phaseInit {
		return
	}
	i.initDuration = i.spec.Clock.Now().Sub(i.started)
	if ie != nil {
		ie.Duration = i.initDuration
		i.initErr = ie
		i.phase = phaseDead
	} else {
		i.phase = phaseReady
	}
	close(i.initDone)
}

// deliverLocked hands c to the runtime: it starts the clock on the
// invocation and logs START.
func (i *Instance) deliverLocked(c *call) time.Time {
	now := i.spec.Clock.Now()
	c.start, c.delivered = now, true
	c.cold = !i.invoked
	i.invoked = true
	i.armLocked(c)
	i.platformLocked(fmt.Sprintf("START RequestId: %s Version: %s\n", c.inv.RequestID, i.spec.Version))
	return now.Add(i.spec.Timeout)
}

// finishLocked completes c with res unless it already completed, logging
// END and REPORT for a delivered invocation.
func (i *Instance) finishLocked(c *call, res Result) bool {
	if c.finished {
		return false
	}
	c.finished = true
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.delivered {
		res.Duration = i.spec.Clock.Now().Sub(c.start)
		res.ColdStart = c.cold
		if c.cold {
			res.InitDuration = i.initDuration
		}
		res.MaxMemoryMB = maxRSSMB(i.cmd.Process.Pid)
		i.platformLocked(fmt.Sprintf("END RequestId: %s\n", c.inv.RequestID))
		i.platformLocked(reportLine(c.inv.RequestID, res, i.spec.MemoryMB))
	}
	c.res = res
	close(c.done)
	return true
}

func reportLine(id string, r Result, memoryMB int) string {
	billed := ceilMS(r.Duration)
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %s\t", id, msText(r.Duration))
	if r.ColdStart {
		billed += ceilMS(r.InitDuration) // provided runtimes bill the init phase
	}
	fmt.Fprintf(&b, "Billed Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t", billed, memoryMB, r.MaxMemoryMB)
	if r.ColdStart {
		fmt.Fprintf(&b, "Init Duration: %s\t", msText(r.InitDuration))
	}
	switch r.Status {
	case "timeout":
		b.WriteString("Status: timeout\n")
	case "error":
		fmt.Fprintf(&b, "Status: error\tError Type: %s\n", r.ErrorType)
	default:
		b.WriteString("\n")
	}
	return b.String()
}

func msText(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func ceilMS(d time.Duration) int64 {
	return int64(math.Ceil(float64(d) / float64(time.Millisecond)))
}

// armLocked (re)starts c's timeout.
func (i *Instance) armLocked(c *call) {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timerGen++
	gen := c.timerGen
	c.timer = i.spec.Clock.AfterFunc(i.spec.Timeout, func() { i.timeout(c, gen) })
}

// timeout ends an invocation that ran past the function's timeout (or
// waited that long for the runtime to take it) and kills the environment,
// as Lambda does.
func (i *Instance) timeout(c *call, gen int) {
	i.mu.Lock()
	if c.finished || c.timerGen != gen {
		i.mu.Unlock()
		return
	}
	if i.pending == c {
		i.pending = nil
	}
	now := i.spec.Clock.Now().UTC()
	after := "Task timed out after " + secondsText(i.spec.Timeout)
	i.platformLocked(fmt.Sprintf("%s %s %s\n", now.Format("2006-01-02T15:04:05.000Z"), c.inv.RequestID, after))
	i.finishLocked(c, platformError(c.inv.RequestID, "Sandbox.Timedout", "timeout", after))
	i.phase = phaseDead
	i.signalLocked()
	i.mu.Unlock()
	killProcessGroup(i.cmd)
}

// waitExit reaps the process and ends whatever it left unfinished.
func (i *Instance) waitExit() {
	err := i.cmd.Wait()
	i.mu.Lock()
	reason := exitReason(err)
	i.finishInitLocked(&InitError{Type: "Runtime.ExitError", Reason: reason})
	i.phase = phaseDead
	if c := i.current; c != nil && !c.finished {
		i.platformLocked(fmt.Sprintf("RequestId: %s Error: %s\n", c.inv.RequestID, reason))
		i.platformLocked("Runtime.ExitError\n")
		i.finishLocked(c, platformError(c.inv.RequestID, "Runtime.ExitError", "error", reason))
	}
	if c := i.pending; c != nil {
		i.pending = nil
		c.dropped = true
		i.finishLocked(c, Result{})
	}
	if ie := i.initErr; ie != nil {
		status := "error"
		if ie.Type == "Sandbox.Timedout" {
			status = "timeout"
		}
		i.platformLocked(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: %s\tError Type: %s\n", msText(ie.Duration), status, ie.Type))
	}
	i.signalLocked()
	// Closing the last write end lets the reader drain and finish.
	_ = i.out.Close()
	i.out = nil
	i.mu.Unlock()
	close(i.exited)
}

// platformLocked queues a platform log line (one line, ending in \n)
// behind the function's output.
func (i *Instance) platformLocked(line string) {
	if i.out == nil {
		i.ship.add(line)
		return
	}
	buf := make([]byte, 0, len(i.marker)+len(line))
	buf = append(append(buf, i.marker...), line...)
	if _, err := i.out.Write(buf); err != nil {
		i.ship.add(line)
	}
}
