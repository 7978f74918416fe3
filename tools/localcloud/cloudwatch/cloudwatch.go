package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

const alarmsTable = "cloudwatch.alarms"

// Config wires the service.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	Account string
	Region  string
	Logger  *slog.Logger
}

// Service is the CloudWatch alarms service.
type Service struct{ cfg Config }

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("cloudwatch: Store is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}, nil
}

// Dimension is a metric dimension.
type Dimension struct {
	Name  string `json:"Name" query:"Name"`
	Value string `json:"Value" query:"Value"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key" query:"Key"`
	Value string `json:"Value" query:"Value"`
}

// PutMetricAlarmInput creates or replaces a metric alarm.
type PutMetricAlarmInput struct {
	AlarmName                        string      `json:"AlarmName" query:"AlarmName"`
	AlarmDescription                 string      `json:"AlarmDescription,omitempty" query:"AlarmDescription"`
	ActionsEnabled                   *bool       `json:"ActionsEnabled,omitempty" query:"ActionsEnabled"`
	OKActions                        []string    `json:"OKActions,omitempty" query:"OKActions"`
	AlarmActions                     []string    `json:"AlarmActions,omitempty" query:"AlarmActions"`
	InsufficientDataActions          []string    `json:"InsufficientDataActions,omitempty" query:"InsufficientDataActions"`
	MetricName                       string      `json:"MetricName,omitempty" query:"MetricName"`
	Namespace                        string      `json:"Namespace,omitempty" query:"Namespace"`
	Statistic                        string      `json:"Statistic,omitempty" query:"Statistic"`
	ExtendedStatistic                string      `json:"ExtendedStatistic,omitempty" query:"ExtendedStatistic"`
	Dimensions                       []Dimension `json:"Dimensions,omitempty" query:"Dimensions"`
	Period                           *int        `json:"Period,omitempty" query:"Period"`
	Unit                             string      `json:"Unit,omitempty" query:"Unit"`
	EvaluationPeriods                *int        `json:"EvaluationPeriods,omitempty" query:"EvaluationPeriods"`
	DatapointsToAlarm                *int        `json:"DatapointsToAlarm,omitempty" query:"DatapointsToAlarm"`
	Threshold                        *float64    `json:"Threshold,omitempty" query:"Threshold"`
	ComparisonOperator               string      `json:"ComparisonOperator,omitempty" query:"ComparisonOperator"`
	TreatMissingData                 string      `json:"TreatMissingData,omitempty" query:"TreatMissingData"`
	EvaluateLowSampleCountPercentile string      `json:"EvaluateLowSampleCountPercentile,omitempty" query:"EvaluateLowSampleCountPercentile"`
	ThresholdMetricID                string      `json:"ThresholdMetricId,omitempty" query:"ThresholdMetricId"`
	Tags                             []Tag       `json:"Tags,omitempty" query:"Tags"`
}

// MetricAlarm is an alarm as DescribeAlarms reports it.
type MetricAlarm struct {
	AlarmName                          string      `json:"AlarmName" query:"AlarmName"`
	AlarmArn                           string      `json:"AlarmArn" query:"AlarmArn"`
	AlarmDescription                   string      `json:"AlarmDescription,omitempty" query:"AlarmDescription"`
	AlarmConfigurationUpdatedTimestamp string      `json:"AlarmConfigurationUpdatedTimestamp" query:"AlarmConfigurationUpdatedTimestamp"`
	ActionsEnabled                     bool        `json:"ActionsEnabled" query:"ActionsEnabled"`
	OKActions                          []string    `json:"OKActions" query:"OKActions"`
	AlarmActions                       []string    `json:"AlarmActions" query:"AlarmActions"`
	InsufficientDataActions            []string    `json:"InsufficientDataActions" query:"InsufficientDataActions"`
	StateValue                         string      `json:"StateValue" query:"StateValue"`
	StateReason                        string      `json:"StateReason" query:"StateReason"`
	StateUpdatedTimestamp              string      `json:"StateUpdatedTimestamp" query:"StateUpdatedTimestamp"`
	MetricName                         string      `json:"MetricName,omitempty" query:"MetricName"`
	Namespace                          string      `json:"Namespace,omitempty" query:"Namespace"`
	Statistic                          string      `json:"Statistic,omitempty" query:"Statistic"`
	ExtendedStatistic                  string      `json:"ExtendedStatistic,omitempty" query:"ExtendedStatistic"`
	Dimensions                         []Dimension `json:"Dimensions" query:"Dimensions"`
	Period                             *int        `json:"Period,omitempty" query:"Period"`
	Unit                               string      `json:"Unit,omitempty" query:"Unit"`
	EvaluationPeriods                  int         `json:"EvaluationPeriods" query:"EvaluationPeriods"`
	DatapointsToAlarm                  *int        `json:"DatapointsToAlarm,omitempty" query:"DatapointsToAlarm"`
	Threshold                          *float64    `json:"Threshold,omitempty" query:"Threshold"`
	ComparisonOperator                 string      `json:"ComparisonOperator" query:"ComparisonOperator"`
	TreatMissingData                   string      `json:"TreatMissingData,omitempty" query:"TreatMissingData"`
	EvaluateLowSampleCountPercentile   string      `json:"EvaluateLowSampleCountPercentile,omitempty" query:"EvaluateLowSampleCountPercentile"`
	StateTransitionedTimestamp         string      `json:"StateTransitionedTimestamp" query:"StateTransitionedTimestamp"`
}

// alarmRecord is an alarm in the store.
type alarmRecord struct {
	Alarm MetricAlarm       `json:"alarm"`
	Tags  map[string]string `json:"tags,omitempty"`
}

// Empty is an answer without members.
type Empty struct{}

// DescribeAlarmsInput filters alarms.
type DescribeAlarmsInput struct {
	AlarmNames      []string `json:"AlarmNames,omitempty" query:"AlarmNames"`
	AlarmNamePrefix string   `json:"AlarmNamePrefix,omitempty" query:"AlarmNamePrefix"`
	StateValue      string   `json:"StateValue,omitempty" query:"StateValue"`
	ActionPrefix    string   `json:"ActionPrefix,omitempty" query:"ActionPrefix"`
	AlarmTypes      []string `json:"AlarmTypes,omitempty" query:"AlarmTypes"`
	MaxRecords      int      `json:"MaxRecords,omitempty" query:"MaxRecords"`
	NextToken       string   `json:"NextToken,omitempty" query:"NextToken"`
}

// DescribeAlarmsOutput lists metric alarms.
type DescribeAlarmsOutput struct {
	MetricAlarms []MetricAlarm `json:"MetricAlarms" query:"MetricAlarms"`
	NextToken    string        `json:"NextToken,omitempty" query:"NextToken"`
}

// DeleteAlarmsInput names alarms to delete.
type DeleteAlarmsInput struct {
	AlarmNames []string `json:"AlarmNames" query:"AlarmNames"`
}

// TagResourceInput adds tags to an alarm.
type TagResourceInput struct {
	ResourceARN string `json:"ResourceARN" query:"ResourceARN"`
	Tags        []Tag  `json:"Tags" query:"Tags"`
}

// UntagResourceInput removes tags from an alarm.
type UntagResourceInput struct {
	ResourceARN string   `json:"ResourceARN" query:"ResourceARN"`
	TagKeys     []string `json:"TagKeys" query:"TagKeys"`
}

// ListTagsForResourceInput names an alarm.
type ListTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN" query:"ResourceARN"`
}

// ListTagsForResourceOutput is an alarm's tags.
type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags" query:"Tags"`
}

func invalid(format string, args ...any) error {
	return protocol.Errorf("InvalidParameterValue", format, args...)
}

func missing(name string) error {
	return protocol.Errorf("MissingParameter", "The parameter %s is required.", name)
}

func notFound(format string, args ...any) error {
	return &protocol.Error{Code: "ResourceNotFoundException", QueryCode: "ResourceNotFound", Message: fmt.Sprintf(format, args...),
		Status: http.StatusNotFound, Fault: protocol.Sender}
}

// ARN returns an alarm's ARN.
func (s *Service) ARN(name string) string {
	return "arn:aws:cloudwatch:" + s.cfg.Region + ":" + s.cfg.Account + ":alarm:" + name
}

func (s *Service) timestamp() string {
	return s.cfg.Clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")
}

var (
	comparisons = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
		"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}
	statistics   = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	missingData  = []string{"breaching", "notBreaching", "ignore", "missing"}
	actionPrefix = []string{"arn:aws:sns:", "arn:aws:automate:", "arn:aws:swf:", "arn:aws:lambda:", "arn:aws:ssm:", "arn:aws:ssm-incidents:"}
)

// validPeriod accepts the high-resolution periods and multiples of a minute.
func validPeriod(p int) bool {
	switch p {
	case 1, 5, 10, 20, 30:
		return true
	}
	return p >= 60 && p%60 == 0
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func (in *PutMetricAlarmInput) validate() error {
	switch {
	case in.AlarmName == "":
		return missing("AlarmName")
	case len(in.AlarmName) > 255:
		return invalid("The parameter AlarmName must be shorter than 256 characters.")
	case in.EvaluationPeriods == nil:
		return missing("EvaluationPeriods")
	case *in.EvaluationPeriods < 1:
		return invalid("The parameter EvaluationPeriods must be greater than or equal to 1.")
	case in.ComparisonOperator == "":
		return missing("ComparisonOperator")
	case !oneOf(in.ComparisonOperator, comparisons):
		return invalid("The parameter ComparisonOperator must be one of %s.", strings.Join(comparisons, ", "))
	case in.MetricName == "" || in.Namespace == "":
		return invalid("Metrics list must not be empty, or MetricName and Namespace must be specified.")
	case in.Statistic == "" && in.ExtendedStatistic == "":
		return invalid("Exactly one of Statistic and ExtendedStatistic must be specified.")
	case in.Statistic != "" && !oneOf(in.Statistic, statistics):
		return invalid("The parameter Statistic must be one of %s.", strings.Join(statistics, ", "))
	case in.Period == nil:
		return missing("Period")
	case !validPeriod(*in.Period):
		return invalid("The parameter Period must be 10, 20, 30 or a multiple of 60.")
	case in.Threshold == nil:
		return missing("Threshold")
	case in.TreatMissingData != "" && !oneOf(in.TreatMissingData, missingData):
		return invalid("The parameter TreatMissingData must be one of %s.", strings.Join(missingData, ", "))
	case in.DatapointsToAlarm != nil && (*in.DatapointsToAlarm < 1 || *in.DatapointsToAlarm > *in.EvaluationPeriods):
		return invalid("DatapointsToAlarm must be between 1 and EvaluationPeriods.")
	}
	for _, list := range [][]string{in.AlarmActions, in.OKActions, in.InsufficientDataActions} {
		if len(list) > 5 {
			return invalid("The maximum number of actions per state is 5.")
		}
		for _, a := range list {
			ok := false
			for _, p := range actionPrefix {
				ok = ok || strings.HasPrefix(a, p)
			}
			if !ok {
				return invalid("Invalid arn syntax: %s", a)
			}
		}
	}
	if len(in.Dimensions) > 30 {
		return invalid("The collection Dimensions must not have a size greater than 30.")
	}
	for _, d := range in.Dimensions {
		if d.Name == "" || d.Value == "" {
			return invalid("Dimension names and values must not be empty.")
		}
	}
	return nil
}

func (s *Service) load(tx store.Tx, name string) (*alarmRecord, error) {
	v := tx.Get(alarmsTable, []byte(name))
	if v == nil {
		return nil, nil
	}
	var r alarmRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("decode alarm %s: %w", name, err)
	}
	return &r, nil
}

func (s *Service) save(tx store.Tx, r *alarmRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode alarm: %w", err)
	}
	return tx.Put(alarmsTable, []byte(r.Alarm.AlarmName), b)
}

// PutMetricAlarm creates an alarm or replaces its configuration. A new
// alarm starts in INSUFFICIENT_DATA; an existing one keeps its state.
func (s *Service) PutMetricAlarm(_ context.Context, in *PutMetricAlarmInput) (*Empty, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.timestamp()
	a := MetricAlarm{
		AlarmName: in.AlarmName, AlarmArn: s.ARN(in.AlarmName), AlarmDescription: in.AlarmDescription,
		AlarmConfigurationUpdatedTimestamp: now, ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions: nonNil(in.OKActions), AlarmActions: nonNil(in.AlarmActions), InsufficientDataActions: nonNil(in.InsufficientDataActions),
		StateValue: "INSUFFICIENT_DATA", StateReason: "Unchecked: Initial alarm creation", StateUpdatedTimestamp: now,
		StateTransitionedTimestamp: now,
		MetricName:                 in.MetricName, Namespace: in.Namespace, Statistic: in.Statistic, ExtendedStatistic: in.ExtendedStatistic,
		Dimensions: append([]Dimension{}, in.Dimensions...), Period: in.Period, Unit: in.Unit, EvaluationPeriods: *in.EvaluationPeriods,
		DatapointsToAlarm: in.DatapointsToAlarm, Threshold: in.Threshold, ComparisonOperator: in.ComparisonOperator,
		TreatMissingData: in.TreatMissingData, EvaluateLowSampleCountPercentile: in.EvaluateLowSampleCountPercentile,
	}
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		old, err := s.load(tx, in.AlarmName)
		if err != nil {
			return err
		}
		r := &alarmRecord{Alarm: a, Tags: map[string]string{}}
		if old != nil {
			// Tags are only applied on creation; an update keeps the
			// alarm's state and its tags.
			r.Alarm.StateValue, r.Alarm.StateReason = old.Alarm.StateValue, old.Alarm.StateReason
			r.Alarm.StateUpdatedTimestamp, r.Alarm.StateTransitionedTimestamp = old.Alarm.StateUpdatedTimestamp, old.Alarm.StateTransitionedTimestamp
			r.Tags = old.Tags
		} else {
			for _, t := range in.Tags {
				r.Tags[t.Key] = t.Value
			}
		}
		return s.save(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return append([]string{}, l...)
}

// DescribeAlarms lists metric alarms by name, name prefix, state or
// action prefix, in name order.
func (s *Service) DescribeAlarms(_ context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return nil, invalid("AlarmNamePrefix and AlarmNames cannot both be specified.")
	}
	limit := in.MaxRecords
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > 100 {
		return nil, invalid("The parameter MaxRecords must be between 1 and 100.")
	}
	if len(in.AlarmTypes) > 0 && !oneOf("MetricAlarm", in.AlarmTypes) {
		return &DescribeAlarmsOutput{MetricAlarms: []MetricAlarm{}}, nil
	}
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	out := &DescribeAlarmsOutput{MetricAlarms: []MetricAlarm{}}
	err := s.cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(alarmsTable, []byte(in.AlarmNamePrefix), func(k, v []byte) error {
			name := string(k)
			if (len(names) > 0 && !names[name]) || name <= in.NextToken && in.NextToken != "" || out.NextToken != "" {
				return nil
			}
			var r alarmRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode alarm %s: %w", name, err)
			}
			if in.StateValue != "" && r.Alarm.StateValue != in.StateValue {
				return nil
			}
			if in.ActionPrefix != "" && !hasPrefix(r.Alarm, in.ActionPrefix) {
				return nil
			}
			if len(out.MetricAlarms) == limit {
				out.NextToken = out.MetricAlarms[limit-1].AlarmName
				return nil
			}
			out.MetricAlarms = append(out.MetricAlarms, r.Alarm)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func hasPrefix(a MetricAlarm, prefix string) bool {
	for _, l := range [][]string{a.AlarmActions, a.OKActions, a.InsufficientDataActions} {
		for _, x := range l {
			if strings.HasPrefix(x, prefix) {
				return true
			}
		}
	}
	return false
}

// DeleteAlarms deletes alarms by name; if any does not exist nothing is
// deleted.
func (s *Service) DeleteAlarms(_ context.Context, in *DeleteAlarmsInput) (*Empty, error) {
	if len(in.AlarmNames) > 100 {
		return nil, invalid("The collection AlarmNames must not have a size greater than 100.")
	}
	err := s.cfg.Store.Update(func(tx store.Tx) error {
		var gone []string
		for _, n := range in.AlarmNames {
			if tx.Get(alarmsTable, []byte(n)) == nil {
				gone = append(gone, n)
			}
		}
		if len(gone) > 0 {
			return notFound("%s", strings.Join(gone, ", ")+" not found")
		}
		for _, n := range in.AlarmNames {
			if err := tx.Delete(alarmsTable, []byte(n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func (s *Service) alarmName(arn string) (string, error) {
	prefix := s.ARN("")
	if !strings.HasPrefix(arn, prefix) || len(arn) == len(prefix) {
		return "", invalid("Invalid ARN: %s", arn)
	}
	return strings.TrimPrefix(arn, prefix), nil
}

func (s *Service) updateTags(arn string, fn func(map[string]string)) error {
	name, err := s.alarmName(arn)
	if err != nil {
		return err
	}
	return s.cfg.Store.Update(func(tx store.Tx) error {
		r, err := s.load(tx, name)
		if err != nil {
			return err
		}
		if r == nil {
			return notFound("Alarm %s not found", name)
		}
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		fn(r.Tags)
		return s.save(tx, r)
	})
}

// TagResource adds or overwrites an alarm's tags.
func (s *Service) TagResource(_ context.Context, in *TagResourceInput) (*Empty, error) {
	for _, t := range in.Tags {
		if t.Key == "" {
			return nil, invalid("Tag keys must not be empty.")
		}
	}
	err := s.updateTags(in.ResourceARN, func(m map[string]string) {
		for _, t := range in.Tags {
			m[t.Key] = t.Value
		}
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// UntagResource removes tags from an alarm.
func (s *Service) UntagResource(_ context.Context, in *UntagResourceInput) (*Empty, error) {
	err := s.updateTags(in.ResourceARN, func(m map[string]string) {
		for _, k := range in.TagKeys {
			delete(m, k)
		}
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListTagsForResource returns an alarm's tags in key order.
func (s *Service) ListTagsForResource(_ context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	name, err := s.alarmName(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: []Tag{}}
	err = s.cfg.Store.View(func(tx store.Tx) error {
		r, err := s.load(tx, name)
		if err != nil {
			return err
		}
		if r == nil {
			return notFound("Alarm %s not found", name)
		}
		keys := make([]string, 0, len(r.Tags))
		for k := range r.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.Tags = append(out.Tags, Tag{Key: k, Value: r.Tags[k]})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Descriptor registers the service with the front door.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:             "monitoring",
		Query:            true,
		XMLNamespace:     "http://monitoring.amazonaws.com/doc/2010-08-01/",
		JSONTargetPrefix: "GraniteServiceVersion20100801",
		JSONVersion:      "1.0",
		JSONNamespace:    "com.amazonaws.cloudwatch",
		QueryCompatible:  true,
		Operations: map[string]server.Operation{
			"PutMetricAlarm":      server.Op(s.PutMetricAlarm),
			"DescribeAlarms":      server.Op(s.DescribeAlarms),
			"DeleteAlarms":        server.Op(s.DeleteAlarms),
			"TagResource":         server.Op(s.TagResource),
			"UntagResource":       server.Op(s.UntagResource),
			"ListTagsForResource": server.Op(s.ListTagsForResource),
		},
	}
}
