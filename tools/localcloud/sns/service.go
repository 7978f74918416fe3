package sns

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/mail"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// QueueSender delivers to SQS in process; *sqs.Service implements it.
type QueueSender interface {
	SendToARN(ctx context.Context, arn, body string, attrs map[string]sqs.MessageAttributeValue) (string, error)
}

// FunctionInvoker invokes a Lambda function asynchronously (invocation type
// Event) in process; the Lambda service implements it. Without one, lambda
// subscriptions are accepted but deliveries fail with a log line.
type FunctionInvoker interface {
	InvokeEvent(ctx context.Context, functionArn string, payload []byte) error
}

// Mailbox captures e-mail; *mail.Mailbox implements it.
type Mailbox interface {
	Deliver(msg mail.Message) error
}

// Config wires the SNS service.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Source
	Account string
	Region  string
	Queues  QueueSender
	Mailbox Mailbox
	// Functions delivers to lambda subscriptions (optional).
	Functions FunctionInvoker
	// HTTPClient delivers to http(s) subscriptions.
	HTTPClient *http.Client
	// PublicURL is the base of links in e-mails and notifications when no
	// request is at hand.
	PublicURL string
	Logger    *slog.Logger
}

const (
	bucketTopics = "sns.topics"
	bucketSubs   = "sns.subscriptions"
	pageSize     = 100
	maxMessage   = 262144
)

type topicRecord struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
	Tags       map[string]string `json:"tags,omitempty"`
}

type subRecord struct {
	Arn        string            `json:"arn"`
	TopicArn   string            `json:"topicArn"`
	Protocol   string            `json:"protocol"`
	Endpoint   string            `json:"endpoint"`
	Owner      string            `json:"owner"`
	Attributes map[string]string `json:"attributes"`
	Pending    bool              `json:"pending"`
	Token      string            `json:"token,omitempty"`
	AuthUnsub  bool              `json:"authUnsub,omitempty"`
	Created    int64             `json:"created"`
}

// Service is the SNS service.
type Service struct {
	cfg    Config
	mu     sync.RWMutex
	topics map[string]*topicRecord // by ARN
	subs   map[string]*subRecord   // by ARN

	ctx      context.Context
	cancel   context.CancelFunc
	inflight sync.WaitGroup
}

var topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// New loads topics and subscriptions from the store.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	s := &Service{cfg: cfg, topics: map[string]*topicRecord{}, subs: map[string]*subRecord{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	err := cfg.Store.View(func(tx store.Tx) error {
		if err := tx.ForEach(bucketTopics, nil, func(k, v []byte) error {
			var t topicRecord
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("topic %s: %w", k, err)
			}
			s.topics[s.topicArn(t.Name)] = &t
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEach(bucketSubs, nil, func(k, v []byte) error {
			var sub subRecord
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("subscription %s: %w", k, err)
			}
			s.subs[sub.Arn] = &sub
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load sns state: %w", err)
	}
	if err := s.resumeDeliveries(); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops background http deliveries and waits for them; pending
// deliveries stay stored and resume when the service is next created.
func (s *Service) Close() {
	s.cancel()
	s.inflight.Wait()
}

// Descriptor describes SNS's wire identity and operations for the server.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:         "sns",
		Query:        true,
		XMLNamespace: "http://sns.amazonaws.com/doc/2010-03-31/",
		Operations: map[string]server.Operation{
			"CreateTopic":               server.Op(s.CreateTopic),
			"DeleteTopic":               server.Op(s.DeleteTopic),
			"ListTopics":                server.Op(s.ListTopics),
			"GetTopicAttributes":        server.Op(s.GetTopicAttributes),
			"SetTopicAttributes":        server.Op(s.SetTopicAttributes),
			"Subscribe":                 server.Op(s.Subscribe),
			"ConfirmSubscription":       server.Op(s.ConfirmSubscription),
			"Unsubscribe":               server.Op(s.Unsubscribe),
			"ListSubscriptions":         server.Op(s.ListSubscriptions),
			"ListSubscriptionsByTopic":  server.Op(s.ListSubscriptionsByTopic),
			"GetSubscriptionAttributes": server.Op(s.GetSubscriptionAttributes),
			"SetSubscriptionAttributes": server.Op(s.SetSubscriptionAttributes),
			"Publish":                   server.Op(s.Publish),
			"PublishBatch":              server.Op(s.PublishBatch),
			"TagResource":               server.Op(s.TagResource),
			"UntagResource":             server.Op(s.UntagResource),
			"ListTagsForResource":       server.Op(s.ListTagsForResource),
		},
		// AWS serves these from links in e-mails and notifications.
		Unauthenticated: map[string]bool{"ConfirmSubscription": true, "Unsubscribe": true},
	}
}

func (s *Service) topicArn(name string) string {
	return "arn:aws:sns:" + s.cfg.Region + ":" + s.cfg.Account + ":" + name
}

func (s *Service) baseURL(ctx context.Context) string {
	if e := server.CallFrom(ctx).Endpoint; e != "" {
		return e
	}
	return s.cfg.PublicURL
}

func errInvalidParameter(format string, args ...any) error {
	return protocol.Errorf("InvalidParameter", "Invalid parameter: "+format, args...)
}

func errNotFound(what string) error {
	return &protocol.Error{Code: "NotFound", Message: what + " does not exist", Status: 404, Fault: protocol.Sender}
}

func errAuthorization(msg string) error {
	return &protocol.Error{Code: "AuthorizationError", Message: msg, Status: 403, Fault: protocol.Sender}
}

func (s *Service) putTopic(arn string, t *topicRecord) error {
	data, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode topic: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketTopics, []byte(t.Name), data) }); err != nil {
		return fmt.Errorf("store topic %s: %w", arn, err)
	}
	return nil
}

func (s *Service) putSub(sub *subRecord) error {
	data, err := json.Marshal(sub)
	if err != nil {
		return fmt.Errorf("encode subscription: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketSubs, []byte(sub.Arn), data) }); err != nil {
		return fmt.Errorf("store subscription %s: %w", sub.Arn, err)
	}
	return nil
}

var topicSettable = map[string]bool{"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true,
	"SignatureVersion": true, "TracingConfig": true, "ArchivePolicy": true, "DataProtectionPolicy": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPFailureFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSFailureFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaFailureFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true,
	"FifoTopic": true, "ContentBasedDeduplication": true}

func validateTopicAttribute(k, v string) error {
	if !topicSettable[k] {
		return errInvalidParameter("AttributeName")
	}
	switch k {
	case "FifoTopic":
		if v == "true" {
			return errInvalidParameter("Attributes Reason: FIFO topics are not supported by localcloud yet")
		}
	case "Policy", "DeliveryPolicy":
		if v != "" && !json.Valid([]byte(v)) {
			return errInvalidParameter("Attributes Reason: %s: failed to parse JSON", k)
		}
	case "DisplayName":
		if len(v) > 100 {
			return errInvalidParameter("DisplayName Reason: must be at most 100 characters")
		}
	}
	return nil
}

// CreateTopic creates a topic, or returns the existing one.
func (s *Service) CreateTopic(ctx context.Context, in *CreateTopicInput) (*TopicArnOutput, error) {
	if strings.HasSuffix(in.Name, ".fifo") {
		return nil, errInvalidParameter("Topic Name Reason: FIFO topics are not supported by localcloud yet")
	}
	if !topicNameRE.MatchString(in.Name) {
		return nil, errInvalidParameter("Topic Name")
	}
	for k, v := range in.Attributes {
		if err := validateTopicAttribute(k, v); err != nil {
			return nil, err
		}
	}
	arn := s.topicArn(in.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if existing := s.topics[arn]; existing != nil {
		for k, v := range in.Attributes {
			if existing.Attributes[k] != v {
				return nil, errInvalidParameter("Attributes Reason: Topic already exists with different attributes")
			}
		}
		return &TopicArnOutput{TopicArn: arn}, nil
	}
	t := &topicRecord{Name: in.Name, Attributes: map[string]string{}, Tags: map[string]string{}}
	for k, v := range in.Attributes {
		t.Attributes[k] = v
	}
	for _, tag := range in.Tags {
		t.Tags[tag.Key] = tag.Value
	}
	if err := s.putTopic(arn, t); err != nil {
		return nil, err
	}
	s.topics[arn] = t
	return &TopicArnOutput{TopicArn: arn}, nil
}

// DeleteTopic deletes a topic and its subscriptions; deleting a missing
// topic succeeds, as in AWS.
func (s *Service) DeleteTopic(_ context.Context, in *TopicRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[in.TopicArn]
	if t == nil {
		return &Empty{}, nil
	}
	var subKeys []string
	for arn, sub := range s.subs {
		if sub.TopicArn == in.TopicArn {
			subKeys = append(subKeys, arn)
		}
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error {
		for _, k := range subKeys {
			if err := tx.Delete(bucketSubs, []byte(k)); err != nil {
				return err
			}
		}
		return tx.Delete(bucketTopics, []byte(t.Name))
	}); err != nil {
		return nil, fmt.Errorf("delete topic %s: %w", in.TopicArn, err)
	}
	for _, k := range subKeys {
		delete(s.subs, k)
	}
	delete(s.topics, in.TopicArn)
	return &Empty{}, nil
}

func page[T any](items []T, token string) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", errInvalidParameter("NextToken")
		}
		start = n
	}
	end := min(start+pageSize, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// ListTopics lists topics, 100 per page.
func (s *Service) ListTopics(_ context.Context, in *ListInput) (*ListTopicsOutput, error) {
	s.mu.RLock()
	arns := make([]string, 0, len(s.topics))
	for arn := range s.topics {
		arns = append(arns, arn)
	}
	s.mu.RUnlock()
	sort.Strings(arns)
	pg, next, err := page(arns, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListTopicsOutput{NextToken: next}
	for _, a := range pg {
		out.Topics = append(out.Topics, TopicEntry{TopicArn: a})
	}
	return out, nil
}

func (s *Service) defaultPolicy(arn string) string {
	p := map[string]any{
		"Version": "2008-10-17", "Id": "__default_policy_ID",
		"Statement": []any{map[string]any{
			"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
			"Action":    []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			"Resource":  arn,
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": s.cfg.Account}},
		}},
	}
	b, _ := json.Marshal(p)
	return string(b)
}

const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// GetTopicAttributes returns a topic's attributes.
func (s *Service) GetTopicAttributes(_ context.Context, in *TopicRef) (*AttributesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.topics[in.TopicArn]
	if t == nil {
		return nil, errNotFound("Topic")
	}
	attrs := map[string]string{
		"TopicArn": in.TopicArn, "Owner": s.cfg.Account, "Policy": s.defaultPolicy(in.TopicArn),
		"DisplayName": "", "EffectiveDeliveryPolicy": defaultDeliveryPolicy, "SubscriptionsDeleted": "0",
	}
	for k, v := range t.Attributes {
		attrs[k] = v
	}
	pending, confirmed := 0, 0
	for _, sub := range s.subs {
		if sub.TopicArn != in.TopicArn {
			continue
		}
		if sub.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	attrs["SubscriptionsPending"] = strconv.Itoa(pending)
	attrs["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	return &AttributesOutput{Attributes: attrs}, nil
}

// SetTopicAttributes sets one topic attribute.
func (s *Service) SetTopicAttributes(_ context.Context, in *SetTopicAttributesInput) (*Empty, error) {
	v := ""
	if in.AttributeValue != nil {
		v = *in.AttributeValue
	}
	if err := validateTopicAttribute(in.AttributeName, v); err != nil {
		return nil, err
	}
	return &Empty{}, s.updateTopic(in.TopicArn, errNotFound("Topic"), func(t *topicRecord) error {
		t.Attributes[in.AttributeName] = v
		return nil
	})
}

// updateTopic applies change to a copy of the topic, stores it and
// installs it; missing is returned when the topic does not exist.
func (s *Service) updateTopic(arn string, missing error, change func(*topicRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[arn]
	if t == nil {
		return missing
	}
	cp := *t
	cp.Attributes = cloneMap(t.Attributes)
	cp.Tags = cloneMap(t.Tags)
	if err := change(&cp); err != nil {
		return err
	}
	if err := s.putTopic(arn, &cp); err != nil {
		return err
	}
	s.topics[arn] = &cp
	return nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

var subSettable = map[string]bool{"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true,
	"RawMessageDelivery": true, "RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true}

func validateSubAttribute(protocolName, k, v string) error {
	if !subSettable[k] {
		return errInvalidParameter("AttributeName")
	}
	switch k {
	case "RawMessageDelivery":
		if v != "true" && v != "false" {
			return errInvalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", v)
		}
		if v == "true" && protocolName != "sqs" && protocolName != "http" && protocolName != "https" && protocolName != "firehose" {
			return errInvalidParameter("Attributes Reason: Delivery protocol [%s] does not support raw message delivery.", protocolName)
		}
	case "FilterPolicyScope":
		if v != "MessageAttributes" && v != "MessageBody" {
			return errInvalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", v)
		}
	case "FilterPolicy":
		if v == "" {
			return nil
		}
		if _, err := parseFilterPolicy(v); err != nil {
			return errInvalidParameter("Filter policy: %s", err.Error())
		}
	case "DeliveryPolicy", "RedrivePolicy":
		if v != "" && !json.Valid([]byte(v)) {
			return errInvalidParameter("Attributes Reason: %s: failed to parse JSON", k)
		}
	}
	return nil
}

// Subscribe subscribes an endpoint. sqs and lambda subscriptions are
// confirmed at once; email, email-json and http(s) get a confirmation
// message and stay pending until ConfirmSubscription.
func (s *Service) Subscribe(ctx context.Context, in *SubscribeInput) (*SubscriptionArnOutput, error) {
	switch in.Protocol {
	case "sqs":
		if !strings.HasPrefix(in.Endpoint, "arn:aws:sqs:") || strings.Count(in.Endpoint, ":") != 5 {
			return nil, errInvalidParameter("SQS endpoint ARN")
		}
	case "email", "email-json":
		if !strings.Contains(in.Endpoint, "@") || strings.ContainsAny(in.Endpoint, "\r\n <>") {
			return nil, errInvalidParameter("Email address")
		}
	case "http", "https":
		u, err := url.Parse(in.Endpoint)
		if err != nil || u.Scheme != in.Protocol || u.Host == "" {
			return nil, errInvalidParameter("Endpoint must match the specified protocol")
		}
	case "lambda":
		if !strings.HasPrefix(in.Endpoint, "arn:aws:lambda:") {
			return nil, errInvalidParameter("Lambda endpoint ARN")
		}
	case "":
		return nil, errInvalidParameter("Protocol")
	default:
		return nil, errInvalidParameter("Amazon SNS does not support this protocol string: %s", in.Protocol)
	}
	for k, v := range in.Attributes {
		if err := validateSubAttribute(in.Protocol, k, v); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	if s.topics[in.TopicArn] == nil {
		s.mu.Unlock()
		return nil, errNotFound("Topic")
	}
	for _, sub := range s.subs {
		if sub.TopicArn == in.TopicArn && sub.Protocol == in.Protocol && sub.Endpoint == in.Endpoint {
			s.mu.Unlock()
			if sub.Pending && !in.ReturnSubscriptionArn {
				return &SubscriptionArnOutput{SubscriptionArn: "pending confirmation"}, nil
			}
			return &SubscriptionArnOutput{SubscriptionArn: sub.Arn}, nil
		}
	}
	owner := s.cfg.Account
	if p, ok := iam.PrincipalFrom(ctx); ok {
		owner = p.Account
	}
	sub := &subRecord{
		Arn: in.TopicArn + ":" + s.cfg.IDs.UUID(), TopicArn: in.TopicArn, Protocol: in.Protocol, Endpoint: in.Endpoint,
		Owner: owner, Attributes: cloneMap(in.Attributes), Created: s.cfg.Clock.Now().UnixMilli(),
	}
	needsConfirm := in.Protocol == "email" || in.Protocol == "email-json" || in.Protocol == "http" || in.Protocol == "https"
	if needsConfirm {
		sub.Pending = true
		sub.Token = s.cfg.IDs.Hex(64)
	}
	if err := s.putSub(sub); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.subs[sub.Arn] = sub
	s.mu.Unlock()

	if needsConfirm {
		if err := s.sendConfirmation(ctx, *sub); err != nil {
			s.cfg.Logger.Error("subscription confirmation not sent", "subscription", sub.Arn, "err", err)
		}
		if !in.ReturnSubscriptionArn {
			return &SubscriptionArnOutput{SubscriptionArn: "pending confirmation"}, nil
		}
	}
	return &SubscriptionArnOutput{SubscriptionArn: sub.Arn}, nil
}

// ConfirmSubscription confirms a pending subscription by its token. It is
// also what the e-mailed link calls, unauthenticated.
func (s *Service) ConfirmSubscription(_ context.Context, in *ConfirmSubscriptionInput) (*SubscriptionArnOutput, error) {
	if in.Token == "" {
		return nil, errInvalidParameter("Token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics[in.TopicArn] == nil {
		return nil, errNotFound("Topic")
	}
	for _, sub := range s.subs {
		if sub.TopicArn != in.TopicArn || sub.Token != in.Token {
			continue
		}
		if !sub.Pending {
			return &SubscriptionArnOutput{SubscriptionArn: sub.Arn}, nil
		}
		cp := *sub
		cp.Pending = false
		cp.AuthUnsub = in.AuthenticateOnUnsubscribe == "true"
		if err := s.putSub(&cp); err != nil {
			return nil, err
		}
		s.subs[cp.Arn] = &cp
		return &SubscriptionArnOutput{SubscriptionArn: cp.Arn}, nil
	}
	return nil, errInvalidParameter("Token")
}

// Unsubscribe deletes a subscription. Unsigned calls (the link in every
// notification) are refused when the subscription was confirmed with
// AuthenticateOnUnsubscribe.
func (s *Service) Unsubscribe(ctx context.Context, in *SubscriptionRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.subs[in.SubscriptionArn]
	if sub == nil {
		return nil, errNotFound("Subscription")
	}
	if _, signed := iam.PrincipalFrom(ctx); !signed && sub.AuthUnsub {
		return nil, errAuthorization("Unsubscribe requires authentication for this subscription")
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketSubs, []byte(sub.Arn)) }); err != nil {
		return nil, fmt.Errorf("unsubscribe %s: %w", sub.Arn, err)
	}
	delete(s.subs, sub.Arn)
	return &Empty{}, nil
}

func (s *Service) listSubs(topicArn, token string) (*ListSubscriptionsOutput, error) {
	s.mu.RLock()
	var all []*subRecord
	for _, sub := range s.subs {
		if topicArn == "" || sub.TopicArn == topicArn {
			all = append(all, sub)
		}
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Arn < all[j].Arn })
	pg, next, err := page(all, token)
	if err != nil {
		return nil, err
	}
	out := &ListSubscriptionsOutput{NextToken: next}
	for _, sub := range pg {
		arn := sub.Arn
		if sub.Pending {
			arn = "PendingConfirmation"
		}
		out.Subscriptions = append(out.Subscriptions, SubscriptionEntry{SubscriptionArn: arn, Owner: sub.Owner,
			Protocol: sub.Protocol, Endpoint: sub.Endpoint, TopicArn: sub.TopicArn})
	}
	return out, nil
}

// ListSubscriptions lists every subscription, 100 per page.
func (s *Service) ListSubscriptions(_ context.Context, in *ListInput) (*ListSubscriptionsOutput, error) {
	return s.listSubs("", in.NextToken)
}

// ListSubscriptionsByTopic lists a topic's subscriptions.
func (s *Service) ListSubscriptionsByTopic(_ context.Context, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsOutput, error) {
	s.mu.RLock()
	exists := s.topics[in.TopicArn] != nil
	s.mu.RUnlock()
	if !exists {
		return nil, errNotFound("Topic")
	}
	return s.listSubs(in.TopicArn, in.NextToken)
}

// GetSubscriptionAttributes returns a subscription's attributes.
func (s *Service) GetSubscriptionAttributes(_ context.Context, in *SubscriptionRef) (*AttributesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sub := s.subs[in.SubscriptionArn]
	if sub == nil {
		return nil, errNotFound("Subscription")
	}
	attrs := map[string]string{
		"SubscriptionArn": sub.Arn, "TopicArn": sub.TopicArn, "Owner": sub.Owner, "Protocol": sub.Protocol,
		"Endpoint": sub.Endpoint, "PendingConfirmation": strconv.FormatBool(sub.Pending),
		"ConfirmationWasAuthenticated": strconv.FormatBool(!sub.Pending && !strings.HasPrefix(sub.Protocol, "email") && !strings.HasPrefix(sub.Protocol, "http")),
		"RawMessageDelivery":           "false",
	}
	if strings.HasPrefix(sub.Protocol, "http") {
		attrs["EffectiveDeliveryPolicy"] = defaultDeliveryPolicy
	}
	for k, v := range sub.Attributes {
		attrs[k] = v
	}
	if attrs["FilterPolicy"] != "" && attrs["FilterPolicyScope"] == "" {
		attrs["FilterPolicyScope"] = "MessageAttributes"
	}
	return &AttributesOutput{Attributes: attrs}, nil
}

// SetSubscriptionAttributes sets one subscription attribute.
func (s *Service) SetSubscriptionAttributes(_ context.Context, in *SetSubscriptionAttributesInput) (*Empty, error) {
	v := ""
	if in.AttributeValue != nil {
		v = *in.AttributeValue
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.subs[in.SubscriptionArn]
	if sub == nil {
		return nil, errNotFound("Subscription")
	}
	if err := validateSubAttribute(sub.Protocol, in.AttributeName, v); err != nil {
		return nil, err
	}
	cp := *sub
	cp.Attributes = cloneMap(sub.Attributes)
	if v == "" {
		delete(cp.Attributes, in.AttributeName)
	} else {
		cp.Attributes[in.AttributeName] = v
	}
	if err := s.putSub(&cp); err != nil {
		return nil, err
	}
	s.subs[cp.Arn] = &cp
	return &Empty{}, nil
}

func errResourceNotFound() error {
	return &protocol.Error{Code: "ResourceNotFound", Message: "Resource does not exist", Status: 404, Fault: protocol.Sender}
}

// TagResource tags a topic.
func (s *Service) TagResource(_ context.Context, in *TagResourceInput) (*EmptyResult, error) {
	return &EmptyResult{}, s.updateTopic(in.ResourceArn, errResourceNotFound(), func(t *topicRecord) error {
		for _, tag := range in.Tags {
			t.Tags[tag.Key] = tag.Value
		}
		if len(t.Tags) > 50 {
			return &protocol.Error{Code: "TagLimitExceeded", Message: "Could not complete request: tag quota of per resource exceeded", Status: 400, Fault: protocol.Sender}
		}
		return nil
	})
}

// UntagResource removes tags from a topic.
func (s *Service) UntagResource(_ context.Context, in *UntagResourceInput) (*EmptyResult, error) {
	return &EmptyResult{}, s.updateTopic(in.ResourceArn, errResourceNotFound(), func(t *topicRecord) error {
		for _, k := range in.TagKeys {
			delete(t.Tags, k)
		}
		return nil
	})
}

// ListTagsForResource lists a topic's tags.
func (s *Service) ListTagsForResource(_ context.Context, in *ResourceRef) (*ListTagsOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.topics[in.ResourceArn]
	if t == nil {
		return nil, errResourceNotFound()
	}
	out := &ListTagsOutput{}
	for k, v := range t.Tags {
		out.Tags = append(out.Tags, Tag{Key: k, Value: v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	return out, nil
}

func validAttrs(attrs map[string]MessageAttributeValue) error {
	if len(attrs) > 10 {
		return errInvalidParameter("MessageAttributes Reason: Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	for n, v := range attrs {
		if n == "" || len(n) > 256 || strings.HasPrefix(strings.ToLower(n), "aws.") || strings.HasPrefix(strings.ToLower(n), "amazon.") {
			return errInvalidParameter("MessageAttributes Reason: Message attribute name '%s' is invalid.", n)
		}
		base, _, _ := strings.Cut(v.DataType, ".")
		switch {
		case v.DataType == "String.Array":
			var arr []any
			if v.StringValue == nil || json.Unmarshal([]byte(*v.StringValue), &arr) != nil {
				return errInvalidParameter("Message attribute '%s' with type 'String.Array' has invalid value", n)
			}
		case base == "String" || base == "Number":
			if v.StringValue == nil || *v.StringValue == "" {
				return errInvalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", n, base)
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(*v.StringValue, 64); err != nil {
					return errInvalidParameter("Could not cast message attribute '%s' value to number.", n)
				}
			}
		case base == "Binary":
			if len(v.BinaryValue) == 0 {
				return errInvalidParameter("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", n)
			}
		default:
			return errInvalidParameter("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", n)
		}
	}
	return nil
}

func validMessage(msg *string, structure string) (map[string]string, error) {
	if msg == nil || *msg == "" {
		return nil, errInvalidParameter("Empty message")
	}
	if len(*msg) > maxMessage {
		return nil, errInvalidParameter("Message too long")
	}
	if !utf8.ValidString(*msg) {
		return nil, errInvalidParameter("Message must be valid UTF-8")
	}
	if structure == "" {
		return nil, nil
	}
	if structure != "json" {
		return nil, errInvalidParameter("MessageStructure")
	}
	var per map[string]any
	if err := json.Unmarshal([]byte(*msg), &per); err != nil {
		return nil, errInvalidParameter("Message Structure - JSON message body failed to parse")
	}
	out := map[string]string{}
	for k, v := range per {
		str, ok := v.(string)
		if !ok {
			return nil, errInvalidParameter("Message Structure - JSON message values must be strings")
		}
		out[k] = str
	}
	if _, ok := out["default"]; !ok {
		return nil, errInvalidParameter("Message Structure - No default entry in JSON message body")
	}
	return out, nil
}
