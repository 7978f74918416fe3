package mail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/durable"
)

// Message is one captured e-mail.
type Message struct {
	// ID names the message; the file is <sent>-<ID>.eml.
	ID      string
	From    string
	To      string
	Subject string
	Date    time.Time
	// Headers are extra headers (X-Localcloud-Topic-Arn, ...).
	Headers map[string]string
	Body    string
}

// Mailbox is a directory of .eml files.
//
// Deliveries are made durable the way a database makes commits durable: one writer
// appends every delivery waiting at that moment to a journal (.journal-<n>) with one
// fsync, then writes their .eml files without syncing them. A crash loses no
// acknowledged e-mail: Recover rewrites from the journal any file that did not reach the
// disk. Once the journal is large, and on Close, the files it covers are synced (one
// syncfs on Linux) and it is removed.
type Mailbox struct {
	dir string
	// seq orders messages delivered within the same clock tick.
	seq atomic.Uint64

	startOnce sync.Once
	startErr  error
	mu        sync.RWMutex // guards closed and sending on reqs
	closed    bool
	reqs      chan *delivery
	done      chan struct{}

	// owned by the writer goroutine
	journal      *os.File
	journalNum   int
	journalSize  int64
	journalLimit int64
	compacting   sync.WaitGroup
	compactMu    sync.Mutex
	compactErr   error
}

type delivery struct {
	name string
	data []byte
	err  chan error
}

// defaultJournalLimit is the journal size after which a new journal starts and the old
// one is compacted (its files synced, then it is removed) in the background.
const defaultJournalLimit = 4 << 20

// Open returns the mailbox in dir, creating the directory. Only the process that
// delivers (localcloud) calls Recover and Close; readers just List and Get.
func Open(dir string) (*Mailbox, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create mailbox: %w", err)
	}
	m := &Mailbox{dir: dir, journalLimit: defaultJournalLimit}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read mailbox: %w", err)
	}
	m.seq.Store(uint64(len(entries)))
	return m, nil
}

// Dir returns the mailbox directory.
func (m *Mailbox) Dir() string { return m.dir }

// Deliver writes msg durably: it returns once msg is in the fsynced journal and its
// .eml file is in the mailbox.
func (m *Mailbox) Deliver(msg Message) error {
	if msg.ID == "" || strings.ContainsAny(msg.ID, `/\.`) {
		return fmt.Errorf("deliver: invalid message id %q", msg.ID)
	}
	name := fmt.Sprintf("%s-%08d-%s.eml", msg.Date.UTC().Format("20060102T150405.000000000Z"), m.seq.Add(1), msg.ID)
	m.startOnce.Do(m.start)
	if m.startErr != nil {
		return fmt.Errorf("deliver %s: %w", msg.ID, m.startErr)
	}
	d := &delivery{name: name, data: Format(msg), err: make(chan error, 1)}
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return fmt.Errorf("deliver %s: mailbox closed", msg.ID)
	}
	m.reqs <- d
	m.mu.RUnlock()
	if err := <-d.err; err != nil {
		return fmt.Errorf("deliver %s: %w", msg.ID, err)
	}
	return nil
}

func (m *Mailbox) start() {
	journals, err := m.journals()
	if err != nil {
		m.startErr = err
		return
	}
	if len(journals) > 0 {
		m.journalNum = journals[len(journals)-1].num + 1
	}
	if m.startErr = m.openJournal(); m.startErr != nil {
		return
	}
	m.reqs = make(chan *delivery, 256)
	m.done = make(chan struct{})
	go m.writer()
}

func (m *Mailbox) openJournal() error {
	f, err := os.OpenFile(filepath.Join(m.dir, journalName(m.journalNum)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open mail journal: %w", err)
	}
	if err := durable.SyncDir(m.dir); err != nil {
		f.Close()
		return fmt.Errorf("open mail journal: %w", err)
	}
	m.journal, m.journalSize = f, 0
	return nil
}

func (m *Mailbox) writer() {
	defer close(m.done)
	var buf []byte
	for first := range m.reqs {
		batch := []*delivery{first}
	drain:
		for len(batch) < 256 {
			select {
			case d, ok := <-m.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, d)
			default:
				break drain
			}
		}
		buf = buf[:0]
		for _, d := range batch {
			buf = appendRecord(buf, d.name, d.data)
		}
		_, err := m.journal.Write(buf)
		if err == nil {
			err = m.journal.Sync()
		}
		if err != nil {
			err = fmt.Errorf("mail journal: %w", err)
		} else {
			m.journalSize += int64(len(buf))
		}
		for _, d := range batch {
			if err != nil {
				d.err <- err
				continue
			}
			d.err <- m.writeFile(d.name, d.data)
		}
		if m.journalSize >= m.journalLimit {
			m.rotate()
		}
	}
}

// rotate starts a new journal and compacts the full ones in the background.
func (m *Mailbox) rotate() {
	m.compacting.Wait() // at most one compaction at a time
	old := m.journal
	m.journalNum++
	if err := m.openJournal(); err != nil {
		m.journal = old // keep appending to the old one
		m.journalNum--
		return
	}
	_ = old.Close()
	upTo := m.journalNum
	m.compacting.Go(func() {
		err := m.compact(upTo)
		m.compactMu.Lock()
		m.compactErr = err
		m.compactMu.Unlock()
	})
}

// compact syncs every mail file and removes the journals numbered below upTo.
func (m *Mailbox) compact(upTo int) error {
	journals, err := m.journals()
	if err != nil {
		return err
	}
	var old []journal
	for _, j := range journals {
		if j.num < upTo {
			old = append(old, j)
		}
	}
	if len(old) == 0 {
		return nil
	}
	if err := syncFiles(m.dir, func(yield func(string) bool) {
		for _, j := range old {
			_ = readJournal(j.path, func(name string, _ []byte) bool { return yield(name) })
		}
	}); err != nil {
		return fmt.Errorf("sync mailbox: %w", err)
	}
	for _, j := range old {
		if err := os.Remove(j.path); err != nil {
			return fmt.Errorf("remove %s: %w", filepath.Base(j.path), err)
		}
	}
	return durable.SyncDir(m.dir)
}

// Recover rewrites every journaled message whose file is missing or incomplete (a crash
// came before the kernel wrote it), makes the files durable and drops the journals.
// localcloud calls it once at start, before any delivery.
func (m *Mailbox) Recover() error {
	journals, err := m.journals()
	if err != nil {
		return err
	}
	for _, j := range journals {
		var werr error
		torn := readJournal(j.path, func(name string, data []byte) bool {
			if st, err := os.Stat(filepath.Join(m.dir, name)); err == nil && st.Size() == int64(len(data)) {
				return true
			}
			werr = m.writeFile(name, data)
			return werr == nil
		})
		if werr != nil {
			return fmt.Errorf("recover mailbox: %w", werr)
		}
		_ = torn // a torn tail is a delivery that was never acknowledged
	}
	if len(journals) == 0 {
		return nil
	}
	last := journals[len(journals)-1].num + 1
	if err := m.compact(last); err != nil {
		return fmt.Errorf("recover mailbox: %w", err)
	}
	return nil
}

// Close stops the writer after the deliveries in flight, syncs the mail files and
// removes the journals.
func (m *Mailbox) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	started := m.reqs != nil
	if started {
		close(m.reqs)
	}
	m.mu.Unlock()
	if !started {
		return nil
	}
	<-m.done
	m.compacting.Wait()
	_ = m.journal.Close()
	err := m.compact(m.journalNum + 1)
	m.compactMu.Lock()
	defer m.compactMu.Unlock()
	return errors.Join(err, m.compactErr)
}

// writeFile puts data in place under name through a temporary file, so readers never
// see a partial message.
func (m *Mailbox) writeFile(name string, data []byte) error {
	tmp := filepath.Join(m.dir, ".deliver-"+name+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(m.dir, name)); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// Format renders msg as an RFC 5322 message with CRLF line endings.
func Format(msg Message) []byte {
	var b bytes.Buffer
	h := func(k, v string) {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
		b.WriteString(k + ": " + v + "\r\n")
	}
	h("Message-ID", "<"+msg.ID+"@localcloud>")
	h("Date", msg.Date.UTC().Format(time.RFC1123Z))
	h("From", msg.From)
	h("To", msg.To)
	h("Subject", msg.Subject)
	keys := make([]string, 0, len(msg.Headers))
	for k := range msg.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h(k, msg.Headers[k])
	}
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(msg.Body, "\r\n", "\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return b.Bytes()
}

// List returns every message, oldest first.
func (m *Mailbox) List() ([]Message, error) {
	entries, err := os.ReadDir(m.dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list mailbox: %w", err)
	}
	var out []Message
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		msg, err := m.read(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	return out, nil
}

// Get returns the message whose ID is id or starts with id.
func (m *Mailbox) Get(id string) (Message, error) {
	all, err := m.List()
	if err != nil {
		return Message{}, err
	}
	var found []Message
	for _, msg := range all {
		if msg.ID == id {
			return msg, nil
		}
		if id != "" && strings.HasPrefix(msg.ID, id) {
			found = append(found, msg)
		}
	}
	switch len(found) {
	case 0:
		return Message{}, fmt.Errorf("no message %q: %w", id, os.ErrNotExist)
	case 1:
		return found[0], nil
	}
	return Message{}, fmt.Errorf("message id %q is ambiguous (%d matches)", id, len(found))
}

func (m *Mailbox) read(name string) (Message, error) {
	f, err := os.Open(filepath.Join(m.dir, name))
	if err != nil {
		return Message{}, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	pm, err := mail.ReadMessage(bufio.NewReader(f))
	if err != nil {
		return Message{}, fmt.Errorf("parse %s: %w", name, err)
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(pm.Body); err != nil {
		return Message{}, fmt.Errorf("read %s body: %w", name, err)
	}
	id := strings.TrimSuffix(name, ".eml")
	if i := strings.LastIndex(id, "-"); i >= 0 {
		id = id[i+1:]
	}
	date, _ := pm.Header.Date()
	msg := Message{ID: id, From: pm.Header.Get("From"), To: pm.Header.Get("To"), Subject: pm.Header.Get("Subject"),
		Date: date, Headers: map[string]string{}, Body: strings.ReplaceAll(body.String(), "\r\n", "\n")}
	for k, v := range pm.Header {
		if strings.HasPrefix(k, "X-") && len(v) > 0 {
			msg.Headers[k] = v[0]
		}
	}
	return msg, nil
}
