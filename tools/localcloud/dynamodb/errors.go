package dynamodb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

// Namespace is the awsJson __type namespace of DynamoDB and DynamoDB Streams
// errors.
const Namespace = "com.amazonaws.dynamodb.v20120810"

// Error codes DynamoDB answers with.
const (
	CodeValidation             = "ValidationException"
	CodeResourceNotFound       = "ResourceNotFoundException"
	CodeResourceInUse          = "ResourceInUseException"
	CodeConditionalCheckFailed = "ConditionalCheckFailedException"
	CodeTransactionCanceled    = "TransactionCanceledException"
)

// ConditionalCheckFailedError is DynamoDB's ConditionalCheckFailedException.
// Item is the item as it was when ReturnValuesOnConditionCheckFailure is
// ALL_OLD.
type ConditionalCheckFailedError struct {
	Item attr.Item
}

// Error implements error.
func (e *ConditionalCheckFailedError) Error() string {
	return CodeConditionalCheckFailed + ": The conditional request failed"
}

// Unwrap gives the wire error, with the Item member when there is one.
func (e *ConditionalCheckFailedError) Unwrap() error {
	pe := protocol.Errorf(CodeConditionalCheckFailed, "The conditional request failed")
	if e.Item != nil {
		pe.Fields = map[string]any{"Item": e.Item}
	}
	return pe
}

// CancellationReason says why one action of a transaction did or did not
// cancel it, as TransactionCanceledException's CancellationReasons do.
type CancellationReason struct {
	Code    string    `json:"Code"`
	Message string    `json:"Message,omitempty"`
	Item    attr.Item `json:"Item,omitempty"`
}

// TransactionCanceledError is DynamoDB's TransactionCanceledException with
// one reason per action, in request order.
type TransactionCanceledError struct {
	Reasons []CancellationReason
}

// Error implements error.
func (e *TransactionCanceledError) Error() string {
	return CodeTransactionCanceled + ": " + e.message()
}

func (e *TransactionCanceledError) message() string {
	codes := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		codes[i] = r.Code
	}
	return "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"
}

// Unwrap gives the wire error: its CancellationReasons, and the message
// spelt "Message" as this shape models it.
func (e *TransactionCanceledError) Unwrap() error {
	pe := protocol.Errorf(CodeTransactionCanceled, "%s", e.message())
	pe.Fields = map[string]any{"CancellationReasons": e.Reasons, "Message": pe.Message}
	return pe
}

func errValidation(format string, args ...any) error {
	return protocol.Errorf(CodeValidation, format, args...)
}

// errInvalid prefixes DynamoDB's "One or more parameter values were
// invalid: ".
func errInvalid(format string, args ...any) error {
	return protocol.Errorf(CodeValidation, "One or more parameter values were invalid: "+format, args...)
}

// errNull is the message of a missing required member.
func errNull(member string) error {
	return errValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func errTableNotFound() error {
	return protocol.Errorf(CodeResourceNotFound, "Requested resource not found")
}

func errTableNotFoundNamed(name string) error {
	return protocol.Errorf(CodeResourceNotFound, "Requested resource not found: Table: %s not found", name)
}

func errInUse(format string, args ...any) error {
	return protocol.Errorf(CodeResourceInUse, format, args...)
}

// wire converts errors from attr and expr to wire errors and passes every
// other error through.
func wire(err error) error {
	var ae *attr.Error
	if errors.As(err, &ae) {
		e := protocol.Errorf(ae.Code, "%s", ae.Message)
		if ae.Code == attr.CodeSerialization {
			e.Namespace = protocol.CoralNamespace
		}
		return e
	}
	return err
}

// internal marks an unexpected failure (a store error) for the front door's
// InternalFailure answer while keeping the cause in the log.
func internal(op string, err error) error {
	return fmt.Errorf("dynamodb %s: %w", op, err)
}

func errCode(code, format string, args ...any) error {
	return protocol.Errorf(code, format, args...)
}
