package pool_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/code"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// bootstrap is the test function (testdata/fn), built once for the host by
// TestMain.
var bootstrap string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambda-pool-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bootstrap = filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, ".")
	cmd.Dir = filepath.Join("testdata", "fn")
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build test function: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

type env struct {
	engine *pool.Engine
	logs   *logs.Service
	clock  *clock.Manual
	dir    string
}

func newEnv(t testing.TB, cfg pool.Config) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Now())
	lg, err := logs.New(logs.Config{Store: st, Clock: clk, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.Clock, cfg.Logs = dir, clk, lg
	cfg.IDs = ids.New(rand.NewChaCha8([32]byte{byte(time.Now().UnixNano())}))
	cfg.Region, cfg.Account = "us-east-1", "000000000000"
	if cfg.EndpointURL == "" {
		cfg.EndpointURL = "http://127.0.0.1:4566"
	}
	if cfg.Credentials == nil {
		cfg.Credentials = pool.StaticCredentials{AccessKeyID: "AKIDFUNCTION", SecretAccessKey: "secret", SessionToken: "token"}
	}
	e := pool.New(cfg)
	t.Cleanup(func() {
		e.Close()
		lg.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{engine: e, logs: lg, clock: clk, dir: dir}
}

// codeDirOf is the directory holding the built test function.
func codeDirOf() string { return filepath.Dir(bootstrap) }

// zipOf packs the test function as a deployment package.
func zipOf(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Store} // compressing 9 MB under -race takes seconds
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (e *env) deploy(t *testing.T, fn pool.Function) {
	t.Helper()
	if fn.Zip == nil && fn.CodeDir == "" {
		fn.CodeDir = codeDirOf()
	}
	if fn.Handler == "" {
		fn.Handler = "bootstrap"
	}
	if err := e.engine.Deploy(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func (e *env) invoke(t *testing.T, name string, event any) *pool.Response {
	t.Helper()
	resp, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: name, Payload: mustJSON(t, event)})
	if err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
	return resp
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

type errorDoc struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func wantFunctionError(t *testing.T, r *pool.Response, typ, msgPart string) {
	t.Helper()
	if r.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q, payload %s", r.FunctionError, r.Payload)
	}
	doc := decode[errorDoc](t, r.Payload)
	if doc.ErrorType != typ || !strings.Contains(doc.ErrorMessage, msgPart) {
		t.Fatalf("error = %+v, want %s containing %q", doc, typ, msgPart)
	}
}

// waitFor blocks until cond holds, woken by the engine's figure changes.
func (e *env) waitFor(t *testing.T, name string, cond func(pool.Figures) bool) pool.Figures {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		ch := e.engine.Changed()
		if f := e.engine.Figures(name); cond(f) {
			return f
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("figures of %s never satisfied the condition: %+v", name, e.engine.Figures(name))
		}
	}
}

// logLines waits until the function's log group holds a line containing
// until, then returns every message in order.
func (e *env) logLines(t *testing.T, name, until string) []logs.FilteredLogEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		ch := e.logs.Changed()
		out, err := e.logs.FilterLogEvents(ctx, &logs.FilterLogEventsInput{LogGroupName: "/aws/lambda/" + name})
		if err == nil {
			for _, ev := range out.Events {
				if strings.Contains(ev.Message, until) {
					return out.Events
				}
			}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("no log line containing %q in /aws/lambda/%s (last error %v)", until, name, err)
		}
	}
}

func TestWarmReuseAndEnvironment(t *testing.T) {
	e := newEnv(t, pool.Config{EndpointURL: "http://127.0.0.1:4999"})
	t.Setenv("ORDERFLOW_LEAK_CHECK", "must-not-reach-the-function")
	e.deploy(t, pool.Function{Name: "echo", Zip: zipOf(t), MemoryMB: 256, Timeout: 7 * time.Second,
		Environment: map[string]string{"TABLE_NAME": "orders", "AWS_REGION": "eu-west-1"}})

	type echo struct {
		Pid        int    `json:"pid"`
		RequestID  string `json:"requestId"`
		Arn        string `json:"arn"`
		DeadlineMs int64  `json:"deadlineMs"`
	}
	first := e.invoke(t, "echo", map[string]string{"action": "echo"})
	if first.FunctionError != "" || !first.ColdStart {
		t.Fatalf("first = %+v (%s)", first.Result, first.Payload)
	}
	a := decode[echo](t, first.Payload)
	if a.RequestID != first.RequestID || a.Arn != "arn:aws:lambda:us-east-1:000000000000:function:echo" {
		t.Fatalf("context = %+v, response id %s", a, first.RequestID)
	}
	if want := e.clock.Now().Add(7 * time.Second).UnixMilli(); a.DeadlineMs != want {
		t.Fatalf("deadline = %d, want %d (clock + timeout)", a.DeadlineMs, want)
	}
	second := e.invoke(t, "echo", map[string]string{"action": "echo"})
	b := decode[echo](t, second.Payload)
	if second.ColdStart || b.Pid != a.Pid || b.RequestID == a.RequestID {
		t.Fatalf("second invoke: cold=%v pid %d vs %d", second.ColdStart, b.Pid, a.Pid)
	}
	f := e.engine.Figures("echo")
	if f.ColdStarts != 1 || f.Invocations != 2 || f.Idle != 1 || f.Busy != 0 {
		t.Fatalf("figures = %+v", f)
	}

	vars := decode[map[string]string](t, e.invoke(t, "echo", map[string]string{"action": "env"}).Payload)
	codeDir := filepath.Join(e.dir, "lambda", "code")
	for k, want := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "echo",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/echo",
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC",
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4999",
		"AWS_ACCESS_KEY_ID":               "AKIDFUNCTION",
		"AWS_SECRET_ACCESS_KEY":           "secret",
		"AWS_SESSION_TOKEN":               "token",
		"TABLE_NAME":                      "orders",
	} {
		if vars[k] != want {
			t.Errorf("%s = %q, want %q", k, vars[k], want)
		}
	}
	if !strings.HasPrefix(vars["LAMBDA_TASK_ROOT"], codeDir) {
		t.Errorf("LAMBDA_TASK_ROOT = %q, want under %s", vars["LAMBDA_TASK_ROOT"], codeDir)
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(vars["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", vars["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(vars["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", vars["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	for _, k := range []string{"ORDERFLOW_LEAK_CHECK", "HOME", "AWS_EXECUTION_ENV", "GOFLAGS"} {
		if v, ok := vars[k]; ok {
			t.Errorf("%s leaked into the function: %q", k, v)
		}
	}
}

// gate is an HTTP endpoint the "gate" action calls: it records each
// arrival and holds the call until released.
type gate struct {
	*httptest.Server
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate(t *testing.T) *gate {
	g := &gate{arrived: make(chan struct{}, 100), release: make(chan struct{})}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- struct{}{}
		select {
		case <-g.release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		g.open()
		g.Close()
	})
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func (g *gate) wait(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for range n {
		select {
		case <-g.arrived:
		case <-timeout:
			t.Fatal("the function never reached the gate")
		}
	}
}

func TestConcurrencyLimitsAndThrottling(t *testing.T) {
	e := newEnv(t, pool.Config{MaxConcurrency: 3})
	two := 2
	e.deploy(t, pool.Function{Name: "reserved", ReservedConcurrency: &two})
	e.deploy(t, pool.Function{Name: "shared"})
	g := newGate(t)
	gateEvent := mustJSON(t, map[string]string{"action": "gate", "url": g.URL})

	type outcome struct {
		resp *pool.Response
		err  error
	}
	results := make(chan outcome, 10)
	call := func(name string, wait bool) {
		resp, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: name, Payload: gateEvent, Wait: wait})
		results <- outcome{resp, err}
	}
	// Two parallel invocations scale the reserved function to two
	// environments.
	go call("reserved", false)
	go call("reserved", false)
	g.wait(t, 2)
	if f := e.engine.Figures("reserved"); f.Busy != 2 || f.ColdStarts != 2 {
		t.Fatalf("figures = %+v", f)
	}
	// A third is throttled at the reservation...
	_, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: "reserved", Payload: gateEvent})
	var th *pool.ThrottleError
	if !errors.As(err, &th) || th.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" || err.Error() != "Rate Exceeded." {
		t.Fatalf("third invoke: %v", err)
	}
	// ...unless it asks to wait.
	go call("reserved", true)
	e.waitFor(t, "reserved", func(f pool.Figures) bool { return f.Waiting == 1 })

	// The unreserved share is MaxConcurrency minus reservations: 1.
	go call("shared", false)
	g.wait(t, 1)
	_, err = e.engine.Invoke(context.Background(), pool.Request{FunctionName: "shared", Payload: gateEvent})
	if !errors.As(err, &th) || th.Reason != "ConcurrentInvocationLimitExceeded" {
		t.Fatalf("shared over the account limit: %v", err)
	}

	g.open()
	pids := map[int]bool{}
	for range 4 {
		o := <-results
		if o.err != nil {
			t.Fatal(o.err)
		}
		if o.resp.FunctionError != "" {
			t.Fatalf("gate invoke failed: %s", o.resp.Payload)
		}
		if o.resp.ExecutedVersion != "$LATEST" {
			t.Fatalf("executed version %q", o.resp.ExecutedVersion)
		}
		pids[decode[struct{ Pid int }](t, o.resp.Payload).Pid] = true
	}
	f := e.engine.Figures("reserved")
	// The queued invocation ran on a warm environment.
	if f.ColdStarts != 2 || f.Invocations != 3 || f.Throttles != 1 || f.Busy != 0 || f.Idle != 2 || f.Waiting != 0 {
		t.Fatalf("figures after = %+v", f)
	}
	if len(pids) != 3 { // two reserved environments, one shared
		t.Fatalf("pids = %v", pids)
	}
}

func TestTimeoutKillsTheEnvironment(t *testing.T) {
	e := newEnv(t, pool.Config{})
	e.deploy(t, pool.Function{Name: "slow", Timeout: 2 * time.Second})
	g := newGate(t)
	done := make(chan *pool.Response, 1)
	go func() { done <- e.invoke(t, "slow", map[string]string{"action": "gate", "url": g.URL}) }()
	g.wait(t, 1)
	e.clock.Advance(2 * time.Second)
	r := <-done
	wantFunctionError(t, r, "Sandbox.Timedout", "RequestId: "+r.RequestID+" Error: Task timed out after 2.00 seconds")
	if r.Status != "timeout" {
		t.Fatalf("status = %q", r.Status)
	}
	lines := e.logLines(t, "slow", "Status: timeout")
	if !containsLine(lines, r.RequestID+" Task timed out after 2.00 seconds") {
		t.Fatalf("no timeout line in %v", messages(lines))
	}
	// The killed environment is not reused.
	next := e.invoke(t, "slow", map[string]string{"action": "echo"})
	if !next.ColdStart || next.FunctionError != "" {
		t.Fatalf("after timeout: cold=%v %s", next.ColdStart, next.Payload)
	}
	if f := e.engine.Figures("slow"); f.Timeouts != 1 || f.ColdStarts != 2 {
		t.Fatalf("figures = %+v", f)
	}
}

func TestCrashesAndErrors(t *testing.T) {
	e := newEnv(t, pool.Config{})
	e.deploy(t, pool.Function{Name: "f"})

	r := e.invoke(t, "f", map[string]any{"action": "crash", "code": 7})
	wantFunctionError(t, r, "Runtime.ExitError", "RequestId: "+r.RequestID+" Error: Runtime exited with error: exit status 7")
	if r.Status != "error" {
		t.Fatalf("status = %q", r.Status)
	}
	lines := e.logLines(t, "f", "Error Type: Runtime.ExitError")
	if !containsLine(lines, "crashing on purpose") {
		t.Fatalf("function output missing from %v", messages(lines))
	}

	// A handler error is the function's error document; the environment
	// survives it.
	r = e.invoke(t, "f", map[string]string{"action": "error"})
	wantFunctionError(t, r, "errorString", "boom")
	if !r.ColdStart {
		t.Fatal("the crashed environment was reused")
	}
	r = e.invoke(t, "f", map[string]string{"action": "echo"})
	if r.ColdStart || r.FunctionError != "" {
		t.Fatalf("after a handled error: cold=%v %s", r.ColdStart, r.Payload)
	}
	// A panic is reported and ends the environment (aws-lambda-go exits).
	r = e.invoke(t, "f", map[string]string{"action": "panic"})
	wantFunctionError(t, r, "string", "oh no")
	r = e.invoke(t, "f", map[string]string{"action": "echo"})
	if !r.ColdStart {
		t.Fatal("the panicked environment was reused")
	}
	// A response over 6 MB is refused with Lambda's error.
	r = e.invoke(t, "f", map[string]any{"action": "big", "bytes": 6*1024*1024 + 200})
	wantFunctionError(t, r, "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes).")
	if f := e.engine.Figures("f"); f.Errors != 4 || f.Invocations != 6 {
		t.Fatalf("figures = %+v", f)
	}
	// A request over 6 MB never reaches the function.
	_, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: "f", Payload: make([]byte, pool.MaxRequestBytes+1)})
	var tooLarge *pool.RequestTooLargeError
	if !errors.As(err, &tooLarge) {
		t.Fatalf("big request: %v", err)
	}
	_, err = e.engine.Invoke(context.Background(), pool.Request{FunctionName: "nope"})
	var nf *pool.NotFoundError
	if !errors.As(err, &nf) || err.Error() != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" {
		t.Fatalf("unknown function: %v", err)
	}
}

func TestInitErrors(t *testing.T) {
	e := newEnv(t, pool.Config{})
	e.deploy(t, pool.Function{Name: "posts", Environment: map[string]string{"FN_INIT": "error"}})
	e.deploy(t, pool.Function{Name: "exits", Environment: map[string]string{"FN_INIT": "exit"}})

	r := e.invoke(t, "posts", map[string]string{"action": "echo"})
	wantFunctionError(t, r, "ConfigError", "TABLE_NAME is not set")
	if !r.ColdStart || r.Status != "error" {
		t.Fatalf("init error result = %+v", r.Result)
	}
	r = e.invoke(t, "exits", map[string]string{"action": "echo"})
	wantFunctionError(t, r, "Runtime.ExitError", "RequestId: "+r.RequestID+" Error: Runtime exited with error: exit status 3")
	lines := e.logLines(t, "exits", "INIT_REPORT")
	if !containsLine(lines, "init: giving up") || !containsLine(lines, "Phase: init\tStatus: error\tError Type: Runtime.ExitError") {
		t.Fatalf("init logs = %v", messages(lines))
	}
	for _, name := range []string{"posts", "exits"} {
		if f := e.engine.Figures(name); f.Idle != 0 || f.Busy != 0 || f.Errors != 1 {
			t.Fatalf("%s figures = %+v", name, f)
		}
	}
}

func TestIdleEnvironmentsShutDown(t *testing.T) {
	e := newEnv(t, pool.Config{IdleTimeout: time.Minute})
	e.deploy(t, pool.Function{Name: "f"})
	r := e.invoke(t, "f", map[string]string{"action": "echo"})
	pid := decode[struct{ Pid int }](t, r.Payload).Pid
	e.clock.Advance(59 * time.Second)
	if f := e.engine.Figures("f"); f.Idle != 1 {
		t.Fatalf("shut down early: %+v", f)
	}
	e.clock.Advance(time.Second)
	e.waitFor(t, "f", func(f pool.Figures) bool { return f.Idle == 0 })
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("process %d still exists after idle shutdown: %v", pid, err)
	}
	if r := e.invoke(t, "f", map[string]string{"action": "echo"}); !r.ColdStart {
		t.Fatal("invoke after idle shutdown was not a cold start")
	}
}

func TestLogsReachTheFunctionsStream(t *testing.T) {
	e := newEnv(t, pool.Config{})
	e.deploy(t, pool.Function{Name: "talker", MemoryMB: 192})
	r := e.invoke(t, "talker", map[string]any{"action": "print", "lines": []string{"hello", "world"}})
	lines := e.logLines(t, "talker", "REPORT RequestId: "+r.RequestID)
	idx := func(part string) int {
		for i, l := range lines {
			if strings.Contains(l.Message, part) {
				return i
			}
		}
		t.Fatalf("no line containing %q in %v", part, messages(lines))
		return -1
	}
	start, end, report := idx("START RequestId: "+r.RequestID+" Version: $LATEST\n"), idx("END RequestId: "+r.RequestID+"\n"), idx("REPORT RequestId:")
	if !(start < end && end < report) {
		t.Fatalf("order START %d END %d REPORT %d", start, end, report)
	}
	idx("hello\n")
	idx("world\n")
	if init, ready := idx("INIT_START Runtime Version: provided:al2023\n"), idx("init: ready\n"); init > ready || init > start {
		t.Fatalf("INIT_START at %d, after the function's init output (%d) or START (%d)", init, ready, start)
	}
	re := regexp.MustCompile(`^REPORT RequestId: ` + r.RequestID + `\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 192 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$`)
	if !re.MatchString(lines[report].Message) {
		t.Fatalf("REPORT line %q", lines[report].Message)
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(lines[report].LogStreamName) {
		t.Fatalf("stream %q", lines[report].LogStreamName)
	}
	// A warm invocation's REPORT has no Init Duration.
	r = e.invoke(t, "talker", map[string]any{"action": "print"})
	lines = e.logLines(t, "talker", "REPORT RequestId: "+r.RequestID)
	for _, l := range lines {
		if strings.HasPrefix(l.Message, "REPORT RequestId: "+r.RequestID) && strings.Contains(l.Message, "Init Duration") {
			t.Fatalf("warm REPORT with init duration: %q", l.Message)
		}
	}
}

func TestDeployRejectsCodeThatCannotRun(t *testing.T) {
	e := newEnv(t, pool.Config{})
	other := map[string]elf{"amd64": {183, "arm64"}, "arm64": {62, "amd64"}}[goruntime.GOARCH]
	if other.name == "" {
		t.Fatalf("no foreign architecture known for %s", goruntime.GOARCH)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), elfHeader(other.machine), 0o755); err != nil {
		t.Fatal(err)
	}
	err := e.engine.Deploy(context.Background(), pool.Function{Name: "foreign", CodeDir: dir})
	want := fmt.Sprintf("bootstrap is a linux/%s executable; this machine runs %s/%s: build with ARCH=host", other.name, goruntime.GOOS, goruntime.GOARCH)
	if !errors.Is(err, code.ErrInvalidCode) || !strings.Contains(err.Error(), want) {
		t.Fatalf("deploy foreign binary: %v, want %q", err, want)
	}
	// A host binary declared for the other architecture would not run on
	// Lambda either.
	declared := map[string]string{"amd64": "arm64", "arm64": "x86_64"}[goruntime.GOARCH]
	err = e.engine.Deploy(context.Background(), pool.Function{Name: "declared", CodeDir: filepath.Dir(bootstrap), Architecture: declared})
	if !errors.Is(err, code.ErrInvalidCode) || !strings.Contains(err.Error(), "the function's architecture is "+declared) {
		t.Fatalf("deploy with the wrong declared architecture: %v", err)
	}
	// Only OS-only runtimes run natively.
	err = e.engine.Deploy(context.Background(), pool.Function{Name: "py", CodeDir: codeDirOf(), Runtime: "python3.12"})
	if !errors.Is(err, code.ErrInvalidCode) || !strings.Contains(err.Error(), "runtime python3.12 is not supported by localcloud") {
		t.Fatalf("deploy python: %v", err)
	}
	// Invoking an undeployable function is "not found", never a crash.
	_, err = e.engine.Invoke(context.Background(), pool.Request{FunctionName: "foreign"})
	var nf *pool.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("invoke undeployed: %v", err)
	}
}

type elf struct {
	machine uint16
	name    string
}

// elfHeader is a minimal 64-bit little-endian ELF executable header.
func elfHeader(machine uint16) []byte {
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1                     // 64-bit, little-endian, version 1
	binary.LittleEndian.PutUint16(h[16:], 2)       // ET_EXEC
	binary.LittleEndian.PutUint16(h[18:], machine) // e_machine
	binary.LittleEndian.PutUint32(h[20:], 1)       // e_version
	binary.LittleEndian.PutUint16(h[52:], 64)      // e_ehsize
	binary.LittleEndian.PutUint16(h[54:], 56)      // e_phentsize
	binary.LittleEndian.PutUint16(h[58:], 64)      // e_shentsize
	return h
}

func TestRedeployRetiresOldEnvironments(t *testing.T) {
	e := newEnv(t, pool.Config{})
	e.deploy(t, pool.Function{Name: "f", Environment: map[string]string{"V": "1"}})
	if v := decode[map[string]string](t, e.invoke(t, "f", map[string]string{"action": "env"}).Payload)["V"]; v != "1" {
		t.Fatalf("V = %q", v)
	}
	e.deploy(t, pool.Function{Name: "f", Environment: map[string]string{"V": "2"}})
	r := e.invoke(t, "f", map[string]string{"action": "env"})
	if v := decode[map[string]string](t, r.Payload)["V"]; v != "2" || !r.ColdStart {
		t.Fatalf("after redeploy V = %q cold=%v", v, r.ColdStart)
	}
	// Removing a function fails queued invocations with "not found".
	zero := 0
	e.deploy(t, pool.Function{Name: "blocked", ReservedConcurrency: &zero})
	errc := make(chan error, 1)
	go func() {
		_, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: "blocked", Wait: true})
		errc <- err
	}()
	e.waitFor(t, "blocked", func(f pool.Figures) bool { return f.Waiting == 1 })
	e.engine.Remove("blocked", "")
	var nf *pool.NotFoundError
	if err := <-errc; !errors.As(err, &nf) {
		t.Fatalf("queued invoke after remove: %v", err)
	}
}

func containsLine(lines []logs.FilteredLogEvent, part string) bool {
	for _, l := range lines {
		if strings.Contains(l.Message, part) {
			return true
		}
	}
	return false
}

func messages(lines []logs.FilteredLogEvent) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Message
	}
	return out
}

func TestReservedConcurrencyChanges(t *testing.T) {
	e := newEnv(t, pool.Config{})
	zero := 0
	e.deploy(t, pool.Function{Name: "f", ReservedConcurrency: &zero})
	_, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: "f", Payload: []byte(`{"action":"echo"}`)})
	var th *pool.ThrottleError
	if !errors.As(err, &th) || th.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Fatalf("reserved 0: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		r, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: "f", Payload: []byte(`{"action":"echo"}`), Wait: true})
		if err == nil && r.FunctionError != "" {
			err = fmt.Errorf("function error %s", r.Payload)
		}
		done <- err
	}()
	e.waitFor(t, "f", func(f pool.Figures) bool { return f.Waiting == 1 })
	// Lifting the reservation lets the queued invocation run.
	if err := e.engine.SetReservedConcurrency("f", nil); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f := e.engine.Figures("f"); f.Busy != 0 || f.Waiting != 0 || f.Invocations != 1 || f.Throttles != 1 {
		t.Fatalf("figures = %+v", f)
	}
	// A context that ends while queued gives up its place.
	if err := e.engine.SetReservedConcurrency("f", &zero); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := e.engine.Invoke(ctx, pool.Request{FunctionName: "f", Wait: true})
		done <- err
	}()
	e.waitFor(t, "f", func(f pool.Figures) bool { return f.Waiting == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	if f := e.engine.Figures("f"); f.Waiting != 0 || f.Busy != 0 {
		t.Fatalf("figures after cancel = %+v", f)
	}
	var nf *pool.NotFoundError
	if err := e.engine.SetReservedConcurrency("nope", nil); !errors.As(err, &nf) {
		t.Fatalf("unknown function: %v", err)
	}
	// Closing the engine releases queued invocations.
	go func() {
		_, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: "f", Wait: true})
		done <- err
	}()
	e.waitFor(t, "f", func(f pool.Figures) bool { return f.Waiting == 1 })
	e.engine.Close()
	if err := <-done; !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("queued invoke at close: %v", err)
	}
	if _, err := e.engine.Invoke(context.Background(), pool.Request{FunctionName: "f"}); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("invoke after close: %v", err)
	}
}
