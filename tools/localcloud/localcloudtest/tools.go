package localcloudtest

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
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

// StartMoto runs moto_server on a free loopback port until the test ends
// and returns its URL; RequireTool's rules apply when it is missing.
func StartMoto(t testing.TB) string {
	t.Helper()
	bin := RequireTool(t, "moto_server")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	// Bounded wait for the server to answer (at most 30 s).
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		if i >= 600 {
			t.Fatalf("moto_server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
