package esm_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
)

// A mapping is refused when the function's execution role could not poll its source or
// reach its on-failure destination, with Lambda's messages; every call the mapping will
// make is checked against the source's ARN.
func TestMappingNeedsAnExecutionRoleThatCanPoll(t *testing.T) {
	ctx := testContext(t)
	e := newEnv(t)
	streamARN := e.table(t, "orders")
	_, queueARN := e.queue(t, "jobs", nil)
	_, dlqARN := e.queue(t, "failed", nil)
	fnARN := e.deploy(t, "fn")
	var mu sync.Mutex
	allowed := map[string]bool{}
	var asked []string
	e.cfg.RoleAllows = func(_ context.Context, functionArn, action, resource, _ string) bool {
		mu.Lock()
		defer mu.Unlock()
		if functionArn != fnARN {
			t.Errorf("role check for function %s", functionArn)
		}
		asked = append(asked, action+" "+resource)
		return allowed[action]
	}
	m := e.manager(t)
	create := func(in esm.CreateInput) error {
		in.FunctionName = "fn"
		mp, err := m.Create(ctx, in)
		if err == nil {
			_, _ = m.Delete(ctx, mp.UUID)
		}
		return err
	}
	wantRefusal := func(what, msg string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Fatalf("%s: err = %v, want %q", what, err, msg)
		}
	}

	wantRefusal("queue, no permissions", "The provided execution role does not have permissions to call ReceiveMessage on SQS",
		create(esm.CreateInput{EventSourceArn: queueARN}))
	allowed["sqs:ReceiveMessage"], allowed["sqs:GetQueueAttributes"] = true, true
	wantRefusal("queue, no delete", "does not have permissions to call DeleteMessage on SQS", create(esm.CreateInput{EventSourceArn: queueARN}))
	allowed["sqs:DeleteMessage"] = true
	if err := create(esm.CreateInput{EventSourceArn: queueARN}); err != nil {
		t.Fatalf("queue with the three permissions: %v", err)
	}

	stream := esm.CreateInput{EventSourceArn: streamARN, StartingPosition: esm.TrimHorizon}
	wantRefusal("stream, no permissions", "Cannot access stream "+streamARN+". Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions",
		create(stream))
	for _, a := range []string{"GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"} {
		allowed["dynamodb:"+a] = true
	}
	if err := create(stream); err != nil {
		t.Fatalf("stream with the four permissions: %v", err)
	}
	stream.DestinationConfig = &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: dlqARN}}
	wantRefusal("stream, on-failure queue not writable", "does not have permissions to call SendMessage on SQS", create(stream))
	allowed["sqs:SendMessage"] = true
	if err := create(stream); err != nil {
		t.Fatalf("stream with its on-failure queue writable: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range asked {
		if !strings.HasSuffix(a, " "+queueARN) && !strings.HasSuffix(a, " "+streamARN) && !strings.HasSuffix(a, " "+dlqARN) {
			t.Errorf("checked %q: not against the mapping's source or destination", a)
		}
	}
}
