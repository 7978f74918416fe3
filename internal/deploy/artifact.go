package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// Upload puts the file at localPath into bucket under prefix/<sha256 of content>.zip
// unless an object with that key is already there, and returns the key. Equal content
// gives an equal key, so an unchanged artifact causes no stack change.
func (d *Deployer) Upload(ctx context.Context, bucket, prefix, localPath string) (string, error) {
	body, err := os.ReadFile(localPath)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", localPath, err)
	}
	sum := sha256.Sum256(body)
	key := path.Join(prefix, hex.EncodeToString(sum[:])+".zip")
	_, err = d.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	switch {
	case err == nil:
		fmt.Fprintf(d.Out, "artifact s3://%s/%s already uploaded\n", bucket, key)
		return key, nil
	case !isMissingObject(err):
		return "", fmt.Errorf("upload %s: head s3://%s/%s: %w", localPath, bucket, key, err)
	}
	if _, err := d.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/zip"),
	}); err != nil {
		return "", fmt.Errorf("upload %s: put s3://%s/%s: %w", localPath, bucket, key, err)
	}
	fmt.Fprintf(d.Out, "artifact s3://%s/%s uploaded (%d bytes)\n", bucket, key, len(body))
	return key, nil
}

// isMissingObject reports S3's answer to HeadObject for a key that does not exist.
func isMissingObject(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "NotFound", "NoSuchKey", "404":
		return true
	}
	return false
}
