package localrun

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orderflow/orderflow/internal/artifact"
	"github.com/orderflow/orderflow/internal/deploy/stacks"
)

// buildLocalcloud compiles the localcloud command once per test binary.
var buildLocalcloud = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "localcloud-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "localcloud")
	build := exec.Command("go", "build", "-o", bin, "./cmd/localcloud")
	build.Dir = filepath.Join("..", "..", "tools")
	if out, err := build.CombinedOutput(); err != nil {
		return "", &buildError{err: err, out: string(out)}
	}
	return bin, nil
})

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "build localcloud: " + e.err.Error() + "\n" + e.out }

func localcloudBinary(t *testing.T) string {
	t.Helper()
	bin, err := buildLocalcloud()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// buildZips packages the real ingest and notifier functions for this machine once per
// test binary: every test that deploys uses the same zips.
var buildZips = sync.OnceValues(func() (stacks.Zips, error) {
	arch, err := artifact.HostArch()
	if err != nil {
		return stacks.Zips{}, err
	}
	dir, err := os.MkdirTemp("", "localrun-zips-")
	if err != nil {
		return stacks.Zips{}, err
	}
	zip := func(module string) (string, error) {
		boot := filepath.Join(dir, module, "bootstrap")
		spec := artifact.BuildSpec{ModuleDir: filepath.Join("..", "..", module), Package: "./cmd/" + module, Arch: arch, Out: boot}
		if err := artifact.Build(context.Background(), spec); err != nil {
			return "", err
		}
		z, err := artifact.WriteBootstrapZip(filepath.Join(dir, module+".zip"), boot)
		if err != nil {
			return "", err
		}
		return z.Path, nil
	}
	var zips stacks.Zips
	if zips.Ingest, err = zip("ingest"); err != nil {
		return zips, err
	}
	zips.Notifier, err = zip("notifier")
	return zips, err
})

// hostZips returns the real ingest and notifier zips for this machine.
func hostZips(t *testing.T) stacks.Zips {
	t.Helper()
	zips, err := buildZips()
	if err != nil {
		t.Fatal(err)
	}
	return zips
}

func rootConfig(endpoint string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
}

// newOrderAPI finds the deployed API's local URL and the value of its API key.
func newOrderAPI(t *testing.T, ctx context.Context, cfg aws.Config, cloudURL string, outputs map[string]string) orderAPI {
	t.Helper()
	key, err := apigateway.NewFromConfig(cfg).GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(outputs["ApiKeyId"]), IncludeValue: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetApiKey: %v", err)
	}
	url, err := LocalAPIURL(cloudURL, outputs["ApiUrl"])
	if err != nil {
		t.Fatal(err)
	}
	return orderAPI{url: url, key: aws.ToString(key.Value)}
}

type orderAPI struct {
	url, key string
}

func (a orderAPI) post(t *testing.T, body, key, idempotencyKey string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (a orderAPI) order(t *testing.T, body, idempotencyKey string) string {
	t.Helper()
	status, resp := a.post(t, body, a.key, idempotencyKey)
	if status != http.StatusAccepted {
		t.Fatalf("POST %s = %d %s, want 202", body, status, resp)
	}
	var out struct {
		OrderID string `json:"orderID"`
	}
	if err := json.Unmarshal([]byte(resp), &out); err != nil || out.OrderID == "" {
		t.Fatalf("202 body %q has no orderID (%v)", resp, err)
	}
	return out.OrderID
}

// mailsNaming lists the mailbox's messages that mention orderID.
func mailsNaming(t *testing.T, mailDir, orderID string) int {
	t.Helper()
	entries, err := os.ReadDir(mailDir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		// Only delivered messages: not the mailbox's journal or a file being written.
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(mailDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), orderID) {
			n++
		}
	}
	return n
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 60s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startCloud starts a localcloud on a free loopback port over dataDir for the rest of
// the test, and shows its log if the test fails.
func startCloud(t *testing.T, ctx context.Context, dataDir string) *Cloud {
	t.Helper()
	cloud, err := Start(ctx, Options{Binary: localcloudBinary(t), Listen: freeLoopbackAddr(t), DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cloud.Stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			if log, err := os.ReadFile(cloud.LogPath); err == nil {
				t.Logf("localcloud log:\n%s", log)
			}
		}
	})
	return cloud
}

// TestOrderBecomesEmail is the end-to-end test of the local system: the real templates
// deployed to a real localcloud process through the real change-set code, the real
// functions running as native processes, and the tutorial's POST ending as one e-mail.
func TestOrderBecomesEmail(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	cloud := startCloud(t, ctx, dataDir)

	zips := hostZips(t)
	var progress strings.Builder
	dep, err := DeployAll(ctx, cloud.URL, "orders@example.com", filepath.Join("..", "..", "infra-cfn"), zips, &progress)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, progress.String())
	}
	mailDir := filepath.Join(dataDir, "mail")
	if n, err := ConfirmSubscriptions(ctx, http.DefaultClient, mailDir, cloud.URL); err != nil || n != 1 {
		t.Fatalf("confirmed %d subscriptions (%v), want the one e-mail subscription", n, err)
	}

	cfg := rootConfig(cloud.URL)
	api := newOrderAPI(t, ctx, cfg, cloud.URL, dep.Outputs)
	db := dynamodb.NewFromConfig(cfg)
	table := dep.Outputs["OrdersTableName"]
	notified := func(orderID string) bool {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"orderID": &types.AttributeValueMemberS{Value: orderID}}})
		if err != nil {
			t.Fatalf("GetItem: %v", err)
		}
		_, ok := out.Item["notifiedAt"]
		return ok
	}

	t.Run("tutorial order becomes one e-mail", func(t *testing.T) {
		id := api.order(t, TutorialBody, "")
		eventually(t, "order "+id+" stored and notified", func() bool { return notified(id) })
		eventually(t, "e-mail naming "+id, func() bool { return mailsNaming(t, mailDir, id) > 0 })
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{"orderID": &types.AttributeValueMemberS{Value: id}}})
		if err != nil {
			t.Fatal(err)
		}
		if item, ok := out.Item["item"].(*types.AttributeValueMemberS); !ok || item.Value != "latex gloves" {
			t.Errorf("stored item attribute = %#v", out.Item["item"])
		}
		if q, ok := out.Item["quantity"].(*types.AttributeValueMemberN); !ok || q.Value != "1" {
			t.Errorf("stored quantity = %#v, want N 1", out.Item["quantity"])
		}
		if n := mailsNaming(t, mailDir, id); n != 1 {
			t.Errorf("%d e-mails name %s, want 1", n, id)
		}
	})

	t.Run("same Idempotency-Key twice is one order and one e-mail", func(t *testing.T) {
		first := api.order(t, `{"item":"nitrile gloves","customerID":"c-7","quantity":3}`, "order-0001")
		second := api.order(t, `{"item":"nitrile gloves","customerID":"c-7","quantity":3}`, "order-0001")
		if first != "order-0001" || second != first {
			t.Fatalf("order IDs %q and %q, want order-0001 twice", first, second)
		}
		eventually(t, "order notified", func() bool { return notified(first) })
		drained(t, ctx, cfg, dep.Outputs["OrdersQueueUrl"])
		if n := mailsNaming(t, mailDir, first); n != 1 {
			t.Errorf("%d e-mails name %s, want 1", n, first)
		}
	})

	t.Run("bad requests are refused and nothing is queued", func(t *testing.T) {
		before := itemCount(t, ctx, db, table)
		for _, tc := range []struct {
			name, body, key string
			want            int
		}{
			{"missing customerID", `{"item":"gloves"}`, api.key, http.StatusBadRequest},
			{"wrong type", `{"item":"gloves","customerID":12345}`, api.key, http.StatusBadRequest},
			{"not JSON", `item=gloves`, api.key, http.StatusBadRequest},
			{"too large", `{"item":"` + strings.Repeat("g", 300) + `","customerID":"1"}`, api.key, http.StatusBadRequest},
			{"missing API key", TutorialBody, "", http.StatusForbidden},
			{"wrong API key", TutorialBody, "not-the-key", http.StatusForbidden},
		} {
			if status, body := api.post(t, tc.body, tc.key, ""); status != tc.want {
				t.Errorf("%s: got %d %s, want %d", tc.name, status, body, tc.want)
			}
		}
		drained(t, ctx, cfg, dep.Outputs["OrdersQueueUrl"])
		if after := itemCount(t, ctx, db, table); after != before {
			t.Errorf("items went from %d to %d after refused requests", before, after)
		}
	})

	t.Run("redeploy changes nothing", func(t *testing.T) {
		again, err := DeployAll(ctx, cloud.URL, "orders@example.com", filepath.Join("..", "..", "infra-cfn"), zips, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if !again.NoChanges() {
			t.Errorf("second deploy changed stacks: %+v", again.Results)
		}
	})
}

// drained waits until the orders queue has nothing visible or in flight.
func drained(t *testing.T, ctx context.Context, cfg aws.Config, queueURL string) {
	t.Helper()
	q := sqs.NewFromConfig(cfg)
	eventually(t, "orders queue drained", func() bool {
		out, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		if err != nil {
			t.Fatalf("GetQueueAttributes: %v", err)
		}
		return out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
	})
}

func itemCount(t *testing.T, ctx context.Context, db *dynamodb.Client, table string) int32 {
	t.Helper()
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Select: types.SelectCount, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return out.Count
}
