package durable

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAndCopyFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := WriteFile(a, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(a, []byte("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CopyFile(a, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		got, err := os.ReadFile(p)
		if err != nil || string(got) != "second" {
			t.Errorf("%s = %q, %v; want second", filepath.Base(p), got, err)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", filepath.Base(p), st.Mode())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// A failed copy leaves the destination as it was and no temporary file.
	if err := CopyFile(filepath.Join(dir, "missing"), b, 0o600); err == nil {
		t.Error("copy of a missing file succeeded")
	}
	if got, _ := os.ReadFile(b); string(got) != "second" {
		t.Errorf("destination changed by a failed copy: %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("a failed copy left files behind: %v", entries)
	}
	if err := WriteFile(filepath.Join(dir, "no-such-dir", "x"), nil, 0o600); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	if err := SyncDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("sync of a missing directory succeeded")
	}
}
