package code_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/code"
)

type entry struct {
	name string
	mode fs.FileMode
	body string
}

func zipOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const script = "#!/bin/sh\necho hi\n"

func TestUnpack(t *testing.T) {
	cases := []struct {
		name    string
		data    func(t *testing.T) []byte
		limits  code.Limits
		wantErr string
	}{
		{name: "package with dirs and symlink", data: func(t *testing.T) []byte {
			return zipOf(t, entry{"bootstrap", 0o755, script}, entry{"lib/", fs.ModeDir | 0o755, ""},
				entry{"lib/data.txt", 0o644, "x"}, entry{"lib/alias", fs.ModeSymlink | 0o777, "data.txt"})
		}},
		{name: "traversal", data: func(t *testing.T) []byte { return zipOf(t, entry{"../evil", 0o644, "x"}) },
			wantErr: `entry "../evil" points outside the package`},
		{name: "nested traversal", data: func(t *testing.T) []byte { return zipOf(t, entry{"a/../../evil", 0o644, "x"}) },
			wantErr: "points outside the package"},
		{name: "absolute", data: func(t *testing.T) []byte { return zipOf(t, entry{"/etc/evil", 0o644, "x"}) },
			wantErr: "has an absolute path"},
		{name: "backslash", data: func(t *testing.T) []byte { return zipOf(t, entry{`..\evil`, 0o644, "x"}) },
			wantErr: "has an invalid name"},
		{name: "escaping symlink", data: func(t *testing.T) []byte {
			return zipOf(t, entry{"lib/link", fs.ModeSymlink | 0o777, "../../outside"})
		}, wantErr: "symlink lib/link points outside the package"},
		{name: "absolute symlink", data: func(t *testing.T) []byte {
			return zipOf(t, entry{"link", fs.ModeSymlink | 0o777, "/etc/passwd"})
		}, wantErr: "points outside the package (/etc/passwd)"},
		{name: "too big", data: func(t *testing.T) []byte { return zipOf(t, entry{"big", 0o644, strings.Repeat("x", 100)}) },
			limits: code.Limits{MaxUnzippedBytes: 99}, wantErr: "unzipped size must be smaller than"},
		{name: "too many entries", data: func(t *testing.T) []byte {
			return zipOf(t, entry{"a", 0o644, "x"}, entry{"b", 0o644, "y"})
		}, limits: code.Limits{MaxEntries: 1}, wantErr: "has 2 entries; at most 1"},
		{name: "duplicate entry", data: func(t *testing.T) []byte {
			return zipOf(t, entry{"a", 0o644, "x"}, entry{"a", 0o644, "y"})
		}, wantErr: "create a"},
		{name: "not a zip", data: func(*testing.T) []byte { return []byte("hello") }, wantErr: "could not unzip"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "code")
			err := code.Unpack(tc.data(t), dir, tc.limits)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := code.Check(dir, ""); err != nil {
					t.Fatalf("check: %v", err)
				}
				if b, err := os.ReadFile(filepath.Join(dir, "lib", "alias")); err != nil || string(b) != "x" {
					t.Fatalf("symlink read = %q, %v", b, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if _, serr := os.Stat(dir); !errors.Is(serr, fs.ErrNotExist) {
				t.Fatalf("failed unpack left %s behind", dir)
			}
			if _, serr := os.Stat(filepath.Join(filepath.Dir(dir), "evil")); !errors.Is(serr, fs.ErrNotExist) {
				t.Fatal("an entry escaped the target directory")
			}
		})
	}
}

func elfHeader(machine uint16) []byte {
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1
	binary.LittleEndian.PutUint16(h[16:], 2)
	binary.LittleEndian.PutUint16(h[18:], machine)
	binary.LittleEndian.PutUint32(h[20:], 1)
	binary.LittleEndian.PutUint16(h[52:], 64)
	binary.LittleEndian.PutUint16(h[54:], 56)
	binary.LittleEndian.PutUint16(h[58:], 64)
	return h
}

func machoHeader() []byte {
	h := make([]byte, 32)
	binary.LittleEndian.PutUint32(h[0:], 0xfeedfacf)
	binary.LittleEndian.PutUint32(h[4:], 0x0100000c) // arm64
	binary.LittleEndian.PutUint32(h[12:], 2)         // MH_EXECUTE
	return h
}

func TestCheck(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	host := goruntime.GOOS + "/" + goruntime.GOARCH
	foreignELF := map[bool][]byte{true: elfHeader(62), false: elfHeader(183)}[goruntime.GOARCH == "arm64"]
	foreignName := map[bool]string{true: "linux/amd64", false: "linux/arm64"}[goruntime.GOARCH == "arm64"]
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		arch    string
		wantErr string
	}{
		{name: "host binary", setup: func(t *testing.T, dir string) {
			if err := os.Symlink(self, filepath.Join(dir, "bootstrap")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "script", setup: write("bootstrap", script, 0o755)},
		{name: "missing", setup: write("main", script, 0o755), wantErr: "has no bootstrap file at its root"},
		{name: "not executable", setup: write("bootstrap", script, 0o644), wantErr: "bootstrap is not executable"},
		{name: "directory", setup: func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "bootstrap"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "bootstrap is not a regular file"},
		{name: "foreign architecture", setup: write("bootstrap", string(foreignELF), 0o755),
			wantErr: "bootstrap is a " + foreignName + " executable; this machine runs " + host + ": build with ARCH=host"},
		{name: "macOS binary", setup: write("bootstrap", string(machoHeader()), 0o755),
			wantErr: "bootstrap is a darwin/arm64 executable; this machine runs " + host},
		{name: "garbage", setup: write("bootstrap", "just text", 0o755), wantErr: "neither an executable for a known platform nor a #! script"},
	}
	if host == "darwin/arm64" {
		cases[6].wantErr = ""
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			err := code.Check(dir, tc.arch)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, code.ErrInvalidCode) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	// A copy of this test binary is a host executable; declaring the
	// other architecture is refused.
	dir := t.TempDir()
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := code.Check(dir, ""); err != nil {
		t.Fatalf("host binary: %v", err)
	}
	other := map[bool]string{true: "x86_64", false: "arm64"}[goruntime.GOARCH == "arm64"]
	if err := code.Check(dir, other); err == nil || !strings.Contains(err.Error(), "the function's architecture is "+other) {
		t.Fatalf("declared %s: %v", other, err)
	}
}

func write(name, body string, mode fs.FileMode) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
}
