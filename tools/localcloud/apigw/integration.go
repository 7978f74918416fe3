package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
)

type logEvent = logs.Event

// awsURI is a parsed AWS integration URI:
// arn:aws:apigateway:{region}:{service}:{path|action}/{rest}.
type awsURI struct {
	region, service, kind, rest string
}

func parseAWSURI(uri string) (awsURI, error) {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "apigateway" {
		return awsURI{}, errors.New("AWS ARN for integration must contain path or action")
	}
	kind, rest, ok := strings.Cut(parts[5], "/")
	if !ok || (kind != "path" && kind != "action") {
		return awsURI{}, errors.New("AWS ARN for integration must contain path or action")
	}
	svc := parts[4]
	if i := strings.IndexByte(svc, '.'); i >= 0 {
		// {subdomain}.{service}
		svc = svc[i+1:]
	}
	return awsURI{region: parts[3], service: svc, kind: kind, rest: rest}, nil
}

// callBackend calls the integration's back end. An error is a
// configuration error (API Gateway's 500 "Internal server error").
func (s *Service) callBackend(ctx context.Context, inv *invocation, ig *Integration, req integrationRequest) (*backendResponse, error) {
	switch ig.Type {
	case "MOCK":
		return mockResponse(req.body), nil
	case "AWS":
		u, err := parseAWSURI(ig.URI)
		if err != nil {
			return nil, err
		}
		if u.service != "sqs" {
			return nil, fmt.Errorf("AWS service integration with %s is not supported by localcloud", u.service)
		}
		if s.cfg.Queues == nil || s.cfg.IAM == nil {
			return nil, errors.New("no SQS or IAM service is configured")
		}
		if ig.Credentials == "" {
			return nil, errors.New("no credentials: an AWS service integration needs an execution role")
		}
		principal, err := s.roleSession(ctx, ig.Credentials)
		if err != nil {
			return nil, err
		}
		return s.callSQS(ctx, principal, u, req), nil
	}
	return nil, fmt.Errorf("%s integrations are not supported by localcloud", ig.Type)
}

// mockResponse answers a MOCK integration: the status code is the
// "statusCode" member of the rendered request (default 200).
func mockResponse(body string) *backendResponse {
	status := 200
	var v struct {
		StatusCode json.Number `json:"statusCode"`
	}
	if json.Unmarshal([]byte(body), &v) == nil {
		if n, err := v.StatusCode.Int64(); err == nil && n >= 100 && n <= 599 {
			status = int(n)
		}
	}
	return &backendResponse{status: status, header: http.Header{}, body: ""}
}

// callSQS performs the Query request the integration sends to SQS: the
// form body (when the integration request is form-encoded) and query
// string, addressed by the path override ({account}/{queue}) or the action.
// The caller is the integration role's session; its identity policies and
// the queue policy decide, as they do for a signed request. The answer is
// SQS's JSON rendering of the Query response, which is what API Gateway
// receives.
func (s *Service) callSQS(ctx context.Context, principal iam.Principal, u awsURI, req integrationRequest) *backendResponse {
	params := url.Values{}
	for k, v := range req.query {
		params[k] = append(params[k], v...)
	}
	ct := req.header.Get("Content-Type")
	if ct == "" || strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(req.body)
		if err != nil {
			return sqsError(&protocol.Error{Code: "MalformedQueryString", Message: "The query string could not be parsed.", Status: 400, Fault: protocol.Sender})
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	queueURL := params.Get("QueueUrl")
	if u.kind == "action" {
		params.Set("Action", u.rest)
	} else {
		queueURL = "https://sqs." + s.cfg.Region + ".amazonaws.com/" + strings.TrimPrefix(u.rest, "/")
	}
	action := params.Get("Action")
	if action == "" {
		return sqsError(&protocol.Error{Code: "MissingAction", Message: "Missing Action", Status: 400, Fault: protocol.Sender})
	}
	if action != "SendMessage" {
		return sqsError(protocol.Errorf("InvalidAction", "The action %s is not valid for this web service.", action))
	}
	var in sqs.SendMessageInput
	params.Del("Action")
	params.Del("Version")
	if err := protocol.DecodeQuery(params, &in); err != nil {
		return sqsError(err)
	}
	in.QueueURL = queueURL
	ctx = iam.WithPrincipal(ctx, principal)
	attrs, err := s.cfg.Queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueURL: queueURL, AttributeNames: []string{"QueueArn", "Policy"}})
	if err != nil {
		return sqsError(err)
	}
	d := s.cfg.IAM.Authorize(ctx, iamapi.Check{Principal: principal, Action: "sqs:SendMessage", Resource: attrs.Attributes["QueueArn"],
		ResourcePolicy: attrs.Attributes["Policy"], Context: map[string][]string{
			"aws:SecureTransport": {"true"}, "aws:RequestedRegion": {s.cfg.Region},
		}})
	if !d.Allowed() {
		return sqsError(&protocol.Error{Code: "AccessDenied", Message: d.Message(), Status: http.StatusForbidden, Fault: protocol.Sender})
	}
	out, err := s.cfg.Queues.SendMessage(ctx, &in)
	if err != nil {
		return sqsError(err)
	}
	result := map[string]any{
		"MD5OfMessageAttributes": nullable(out.MD5OfMessageAttributes), "MD5OfMessageBody": out.MD5OfMessageBody,
		"MD5OfMessageSystemAttributes": nullable(out.MD5OfMessageSystemAttributes), "MessageId": out.MessageID,
		"SequenceNumber": nullable(out.SequenceNumber),
	}
	body, _ := json.Marshal(map[string]any{"SendMessageResponse": map[string]any{
		"ResponseMetadata": map[string]any{"RequestId": s.cfg.IDs.UUID()}, "SendMessageResult": result}})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &backendResponse{status: http.StatusOK, header: h, body: string(body)}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sqsError is SQS's JSON rendering of a Query error.
func sqsError(err error) *backendResponse {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		pe = &protocol.Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.", Status: 500, Fault: protocol.Receiver}
	}
	fault := string(pe.Fault)
	if fault == "" {
		fault = "Sender"
	}
	body, _ := json.Marshal(map[string]any{"Error": map[string]any{"Code": pe.WireCode(), "Message": pe.Message, "Type": fault}, "RequestId": ""})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &backendResponse{status: pe.Status, header: h, body: string(body)}
}
