package logs_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// cli runs the AWS CLI against the test server with the root test
// credentials and no user configuration.
func cli(t *testing.T, e *env) func(args ...string) (string, string, error) {
	t.Helper()
	bin := localcloudtest.RequireTool(t, "aws")
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			base = append(base, kv)
		}
	}
	base = append(base, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	return func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"--endpoint-url", e.url, "--output", "json"}, args...)...)
		cmd.Env = base
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
}

func TestAWSCLI(t *testing.T) {
	e := start(t, "")
	aws := cli(t, e)
	must := func(args ...string) string {
		t.Helper()
		out, stderr, err := aws(args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		return out
	}
	must("logs", "create-log-group", "--log-group-name", "/aws/lambda/cli")
	must("logs", "create-log-stream", "--log-group-name", "/aws/lambda/cli", "--log-stream-name", "s1")
	now := time.Now().UnixMilli()
	events := fmt.Sprintf(`[{"timestamp":%d,"message":"START one"},{"timestamp":%d,"message":"{\"level\":\"ERROR\",\"msg\":\"two\"}"}]`, now-2000, now-1000)
	must("logs", "put-log-events", "--log-group-name", "/aws/lambda/cli", "--log-stream-name", "s1", "--log-events", events)

	var filtered struct {
		Events []struct{ Message string }
	}
	if err := json.Unmarshal([]byte(must("logs", "filter-log-events", "--log-group-name", "/aws/lambda/cli",
		"--filter-pattern", `{ $.level = "ERROR" }`)), &filtered); err != nil {
		t.Fatal(err)
	}
	if len(filtered.Events) != 1 || !strings.Contains(filtered.Events[0].Message, "two") {
		t.Fatalf("filter-log-events = %+v", filtered)
	}
	var got struct {
		Events           []struct{ Message string }
		NextForwardToken string
	}
	if err := json.Unmarshal([]byte(must("logs", "get-log-events", "--log-group-name", "/aws/lambda/cli",
		"--log-stream-name", "s1", "--start-from-head")), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 2 || got.Events[0].Message != "START one" || !strings.HasPrefix(got.NextForwardToken, "f/") {
		t.Fatalf("get-log-events = %+v", got)
	}
	_, stderr, err := aws("logs", "describe-log-streams", "--log-group-name", "/nope")
	if err == nil || !strings.Contains(stderr, "ResourceNotFoundException") || !strings.Contains(stderr, "The specified log group does not exist.") {
		t.Fatalf("missing group: %v %s", err, stderr)
	}
}
