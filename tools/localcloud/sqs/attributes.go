package sqs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Queue attribute defaults and limits.
const (
	defaultVisibility     = 30
	defaultRetention      = 345600
	defaultMaxMessageSize = 1048576
	maxVisibility         = 43200
	maxDelay              = 900
	maxWait               = 20
)

// settable lists the attributes CreateQueue and SetQueueAttributes accept,
// with their validators.
var settable = map[string]func(string) error{
	"DelaySeconds":                  intRange(0, maxDelay),
	"MaximumMessageSize":            intRange(1024, 1048576),
	"MessageRetentionPeriod":        intRange(60, 1209600),
	"ReceiveMessageWaitTimeSeconds": intRange(0, maxWait),
	"VisibilityTimeout":             intRange(0, maxVisibility),
	"Policy":                        jsonDoc,
	"RedrivePolicy":                 validRedrivePolicy,
	"RedriveAllowPolicy":            jsonDoc,
	"KmsMasterKeyId":                anyValue,
	"KmsDataKeyReusePeriodSeconds":  intRange(60, 86400),
	"SqsManagedSseEnabled":          boolValue,
	"FifoQueue":                     boolValue,
	"ContentBasedDeduplication":     boolValue,
	"DeduplicationScope":            oneOf("messageGroup", "queue"),
	"FifoThroughputLimit":           oneOf("perQueue", "perMessageGroupId"),
}

// readOnly lists attributes GetQueueAttributes computes.
var readOnly = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
	"CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
}

var defaults = map[string]string{
	"DelaySeconds":                  "0",
	"MaximumMessageSize":            strconv.Itoa(defaultMaxMessageSize),
	"MessageRetentionPeriod":        strconv.Itoa(defaultRetention),
	"ReceiveMessageWaitTimeSeconds": "0",
	"VisibilityTimeout":             strconv.Itoa(defaultVisibility),
	"SqsManagedSseEnabled":          "true",
}

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be an integer from %d to %d", lo, hi)
		}
		return nil
	}
}

func jsonDoc(v string) error {
	if v == "" {
		return nil
	}
	if !json.Valid([]byte(v)) {
		return fmt.Errorf("must be a valid JSON document")
	}
	return nil
}

func anyValue(string) error { return nil }

func oneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, ok := range values {
			if v == ok {
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(values, ", "))
	}
}

func boolValue(v string) error {
	if v != "true" && v != "false" {
		return fmt.Errorf("must be true or false")
	}
	return nil
}

// redrivePolicy is the parsed RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// reason is a validation failure worded for the client, as AWS words it
// (capitalised, unlike Go error strings).
type reason string

func (r reason) Error() string { return string(r) }

func parseRedrive(v string) (redrivePolicy, error) {
	var raw struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return redrivePolicy{}, reason("Redrive policy is not a valid JSON map")
	}
	if raw.DeadLetterTargetArn == "" || len(raw.MaxReceiveCount) == 0 {
		return redrivePolicy{}, reason("Redrive policy must contain deadLetterTargetArn and maxReceiveCount")
	}
	n, err := strconv.Atoi(strings.Trim(string(raw.MaxReceiveCount), `"`))
	if err != nil || n < 1 || n > 1000 {
		return redrivePolicy{}, reason(fmt.Sprintf("Value %s for parameter MaxReceiveCount is invalid. Reason: Must be an integer from 1 to 1000", raw.MaxReceiveCount))
	}
	return redrivePolicy{DeadLetterTargetArn: raw.DeadLetterTargetArn, MaxReceiveCount: n}, nil
}

func validRedrivePolicy(v string) error {
	if v == "" {
		return nil
	}
	_, err := parseRedrive(v)
	return err
}

// fifoOnly lists attributes that exist only on FIFO queues.
var fifoOnly = map[string]bool{"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

// validateAttributes checks names and values of attributes to set on a
// standard or FIFO queue.
func validateAttributes(attrs map[string]string, fifo bool) error {
	for k, v := range attrs {
		check, ok := settable[k]
		if !ok || (fifoOnly[k] && !fifo) {
			return errInvalidAttributeName(k)
		}
		if err := check(v); err != nil {
			return errInvalidAttributeValue(k, err.Error())
		}
	}
	return nil
}
