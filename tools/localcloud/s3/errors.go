package s3

import (
	"fmt"
	"net/http"

	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

func s3Error(status int, code, format string, args ...any) *protocol.Error {
	return &protocol.Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Fault: protocol.Sender}
}

func noSuchBucket() *protocol.Error {
	return s3Error(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
}

func noSuchKey() *protocol.Error {
	return s3Error(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}

func noSuchUpload() *protocol.Error {
	return s3Error(http.StatusNotFound, "NoSuchUpload",
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

func preconditionFailed() *protocol.Error {
	return s3Error(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
}

func invalidArgument(format string, args ...any) *protocol.Error {
	return s3Error(http.StatusBadRequest, "InvalidArgument", format, args...)
}

func malformedXML() *protocol.Error {
	return s3Error(http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema")
}
