package lambdaapi

import (
	"fmt"
	"net/http"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

func lambdaError(code string, status int, format string, args ...any) *protocol.Error {
	return &protocol.Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Fault: protocol.Sender}
}

func errInvalidParameter(format string, args ...any) *protocol.Error {
	return lambdaError("InvalidParameterValueException", http.StatusBadRequest, format, args...)
}

func errNotFound(format string, args ...any) *protocol.Error {
	return lambdaError("ResourceNotFoundException", http.StatusNotFound, format, args...)
}

func errConflict(format string, args ...any) *protocol.Error {
	return lambdaError("ResourceConflictException", http.StatusConflict, format, args...)
}

func errPrecondition() *protocol.Error {
	return lambdaError("PreconditionFailedException", http.StatusPreconditionFailed,
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

func errTooManyRequests() *protocol.Error {
	return lambdaError("TooManyRequestsException", http.StatusTooManyRequests, "Rate Exceeded.")
}

// errValidation is the model-constraint failure Lambda's front end
// answers: "1 validation error detected: Value 'x' at 'timeout' failed to
// satisfy constraint: Member must have value less than or equal to 900".
func errValidation(value any, member, constraint string) *protocol.Error {
	return lambdaError("ValidationException", http.StatusBadRequest,
		"1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func errFunctionNotFound(arn string) *protocol.Error {
	return errNotFound("Function not found: %s", arn)
}

// maxRequestBytes is Lambda's limit on a request body: it fits a 50 MB
// zip, base64-encoded, in CreateFunction or UpdateFunctionCode.
const maxRequestBytes = 69905067

// bodyTooLarge answers a request body over the front door's limit as
// Lambda does; Invoke keeps its own, smaller limit and error.
func bodyTooLarge(operation string, limit int64) *protocol.Error {
	switch operation {
	case "Invoke":
		return lambdaError("RequestTooLargeException", http.StatusRequestEntityTooLarge, "%s", (&pool.RequestTooLargeError{}).Error())
	case "":
		return lambdaError("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, "Request must be smaller than %d bytes", limit)
	}
	return lambdaError("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, "Request must be smaller than %d bytes for the %s operation", limit, operation)
}
