package logs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

// Errors as CloudWatch Logs words them.

func errGroupNotFound() error {
	return protocol.Errorf("ResourceNotFoundException", "The specified log group does not exist.")
}

func errStreamNotFound() error {
	return protocol.Errorf("ResourceNotFoundException", "The specified log stream does not exist.")
}

func errGroupExists() error {
	return protocol.Errorf("ResourceAlreadyExistsException", "The specified log group already exists")
}

func errStreamExists() error {
	return protocol.Errorf("ResourceAlreadyExistsException", "The specified log stream already exists")
}

func errInvalid(format string, args ...any) error {
	return protocol.Errorf("InvalidParameterException", format, args...)
}

func errTooManyTags(arn string) error {
	return protocol.Errorf("TooManyTagsException", "A resource can have no more than 50 tags. Resource: %s", arn)
}

// validation collects constraint violations and words them as AWS's
// request validation does ("1 validation error detected: ...").
type validation []string

func (v *validation) add(value, member, constraint string) {
	*v = append(*v, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

func (v validation) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return errInvalid("1 validation error detected: %s", v[0])
	default:
		return errInvalid("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
	}
}

// errCode is a client error with a fixed message.
func errCode(code, msg string) error { return protocol.Errorf(code, "%s", msg) }

func isCode(err error, code string) bool {
	var pe *protocol.Error
	return errors.As(err, &pe) && pe.Code == code
}
