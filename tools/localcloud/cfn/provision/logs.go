package provision

import (
	"context"

	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

// LogGroupAPI is the part of *logs.Service the log group provider calls.
type LogGroupAPI interface {
	CreateLogGroup(ctx context.Context, in *logs.CreateLogGroupInput) (*logs.Empty, error)
	DeleteLogGroup(ctx context.Context, in *logs.LogGroupNameInput) (*logs.Empty, error)
	PutRetentionPolicy(ctx context.Context, in *logs.PutRetentionPolicyInput) (*logs.Empty, error)
	DeleteRetentionPolicy(ctx context.Context, in *logs.LogGroupNameInput) (*logs.Empty, error)
	TagResource(ctx context.Context, in *logs.TagResourceInput) (*logs.Empty, error)
	UntagResource(ctx context.Context, in *logs.UntagResourceInput) (*logs.Empty, error)
}

func logGroupSpec(api LogGroupAPI) Spec {
	s := Spec{
		Type: "AWS::Logs::LogGroup", NameProperty: "LogGroupName",
		Properties: []string{"LogGroupName", "RetentionInDays", "KmsKeyId", "Tags", "LogGroupClass",
			"DataProtectionPolicy", "DeletionProtectionEnabled", "FieldIndexPolicies"},
		Replacement: []string{"LogGroupName", "LogGroupClass"},
		Attributes:  []string{"Arn"},
	}
	if api != nil {
		s.Provider = logGroupProvider{api: api}
	}
	return s
}

type logGroupProvider struct{ api LogGroupAPI }

func (p logGroupProvider) arn(req *Request, name string) string {
	return "arn:aws:logs:" + req.Region + ":" + req.Account + ":log-group:" + name
}

func (p logGroupProvider) Create(ctx context.Context, req *Request) (Result, error) {
	name := str(req.Properties, "LogGroupName")
	if name == "" {
		name = PhysicalName(req, 512)
	}
	in := &logs.CreateLogGroupInput{LogGroupName: name, KmsKeyID: str(req.Properties, "KmsKeyId"),
		Tags: req.Tags(), LogGroupClass: str(req.Properties, "LogGroupClass")}
	if len(in.Tags) == 0 {
		in.Tags = nil
	}
	if v, ok := boolProp(req.Properties, "DeletionProtectionEnabled"); ok {
		in.DeletionProtectionEnabled = &v
	}
	if _, err := p.api.CreateLogGroup(ctx, in); err != nil {
		return Result{}, apiMessage("CloudWatchLogs", err)
	}
	if err := p.retention(ctx, req, name); err != nil {
		_, _ = p.api.DeleteLogGroup(ctx, &logs.LogGroupNameInput{LogGroupName: name})
		return Result{}, err
	}
	return Result{PhysicalID: name, Attributes: map[string]any{"Arn": p.arn(req, name) + ":*"}}, nil
}

func (p logGroupProvider) retention(ctx context.Context, req *Request, name string) error {
	days, ok, err := intProp(req.Properties, "RetentionInDays")
	if err != nil {
		return err
	}
	if ok {
		d := int(days)
		_, err = p.api.PutRetentionPolicy(ctx, &logs.PutRetentionPolicyInput{LogGroupName: name, RetentionInDays: &d})
	} else if _, before := req.OldProperties["RetentionInDays"]; before {
		_, err = p.api.DeleteRetentionPolicy(ctx, &logs.LogGroupNameInput{LogGroupName: name})
	}
	if err != nil {
		return apiMessage("CloudWatchLogs", err)
	}
	return nil
}

func (p logGroupProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if changed(req.OldProperties, req.Properties, "RetentionInDays") {
		if err := p.retention(ctx, req, req.PhysicalID); err != nil {
			return Result{}, err
		}
	}
	set, removed := req.TagChanges()
	arn := p.arn(req, req.PhysicalID)
	if len(set) > 0 {
		if _, err := p.api.TagResource(ctx, &logs.TagResourceInput{ResourceArn: arn, Tags: set}); err != nil {
			return Result{}, apiMessage("CloudWatchLogs", err)
		}
	}
	if len(removed) > 0 {
		if _, err := p.api.UntagResource(ctx, &logs.UntagResourceInput{ResourceArn: arn, TagKeys: removed}); err != nil {
			return Result{}, apiMessage("CloudWatchLogs", err)
		}
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Arn": arn + ":*"}}, nil
}

func (p logGroupProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteLogGroup(ctx, &logs.LogGroupNameInput{LogGroupName: req.PhysicalID}); err != nil && !isCode(err, "ResourceNotFoundException") {
		return apiMessage("CloudWatchLogs", err)
	}
	return nil
}
