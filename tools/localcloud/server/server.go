package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
)

// DefaultMaxBodyBytes bounds a request body unless its service sets
// MaxBodyBytes; SQS's largest legal batch is 1 MiB of message data, which
// JSON or form escaping can at most multiply by six.
const DefaultMaxBodyBytes = 8 << 20

// Service describes one AWS service's wire identity and its operations.
type Service struct {
	// Name is the SigV4 signing name ("sqs").
	Name string
	// JSONTargetPrefix is the X-Amz-Target prefix ("AmazonSQS"); empty
	// when the service does not speak awsJson.
	JSONTargetPrefix string
	// JSONVersion is "1.0" or "1.1".
	JSONVersion string
	// JSONNamespace prefixes error shape names in awsJson's __type.
	JSONNamespace string
	// QueryCompatible adds x-amzn-query-error to awsJson errors.
	QueryCompatible bool
	// Query is true when the service speaks awsQuery.
	Query bool
	// XMLNamespace is the awsQuery response namespace.
	XMLNamespace string
	// Operations by name.
	Operations map[string]Operation
	// Unauthenticated names operations that AWS serves without a
	// signature (SNS ConfirmSubscription from an e-mailed link).
	Unauthenticated map[string]bool
	// Routes make the service speak restJson1: requests signed for the
	// service that carry neither X-Amz-Target nor Action are matched
	// against them by method and path.
	Routes []Route
	// RESTXML makes Routes speak restXml (S3) through rest.go instead:
	// routed and SigV4-checked before the body is read, so bodies stream.
	RESTXML bool
	// ResponseCRC32 puts the CRC32 (IEEE) of every awsJson answer's body,
	// success or error, in an X-Amz-Crc32 header, as DynamoDB does: its
	// SDK clients check every body against that header, taking a missing
	// one for 0.
	ResponseCRC32 bool
	// MaxBodyBytes bounds the service's request bodies (default
	// DefaultMaxBodyBytes), for services whose requests AWS lets grow
	// larger (DynamoDB's 16 MB batches, Lambda's inline zips).
	MaxBodyBytes int64
	// BodyTooLarge words the answer to a body over MaxBodyBytes for an
	// operation ("" when the request does not say before its body), as the
	// service does; without it the front door answers 413
	// RequestEntityTooLarge.
	BodyTooLarge func(operation string, limit int64) *protocol.Error
}

// Route maps a REST method and path to an operation. Path labels are
// written {Name}; a last label {Name+} takes the rest of the path.
type Route struct {
	Method    string
	Path      string
	Operation string
	// Status is the success status (default 200).
	Status int
}

// match reports whether method and path fit the route, with its labels.
func (rt Route) match(method, path string) (map[string]string, bool) {
	if rt.Method != method {
		return nil, false
	}
	pat := strings.Split(strings.Trim(rt.Path, "/"), "/")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	for i, p := range pat {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}") && i == len(pat)-1 {
			if i >= len(segs) {
				return nil, false
			}
			rest, err := url.PathUnescape(strings.Join(segs[i:], "/"))
			if err != nil {
				return nil, false
			}
			params[p[1:len(p)-2]] = rest
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			params[p[1:len(p)-1]] = v
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, len(pat) == len(segs)
}

// Operation is a registered service operation.
type Operation interface {
	newInput() any
	call(ctx context.Context, in any) (any, error)
}

type op[In, Out any] struct {
	fn func(context.Context, *In) (*Out, error)
}

func (o op[In, Out]) newInput() any { return new(In) }

func (o op[In, Out]) call(ctx context.Context, in any) (any, error) {
	out, err := o.fn(ctx, in.(*In))
	if err != nil || out == nil {
		return nil, err
	}
	return out, nil
}

// Op adapts a typed operation function to an Operation. In and Out are
// structs whose `json` and `query` tags describe their wire members.
func Op[In, Out any](fn func(context.Context, *In) (*Out, error)) Operation {
	return op[In, Out]{fn: fn}
}

// Call is the request metadata an operation may read from its context.
type Call struct {
	RequestID string
	// Endpoint is the base URL the client used ("http://127.0.0.1:4566"),
	// from which services build URLs they hand back (queue URLs).
	Endpoint string
	// Path is the request path; Query SQS clients address the queue by
	// posting to its URL.
	Path string
}

type callKey struct{}

// WithCall returns ctx carrying c.
func WithCall(ctx context.Context, c Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the request metadata carried by ctx.
func CallFrom(ctx context.Context) Call {
	c, _ := ctx.Value(callKey{}).(Call)
	return c
}

// Config wires a Server.
type Config struct {
	Verifier *sigv4.Verifier
	Logger   *slog.Logger
	// IDs makes request IDs.
	IDs *ids.Source
	// Authorizer, when set, enforces IAM on the operations of services
	// registered with Authorize for callers other than the root user.
	Authorizer Authorizer
}

// Server routes AWS requests to registered services.
type Server struct {
	cfg      Config
	byName   map[string]*Service
	byTarget map[string]*Service
	internal *http.ServeMux
	unsigned []unsignedHandler
	authz    map[*Service]Authz
}

// unsignedHandler serves requests its match accepts before any service
// routing or signature check.
type unsignedHandler struct {
	match func(*http.Request) bool
	h     http.Handler
}

// New returns a server with no services.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, byName: map[string]*Service{}, byTarget: map[string]*Service{}, internal: http.NewServeMux()}
}

// Register adds a service.
func (s *Server) Register(svc *Service) {
	s.byName[svc.Name] = svc
	if svc.JSONTargetPrefix != "" {
		s.byTarget[svc.JSONTargetPrefix] = svc
	}
}

// HandleInternal serves localcloud's own unauthenticated endpoints under
// /_localcloud/ (health, links mailed to users).
func (s *Server) HandleInternal(pattern string, h http.Handler) {
	s.internal.Handle(pattern, h)
}

// HandleUnsigned serves the requests match accepts with h, ahead of service
// routing and SigV4: endpoints AWS serves without a signature on their own
// host names or paths (API Gateway's execute-api data plane). Handlers are
// tried in registration order; match must be cheap and must not read the
// body.
func (s *Server) HandleUnsigned(match func(*http.Request) bool, h http.Handler) {
	s.unsigned = append(s.unsigned, unsignedHandler{match: match, h: h})
}

// statusWriter remembers the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

type wireProtocol int

const (
	protoJSON wireProtocol = iota + 1
	protoQuery
	protoREST
)

type exchange struct {
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	proto     wireProtocol
	svc       *Service
	action    string
	route     Route
	params    map[string]string
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, u := range s.unsigned {
		if u.match(r) {
			u.h.ServeHTTP(w, r)
			return
		}
	}
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	x := &exchange{w: rec, r: r, requestID: s.cfg.IDs.UUID(), proto: protoQuery}
	w.Header().Set("X-Amzn-RequestId", x.requestID)
	start := time.Now()
	defer func() {
		service := ""
		if x.svc != nil {
			service = x.svc.Name
		}
		s.cfg.Logger.Debug("request", "requestID", x.requestID, "service", service, "action", x.action,
			"status", rec.status, "duration", time.Since(start))
	}()
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.cfg.Logger.Error("request panicked", "requestID", x.requestID, "action", x.action, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			s.writeError(x, protocol.InternalFailure())
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/_localcloud/") {
		s.internal.ServeHTTP(w, r)
		return
	}
	if s.serveRESTXML(x) {
		return
	}
	s.route(x)
	limit := int64(DefaultMaxBodyBytes)
	if x.svc != nil && x.svc.MaxBodyBytes > 0 {
		limit = x.svc.MaxBodyBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeError(x, bodyTooLarge(x, limit))
			return
		}
		s.writeError(x, protocol.Errorf("MalformedQueryString", "Could not read the request body."))
		return
	}
	s.serve(x, body)
}

// route finds what the headers tell of a request's protocol, service and
// operation: awsJson's X-Amz-Target, a restJson route, or for awsQuery
// (whose action is in the body) the service its signature is scoped to.
func (s *Server) route(x *exchange) {
	r := x.r
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		x.proto = protoJSON
		prefix, action, _ := cutLast(target, ".")
		x.action = action
		x.svc = s.byTarget[prefix]
		return
	}
	if svc := s.restService(r); svc != nil {
		x.proto, x.svc = protoREST, svc
		for _, rt := range svc.Routes {
			if p, ok := rt.match(r.Method, r.URL.EscapedPath()); ok {
				x.route, x.params, x.action = rt, p, rt.Operation
				break
			}
		}
		return
	}
	if scope, ok := sigv4.SigningScope(r); ok {
		x.svc = s.byName[scope.Service]
	}
}

// bodyTooLarge is the answer to a request body over limit.
func bodyTooLarge(x *exchange, limit int64) *protocol.Error {
	if x.svc != nil && x.svc.BodyTooLarge != nil {
		return x.svc.BodyTooLarge(x.action, limit)
	}
	return &protocol.Error{Code: "RequestEntityTooLarge", Namespace: protocol.CoralNamespace,
		Message: fmt.Sprintf("Request body must be no larger than %d bytes.", limit), Status: http.StatusRequestEntityTooLarge, Fault: protocol.Sender}
}

// serve answers a request route has looked at, once its body is read.
func (s *Server) serve(x *exchange, body []byte) {
	r := x.r
	var params url.Values
	switch x.proto {
	case protoJSON:
		if x.svc == nil {
			s.writeError(x, unknownOperation(x))
			return
		}
	case protoQuery:
		var err error
		params, err = queryParams(r, body)
		if err != nil {
			s.writeError(x, protocol.Errorf("MalformedQueryString", "The query string could not be parsed."))
			return
		}
		x.action = params.Get("Action")
		if scope, ok := sigv4.SigningScope(r); ok {
			x.svc = s.byName[scope.Service]
		} else if !sigv4.IsSigned(r) {
			x.svc = s.unauthenticatedService(x.action)
		}
		if x.action == "" {
			s.writeError(x, protocol.Errorf("MissingAction", "Missing Action"))
			return
		}
	}
	ctx := r.Context()
	unauth := x.svc != nil && x.svc.Unauthenticated[x.action] && !sigv4.IsSigned(r)
	if !unauth {
		cred, scope, aerr := s.cfg.Verifier.Verify(ctx, r, body)
		if aerr == nil && x.svc != nil && scope.Service != x.svc.Name {
			aerr = &sigv4.Error{Kind: sigv4.Mismatch, Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", x.svc.Name)}
		}
		if aerr != nil {
			s.writeError(x, authError(x, aerr))
			return
		}
		ctx = iam.WithPrincipal(ctx, cred.Principal)
	}
	if x.svc == nil {
		s.writeError(x, unknownOperation(x))
		return
	}
	if (x.proto == protoQuery && !x.svc.Query) || (x.proto == protoREST && x.action == "") {
		s.writeError(x, unknownOperation(x))
		return
	}
	operation, ok := x.svc.Operations[x.action]
	if !ok {
		s.writeError(x, unknownOperation(x))
		return
	}
	in := operation.newInput()
	var derr error
	switch x.proto {
	case protoJSON:
		derr = protocol.DecodeJSON(body, in)
	case protoREST:
		derr = protocol.DecodeRESTJSON(protocol.RESTRequest{PathParams: x.params, Query: r.URL.Query(), Header: r.Header, Body: body}, in)
	default:
		derr = protocol.DecodeQuery(params, in)
	}
	if derr != nil {
		s.writeError(x, derr)
		return
	}
	ctx = WithCall(ctx, Call{RequestID: x.requestID, Endpoint: endpointOf(r), Path: r.URL.Path})
	if err := s.authorize(ctx, x, in); err != nil {
		s.writeError(x, err)
		return
	}
	out, err := operation.call(ctx, in)
	if err != nil {
		s.writeError(x, err)
		return
	}
	s.writeOutput(x, out)
}

// restService is the REST service a request is for: one with routes whose
// signing name is the request's credential scope, when the request is
// neither awsJson nor awsQuery.
func (s *Server) restService(r *http.Request) *Service {
	scope, ok := sigv4.SigningScope(r)
	if !ok {
		return nil
	}
	svc := s.byName[scope.Service]
	if svc == nil || len(svc.Routes) == 0 {
		return nil
	}
	if r.URL.Query().Get("Action") != "" {
		return nil
	}
	return svc
}

func (s *Server) unauthenticatedService(action string) *Service {
	for _, svc := range s.byName {
		if svc.Unauthenticated[action] {
			return svc
		}
	}
	return nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

func queryParams(r *http.Request, body []byte) (url.Values, error) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("parse query string: %w", err)
	}
	ct := r.Header.Get("Content-Type")
	if r.Method == http.MethodPost && (ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded")) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("parse form body: %w", err)
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	return params, nil
}

func endpointOf(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func unknownOperation(x *exchange) *protocol.Error {
	if x.proto == protoREST {
		return &protocol.Error{Code: "UnknownOperationException", Message: "Unknown operation " + x.r.Method + " " + x.r.URL.Path,
			Status: http.StatusNotFound, Fault: protocol.Sender}
	}
	if x.proto == protoJSON {
		return &protocol.Error{Code: "UnknownOperationException", Namespace: protocol.CoralNamespace,
			Status: http.StatusBadRequest, Fault: protocol.Sender}
	}
	return protocol.Errorf("InvalidAction", "The action %s is not valid for this web service.", x.action)
}

// authError words a SigV4 failure as the request's protocol does.
func authError(x *exchange, e *sigv4.Error) *protocol.Error {
	status := http.StatusForbidden
	var jsonCode, queryCode string
	switch e.Kind {
	case sigv4.Missing:
		jsonCode, queryCode = "MissingAuthenticationTokenException", "MissingAuthenticationToken"
	case sigv4.Incomplete:
		jsonCode, queryCode = "IncompleteSignatureException", "IncompleteSignature"
		status = http.StatusBadRequest
	case sigv4.UnknownKey:
		jsonCode, queryCode = "UnrecognizedClientException", "InvalidClientTokenId"
	case sigv4.Skewed:
		jsonCode, queryCode = "InvalidSignatureException", "SignatureDoesNotMatch"
	case sigv4.Expired:
		jsonCode, queryCode = "InvalidSignatureException", "RequestExpired"
	default:
		jsonCode, queryCode = "InvalidSignatureException", "SignatureDoesNotMatch"
	}
	if x.proto == protoJSON || x.proto == protoREST {
		pe := &protocol.Error{Code: jsonCode, Namespace: protocol.CoralNamespace, Message: e.Message, Status: status, Fault: protocol.Sender}
		if x.svc != nil && x.svc.QueryCompatible {
			pe.QueryCode = queryCode
		}
		return pe
	}
	return &protocol.Error{Code: queryCode, Message: e.Message, Status: status, Fault: protocol.Sender}
}

func (s *Server) writeError(x *exchange, err error) {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		s.cfg.Logger.Error("operation failed", "requestID", x.requestID, "action", x.action, "err", err)
		pe = protocol.InternalFailure()
	}
	h := x.w.Header()
	if x.proto == protoREST {
		body, extra := protocol.RESTJSONError(pe)
		for k, v := range extra {
			h[k] = v
		}
		h.Set("Content-Type", "application/json")
		x.w.WriteHeader(pe.Status)
		_, _ = x.w.Write(body)
		return
	}
	if x.proto == protoJSON {
		ns, qc, ver := "", false, "1.0"
		if x.svc != nil {
			ns, qc, ver = x.svc.JSONNamespace, x.svc.QueryCompatible, x.svc.JSONVersion
		}
		body, extra := protocol.JSONError(pe, ns, qc)
		for k, v := range extra {
			h[k] = v
		}
		h.Set("Content-Type", "application/x-amz-json-"+ver)
		setCRC32(x, body)
		x.w.WriteHeader(pe.Status)
		_, _ = x.w.Write(body)
		return
	}
	xmlns := ""
	if x.svc != nil {
		xmlns = x.svc.XMLNamespace
	}
	h.Set("Content-Type", "text/xml")
	x.w.WriteHeader(pe.Status)
	_, _ = x.w.Write(protocol.QueryError(pe, xmlns, x.requestID))
}

func (s *Server) writeOutput(x *exchange, out any) {
	if x.proto == protoREST {
		status := x.route.Status
		if status == 0 {
			status = http.StatusOK
		}
		resp, err := protocol.EncodeRESTJSON(out, status)
		if err != nil {
			s.writeError(x, fmt.Errorf("encode %s output: %w", x.action, err))
			return
		}
		for k, v := range resp.Header {
			x.w.Header()[k] = v
		}
		x.w.Header().Set("Content-Type", resp.ContentType)
		x.w.WriteHeader(resp.Status)
		_, _ = x.w.Write(resp.Body)
		return
	}
	var body []byte
	if x.proto == protoJSON {
		b, err := protocol.EncodeJSON(out)
		if err != nil {
			s.writeError(x, fmt.Errorf("encode %s output: %w", x.action, err))
			return
		}
		body = b
		x.w.Header().Set("Content-Type", "application/x-amz-json-"+x.svc.JSONVersion)
		setCRC32(x, body)
	} else {
		body = protocol.QueryResponse(x.action, x.svc.XMLNamespace, x.requestID, out)
		x.w.Header().Set("Content-Type", "text/xml")
	}
	_, _ = io.Copy(x.w, bytes.NewReader(body))
}

// setCRC32 adds the X-Amz-Crc32 header for services that send it.
func setCRC32(x *exchange, body []byte) {
	if x.svc != nil && x.svc.ResponseCRC32 {
		x.w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	}
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// in-flight requests finish (long polls are released through their request
// context) and Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	cancelBase()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
