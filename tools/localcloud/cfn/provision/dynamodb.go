package provision

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
)

// TableAPI is the part of *dynamodb.Service the table provider calls.
type TableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput) (*dynamodb.TableOutput, error)
	DeleteTable(ctx context.Context, in *dynamodb.TableNameInput) (*dynamodb.TableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.TableNameInput) (*dynamodb.DescribeTableOutput, error)
	UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput) (*dynamodb.TableOutput, error)
	UpdateContinuousBackups(ctx context.Context, in *dynamodb.UpdateContinuousBackupsInput) (*dynamodb.ContinuousBackupsOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error)
	TagResource(ctx context.Context, in *dynamodb.TagResourceInput) (*dynamodb.Empty, error)
	UntagResource(ctx context.Context, in *dynamodb.UntagResourceInput) (*dynamodb.Empty, error)
}

func tableSpec(api TableAPI) Spec {
	s := Spec{
		Type: "AWS::DynamoDB::Table", NameProperty: "TableName",
		Properties: []string{"TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
			"StreamSpecification", "SSESpecification", "PointInTimeRecoverySpecification", "DeletionProtectionEnabled",
			"Tags", "TimeToLiveSpecification", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "TableClass",
			"ContributorInsightsSpecification", "KinesisStreamSpecification", "OnDemandThroughput",
			"ResourcePolicy", "WarmThroughput", "ImportSourceSpecification"},
		Replacement: []string{"TableName", "KeySchema", "LocalSecondaryIndexes", "ImportSourceSpecification"},
		Attributes:  []string{"Arn", "StreamArn"},
	}
	if api != nil {
		s.Provider = tableProvider{api: api}
	}
	return s
}

type tableProvider struct{ api TableAPI }

// convert re-decodes a property through JSON into an API shape; the
// property names of these shapes are the API's.
func convert(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode property: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("property has the wrong shape: %w", err)
	}
	return nil
}

func throughput(v any) (*dynamodb.ProvisionedThroughput, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil
	}
	r, _, err := intProp(m, "ReadCapacityUnits")
	if err != nil {
		return nil, err
	}
	w, _, err := intProp(m, "WriteCapacityUnits")
	if err != nil {
		return nil, err
	}
	return &dynamodb.ProvisionedThroughput{ReadCapacityUnits: &r, WriteCapacityUnits: &w}, nil
}

func streamSpec(props map[string]any) *dynamodb.StreamSpecification {
	m, ok := props["StreamSpecification"].(map[string]any)
	if !ok {
		return nil
	}
	on := true
	return &dynamodb.StreamSpecification{StreamEnabled: &on, StreamViewType: str(m, "StreamViewType")}
}

func sseSpec(props map[string]any) *dynamodb.SSESpecification {
	m, ok := props["SSESpecification"].(map[string]any)
	if !ok {
		return nil
	}
	on, _ := boolProp(m, "SSEEnabled")
	return &dynamodb.SSESpecification{Enabled: &on, SSEType: str(m, "SSEType"), KMSMasterKeyID: str(m, "KMSMasterKeyId")}
}

func dynamoTags(m map[string]string) []dynamodb.Tag {
	out := make([]dynamodb.Tag, 0, len(m))
	for _, t := range snsTags(m) {
		out = append(out, dynamodb.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func (p tableProvider) Create(ctx context.Context, req *Request) (Result, error) {
	props := req.Properties
	name := str(props, "TableName")
	if name == "" {
		name = PhysicalName(req, 255)
	}
	in := &dynamodb.CreateTableInput{TableName: name, BillingMode: str(props, "BillingMode"), TableClass: str(props, "TableClass"),
		StreamSpecification: streamSpec(props), SSESpecification: sseSpec(props), Tags: dynamoTags(req.Tags())}
	if in.BillingMode == "" {
		in.BillingMode = "PROVISIONED"
	}
	for key, dst := range map[string]any{"AttributeDefinitions": &in.AttributeDefinitions, "KeySchema": &in.KeySchema,
		"GlobalSecondaryIndexes": &in.GlobalSecondaryIndexes, "LocalSecondaryIndexes": &in.LocalSecondaryIndexes} {
		if v, ok := props[key]; ok {
			if err := convert(v, dst); err != nil {
				return Result{}, fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	pt, err := throughput(props["ProvisionedThroughput"])
	if err != nil {
		return Result{}, err
	}
	in.ProvisionedThroughput = pt
	if v, ok := boolProp(props, "DeletionProtectionEnabled"); ok {
		in.DeletionProtectionEnabled = &v
	}
	if _, err := p.api.CreateTable(ctx, in); err != nil {
		return Result{}, apiMessage("DynamoDb", err)
	}
	req.PhysicalID = name
	if err := p.settings(ctx, req, true); err != nil {
		_, _ = p.api.DeleteTable(ctx, &dynamodb.TableNameInput{TableName: name})
		return Result{}, err
	}
	return p.result(ctx, name)
}

// settings applies what CreateTable cannot: point-in-time recovery and
// time to live.
func (p tableProvider) settings(ctx context.Context, req *Request, create bool) error {
	if create || changed(req.OldProperties, req.Properties, "PointInTimeRecoverySpecification") {
		if m, ok := req.Properties["PointInTimeRecoverySpecification"].(map[string]any); ok || !create {
			on, _ := boolProp(m, "PointInTimeRecoveryEnabled")
			if _, err := p.api.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: req.PhysicalID,
				PointInTimeRecoverySpecification: &dynamodb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: &on}}); err != nil {
				return apiMessage("DynamoDb", err)
			}
		}
	}
	if create || changed(req.OldProperties, req.Properties, "TimeToLiveSpecification") {
		m, ok := req.Properties["TimeToLiveSpecification"].(map[string]any)
		if !ok && !create {
			old, _ := req.OldProperties["TimeToLiveSpecification"].(map[string]any)
			m, ok = map[string]any{"Enabled": false, "AttributeName": old["AttributeName"]}, true
		}
		if ok {
			on, _ := boolProp(m, "Enabled")
			if _, err := p.api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: req.PhysicalID,
				TimeToLiveSpecification: &dynamodb.TimeToLiveSpecification{Enabled: &on, AttributeName: str(m, "AttributeName")}}); err != nil {
				return apiMessage("DynamoDb", err)
			}
		}
	}
	return nil
}

func (p tableProvider) result(ctx context.Context, name string) (Result, error) {
	out, err := p.api.DescribeTable(ctx, &dynamodb.TableNameInput{TableName: name})
	if err != nil {
		return Result{}, apiMessage("DynamoDb", err)
	}
	attrs := map[string]any{"Arn": out.Table.TableArn}
	if out.Table.LatestStreamArn != "" {
		attrs["StreamArn"] = out.Table.LatestStreamArn
	}
	return Result{PhysicalID: name, Attributes: attrs}, nil
}

func (p tableProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if changed(req.OldProperties, req.Properties, "GlobalSecondaryIndexes") {
		return Result{}, fmt.Errorf("updating GlobalSecondaryIndexes of AWS::DynamoDB::Table is not supported by localcloud yet")
	}
	props := req.Properties
	if changed(req.OldProperties, props, "StreamSpecification") {
		if old := streamSpec(req.OldProperties); old != nil {
			off := false
			if _, err := p.api.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: req.PhysicalID, StreamSpecification: &dynamodb.StreamSpecification{StreamEnabled: &off}}); err != nil {
				return Result{}, apiMessage("DynamoDb", err)
			}
		}
		if spec := streamSpec(props); spec != nil {
			if _, err := p.api.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: req.PhysicalID, StreamSpecification: spec}); err != nil {
				return Result{}, apiMessage("DynamoDb", err)
			}
		}
	}
	in := &dynamodb.UpdateTableInput{TableName: req.PhysicalID}
	dirty := false
	if changed(req.OldProperties, props, "BillingMode") || changed(req.OldProperties, props, "ProvisionedThroughput") {
		in.BillingMode = str(props, "BillingMode")
		if in.BillingMode == "" {
			in.BillingMode = "PROVISIONED"
		}
		pt, err := throughput(props["ProvisionedThroughput"])
		if err != nil {
			return Result{}, err
		}
		in.ProvisionedThroughput = pt
		dirty = true
	}
	if changed(req.OldProperties, props, "SSESpecification") {
		in.SSESpecification = sseSpec(props)
		if in.SSESpecification == nil {
			off := false
			in.SSESpecification = &dynamodb.SSESpecification{Enabled: &off}
		}
		dirty = true
	}
	if changed(req.OldProperties, props, "DeletionProtectionEnabled") {
		v, _ := boolProp(props, "DeletionProtectionEnabled")
		in.DeletionProtectionEnabled = &v
		dirty = true
	}
	if changed(req.OldProperties, props, "TableClass") {
		in.TableClass = str(props, "TableClass")
		dirty = in.TableClass != "" || dirty
	}
	if dirty {
		if _, err := p.api.UpdateTable(ctx, in); err != nil {
			return Result{}, apiMessage("DynamoDb", err)
		}
	}
	if err := p.settings(ctx, req, false); err != nil {
		return Result{}, err
	}
	set, removed := req.TagChanges()
	arn, _ := req.Attributes["Arn"].(string)
	if len(set) > 0 {
		if _, err := p.api.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: dynamoTags(set)}); err != nil {
			return Result{}, apiMessage("DynamoDb", err)
		}
	}
	if len(removed) > 0 {
		if _, err := p.api.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: removed}); err != nil {
			return Result{}, apiMessage("DynamoDb", err)
		}
	}
	return p.result(ctx, req.PhysicalID)
}

func (p tableProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteTable(ctx, &dynamodb.TableNameInput{TableName: req.PhysicalID}); err != nil && !isCode(err, "ResourceNotFoundException") {
		return apiMessage("DynamoDb", err)
	}
	return nil
}
