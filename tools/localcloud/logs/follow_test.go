package logs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

func TestFollow(t *testing.T) {
	e := start(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 100)
	done := make(chan error, 1)
	base := e.ms(0)
	go func() {
		done <- e.svc.Follow(ctx, "/aws/lambda/f", "?START ?REPORT", base-1000, func(ev logs.FilteredLogEvent) error {
			got <- ev.LogStreamName + ":" + ev.Message
			return nil
		})
	}()
	next := func() string {
		t.Helper()
		select {
		case m := <-got:
			return m
		case <-time.After(20 * time.Second):
			t.Fatal("Follow delivered nothing")
			return ""
		}
	}
	// The group does not exist yet; Follow waits for it.
	if err := e.svc.Append(ctx, "/aws/lambda/f", "a", []logs.Event{
		{Timestamp: base - 5000, Message: "START too early"},
		{Timestamp: base, Message: "START 1"},
		{Timestamp: base + 10, Message: "noise"},
	}); err != nil {
		t.Fatal(err)
	}
	if m := next(); m != "a:START 1" {
		t.Fatalf("first = %q", m)
	}
	// A second writer whose timestamp is slightly behind is not missed,
	// and nothing is delivered twice.
	if err := e.svc.Append(ctx, "/aws/lambda/f", "b", []logs.Event{{Timestamp: base - 500, Message: "START 2"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Append(ctx, "/aws/lambda/f", "a", []logs.Event{{Timestamp: base + 20, Message: "REPORT 1"}}); err != nil {
		t.Fatal(err)
	}
	if m := fmt.Sprint(next(), " ", next()); m != "b:START 2 a:REPORT 1" {
		t.Fatalf("then = %q", m)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		t.Fatalf("extra event %q", m)
	default:
	}
	if err := e.svc.Follow(context.Background(), "g", "{ $.x = ", 0, nil); err == nil {
		t.Fatal("bad pattern accepted")
	}
}
