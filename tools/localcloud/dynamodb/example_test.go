package dynamodb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// An in-process stream consumer (such as a Lambda event source mapping)
// reads records through the Go API: take the wake channel, read after its
// position, and wait on the channel only when the read found nothing.
func ExampleService_ReadStream() {
	dir, _ := os.MkdirTemp("", "dynamodb-example")
	defer os.RemoveAll(dir)
	st, _ := store.Open(dir)
	defer st.Close()
	svc, _ := dynamodb.New(dynamodb.Config{Store: st, Clock: clock.NewManual(time.Unix(1_800_000_000, 0)),
		IDs: ids.New(rand.NewChaCha8([32]byte{})), Account: "000000000000", Region: "us-east-1"})
	ctx := context.Background()
	_, _ = svc.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            "orders",
		AttributeDefinitions: []dynamodb.AttributeDefinition{{AttributeName: "orderID", AttributeType: "S"}},
		KeySchema:            []dynamodb.KeySchemaElement{{AttributeName: "orderID", KeyType: "HASH"}},
		BillingMode:          "PAY_PER_REQUEST",
		StreamSpecification:  &dynamodb.StreamSpecification{StreamEnabled: new(true), StreamViewType: "NEW_IMAGE"},
	})
	streams, _ := svc.Streams()
	arn := streams[0].Arn

	done := make(chan struct{})
	go func() {
		defer close(done)
		var pos uint64 // TrimHorizon gives the oldest kept position
		for pos < 2 {
			wake, _ := svc.StreamWait(arn)
			recs, _ := svc.ReadStream(arn, pos, 100, 1<<20)
			for _, r := range recs {
				pos = r.Seq()
				image, _ := json.Marshal(r.Dynamodb.NewImage)
				fmt.Println(r.EventName, r.Dynamodb.SequenceNumber, string(image))
			}
			if len(recs) == 0 {
				<-wake
			}
		}
	}()
	for _, id := range []string{"o-1", "o-2"} {
		_, _ = svc.PutItem(ctx, &dynamodb.PutItemInput{TableName: "orders", Item: json.RawMessage(`{"orderID":{"S":"` + id + `"}}`)})
	}
	<-done
	// Output:
	// INSERT 100000000000000000001 {"orderID":{"S":"o-1"}}
	// INSERT 100000000000000000002 {"orderID":{"S":"o-2"}}
}
