package localrun

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// faultSystem is the whole system deployed to a localcloud process of its own, which a
// fault test may kill and restart on the same data dir and address.
type faultSystem struct {
	t       *testing.T
	opts    Options
	cloud   *Cloud
	mailDir string
	cfg     aws.Config
	out     map[string]string
	api     orderAPI
	db      *dynamodb.Client
	sqs     *sqs.Client
	logs    *cloudwatchlogs.Client
}

// newFaultSystem starts localcloud, deploys the three stacks and confirms the e-mail
// subscription, like TestOrderBecomesEmail does.
func newFaultSystem(t *testing.T) *faultSystem {
	t.Helper()
	ctx := context.Background()
	dataDir := t.TempDir()
	s := &faultSystem{t: t, opts: Options{Binary: localcloudBinary(t), Listen: freeLoopbackAddr(t), DataDir: dataDir},
		mailDir: filepath.Join(dataDir, "mail")}
	s.start()
	t.Cleanup(func() {
		if err := s.cloud.Stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			if log, err := os.ReadFile(s.cloud.LogPath); err == nil {
				t.Logf("localcloud log (tail):\n%s", tail(string(log), 8000))
			}
		}
	})
	var progress strings.Builder
	dep, err := DeployAll(ctx, s.cloud.URL, "orders@example.com", filepath.Join("..", "..", "infra-cfn"), hostZips(t), &progress)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, progress.String())
	}
	if n, err := ConfirmSubscriptions(ctx, http.DefaultClient, s.mailDir, s.cloud.URL); err != nil || n != 1 {
		t.Fatalf("confirmed %d subscriptions (%v), want the one e-mail subscription", n, err)
	}
	s.out = dep.Outputs
	s.cfg = rootConfig(s.cloud.URL)
	s.api = newOrderAPI(t, ctx, s.cfg, s.cloud.URL, s.out)
	s.db, s.sqs, s.logs = dynamodb.NewFromConfig(s.cfg), sqs.NewFromConfig(s.cfg), cloudwatchlogs.NewFromConfig(s.cfg)
	return s
}

// on returns a copy of s that reports to t (a subtest), so its helpers never call
// FailNow on the parent test.
func (s *faultSystem) on(t *testing.T) *faultSystem {
	c := *s
	c.t = t
	return &c
}

func (s *faultSystem) start() {
	s.t.Helper()
	c, err := Start(context.Background(), s.opts)
	if err != nil {
		s.t.Fatalf("start localcloud: %v", err)
	}
	if c.Reused {
		s.t.Fatalf("something else answers on %s", s.opts.Listen)
	}
	s.cloud = c
}

// kill sends SIGKILL to the localcloud process (not its group: its functions are in
// groups of their own, as on a real crash nobody signals them) and waits until it is
// gone. It returns the PIDs of the processes localcloud had started.
func (s *faultSystem) kill() []int {
	s.t.Helper()
	pid := s.cloud.cmd.Process.Pid
	children := childrenOf(pid)
	if err := s.cloud.cmd.Process.Kill(); err != nil {
		s.t.Fatalf("kill localcloud: %v", err)
	}
	select {
	case err := <-s.cloud.done:
		s.t.Logf("localcloud %d: %v", pid, err)
	case <-time.After(10 * time.Second):
		s.t.Fatal("localcloud still not reaped 10s after SIGKILL")
	}
	return children
}

// setQueueVisibility sets a queue's VisibilityTimeout in seconds.
func (s *faultSystem) setQueueVisibility(queueURL string, seconds int) {
	s.t.Helper()
	_, err := s.sqs.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		Attributes: map[string]string{string(sqstypes.QueueAttributeNameVisibilityTimeout): strconv.Itoa(seconds)}})
	if err != nil {
		s.t.Fatalf("SetQueueAttributes VisibilityTimeout=%d: %v", seconds, err)
	}
}

// storedOrders scans the orders table: how many items each orderID has and whether
// every one carries the notified marker.
func (s *faultSystem) storedOrders() (count map[string]int, notified map[string]bool) {
	s.t.Helper()
	count, notified = map[string]int{}, map[string]bool{}
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: aws.String(s.out["OrdersTableName"]), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			s.t.Fatalf("Scan: %v", err)
		}
		for _, item := range page.Items {
			id, _ := item["orderID"].(*types.AttributeValueMemberS)
			if id == nil {
				s.t.Fatalf("item without a string orderID: %v", item)
			}
			count[id.Value]++
			_, notified[id.Value] = item["notifiedAt"]
		}
	}
	return count, notified
}

// mailedOrders reads the mailbox once and counts, per order ID matching pattern, the
// messages that name it.
func (s *faultSystem) mailedOrders(pattern *regexp.Regexp) map[string]int {
	s.t.Helper()
	entries, err := os.ReadDir(s.mailDir)
	if err != nil {
		s.t.Fatal(err)
	}
	mailed := map[string]int{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.mailDir, e.Name()))
		if err != nil {
			s.t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, id := range pattern.FindAllString(string(data), -1) {
			if !seen[id] {
				seen[id] = true
				mailed[id]++
			}
		}
	}
	return mailed
}

// waitUntil polls cond every 50 ms until it holds or within has passed, then fails the
// test with what's description and cond's last explanation.
func waitUntil(t *testing.T, what string, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %s", what, within, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// childrenOf lists the PIDs whose parent is pid (Linux /proc; empty elsewhere).
func childrenOf(pid int) []int {
	var kids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _, ok := procStat(p); ok && ppid == pid {
			kids = append(kids, p)
		}
	}
	return kids
}

// procStat reads a process's parent PID and state from /proc/PID/stat.
func procStat(pid int) (ppid int, state byte, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	rest := string(data[strings.LastIndexByte(string(data), ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 2 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0][0], err == nil
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	if _, state, ok := procStat(pid); !ok || state == 'Z' || state == 'X' {
		return false
	}
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// queueDepth is a queue's visible plus in-flight messages.
func (s *faultSystem) queueDepth(queueURL string) int {
	s.t.Helper()
	out, err := s.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		s.t.Fatalf("GetQueueAttributes: %v", err)
	}
	visible, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	inFlight, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return visible + inFlight
}
