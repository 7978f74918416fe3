package lambdaapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambdaapi"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/s3"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// In-process callers (CloudFormation's provider) use the operations as Go
// methods; code can come from an S3 object.
func TestInProcessCodeFromS3(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	idSource := ids.New(rand.Reader)
	identity, err := iamapi.New(iamapi.Config{Store: st, Clock: clock.Real{}, IDs: idSource, Account: "000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	role, err := identity.CreateRole(ctx, &iamapi.CreateRoleInput{RoleName: "s3-role", AssumeRolePolicyDocument: trustLambda})
	if err != nil {
		t.Fatal(err)
	}
	objects, err := s3.New(s3.Config{Store: st, Dir: filepath.Join(dir, "s3"), IDs: idSource, Account: "000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if err := objects.CreateBucket(ctx, "artifacts"); err != nil {
		t.Fatal(err)
	}
	if _, err := objects.PutObject(ctx, "artifacts", "fn.zip", bytes.NewReader(zips["v2"]), "application/zip"); err != nil {
		t.Fatal(err)
	}
	svc, err := lambdaapi.New(lambdaapi.Config{Store: st, DataDir: dir, IDs: idSource, Account: "000000000000", Region: "us-east-1",
		IAM: identity, S3: objects})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()

	in := &lambdaapi.CreateFunctionInput{FunctionName: "from-s3", Runtime: "provided.al2023", Handler: "bootstrap", Role: role.Role.Arn,
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
