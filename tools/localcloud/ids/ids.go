package ids

import (
	"encoding/hex"
	"fmt"
	"io"
	"sync"
)

// Source draws identifiers from a random reader; it is safe for
// concurrent use even when the reader is not.
type Source struct {
	mu sync.Mutex
	r  io.Reader
}

// New returns a Source reading r.
func New(r io.Reader) *Source { return &Source{r: r} }

func (s *Source) read(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.ReadFull(s.r, b); err != nil {
		// A failing randomness source is a broken machine; identifiers
		// must never repeat silently.
		panic(fmt.Sprintf("ids: random source failed: %v", err))
	}
}

// UUID returns a random (version 4) UUID in canonical form.
func (s *Source) UUID() string {
	var b [16]byte
	s.read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Hex returns n random bytes in hex.
func (s *Source) Hex(n int) string {
	b := make([]byte, n)
	s.read(b)
	return hex.EncodeToString(b)
}
