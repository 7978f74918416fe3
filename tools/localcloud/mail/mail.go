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
	"sync/atomic"
	"time"
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
type Mailbox struct {
	dir string
	// seq orders messages delivered within the same clock tick.
	seq atomic.Uint64
}

// Open returns the mailbox in dir, creating the directory.
func Open(dir string) (*Mailbox, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create mailbox: %w", err)
	}
	m := &Mailbox{dir: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read mailbox: %w", err)
	}
	m.seq.Store(uint64(len(entries)))
	return m, nil
}

// Dir returns the mailbox directory.
func (m *Mailbox) Dir() string { return m.dir }

// Deliver writes msg durably (temp file, fsync, rename, fsync dir).
func (m *Mailbox) Deliver(msg Message) error {
	if msg.ID == "" || strings.ContainsAny(msg.ID, `/\.`) {
		return fmt.Errorf("deliver: invalid message id %q", msg.ID)
	}
	name := fmt.Sprintf("%s-%08d-%s.eml", msg.Date.UTC().Format("20060102T150405.000000000Z"), m.seq.Add(1), msg.ID)
	tmp, err := os.CreateTemp(m.dir, ".deliver-*")
	if err != nil {
		return fmt.Errorf("deliver %s: %w", msg.ID, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(Format(msg)); err != nil {
		tmp.Close()
		return fmt.Errorf("deliver %s: %w", msg.ID, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("deliver %s: sync: %w", msg.ID, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("deliver %s: %w", msg.ID, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(m.dir, name)); err != nil {
		return fmt.Errorf("deliver %s: %w", msg.ID, err)
	}
	if d, err := os.Open(m.dir); err == nil {
		_ = d.Sync()
		d.Close()
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
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".eml") {
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
