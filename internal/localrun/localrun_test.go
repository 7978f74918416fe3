package localrun

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func TestLocalAPIURL(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "stack output", in: "https://a1b2c3.execute-api.us-east-1.amazonaws.com/local/orders",
			want: "http://127.0.0.1:4566/restapis/a1b2c3/local/_user_request_/orders"},
		{name: "nested path", in: "https://x9.execute-api.eu-west-1.amazonaws.com/dev/v1/orders",
			want: "http://127.0.0.1:4566/restapis/x9/dev/_user_request_/v1/orders"},
		{name: "no stage", in: "https://x9.execute-api.eu-west-1.amazonaws.com/", wantErr: true},
		{name: "no api id", in: "https://localhost/dev/orders", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LocalAPIURL("http://127.0.0.1:4566/", tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("LocalAPIURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfirmSubscriptionsFetchesOnlyLocalcloudLinks(t *testing.T) {
	var mu sync.Mutex
	var hits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.URL.RawQuery)
		mu.Unlock()
		if r.URL.Query().Get("Token") == "bad" {
			http.Error(w, "<Error><Code>InvalidParameter</Code></Error>", http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte("<ConfirmSubscriptionResponse/>"))
	}))
	defer srv.Close()

	dir := t.TempDir()
	mail := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("Subject: AWS Notification - Subscription Confirmation\r\n\r\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mail("1.eml", "Confirm: "+srv.URL+"/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Token=abc\r\n")
	mail("2.eml", "Elsewhere: http://203.0.113.9/?Action=ConfirmSubscription&TopicArn=x&Token=never\r\n")
	mail("3.eml", "An order notification, no links.\r\n")
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(srv.URL+"/?Action=ConfirmSubscription&Token=ignored"), 0o644); err != nil {
		t.Fatal(err)
	}

	n, err := ConfirmSubscriptions(context.Background(), srv.Client(), dir, srv.URL)
	if err != nil {
		t.Fatalf("ConfirmSubscriptions: %v", err)
	}
	if n != 1 || len(hits) != 1 || !strings.Contains(hits[0], "Token=abc") {
		t.Fatalf("confirmed %d, requests %v; want exactly the localcloud link", n, hits)
	}

	mail("4.eml", srv.URL+"/?Action=ConfirmSubscription&TopicArn=t&Token=bad\r\n")
	if _, err := ConfirmSubscriptions(context.Background(), srv.Client(), dir, srv.URL); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("a refused confirmation gave error %v, want the 400", err)
	}

	if n, err := ConfirmSubscriptions(context.Background(), srv.Client(), filepath.Join(dir, "absent"), srv.URL); n != 0 || err != nil {
		t.Errorf("missing mailbox: %d, %v", n, err)
	}
}

// fakeLogs is a test double for CloudWatch Logs: it serves the events it holds for a
// group at or after StartTime, two per page.
type fakeLogs struct {
	mu     sync.Mutex
	events map[string][]types.FilteredLogEvent
}

func (f *fakeLogs) add(group, id string, ts int64, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events[group] = append(f.events[group], types.FilteredLogEvent{EventId: aws.String(id), Timestamp: aws.Int64(ts), Message: aws.String(msg)})
}

func (f *fakeLogs) FilterLogEvents(_ context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs, ok := f.events[aws.ToString(in.LogGroupName)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("The specified log group does not exist.")}
	}
	var match []types.FilteredLogEvent
	for _, e := range evs {
		if aws.ToInt64(e.Timestamp) >= aws.ToInt64(in.StartTime) {
			match = append(match, e)
		}
	}
	start := 0
	if in.NextToken != nil {
		start = len(aws.ToString(in.NextToken))
	}
	end := min(start+2, len(match))
	out := &cloudwatchlogs.FilterLogEventsOutput{Events: match[start:end]}
	if end < len(match) {
		out.NextToken = aws.String(strings.Repeat("x", end))
	}
	return out, nil
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestFollowLogsPrintsEachEventOnce(t *testing.T) {
	f := &fakeLogs{events: map[string][]types.FilteredLogEvent{}}
	f.add("/aws/lambda/ingest", "a", 100, "START RequestId: 1")
	f.add("/aws/lambda/ingest", "b", 100, "order stored\n")
	f.add("/aws/lambda/ingest", "c", 101, "END RequestId: 1")
	f.add("/aws/lambda/ingest", "old", 5, "before the run")

	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- FollowLogs(ctx, f, map[string]string{"ingest": "/aws/lambda/ingest", "notifier": "/aws/lambda/notifier"},
			time.UnixMilli(50), time.Millisecond, &out)
	}()
	waitFor(t, func() bool { return strings.Count(out.String(), "\n") >= 3 })
	f.add("/aws/lambda/ingest", "d", 101, "same millisecond, new event")
	f.add("/aws/lambda/notifier", "e", 102, "published")
	waitFor(t, func() bool {
		return strings.Contains(out.String(), "published") && strings.Contains(out.String(), "new event")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("FollowLogs: %v", err)
	}
	got := out.String()
	for _, want := range []string{"[ingest] START RequestId: 1\n", "[ingest] order stored\n", "[ingest] END RequestId: 1\n", "[notifier] published\n"} {
		if strings.Count(got, want) != 1 {
			t.Errorf("%q printed %d times in:\n%s", want, strings.Count(got, want), got)
		}
	}
	if strings.Contains(got, "before the run") {
		t.Errorf("printed an event from before since:\n%s", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestStartStopsAndReuses runs the real localcloud binary: Start waits for its ready
// line, a second Start reuses the serving instance, Stop shuts it down gracefully.
func TestStartStopsAndReuses(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "localcloud")
	build := exec.Command("go", "build", "-o", bin, "./cmd/localcloud")
	build.Dir = filepath.Join("..", "..", "tools")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build localcloud: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx := context.Background()
	opts := Options{Binary: bin, Listen: addr, DataDir: t.TempDir()}
	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if c.Reused || c.URL != "http://"+addr {
		t.Fatalf("first Start = %+v", c)
	}
	again, err := Start(ctx, opts)
	if err != nil || !again.Reused {
		t.Fatalf("second Start = %+v, %v; want the running instance reused", again, err)
	}
	if err := again.Stop(); err != nil || !healthy(ctx, c.URL) {
		t.Fatalf("stopping a reused instance must leave it serving: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if healthy(ctx, c.URL) {
		t.Fatal("localcloud still serving after Stop")
	}

	if _, err := Start(ctx, Options{Binary: bin, Listen: "192.0.2.1:4566", DataDir: t.TempDir()}); err == nil {
		t.Fatal("a non-loopback listen address was accepted")
	}
}
