package provision

import (
	"context"

	"github.com/orderflow/orderflow/tools/localcloud/cloudwatch"
)

// AlarmAPI is the part of *cloudwatch.Service the alarm provider calls.
type AlarmAPI interface {
	PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput) (*cloudwatch.Empty, error)
	DeleteAlarms(ctx context.Context, in *cloudwatch.DeleteAlarmsInput) (*cloudwatch.Empty, error)
	TagResource(ctx context.Context, in *cloudwatch.TagResourceInput) (*cloudwatch.Empty, error)
	UntagResource(ctx context.Context, in *cloudwatch.UntagResourceInput) (*cloudwatch.Empty, error)
	ARN(name string) string
}

func alarmSpec(api AlarmAPI) Spec {
	s := Spec{
		Type: "AWS::CloudWatch::Alarm", NameProperty: "AlarmName",
		// Metric math (Metrics) is not modelled.
		Properties: []string{"ActionsEnabled", "AlarmActions", "AlarmDescription", "AlarmName", "ComparisonOperator", "DatapointsToAlarm",
			"Dimensions", "EvaluateLowSampleCountPercentile", "EvaluationPeriods", "ExtendedStatistic", "InsufficientDataActions",
			"MetricName", "Namespace", "OKActions", "Period", "Statistic", "Tags", "Threshold", "ThresholdMetricId", "TreatMissingData", "Unit"},
		Replacement: []string{"AlarmName"},
		Attributes:  []string{"Arn"},
	}
	if api != nil {
		s.Provider = alarmProvider{api: api}
	}
	return s
}

type alarmProvider struct{ api AlarmAPI }

func (p alarmProvider) put(ctx context.Context, req *Request, name string, tags map[string]string) error {
	in := &cloudwatch.PutMetricAlarmInput{AlarmName: name, AlarmDescription: str(req.Properties, "AlarmDescription"),
		AlarmActions: stringList(req.Properties["AlarmActions"]), OKActions: stringList(req.Properties["OKActions"]),
		InsufficientDataActions: stringList(req.Properties["InsufficientDataActions"]), MetricName: str(req.Properties, "MetricName"),
		Namespace: str(req.Properties, "Namespace"), Statistic: str(req.Properties, "Statistic"),
		ExtendedStatistic: str(req.Properties, "ExtendedStatistic"), Unit: str(req.Properties, "Unit"),
		ComparisonOperator: str(req.Properties, "ComparisonOperator"), TreatMissingData: str(req.Properties, "TreatMissingData"),
		EvaluateLowSampleCountPercentile: str(req.Properties, "EvaluateLowSampleCountPercentile"),
		ThresholdMetricID:                str(req.Properties, "ThresholdMetricId")}
	var err error
	if in.ActionsEnabled, err = boolPtr(req.Properties, "ActionsEnabled"); err != nil {
		return err
	}
	for key, dst := range map[string]**int{"Period": &in.Period, "EvaluationPeriods": &in.EvaluationPeriods, "DatapointsToAlarm": &in.DatapointsToAlarm} {
		if *dst, err = intPtr(req.Properties, key); err != nil {
			return err
		}
	}
	if in.Threshold, err = floatPtr(req.Properties, "Threshold"); err != nil {
		return err
	}
	dims, err := objectList(req.Properties["Dimensions"], "Dimensions")
	if err != nil {
		return err
	}
	for _, d := range dims {
		if err := checkKeys(d, "Dimensions", "Name", "Value"); err != nil {
			return err
		}
		in.Dimensions = append(in.Dimensions, cloudwatch.Dimension{Name: str(d, "Name"), Value: str(d, "Value")})
	}
	for _, k := range sortedKeys(tags) {
		in.Tags = append(in.Tags, cloudwatch.Tag{Key: k, Value: tags[k]})
	}
	if _, err := p.api.PutMetricAlarm(ctx, in); err != nil {
		return apiMessage("CloudWatch", err)
	}
	return nil
}

func (p alarmProvider) Create(ctx context.Context, req *Request) (Result, error) {
	name := str(req.Properties, "AlarmName")
	if name == "" {
		name = PhysicalName(req, 255)
	}
	if err := p.put(ctx, req, name, req.Tags()); err != nil {
		return Result{}, err
	}
	return Result{PhysicalID: name, Attributes: map[string]any{"Arn": p.api.ARN(name)}}, nil
}

// Update puts the alarm again (PutMetricAlarm replaces its configuration
// and keeps its state) and applies tag changes, which PutMetricAlarm
// ignores for an existing alarm.
func (p alarmProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if err := p.put(ctx, req, req.PhysicalID, nil); err != nil {
		return Result{}, err
	}
	arn := p.api.ARN(req.PhysicalID)
	set, removed := req.TagChanges()
	if len(set) > 0 {
		in := &cloudwatch.TagResourceInput{ResourceARN: arn}
		for _, k := range sortedKeys(set) {
			in.Tags = append(in.Tags, cloudwatch.Tag{Key: k, Value: set[k]})
		}
		if _, err := p.api.TagResource(ctx, in); err != nil {
			return Result{}, apiMessage("CloudWatch", err)
		}
	}
	if len(removed) > 0 {
		if _, err := p.api.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: arn, TagKeys: removed}); err != nil {
			return Result{}, apiMessage("CloudWatch", err)
		}
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Arn": arn}}, nil
}

func (p alarmProvider) Delete(ctx context.Context, req *Request) error {
	_, err := p.api.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{req.PhysicalID}})
	if err != nil && !isCode(err, "ResourceNotFound", "ResourceNotFoundException") {
		return apiMessage("CloudWatch", err)
	}
	return nil
}
