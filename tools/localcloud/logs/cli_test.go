package logs_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

func TestAWSCLI(t *testing.T) {
	e := start(t, "")
	c := localcloudtest.NewCLI(t, e.url, "test", "test")
	must := func(args ...string) string { t.Helper(); return c.OK(nil, args...) }
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
	_, stderr, code := c.Run("logs", "describe-log-streams", "--log-group-name", "/nope")
	if code == 0 || !strings.Contains(stderr, "ResourceNotFoundException") || !strings.Contains(stderr, "The specified log group does not exist.") {
		t.Fatalf("missing group: exit %d %s", code, stderr)
	}
}
