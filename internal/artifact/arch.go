package artifact

import (
	"debug/elf"
	"fmt"
	"runtime"
	"strings"
)

// Arch is a Lambda instruction set architecture as CloudFormation and the Lambda API spell
// it ("x86_64" or "arm64").
type Arch string

// The architectures Lambda runs.
const (
	X86_64 Arch = "x86_64"
	ARM64  Arch = "arm64"
)

// ParseArch reads an architecture name. The empty string means the default for AWS
// (arm64); "host" means the machine's own, which is what a local run needs. Go's own
// names (amd64, aarch64) are accepted too, so a user does not have to know which
// vocabulary a tool expects.
func ParseArch(s string) (Arch, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "arm64", "aarch64":
		return ARM64, nil
	case "x86_64", "amd64", "x86-64":
		return X86_64, nil
	case "host":
		return HostArch()
	default:
		return "", fmt.Errorf("unknown architecture %q: use x86_64, arm64 or host", s)
	}
}

// HostArch returns the Lambda architecture matching this machine, or an error on a
// machine Lambda has no architecture for.
func HostArch() (Arch, error) {
	switch runtime.GOARCH {
	case "amd64":
		return X86_64, nil
	case "arm64":
		return ARM64, nil
	default:
		return "", fmt.Errorf("host architecture %s has no Lambda equivalent: set ARCH=x86_64 or ARCH=arm64", runtime.GOARCH)
	}
}

// GOARCH is the Go toolchain's name for the architecture.
func (a Arch) GOARCH() string {
	if a == X86_64 {
		return "amd64"
	}
	return "arm64"
}

func (a Arch) elfMachine() elf.Machine {
	if a == X86_64 {
		return elf.EM_X86_64
	}
	return elf.EM_AARCH64
}

// CheckExecutable verifies that the file at path is a Linux ELF executable for arch, the
// only thing the provided.al2023 runtime can start.
func CheckExecutable(path string, arch Arch) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s is not a Linux executable: %w", path, err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("%s is an ELF %s, not an executable", path, f.Type)
	}
	if f.Machine != arch.elfMachine() {
		return fmt.Errorf("%s is built for %s, want %s (%s)", path, f.Machine, arch, arch.elfMachine())
	}
	return nil
}
