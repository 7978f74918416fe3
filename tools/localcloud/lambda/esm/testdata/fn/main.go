// Command fn is the Lambda function the event source mapping tests run. It
// reports every event it receives to FN_REPORT_URL (so tests see delivery
// order), then handles each record by what it holds:
//
//   - an SQS body, a stream NewImage "note" or an SNS message containing
//     "fail" is reported as a batch item failure;
//   - one containing "error" fails the whole invocation;
//   - "sleep:N" sleeps N milliseconds first.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type record struct {
	EventSource string `json:"eventSource"`
	MessageID   string `json:"messageId"`
	Body        string `json:"body"`
	SNS         struct {
		Message string `json:"Message"`
	} `json:"Sns"`
	Dynamodb struct {
		SequenceNumber string `json:"SequenceNumber"`
		NewImage       struct {
			Note struct {
				S string `json:"S"`
			} `json:"note"`
		} `json:"NewImage"`
	} `json:"dynamodb"`
}

type item struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

type response struct {
	BatchItemFailures []item `json:"batchItemFailures"`
}

func main() {
	lambda.Start(handle)
}

func report(raw json.RawMessage) {
	url := os.Getenv("FN_REPORT_URL")
	if url == "" {
		return
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(raw))
	if err == nil {
		resp.Body.Close()
	}
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	report(raw)
	var ev struct {
		Records []record `json:"Records"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	out := response{BatchItemFailures: []item{}}
	for _, r := range ev.Records {
		text, id := r.Body, r.MessageID
		switch r.EventSource {
		case "aws:dynamodb":
			text, id = r.Dynamodb.NewImage.Note.S, r.Dynamodb.SequenceNumber
		case "aws:sns":
			text = r.SNS.Message
		}
		if _, after, ok := strings.Cut(text, "sleep:"); ok {
			num, _, _ := strings.Cut(after, " ")
			ms, _ := strconv.Atoi(num)
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		switch {
		case strings.Contains(text, "error"):
			return nil, errors.New("record " + id + " failed the batch")
		case strings.Contains(text, "fail"):
			out.BatchItemFailures = append(out.BatchItemFailures, item{ItemIdentifier: id})
		}
	}
	return out, nil
}
