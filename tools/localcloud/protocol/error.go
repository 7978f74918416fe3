package protocol

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Fault says whose fault an error is, as AWS's Query error <Type> does.
type Fault string

// Faults.
const (
	Sender   Fault = "Sender"
	Receiver Fault = "Receiver"
)

// Error is an AWS API error. Code is the modelled shape name (what awsJson's
// __type carries); QueryCode is the @awsQueryError code when it differs (what
// awsQuery's <Code> and awsJson's x-amzn-query-error header carry).
type Error struct {
	Code      string
	QueryCode string
	// Namespace overrides the service's JSON error namespace, for errors
	// raised by the front door rather than the service
	// ("com.amazon.coral.service").
	Namespace string
	Message   string
	Status    int
	Fault     Fault
	// Fields are further members of a JSON error body (awsJson and
	// restJson), such as DynamoDB's Item or CancellationReasons; values
	// encode with encoding/json. They cannot replace the error's type. A
	// "Message" field takes the place of the "message" member, for shapes
	// that spell it so.
	Fields map[string]any
}

// jsonBody is the JSON error body: the type under typeKey, the message and
// e.Fields. (Object keys sort, so without fields it reads
// {"__type":…,"message":…} as AWS writes it.)
func (e *Error) jsonBody(typeKey, typ string) []byte {
	m := make(map[string]any, len(e.Fields)+2)
	for k, v := range e.Fields {
		m[k] = v
	}
	m[typeKey] = typ
	if _, ok := m["Message"]; !ok {
		m["message"] = e.Message
	}
	body, err := json.Marshal(m)
	if err != nil {
		// A field that cannot be encoded is dropped rather than the error.
		body, _ = json.Marshal(map[string]string{typeKey: typ, "message": e.Message})
	}
	return body
}

// Error implements error.
func (e *Error) Error() string { return e.WireCode() + ": " + e.Message }

// WireCode is the code a Query client sees.
func (e *Error) WireCode() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

// Errorf returns a client (400, Sender) error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest, Fault: Sender}
}

// InternalFailure is the error answered when a request fails unexpectedly.
func InternalFailure() *Error {
	return &Error{Code: "InternalFailure", Namespace: CoralNamespace,
		Message: "The request processing has failed because of an unknown error, exception or failure.",
		Status:  http.StatusInternalServerError, Fault: Receiver}
}

// CoralNamespace is the JSON namespace of errors raised before a request
// reaches the service (authentication, unknown operation, bad JSON).
const CoralNamespace = "com.amazon.coral.service"
