package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
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

// A Lambda-shaped restJson1 service: labels, query strings, headers, raw
// payloads and status codes.
type getConfigIn struct {
	FunctionName string `json:"-" location:"uri"`
	Qualifier    string `json:"-" location:"querystring"`
}

type getConfigOut struct {
	FunctionName string `json:"FunctionName"`
	Version      string `json:"Version"`
	RequestID    string `json:"-" location:"header" locationName:"X-Amzn-Trace-Id"`
}

type invokeIn struct {
	FunctionName   string `json:"-" location:"uri"`
	InvocationType string `json:"-" location:"header" locationName:"X-Amz-Invocation-Type"`
	Payload        []byte `location:"payload"`
}

type invokeOut struct {
	StatusCode      int    `location:"statusCode"`
	ExecutedVersion string `location:"header" locationName:"X-Amz-Executed-Version"`
	Payload         []byte `location:"payload"`
}

type createIn struct {
	FunctionName string            `json:"FunctionName"`
	Timeout      int               `json:"Timeout"`
	Tags         map[string]string `json:"Tags"`
}

type objectIn struct {
	Key string `json:"-" location:"uri"`
}

func restServer(t *testing.T) http.Handler {
	t.Helper()
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: iam.NewStaticCredentials(iam.RootCredential("000000000000", "test", "test")),
			Region: "us-east-1", Clock: clock.Real{}},
		Logger: slog.New(slog.DiscardHandler),
		IDs:    ids.New(rand.Reader),
	})
	srv.Register(&server.Service{
		Name: "lambda",
		Routes: []server.Route{
			{Method: "GET", Path: "/2015-03-31/functions/{FunctionName}/configuration", Operation: "GetFunctionConfiguration"},
			{Method: "POST", Path: "/2015-03-31/functions/{FunctionName}/invocations", Operation: "Invoke"},
			{Method: "POST", Path: "/2015-03-31/functions", Operation: "CreateFunction", Status: http.StatusCreated},
			{Method: "GET", Path: "/objects/{Key+}", Operation: "GetObject"},
		},
		Operations: map[string]server.Operation{
			"GetFunctionConfiguration": server.Op(func(_ context.Context, in *getConfigIn) (*getConfigOut, error) {
				if in.FunctionName == "missing" {
					return nil, &protocol.Error{Code: "ResourceNotFoundException", Message: "Function not found: " + in.FunctionName, Status: 404, Fault: protocol.Sender}
				}
				return &getConfigOut{FunctionName: in.FunctionName, Version: in.Qualifier, RequestID: "Root=1"}, nil
			}),
			"Invoke": server.Op(func(_ context.Context, in *invokeIn) (*invokeOut, error) {
				status := 200
				if in.InvocationType == "Event" {
					status = 202
				}
				return &invokeOut{StatusCode: status, ExecutedVersion: "$LATEST", Payload: append([]byte("echo:"), in.Payload...)}, nil
			}),
			"CreateFunction": server.Op(func(_ context.Context, in *createIn) (*createIn, error) { return in, nil }),
			"GetObject": server.Op(func(_ context.Context, in *objectIn) (*getConfigOut, error) {
				return &getConfigOut{FunctionName: in.Key}, nil
			}),
		},
	})
	return srv
}

func restCall(t *testing.T, h http.Handler, method, target string, body []byte, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:4566"+target, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "lambda", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRESTJSON(t *testing.T) {
	h := restServer(t)
	rec := restCall(t, h, "GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aingest/configuration?Qualifier=7", nil, nil)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || string(body) != `{"FunctionName":"arn:aws:lambda:us-east-1:000000000000:function:ingest","Version":"7"}` ||
		rec.Header().Get("X-Amzn-Trace-Id") != "Root=1" {
		t.Fatalf("GetFunctionConfiguration: %d %s %v", rec.Code, body, rec.Header())
	}

	rec = restCall(t, h, "POST", "/2015-03-31/functions/ingest/invocations", []byte(`{"a":1}`), map[string]string{"X-Amz-Invocation-Type": "Event"})
	if rec.Code != 202 || rec.Body.String() != `echo:{"a":1}` || rec.Header().Get("X-Amz-Executed-Version") != "$LATEST" {
		t.Fatalf("Invoke: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}

	rec = restCall(t, h, "POST", "/2015-03-31/functions", []byte(`{"FunctionName":"f","Timeout":3,"Tags":{"a":"b"}}`), map[string]string{"Content-Type": "application/json"})
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"Timeout":3`) || !strings.Contains(rec.Body.String(), `"Tags":{"a":"b"}`) {
		t.Fatalf("CreateFunction: %d %s", rec.Code, rec.Body.String())
	}

	rec = restCall(t, h, "GET", "/objects/a/b%20c/d.txt", nil, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"FunctionName":"a/b c/d.txt"`) {
		t.Fatalf("greedy label: %d %s", rec.Code, rec.Body.String())
	}

	errorCases := []struct {
		name, method, path, body string
		status                   int
		errType, message         string
	}{
		{"modelled error", "GET", "/2015-03-31/functions/missing/configuration", "", 404, "ResourceNotFoundException", "Function not found: missing"},
		{"unknown route", "DELETE", "/2015-03-31/nothing", "", 404, "UnknownOperationException", ""},
		{"bad json", "POST", "/2015-03-31/functions", `{"Timeout":`, 400, "SerializationException", ""},
		{"bad query type", "POST", "/2015-03-31/functions", `{"Timeout":"x"}`, 400, "SerializationException", ""},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := restCall(t, h, tc.method, tc.path, []byte(tc.body), nil)
			if rec.Code != tc.status || rec.Header().Get("X-Amzn-ErrorType") != tc.errType || !strings.Contains(rec.Body.String(), tc.message) {
				t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body.String())
			}
		})
	}

	// Bad signatures answer in the REST error shape.
	req := httptest.NewRequest("GET", "http://127.0.0.1:4566/2015-03-31/functions/f/configuration", nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "wrong"},
		req, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "lambda", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 403 || rec.Header().Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
		t.Fatalf("bad signature: %d %v %s", rec.Code, rec.Header(), rec.Body.String())
	}
}
