package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// buildBinary compiles this command once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "localcloud")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type proc struct {
	cmd *exec.Cmd
	url string
}

// start runs the binary on a free loopback port and waits for its ready line.
func start(t *testing.T, bin, dataDir string, extra ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0", "--data-dir", dataDir}, extra...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading ready line: %v", err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "localcloud ready on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("ready line = %q", line)
	}
	return &proc{cmd: cmd, url: url}
}

func TestDurableAcrossKill9(t *testing.T) {
	bin := buildBinary(t)
	for _, fsync := range []string{"true", "false"} {
		t.Run("fsync="+fsync, func(t *testing.T) { testDurableAcrossKill9(t, bin, "--fsync="+fsync) })
	}
}

// testDurableAcrossKill9 sends messages, kills the process with SIGKILL,
// restarts it on the same data directory and checks nothing acknowledged
// was lost. Without fsync, acknowledged writes are in the OS page cache,
// which a killed process cannot lose.
func testDurableAcrossKill9(t *testing.T, bin string, flags ...string) {
	dataDir := t.TempDir()
	ctx := context.Background()
	p := start(t, bin, dataDir, flags...)
	c := sqs.NewFromConfig(localcloudtest.Config(p.url, "test", "test"))
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	snsc := sns.NewFromConfig(localcloudtest.Config(p.url, "test", "test"))
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	fanout, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("fanout")})
	if err != nil {
		t.Fatal(err)
	}
	fanoutArn := "arn:aws:sqs:us-east-1:000000000000:fanout"
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(fanoutArn)}); err != nil {
		t.Fatal(err)
	}
	const n, workers = 300, 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(fmt.Sprintf("msg-%03d", i))})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Ten messages are in flight with a long timeout when the process dies:
	// after restart they must still be invisible (timers resume).
	inflight, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 3600})
	if err != nil || len(inflight.Messages) != 10 {
		t.Fatalf("receive before kill: %d, %v", len(inflight.Messages), err)
	}

	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()

	p = start(t, bin, dataDir, flags...)
	c = sqs.NewFromConfig(localcloudtest.Config(p.url, "test", "test"))
	url, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessages"] != fmt.Sprint(n-10) || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "10" {
		t.Fatalf("after restart: visible %s, in flight %s; want %d and 10", attrs.Attributes["ApproximateNumberOfMessages"],
			attrs.Attributes["ApproximateNumberOfMessagesNotVisible"], n-10)
	}
	// Topics and subscriptions survived too: a publish still fans out.
	snsc = sns.NewFromConfig(localcloudtest.Config(p.url, "test", "test"))
	subs, err := snsc.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	if err != nil || len(subs.Subscriptions) != 1 {
		t.Fatalf("subscriptions after restart: %+v, %v", subs, err)
	}
	if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("after restart")}); err != nil {
		t.Fatal(err)
	}
	fanned, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: fanout.QueueUrl})
	if err != nil || len(fanned.Messages) != 1 || !strings.Contains(aws.ToString(fanned.Messages[0].Body), "after restart") {
		t.Fatalf("fan-out after restart: %+v, %v", fanned, err)
	}

	seen := map[string]bool{}
	for _, m := range inflight.Messages {
		seen[aws.ToString(m.Body)] = true
	}
	for range n {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			if seen[aws.ToString(m.Body)] {
				t.Fatalf("%s delivered twice", aws.ToString(m.Body))
			}
			seen[aws.ToString(m.Body)] = true
		}
	}
	for i := range n {
		if !seen[fmt.Sprintf("msg-%03d", i)] {
			t.Errorf("msg-%03d lost", i)
		}
	}
}

func TestGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	p := start(t, bin, t.TempDir())
	c := sqs.NewFromConfig(localcloudtest.Config(p.url, "test", "test"))
	q, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	// A long poll in progress must not hold shutdown for its full 20 s.
	polled := make(chan error, 1)
	go func() {
		_, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20})
		polled <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the poll reach the server; not an assertion
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if err := <-polled; err != nil {
		t.Fatalf("long poll during shutdown: %v", err)
	}
}

func TestMailCommand(t *testing.T) {
	bin := buildBinary(t)
	dataDir := t.TempDir()
	p := start(t, bin, dataDir)
	ctx := context.Background()
	snsc := sns.NewFromConfig(localcloudtest.Config(p.url, "test", "test"))
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("mailme")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")}); err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command(bin, "mail", "list", "--data-dir", dataDir).Output()
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Split(strings.TrimSpace(string(list)), "\t")
	if len(fields) != 4 || fields[2] != "ops@example.com" || fields[3] != "AWS Notification - Subscription Confirmation" {
		t.Fatalf("mail list = %q", list)
	}
	show, err := exec.Command(bin, "mail", "show", fields[0][:8], "--data-dir", dataDir).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(show), "To: ops@example.com") || !strings.Contains(string(show), "Action=ConfirmSubscription") {
		t.Fatalf("mail show = %s", show)
	}
	if out, err := exec.Command(bin, "mail", "show", "nope", "--data-dir", dataDir).CombinedOutput(); err == nil {
		t.Fatalf("show of a missing message succeeded: %s", out)
	}
}
