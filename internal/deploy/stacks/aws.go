package stacks

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/orderflow/orderflow/internal/deploy"
)

// Target overrides parts of the SDK's normal configuration; its zero value overrides
// nothing (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ... decide).
type Target struct {
	// Region replaces the configured region when set.
	Region string
	// Endpoint replaces the configured endpoint when set (an emulator's URL).
	Endpoint string
	// AccessKeyID and SecretAccessKey, when set, replace the credential chain.
	AccessKeyID, SecretAccessKey string
}

// NewDeployer builds a [deploy.Deployer] on AWS clients configured the SDK's normal way,
// adjusted by t. With an endpoint override (moto, localcloud) S3 is addressed path-style,
// as such endpoints have no bucket subdomains.
func NewDeployer(ctx context.Context, t Target, out io.Writer, in io.Reader, autoApprove bool, getenv func(string) string) (*deploy.Deployer, error) {
	var opts []func(*config.LoadOptions) error
	if t.Region != "" {
		opts = append(opts, config.WithRegion(t.Region))
	}
	if t.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(t.Endpoint))
	}
	if t.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(t.AccessKeyID, t.SecretAccessKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no AWS region configured: set AWS_REGION or a profile's region")
	}
	pathStyle := cfg.BaseEndpoint != nil || getenv("AWS_ENDPOINT_URL_S3") != ""
	return &deploy.Deployer{
		CFN:         cloudformation.NewFromConfig(cfg),
		S3:          s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }),
		Clock:       deploy.SystemClock{},
		Out:         out,
		In:          in,
		AutoApprove: autoApprove,
	}, nil
}
