package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/runtime"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

// The test binary doubles as a hand-written runtime: started as bootstrap
// with RUNTIME_TEST_SCRIPT set, it drives the Runtime API with raw HTTP
// and reports what the API answered in its invocation responses.
func TestMain(m *testing.M) {
	if os.Getenv("RUNTIME_TEST_SCRIPT") != "" {
		if err := runScript(os.Getenv("RUNTIME_TEST_SCRIPT")); err != nil {
			fmt.Println("script failed:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func api(method, path string, body []byte, header ...string) (int, string, http.Header, error) {
	req, err := http.NewRequest(method, "http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime/"+path, bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), resp.Header, err
}

func status(code int, body string, _ http.Header, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d %s", code, body)
}

func next() (string, http.Header, error) {
	code, body, h, err := api(http.MethodGet, "invocation/next", nil)
	if err != nil || code != http.StatusOK {
		return "", nil, fmt.Errorf("next: %d %s %w", code, body, err)
	}
	return h.Get("Lambda-Runtime-Aws-Request-Id"), h, nil
}

func runScript(name string) error {
	switch name {
	case "protocol":
		fmt.Println("runtime ready")
		// Invocation 1: misuse while it is in progress, then answer with
		// what the API said.
		id, h, err := next()
		if err != nil {
			return err
		}
		report := map[string]string{
			"headers":    fmt.Sprintf("%s|%s|%s|%s", h.Get("Lambda-Runtime-Invoked-Function-Arn"), h.Get("Lambda-Runtime-Trace-Id"), h.Get("Lambda-Runtime-Client-Context"), h.Get("Lambda-Runtime-Deadline-Ms")),
			"wrongID":    status(api(http.MethodPost, "invocation/not-the-id/response", []byte("x"))),
			"nextEarly":  status(api(http.MethodGet, "invocation/next", nil)),
			"initError":  status(api(http.MethodPost, "init/error", []byte("{}"))),
			"unknownURL": status(api(http.MethodGet, "nothing-here", nil)),
		}
		b, _ := json.Marshal(report)
		first := status(api(http.MethodPost, "invocation/"+id+"/response", b))
		// Invocation 2: answer 1 again, then report an error without a
		// JSON body.
		again := status(api(http.MethodPost, "invocation/"+id+"/response", []byte("late")))
		id, _, err = next()
		if err != nil {
			return err
		}
		msg := "first=" + first + " again=" + again
		if code, body, _, err := api(http.MethodPost, "invocation/"+id+"/error", []byte(msg), "Lambda-Runtime-Function-Error-Type", "Custom.Failure"); err != nil || code != http.StatusAccepted {
			return fmt.Errorf("error post: %d %s %w", code, body, err)
		}
		// Invocation 3: a response over the limit.
		id, _, err = next()
		if err != nil {
			return err
		}
		big := status(api(http.MethodPost, "invocation/"+id+"/response", bytes.Repeat([]byte("x"), runtime.MaxResponseBytes+1)))
		// Invocation 4: say what happened to 3.
		id, _, err = next()
		if err != nil {
			return err
		}
		_, _, _, err = api(http.MethodPost, "invocation/"+id+"/response", []byte(big))
		if err != nil {
			return err
		}
		_, _, err = next() // blocks until the environment is stopped
		return err
	case "stuck":
		// Answers one invocation, then never asks for another.
		id, _, err := next()
		if err != nil {
			return err
		}
		if _, _, _, err := api(http.MethodPost, "invocation/"+id+"/response", []byte(`"ok"`)); err != nil {
			return err
		}
		select {}
	case "partial":
		// Output without a trailing newline, then a response: the
		// platform's END must not be glued to it.
		id, _, err := next()
		if err != nil {
			return err
		}
		fmt.Print("no newline")
		_, _, _, err = api(http.MethodPost, "invocation/"+id+"/response", []byte(`"ok"`))
		if err != nil {
			return err
		}
		_, _, err = next()
		return err
	}
	return fmt.Errorf("unknown script %q", name)
}

// memSink collects log events in memory.
type memSink struct {
	mu     sync.Mutex
	events []string
	grew   chan struct{}
}

func newSink() *memSink { return &memSink{grew: make(chan struct{})} }

func (s *memSink) Append(_ context.Context, _, _ string, events []logs.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		s.events = append(s.events, e.Message)
	}
	close(s.grew)
	s.grew = make(chan struct{})
	return nil
}

// waitFor returns the events once one contains part.
func (s *memSink) waitFor(t *testing.T, part string) []string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		events, grew := append([]string(nil), s.events...), s.grew
		s.mu.Unlock()
		for _, e := range events {
			if strings.Contains(e, part) {
				return events
			}
		}
		select {
		case <-grew:
		case <-timeout:
			t.Fatalf("no log event containing %q in %q", part, events)
		}
	}
}

func start(t *testing.T, script string, sink *memSink) *runtime.Instance {
	t.Helper()
	return startWith(t, script, sink, clock.NewManual(time.UnixMilli(1_700_000_000_000)))
}

func startWith(t *testing.T, script string, sink *memSink, clk clock.Clock) *runtime.Instance {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(self, filepath.Join(dir, "bootstrap")); err != nil {
		t.Fatal(err)
	}
	inst, err := runtime.Start(context.Background(), runtime.Spec{
		FunctionName: "raw", CodeDir: dir, Timeout: time.Minute, Region: "us-east-1",
		Environment: map[string]string{"RUNTIME_TEST_SCRIPT": script},
		LogGroup:    "/aws/lambda/raw", LogStream: "s", Logs: sink,
		Clock: clk,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(inst.Stop)
	return inst
}

func invoke(t *testing.T, inst *runtime.Instance, id string) runtime.Result {
	t.Helper()
	res, err := inst.Invoke(context.Background(), runtime.Invocation{RequestID: id, Payload: []byte(`{}`),
		InvokedFunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:raw", TraceID: "Root=1-abc", ClientContext: `{"custom":{"a":"b"}}`})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRuntimeAPIProtocol(t *testing.T) {
	sink := newSink()
	inst := start(t, "protocol", sink)

	r1 := invoke(t, inst, "req-1")
	if r1.FunctionError != "" || !r1.ColdStart {
		t.Fatalf("r1 = %+v %s", r1, r1.Payload)
	}
	var report map[string]string
	if err := json.Unmarshal(r1.Payload, &report); err != nil {
		t.Fatalf("r1 payload %s: %v", r1.Payload, err)
	}
	for k, want := range map[string]string{
		"headers":    `arn:aws:lambda:us-east-1:000000000000:function:raw|Root=1-abc|{"custom":{"a":"b"}}|1700000060000`,
		"wrongID":    `400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`,
		"nextEarly":  `403 {"errorMessage":"State transition from Invoking to Ready failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}`,
		"initError":  `403 {"errorMessage":"State transition from Ready to InitError failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}`,
		"unknownURL": `404 404 page not found`,
	} {
		if report[k] != want {
			t.Errorf("%s = %s\nwant %s", k, report[k], want)
		}
	}

	r2 := invoke(t, inst, "req-2")
	var doc struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal(r2.Payload, &doc); err != nil || r2.FunctionError != "Unhandled" || doc.ErrorType != "Custom.Failure" {
		t.Fatalf("r2 = %+v %s", r2, r2.Payload)
	}
	if want := `first=202 {"status":"OK"} again=400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`; doc.ErrorMessage != want {
		t.Fatalf("r2 message = %s\nwant %s", doc.ErrorMessage, want)
	}
	if r2.ColdStart {
		t.Fatal("second invocation reported a cold start")
	}

	r3 := invoke(t, inst, "req-3")
	if r3.ErrorType != "Function.ResponseSizeTooLarge" || !strings.Contains(string(r3.Payload), "Response payload size exceeded maximum allowed payload size (6291556 bytes).") {
		t.Fatalf("r3 = %+v %s", r3, r3.Payload)
	}
	r4 := invoke(t, inst, "req-4")
	if want := `413 {"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`; string(r4.Payload) != want {
		t.Fatalf("r4 = %s\nwant %s", r4.Payload, want)
	}
	// The script ends (exit status 0) once it receives a fifth invocation.
	r5, err := inst.Invoke(context.Background(), runtime.Invocation{RequestID: "req-5"})
	if err != nil || r5.ErrorType != "Runtime.ExitError" ||
		!strings.Contains(string(r5.Payload), "RequestId: req-5 Error: Runtime exited without providing a reason") {
		t.Fatalf("r5 = %+v %s, %v", r5, r5.Payload, err)
	}
	<-inst.Exited()
	inst.Stop()
	if inst.Alive() {
		t.Fatal("alive after Stop")
	}
	if _, err := inst.Invoke(context.Background(), runtime.Invocation{RequestID: "y"}); !errors.Is(err, runtime.ErrNotDelivered) {
		t.Fatalf("invoke after stop: %v", err)
	}
	events := sink.waitFor(t, "REPORT RequestId: req-5")
	if !strings.Contains(strings.Join(events, ""), "runtime ready\n") {
		t.Fatalf("function output missing: %q", events)
	}
}

func TestPlatformLinesFollowFunctionOutput(t *testing.T) {
	sink := newSink()
	inst := start(t, "partial", sink)
	res := invoke(t, inst, "req-1")
	if string(res.Payload) != `"ok"` {
		t.Fatalf("payload %s", res.Payload)
	}
	events := sink.waitFor(t, "REPORT RequestId: req-1")
	want := []string{"START RequestId: req-1 Version: $LATEST\n", "no newline\n", "END RequestId: req-1\n"}
	got := events[:min(3, len(events))]
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events = %q, want %q first", events, want)
	}
}

func TestStartReportsForeignBinaries(t *testing.T) {
	dir := t.TempDir()
	// An ELF header for a machine this host is not (RISC-V), as a bootstrap
	// that slipped past deployment checks.
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1
	h[16], h[18], h[20], h[52], h[54], h[58] = 2, 243, 1, 64, 56, 64
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), h, 0o755); err != nil {
		t.Fatal(err)
	}
	sink := newSink()
	_, err := runtime.Start(context.Background(), runtime.Spec{FunctionName: "foreign", CodeDir: dir, Logs: sink,
		LogGroup: "/aws/lambda/foreign", LogStream: "s", Clock: clock.NewManual(time.Now())})
	var ie *runtime.InitError
	if !errors.As(err, &ie) || ie.Type != "Runtime.InvalidEntrypoint" || !strings.Contains(ie.Reason, "bootstrap is a linux/riscv64 executable; this machine runs") {
		t.Fatalf("start = %v", err)
	}
	res := ie.Result("req-1")
	if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), `"errorType":"Runtime.InvalidEntrypoint"`) ||
		!strings.Contains(string(res.Payload), "RequestId: req-1 Error: bootstrap is a linux/riscv64 executable") {
		t.Fatalf("result = %s", res.Payload)
	}
	sink.waitFor(t, "INIT_REPORT Init Duration: 0.00 ms\tPhase: init\tStatus: error\tError Type: Runtime.InvalidEntrypoint")
}

func TestRuntimeThatStopsAskingTimesOut(t *testing.T) {
	clk := clock.NewManual(time.UnixMilli(1_700_000_000_000))
	inst := startWith(t, "stuck", newSink(), clk)
	if r := invoke(t, inst, "req-1"); string(r.Payload) != `"ok"` {
		t.Fatalf("first = %s", r.Payload)
	}
	// An invocation its caller gives up on before delivery leaves no
	// timer behind to kill the environment.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := inst.Invoke(ctx, runtime.Invocation{RequestID: "gave-up"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled invoke: %v", err)
	}
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers left by a withdrawn invocation", n)
	}
	done := make(chan runtime.Result, 1)
	go func() { done <- invoke(t, inst, "req-2") }()
	// Wait until the invocation is queued (its timeout timer is armed).
	for clk.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	clk.Advance(time.Minute)
	r := <-done
	if r.ErrorType != "Sandbox.Timedout" || !strings.Contains(string(r.Payload), "RequestId: req-2 Error: Task timed out after 60.00 seconds") {
		t.Fatalf("stuck runtime = %+v %s", r, r.Payload)
	}
	<-inst.Exited()
	if inst.Alive() {
		t.Fatal("the stuck environment is still alive")
	}
}
