package lambdaapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
)

// maxAsyncPayload is Lambda's limit for an asynchronous invocation.
const maxAsyncPayload = 256 * 1024

// target is a resolved invocation target.
type target struct {
	name      string
	qualifier string // as asked: "", $LATEST, a version or an alias
	version   string // the version it runs: $LATEST or a number
	policy    string
}

// target resolves ref and qualifier to the version to run.
func (s *Service) target(ref, qualifier string) (target, error) {
	name, qual, err := s.resolve(ref, qualifier)
	if err != nil {
		return target{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, v, err := s.lookupLocked(name, qual)
	if err != nil {
		return target{}, err
	}
	return target{name: name, qualifier: qual, version: v.Version, policy: resourcePolicy(r, qual)}, nil
}

func (t target) engineQualifier() string {
	if t.version == latest {
		return ""
	}
	return t.version
}

// Invoke runs a function synchronously (RequestResponse), queues it
// (Event) or checks that the caller may (DryRun).
func (s *Service) Invoke(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	t, err := s.target(in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:InvokeFunction", s.functionARN(t.name, t.qualifier), t.policy); err != nil {
		return nil, err
	}
	if len(in.Payload) > 0 && !json.Valid(in.Payload) {
		return nil, lambdaError("InvalidRequestContentException", http.StatusBadRequest, "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	switch in.InvocationType {
	case "DryRun":
		return &InvokeOutput{StatusCode: http.StatusNoContent}, nil
	case "Event":
		if len(in.Payload) > maxAsyncPayload {
			return nil, lambdaError("RequestTooLargeException", http.StatusRequestEntityTooLarge,
				"Request must be smaller than %d bytes for the InvokeAsync operation", maxAsyncPayload)
		}
		if err := s.enqueue(ctx, t, in.Payload); err != nil {
			return nil, err
		}
		return &InvokeOutput{StatusCode: http.StatusAccepted}, nil
	case "", "RequestResponse":
	default:
		return nil, errValidation(in.InvocationType, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	if in.LogType != "" && in.LogType != "None" && in.LogType != "Tail" {
		return nil, errValidation(in.LogType, "logType", "Member must satisfy enum value set: [None, Tail]")
	}
	req := pool.Request{FunctionName: t.name, Qualifier: t.engineQualifier(), Payload: in.Payload}
	if in.ClientContext != "" {
		cc, err := base64.StdEncoding.DecodeString(in.ClientContext)
		if err != nil || !json.Valid(cc) {
			return nil, errInvalidParameter("Client context must be a valid Base64-encoded JSON object.")
		}
		req.ClientContext = string(cc)
	}
	if len(req.Payload) == 0 {
		req.Payload = []byte("{}")
	}
	var seen *tailWatch
	if in.LogType == "Tail" {
		seen = s.tail.watch("/aws/lambda/" + t.name)
		defer seen.stop()
	}
	resp, err := s.engine.Invoke(ctx, req)
	if err != nil {
		return nil, invokeError(err)
	}
	out := &InvokeOutput{StatusCode: http.StatusOK, FunctionError: resp.FunctionError, ExecutedVersion: resp.ExecutedVersion, Payload: resp.Payload}
	if seen != nil {
		out.LogResult = base64.StdEncoding.EncodeToString(seen.wait(ctx, resp.RequestID))
	}
	return out, nil
}

// invokeError maps the engine's errors to Lambda's.
func invokeError(err error) error {
	var nf *pool.NotFoundError
	var th *pool.ThrottleError
	var big *pool.RequestTooLargeError
	var denied *iamapi.DeniedError
	switch {
	case errors.As(err, &nf):
		return errFunctionNotFound(nf.ARN)
	case errors.As(err, &th):
		return errTooManyRequests()
	case errors.As(err, &big):
		return lambdaError("RequestTooLargeException", http.StatusRequestEntityTooLarge, "%s", big.Error())
	case errors.Is(err, iamapi.ErrNoSuchRole) || errors.As(err, &denied):
		return errInvalidParameter("The role defined for the function cannot be assumed by Lambda.")
	case errors.Is(err, pool.ErrClosed):
		return lambdaError("ServiceException", http.StatusServiceUnavailable, "localcloud is shutting down.")
	}
	return errInternal("invoke", err)
}

// InvokeSync runs a function in process as Invoke RequestResponse does,
// without a principal check. With wait, an invocation beyond the
// function's concurrency queues instead of failing (event source
// mappings poll this way).
func (s *Service) InvokeSync(ctx context.Context, functionRef string, payload []byte, wait bool) (*pool.Response, error) {
	t, err := s.target(functionRef, "")
	if err != nil {
		return nil, err
	}
	resp, err := s.engine.Invoke(ctx, pool.Request{FunctionName: t.name, Qualifier: t.engineQualifier(), Payload: payload, Wait: wait})
	if err != nil {
		return nil, invokeError(err)
	}
	return resp, nil
}

// InvokeEvent queues an asynchronous invocation in process (SNS
// deliveries); it returns once the event is stored.
func (s *Service) InvokeEvent(ctx context.Context, functionArn string, payload []byte) error {
	t, err := s.target(functionArn, "")
	if err != nil {
		return err
	}
	return s.enqueue(ctx, t, payload)
}

// enqueue hands an event to the asynchronous invocation queue, which
// stores it before answering.
func (s *Service) enqueue(ctx context.Context, t target, payload []byte) error {
	s.mu.RLock()
	async := s.async
	s.mu.RUnlock()
	if async == nil {
		return lambdaError("ServiceException", http.StatusInternalServerError, "Asynchronous invocation is not available in this localcloud.")
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if err := async.InvokeEvent(ctx, s.functionARN(t.name, t.engineQualifier()), payload); err != nil {
		return invokeError(err)
	}
	return nil
}
