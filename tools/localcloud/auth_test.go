package localcloud_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

func TestGetCallerIdentity(t *testing.T) {
	env := localcloudtest.Start(t)
	out, err := sts.NewFromConfig(env.Config()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "000000000000" || aws.ToString(out.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("identity = %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
	}
}

func TestSDKCredentialErrors(t *testing.T) {
	env := localcloudtest.Start(t)
	tests := []struct {
		name, key, secret, wantCode string
	}{
		{"wrong secret", "test", "nope", "SignatureDoesNotMatch"},
		{"unknown key", "AKIDUNKNOWN", "test", "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := localcloudtest.Config(env.URL, tt.key, tt.secret)
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.wantCode {
				t.Fatalf("err = %v, want %s", err, tt.wantCode)
			}
		})
	}
}

// signedRequest builds a request signed with the SDK's own signer.
func signedRequest(t *testing.T, url, service, target, body string, at time.Time, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSignatureFailures(t *testing.T) {
	env := localcloudtest.Start(t)
	const stsBody = "Action=GetCallerIdentity&Version=2011-06-15"
	const sqsBody = `{"QueueNamePrefix":"a"}`
	now := time.Now()
	tests := []struct {
		name       string
		req        func() *http.Request
		wantStatus int
		wantBody   string
		wantHeader string
	}{
		{"ok", func() *http.Request {
			return signedRequest(t, env.URL, "sts", "", stsBody, now, "test")
		}, 200, "<Account>000000000000</Account>", ""},
		{"tampered query body", func() *http.Request {
			r := signedRequest(t, env.URL, "sts", "", stsBody, now, "test")
			r.Body = io.NopCloser(strings.NewReader(stsBody + "&X=1"))
			r.ContentLength = int64(len(stsBody) + 4)
			return r
		}, 403, "<Code>SignatureDoesNotMatch</Code>", ""},
		{"skewed date", func() *http.Request {
			return signedRequest(t, env.URL, "sts", "", stsBody, now.Add(-20*time.Minute), "test")
		}, 403, "Signature expired", ""},
		{"future date", func() *http.Request {
			return signedRequest(t, env.URL, "sts", "", stsBody, now.Add(20*time.Minute), "test")
		}, 403, "Signature not yet current", ""},
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(stsBody))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 403, "<Code>MissingAuthenticationToken</Code>", ""},
		{"json tampered body", func() *http.Request {
			r := signedRequest(t, env.URL, "sqs", "AmazonSQS.ListQueues", sqsBody, now, "test")
			r.Body = io.NopCloser(strings.NewReader(`{"QueueNamePrefix":"b"}`))
			return r
		}, 403, `"__type":"com.amazon.coral.service#InvalidSignatureException"`, "SignatureDoesNotMatch;Sender"},
		{"json wrong secret", func() *http.Request {
			return signedRequest(t, env.URL, "sqs", "AmazonSQS.ListQueues", sqsBody, now, "wrong")
		}, 403, "InvalidSignatureException", "SignatureDoesNotMatch;Sender"},
		{"json skewed", func() *http.Request {
			return signedRequest(t, env.URL, "sqs", "AmazonSQS.ListQueues", sqsBody, now.Add(time.Hour), "test")
		}, 403, "Signature not yet current", "SignatureDoesNotMatch;Sender"},
		{"json signed for another service", func() *http.Request {
			return signedRequest(t, env.URL, "sns", "AmazonSQS.ListQueues", sqsBody, now, "test")
		}, 403, "Credential should be scoped to correct service: 'sqs'", ""},
		{"incomplete header", func() *http.Request {
			r := signedRequest(t, env.URL, "sqs", "AmazonSQS.ListQueues", sqsBody, now, "test")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request")
			return r
		}, 400, "IncompleteSignatureException", "IncompleteSignature;Sender"},
		{"unknown json target", func() *http.Request {
			return signedRequest(t, env.URL, "sqs", "AmazonSQS.Frobnicate", sqsBody, now, "test")
		}, 400, "UnknownOperationException", ""},
		{"unknown query action", func() *http.Request {
			return signedRequest(t, env.URL, "sts", "", "Action=Frobnicate", now, "test")
		}, 400, "<Code>InvalidAction</Code>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Fatalf("status %d body %s; want %d containing %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if tt.wantHeader != "" && resp.Header.Get("X-Amzn-Query-Error") != tt.wantHeader {
				t.Fatalf("x-amzn-query-error = %q, want %q", resp.Header.Get("X-Amzn-Query-Error"), tt.wantHeader)
			}
			if resp.Header.Get("X-Amzn-RequestId") == "" {
				t.Fatal("no request id")
			}
		})
	}
}

func TestPresignedQuery(t *testing.T) {
	env := localcloudtest.Start(t)
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	url, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, emptyHash, "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url, want string
	}{
		{url, "<Arn>arn:aws:iam::000000000000:root</Arn>"},
		{strings.Replace(url, "X-Amz-Signature=", "X-Amz-Signature=0", 1), "SignatureDoesNotMatch"},
	} {
		resp, err := http.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), tc.want) {
			t.Fatalf("GET presigned: %d %s, want %q", resp.StatusCode, body, tc.want)
		}
	}
}
