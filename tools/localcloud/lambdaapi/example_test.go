package lambdaapi_test

import (
	"context"
	"fmt"
	"os"

	"github.com/orderflow/orderflow/tools/localcloud/lambdaapi"
)

// In-process callers such as CloudFormation's provider call the
// operations as methods, with the caller's principal on the context (none
// means localcloud itself, which is trusted), and get Lambda's errors as
// *protocol.Error values.
func Example() {
	var fns *lambdaapi.Service // an Instance's Lambda()
	ctx := context.Background()
	zip, err := os.ReadFile("ingest.zip")
	if err != nil {
		panic(err)
	}
	timeout := 10
	cfg, err := fns.CreateFunction(ctx, &lambdaapi.CreateFunctionInput{
		FunctionName: "ingest", Runtime: "provided.al2023", Handler: "bootstrap",
		Role:        "arn:aws:iam::000000000000:role/ingest",
		Code:        &lambdaapi.FunctionCode{ZipFile: zip}, // or S3Bucket/S3Key
		Timeout:     &timeout,
		Environment: &lambdaapi.Environment{Variables: map[string]string{"TABLE_NAME": "orders"}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.FunctionArn, cfg.CodeSha256)
	// Permissions, reserved concurrency and versions work the same way.
	if _, err := fns.AddPermission(ctx, &lambdaapi.AddPermissionInput{FunctionName: "ingest", StatementID: "sns",
		Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com"}); err != nil {
		panic(err)
	}
	// Synchronous and asynchronous invocations from inside localcloud.
	resp, err := fns.InvokeSync(ctx, "ingest", []byte(`{"Records":[]}`), false)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %s\n", resp.FunctionError, resp.Payload)
	if err := fns.InvokeEvent(ctx, cfg.FunctionArn, []byte(`{}`)); err != nil {
		panic(err)
	}
}
