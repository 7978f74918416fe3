package localcloudtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RequireTool returns the path of an external tool (aws, moto_server). When
// it is missing the test is skipped with a message, except in CI (CI=true)
// where a missing tool fails the test.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return unshim(name, path)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI but not on PATH: %v", name, err)
	}
	t.Skipf("%s not on PATH; install it to run this test (required when CI=true)", name)
	return ""
}

// unshim resolves a pyenv shim to the real script: the shim re-enters pyenv
// on every call, which costs seconds per AWS CLI invocation.
func unshim(name, path string) string {
	if filepath.Base(filepath.Dir(path)) != "shims" {
		return path
	}
	out, err := exec.Command("pyenv", "which", name).Output()
	if err != nil {
		return path
	}
	if real := strings.TrimSpace(string(out)); real != "" {
		return real
	}
	return path
}
