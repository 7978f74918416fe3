package provision

import (
	"context"
	"fmt"
	"sort"

	"github.com/orderflow/orderflow/tools/localcloud/sqs"
)

// QueueAPI is the part of *sqs.Service the SQS providers call.
type QueueAPI interface {
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput) (*sqs.AttributesOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput) (*sqs.Empty, error)
	DeleteQueue(ctx context.Context, in *sqs.QueueRef) (*sqs.Empty, error)
	TagQueue(ctx context.Context, in *sqs.TagQueueInput) (*sqs.Empty, error)
	UntagQueue(ctx context.Context, in *sqs.UntagQueueInput) (*sqs.Empty, error)
}

// queueAttributes maps AWS::SQS::Queue properties to queue attributes,
// with the value SetQueueAttributes restores when a property is removed.
var queueAttributes = map[string]string{
	"DelaySeconds": "0", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
	"ReceiveMessageWaitTimeSeconds": "0", "VisibilityTimeout": "30", "KmsMasterKeyId": "",
	"KmsDataKeyReusePeriodSeconds": "300", "SqsManagedSseEnabled": "true", "RedrivePolicy": "",
	"RedriveAllowPolicy": "", "ContentBasedDeduplication": "false", "DeduplicationScope": "queue",
	"FifoThroughputLimit": "perQueue",
}

func queueSpec(api QueueAPI) Spec {
	s := Spec{
		Type: "AWS::SQS::Queue", NameProperty: "QueueName",
		Properties:  []string{"QueueName", "FifoQueue", "Tags"},
		Replacement: []string{"QueueName", "FifoQueue"},
		Attributes:  []string{"Arn", "QueueName", "QueueUrl"},
	}
	for k := range queueAttributes {
		s.Properties = append(s.Properties, k)
	}
	sort.Strings(s.Properties)
	if api != nil {
		s.Provider = queueProvider{api: api}
	}
	return s
}

type queueProvider struct{ api QueueAPI }

func queueAttrs(props map[string]any) (map[string]string, error) {
	out := map[string]string{}
	for k := range queueAttributes {
		v, ok := props[k]
		if !ok {
			continue
		}
		s, err := scalarOrJSON(v)
		if err != nil {
			return nil, err
		}
		out[k] = s
	}
	if fifo, ok := boolProp(props, "FifoQueue"); ok && fifo {
		out["FifoQueue"] = "true"
	}
	return out, nil
}

func (p queueProvider) Create(ctx context.Context, req *Request) (Result, error) {
	name := str(req.Properties, "QueueName")
	if name == "" {
		if fifo, _ := boolProp(req.Properties, "FifoQueue"); fifo {
			name = PhysicalName(req, 75) + ".fifo"
		} else {
			name = PhysicalName(req, 80)
		}
	}
	attrs, err := queueAttrs(req.Properties)
	if err != nil {
		return Result{}, err
	}
	out, err := p.api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: name, Attributes: attrs, Tags: req.Tags()})
	if err != nil {
		return Result{}, apiMessage("Sqs", err)
	}
	return p.result(ctx, out.QueueURL, name)
}

func (p queueProvider) result(ctx context.Context, url, name string) (Result, error) {
	got, err := p.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueURL: url, AttributeNames: []string{"QueueArn"}})
	if err != nil {
		return Result{}, apiMessage("Sqs", err)
	}
	return Result{PhysicalID: url, Attributes: map[string]any{
		"Arn": got.Attributes["QueueArn"], "QueueName": name, "QueueUrl": url,
	}}, nil
}

func (p queueProvider) Update(ctx context.Context, req *Request) (Result, error) {
	attrs, err := queueAttrs(req.Properties)
	if err != nil {
		return Result{}, err
	}
	for k, def := range queueAttributes {
		if _, now := req.Properties[k]; !now {
			if _, before := req.OldProperties[k]; before {
				attrs[k] = def
			}
		}
	}
	delete(attrs, "FifoQueue")
	if len(attrs) > 0 {
		if _, err := p.api.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueURL: req.PhysicalID, Attributes: attrs}); err != nil {
			return Result{}, apiMessage("Sqs", err)
		}
	}
	set, removed := req.TagChanges()
	if len(set) > 0 {
		if _, err := p.api.TagQueue(ctx, &sqs.TagQueueInput{QueueURL: req.PhysicalID, Tags: set}); err != nil {
			return Result{}, apiMessage("Sqs", err)
		}
	}
	if len(removed) > 0 {
		if _, err := p.api.UntagQueue(ctx, &sqs.UntagQueueInput{QueueURL: req.PhysicalID, TagKeys: removed}); err != nil {
			return Result{}, apiMessage("Sqs", err)
		}
	}
	name, _ := req.Attributes["QueueName"].(string)
	return p.result(ctx, req.PhysicalID, name)
}

func (p queueProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteQueue(ctx, &sqs.QueueRef{QueueURL: req.PhysicalID}); err != nil && !isCode(err, "QueueDoesNotExist") {
		return apiMessage("Sqs", err)
	}
	return nil
}

func queuePolicySpec(api QueueAPI) Spec {
	s := Spec{Type: "AWS::SQS::QueuePolicy", Properties: []string{"PolicyDocument", "Queues"}, Attributes: []string{"Id"}}
	if api != nil {
		s.Provider = queuePolicyProvider{api: api}
	}
	return s
}

type queuePolicyProvider struct{ api QueueAPI }

func (p queuePolicyProvider) apply(ctx context.Context, req *Request) error {
	doc, err := scalarOrJSON(req.Properties["PolicyDocument"])
	if err != nil {
		return err
	}
	queues := stringList(req.Properties["Queues"])
	if len(queues) == 0 {
		return fmt.Errorf("Property Queues cannot be empty")
	}
	for _, q := range queues {
		if _, err := p.api.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueURL: q, Attributes: map[string]string{"Policy": doc}}); err != nil {
			return apiMessage("Sqs", err)
		}
	}
	return nil
}

func (p queuePolicyProvider) Create(ctx context.Context, req *Request) (Result, error) {
	if err := p.apply(ctx, req); err != nil {
		return Result{}, err
	}
	id := PhysicalName(req, 255)
	return Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (p queuePolicyProvider) Update(ctx context.Context, req *Request) (Result, error) {
	kept := map[string]bool{}
	for _, q := range stringList(req.Properties["Queues"]) {
		kept[q] = true
	}
	for _, q := range stringList(req.OldProperties["Queues"]) {
		if !kept[q] {
			p.clear(ctx, q)
		}
	}
	if err := p.apply(ctx, req); err != nil {
		return Result{}, err
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Id": req.PhysicalID}}, nil
}

// clear removes the policy from a queue; a queue already deleted has none.
func (p queuePolicyProvider) clear(ctx context.Context, queue string) {
	_, _ = p.api.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueURL: queue, Attributes: map[string]string{"Policy": ""}})
}

func (p queuePolicyProvider) Delete(ctx context.Context, req *Request) error {
	for _, q := range stringList(req.OldProperties["Queues"]) {
		p.clear(ctx, q)
	}
	return nil
}
