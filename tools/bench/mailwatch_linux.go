package bench

import (
	"errors"
	"os"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mailWatch reports files that appear in the mailbox as the kernel announces them
// (inotify), so that an e-mail's capture time is when it lands rather than when the next
// directory listing finds it, and the tracker does not list thousands of files every
// few milliseconds while the system under test runs.
type mailWatch struct {
	f      *os.File
	events chan mailEvent
	// overflow is closed when the kernel dropped events; a full listing catches up.
	overflow chan struct{}
}

type mailEvent struct {
	name string
	at   time.Time
}

// watchMail starts watching dir for messages renamed into it or written in place.
func watchMail(dir string) (*mailWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_MOVED_TO|unix.IN_CLOSE_WRITE); err != nil {
		unix.Close(fd)
		return nil, err
	}
	w := &mailWatch{f: os.NewFile(uintptr(fd), "inotify"), events: make(chan mailEvent, 4096), overflow: make(chan struct{})}
	go w.read()
	return w, nil
}

func (w *mailWatch) read() {
	defer close(w.events)
	buf := make([]byte, 64<<10)
	overflowed := false
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return // closed
		}
		at := time.Now()
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 && !overflowed {
				overflowed = true
				close(w.overflow)
				continue
			}
			name := strings.TrimRight(string(nameBytes), "\x00")
			if !strings.HasSuffix(name, ".eml") || strings.HasPrefix(name, ".") {
				continue
			}
			select {
			case w.events <- mailEvent{name: name, at: at}:
			default:
				// The tracker fell behind: a full listing will find the rest.
				if !overflowed {
					overflowed = true
					close(w.overflow)
				}
			}
		}
	}
}

func (w *mailWatch) close() error {
	err := w.f.Close()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}
