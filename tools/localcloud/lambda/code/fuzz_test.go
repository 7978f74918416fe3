package code_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/code"
)

// FuzzUnpack feeds arbitrary archives to Unpack: it must never panic, and
// nothing may be written outside the target directory.
func FuzzUnpack(f *testing.F) {
	f.Add(zipOf(f, entry{"bootstrap", 0o755, script}, entry{"lib/a", 0o644, "x"}, entry{"lib/l", fs.ModeSymlink | 0o777, "a"}))
	f.Add(zipOf(f, entry{"../evil", 0o644, "x"}))
	f.Add(zipOf(f, entry{"l", fs.ModeSymlink | 0o777, "../../x"}, entry{"l/f", 0o644, "x"}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		_ = code.Unpack(data, filepath.Join(parent, "code"), code.Limits{MaxUnzippedBytes: 1 << 20, MaxEntries: 100})
		entries, err := os.ReadDir(parent)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "code" {
				t.Fatalf("wrote %s outside the target", e.Name())
			}
		}
	})
}
