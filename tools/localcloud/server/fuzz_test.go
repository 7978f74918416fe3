package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/orderflow/orderflow/tools/localcloud"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
)

// FuzzServeHTTP sends correctly signed requests with arbitrary targets,
// actions and bodies through the whole front door and every service. No
// input may crash a request into a 500 InternalFailure, and every answer
// carries a request ID.
func FuzzServeHTTP(f *testing.F) {
	// Service time stands still (no visibility expiry mid-run); signatures
	// use the wall clock. SNS http deliveries are refused: fuzzed
	// subscriptions must never send traffic anywhere.
	noNetwork := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("network disabled in fuzzing")
	})}
	inst, err := localcloud.Open(localcloud.Config{DataDir: f.TempDir(), Clock: clock.NewManual(time.Now()),
		AuthClock: clock.Real{}, HTTPClient: noNetwork})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = inst.Close() })
	h := inst.Handler()
	seeds := []struct {
		service, target, body string
	}{
		{"sqs", "AmazonSQS.CreateQueue", `{"QueueName":"q","Attributes":{"VisibilityTimeout":"5"}}`},
		{"sqs", "AmazonSQS.SendMessage", `{"QueueUrl":"http://h/000000000000/q","MessageBody":"x","MessageAttributes":{"a":{"DataType":"Number","StringValue":"1"}}}`},
		{"sqs", "AmazonSQS.ReceiveMessage", `{"QueueUrl":"http://h/000000000000/q","MaxNumberOfMessages":10,"AttributeNames":["All"]}`},
		{"sqs", "AmazonSQS.DeleteMessageBatch", `{"QueueUrl":"http://h/000000000000/q","Entries":[{"Id":"a","ReceiptHandle":"cQAxAGFiYw"}]}`},
		{"sqs", "AmazonSQS.SetQueueAttributes", `{"QueueUrl":"/000000000000/q","Attributes":{"RedrivePolicy":"{\"maxReceiveCount\":\"x\"}"}}`},
		{"sqs", "", "Action=SendMessageBatch&QueueUrl=%2F000000000000%2Fq&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b"},
		{"sns", "", "Action=CreateTopic&Name=t"},
		{"sns", "", "Action=Subscribe&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Protocol=sqs&Endpoint=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aq&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=%7B%22a%22%3A%5B%7B%22numeric%22%3A%5B%22%3C%22%2C1%5D%7D%5D%7D"},
		{"sns", "", "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Message=%7B%22default%22%3A%22x%22%7D&MessageStructure=json&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Number&MessageAttributes.entry.1.Value.StringValue=2"},
		{"sts", "", "Action=GetCallerIdentity"},
	}
	for _, s := range seeds {
		f.Add(s.service, s.target, s.body)
	}
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	f.Fuzz(func(t *testing.T, service, target, body string) {
		if strings.ContainsAny(service, "/\x00") || strings.ContainsAny(target, "\r\n\x00") {
			return
		}
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		sum := sha256.Sum256([]byte(body))
		if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			return
		}
		// Long polls end when the request context does.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(ctx))
		if rec.Code >= 500 {
			t.Fatalf("status %d for %s %q %q: %s", rec.Code, service, target, body, rec.Body.String())
		}
		if rec.Header().Get("X-Amzn-RequestId") == "" {
			t.Fatal("no request id")
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
