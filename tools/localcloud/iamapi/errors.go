package iamapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

// Errors as IAM words them (codes and statuses from the IAM API model).

func iamError(code string, status int, format string, args ...any) *protocol.Error {
	return &protocol.Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Fault: protocol.Sender}
}

func errNoSuchRole(name string) error {
	return iamError("NoSuchEntity", http.StatusNotFound, "The role with name %s cannot be found.", name)
}

func errNoSuchRolePolicy(name string) error {
	return iamError("NoSuchEntity", http.StatusNotFound, "The role policy with name %s cannot be found.", name)
}

func errNoSuchPolicy(arn string) error {
	return iamError("NoSuchEntity", http.StatusNotFound, "Policy %s was not found.", arn)
}

func errNotAttachable(arn string) error {
	return iamError("NoSuchEntity", http.StatusNotFound, "Policy %s does not exist or is not attachable.", arn)
}

func errNoSuchVersion(arn, version string) error {
	return iamError("NoSuchEntity", http.StatusNotFound, "Policy %s version %s does not exist or is not attachable.", arn, version)
}

func errConflict(format string, args ...any) error {
	return iamError("DeleteConflict", http.StatusConflict, format, args...)
}

func errLimit(format string, args ...any) error {
	return iamError("LimitExceeded", http.StatusConflict, format, args...)
}

func errExists(format string, args ...any) error {
	return iamError("EntityAlreadyExists", http.StatusConflict, format, args...)
}

func errInvalidInput(format string, args ...any) error {
	return iamError("InvalidInput", http.StatusBadRequest, format, args...)
}

// errValidation is the Coral validation error IAM answers for members that
// break the model's constraints.
func errValidation(value any, member, constraint string) error {
	v := "null"
	if s, ok := value.(string); ok {
		v = "'" + s + "'"
	} else if value != nil {
		v = fmt.Sprint(value)
	}
	return iamError("ValidationError", http.StatusBadRequest,
		"1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint)
}

func errMissing(member string) error { return errValidation(nil, member, "Member must not be null") }

// errMalformed turns a policy parse error into MalformedPolicyDocument.
func errMalformed(err error) error {
	var me *policy.MalformedError
	if errors.As(err, &me) {
		return iamError("MalformedPolicyDocument", http.StatusBadRequest, "%s", me.Message)
	}
	return iamError("MalformedPolicyDocument", http.StatusBadRequest, "Syntax errors in policy.")
}

// errAWSManaged answers writes to AWS managed policies, which belong to
// another account ("aws").
func errAWSManaged(action, arn string) error {
	return iamError("AccessDenied", http.StatusForbidden,
		"You are not authorized to perform: iam:%s on resource: %s because it is an AWS managed policy", action, arn)
}
