package lambdaapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambdaapi"
)

// The Invoker mappings call is everything esm looks for in one: without
// CapacityReporter, SQS pollers would not back off while a function is
// throttled.
var (
	_ esm.Invoker            = lambdaapi.Invoker{}
	_ esm.ConcurrencyLimiter = lambdaapi.Invoker{}
	_ esm.CapacityReporter   = lambdaapi.Invoker{}
)

func TestInvokerReportsCapacity(t *testing.T) {
	e := start(t)
	role := e.createRole(t, "capacity-role")
	e.create(t, "measured", role)
	e.invoke(t, &lambda.InvokeInput{FunctionName: aws.String("measured"), Payload: payload("echo", "x")})
	var inv esm.Invoker = e.Instance.Lambda().Invoker()
	cr, ok := inv.(esm.CapacityReporter)
	if !ok {
		t.Fatal("the Invoker does not report capacity")
	}
	got, want := cr.Figures("measured"), e.Instance.Lambda().Engine().Figures("measured")
	if got.Invocations != 1 || got != want {
		t.Fatalf("Figures = %+v, engine says %+v", got, want)
	}
}
