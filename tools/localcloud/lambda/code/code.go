package code

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	goruntime "runtime"
	"strings"
)

// Lambda's documented size limits and a bound on entries.
const (
	// MaxUnzippedBytes is Lambda's limit on a function's unzipped code.
	MaxUnzippedBytes = 262144000
	// MaxZipBytes is Lambda's limit on a zip uploaded directly.
	MaxZipBytes = 52428800
	// MaxEntries bounds the entries of an archive.
	MaxEntries = 20000
)

// ErrInvalidCode is wrapped by every error about a deployment package's
// contents, so an API layer can answer InvalidParameterValueException.
var ErrInvalidCode = errors.New("invalid function code")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidCode, fmt.Sprintf(format, args...))
}

// Limits bounds what Unpack accepts; zero fields take the Lambda limits.
type Limits struct {
	MaxUnzippedBytes int64
	MaxEntries       int
}

func (l Limits) withDefaults() Limits {
	if l.MaxUnzippedBytes <= 0 {
		l.MaxUnzippedBytes = MaxUnzippedBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = MaxEntries
	}
	return l
}

// Unpack extracts the zip archive data into dir, which must not exist. On
// failure nothing is left at dir.
func Unpack(data []byte, dir string, lim Limits) (err error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalid("could not unzip the deployment package: %v", err)
	}
	if len(zr.File) > lim.MaxEntries {
		return invalid("the deployment package has %d entries; at most %d are allowed", len(zr.File), lim.MaxEntries)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create code directory: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	var written int64
	// Symlinks are made last, so no entry is ever written through one.
	type link struct {
		f            *zip.File
		name, target string
	}
	var links []link
	for _, f := range zr.File {
		name, err := entryPath(f.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", name, err)
			}
		case mode&fs.ModeSymlink != 0:
			links = append(links, link{f, name, target})
		case mode.IsRegular():
			n, err := writeFile(f, target, lim.MaxUnzippedBytes-written)
			written += n
			if err != nil {
				return err
			}
		default:
			return invalid("entry %s is not a regular file, directory or symlink", f.Name)
		}
	}
	for _, l := range links {
		if err := writeSymlink(l.f, l.name, l.target); err != nil {
			return err
		}
	}
	return nil
}

// entryPath cleans an entry name and refuses names that leave the root.
func entryPath(name string) (string, error) {
	if strings.Contains(name, `\`) || strings.ContainsRune(name, 0) {
		return "", invalid("entry %q has an invalid name", name)
	}
	if path.IsAbs(name) || filepath.IsAbs(name) {
		return "", invalid("entry %q has an absolute path", name)
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", nil
	}
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", invalid("entry %q points outside the package", name)
	}
	return clean, nil
}

func writeFile(f *zip.File, target string, budget int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return 0, fmt.Errorf("create directory for %s: %w", f.Name, err)
	}
	rc, err := f.Open()
	if err != nil {
		return 0, invalid("entry %s: %v", f.Name, err)
	}
	defer rc.Close()
	perm := f.Mode().Perm()
	if perm == 0 {
		perm = 0o644 // archives made without Unix modes
	}
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o200)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", f.Name, err)
	}
	// Copy one byte past the budget to detect archives whose declared
	// sizes lie.
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, invalid("entry %s: %v", f.Name, err)
	}
	if n > budget {
		return n, invalid("unzipped size must be smaller than %d bytes", MaxUnzippedBytes)
	}
	return n, nil
}

func writeSymlink(f *zip.File, name, target string) error {
	rc, err := f.Open()
	if err != nil {
		return invalid("entry %s: %v", f.Name, err)
	}
	defer rc.Close()
	link, err := io.ReadAll(io.LimitReader(rc, 4096))
	if err != nil {
		return invalid("entry %s: %v", f.Name, err)
	}
	dest := string(link)
	if path.IsAbs(dest) {
		return invalid("symlink %s points outside the package (%s)", name, dest)
	}
	resolved := path.Clean(path.Join(path.Dir(name), dest))
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return invalid("symlink %s points outside the package (%s)", name, dest)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("create directory for %s: %w", name, err)
	}
	if err := os.Symlink(dest, target); err != nil {
		return fmt.Errorf("create symlink %s: %w", name, err)
	}
	return nil
}

// Check verifies that dir holds a bootstrap this machine can execute: a
// regular, executable file inside dir, either a script (#!) or a binary
// for the host's OS and architecture. arch is the function's declared
// architecture ("x86_64", "arm64" or empty); a binary that contradicts it
// is refused as Lambda would refuse to run it.
func Check(dir, arch string) error {
	p := filepath.Join(dir, "bootstrap")
	info, err := os.Lstat(p)
	if err != nil {
		return invalid("the deployment package has no bootstrap file at its root; a provided.al2023 function needs an executable named bootstrap")
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		// Unpack never makes a link out of the package; a directory given
		// as is may link its bootstrap to a build output.
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return invalid("bootstrap is a broken symlink")
		}
		if info, err = os.Stat(real); err != nil {
			return invalid("bootstrap: %v", err)
		}
		p = real
	}
	if !info.Mode().IsRegular() {
		return invalid("bootstrap is not a regular file")
	}
	if info.Mode().Perm()&0o111 == 0 {
		return invalid("bootstrap is not executable (mode %v): zip it with its executable bit set (chmod 755 bootstrap before zipping)", info.Mode().Perm())
	}
	goos, goarch, err := Platform(p)
	if err != nil {
		return err
	}
	if goos == "" { // a script
		return nil
	}
	host := goruntime.GOOS + "/" + goruntime.GOARCH
	if goos+"/"+goarch != host {
		return invalid("bootstrap is a %s/%s executable; this machine runs %s: build with ARCH=host (GOOS=%s GOARCH=%s)",
			goos, goarch, host, goruntime.GOOS, goruntime.GOARCH)
	}
	if want := goarchOf(arch); want != "" && want != goarch {
		return invalid("the function's architecture is %s but bootstrap is a %s/%s executable: deploy it with Architectures [%s] or build for %s",
			arch, goos, goarch, lambdaArch(goarch), arch)
	}
	return nil
}

func goarchOf(lambdaArch string) string {
	switch lambdaArch {
	case "x86_64":
		return "amd64"
	case "arm64":
		return "arm64"
	}
	return ""
}

func lambdaArch(goarch string) string {
	if goarch == "amd64" {
		return "x86_64"
	}
	return goarch
}

// Platform reports the GOOS/GOARCH an executable is built for, or empty
// strings for a script starting with #!.
func Platform(p string) (goos, goarch string, err error) {
	f, err := os.Open(p)
	if err != nil {
		return "", "", fmt.Errorf("open %s: %w", filepath.Base(p), err)
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return "", "", invalid("bootstrap is too short to be an executable")
	}
	switch {
	case magic[0] == '#' && magic[1] == '!':
		return "", "", nil
	case string(magic[:]) == elf.ELFMAG:
		ef, err := elf.NewFile(f)
		if err != nil {
			return "", "", invalid("bootstrap is a malformed ELF file: %v", err)
		}
		return "linux", elfArch(ef.Machine), nil
	case isMachO(magic):
		mf, err := macho.NewFile(f)
		if err != nil {
			return "", "", invalid("bootstrap is a malformed Mach-O file: %v", err)
		}
		return "darwin", machoArch(mf.Cpu), nil
	case magic[0] == 'M' && magic[1] == 'Z':
		pf, err := pe.NewFile(f)
		if err != nil {
			return "", "", invalid("bootstrap is a malformed Windows executable: %v", err)
		}
		return "windows", peArch(pf.Machine), nil
	}
	return "", "", invalid("bootstrap is neither an executable for a known platform nor a #! script")
}

func isMachO(m [4]byte) bool {
	switch uint32(m[0])<<24 | uint32(m[1])<<16 | uint32(m[2])<<8 | uint32(m[3]) {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe:
		return true
	}
	return false
}

func elfArch(m elf.Machine) string {
	switch m {
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_386:
		return "386"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_RISCV:
		return "riscv64"
	case elf.EM_PPC64:
		return "ppc64le"
	case elf.EM_S390:
		return "s390x"
	}
	return strings.ToLower(strings.TrimPrefix(m.String(), "EM_"))
}

func machoArch(c macho.Cpu) string {
	switch c {
	case macho.CpuAmd64:
		return "amd64"
	case macho.CpuArm64:
		return "arm64"
	}
	return strings.ToLower(c.String())
}

func peArch(m uint16) string {
	switch m {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		return "amd64"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		return "arm64"
	}
	return fmt.Sprintf("machine-%#x", m)
}
