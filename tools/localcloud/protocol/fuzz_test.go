package protocol

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"testing"
)

// FuzzDecodeQuery decodes arbitrary form bodies into a shape with nested
// flat and member lists, maps and scalars, then encodes the result as XML:
// neither may panic, and the XML must parse.
func FuzzDecodeQuery(f *testing.F) {
	for _, seed := range []string{
		"Action=SendMessage&QueueUrl=http%3A%2F%2Fh%2F0%2Fq&MessageBody=x",
		"SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String",
		"SendMessageBatchRequestEntry.1.DelaySeconds=99999999999999999999",
		"Tags.member.1.Key=a&Tags.member.2.Value=b&Attributes.entry.1.key=k&Attributes.entry.1.value=v",
		"AttributeName.1=All&AttributeName.3=x&Raw=TRUE",
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.BinaryValue=%%%",
		"a.b.c.d=1&.=2&..=3&SendMessageBatchRequestEntry..Id=4",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		var in batchInput
		if err := DecodeQuery(form, &in); err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		out := QueryResponse("Op", "urn:x", "rid", &in)
		var v any
		if err := xml.Unmarshal(out, &v); err != nil {
			t.Fatalf("response is not XML: %v\n%s", err, out)
		}
	})
}

// FuzzDecodeJSON decodes arbitrary awsJson bodies; failures must be typed
// SerializationExceptions.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"b","MessageAttributes":{"k":{"DataType":"Binary","BinaryValue":"AAE="}}}]}`))
	f.Add([]byte(`{"Entries":[{"DelaySeconds":1e99}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in batchInput
		if err := DecodeJSON(body, &in); err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Code != "SerializationException" {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if _, err := EncodeJSON(&in); err != nil {
			t.Fatal(err)
		}
	})
}

type restIn struct {
	Name    string            `json:"-" location:"uri"`
	Limit   *int              `json:"-" location:"querystring"`
	Tags    []string          `json:"-" location:"querystring" locationName:"tag"`
	Flag    bool              `json:"-" location:"header" locationName:"X-Flag"`
	Meta    map[string]string `json:"-" location:"headers" locationName:"X-Meta-"`
	Timeout int               `json:"Timeout"`
	Env     map[string]string `json:"Env"`
}

// FuzzDecodeRESTJSON binds arbitrary labels, query strings, headers and
// bodies; failures must be typed API errors and encoding must succeed.
func FuzzDecodeRESTJSON(f *testing.F) {
	f.Add("fn", "Limit=5&tag=a&tag=b", "true", "m", []byte(`{"Timeout":3,"Env":{"A":"1"}}`))
	f.Add("", "Limit=x", "maybe", "", []byte(`{"Timeout":"3"}`))
	f.Add("a%2Fb", "%zz", "", "\x00", []byte(`[`))
	f.Fuzz(func(t *testing.T, label, query, flag, meta string, body []byte) {
		q, _ := url.ParseQuery(query)
		h := http.Header{}
		h.Set("X-Flag", flag)
		h.Set("X-Meta-Color", meta)
		var in restIn
		err := DecodeRESTJSON(RESTRequest{PathParams: map[string]string{"Name": label}, Query: q, Header: h, Body: body}, &in)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if _, err := EncodeRESTJSON(&in, 200); err != nil {
			t.Fatal(err)
		}
	})
}
