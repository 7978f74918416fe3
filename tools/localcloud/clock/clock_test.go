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
