package sqs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// queryCall posts a SigV4-signed awsQuery form, as API Gateway's SQS
// integration and older SDKs do, and returns status and body.
func queryCall(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "sqs", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestQueryProtocol(t *testing.T) {
	c, env := newClient(t)
	qURL := createQueue(t, c, "api", nil)

	status, body := queryCall(t, env.URL+"/", map[string][]string{
		"Action": {"CreateQueue"}, "Version": {"2012-11-05"}, "QueueName": {"viaquery"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"40"},
		"Tag.1.Key": {"team"}, "Tag.1.Value": {"orders"},
	})
	if status != 200 || !strings.Contains(body, "<QueueUrl>"+env.URL+"/000000000000/viaquery</QueueUrl>") {
		t.Fatalf("CreateQueue: %d %s", status, body)
	}

	// Post to the queue URL itself, no QueueUrl parameter, like API Gateway.
	status, body = queryCall(t, qURL, map[string][]string{
		"Action": {"SendMessage"}, "MessageBody": {"from api gateway"},
		"MessageAttribute.1.Name": {"source"}, "MessageAttribute.1.Value.DataType": {"String"},
		"MessageAttribute.1.Value.StringValue": {"apigw"},
	})
	var sent struct {
		Result struct {
			MessageID        string `xml:"MessageId"`
			MD5OfMessageBody string `xml:"MD5OfMessageBody"`
			MD5OfAttrs       string `xml:"MD5OfMessageAttributes"`
		} `xml:"SendMessageResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &sent); err != nil || status != 200 || sent.Result.MessageID == "" || sent.RequestID == "" {
		t.Fatalf("SendMessage: %d %s (%v)", status, body, err)
	}
	if !strings.Contains(body, `<SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">`) {
		t.Fatalf("SendMessage response element: %s", body)
	}

	status, body = queryCall(t, env.URL+"/", map[string][]string{
		"Action": {"ReceiveMessage"}, "QueueUrl": {qURL}, "AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"},
		"MaxNumberOfMessages": {"5"},
	})
	var recv struct {
		Messages []struct {
			Body          string `xml:"Body"`
			ReceiptHandle string `xml:"ReceiptHandle"`
			MD5OfAttrs    string `xml:"MD5OfMessageAttributes"`
			Attributes    []struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			} `xml:"Attribute"`
			MessageAttributes []struct {
				Name  string `xml:"Name"`
				Value struct {
					StringValue string `xml:"StringValue"`
					DataType    string `xml:"DataType"`
				} `xml:"Value"`
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if err := xml.Unmarshal([]byte(body), &recv); err != nil || status != 200 || len(recv.Messages) != 1 {
		t.Fatalf("ReceiveMessage: %d %s (%v)", status, body, err)
	}
	m := recv.Messages[0]
	if m.Body != "from api gateway" || m.MD5OfAttrs != sent.Result.MD5OfAttrs || len(m.MessageAttributes) != 1 ||
		m.MessageAttributes[0].Value.StringValue != "apigw" || len(m.Attributes) < 4 {
		t.Fatalf("received %+v", m)
	}

	status, body = queryCall(t, env.URL+"/", map[string][]string{
		"Action": {"DeleteMessageBatch"}, "QueueUrl": {qURL},
		"DeleteMessageBatchRequestEntry.1.Id": {"a"}, "DeleteMessageBatchRequestEntry.1.ReceiptHandle": {m.ReceiptHandle},
	})
	if status != 200 || !strings.Contains(body, "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>") {
		t.Fatalf("DeleteMessageBatch: %d %s", status, body)
	}

	status, body = queryCall(t, env.URL+"/", map[string][]string{
		"Action": {"GetQueueAttributes"}, "QueueUrl": {env.URL + "/000000000000/viaquery"}, "AttributeName.1": {"VisibilityTimeout"},
	})
	if status != 200 || !strings.Contains(body, "<Attribute><Name>VisibilityTimeout</Name><Value>40</Value></Attribute>") {
		t.Fatalf("GetQueueAttributes: %d %s", status, body)
	}

	errorCases := []struct {
		name string
		form url.Values
		code string
	}{
		{"missing queue", url.Values{"Action": {"SendMessage"}, "QueueUrl": {env.URL + "/000000000000/missing"}, "MessageBody": {"x"}},
			"<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"},
		{"too many entries", func() url.Values {
			v := url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {qURL}}
			for i := 1; i <= 11; i++ {
				n := strings.Repeat("x", i)
				v.Set("SendMessageBatchRequestEntry."+itoa(i)+".Id", n)
				v.Set("SendMessageBatchRequestEntry."+itoa(i)+".MessageBody", n)
			}
			return v
		}(), "<Code>AWS.SimpleQueueService.TooManyEntriesInBatchRequest</Code>"},
		{"bad receipt", url.Values{"Action": {"DeleteMessage"}, "QueueUrl": {qURL}, "ReceiptHandle": {"nope"}}, "<Code>ReceiptHandleIsInvalid</Code>"},
		{"bad number", url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {qURL}, "MaxNumberOfMessages": {"many"}}, "<Code>InvalidParameterValue</Code>"},
		{"unknown action", url.Values{"Action": {"Explode"}}, "<Code>InvalidAction</Code>"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := queryCall(t, env.URL+"/", tc.form)
			if status != 400 || !strings.Contains(body, tc.code) || !strings.Contains(body, "<Type>Sender</Type>") || !strings.Contains(body, "<RequestId>") {
				t.Fatalf("%d %s, want 400 with %s", status, body, tc.code)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
