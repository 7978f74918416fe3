package protocol

import (
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"testing"
)

type attrValue struct {
	DataType    string   `json:"DataType"`
	StringValue *string  `json:"StringValue,omitempty"`
	BinaryValue []byte   `json:"BinaryValue,omitempty"`
	StringList  []string `json:"StringListValues,omitempty" query:"StringListValue,flat"`
}

type entry struct {
	ID    string               `json:"Id" query:"Id"`
	Body  *string              `json:"MessageBody"`
	Delay *int                 `json:"DelaySeconds"`
	Attrs map[string]attrValue `json:"MessageAttributes" query:"MessageAttribute,flat,key=Name,value=Value"`
}

type batchInput struct {
	QueueURL string            `json:"QueueUrl" query:"QueueUrl"`
	Entries  []entry           `json:"Entries" query:"SendMessageBatchRequestEntry,flat"`
	Names    []string          `json:"AttributeNames" query:"AttributeName,flat"`
	Tags     []tag             `json:"Tags"`
	Attrs    map[string]string `json:"Attributes"`
	Raw      bool              `json:"Raw"`
	Skipped  string            `query:"-"`
}

type tag struct {
	Key   string `query:"Key"`
	Value string `query:"Value"`
}

func TestDecodeQuery(t *testing.T) {
	form, _ := url.ParseQuery("QueueUrl=http%3A%2F%2Fh%2F1%2Fq&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=hi" +
		"&SendMessageBatchRequestEntry.1.DelaySeconds=5&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k" +
		"&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v" +
		"&SendMessageBatchRequestEntry.2.Id=b&AttributeName.1=All&AttributeName.2=Policy&Tags.member.1.Key=t&Tags.member.1.Value=u" +
		"&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=D&Raw=true&Skipped=x")
	var in batchInput
	if err := DecodeQuery(form, &in); err != nil {
		t.Fatal(err)
	}
	if in.QueueURL != "http://h/1/q" || len(in.Entries) != 2 || in.Entries[0].ID != "a" || *in.Entries[0].Body != "hi" ||
		*in.Entries[0].Delay != 5 || *in.Entries[0].Attrs["k"].StringValue != "v" || in.Entries[1].Body != nil {
		t.Fatalf("decoded %+v", in)
	}
	if strings.Join(in.Names, ",") != "All,Policy" || in.Tags[0] != (tag{"t", "u"}) || in.Attrs["DisplayName"] != "D" || !in.Raw || in.Skipped != "" {
		t.Fatalf("decoded %+v", in)
	}
	form.Set("Raw", "maybe")
	var pe *Error
	if err := DecodeQuery(form, &in); !errors.As(err, &pe) || pe.Code != "InvalidParameterValue" {
		t.Fatalf("bad bool: %v", err)
	}
}

func TestQueryResponseRoundTrip(t *testing.T) {
	s := "v"
	out := batchInput{QueueURL: "u&<>", Entries: []entry{{ID: "a", Attrs: map[string]attrValue{"k": {DataType: "String", StringValue: &s}}}},
		Names: []string{"x", "y"}, Tags: []tag{{"t", "u"}}, Attrs: map[string]string{"empty": ""}}
	b := QueryResponse("Op", "urn:ns", "rid", &out)
	var doc struct {
		XMLName xml.Name `xml:"urn:ns OpResponse"`
		Result  struct {
			QueueURL string `xml:"QueueUrl"`
			Entries  []struct {
				ID    string `xml:"Id"`
				Attrs []struct {
					Name  string `xml:"Name"`
					Value string `xml:"Value>StringValue"`
				} `xml:"MessageAttribute"`
			} `xml:"SendMessageBatchRequestEntry"`
			Names []string `xml:"AttributeName"`
			Tags  []tag    `xml:"Tags>member"`
			Attrs []struct {
				Key   string `xml:"key"`
				Value string `xml:"value"`
			} `xml:"Attributes>entry"`
		} `xml:"OpResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if doc.Result.QueueURL != "u&<>" || doc.Result.Entries[0].Attrs[0].Value != "v" || len(doc.Result.Names) != 2 ||
		doc.Result.Tags[0].Key != "t" || len(doc.Result.Attrs) != 1 || doc.RequestID != "rid" {
		t.Fatalf("round trip %+v\n%s", doc, b)
	}
	if b := QueryResponse("Del", "", "r", &struct{}{}); strings.Contains(string(b), "DelResult") {
		t.Fatalf("empty output has a result element: %s", b)
	}
}

func TestErrors(t *testing.T) {
	e := &Error{Code: "QueueDoesNotExist", QueryCode: "AWS.SimpleQueueService.NonExistentQueue", Message: "m", Status: 400, Fault: Sender}
	body, h := JSONError(e, "com.amazonaws.sqs", true)
	if string(body) != `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"m"}` || h.Get("X-Amzn-Query-Error") != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Fatalf("json error %s %v", body, h)
	}
	x := string(QueryError(e, "urn:ns", "rid"))
	if !strings.Contains(x, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") || !strings.Contains(x, "<RequestId>rid</RequestId>") {
		t.Fatalf("query error %s", x)
	}
}

// Fields join the JSON error body; a "Message" field replaces "message",
// and the type cannot be overridden.
func TestErrorFields(t *testing.T) {
	e := &Error{Code: "TransactionCanceledException", Message: "cancelled", Status: 400, Fault: Sender,
		Fields: map[string]any{"CancellationReasons": []map[string]string{{"Code": "None"}}, "Message": "cancelled", "__type": "x", "Type": "y"}}
	body, _ := JSONError(e, "ns", false)
	if want := `{"CancellationReasons":[{"Code":"None"}],"Message":"cancelled","Type":"y","__type":"ns#TransactionCanceledException"}`; string(body) != want {
		t.Fatalf("awsJson error\n got %s\nwant %s", body, want)
	}
	e.Fields = map[string]any{"Item": map[string]string{"k": "v"}, "Type": "y"}
	body, _ = RESTJSONError(e)
	if want := `{"Item":{"k":"v"},"Type":"User","message":"cancelled"}`; string(body) != want {
		t.Fatalf("restJson error\n got %s\nwant %s", body, want)
	}
	e.Fields = map[string]any{"Bad": func() {}}
	body, _ = JSONError(e, "ns", false)
	if want := `{"__type":"ns#TransactionCanceledException","message":"cancelled"}`; string(body) != want {
		t.Fatalf("unencodable field\n got %s\nwant %s", body, want)
	}
}
