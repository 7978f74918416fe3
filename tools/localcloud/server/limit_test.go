package server_test

import (
	"context"
	"crypto/rand"
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
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
)

type sizeIn struct {
	Data string `json:"Data"`
}

type sizeOut struct {
	Size int `json:"Size"`
}

// Each service bounds its request bodies: the default, or its own limit
// answered in its own words; either way in the request's protocol.
func TestBodyLimits(t *testing.T) {
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: iam.NewStaticCredentials(iam.RootCredential("000000000000", "test", "test")),
			Region: "us-east-1", Clock: clock.Real{}},
		IDs: ids.New(rand.Reader),
	})
	size := server.Op(func(_ context.Context, in *sizeIn) (*sizeOut, error) { return &sizeOut{Size: len(in.Data)}, nil })
	srv.Register(&server.Service{Name: "small", JSONTargetPrefix: "Small", JSONVersion: "1.0", JSONNamespace: "com.example.small",
		Query: true, XMLNamespace: "urn:small", Operations: map[string]server.Operation{"Size": size}})
	srv.Register(&server.Service{Name: "big", JSONTargetPrefix: "Big", JSONVersion: "1.0", JSONNamespace: "com.example.big",
		MaxBodyBytes: 12 << 20,
		BodyTooLarge: func(op string, limit int64) *protocol.Error {
			e := protocol.Errorf("TooBigException", "%s may carry %d bytes", op, limit)
			e.Status = http.StatusRequestEntityTooLarge
			return e
		},
		Operations: map[string]server.Operation{"Size": size}})

	post := func(service, target, contentType, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
			req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	jsonOf := func(n int) string { return `{"Data":"` + strings.Repeat("a", n) + `"}` }
	const json = "application/x-amz-json-1.0"
	tests := []struct {
		name, service, target, contentType, body string
		status                                   int
		contentTypeOut, want                     string
	}{
		{"default limit, json", "small", "Small.Size", json, jsonOf(9 << 20), 413, json,
			`{"__type":"com.amazon.coral.service#RequestEntityTooLarge","message":"Request body must be no larger than 8388608 bytes."}`},
		{"default limit, query", "small", "", "application/x-www-form-urlencoded", "Action=Size&Data=" + strings.Repeat("a", 9<<20), 413, "text/xml",
			"<Code>RequestEntityTooLarge</Code>"},
		{"within the service's limit", "big", "Big.Size", json, jsonOf(11 << 20), 200, json, `{"Size":11534336}`},
		{"over the service's limit", "big", "Big.Size", json, jsonOf(13 << 20), 413, json,
			`{"__type":"com.example.big#TooBigException","message":"Size may carry 12582912 bytes"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := post(tt.service, tt.target, tt.contentType, tt.body)
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != tt.contentTypeOut || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("%d %s %s; want %d %s containing %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body, tt.status, tt.contentTypeOut, tt.want)
			}
		})
	}
}
