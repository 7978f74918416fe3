package esm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

const (
	account = "000000000000"
	region  = "us-east-1"
)

// bootstrap is the test function (testdata/fn), built once by TestMain.
var bootstrap string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambda-esm-test")
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

// reporter collects the events the test function reports, in arrival
// order.
type reporter struct {
	srv    *httptest.Server
	mu     sync.Mutex
	events []json.RawMessage
	more   chan struct{}
}

func newReporter(t testing.TB) *reporter {
	r := &reporter{more: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.events = append(r.events, body)
		close(r.more)
		r.more = make(chan struct{})
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// wait returns once at least n events have arrived.
func (r *reporter) wait(t testing.TB, ctx context.Context, n int) []json.RawMessage {
	t.Helper()
	for {
		r.mu.Lock()
		if len(r.events) >= n {
			out := append([]json.RawMessage(nil), r.events...)
			r.mu.Unlock()
			return out
		}
		more := r.more
		r.mu.Unlock()
		select {
		case <-more:
		case <-ctx.Done():
			r.mu.Lock()
			got := len(r.events)
			r.mu.Unlock()
			t.Fatalf("waiting for %d events, got %d: %v", n, got, ctx.Err())
		}
	}
}

func (r *reporter) all() []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]json.RawMessage(nil), r.events...)
}

type env struct {
	dir     string
	st      *store.Bolt
	clk     clock.Clock
	ids     *ids.Source
	engine  *pool.Engine
	queues  *sqs.Service
	tables  *dynamodb.Service
	reports *reporter
	cfg     esm.Config
}

func newEnv(t testing.TB) *env { return newEnvWithTableClock(t, nil) }

// newEnvWithTableClock runs DynamoDB on its own clock (to write records
// that look old), everything else on the wall clock.
func newEnvWithTableClock(t testing.TB, tableClock clock.Clock) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.Real{}
	src := ids.New(rand.NewChaCha8([32]byte{byte(time.Now().UnixNano()), byte(time.Now().UnixNano() >> 8)}))
	engine := pool.New(pool.Config{DataDir: dir, Clock: clk, IDs: src, Region: region, Account: account,
		EndpointURL: "http://127.0.0.1:1", MaxConcurrency: 50})
	queues, err := sqs.New(sqs.Config{Store: st, Clock: clk, IDs: src, Account: account, Region: region, PublicURL: "http://127.0.0.1:4566"})
	if err != nil {
		t.Fatal(err)
	}
	if tableClock == nil {
		tableClock = clk
	}
	tables, err := dynamodb.New(dynamodb.Config{Store: st, Clock: tableClock, IDs: src, Account: account, Region: region})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{dir: dir, st: st, clk: clk, ids: src, engine: engine, queues: queues, tables: tables, reports: newReporter(t)}
	e.cfg = esm.Config{Store: st, Clock: clk, IDs: src, Region: region, Account: account, Invoker: engine,
		Queues: queues, Streams: tables, TimeScale: 50}
	t.Cleanup(func() {
		engine.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// deploy deploys the test function as name.
func (e *env) deploy(t testing.TB, name string) string {
	t.Helper()
	err := e.engine.Deploy(context.Background(), pool.Function{Name: name, CodeDir: filepath.Dir(bootstrap), Handler: "bootstrap",
		Timeout: 30 * time.Second, Environment: map[string]string{"FN_REPORT_URL": e.reports.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

func (e *env) manager(t testing.TB) *esm.Manager {
	t.Helper()
	m, err := esm.New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func (e *env) queue(t testing.TB, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	out, err := e.queues.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: name, Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return out.QueueURL, "arn:aws:sqs:" + region + ":" + account + ":" + name
}

func (e *env) send(t testing.TB, url string, bodies ...string) {
	t.Helper()
	for len(bodies) > 0 {
		n := min(10, len(bodies))
		var entries []sqs.SendMessageBatchRequestEntry
		for i, b := range bodies[:n] {
			entries = append(entries, sqs.SendMessageBatchRequestEntry{ID: fmt.Sprint(i), MessageBody: &b})
		}
		out, err := e.queues.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueURL: url, Entries: entries})
		if err != nil || len(out.Failed) > 0 {
			t.Fatalf("send: %v %+v", err, out)
		}
		bodies = bodies[n:]
	}
}

// drain long-polls url until n messages arrived and returns their bodies.
func (e *env) drain(t testing.TB, ctx context.Context, url string, n int) []string {
	t.Helper()
	var bodies []string
	for len(bodies) < n {
		out, err := e.queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueURL: url, MaxNumberOfMessages: new(10), WaitTimeSeconds: new(20)})
		if err != nil {
			t.Fatal(err)
		}
		if ctx.Err() != nil {
			t.Fatalf("waiting for %d messages on %s, got %v", n, url, bodies)
		}
		for _, m := range out.Messages {
			bodies = append(bodies, m.Body)
		}
	}
	return bodies
}

func (e *env) count(t testing.TB, url string) (visible, inflight string) {
	t.Helper()
	out, err := e.queues.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueURL: url, AttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}

// waitFigures waits until cond holds for the mapping's figures, calling
// seen on every sample.
func waitFigures(t testing.TB, ctx context.Context, m *esm.Manager, uuid string, what string, cond func(esm.Figures) bool, seen ...func(esm.Figures)) esm.Figures {
	t.Helper()
	for {
		ch := m.Changed()
		f := m.Figures(uuid)
		for _, s := range seen {
			s(f)
		}
		if cond(f) {
			return f
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("waiting for %s: figures %+v", what, f)
		}
	}
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitState waits until the mapping reports state (Update answers
// Updating and converges in the background).
func waitState(t testing.TB, ctx context.Context, m *esm.Manager, uuid, state string) esm.Mapping {
	t.Helper()
	for {
		ch := m.Changed()
		got, err := m.Get(uuid)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == state {
			return got
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("mapping %s is %s, want %s", uuid, got.State, state)
		}
	}
}
