package esm_test

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Wiring mappings into localcloud: they poll the SQS and DynamoDB services
// in process and invoke through the execution engine; a benchmark samples
// a mapping's figures whenever they change.
func Example() {
	st, err := store.Open(".localcloud")
	if err != nil {
		panic(err)
	}
	defer st.Close()
	src := ids.New(rand.Reader)
	engine := pool.New(pool.Config{DataDir: ".localcloud", Clock: clock.Real{}, IDs: src, Region: "us-east-1", Account: "000000000000"})
	defer engine.Close()
	queues, _ := sqs.New(sqs.Config{Store: st, Clock: clock.Real{}, IDs: src, Account: "000000000000", Region: "us-east-1"})
	tables, _ := dynamodb.New(dynamodb.Config{Store: st, Clock: clock.Real{}, IDs: src, Account: "000000000000", Region: "us-east-1"})
	mappings, err := esm.New(esm.Config{Store: st, Clock: clock.Real{}, IDs: src, Region: "us-east-1", Account: "000000000000",
		Invoker: engine, Queues: queues, Streams: tables})
	if err != nil {
		panic(err)
	}
	defer mappings.Close()

	ctx := context.Background()
	mp, err := mappings.Create(ctx, esm.CreateInput{
		EventSourceArn:        "arn:aws:sqs:us-east-1:000000000000:orders",
		FunctionName:          "ingest",
		BatchSize:             new(10),
		FunctionResponseTypes: []string{esm.ReportBatchItemFailures},
		ScalingConfig:         &esm.ScalingConfig{MaximumConcurrency: new(50)},
	})
	if err != nil {
		panic(err) // e.g. InvalidParameterValueException: the queue does not exist
	}
	for range 3 {
		changed := mappings.Changed()
		f := mappings.Figures(mp.UUID)
		fmt.Println("pollers", f.Pollers, "in flight", f.Concurrency, "backlog", f.Backlog)
		<-changed
	}
}
