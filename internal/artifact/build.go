package artifact

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildSpec says which function to build and where.
type BuildSpec struct {
	ModuleDir string // the Go module holding the function, e.g. "ingest"
	Package   string // the main package inside it, e.g. "./cmd/ingest"
	Arch      Arch
	Out       string // path of the bootstrap executable to write
}

// Build compiles a function the way the provided.al2023 runtime needs it: a static Linux
// executable (no cgo), without the RPC shim (lambda.norpc), with paths and build IDs that
// do not depend on the machine (-trimpath, empty build ID), so that the same source gives
// the same bytes. It then checks the result is an executable for the requested
// architecture.
func Build(ctx context.Context, spec BuildSpec) error {
	out, err := filepath.Abs(spec.Out)
	if err != nil {
		return fmt.Errorf("build %s: %w", spec.Package, err)
	}
	cmd := exec.CommandContext(ctx, "go", "build",
		"-tags", "lambda.norpc",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags", "-s -w -buildid=",
		"-o", out,
		spec.Package,
	)
	cmd.Dir = spec.ModuleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+spec.Arch.GOARCH())
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s (%s): %w\n%s", spec.Package, spec.Arch, err, strings.TrimSpace(string(msg)))
	}
	return CheckExecutable(out, spec.Arch)
}
