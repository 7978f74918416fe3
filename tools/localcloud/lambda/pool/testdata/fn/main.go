// Command fn is the Lambda function the pool tests run: a provided.al2023
// bootstrap built with aws-lambda-go whose behaviour each event chooses.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	// Action: echo, env, error, crash, panic, big, print, gate.
	Action string `json:"action"`
	Code   int    `json:"code"`
	Bytes  int    `json:"bytes"`
	Lines  []string
	// URL is fetched by "gate", which blocks until the test answers.
	URL string `json:"url"`
}

func main() {
	switch os.Getenv("FN_INIT") {
	case "exit":
		fmt.Println("init: giving up")
		os.Exit(3)
	case "error":
		body := `{"errorMessage":"TABLE_NAME is not set","errorType":"ConfigError"}`
		req, _ := http.NewRequest(http.MethodPost, "http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime/init/error", strings.NewReader(body))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "ConfigError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			fmt.Println("init error posted:", resp.StatusCode)
			resp.Body.Close()
		}
		os.Exit(1)
	}
	fmt.Println("init: ready")
	lambda.Start(handle)
}

func handle(ctx context.Context, ev event) (any, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	switch ev.Action {
	case "echo":
		return map[string]any{"pid": os.Getpid(), "requestId": lc.AwsRequestID, "arn": lc.InvokedFunctionArn,
			"deadlineMs": deadline.UnixMilli()}, nil
	case "env":
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		return env, nil
	case "error":
		return nil, errors.New("boom")
	case "crash":
		fmt.Println("crashing on purpose")
		os.Exit(ev.Code)
	case "panic":
		panic("oh no")
	case "big":
		return strings.Repeat("x", ev.Bytes), nil
	case "print":
		for _, l := range ev.Lines {
			fmt.Println(l)
		}
		return "printed", nil
	case "gate":
		resp, err := http.Get(ev.URL)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		return map[string]any{"pid": os.Getpid()}, nil
	}
	return nil, fmt.Errorf("unknown action %q", ev.Action)
}
