package dynamodb_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// cli runs the AWS CLI against one endpoint with test credentials and an
// empty configuration.
type cli struct {
	t        *testing.T
	bin      string
	endpoint string
	env      []string
}

func newCLI(t *testing.T, endpoint string) *cli {
	bin := localcloudtest.RequireTool(t, "aws")
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
	env = append(env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	return &cli{t: t, bin: bin, endpoint: endpoint, env: env}
}

func (c *cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"--endpoint-url", c.endpoint, "--output", "json"}, args...)...)
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

func (c *cli) ok(v any, args ...string) {
	c.t.Helper()
	out, errOut, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			c.t.Fatalf("aws %s: output %q: %v", strings.Join(args, " "), out, err)
		}
	}
}

func (c *cli) fails(errCode string, args ...string) {
	c.t.Helper()
	_, errOut, code := c.run(args...)
	if code == 0 || !strings.Contains(errOut, "("+errCode+")") {
		c.t.Fatalf("aws %s: exit %d, stderr %q; want (%s)", strings.Join(args, " "), code, errOut, errCode)
	}
}

// TestAWSCLI drives tables, items, a paginated scan and the stream through
// the AWS CLI.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := newCLI(t, e.URL)
	var created struct {
		TableDescription struct {
			TableName       string
			LatestStreamArn string
		}
	}
	c.ok(&created, "dynamodb", "create-table", "--table-name", "orders",
		"--attribute-definitions", "AttributeName=orderID,AttributeType=S",
		"--key-schema", "AttributeName=orderID,KeyType=HASH",
		"--billing-mode", "PAY_PER_REQUEST",
		"--stream-specification", "StreamEnabled=true,StreamViewType=NEW_IMAGE")
	if created.TableDescription.TableName != "orders" || created.TableDescription.LatestStreamArn == "" {
		t.Fatalf("create-table = %+v", created)
	}
	var batch struct{ UnprocessedItems map[string]any }
	c.ok(&batch, "dynamodb", "batch-write-item", "--request-items", `{"orders":[`+
		`{"PutRequest":{"Item":{"orderID":{"S":"a"},"quantity":{"N":"1"}}}},{"PutRequest":{"Item":{"orderID":{"S":"b"}}}},`+
		`{"PutRequest":{"Item":{"orderID":{"S":"c"}}}},{"PutRequest":{"Item":{"orderID":{"S":"d"}}}}]}`)
	if len(batch.UnprocessedItems) != 0 {
		t.Fatalf("batch-write-item left %v", batch.UnprocessedItems)
	}
	c.ok(nil, "dynamodb", "put-item", "--table-name", "orders", "--item", `{"orderID":{"S":"e"}}`,
		"--condition-expression", "attribute_not_exists(orderID)")
	c.fails("ConditionalCheckFailedException", "dynamodb", "put-item", "--table-name", "orders",
		"--item", `{"orderID":{"S":"a"}}`, "--condition-expression", "attribute_not_exists(orderID)")
	var upd struct{ Attributes map[string]map[string]string }
	c.ok(&upd, "dynamodb", "update-item", "--table-name", "orders", "--key", `{"orderID":{"S":"a"}}`,
		"--update-expression", "ADD quantity :n", "--expression-attribute-values", `{":n":{"N":"2"}}`, "--return-values", "UPDATED_NEW")
	if upd.Attributes["quantity"]["N"] != "3" {
		t.Fatalf("update-item = %+v", upd)
	}
	var got struct{ Item map[string]map[string]string }
	c.ok(&got, "dynamodb", "get-item", "--table-name", "orders", "--key", `{"orderID":{"S":"a"}}`, "--consistent-read")
	if got.Item["quantity"]["N"] != "3" {
		t.Fatalf("get-item = %+v", got)
	}
	// The CLI follows LastEvaluatedKey itself: a page size of 2 takes 3 pages.
	var scan struct{ Count, ScannedCount int }
	c.ok(&scan, "dynamodb", "scan", "--table-name", "orders", "--page-size", "2")
	if scan.Count != 5 {
		t.Fatalf("scan = %+v", scan)
	}
	c.ok(nil, "dynamodb", "delete-item", "--table-name", "orders", "--key", `{"orderID":{"S":"e"}}`)
	c.fails("ResourceNotFoundException", "dynamodb", "get-item", "--table-name", "nope", "--key", `{"orderID":{"S":"a"}}`)

	var ls struct{ Streams []struct{ StreamArn string } }
	c.ok(&ls, "dynamodbstreams", "list-streams", "--table-name", "orders")
	if len(ls.Streams) != 1 || ls.Streams[0].StreamArn != created.TableDescription.LatestStreamArn {
		t.Fatalf("list-streams = %+v", ls)
	}
	var ds struct {
		StreamDescription struct{ Shards []struct{ ShardId string } }
	}
	c.ok(&ds, "dynamodbstreams", "describe-stream", "--stream-arn", ls.Streams[0].StreamArn)
	var it struct{ ShardIterator string }
	c.ok(&it, "dynamodbstreams", "get-shard-iterator", "--stream-arn", ls.Streams[0].StreamArn,
		"--shard-id", ds.StreamDescription.Shards[0].ShardId, "--shard-iterator-type", "TRIM_HORIZON")
	var recs struct {
		Records []struct {
			EventName string `json:"eventName"`
		}
		NextShardIterator string
	}
	c.ok(&recs, "dynamodbstreams", "get-records", "--shard-iterator", it.ShardIterator)
	var names []string
	for _, r := range recs.Records {
		names = append(names, r.EventName)
	}
	if strings.Join(names, ",") != "INSERT,INSERT,INSERT,INSERT,INSERT,MODIFY,REMOVE" || recs.NextShardIterator == "" {
		t.Fatalf("get-records = %v, next %q", names, recs.NextShardIterator)
	}
	c.ok(nil, "dynamodb", "delete-table", "--table-name", "orders")
}
