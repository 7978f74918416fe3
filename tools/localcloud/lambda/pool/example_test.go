package pool_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Wiring an engine into localcloud: function logs go to CloudWatch Logs,
// functions call localcloud back through AWS_ENDPOINT_URL with their role's
// credentials, and callers choose between throttling and queueing.
func Example() {
	st, err := store.Open(".localcloud")
	if err != nil {
		panic(err)
	}
	defer st.Close()
	cwl, err := logs.New(logs.Config{Store: st, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		panic(err)
	}
	defer cwl.Close()
	engine := pool.New(pool.Config{
		DataDir:     ".localcloud",
		Clock:       clock.Real{},
		IDs:         ids.New(rand.Reader),
		Logs:        cwl,
		Credentials: pool.StaticCredentials{AccessKeyID: "test", SecretAccessKey: "test"},
		Region:      "us-east-1",
		Account:     "000000000000",
		EndpointURL: "http://127.0.0.1:4566",
	})
	defer engine.Close()

	ctx := context.Background()
	if err := engine.Deploy(ctx, pool.Function{Name: "ingest", ZipFile: "ingest.zip", Handler: "bootstrap",
		Timeout: 10 * time.Second, MemoryMB: 256, Environment: map[string]string{"TABLE_NAME": "orders"}}); err != nil {
		panic(err)
	}
	resp, err := engine.Invoke(ctx, pool.Request{FunctionName: "ingest", Payload: []byte(`{"Records":[]}`)})
	var throttled *pool.ThrottleError
	switch {
	case errors.As(err, &throttled):
		fmt.Println("TooManyRequestsException:", throttled.Reason)
	case err != nil:
		panic(err)
	case resp.FunctionError != "":
		fmt.Printf("function error: %s\n", resp.Payload)
	default:
		fmt.Printf("%s (cold start: %v)\n", resp.Payload, resp.ColdStart)
	}
	f := engine.Figures("ingest")
	fmt.Println("busy", f.Busy, "idle", f.Idle, "cold starts", f.ColdStarts)
}
