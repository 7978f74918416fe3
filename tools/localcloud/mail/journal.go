package mail

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/durable"
)

// A journal record is one delivery:
//
//	u32 name length | u32 data length | u32 CRC-32C of name+data | name | data

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxMessage bounds a record's data, so a damaged length cannot make replay allocate
// without bound (SNS messages are at most 256 KB; e-mails add headers).
const maxMessage = 16 << 20

func journalName(n int) string { return fmt.Sprintf(".journal-%010d", n) }

type journal struct {
	path string
	num  int
}

// journals lists the mailbox's journals, oldest first.
func (m *Mailbox) journals() ([]journal, error) {
	entries, err := os.ReadDir(m.dir)
	if err != nil {
		return nil, fmt.Errorf("read mailbox: %w", err)
	}
	var out []journal
	for _, e := range entries {
		num, ok := strings.CutPrefix(e.Name(), ".journal-")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		out = append(out, journal{path: filepath.Join(m.dir, e.Name()), num: n})
	}
	slices.SortFunc(out, func(a, b journal) int { return a.num - b.num })
	return out, nil
}

func appendRecord(dst []byte, name string, data []byte) []byte {
	var h [12]byte
	binary.BigEndian.PutUint32(h[0:], uint32(len(name)))
	binary.BigEndian.PutUint32(h[4:], uint32(len(data)))
	c := crc32.Update(0, castagnoli, []byte(name))
	c = crc32.Update(c, castagnoli, data)
	binary.BigEndian.PutUint32(h[8:], c)
	dst = append(dst, h[:]...)
	dst = append(dst, name...)
	return append(dst, data...)
}

// readJournal calls fn for each intact record until fn returns false; it reports whether
// the journal ended in a torn or damaged record (a write that was never acknowledged).
func readJournal(path string, fn func(name string, data []byte) bool) (torn bool) {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var h [12]byte
	for {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return !errors.Is(err, io.EOF)
		}
		nl, dl := binary.BigEndian.Uint32(h[0:]), binary.BigEndian.Uint32(h[4:])
		if nl == 0 || nl > 255 || dl > maxMessage {
			return true
		}
		rec := make([]byte, int(nl)+int(dl))
		if _, err := io.ReadFull(r, rec); err != nil {
			return true
		}
		if crc32.Checksum(rec, castagnoli) != binary.BigEndian.Uint32(h[8:]) {
			return true
		}
		name := string(rec[:nl])
		if strings.ContainsAny(name, `/\`) || !strings.HasSuffix(name, ".eml") {
			return true
		}
		if !fn(name, rec[nl:]) {
			return false
		}
	}
}

// syncFiles makes the named mail files (and the directory) durable.
func syncFiles(dir string, names iter.Seq[string]) error {
	if ok, err := syncFilesystem(dir); ok {
		return err
	}
	for name := range names {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted by the user since
		}
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return durable.SyncDir(dir)
}
