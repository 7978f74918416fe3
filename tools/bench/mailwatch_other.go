//go:build !linux

package bench

import (
	"errors"
	"time"
)

type mailWatch struct {
	events   chan mailEvent
	overflow chan struct{}
}

type mailEvent struct {
	name string
	at   time.Time
}

// watchMail is not available here: the tracker lists the mailbox on every poll.
func watchMail(string) (*mailWatch, error) { return nil, errors.New("no file watching on this system") }

func (w *mailWatch) close() error { return nil }
