package provision

import (
	"context"
	"fmt"
	"sort"

	"github.com/orderflow/orderflow/tools/localcloud/sns"
)

// TopicAPI is the part of *sns.Service the SNS providers call.
type TopicAPI interface {
	CreateTopic(ctx context.Context, in *sns.CreateTopicInput) (*sns.TopicArnOutput, error)
	DeleteTopic(ctx context.Context, in *sns.TopicRef) (*sns.Empty, error)
	SetTopicAttributes(ctx context.Context, in *sns.SetTopicAttributesInput) (*sns.Empty, error)
	Subscribe(ctx context.Context, in *sns.SubscribeInput) (*sns.SubscriptionArnOutput, error)
	Unsubscribe(ctx context.Context, in *sns.SubscriptionRef) (*sns.Empty, error)
	SetSubscriptionAttributes(ctx context.Context, in *sns.SetSubscriptionAttributesInput) (*sns.Empty, error)
	TagResource(ctx context.Context, in *sns.TagResourceInput) (*sns.EmptyResult, error)
	UntagResource(ctx context.Context, in *sns.UntagResourceInput) (*sns.EmptyResult, error)
}

// topicAttributes are the AWS::SNS::Topic properties that are topic
// attributes of the same name.
var topicAttributes = []string{"DisplayName", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
	"ArchivePolicy", "DataProtectionPolicy", "DeliveryPolicy"}

func topicSpec(api TopicAPI) Spec {
	s := Spec{
		Type: "AWS::SNS::Topic", NameProperty: "TopicName",
		Properties:  append([]string{"TopicName", "FifoTopic", "ContentBasedDeduplication", "Tags", "Subscription"}, topicAttributes...),
		Replacement: []string{"TopicName", "FifoTopic"},
		Attributes:  []string{"TopicArn", "TopicName"},
	}
	if api != nil {
		s.Provider = topicProvider{api: api}
	}
	return s
}

type topicProvider struct{ api TopicAPI }

func snsTags(m map[string]string) []sns.Tag {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]sns.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, sns.Tag{Key: k, Value: m[k]})
	}
	return out
}

func (p topicProvider) Create(ctx context.Context, req *Request) (Result, error) {
	name := str(req.Properties, "TopicName")
	fifo, _ := boolProp(req.Properties, "FifoTopic")
	if name == "" {
		if fifo {
			name = PhysicalName(req, 251) + ".fifo"
		} else {
			name = PhysicalName(req, 256)
		}
	}
	attrs := map[string]string{}
	for _, k := range topicAttributes {
		if v, ok := req.Properties[k]; ok {
			s, err := scalarOrJSON(v)
			if err != nil {
				return Result{}, err
			}
			attrs[k] = s
		}
	}
	if fifo {
		attrs["FifoTopic"] = "true"
	}
	out, err := p.api.CreateTopic(ctx, &sns.CreateTopicInput{Name: name, Attributes: attrs, Tags: snsTags(req.Tags())})
	if err != nil {
		return Result{}, apiMessage("Sns", err)
	}
	for _, e := range asList(req.Properties["Subscription"]) {
		m, _ := e.(map[string]any)
		if _, err := p.api.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: str(m, "Protocol"), Endpoint: str(m, "Endpoint")}); err != nil {
			return Result{}, apiMessage("Sns", err)
		}
	}
	return Result{PhysicalID: out.TopicArn, Attributes: map[string]any{"TopicArn": out.TopicArn, "TopicName": name}}, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func (p topicProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if changed(req.OldProperties, req.Properties, "Subscription") {
		return Result{}, fmt.Errorf("updating the inline Subscription property of AWS::SNS::Topic is not supported by localcloud; use AWS::SNS::Subscription resources")
	}
	for _, k := range topicAttributes {
		if !changed(req.OldProperties, req.Properties, k) {
			continue
		}
		v := ""
		if nv, ok := req.Properties[k]; ok {
			s, err := scalarOrJSON(nv)
			if err != nil {
				return Result{}, err
			}
			v = s
		}
		if _, err := p.api.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: req.PhysicalID, AttributeName: k, AttributeValue: &v}); err != nil {
			return Result{}, apiMessage("Sns", err)
		}
	}
	set, removed := req.TagChanges()
	if len(set) > 0 {
		if _, err := p.api.TagResource(ctx, &sns.TagResourceInput{ResourceArn: req.PhysicalID, Tags: snsTags(set)}); err != nil {
			return Result{}, apiMessage("Sns", err)
		}
	}
	if len(removed) > 0 {
		if _, err := p.api.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: req.PhysicalID, TagKeys: removed}); err != nil {
			return Result{}, apiMessage("Sns", err)
		}
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

func (p topicProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteTopic(ctx, &sns.TopicRef{TopicArn: req.PhysicalID}); err != nil && !isCode(err, "NotFound") {
		return apiMessage("Sns", err)
	}
	return nil
}

// subscriptionAttributes are the AWS::SNS::Subscription properties that
// are subscription attributes of the same name.
var subscriptionAttributes = []string{"RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy",
	"DeliveryPolicy", "SubscriptionRoleArn", "ReplayPolicy"}

func subscriptionSpec(api TopicAPI) Spec {
	s := Spec{
		Type:        "AWS::SNS::Subscription",
		Properties:  append([]string{"TopicArn", "Protocol", "Endpoint", "Region"}, subscriptionAttributes...),
		Replacement: []string{"TopicArn", "Protocol", "Endpoint", "Region"},
		Attributes:  []string{"Arn"},
	}
	if api != nil {
		s.Provider = subscriptionProvider{api: api}
	}
	return s
}

type subscriptionProvider struct{ api TopicAPI }

func subAttr(props map[string]any, k string) (string, bool, error) {
	v, ok := props[k]
	if !ok {
		return "", false, nil
	}
	s, err := scalarOrJSON(v)
	return s, true, err
}

func (p subscriptionProvider) Create(ctx context.Context, req *Request) (Result, error) {
	attrs := map[string]string{}
	for _, k := range subscriptionAttributes {
		s, ok, err := subAttr(req.Properties, k)
		if err != nil {
			return Result{}, err
		}
		if ok {
			attrs[k] = s
		}
	}
	out, err := p.api.Subscribe(ctx, &sns.SubscribeInput{TopicArn: str(req.Properties, "TopicArn"), Protocol: str(req.Properties, "Protocol"),
		Endpoint: str(req.Properties, "Endpoint"), Attributes: attrs, ReturnSubscriptionArn: true})
	if err != nil {
		return Result{}, apiMessage("Sns", err)
	}
	return Result{PhysicalID: out.SubscriptionArn, Attributes: map[string]any{"Arn": out.SubscriptionArn}}, nil
}

func (p subscriptionProvider) Update(ctx context.Context, req *Request) (Result, error) {
	for _, k := range subscriptionAttributes {
		if !changed(req.OldProperties, req.Properties, k) {
			continue
		}
		s, ok, err := subAttr(req.Properties, k)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			switch k {
			case "RawMessageDelivery":
				s = "false"
			case "FilterPolicyScope":
				s = "MessageAttributes"
			}
		}
		if _, err := p.api.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: req.PhysicalID, AttributeName: k, AttributeValue: &s}); err != nil {
			return Result{}, apiMessage("Sns", err)
		}
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Arn": req.PhysicalID}}, nil
}

func (p subscriptionProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.Unsubscribe(ctx, &sns.SubscriptionRef{SubscriptionArn: req.PhysicalID}); err != nil && !isCode(err, "NotFound", "InvalidParameter") {
		return apiMessage("Sns", err)
	}
	return nil
}

func topicPolicySpec(api TopicAPI) Spec {
	s := Spec{Type: "AWS::SNS::TopicPolicy", Properties: []string{"PolicyDocument", "Topics"}, Attributes: []string{"Id"}}
	if api != nil {
		s.Provider = topicPolicyProvider{api: api}
	}
	return s
}

type topicPolicyProvider struct{ api TopicAPI }

func (p topicPolicyProvider) set(ctx context.Context, topic, doc string) error {
	if _, err := p.api.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic, AttributeName: "Policy", AttributeValue: &doc}); err != nil {
		return apiMessage("Sns", err)
	}
	return nil
}

func (p topicPolicyProvider) apply(ctx context.Context, req *Request) error {
	doc, err := scalarOrJSON(req.Properties["PolicyDocument"])
	if err != nil {
		return err
	}
	topics := stringList(req.Properties["Topics"])
	if len(topics) == 0 {
		return fmt.Errorf("Property Topics cannot be empty")
	}
	for _, t := range topics {
		if err := p.set(ctx, t, doc); err != nil {
			return err
		}
	}
	return nil
}

func (p topicPolicyProvider) Create(ctx context.Context, req *Request) (Result, error) {
	if err := p.apply(ctx, req); err != nil {
		return Result{}, err
	}
	id := PhysicalName(req, 255)
	return Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (p topicPolicyProvider) Update(ctx context.Context, req *Request) (Result, error) {
	kept := map[string]bool{}
	for _, t := range stringList(req.Properties["Topics"]) {
		kept[t] = true
	}
	for _, t := range stringList(req.OldProperties["Topics"]) {
		if !kept[t] {
			_ = p.set(ctx, t, defaultTopicPolicy(t, req.Account))
		}
	}
	if err := p.apply(ctx, req); err != nil {
		return Result{}, err
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Id": req.PhysicalID}}, nil
}

// Delete restores each topic's default access policy; a deleted topic has
// none to restore.
func (p topicPolicyProvider) Delete(ctx context.Context, req *Request) error {
	for _, t := range stringList(req.OldProperties["Topics"]) {
		_ = p.set(ctx, t, defaultTopicPolicy(t, req.Account))
	}
	return nil
}

// defaultTopicPolicy is the access policy SNS gives a new topic: the owning
// account may administer and publish.
func defaultTopicPolicy(arn, account string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow",` +
		`"Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission",` +
		`"SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` + arn + `",` +
		`"Condition":{"StringEquals":{"AWS:SourceOwner":"` + account + `"}}}]}`
}
