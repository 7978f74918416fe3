package sns

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/mail"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
)

// notification is one published message on its way to subscribers.
type notification struct {
	id         string
	topicArn   string
	subject    *string
	message    string
	perProto   map[string]string
	attrs      map[string]MessageAttributeValue
	timestamp  time.Time
	baseURL    string
	topicTitle string
}

func (n *notification) messageFor(protocolName string) string {
	if n.perProto != nil {
		if m, ok := n.perProto[protocolName]; ok {
			return m
		}
		return n.perProto["default"]
	}
	return n.message
}

// Publish publishes a message to every matching confirmed subscription.
func (s *Service) Publish(ctx context.Context, in *PublishInput) (*PublishOutput, error) {
	arn := in.TopicArn
	if arn == "" {
		arn = in.TargetArn
	}
	if arn == "" {
		if in.PhoneNumber != "" {
			return nil, errInvalidParameter("PhoneNumber Reason: SMS is not supported by localcloud")
		}
		return nil, errInvalidParameter("TopicArn or TargetArn Reason: no value for required parameter")
	}
	id, err := s.publish(ctx, arn, in.Message, in.Subject, in.MessageStructure, in.MessageAttributes)
	if err != nil {
		return nil, err
	}
	return &PublishOutput{MessageID: id}, nil
}

func (s *Service) publish(ctx context.Context, topicArn string, msg, subject *string, structure string, attrs map[string]MessageAttributeValue) (string, error) {
	perProto, err := validMessage(msg, structure)
	if err != nil {
		return "", err
	}
	if subject != nil && (*subject == "" || len(*subject) > 100 || strings.ContainsAny(*subject, "\r\n")) {
		return "", errInvalidParameter("Subject")
	}
	if err := validAttrs(attrs); err != nil {
		return "", err
	}
	s.mu.RLock()
	t := s.topics[topicArn]
	var subs []subRecord
	if t != nil {
		for _, sub := range s.subs {
			if sub.TopicArn == topicArn && !sub.Pending {
				subs = append(subs, *sub)
			}
		}
	}
	title := ""
	if t != nil {
		title = t.Attributes["DisplayName"]
	}
	s.mu.RUnlock()
	if t == nil {
		return "", errNotFound("Topic")
	}
	n := &notification{id: s.cfg.IDs.UUID(), topicArn: topicArn, subject: subject, message: *msg, perProto: perProto,
		attrs: attrs, timestamp: s.cfg.Clock.Now().UTC(), baseURL: s.baseURL(ctx), topicTitle: title}
	// Deliveries run concurrently so their durable writes share one group
	// commit; Publish answers once every one is stored.
	var wg sync.WaitGroup
	for _, sub := range subs {
		if !s.matches(sub, n) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.deliver(ctx, sub, n); err != nil {
				// AWS accepts the publish and retries or dead-letters
				// the delivery; localcloud logs it.
				s.cfg.Logger.Error("sns delivery failed", "subscription", sub.Arn, "protocol", sub.Protocol, "err", err)
			}
		}()
	}
	wg.Wait()
	return n.id, nil
}

func (s *Service) matches(sub subRecord, n *notification) bool {
	fp := sub.Attributes["FilterPolicy"]
	if fp == "" {
		return true
	}
	p, err := parseFilterPolicy(fp)
	if err != nil {
		return false
	}
	if sub.Attributes["FilterPolicyScope"] == "MessageBody" {
		return p.matchBody(n.messageFor(sub.Protocol))
	}
	return p.matchAttributes(n.attrs)
}

// PublishBatch publishes up to ten messages.
func (s *Service) PublishBatch(ctx context.Context, in *PublishBatchInput) (*PublishBatchOutput, error) {
	entries := in.PublishBatchRequestEntries
	if len(entries) == 0 {
		return nil, &protocol.Error{Code: "EmptyBatchRequest", Message: "The batch request doesn't contain any entries.", Status: 400, Fault: protocol.Sender}
	}
	if len(entries) > 10 {
		return nil, &protocol.Error{Code: "TooManyEntriesInBatchRequest", Message: "The batch request contains more entries than permissible.", Status: 400, Fault: protocol.Sender}
	}
	seen := map[string]bool{}
	total := 0
	for _, e := range entries {
		if !batchIDRE.MatchString(e.ID) {
			return nil, &protocol.Error{Code: "InvalidBatchEntryId", Message: "The Id of a batch entry in a batch request doesn't abide by the specification.", Status: 400, Fault: protocol.Sender}
		}
		if seen[e.ID] {
			return nil, &protocol.Error{Code: "BatchEntryIdsNotDistinct", Message: "Two or more batch entries in the request have the same Id.", Status: 400, Fault: protocol.Sender}
		}
		seen[e.ID] = true
		if e.Message != nil {
			total += len(*e.Message)
		}
	}
	if total > maxMessage {
		return nil, &protocol.Error{Code: "BatchRequestTooLong", Message: "The length of all the messages put together is more than the limit.", Status: 400, Fault: protocol.Sender}
	}
	s.mu.RLock()
	exists := s.topics[in.TopicArn] != nil
	s.mu.RUnlock()
	if !exists {
		return nil, errNotFound("Topic")
	}
	// Topics are standard (no FIFO here), which promise no order between messages: the
	// entries are published at once, so their durable deliveries share group commits
	// instead of waiting for each other. Results keep the entries' order.
	ids := make([]string, len(entries))
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Go(func() {
			ids[i], errs[i] = s.publish(ctx, in.TopicArn, e.Message, e.Subject, e.MessageStructure, e.MessageAttributes)
		})
	}
	wg.Wait()
	out := &PublishBatchOutput{}
	for i, e := range entries {
		if err := errs[i]; err != nil {
			fe := BatchResultErrorEntry{ID: e.ID, Code: "InternalError", Message: err.Error()}
			var pe *protocol.Error
			if errors.As(err, &pe) {
				fe.Code, fe.Message, fe.SenderFault = pe.WireCode(), pe.Message, pe.Fault == protocol.Sender
			}
			out.Failed = append(out.Failed, fe)
			continue
		}
		out.Successful = append(out.Successful, PublishBatchResultEntry{ID: e.ID, MessageID: ids[i]})
	}
	return out, nil
}

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (s *Service) deliver(ctx context.Context, sub subRecord, n *notification) error {
	raw := sub.Attributes["RawMessageDelivery"] == "true"
	switch sub.Protocol {
	case "sqs":
		body := n.messageFor("sqs")
		var attrs map[string]sqs.MessageAttributeValue
		if raw {
			attrs = toSQSAttributes(n.attrs)
		} else {
			body = string(s.envelope(sub, n, n.messageFor("sqs")))
		}
		if _, err := s.cfg.Queues.SendToARN(ctx, sub.Endpoint, body, attrs); err != nil {
			s.deadLetter(sub, []byte(body), err)
			return fmt.Errorf("deliver to %s: %w", sub.Endpoint, err)
		}
		return nil
	case "email", "email-json":
		subject := "AWS Notification Message"
		if n.subject != nil {
			subject = *n.subject
		}
		body := ""
		if sub.Protocol == "email-json" {
			body = string(s.envelope(sub, n, n.messageFor("email-json")))
		} else {
			body = n.messageFor("email") + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
				s.unsubscribeURL(n.baseURL, sub.Arn) + "\n\nPlease do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support\n"
		}
		return s.mail(sub, n.id, subject, body, n.topicTitle)
	case "http", "https":
		var body []byte
		if raw {
			body = []byte(n.messageFor(sub.Protocol))
		} else {
			body = s.envelope(sub, n, n.messageFor(sub.Protocol))
		}
		return s.enqueueHTTP(sub, "Notification", n.id, body, raw)
	case "lambda":
		if s.cfg.Functions == nil {
			return fmt.Errorf("no Lambda service to deliver to %s", sub.Endpoint)
		}
		payload, err := s.lambdaEvent(sub, n)
		if err != nil {
			return err
		}
		if err := s.cfg.Functions.InvokeEvent(ctx, sub.Endpoint, payload); err != nil {
			s.deadLetter(sub, payload, err)
			return fmt.Errorf("invoke %s: %w", sub.Endpoint, err)
		}
		return nil
	}
	return fmt.Errorf("unsupported protocol %s", sub.Protocol)
}

// lambdaEvent is the event a function subscribed to a topic receives.
func (s *Service) lambdaEvent(sub subRecord, n *notification) ([]byte, error) {
	var env map[string]any
	if err := json.Unmarshal(s.envelope(sub, n, n.messageFor("lambda")), &env); err != nil {
		return nil, fmt.Errorf("lambda event: %w", err)
	}
	// The Lambda record spells the certificate and unsubscribe URLs with a
	// lower-case "Url" and always carries Subject and MessageAttributes.
	env["SigningCertUrl"], env["UnsubscribeUrl"] = env["SigningCertURL"], env["UnsubscribeURL"]
	delete(env, "SigningCertURL")
	delete(env, "UnsubscribeURL")
	if _, ok := env["Subject"]; !ok {
		env["Subject"] = nil
	}
	if _, ok := env["MessageAttributes"]; !ok {
		env["MessageAttributes"] = map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"Records": []any{map[string]any{
		"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": sub.Arn, "Sns": env,
	}}})
	if err != nil {
		return nil, fmt.Errorf("lambda event: %w", err)
	}
	return b, nil
}

func toSQSAttributes(attrs map[string]MessageAttributeValue) map[string]sqs.MessageAttributeValue {
	if len(attrs) == 0 {
		return nil
	}
	out := make(map[string]sqs.MessageAttributeValue, len(attrs))
	for k, v := range attrs {
		dt := v.DataType
		if dt == "String.Array" {
			dt = "String"
		}
		out[k] = sqs.MessageAttributeValue{DataType: dt, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
	}
	return out
}

func (s *Service) unsubscribeURL(base, subArn string) string {
	return base + "/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(subArn)
}

// envelope is the JSON document SNS wraps non-raw deliveries in. It is
// signed with a localcloud-only HMAC in place of AWS's certificate.
func (s *Service) envelope(sub subRecord, n *notification, message string) []byte {
	type attr struct {
		Type  string `json:"Type"`
		Value string `json:"Value"`
	}
	env := struct {
		Type              string          `json:"Type"`
		MessageID         string          `json:"MessageId"`
		TopicArn          string          `json:"TopicArn"`
		Subject           *string         `json:"Subject,omitempty"`
		Message           string          `json:"Message"`
		Timestamp         string          `json:"Timestamp"`
		SignatureVersion  string          `json:"SignatureVersion"`
		Signature         string          `json:"Signature"`
		SigningCertURL    string          `json:"SigningCertURL"`
		UnsubscribeURL    string          `json:"UnsubscribeURL"`
		MessageAttributes map[string]attr `json:"MessageAttributes,omitempty"`
	}{
		Type: "Notification", MessageID: n.id, TopicArn: n.topicArn, Subject: n.subject, Message: message,
		Timestamp: n.timestamp.Format("2006-01-02T15:04:05.000Z"), SignatureVersion: "1",
		SigningCertURL: n.baseURL + "/_localcloud/sns/SimpleNotificationService.pem",
		UnsubscribeURL: s.unsubscribeURL(n.baseURL, sub.Arn),
	}
	env.Signature = s.sign("Message\n" + message + "\nMessageId\n" + n.id + "\nTimestamp\n" + env.Timestamp + "\nTopicArn\n" + n.topicArn + "\nType\nNotification\n")
	if len(n.attrs) > 0 {
		env.MessageAttributes = map[string]attr{}
		for k, v := range n.attrs {
			val := ""
			if v.StringValue != nil {
				val = *v.StringValue
			} else {
				val = base64.StdEncoding.EncodeToString(v.BinaryValue)
			}
			env.MessageAttributes[k] = attr{Type: v.DataType, Value: val}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(env)
	return bytes.TrimRight(b.Bytes(), "\n")
}

func (s *Service) sign(canonical string) string {
	m := hmac.New(sha1.New, []byte("localcloud-sns-"+s.cfg.Account))
	m.Write([]byte(canonical))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (s *Service) mail(sub subRecord, id, subject, body, displayName string) error {
	from := "AWS Notifications <no-reply@sns.amazonaws.com>"
	if displayName != "" {
		from = fmt.Sprintf("%q <no-reply@sns.amazonaws.com>", displayName)
	}
	return s.cfg.Mailbox.Deliver(mail.Message{
		ID: strings.ReplaceAll(id, "-", "") + s.cfg.IDs.Hex(2), From: from, To: sub.Endpoint, Subject: subject,
		Date: s.cfg.Clock.Now(), Body: body,
		Headers: map[string]string{"X-Localcloud-Topic-Arn": sub.TopicArn, "X-Localcloud-Subscription-Arn": sub.Arn},
	})
}

// confirmURL is the link that confirms a subscription when fetched.
func (s *Service) confirmURL(base string, sub subRecord) string {
	return base + "/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(sub.TopicArn) + "&Token=" + url.QueryEscape(sub.Token)
}

func (s *Service) sendConfirmation(ctx context.Context, sub subRecord) error {
	base := s.baseURL(ctx)
	link := s.confirmURL(base, sub)
	text := fmt.Sprintf("You have chosen to subscribe to the topic: \n%s\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary): \nConfirm subscription: %s\n\nPlease do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out\n", sub.TopicArn, link)
	id := s.cfg.IDs.UUID()
	switch sub.Protocol {
	case "email":
		return s.mail(sub, id, "AWS Notification - Subscription Confirmation", text, "")
	case "email-json", "http", "https":
		msg := fmt.Sprintf("You have chosen to subscribe to the topic %s.\nTo confirm the subscription, visit the SubscribeURL included in this message.", sub.TopicArn)
		ts := s.cfg.Clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		doc := map[string]string{
			"Type": "SubscriptionConfirmation", "MessageId": id, "Token": sub.Token, "TopicArn": sub.TopicArn,
			"Message": msg, "SubscribeURL": link, "Timestamp": ts, "SignatureVersion": "1",
			"Signature":      s.sign("Message\n" + msg + "\nMessageId\n" + id + "\nSubscribeURL\n" + link + "\nTimestamp\n" + ts + "\nToken\n" + sub.Token + "\nTopicArn\n" + sub.TopicArn + "\nType\nSubscriptionConfirmation\n"),
			"SigningCertURL": base + "/_localcloud/sns/SimpleNotificationService.pem",
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(doc)
		if sub.Protocol == "email-json" {
			return s.mail(sub, id, "AWS Notification - Subscription Confirmation", b.String(), "")
		}
		return s.enqueueHTTP(sub, "SubscriptionConfirmation", id, bytes.TrimRight(b.Bytes(), "\n"), false)
	}
	return nil
}

// retryPolicy is the part of an SNS delivery policy localcloud honours.
type retryPolicy struct {
	NumRetries        int `json:"numRetries"`
	MinDelayTarget    int `json:"minDelayTarget"`
	MaxDelayTarget    int `json:"maxDelayTarget"`
	NumNoDelayRetries int `json:"numNoDelayRetries"`
}

func (s *Service) retryPolicyFor(sub subRecord) retryPolicy {
	p := retryPolicy{NumRetries: 3, MinDelayTarget: 20, MaxDelayTarget: 20}
	var doc struct {
		HealthyRetryPolicy *retryPolicy `json:"healthyRetryPolicy"`
		HTTP               struct {
			DefaultHealthyRetryPolicy *retryPolicy `json:"defaultHealthyRetryPolicy"`
		} `json:"http"`
	}
	apply := func(raw string) {
		if raw == "" || json.Unmarshal([]byte(raw), &doc) != nil {
			return
		}
		if doc.HealthyRetryPolicy != nil {
			p = *doc.HealthyRetryPolicy
		} else if doc.HTTP.DefaultHealthyRetryPolicy != nil {
			p = *doc.HTTP.DefaultHealthyRetryPolicy
		}
	}
	s.mu.RLock()
	if t := s.topics[sub.TopicArn]; t != nil {
		apply(t.Attributes["DeliveryPolicy"])
	}
	s.mu.RUnlock()
	apply(sub.Attributes["DeliveryPolicy"])
	p.NumRetries = min(max(p.NumRetries, 0), 100)
	return p
}

func (s *Service) post(sub subRecord, kind, id string, body []byte, raw bool) error {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	req.Header.Set("X-Amz-Sns-Message-Type", kind)
	req.Header.Set("X-Amz-Sns-Message-Id", id)
	req.Header.Set("X-Amz-Sns-Topic-Arn", sub.TopicArn)
	if kind == "Notification" {
		req.Header.Set("X-Amz-Sns-Subscription-Arn", sub.Arn)
	}
	if raw {
		req.Header.Set("X-Amz-Sns-Rawdelivery", "true")
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", sub.Endpoint, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post %s: status %d", sub.Endpoint, resp.StatusCode)
	}
	return nil
}
