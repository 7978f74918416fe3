package dynamodb_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	ddb "github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	streams "github.com/orderflow/orderflow/tools/localcloud/dynamodbstreams"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// env is an in-process server with DynamoDB and DynamoDB Streams, built as
// localcloud wires its services (localcloudtest starts the whole Instance,
// which does not carry these services yet).
type env struct {
	URL     string
	Clock   *clock.Manual
	Store   *store.Bolt
	Service *ddb.Service
	DB      *dynamodb.Client
	Streams *dynamodbstreams.Client
	DataDir string
	stop    func()
}

type envOptions struct {
	dataDir string
	clock   *clock.Manual
	// noFsync opens the store without fsync (benchmarks).
	noFsync bool
}

func start(t testing.TB, opts ...envOptions) *env {
	t.Helper()
	var o envOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	if o.clock == nil {
		o.clock = clock.NewManual(time.Now())
	}
	st, err := store.Open(o.dataDir, store.Options{NoFsync: o.noFsync})
	if err != nil {
		t.Fatal(err)
	}
	idSource := ids.New(rand.NewChaCha8([32]byte{byte(time.Now().UnixNano()), byte(time.Now().UnixNano() >> 8)}))
	creds := iam.NewStaticCredentials(iam.RootCredential("000000000000", "test", "test"))
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: creds, Region: "us-east-1", Clock: clock.Real{}},
		IDs:      idSource,
	})
	svc, err := ddb.New(ddb.Config{Store: st, Clock: o.clock, IDs: idSource, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Register(svc.Descriptor())
	srv.Register(streams.New(streams.Config{Source: svc, Clock: o.clock}).Descriptor())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	e := &env{URL: "http://" + ln.Addr().String(), Clock: o.clock, Store: st, Service: svc, DataDir: o.dataDir}
	stopped := false
	e.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	}
	t.Cleanup(e.stop)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.URL),
		HTTPClient:   &http.Client{Timeout: 60 * time.Second},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	e.DB = dynamodb.NewFromConfig(cfg)
	e.Streams = dynamodbstreams.NewFromConfig(cfg)
	return e
}

// wantErr asserts an API error's code and, when msg is not empty, its message.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("message = %q, want %q", ae.ErrorMessage(), msg)
	}
}
