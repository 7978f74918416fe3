package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
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

type echoIn struct {
	Name string `json:"Name"`
	Mode string `json:"Mode"`
}

type echoOut struct {
	Greeting string `json:"Greeting"`
	Caller   string `json:"Caller"`
}

func testServer(t *testing.T, logs *bytes.Buffer) http.Handler {
	t.Helper()
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: iam.NewStaticCredentials(iam.RootCredential("000000000000", "test", "test")),
			Region: "us-east-1", Clock: clock.Real{}},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		IDs:    ids.New(rand.Reader),
	})
	echo := func(ctx context.Context, in *echoIn) (*echoOut, error) {
		switch in.Mode {
		case "panic":
			panic("boom")
		case "plain-error":
			return nil, errors.New("disk on fire")
		case "api-error":
			return nil, protocol.Errorf("ValidationException", "bad %s", in.Name)
		}
		p, _ := iam.PrincipalFrom(ctx)
		return &echoOut{Greeting: "hello " + in.Name, Caller: p.ARN}, nil
	}
	srv.Register(&server.Service{
		Name: "echo", JSONTargetPrefix: "Echo_2026", JSONVersion: "1.1", JSONNamespace: "com.example.echo",
		Query: true, XMLNamespace: "urn:echo",
		Operations: map[string]server.Operation{"Echo": server.Op(echo)},
	})
	return srv
}

func call(t *testing.T, h http.Handler, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "echo", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRoutingAndErrorShapes(t *testing.T) {
	var logs bytes.Buffer
	h := testServer(t, &logs)
	tests := []struct {
		name, target, body string
		status             int
		want               string
	}{
		{"json ok", "Echo_2026.Echo", `{"Name":"ann"}`, 200, `{"Greeting":"hello ann","Caller":"arn:aws:iam::000000000000:root"}`},
		{"query ok", "", "Action=Echo&Name=bob", 200, "<EchoResponse xmlns=\"urn:echo\"><EchoResult><Greeting>hello bob</Greeting>"},
		{"json api error", "Echo_2026.Echo", `{"Name":"x","Mode":"api-error"}`, 400, `{"__type":"com.example.echo#ValidationException","message":"bad x"}`},
		{"query api error", "", "Action=Echo&Name=x&Mode=api-error", 400, "<Code>ValidationException</Code><Message>bad x</Message>"},
		{"json panic", "Echo_2026.Echo", `{"Mode":"panic"}`, 500, `"__type":"com.amazon.coral.service#InternalFailure"`},
		{"query panic", "", "Action=Echo&Mode=panic", 500, "<Type>Receiver</Type><Code>InternalFailure</Code>"},
		{"plain error", "Echo_2026.Echo", `{"Mode":"plain-error"}`, 500, "InternalFailure"},
		{"bad json", "Echo_2026.Echo", `{"Name":`, 400, "SerializationException"},
		{"unknown json op", "Echo_2026.Nope", `{}`, 400, "UnknownOperationException"},
		{"unknown query op", "", "Action=Nope", 400, "<Code>InvalidAction</Code>"},
		{"missing action", "", "Name=x", 400, "<Code>MissingAction</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := call(t, h, tt.target, tt.body)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("%d %s; want %d containing %s", rec.Code, rec.Body, tt.status, tt.want)
			}
			if len(rec.Header().Get("X-Amzn-RequestId")) != 36 {
				t.Fatalf("request id %q", rec.Header().Get("X-Amzn-RequestId"))
			}
		})
	}
	if !strings.Contains(logs.String(), "request panicked") || !strings.Contains(logs.String(), "disk on fire") {
		t.Fatalf("panics and internal errors are not logged:\n%s", logs.String())
	}
}
