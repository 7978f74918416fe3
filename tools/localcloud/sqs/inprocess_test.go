package sqs_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// In-process callers (event source mappings, API Gateway) use the Go API
// with the caller's principal in the context, and survive a reopen.
func TestInProcessAPIAndReopen(t *testing.T) {
	dir := t.TempDir()
	open := func() (*sqs.Service, *store.Bolt) {
		st, err := store.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := sqs.New(sqs.Config{Store: st, Clock: clock.NewManual(time.Unix(1_800_000_000, 0)), IDs: ids.New(rand.Reader),
			Account: "000000000000", Region: "us-east-1", PublicURL: "http://127.0.0.1:4566"})
		if err != nil {
			t.Fatal(err)
		}
		return svc, st
	}
	svc, st := open()
	ctx := iam.WithPrincipal(context.Background(), iam.Principal{Account: "000000000000", UserID: "AROAEXAMPLE:ingest"})
	if _, err := svc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: "orders"}); err != nil {
		t.Fatal(err)
	}
	url, err := svc.QueueURL(ctx, "arn:aws:sqs:us-east-1:000000000000:orders")
	if err != nil || url != "http://127.0.0.1:4566/000000000000/orders" {
		t.Fatalf("QueueURL = %q, %v", url, err)
	}
	var pe *protocol.Error
	if _, err := svc.QueueURL(ctx, "arn:aws:sqs:us-east-1:000000000000:nope"); !errors.As(err, &pe) || pe.Code != "QueueDoesNotExist" {
		t.Fatalf("QueueURL of missing queue: %v", err)
	}
	if _, err := svc.SendToARN(ctx, "arn:aws:sqs:us-east-1:000000000000:orders", "in process", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	svc, st = open()
	defer st.Close()
	out, err := svc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueURL: url, AttributeNames: []string{"SenderId"}})
	if err != nil || len(out.Messages) != 1 || out.Messages[0].Body != "in process" || out.Messages[0].Attributes["SenderId"] != "AROAEXAMPLE:ingest" {
		t.Fatalf("after reopen: %+v, %v", out, err)
	}
}
