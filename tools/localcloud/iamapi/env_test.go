package iamapi_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
	"github.com/orderflow/orderflow/tools/localcloud/store"
	"github.com/orderflow/orderflow/tools/localcloud/sts"
)

const account = "000000000000"

// env is an IAM service behind a real front door (SigV4 with the root key
// test/test and the service's role sessions), as localcloud wires it.
type env struct {
	URL   string
	Clock *clock.Manual
	IAM   *iamapi.Service
	Store *store.Bolt
	Dir   string
}

func startEnv(t testing.TB, dir string) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := store.Open(dir, store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Now())
	idSource := ids.New(rand.NewChaCha8([32]byte{byte(time.Now().UnixNano()), 7}))
	svc, err := iamapi.New(iamapi.Config{Store: st, Clock: clk, IDs: idSource, Account: account})
	if err != nil {
		t.Fatal(err)
	}
	root := iam.NewStaticCredentials(iam.RootCredential(account, "test", "test"))
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: svc.CredentialSource(root), Region: "us-east-1", Clock: clock.Real{}},
		IDs:      idSource,
	})
	srv.Register(svc.Descriptor())
	srv.Register(sts.New().Descriptor())
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return &env{URL: hs.URL, Clock: clk, IAM: svc, Store: st, Dir: dir}
}

func (e *env) client() *awsiam.Client {
	return awsiam.NewFromConfig(localcloudtest.Config(e.URL, "test", "test"))
}

func wantCode(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if message != "" && ae.ErrorMessage() != message {
		t.Fatalf("message = %q, want %q", ae.ErrorMessage(), message)
	}
}

var ctx = context.Background()

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func createRole(t testing.TB, c *awsiam.Client, name, trust string) string {
	t.Helper()
	out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}
