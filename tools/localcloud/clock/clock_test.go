package clock

import (
	"testing"
	"time"
)

func TestManualFiresOnlyDueTimers(t *testing.T) {
	c := NewManual(time.Unix(1000, 0))
	fired := make(chan string, 3)
	c.AfterFunc(time.Second, func() { fired <- "1s" })
	c.AfterFunc(3*time.Second, func() { fired <- "3s" })
	stopped := c.AfterFunc(2*time.Second, func() { fired <- "2s" })
	if !stopped.Stop() {
		t.Fatal("Stop on a pending timer reported false")
	}
	c.Advance(1500 * time.Millisecond)
	if got := <-fired; got != "1s" {
		t.Fatalf("fired %q, want 1s", got)
	}
	if c.Pending() != 1 {
		t.Fatalf("pending = %d, want 1", c.Pending())
	}
	c.Advance(2 * time.Second)
	if got := <-fired; got != "3s" {
		t.Fatalf("fired %q, want 3s", got)
	}
	if want := time.Unix(1003, 500e6); !c.Now().Equal(want) {
		t.Fatalf("now = %v, want %v", c.Now(), want)
	}
	select {
	case got := <-fired:
		t.Fatalf("stopped timer fired: %q", got)
	default:
	}
}

func TestManualPendingWithin(t *testing.T) {
	c := NewManual(time.Unix(0, 0))
	c.AfterFunc(10*time.Minute, func() {})
	poll := c.AfterFunc(20*time.Second, func() {})
	if got := c.Pending(); got != 2 {
		t.Fatalf("Pending = %d, want 2", got)
	}
	if got := c.PendingWithin(20 * time.Second); got != 1 {
		t.Fatalf("PendingWithin(20s) = %d, want only the poll deadline", got)
	}
	poll.Stop()
	if got := c.PendingWithin(20 * time.Second); got != 0 {
		t.Fatalf("PendingWithin(20s) after Stop = %d, want 0", got)
	}
	c.Advance(9 * time.Minute)
	if got := c.PendingWithin(time.Minute); got != 1 {
		t.Fatalf("PendingWithin(1m) after 9m = %d, want the housekeeping timer", got)
	}
}
