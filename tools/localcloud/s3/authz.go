package s3

import (
	"context"
	"net/http"
	"reflect"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Authorizer decides IAM questions; *iamapi.Service implements it.
type Authorizer interface {
	Authorize(ctx context.Context, c iamapi.Check) policy.Decision
}

// actions maps operations to the IAM action they need, as the S3 service
// authorization reference lists them (HEAD shares GET's action; deleting a
// bucket configuration mostly needs its Put action). DeleteObjects checks
// s3:DeleteObject per key and CopyObject s3:GetObject on its source, in the
// operations themselves.
var actions = map[string]string{
	"ListBuckets": "s3:ListAllMyBuckets", "CreateBucket": "s3:CreateBucket", "HeadBucket": "s3:ListBucket",
	"DeleteBucket": "s3:DeleteBucket", "GetBucketLocation": "s3:GetBucketLocation", "ListObjectsV2": "s3:ListBucket",
	"ListObjects": "s3:ListBucket", "ListMultipartUploads": "s3:ListBucketMultipartUploads",
	"PutObject": "s3:PutObject", "GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "DeleteObject": "s3:DeleteObject",
	"CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
	"AbortMultipartUpload": "s3:AbortMultipartUpload", "ListParts": "s3:ListMultipartUploadParts",
	"PutBucketPolicy": "s3:PutBucketPolicy", "GetBucketPolicy": "s3:GetBucketPolicy", "DeleteBucketPolicy": "s3:DeleteBucketPolicy",
	"PutBucketEncryption": "s3:PutEncryptionConfiguration", "GetBucketEncryption": "s3:GetEncryptionConfiguration",
	"DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
	"PutBucketVersioning":    "s3:PutBucketVersioning", "GetBucketVersioning": "s3:GetBucketVersioning",
	"PutBucketPublicAccessBlock": "s3:PutBucketPublicAccessBlock", "GetBucketPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
	"DeleteBucketPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
	"PutBucketTagging":              "s3:PutBucketTagging", "GetBucketTagging": "s3:GetBucketTagging", "DeleteBucketTagging": "s3:PutBucketTagging",
	"PutBucketOwnershipControls": "s3:PutBucketOwnershipControls", "GetBucketOwnershipControls": "s3:GetBucketOwnershipControls",
	"DeleteBucketOwnershipControls":   "s3:PutBucketOwnershipControls",
	"PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration", "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
	"DeleteBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
}

// guarded adapts fn to a server operation that first checks the caller may
// perform name's IAM action on the input's bucket and key.
func guarded[In, Out any](s *Service, name string, fn func(context.Context, *In) (*Out, error)) server.Operation {
	return server.Op(func(ctx context.Context, in *In) (*Out, error) {
		bucket, key := target(in)
		if err := s.authorize(ctx, actions[name], bucket, key); err != nil {
			return nil, err
		}
		return fn(ctx, in)
	})
}

// target reads the Bucket and Key members of an operation input.
func target(in any) (bucket, key string) {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "", ""
	}
	if f := v.FieldByName("Bucket"); f.IsValid() && f.Kind() == reflect.String {
		bucket = f.String()
	}
	if f := v.FieldByName("Key"); f.IsValid() && f.Kind() == reflect.String {
		key = f.String()
	}
	return bucket, key
}

func resourceARN(bucket, key string) string {
	switch {
	case bucket == "":
		return "*"
	case key == "":
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

// authorize checks the caller's policies and the bucket policy. Root and
// in-process callers (no principal on the context) are allowed.
func (s *Service) authorize(ctx context.Context, action, bucket, key string) error {
	p, ok := iam.PrincipalFrom(ctx)
	if !ok || p.Root || s.cfg.IAM == nil || action == "" {
		return nil
	}
	var bucketPolicy string
	if bucket != "" {
		_ = s.cfg.Store.View(func(tx store.Tx) error {
			if b, err := getJSON[bucketRecord](tx, bucketsTable, []byte(bucket)); err == nil && b != nil {
				bucketPolicy = b.Configs["policy"]
			}
			return nil
		})
	}
	secure := "false"
	if strings.HasPrefix(server.CallFrom(ctx).Endpoint, "https:") {
		secure = "true"
	}
	d := s.cfg.IAM.Authorize(ctx, iamapi.Check{Principal: p, Action: action, Resource: resourceARN(bucket, key), ResourcePolicy: bucketPolicy,
		Context: map[string][]string{"aws:SecureTransport": {secure}, "aws:RequestedRegion": {s.cfg.Region}}})
	if !d.Allowed() {
		return s3Error(http.StatusForbidden, "AccessDenied", "%s", d.Message())
	}
	return nil
}
