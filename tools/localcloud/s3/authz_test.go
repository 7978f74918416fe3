package s3_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
)

// allowList allows the listed actions on the listed resources and
// records every check.
type allowList struct {
	mu      sync.Mutex
	allowed map[string]bool // "action resource"
	checks  []iamapi.Check
}

func (a *allowList) Authorize(_ context.Context, c iamapi.Check) policy.Decision {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = append(a.checks, c)
	req := policy.Request{Principal: policy.Principal{ARN: c.Principal.ARN}, Action: c.Action, Resource: c.Resource}
	if a.allowed[c.Action+" "+c.Resource] {
		return policy.Decision{Outcome: policy.Allowed, Request: req}
	}
	return policy.Decision{Outcome: policy.ImplicitDeny, Missing: policy.IdentityBased, Request: req}
}

func TestIAM(t *testing.T) {
	role := iam.Credential{AccessKeyID: "ASIAROLE", SecretAccessKey: "rolesecret",
		Principal: iam.Principal{Account: "000000000000", ARN: "arn:aws:sts::000000000000:assumed-role/fn/session", UserID: "AROA:session"}}
	authz := &allowList{allowed: map[string]bool{
		"s3:GetObject arn:aws:s3:::code/app.zip":  true,
		"s3:DeleteObject arn:aws:s3:::code/a.txt": true,
	}}
	e := start(t, envOptions{iam: authz, creds: []iam.Credential{role}})
	root := e.client("")
	cx := ctx(t)
	if _, err := root.CreateBucket(cx, &awss3.CreateBucketInput{Bucket: aws.String("code")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"app.zip", "a.txt", "b.txt"} {
		if _, err := root.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	policyDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::code/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if _, err := root.PutBucketPolicy(cx, &awss3.PutBucketPolicyInput{Bucket: aws.String("code"), Policy: aws.String(policyDoc)}); err != nil {
		t.Fatal(err)
	}
	if len(authz.checks) != 0 {
		t.Fatalf("root calls were checked: %+v", authz.checks)
	}

	opts := e.client("").Options()
	opts.Credentials = credentials.NewStaticCredentialsProvider(role.AccessKeyID, role.SecretAccessKey, "")
	fn := awss3.New(opts)
	if got, err := getBody(t, fn, "code", "app.zip"); err != nil || got != "app.zip" {
		t.Fatalf("allowed GetObject: %q %v", got, err)
	}
	last := authz.checks[len(authz.checks)-1]
	if last.ResourcePolicy != policyDoc || last.Context["aws:SecureTransport"][0] != "false" || last.Principal.ARN != role.Principal.ARN {
		t.Fatalf("check carried %+v", last)
	}
	_, err := fn.PutObject(cx, &awss3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String("app.zip"), Body: strings.NewReader("evil")})
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::code/app.zip") {
		t.Fatalf("denial message: %v", err)
	}
	_, err = fn.ListObjectsV2(cx, &awss3.ListObjectsV2Input{Bucket: aws.String("code")})
	wantCode(t, err, "AccessDenied")
	_, err = fn.CopyObject(cx, &awss3.CopyObjectInput{Bucket: aws.String("code"), Key: aws.String("copy"), CopySource: aws.String("code/b.txt")})
	wantCode(t, err, "AccessDenied")
	del, err := fn.DeleteObjects(cx, &awss3.DeleteObjectsInput{Bucket: aws.String("code"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a.txt")}, {Key: aws.String("b.txt")}}}})
	if err != nil || len(del.Deleted) != 1 || aws.ToString(del.Deleted[0].Key) != "a.txt" || len(del.Errors) != 1 ||
		aws.ToString(del.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("DeleteObjects per key: %v %+v", err, del)
	}
	if got, err := getBody(t, root, "code", "b.txt"); err != nil || got != "b.txt" {
		t.Fatalf("denied delete removed the object: %q %v", got, err)
	}
}
