// Command fn is the Lambda function the lambdaapi tests deploy: a
// provided.al2023 bootstrap whose behaviour each event chooses.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// version is what the deployment package's VERSION file says (v1 when
// it has none), so that tests can tell code updates apart without building
// twice.
var version = "v1"

type event struct {
	// Action: echo, env, error, whoami.
	Action string `json:"action"`
	Text   string `json:"text"`
	// Records is set for event source mapping batches.
	Records []json.RawMessage `json:"Records"`
}

func main() {
	if exe, err := os.Executable(); err == nil {
		if b, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "VERSION")); err == nil {
			version = strings.TrimSpace(string(b))
		}
	}
	lambda.Start(handle)
}

func handle(ctx context.Context, ev event) (any, error) {
	if len(ev.Records) > 0 {
		fmt.Println("records", len(ev.Records))
		for _, r := range ev.Records {
			// SNS spells the source "EventSource", SQS and DynamoDB
			// "eventSource"; decoding is case-insensitive.
			var rec struct {
				EventSource string
				Sns         struct{ TopicArn, Message string }
			}
			if err := json.Unmarshal(r, &rec); err != nil {
				return nil, fmt.Errorf("record: %w", err)
			}
			fmt.Println("record", rec.EventSource, rec.Sns.TopicArn, rec.Sns.Message)
		}
		return map[string]any{"batchItemFailures": []any{}}, nil
	}
	switch ev.Action {
	case "echo":
		fmt.Println("echoing", ev.Text)
		return map[string]string{"text": ev.Text, "version": version}, nil
	case "env":
		return map[string]string{"GREETING": os.Getenv("GREETING"), "version": version,
			"AWS_ACCESS_KEY_ID": os.Getenv("AWS_ACCESS_KEY_ID")}, nil
	case "error":
		fmt.Println("about to fail")
		return nil, errors.New("boom: " + ev.Text)
	case "whoami":
		// Calls localcloud back with the role's session credentials,
		// found where the SDK's default chain finds them on Lambda.
		client := sts.New(sts.Options{
			Region:       os.Getenv("AWS_REGION"),
			BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL")),
			Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"),
				os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
		})
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("GetCallerIdentity: %w", err)
		}
		return map[string]string{"arn": aws.ToString(out.Arn)}, nil
	}
	return nil, fmt.Errorf("unknown action %q", ev.Action)
}
