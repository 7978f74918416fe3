package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func verifier(creds ...iam.Credential) *Verifier {
	if len(creds) == 0 {
		creds = []iam.Credential{iam.RootCredential("000000000000", "test", "test")}
	}
	return &Verifier{Credentials: iam.NewStaticCredentials(creds...), Region: "us-east-1", Clock: clock.NewManual(now)}
}

func signed(t testing.TB, body string, at time.Time, mutate func(*http.Request)) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/path%20x/?b=2&a=1&a=0", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Custom", "  spaced   value ")
	if mutate != nil {
		mutate(req)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", SessionToken: req.Header.Get("X-Test-Token")},
		req, hex.EncodeToString(sum[:]), "sqs", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		v    *Verifier
		req  func() *http.Request
		body string
		kind Kind
	}{
		{"valid", verifier(), func() *http.Request { return signed(t, "x=1", now, nil) }, "x=1", 0},
		{"tampered body", verifier(), func() *http.Request { return signed(t, "x=1", now, nil) }, "x=2", Mismatch},
		{"tampered header", verifier(), func() *http.Request {
			r := signed(t, "x=1", now, nil)
			r.Header.Set("X-Custom", "other")
			return r
		}, "x=1", Mismatch},
		{"14 minutes old", verifier(), func() *http.Request { return signed(t, "", now.Add(-14*time.Minute), nil) }, "", 0},
		{"16 minutes old", verifier(), func() *http.Request { return signed(t, "", now.Add(-16*time.Minute), nil) }, "", Skewed},
		{"wrong region", &Verifier{Credentials: verifier().Credentials, Region: "eu-west-1", Clock: clock.NewManual(now)},
			func() *http.Request { return signed(t, "", now, nil) }, "", Mismatch},
		{"unknown key", verifier(iam.RootCredential("000000000000", "other", "test")), func() *http.Request { return signed(t, "", now, nil) }, "", UnknownKey},
		{"session token required", verifier(iam.Credential{AccessKeyID: "test", SecretAccessKey: "test", SessionToken: "tok"}),
			func() *http.Request { return signed(t, "", now, nil) }, "", UnknownKey},
		{"session token given", verifier(iam.Credential{AccessKeyID: "test", SecretAccessKey: "test", SessionToken: "tok"}),
			func() *http.Request {
				return signed(t, "", now, func(r *http.Request) { r.Header.Set("X-Test-Token", "tok") })
			}, "", 0},
		{"missing", verifier(), func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }, "", Missing},
		{"malformed", verifier(), func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=a/b")
			return r
		}, "", Incomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, _, err := tt.v.Verify(ctx, tt.req(), []byte(tt.body))
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if cred.AccessKeyID != "test" {
					t.Fatalf("credential = %+v", cred)
				}
				return
			}
			if err == nil || err.Kind != tt.kind {
				t.Fatalf("err = %v, want kind %d", err, tt.kind)
			}
		})
	}
}

func TestPresigned(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/?Action=GetCallerIdentity", nil)
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, emptyHash, "sts", "us-east-1", now)
	if err != nil {
		t.Fatal(err)
	}
	v := verifier()
	good := httptest.NewRequest(http.MethodGet, u, nil)
	if _, scope, err := v.Verify(context.Background(), good, nil); err != nil || scope.Service != "sts" {
		t.Fatalf("presigned rejected: %v", err)
	}
	v.Clock.(*clock.Manual).Advance(16 * time.Minute)
	if _, _, err := v.Verify(context.Background(), httptest.NewRequest(http.MethodGet, u, nil), nil); err == nil || err.Kind != Expired {
		t.Fatalf("expired presign: %v", err)
	}
}

// FuzzVerify feeds arbitrary Authorization headers, dates and bodies to the
// verifier: it must never panic and never accept a signature it did not
// compute.
func FuzzVerify(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=test/20261127/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20261127T120000Z", "body")
	f.Add("AWS4-HMAC-SHA256 Credential=test/x/y/z/aws4_request,SignedHeaders=,Signature=", "2026", "")
	f.Add("AWS4-HMAC-SHA256 ,,,==,", "", "")
	f.Add("Bearer abc", "20261127T120000Z", "")
	v := verifier()
	f.Fuzz(func(t *testing.T, auth, date, body string) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("X-Amz-Date", date)
		_, _, err := v.Verify(context.Background(), req, []byte(body))
		if err == nil {
			t.Fatalf("accepted a fuzzed signature: %q", auth)
		}
	})
}
