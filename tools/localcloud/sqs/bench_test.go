package sqs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// benchBody's MD5 is what the no-op server answers; the SDK checks it.
const (
	benchBody    = "hello"
	benchBodyMD5 = "5d41402abc4b2a76b9719d911017c592"
)

// noopSQS answers every SQS call with a minimal valid awsJson response and
// does no work: the ceiling for the client and HTTP stack on this machine.
func noopSQS(b *testing.B) string {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch r.Header.Get("X-Amz-Target") {
		case "AmazonSQS.SendMessage":
			fmt.Fprintf(w, `{"MessageId":"00000000-0000-4000-8000-000000000000","MD5OfMessageBody":"%s"}`, benchBodyMD5)
		case "AmazonSQS.ReceiveMessage":
			fmt.Fprintf(w, `{"Messages":[{"MessageId":"m","ReceiptHandle":"h","MD5OfBody":"%s","Body":"%s"}]}`, benchBodyMD5, benchBody)
		case "AmazonSQS.CreateQueue":
			fmt.Fprintf(w, `{"QueueUrl":"http://%s/000000000000/bench"}`, r.Host)
		default:
			_, _ = w.Write([]byte("{}"))
		}
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// BenchmarkSQS measures SendMessage, ReceiveMessage and DeleteMessage
// through aws-sdk-go-v2 over real HTTP against localcloud (durable store),
// a no-op HTTP server (the ceiling) and moto_server (when installed), all
// in the same run so the ratios are comparable.
func BenchmarkSQS(b *testing.B) {
	targets := []struct {
		name string
		url  func(b *testing.B) string
	}{
		{"localcloud", func(b *testing.B) string { return localcloudtest.Start(b).URL }},
		{"localcloud-nofsync", func(b *testing.B) string { return localcloudtest.Start(b, localcloudtest.Options{NoFsync: true}).URL }},
		{"noop", noopSQS},
		{"moto", func(b *testing.B) string { return localcloudtest.StartMoto(b) }},
	}
	for _, target := range targets {
		b.Run(target.name, func(b *testing.B) {
			endpoint := target.url(b)
			c := sqs.NewFromConfig(localcloudtest.Config(endpoint, "test", "test"))
			ctx := context.Background()
			q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
			if err != nil {
				b.Fatal(err)
			}
			send := func() error {
				_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(benchBody)})
				return err
			}
			b.Run("SendMessage", func(b *testing.B) {
				for b.Loop() {
					if err := send(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
			b.Run("SendMessageParallel", func(b *testing.B) {
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := send(); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
			fill := func(b *testing.B, n int) {
				b.Helper()
				for range n {
					if err := send(); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.Run("ReceiveMessage", func(b *testing.B) {
				// Every iteration must find a message: fill the queue
				// outside the timer.
				b.StopTimer()
				fill(b, b.N)
				b.StartTimer()
				for range b.N {
					out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, VisibilityTimeout: 600})
					if err != nil {
						b.Fatal(err)
					}
					if len(out.Messages) != 1 {
						b.Fatalf("received %d messages", len(out.Messages))
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
			b.Run("DeleteMessage", func(b *testing.B) {
				b.StopTimer()
				fill(b, b.N)
				var handles []*string
				for len(handles) < b.N {
					out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600})
					if err != nil {
						b.Fatal(err)
					}
					if len(out.Messages) == 0 {
						b.Fatal("queue ran dry while preparing deletes")
					}
					for _, m := range out.Messages {
						handles = append(handles, m.ReceiptHandle)
					}
				}
				b.StartTimer()
				for i := range b.N {
					if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: handles[i]}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		})
	}
}
