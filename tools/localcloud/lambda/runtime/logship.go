package runtime

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"sync"

	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

// maxLine is where a long output line is split into several events, as
// Lambda splits at 256 KiB.
const maxLine = 256 * 1024

// shipper batches an environment's log lines to its stream. Lines queue in
// memory while the previous batch is being made durable, so a chatty
// function costs one append per batch, not per line. It stops once the
// output reader lets go.
type shipper struct {
	spec Spec
	mu   sync.Mutex
	buf  []logs.Event
	refs int
	kick chan struct{}
	done chan struct{}
}

func newShipper(spec Spec) *shipper {
	s := &shipper{spec: spec, refs: 1, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *shipper) add(msg string) {
	s.mu.Lock()
	if s.refs == 0 {
		s.mu.Unlock()
		return
	}
	s.buf = append(s.buf, logs.Event{Timestamp: s.spec.Clock.Now().UnixMilli(), Message: msg})
	s.mu.Unlock()
	s.poke()
}

func (s *shipper) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *shipper) release() {
	s.mu.Lock()
	s.refs--
	s.mu.Unlock()
	s.poke()
}

func (s *shipper) run() {
	defer close(s.done)
	for range s.kick {
		s.mu.Lock()
		batch, finished := s.buf, s.refs == 0
		s.buf = nil
		s.mu.Unlock()
		if len(batch) > 0 && s.spec.Logs != nil {
			if err := s.spec.Logs.Append(context.Background(), s.spec.LogGroup, s.spec.LogStream, batch); err != nil {
				s.spec.Logger.Warn("lambda logs dropped", "function", s.spec.FunctionName, "events", len(batch), "err", err)
			}
		}
		if finished {
			return
		}
	}
}

// readOutput turns the process's combined stdout and stderr into one log
// event per line until the last writer closes the pipe. Lines carrying the
// instance's marker are the platform's; text before a marker (output that
// did not end in a newline) becomes its own event.
func (i *Instance) readOutput(r io.ReadCloser) {
	defer i.ship.release()
	defer r.Close()
	br := bufio.NewReaderSize(r, 64*1024)
	var partial []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			partial = append(partial, line...)
			if len(partial) >= maxLine {
				i.ship.add(string(partial))
				partial = partial[:0]
			}
			continue
		}
		if len(line) > 0 || len(partial) > 0 {
			full := append(partial, line...)
			if at := bytes.Index(full, i.marker); at >= 0 {
				if at > 0 {
					i.ship.add(string(full[:at]) + "\n")
				}
				i.ship.add(string(full[at+len(i.marker):]))
			} else {
				i.ship.add(string(full))
			}
			partial = partial[:0]
		}
		if err != nil {
			return
		}
	}
}
