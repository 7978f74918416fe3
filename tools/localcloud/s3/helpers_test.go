package s3_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/s3"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

type env struct {
	URL     string
	Service *s3.Service
	Dir     string
	srv     *httptest.Server
	// Stop closes the server and the store (the test's cleanup does too).
	Stop func()
}

type envOptions struct {
	region string
	tls    bool
	dir    string
	iam    s3.Authorizer
	// creds are extra credentials the verifier accepts.
	creds []iam.Credential
}

// start serves S3 alone on a loopback port until the test ends.
func start(t testing.TB, opts ...envOptions) *env {
	t.Helper()
	var o envOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.region == "" {
		o.region = "us-east-1"
	}
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	st, err := store.Open(o.dir, store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	idSource := ids.New(rand.Reader)
	svc, err := s3.New(s3.Config{Store: st, Dir: filepath.Join(o.dir, "s3"), IDs: idSource, Region: o.region,
		Account: "000000000000", Clock: clock.Real{}, NoFsync: true, IAM: o.iam})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: iam.NewStaticCredentials(append(o.creds, iam.RootCredential("000000000000", "test", "test"))...),
			Region: o.region, Clock: clock.Real{}},
		IDs: idSource,
	})
	srv.Register(svc.Descriptor())
	var hs *httptest.Server
	if o.tls {
		hs = httptest.NewTLSServer(srv)
	} else {
		hs = httptest.NewServer(srv)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			hs.Close()
			if err := st.Close(); err != nil {
				t.Errorf("close store: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &env{URL: hs.URL, Service: svc, Dir: o.dir, srv: hs, Stop: stop}
}

func (e *env) client(region string) *awss3.Client {
	if region == "" {
		region = "us-east-1"
	}
	return awss3.New(awss3.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.URL),
		UsePathStyle: true,
		HTTPClient:   e.srv.Client(),
		Retryer:      aws.NopRetryer{},
		// What config.LoadDefaultConfig resolves to (the SDK's default):
		// CRC32 request checksums and validated response checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := errorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}
