package template

import "fmt"

// Error is a template or parameter error worded as CloudFormation words it
// ("Template format error: ..."); the API answers it as a ValidationError.
type Error struct {
	Message string
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

func formatError(format string, args ...any) *Error {
	return &Error{Message: "Template format error: " + fmt.Sprintf(format, args...)}
}

func templateError(format string, args ...any) *Error {
	return &Error{Message: "Template error: " + fmt.Sprintf(format, args...)}
}
