package localcloudtest

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CLI runs the AWS CLI against a localcloud endpoint with the given credentials and an
// empty configuration, so a developer's own AWS settings never leak into a test.
type CLI struct {
	t        testing.TB
	bin      string
	endpoint string
	prefix   []string
	env      []string
}

// NewCLI finds the AWS CLI (skipping outside CI, failing in CI, when it is missing) and
// returns a runner for endpoint. prefix, if given, goes before every command's arguments
// (e.g. "cloudformation").
func NewCLI(t testing.TB, endpoint, key, secret string, prefix ...string) *CLI {
	t.Helper()
	bin := RequireTool(t, "aws")
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	return &CLI{t: t, bin: bin, endpoint: endpoint, prefix: prefix, env: env}
}

// Run runs one command and returns its output and exit code; only a failure to start the
// CLI fails the test.
func (c *CLI) Run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	full := append([]string{"--endpoint-url", c.endpoint, "--output", "json"}, c.prefix...)
	cmd := exec.Command(c.bin, append(full, args...)...)
	cmd.Env = c.env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("aws %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// OK runs a command that must succeed, decodes its JSON output into v (when not nil) and
// returns the raw output.
func (c *CLI) OK(v any, args ...string) string {
	c.t.Helper()
	out, errOut, code := c.Run(args...)
	if code != 0 {
		c.t.Fatalf("aws %s: exit %d: %s", c.describe(args), code, errOut)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			c.t.Fatalf("aws %s: output %q: %v", c.describe(args), out, err)
		}
	}
	return out
}

// Fails runs a command that must fail with errCode in its message.
func (c *CLI) Fails(errCode string, args ...string) {
	c.t.Helper()
	_, errOut, code := c.Run(args...)
	if code == 0 || !strings.Contains(errOut, "("+errCode+")") {
		c.t.Fatalf("aws %s: exit %d, stderr %q; want error (%s)", c.describe(args), code, errOut, errCode)
	}
}

func (c *CLI) describe(args []string) string {
	return strings.Join(append(append([]string{}, c.prefix...), args...), " ")
}
