package lambdalog

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Keys of the attributes the functions log.
const (
	// KeyRequestID is the AWS request ID of the invocation, as in Lambda's
	// own JSON logs.
	KeyRequestID = "requestId"
	// KeyOrderID is the order a line is about.
	KeyOrderID = "orderID"
	// KeyMessageID is the SQS message ID of the record a line is about.
	KeyMessageID = "messageId"
	// KeySequenceNumber is the DynamoDB stream sequence number of the record
	// a line is about.
	KeySequenceNumber = "sequenceNumber"
	// KeyError says why something failed.
	KeyError = "error"
)

// New returns a logger writing JSON lines to w. level is a Lambda log level
// name, as in AWS_LAMBDA_LOG_LEVEL (DEBUG, INFO, WARN, ERROR; any case); an
// empty or unknown name (Lambda also has TRACE and FATAL) means INFO.
func New(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if l.UnmarshalText([]byte(level)) != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       l,
		ReplaceAttr: lambdacontext.ReplaceAttr, // time -> timestamp, msg -> message
	}))
}

// ForInvocation returns log with the invocation's AWS request ID attached,
// when ctx comes from the Lambda runtime; otherwise log itself.
func ForInvocation(ctx context.Context, log *slog.Logger) *slog.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return log.With(KeyRequestID, lc.AwsRequestID)
	}
	return log
}
