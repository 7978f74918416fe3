package bench

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// APIRate is how fast one client drove one operation against one server.
type APIRate struct {
	Op, Target  string
	Ops, Errors int
	Elapsed     time.Duration
	FirstError  string
}

// PerSecond is the rate of successful operations.
func (r APIRate) PerSecond() float64 { return Rate(r.Ops, r.Elapsed) }

// SDKConfig is an aws-sdk-go-v2 configuration for the root test credentials at endpoint.
func SDKConfig(endpoint string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
}

// Drive runs op from concurrency goroutines for d (at most MaxDuration) and counts.
func Drive(ctx context.Context, concurrency int, d time.Duration, op func(ctx context.Context, n int64) error) (ops, errs int, first string, elapsed time.Duration) {
	d = min(d, MaxDuration)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var next, okN, errN atomic.Int64
	var once sync.Once
	start := time.Now()
	var wg sync.WaitGroup
	for range max(1, concurrency) {
		wg.Go(func() {
			for ctx.Err() == nil {
				err := op(ctx, next.Add(1))
				switch {
				case err == nil:
					okN.Add(1)
				case ctx.Err() != nil:
					return // cut off by the end of the run
				default:
					errN.Add(1)
					once.Do(func() { first = err.Error() })
				}
			}
		})
	}
	wg.Wait()
	return int(okN.Load()), int(errN.Load()), first, time.Since(start)
}

// SQSSendRate creates a queue at endpoint and measures SendMessage.
func SQSSendRate(ctx context.Context, target, endpoint string, concurrency int, d time.Duration) (APIRate, error) {
	c := sqs.NewFromConfig(SDKConfig(endpoint))
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-api-rate")})
	if err != nil {
		return APIRate{}, fmt.Errorf("%s: create queue: %w", target, err)
	}
	ops, errs, first, elapsed := Drive(ctx, concurrency, d, func(ctx context.Context, _ int64) error {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(noopBody)})
		return err
	})
	return APIRate{Op: "SQS SendMessage", Target: target, Ops: ops, Errors: errs, Elapsed: elapsed, FirstError: first}, nil
}

// DynamoDBPutRate creates a table with a stream at endpoint and measures conditional
// PutItem of new orders, as ingest writes them.
func DynamoDBPutRate(ctx context.Context, target, endpoint string, concurrency int, d time.Duration) (APIRate, error) {
	c := dynamodb.NewFromConfig(SDKConfig(endpoint))
	table := "bench-api-rate"
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("orderID"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("orderID"), KeyType: types.KeyTypeHash}},
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage}})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return APIRate{}, fmt.Errorf("%s: create table: %w", target, err)
	}
	ops, errs, first, elapsed := Drive(ctx, concurrency, d, func(ctx context.Context, n int64) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
			ConditionExpression: aws.String("attribute_not_exists(orderID)"),
			Item: map[string]types.AttributeValue{
				"orderID":    &types.AttributeValueMemberS{Value: "o-" + strconv.FormatInt(n, 10)},
				"item":       &types.AttributeValueMemberS{Value: "latex gloves"},
				"customerID": &types.AttributeValueMemberS{Value: "12345"},
				"quantity":   &types.AttributeValueMemberN{Value: "1"},
			}})
		return err
	})
	return APIRate{Op: "DynamoDB PutItem", Target: target, Ops: ops, Errors: errs, Elapsed: elapsed, FirstError: first}, nil
}

// noopBody is the message the comparisons send; the no-op server answers its MD5, which
// the SDK checks.
const noopBody = "hello"

// NoopHandler answers SQS and DynamoDB calls with minimal valid responses and does no
// work: the ceiling for the client and HTTP stack on this machine.
func NoopHandler() http.Handler {
	sum := md5.Sum([]byte(noopBody))
	bodyMD5 := hex.EncodeToString(sum[:])
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch r.Header.Get("X-Amz-Target") {
		case "AmazonSQS.SendMessage":
			fmt.Fprintf(w, `{"MessageId":"00000000-0000-4000-8000-000000000000","MD5OfMessageBody":"%s"}`, bodyMD5)
		case "AmazonSQS.CreateQueue":
			fmt.Fprintf(w, `{"QueueUrl":"http://%s/000000000000/bench-api-rate"}`, r.Host)
		default:
			_, _ = w.Write([]byte("{}"))
		}
	})
}

// NoopReadyPrefix starts the line `loadgen noop` prints once it serves.
const NoopReadyPrefix = "noop ready on "

// ServeNoop serves NoopHandler on a free loopback port until ctx ends, printing its
// ready line to out: `loadgen noop`, run as its own process like localcloud and moto.
func ServeNoop(ctx context.Context, out io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("no-op server: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: NoopHandler()}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Fprintf(out, "%shttp://%s\n", NoopReadyPrefix, ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("no-op server: %w", err)
	}
	return nil
}

// Moto is a moto_server process on loopback.
type Moto struct {
	URL string
	cmd *exec.Cmd
}

// StartMoto starts moto_server (found on PATH) on a free loopback port and waits, at
// most 30 s, until it answers. A missing moto_server is exec.ErrNotFound.
func StartMoto(ctx context.Context) (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("moto_server port: %w", err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	m := &Moto{URL: "http://127.0.0.1:" + port, cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+"/moto-api/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return m, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			m.Close()
			return nil, fmt.Errorf("moto_server did not answer within 30s: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Close stops moto_server.
func (m *Moto) Close() {
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
}
