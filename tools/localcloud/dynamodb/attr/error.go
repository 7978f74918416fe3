package attr

import "fmt"

// Error codes used by DynamoDB for the errors this package and package expr
// return.
const (
	CodeValidation    = "ValidationException"
	CodeSerialization = "SerializationException"
)

// Error is a DynamoDB client error: the awsJson __type shape name and the
// message exactly as DynamoDB words it. API layers inspect it with errors.As
// and put Code and Message on the wire unchanged.
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Validation returns a ValidationException with a formatted message.
func Validation(format string, args ...any) *Error {
	return &Error{Code: CodeValidation, Message: fmt.Sprintf(format, args...)}
}

// invalidParam prefixes DynamoDB's "One or more parameter values were
// invalid: " to a validation message.
func invalidParam(msg string) *Error {
	return &Error{Code: CodeValidation, Message: "One or more parameter values were invalid: " + msg}
}
