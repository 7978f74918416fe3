package esm

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

// Mapping states, as Lambda reports them.
const (
	StateCreating = "Creating"
	StateEnabled  = "Enabled"
	StateDisabled = "Disabled"
	StateUpdating = "Updating"
	StateDeleting = "Deleting"
)

// Starting positions.
const (
	TrimHorizon = "TRIM_HORIZON"
	Latest      = "LATEST"
	AtTimestamp = "AT_TIMESTAMP"
)

// ReportBatchItemFailures is the only FunctionResponseTypes value.
const ReportBatchItemFailures = "ReportBatchItemFailures"

// Source kinds.
const (
	kindSQS    = "sqs"
	kindStream = "dynamodb"
)

// Mapping is an event source mapping, shaped as Lambda's
// EventSourceMappingConfiguration.
type Mapping struct {
	UUID           string `json:"UUID"`
	EventSourceArn string `json:"EventSourceArn"`
	// FunctionArn carries the qualifier when the mapping names one.
	FunctionArn           string    `json:"FunctionArn"`
	State                 string    `json:"State"`
	StateTransitionReason string    `json:"StateTransitionReason"`
	LastModified          time.Time `json:"LastModified"`
	LastProcessingResult  string    `json:"LastProcessingResult,omitempty"`

	BatchSize                      int                `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int                `json:"MaximumBatchingWindowInSeconds"`
	FunctionResponseTypes          []string           `json:"FunctionResponseTypes,omitempty"`
	FilterCriteria                 *FilterCriteria    `json:"FilterCriteria,omitempty"`
	ScalingConfig                  *ScalingConfig     `json:"ScalingConfig,omitempty"`
	StartingPosition               string             `json:"StartingPosition,omitempty"`
	StartingPositionTimestamp      *time.Time         `json:"StartingPositionTimestamp,omitempty"`
	BisectBatchOnFunctionError     *bool              `json:"BisectBatchOnFunctionError,omitempty"`
	MaximumRetryAttempts           *int               `json:"MaximumRetryAttempts,omitempty"`
	MaximumRecordAgeInSeconds      *int               `json:"MaximumRecordAgeInSeconds,omitempty"`
	ParallelizationFactor          *int               `json:"ParallelizationFactor,omitempty"`
	DestinationConfig              *DestinationConfig `json:"DestinationConfig,omitempty"`
	TumblingWindowInSeconds        *int               `json:"TumblingWindowInSeconds,omitempty"`
}

// FilterCriteria holds up to five filters; a record is processed when it
// matches any of them.
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Filter is one event filtering pattern (a JSON document).
type Filter struct {
	Pattern string `json:"Pattern"`
}

// ScalingConfig limits an SQS mapping's concurrency.
type ScalingConfig struct {
	MaximumConcurrency *int `json:"MaximumConcurrency,omitempty"`
}

// DestinationConfig names where discarded stream batches are described.
type DestinationConfig struct {
	OnFailure *OnFailure `json:"OnFailure,omitempty"`
}

// OnFailure is the on-failure destination (an SQS queue or SNS topic ARN).
type OnFailure struct {
	Destination string `json:"Destination,omitempty"`
}

// CreateInput is CreateEventSourceMapping's input. Nil members take
// Lambda's defaults.
type CreateInput struct {
	EventSourceArn string
	// FunctionName is a name, name:qualifier, partial or full ARN.
	FunctionName                   string
	Enabled                        *bool
	BatchSize                      *int
	MaximumBatchingWindowInSeconds *int
	FunctionResponseTypes          []string
	FilterCriteria                 *FilterCriteria
	ScalingConfig                  *ScalingConfig
	StartingPosition               string
	StartingPositionTimestamp      *time.Time
	BisectBatchOnFunctionError     *bool
	MaximumRetryAttempts           *int
	MaximumRecordAgeInSeconds      *int
	ParallelizationFactor          *int
	DestinationConfig              *DestinationConfig
	TumblingWindowInSeconds        *int
}

// UpdateInput is UpdateEventSourceMapping's input; nil members keep their
// values (an empty FunctionResponseTypes slice, FilterCriteria or
// ScalingConfig removes them).
type UpdateInput struct {
	UUID                           string
	FunctionName                   string
	Enabled                        *bool
	BatchSize                      *int
	MaximumBatchingWindowInSeconds *int
	FunctionResponseTypes          []string
	FilterCriteria                 *FilterCriteria
	ScalingConfig                  *ScalingConfig
	BisectBatchOnFunctionError     *bool
	MaximumRetryAttempts           *int
	MaximumRecordAgeInSeconds      *int
	ParallelizationFactor          *int
	DestinationConfig              *DestinationConfig
	TumblingWindowInSeconds        *int
}

// ListInput filters ListEventSourceMappings.
type ListInput struct {
	EventSourceArn string
	FunctionName   string
	Marker         string
	MaxItems       int
}

// ListOutput is a page of mappings.
type ListOutput struct {
	EventSourceMappings []Mapping
	NextMarker          string
}

func invalidParameter(format string, args ...any) error {
	return &protocol.Error{Code: "InvalidParameterValueException", Message: fmt.Sprintf(format, args...), Status: 400, Fault: protocol.Sender}
}

// validationError is the model-constraint failure Lambda's front end
// reports before the service sees the request.
func validationError(value any, member, constraint string) error {
	return &protocol.Error{Code: "ValidationException", Status: 400, Fault: protocol.Sender,
		Message: fmt.Sprintf("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)}
}

func notFound(format string, args ...any) error {
	return &protocol.Error{Code: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...), Status: 404, Fault: protocol.Sender}
}

func conflict(format string, args ...any) error {
	return &protocol.Error{Code: "ResourceConflictException", Message: fmt.Sprintf(format, args...), Status: 409, Fault: protocol.Sender}
}

func inRange(v *int, member string, lo, hi int) error {
	if v == nil {
		return nil
	}
	if *v < lo {
		return validationError(*v, member, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	if *v > hi {
		return validationError(*v, member, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
	return nil
}

// sourceKind tells an SQS queue ARN from a DynamoDB stream ARN.
func sourceKind(arn string) (string, error) {
	switch {
	case strings.HasPrefix(arn, "arn:aws:sqs:"):
		return kindSQS, nil
	case strings.HasPrefix(arn, "arn:aws:dynamodb:") && strings.Contains(arn, "/stream/"):
		return kindStream, nil
	}
	return "", invalidParameter("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, documentdb or kafka: %s", arn)
}

// checkModel applies the API model's range constraints.
func checkModel(batch, window, retries, age, par, tumbling *int, sc *ScalingConfig) error {
	checks := []error{
		inRange(batch, "batchSize", 1, 10000),
		inRange(window, "maximumBatchingWindowInSeconds", 0, 300),
		inRange(retries, "maximumRetryAttempts", -1, 10000),
		inRange(age, "maximumRecordAgeInSeconds", -1, 604800),
		inRange(par, "parallelizationFactor", 1, 10),
		inRange(tumbling, "tumblingWindowInSeconds", 0, 900),
	}
	if sc != nil {
		checks = append(checks, inRange(sc.MaximumConcurrency, "scalingConfig.maximumConcurrency", 2, 1000))
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// validate checks a complete mapping against Lambda's rules for its kind.
func validate(m *Mapping, kind string) error {
	if err := checkModel(&m.BatchSize, &m.MaximumBatchingWindowInSeconds, m.MaximumRetryAttempts, m.MaximumRecordAgeInSeconds,
		m.ParallelizationFactor, m.TumblingWindowInSeconds, m.ScalingConfig); err != nil {
		return err
	}
	for _, t := range m.FunctionResponseTypes {
		if t != ReportBatchItemFailures {
			return validationError(m.FunctionResponseTypes, "functionResponseTypes", "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]")
		}
	}
	if m.FilterCriteria != nil {
		if len(m.FilterCriteria.Filters) > 5 {
			return invalidParameter("Invalid filter criteria. The number of filters exceeds the limit of 5.")
		}
		for _, f := range m.FilterCriteria.Filters {
			if _, err := parsePattern(f.Pattern); err != nil {
				return invalidParameter("Invalid filter pattern definition. %v", err)
			}
		}
	}
	if m.MaximumRecordAgeInSeconds != nil && *m.MaximumRecordAgeInSeconds != -1 && *m.MaximumRecordAgeInSeconds < 60 {
		return invalidParameter("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.")
	}
	switch kind {
	case kindSQS:
		if m.BatchSize > 10 && m.MaximumBatchingWindowInSeconds == 0 {
			return invalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
		}
		unsupported := map[string]bool{
			"StartingPosition":           m.StartingPosition != "",
			"BisectBatchOnFunctionError": m.BisectBatchOnFunctionError != nil,
			"MaximumRetryAttempts":       m.MaximumRetryAttempts != nil,
			"MaximumRecordAgeInSeconds":  m.MaximumRecordAgeInSeconds != nil,
			"ParallelizationFactor":      m.ParallelizationFactor != nil,
			"DestinationConfig":          m.DestinationConfig != nil && m.DestinationConfig.OnFailure != nil && m.DestinationConfig.OnFailure.Destination != "",
			"TumblingWindowInSeconds":    m.TumblingWindowInSeconds != nil,
		}
		for _, name := range []string{"StartingPosition", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
			"ParallelizationFactor", "DestinationConfig", "TumblingWindowInSeconds"} {
			if unsupported[name] {
				return invalidParameter("Unsupported %s parameter for given event source mapping type.", name)
			}
		}
	case kindStream:
		switch m.StartingPosition {
		case TrimHorizon, Latest:
		case "":
			return invalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null")
		case AtTimestamp:
			return invalidParameter("Unsupported starting position for DynamoDB stream event source: AT_TIMESTAMP")
		default:
			return validationError(m.StartingPosition, "startingPosition", "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]")
		}
		if m.ScalingConfig != nil && m.ScalingConfig.MaximumConcurrency != nil {
			return invalidParameter("Unsupported ScalingConfig parameter for given event source mapping type.")
		}
		if d := m.DestinationConfig; d != nil && d.OnFailure != nil && d.OnFailure.Destination != "" {
			dest := d.OnFailure.Destination
			if !strings.HasPrefix(dest, "arn:aws:sqs:") && !strings.HasPrefix(dest, "arn:aws:sns:") {
				return invalidParameter("The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=%s)) is invalid. The destination must be an SQS queue or SNS topic ARN.", dest)
			}
		}
	}
	return nil
}

// applyDefaults fills Lambda's defaults for the source kind.
func applyDefaults(m *Mapping, kind string) {
	if m.BatchSize == 0 {
		m.BatchSize = 10
		if kind == kindStream {
			m.BatchSize = 100
		}
	}
	if kind == kindStream {
		if m.MaximumRetryAttempts == nil {
			m.MaximumRetryAttempts = intp(-1)
		}
		if m.MaximumRecordAgeInSeconds == nil {
			m.MaximumRecordAgeInSeconds = intp(-1)
		}
		if m.ParallelizationFactor == nil {
			m.ParallelizationFactor = intp(1)
		}
		if m.BisectBatchOnFunctionError == nil {
			f := false
			m.BisectBatchOnFunctionError = &f
		}
		if m.TumblingWindowInSeconds == nil {
			m.TumblingWindowInSeconds = intp(0)
		}
		if m.DestinationConfig == nil {
			m.DestinationConfig = &DestinationConfig{OnFailure: &OnFailure{}}
		}
	}
}

func intp(v int) *int { return &v }

func (m *Mapping) reportsItemFailures() bool {
	for _, t := range m.FunctionResponseTypes {
		if t == ReportBatchItemFailures {
			return true
		}
	}
	return false
}

func (m *Mapping) onFailure() string {
	if m.DestinationConfig == nil || m.DestinationConfig.OnFailure == nil {
		return ""
	}
	return m.DestinationConfig.OnFailure.Destination
}

func (m *Mapping) clone() Mapping {
	b, _ := json.Marshal(m)
	var c Mapping
	_ = json.Unmarshal(b, &c)
	return c
}
