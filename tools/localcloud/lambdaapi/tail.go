package lambdaapi

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/runtime"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

// tailBytes is how much of an invocation's log LogType Tail returns.
const tailBytes = 4096

// tailSink passes function logs on to CloudWatch Logs, into the group the
// function's LoggingConfig names (the engine writes to /aws/lambda/<name>),
// and lets Invoke with LogType Tail collect the lines of its own
// invocation, from START to REPORT. Only groups someone is watching are
// kept.
type tailSink struct {
	next runtime.LogSink

	mu      sync.Mutex
	watches map[string]map[*tailWatch]bool
	// routes maps a function's default group to its configured one.
	routes map[string]string
}

func newTailSink(next runtime.LogSink) *tailSink {
	return &tailSink{next: next, watches: map[string]map[*tailWatch]bool{}, routes: map[string]string{}}
}

// route sends function's logs to group ("" or the default: no change).
func (t *tailSink) route(function, group string) {
	def := "/aws/lambda/" + function
	t.mu.Lock()
	defer t.mu.Unlock()
	if group == "" || group == def {
		delete(t.routes, def)
		return
	}
	t.routes[def] = group
}

// Append implements runtime.LogSink.
func (t *tailSink) Append(ctx context.Context, group, stream string, events []logs.Event) error {
	t.mu.Lock()
	for w := range t.watches[group] {
		w.add(stream, events)
	}
	if to, ok := t.routes[group]; ok {
		group = to
	}
	t.mu.Unlock()
	if t.next == nil {
		return nil
	}
	return t.next.Append(ctx, group, stream, events)
}

// tailWatch collects a group's lines while an invocation runs.
type tailWatch struct {
	sink  *tailSink
	group string

	mu    sync.Mutex
	lines []tailLine
	kick  chan struct{}
}

// tailLine is a log line and the stream (execution environment) it came
// from: concurrent invocations share the group but not the stream.
type tailLine struct{ stream, text string }

func (t *tailSink) watch(group string) *tailWatch {
	w := &tailWatch{sink: t, group: group, kick: make(chan struct{}, 1)}
	t.mu.Lock()
	if t.watches[group] == nil {
		t.watches[group] = map[*tailWatch]bool{}
	}
	t.watches[group][w] = true
	t.mu.Unlock()
	return w
}

func (w *tailWatch) add(stream string, events []logs.Event) {
	w.mu.Lock()
	for _, e := range events {
		w.lines = append(w.lines, tailLine{stream, e.Message})
	}
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *tailWatch) stop() {
	w.sink.mu.Lock()
	delete(w.sink.watches[w.group], w)
	if len(w.sink.watches[w.group]) == 0 {
		delete(w.sink.watches, w.group)
	}
	w.sink.mu.Unlock()
}

// wait returns the last 4 KB of requestID's lines once its REPORT line
// has arrived. The lines travel through the function's output pipe after
// the answer, so this waits for them, but not forever: a bounded wall-clock
// wait guards against a pipe that never drains (a process that forked and
// kept it open).
func (w *tailWatch) wait(ctx context.Context, requestID string) []byte {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start, report := "START RequestId: "+requestID, "REPORT RequestId: "+requestID
	for {
		w.mu.Lock()
		var buf bytes.Buffer
		stream, done := "", false
		for _, l := range w.lines {
			if stream == "" && strings.HasPrefix(l.text, start) {
				stream = l.stream
			}
			if stream == "" || l.stream != stream {
				continue
			}
			buf.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				buf.WriteByte('\n')
			}
			if strings.HasPrefix(l.text, report) {
				done = true
				break
			}
		}
		w.mu.Unlock()
		if done || ctx.Err() != nil {
			b := buf.Bytes()
			if len(b) > tailBytes {
				b = b[len(b)-tailBytes:]
			}
			return b
		}
		select {
		case <-w.kick:
		case <-ctx.Done():
		}
	}
}
