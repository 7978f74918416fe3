package runtime

import (
	"encoding/json"
	"fmt"
	"time"
)

// MaxResponseBytes is the largest response a runtime may post: 6 MiB plus
// the 100 bytes of slack Lambda allows.
const MaxResponseBytes = 6*1024*1024 + 100

// Result is the outcome of an invocation.
type Result struct {
	// Payload is the function's response, or an error document
	// ({"errorMessage": ..., "errorType": ...}) when FunctionError is set.
	Payload []byte
	// ContentType is what the runtime declared for the payload.
	ContentType string
	// FunctionError is "Unhandled" when Payload is an error document, as
	// Lambda's X-Amz-Function-Error header says; empty on success.
	FunctionError string
	// ErrorType is the error document's errorType.
	ErrorType string
	// Status is "" on success or a function error, "timeout" when the
	// invocation timed out and "error" when the environment failed
	// (crash, oversized response); REPORT lines show it.
	Status string
	// Duration runs from delivery to the runtime until its answer.
	Duration time.Duration
	// InitDuration is the cold start's init phase, zero when warm.
	InitDuration time.Duration
	// ColdStart is true for an environment's first invocation.
	ColdStart bool
	// MaxMemoryMB is the environment's peak resident memory so far.
	MaxMemoryMB int
}

// errorDoc is the head of Lambda's error document; runtimes add members
// (stackTrace, whose shape differs between runtimes) that pass through
// untouched.
type errorDoc struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func errorPayload(typ, msg string) []byte {
	b, _ := json.Marshal(errorDoc{ErrorMessage: msg, ErrorType: typ})
	return b
}

// platformError is a failure of the environment rather than of the
// function's code, worded as Lambda words them.
func platformError(requestID, typ, status, reason string) Result {
	msg := "Error: " + reason
	if requestID != "" {
		msg = "RequestId: " + requestID + " " + msg
	}
	return Result{Payload: errorPayload(typ, msg), ContentType: "application/json",
		FunctionError: "Unhandled", ErrorType: typ, Status: status}
}

// InitError is a failed init phase: the runtime reported an init error,
// exited, could not be started or ran past the init timeout.
type InitError struct {
	// Type is the errorType ("Runtime.ExitError", "Runtime.InitError",
	// "Runtime.InvalidEntrypoint", "Sandbox.Timedout" or the runtime's own).
	Type string
	// Reason words the failure for the error message.
	Reason string
	// Body is the error document the runtime posted to /init/error, if any.
	Body []byte
	// Duration is how long init ran.
	Duration time.Duration
}

// Error implements error.
func (e *InitError) Error() string { return e.Type + ": " + e.Reason }

// Result is what the invocation that caused the cold start answers.
func (e *InitError) Result(requestID string) Result {
	if len(e.Body) > 0 {
		return Result{Payload: e.Body, ContentType: "application/json", FunctionError: "Unhandled",
			ErrorType: e.Type, Status: "error", InitDuration: e.Duration, ColdStart: true}
	}
	r := platformError(requestID, e.Type, "error", e.Reason)
	r.InitDuration, r.ColdStart = e.Duration, true
	return r
}

// exitReason words a process exit as Lambda does.
func exitReason(err error) string {
	if err == nil {
		return "Runtime exited without providing a reason"
	}
	return fmt.Sprintf("Runtime exited with error: %v", err)
}

// secondsText formats a timeout as Lambda's "Task timed out after 3.00 seconds".
func secondsText(d time.Duration) string {
	return fmt.Sprintf("%.2f seconds", d.Seconds())
}
