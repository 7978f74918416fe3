package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
)

var s3Routes = []Route{
	{Method: "GET", Path: "/", Operation: "ListBuckets"},
	{Method: "GET", Path: "/{Bucket}", Operation: "ListObjects"},
	{Method: "GET", Path: "/{Bucket}?list-type=2", Operation: "ListObjectsV2"},
	{Method: "GET", Path: "/{Bucket}?uploads", Operation: "ListMultipartUploads"},
	{Method: "PUT", Path: "/{Bucket}", Operation: "CreateBucket"},
	{Method: "PUT", Path: "/{Bucket}/{Key+}", Operation: "PutObject"},
	{Method: "PUT", Path: "/{Bucket}/{Key+}?partNumber&uploadId", Operation: "UploadPart"},
	{Method: "POST", Path: "/{Bucket}/{Key+}?uploads", Operation: "CreateMultipartUpload"},
	{Method: "GET", Path: "/2015-03-31/functions/{FunctionName}", Operation: "GetFunction"},
}

func TestRouteREST(t *testing.T) {
	svc := &Service{Routes: s3Routes}
	cases := []struct {
		method, target, op string
		params             map[string]string
	}{
		{"GET", "/", "ListBuckets", map[string]string{}},
		{"GET", "/b", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b/", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b?list-type=2&prefix=x", "ListObjectsV2", map[string]string{"Bucket": "b"}},
		{"GET", "/b?list-type=1", "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b?uploads", "ListMultipartUploads", map[string]string{"Bucket": "b"}},
		{"PUT", "/b/a/b%20c/", "PutObject", map[string]string{"Bucket": "b", "Key": "a/b c/"}},
		{"PUT", "/b//lead", "PutObject", map[string]string{"Bucket": "b", "Key": "/lead"}},
		{"PUT", "/b/k?partNumber=2&uploadId=u", "UploadPart", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k?uploadId=u", "PutObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"POST", "/b/k?uploads", "CreateMultipartUpload", map[string]string{"Bucket": "b", "Key": "k"}},
		{"GET", "/2015-03-31/functions/f", "GetFunction", map[string]string{"FunctionName": "f"}},
		{"DELETE", "/b", "", nil},
		{"PUT", "/b/%zz", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			u, err := url.Parse(tc.target)
			if err != nil {
				u = &url.URL{Path: tc.target, RawPath: tc.target}
			}
			path := u.EscapedPath()
			if strings.Contains(tc.target, "%zz") {
				path = tc.target
			}
			rt, params, ok := routeREST(svc, tc.method, path, u.Query())
			if tc.op == "" {
				if ok {
					t.Fatalf("matched %s", rt.Operation)
				}
				return
			}
			if !ok || rt.Operation != tc.op {
				t.Fatalf("got %q %v, want %q", rt.Operation, ok, tc.op)
			}
			for k, v := range tc.params {
				if params[k] != v {
					t.Fatalf("param %s = %q, want %q (%v)", k, params[k], v, params)
				}
			}
		})
	}
}

type echoIn struct {
	Bucket string            `location:"uri"`
	Key    string            `location:"uri"`
	Prefix string            `location:"querystring" locationName:"prefix"`
	Max    int               `location:"querystring" locationName:"max-keys"`
	Type   string            `location:"header" locationName:"Content-Type"`
	Meta   map[string]string `location:"headers" locationName:"x-amz-meta-"`
	Body   io.Reader         `location:"payload"`
}

type echoOut struct {
	XMLName xml.Name          `xml:"Echo"`
	Bucket  string            `xml:"Bucket"`
	Key     string            `xml:"Key"`
	Prefix  string            `xml:"Prefix"`
	Max     int               `xml:"Max"`
	Body    string            `xml:"Body"`
	ETag    string            `xml:"-" location:"header" locationName:"ETag"`
	Meta    map[string]string `xml:"-" location:"headers" locationName:"x-amz-meta-"`
}

type streamIn struct {
	Body io.Reader `location:"payload"`
}

type tagIn struct {
	Bucket  string `location:"uri"`
	Tagging *struct {
		Tags []string `xml:"TagSet>Tag>Key"`
	} `location:"payload"`
}

func xmlServer(t testing.TB) *Server {
	srv := New(Config{
		Verifier: &sigv4.Verifier{Credentials: iam.NewStaticCredentials(iam.RootCredential("000000000000", "test", "test")),
			Region: "us-east-1", Clock: clock.Real{}},
		IDs: ids.New(rand.Reader),
	})
	echo := Op(func(_ context.Context, in *streamIn) (*echoOut, error) {
		b, err := io.ReadAll(in.Body)
		if err != nil {
			return nil, err
		}
		return &echoOut{Body: string(b), ETag: `"e"`}, nil
	})
	srv.Register(&Service{Name: "s3", RESTXML: true, Routes: []Route{
		{Method: "PUT", Path: "/{Bucket}/{Key+}", Operation: "Put"},
		{Method: "GET", Path: "/{Bucket}", Operation: "List"},
		{Method: "PUT", Path: "/{Bucket}?tagging", Operation: "Tag"},
		{Method: "POST", Path: "/{Bucket}/{Key+}", Operation: "Echo"},
		{Method: "GET", Path: "/{Bucket}?boom", Operation: "Boom"},
	}, Operations: map[string]Operation{
		"Boom": Op(func(context.Context, *struct{}) (*struct{}, error) { panic("boom") }),
		"Put": Op(func(_ context.Context, in *echoIn) (*echoOut, error) {
			b, err := io.ReadAll(in.Body)
			if err != nil {
				return nil, err
			}
			return &echoOut{Bucket: in.Bucket, Key: in.Key, Body: string(b), ETag: `"x"`, Meta: in.Meta}, nil
		}),
		"List": Op(func(_ context.Context, in *echoIn) (*echoOut, error) {
			if in.Bucket == "missing" {
				return nil, &protocol.Error{Code: "NoSuchBucket", Message: "The specified bucket does not exist", Status: 404, Fault: protocol.Sender}
			}
			return &echoOut{Bucket: in.Bucket, Prefix: in.Prefix, Max: in.Max}, nil
		}),
		"Tag": Op(func(_ context.Context, in *tagIn) (*echoOut, error) {
			out := &echoOut{Bucket: in.Bucket}
			if in.Tagging != nil {
				out.Body = strings.Join(in.Tagging.Tags, ",")
			}
			return out, nil
		}),
		"Echo": echo,
	}})
	return srv
}

func signS3(t testing.TB, req *http.Request, payloadHash string) {
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, payloadHash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestRESTXML(t *testing.T) {
	srv := xmlServer(t)
	call := func(method, target, body string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://127.0.0.1:4566"+target, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		signS3(t, req, sigv4.UnsignedPayload)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	rec := call("PUT", "/bkt/dir/a%20b", "payload", map[string]string{"X-Amz-Meta-Owner": "me"})
	if rec.Code != 200 || rec.Header().Get("ETag") != `"x"` || rec.Header().Get("X-Amz-Meta-Owner") != "me" ||
		!strings.Contains(rec.Body.String(), "<Key>dir/a b</Key>") || !strings.Contains(rec.Body.String(), "<Body>payload</Body>") ||
		!strings.HasPrefix(rec.Body.String(), "<?xml") {
		t.Fatalf("put: %d %v %s", rec.Code, rec.Header(), rec.Body.String())
	}
	rec = call("GET", "/bkt?prefix=p&max-keys=7", "", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<Prefix>p</Prefix><Max>7</Max>") {
		t.Fatalf("list: %d %s", rec.Code, rec.Body.String())
	}
	rec = call("PUT", "/bkt?tagging", "<Tagging><TagSet><Tag><Key>a</Key></Tag><Tag><Key>b</Key></Tag></TagSet></Tagging>", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<Body>a,b</Body>") {
		t.Fatalf("xml payload: %d %s", rec.Code, rec.Body.String())
	}
	errorCases := []struct {
		name, method, target, body string
		status                     int
		code                       string
	}{
		{"modelled error", "GET", "/missing", "", 404, "NoSuchBucket"},
		{"malformed xml", "PUT", "/bkt?tagging", "<Tagging><TagSet>", 400, "MalformedXML"},
		{"bad integer", "GET", "/bkt?max-keys=x", "", 400, ""},
		{"unknown route", "DELETE", "/bkt", "", 501, "NotImplemented"},
		{"panic", "GET", "/bkt?boom", "", 500, "InternalError"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(tc.method, tc.target, tc.body, nil)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), "<Code>"+tc.code) || !strings.Contains(rec.Body.String(), "<RequestId>") {
				t.Fatalf("%d %s", rec.Code, rec.Body.String())
			}
		})
	}
	// HEAD errors have no body.
	req := httptest.NewRequest("HEAD", "http://127.0.0.1:4566/missing", nil)
	signS3(t, req, sigv4.UnsignedPayload)
	head := httptest.NewRecorder()
	srv.ServeHTTP(head, req)
	if head.Code != 501 || head.Body.Len() != 0 {
		t.Fatalf("HEAD error: %d %q", head.Code, head.Body.String())
	}
}

// FuzzRESTRoute sends arbitrary signed REST requests through routing,
// SigV4 payload checks and the restXml decoder: the answer is never a
// panic (500).
func FuzzRESTRoute(f *testing.F) {
	f.Add("PUT", "/bkt/a/b", "prefix=x", "body", "x-amz-meta-a", false)
	f.Add("GET", "/bkt", "max-keys=-1&list-type=2", "", "Content-Type", false)
	f.Add("PUT", "/bkt", "tagging", "<Tagging><TagSet><Tag><Key>a</Key>", "x", false)
	f.Add("POST", "/bkt/k", "", "5;chunk-signature=00\r\nhello\r\n0;chunk-signature=00\r\n\r\n", "x", true)
	f.Add("POST", "/bkt/k", "", "zz\r\n", "x", true)
	srv := xmlServer(f)
	f.Fuzz(func(t *testing.T, method, path, rawQuery, body, header string, chunked bool) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t?#") || strings.ContainsAny(rawQuery, " \r\n\t#") {
			return
		}
		switch method {
		case "GET", "PUT", "POST", "DELETE", "HEAD":
		default:
			return
		}
		target := "http://127.0.0.1:4566" + path
		if rawQuery != "" {
			target += "?" + rawQuery
		}
		req, err := http.NewRequest(method, target, bytes.NewReader([]byte(body)))
		if err != nil {
			return
		}
		if h := http.CanonicalHeaderKey(header); header != "" && !strings.ContainsAny(header, " :\r\n\t") && len(h) < 64 {
			req.Header.Set(h, body[:min(len(body), 16)])
		}
		hash := sigv4.UnsignedPayload
		if chunked {
			hash = sigv4.StreamingSigned
			req.Header.Set("Content-Encoding", "aws-chunked")
		}
		signS3(t, req, hash)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s?%s: %d %s", method, path, rawQuery, rec.Code, rec.Body.String())
		}
		u, err := url.Parse(target)
		if err == nil {
			_, _, _ = routeREST(&Service{Routes: s3Routes}, method, u.EscapedPath(), u.Query())
		}
	})
}
