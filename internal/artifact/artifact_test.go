package artifact

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestParseArch(t *testing.T) {
	host, err := HostArch()
	if err != nil {
		t.Fatalf("HostArch: %v", err)
	}
	tests := []struct {
		name, in string
		want     Arch
		wantErr  bool
	}{
		{name: "default is arm64", in: "", want: ARM64},
		{name: "lambda x86 name", in: "x86_64", want: X86_64},
		{name: "go amd64 name", in: "amd64", want: X86_64},
		{name: "arm64", in: "arm64", want: ARM64},
		{name: "case and space", in: " ARM64 ", want: ARM64},
		{name: "host", in: "host", want: host},
		{name: "unknown", in: "mips", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseArch(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseArch(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseArch(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriteBootstrapZipIsReproducible(t *testing.T) {
	dir := t.TempDir()
	boot := filepath.Join(dir, "bootstrap")
	payload := bytes.Repeat([]byte("not really an executable\n"), 1000)
	if err := os.WriteFile(boot, payload, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := WriteBootstrapZip(filepath.Join(dir, "a", "fn.zip"), boot)
	if err != nil {
		t.Fatalf("first zip: %v", err)
	}
	// Touch the input: a new mtime and mode must not change the artifact.
	if err := os.Chmod(boot, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := WriteBootstrapZip(filepath.Join(dir, "b", "fn.zip"), boot)
	if err != nil {
		t.Fatalf("second zip: %v", err)
	}
	ab, _ := os.ReadFile(a.Path)
	bb, _ := os.ReadFile(b.Path)
	if !bytes.Equal(ab, bb) || a.SHA256 != b.SHA256 {
		t.Fatalf("zips differ: %s vs %s", a.SHA256, b.SHA256)
	}
	if a.Size != int64(len(ab)) {
		t.Errorf("Size = %d, file has %d bytes", a.Size, len(ab))
	}

	zr, err := zip.NewReader(bytes.NewReader(ab), int64(len(ab)))
	if err != nil {
		t.Fatalf("read zip: %v", err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("zip entries = %v, want only bootstrap", zr.File)
	}
	if mode := zr.File[0].Mode(); mode.Perm() != 0o755 {
		t.Errorf("bootstrap mode = %v, want 0755", mode)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, payload) {
		t.Error("bootstrap content changed in the zip")
	}

	if err := os.WriteFile(boot, append(payload, '!'), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := WriteBootstrapZip(filepath.Join(dir, "c", "fn.zip"), boot)
	if err != nil {
		t.Fatal(err)
	}
	if c.SHA256 == a.SHA256 {
		t.Error("different bootstrap bytes gave the same zip digest")
	}
}

func TestWriteBootstrapZipRejectsOversize(t *testing.T) {
	dir := t.TempDir()
	boot := filepath.Join(dir, "bootstrap")
	// Random-looking bytes do not compress, so the zip exceeds the limit.
	big := make([]byte, MaxZipBytes+1024)
	var x uint32 = 2463534242
	for i := range big {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		big[i] = byte(x)
	}
	if err := os.WriteFile(boot, big, 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "fn.zip")
	if _, err := WriteBootstrapZip(dst, boot); err == nil {
		t.Fatal("oversize zip accepted")
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("oversize zip left at %s", dst)
	}
}

func TestBuildChecksArchitecture(t *testing.T) {
	dir := t.TempDir()
	for _, arch := range []Arch{ARM64, X86_64} {
		t.Run(string(arch), func(t *testing.T) {
			out := filepath.Join(dir, string(arch), "bootstrap")
			err := Build(context.Background(), BuildSpec{ModuleDir: "testdata/hello", Package: ".", Arch: arch, Out: out})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			other := X86_64
			if arch == X86_64 {
				other = ARM64
			}
			if err := CheckExecutable(out, other); err == nil {
				t.Errorf("CheckExecutable accepted a %s binary as %s", arch, other)
			}
		})
	}
}

func TestCheckExecutableRejectsNonELF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckExecutable(p, ARM64); err == nil {
		t.Fatal("a shell script passed as a Lambda executable")
	}
}
