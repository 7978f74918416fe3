package lambdaapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/lambdaapi"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/s3"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

type inProcess struct {
	svc     *lambdaapi.Service
	objects *s3.Service
	role    string
}

// newInProcess builds the Lambda service on its own, as a Go API: store,
// IAM with one role Lambda may assume, S3.
func newInProcess(t *testing.T, clk clock.Clock, engine pool.Config) inProcess {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	idSource := ids.New(rand.Reader)
	identity, err := iamapi.New(iamapi.Config{Store: st, Clock: clk, IDs: idSource, Account: "000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	role, err := identity.CreateRole(ctx, &iamapi.CreateRoleInput{RoleName: "in-process", AssumeRolePolicyDocument: trustLambda})
	if err != nil {
		t.Fatal(err)
	}
	objects, err := s3.New(s3.Config{Store: st, Dir: filepath.Join(dir, "s3"), IDs: idSource, Account: "000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := lambdaapi.New(lambdaapi.Config{Store: st, DataDir: dir, Clock: clk, IDs: idSource, Account: "000000000000",
		Region: "us-east-1", IAM: identity, S3: objects, Engine: engine})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return inProcess{svc: svc, objects: objects, role: role.Role.Arn}
}

// In-process callers (CloudFormation's provider) use the operations as Go
// methods; code can come from an S3 object.
func TestInProcessCodeFromS3(t *testing.T) {
	ctx := context.Background()
	p := newInProcess(t, clock.Real{}, pool.Config{})
	svc := p.svc
	if err := p.objects.CreateBucket(ctx, "artifacts"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.objects.PutObject(ctx, "artifacts", "fn.zip", bytes.NewReader(zips["v2"]), "application/zip"); err != nil {
		t.Fatal(err)
	}

	in := &lambdaapi.CreateFunctionInput{FunctionName: "from-s3", Runtime: "provided.al2023", Handler: "bootstrap", Role: p.role,
		Code: &lambdaapi.FunctionCode{S3Bucket: "artifacts", S3Key: "fn.zip"}}
	cfg, err := svc.CreateFunction(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CodeSha256 != sha(zips["v2"]) || cfg.CodeSize != int64(len(zips["v2"])) {
		t.Fatalf("CreateFunction: %+v", cfg)
	}
	resp, err := svc.InvokeSync(ctx, "from-s3", payload("echo", "s3"), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, resp.Payload); got["text"] != "s3" || got["version"] != "v2" {
		t.Fatalf("InvokeSync: %s", resp.Payload)
	}

	in.FunctionName, in.Code.S3Key = "missing-code", "nope.zip"
	_, err = svc.CreateFunction(ctx, in)
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != "InvalidParameterValueException" || pe.Status != 400 ||
		!strings.HasPrefix(pe.Message, "Error occurred while GetObject. S3 Error Code: NoSuchKey.") {
		t.Fatalf("code from a missing object: %v", err)
	}
}

// Environments are replaced before their role session expires: a warm
// environment never runs on with expired credentials.
func TestSessionRenewal(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Now())
	// Environments would otherwise stay warm for a day.
	p := newInProcess(t, clk, pool.Config{IdleTimeout: 24 * time.Hour})
	if _, err := p.svc.CreateFunction(ctx, &lambdaapi.CreateFunctionInput{FunctionName: "renew", Runtime: "provided.al2023",
		Handler: "bootstrap", Role: p.role, Code: &lambdaapi.FunctionCode{ZipFile: zips["v1"]}}); err != nil {
		t.Fatal(err)
	}
	key := func() string {
		t.Helper()
		resp, err := p.svc.InvokeSync(ctx, "renew", payload("env", ""), false)
		if err != nil {
			t.Fatal(err)
		}
		return decode(t, resp.Payload)["AWS_ACCESS_KEY_ID"]
	}
	first := key()
	if key() != first || !strings.HasPrefix(first, "ASIA") {
		t.Fatalf("a warm environment keeps its session: %s", first)
	}
	// Role sessions last an hour (the role's MaxSessionDuration); 45
	// minutes in, fewer than 20 remain.
	clk.Advance(45 * time.Minute)
	engine := p.svc.Engine()
	for engine.Figures("renew").Idle != 0 {
		<-engine.Changed()
	}
	if second := key(); second == first || !strings.HasPrefix(second, "ASIA") {
		t.Fatalf("after renewal the environment has key %s (was %s)", second, first)
	}
}
