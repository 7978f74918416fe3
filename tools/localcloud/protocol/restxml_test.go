package protocol_test

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

type xmlIn struct {
	Bucket   string            `location:"uri"`
	Key      string            `location:"uri"`
	MaxKeys  int               `location:"querystring" locationName:"max-keys"`
	Quiet    bool              `location:"querystring" locationName:"quiet"`
	Type     string            `location:"header" locationName:"Content-Type"`
	Meta     map[string]string `location:"headers" locationName:"x-amz-meta-"`
	Document *struct {
		Items []string `xml:"Item"`
	} `location:"payload"`
}

type xmlOut struct {
	XMLName  xml.Name          `xml:"Result"`
	Name     string            `xml:"Name"`
	ETag     string            `xml:"-" location:"header" locationName:"ETag"`
	Modified time.Time         `xml:"-" location:"header" locationName:"Last-Modified"`
	Meta     map[string]string `xml:"-" location:"headers" locationName:"x-amz-meta-"`
	Status   int               `xml:"-" location:"statusCode"`
}

type rawOut struct {
	Length int64         `location:"header" locationName:"Content-Length"`
	Body   io.ReadCloser `location:"payload"`
}

func TestDecodeRESTXML(t *testing.T) {
	req := protocol.RESTRequest{
		PathParams: map[string]string{"Bucket": "b", "Key": "k/1"},
		Query:      url.Values{"max-keys": {"5"}, "quiet": {"true"}},
		Header:     http.Header{"Content-Type": {"text/plain"}, "X-Amz-Meta-Owner": {"me"}, "X-Amz-Meta-Stage": {"dev"}},
	}
	var in xmlIn
	if err := protocol.DecodeRESTXML(req, strings.NewReader("<Doc><Item>a</Item><Item>b</Item></Doc>"), &in); err != nil {
		t.Fatal(err)
	}
	if in.Bucket != "b" || in.Key != "k/1" || in.MaxKeys != 5 || !in.Quiet || in.Type != "text/plain" ||
		in.Meta["owner"] != "me" || in.Meta["stage"] != "dev" || in.Document == nil || strings.Join(in.Document.Items, ",") != "a,b" {
		t.Fatalf("%+v", in)
	}
	// An empty payload leaves the document nil.
	var empty xmlIn
	if err := protocol.DecodeRESTXML(protocol.RESTRequest{}, strings.NewReader(""), &empty); err != nil || empty.Document != nil {
		t.Fatalf("empty payload: %v %+v", err, empty)
	}
	bad := []struct {
		name string
		req  protocol.RESTRequest
		body string
		code string
	}{
		{"malformed xml", protocol.RESTRequest{}, "<Doc><Item>", "MalformedXML"},
		{"too big", protocol.RESTRequest{}, "<Doc>" + strings.Repeat("x", protocol.MaxXMLPayload) + "</Doc>", "MaxMessageLengthExceeded"},
		{"bad integer", protocol.RESTRequest{Query: url.Values{"max-keys": {"many"}}}, "", ""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var in xmlIn
			err := protocol.DecodeRESTXML(tc.req, strings.NewReader(tc.body), &in)
			var pe *protocol.Error
			if !errors.As(err, &pe) || (tc.code != "" && pe.Code != tc.code) || pe.Status != 400 {
				t.Fatalf("%v", err)
			}
		})
	}
}

func TestEncodeRESTXML(t *testing.T) {
	mod := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	resp, err := protocol.EncodeRESTXML(&xmlOut{Name: "n", ETag: `"e"`, Modified: mod, Meta: map[string]string{"owner": "me"}, Status: 206}, 200)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.Status != 206 || resp.Header.Get("ETag") != `"e"` || resp.Header.Get("Last-Modified") != "Fri, 27 Nov 2026 09:00:00 GMT" ||
		resp.Header.Get("X-Amz-Meta-Owner") != "me" || string(body) != xml.Header+"<Result><Name>n</Name></Result>" {
		t.Fatalf("%d %v %s", resp.Status, resp.Header, body)
	}
	resp, err = protocol.EncodeRESTXML(&rawOut{Length: 3, Body: io.NopCloser(strings.NewReader("abc"))}, 200)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if string(body) != "abc" || resp.Header.Get("Content-Length") != "3" {
		t.Fatalf("stream: %v %s", resp.Header, body)
	}
	resp, err = protocol.EncodeRESTXML(&struct{}{}, 204)
	if err != nil || resp.Body != nil || resp.Status != 204 {
		t.Fatalf("empty output: %v %+v", err, resp)
	}
	e := protocol.RESTXMLError(&protocol.Error{Code: "NoSuchKey", Message: "The specified key does not exist."}, "/b/k", "req-1")
	if string(e) != xml.Header+"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>/b/k</Resource><RequestId>req-1</RequestId><HostId>req-1</HostId></Error>" {
		t.Fatalf("error body: %s", e)
	}
}
