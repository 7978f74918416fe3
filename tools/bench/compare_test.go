package bench

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a writer the server goroutine and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The no-op server's canned answers must satisfy the real SDK clients (the SendMessage
// MD5 check included), or its "ceiling" would be a rate of errors.
func TestNoopServerSatisfiesTheSDK(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	served := make(chan error, 1)
	go func() { served <- ServeNoop(ctx, out) }()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		if u, ok := strings.CutPrefix(strings.TrimSpace(out.String()), NoopReadyPrefix); ok {
			url = u
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no ready line within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := CheckLoopback(url); err != nil {
		t.Fatal(err)
	}
	for _, measure := range []func(context.Context, string, string, int, time.Duration) (APIRate, error){SQSSendRate, DynamoDBPutRate} {
		r, err := measure(ctx, "noop", url, 2, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if r.Ops == 0 || r.Errors != 0 {
			t.Errorf("%s: %d ops, %d errors (first: %s)", r.Op, r.Ops, r.Errors, r.FirstError)
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("ServeNoop after cancel = %v", err)
	}
}

func TestDriveCountsErrorsApart(t *testing.T) {
	ops, errs, first, elapsed := Drive(context.Background(), 2, 50*time.Millisecond, func(_ context.Context, n int64) error {
		time.Sleep(time.Millisecond)
		if n%2 == 0 {
			return testError{}
		}
		return nil
	})
	if ops == 0 || errs == 0 || first != "even" || elapsed <= 0 {
		t.Errorf("Drive = %d ops, %d errors, first %q, %s", ops, errs, first, elapsed)
	}
}

type testError struct{}

func (testError) Error() string { return "even" }

func TestMotoCeilings(t *testing.T) {
	res := &Results{APIRates: []APIRate{
		{Op: "SQS SendMessage", Target: "no-op server", Ops: 15000, Elapsed: time.Second},
		{Op: "SQS SendMessage", Target: "moto_server", Ops: 150, Elapsed: time.Second},
		{Op: "DynamoDB PutItem", Target: "no-op server", Ops: 12000, Elapsed: time.Second},
		{Op: "DynamoDB PutItem", Target: "moto_server", Ops: 600, Elapsed: time.Second},
	}}
	got := res.MotoCeilings()
	if len(got) != 2 || got[0].Op != "SQS SendMessage" || got[0].Ratio != 100 || got[1].Ratio != 20 {
		t.Fatalf("ceilings = %+v", got)
	}
	res.APIRates = res.APIRates[:3] // no moto PutItem
	if got := res.MotoCeilings(); len(got) != 1 {
		t.Fatalf("ceilings without a moto run = %+v", got)
	}
}
