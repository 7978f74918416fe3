package sqs

import (
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

// Errors as SQS words them; QueryCode is the @awsQueryError code.

func errNonExistentQueue() error {
	return &protocol.Error{Code: "QueueDoesNotExist", QueryCode: "AWS.SimpleQueueService.NonExistentQueue",
		Message: "The specified queue does not exist.", Status: 400, Fault: protocol.Sender}
}

func errQueueNameExists(attr string) error {
	return &protocol.Error{Code: "QueueNameExists", QueryCode: "QueueAlreadyExists",
		Message: fmt.Sprintf("A queue already exists with the same name and a different value for attribute %s", attr), Status: 400, Fault: protocol.Sender}
}

func errInvalidParameter(format string, args ...any) error {
	return protocol.Errorf("InvalidParameterValue", format, args...)
}

func errMissingParameter(name string) error {
	return protocol.Errorf("MissingParameter", "The request must contain the parameter %s.", name)
}

func errInvalidAttributeName(name string) error {
	return protocol.Errorf("InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errInvalidAttributeValue(name, reason string) error {
	return protocol.Errorf("InvalidAttributeValue", "Invalid value for the parameter %s. Reason: %s", name, reason)
}

func errReceiptHandleInvalid(h string) error {
	return protocol.Errorf("ReceiptHandleIsInvalid", "The input receipt handle \"%s\" is not a valid receipt handle.", h)
}

func errBatch(code, queryCode, format string, args ...any) error {
	e := protocol.Errorf(code, format, args...)
	e.QueryCode = queryCode
	return e
}

func errMessageNotInflight() error {
	e := protocol.Errorf("MessageNotInflight", "Message is not in flight.")
	e.QueryCode = "AWS.SimpleQueueService.MessageNotInflight"
	return e
}

func errPurgeInProgress(arn string) error {
	e := protocol.Errorf("PurgeQueueInProgress", "Only one PurgeQueue operation on %s is allowed every 60 seconds.", arn)
	e.QueryCode = "AWS.SimpleQueueService.PurgeQueueInProgress"
	return e
}

func errUnsupported(format string, args ...any) error {
	e := protocol.Errorf("UnsupportedOperation", format, args...)
	e.QueryCode = "AWS.SimpleQueueService.UnsupportedOperation"
	return e
}

func errResourceNotFound(format string, args ...any) error {
	return protocol.Errorf("ResourceNotFoundException", format, args...)
}
