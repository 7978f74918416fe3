package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
)

// restRoute is a Route parsed for matching. A Route's Path may end in a
// query discriminator as Smithy's http.requestUri does: "/{Bucket}?uploads"
// needs the key "uploads", "/{Bucket}?list-type=2" needs that value.
type restRoute struct {
	Route
	segs   []string
	query  [][2]string // key, value ("" = any value)
	greedy bool
}

func parseRoute(rt Route) restRoute {
	path, rawQuery, _ := strings.Cut(rt.Path, "?")
	r := restRoute{Route: rt}
	if p := strings.TrimPrefix(path, "/"); p != "" {
		r.segs = strings.Split(p, "/")
	}
	if n := len(r.segs); n > 0 && strings.HasSuffix(r.segs[n-1], "+}") {
		r.greedy = true
	}
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		r.query = append(r.query, [2]string{k, v})
	}
	return r
}

// specificity orders candidate routes: query discriminators first, then
// literal segments, then more labels, and a fixed label before a greedy one.
func (r restRoute) specificity() int {
	literal := 0
	for _, s := range r.segs {
		if !strings.HasPrefix(s, "{") {
			literal++
		}
	}
	score := len(r.query)*10000 + literal*100 + len(r.segs)*2
	if !r.greedy {
		score++
	}
	return score
}

// match matches an escaped path (keeping empty segments and a trailing
// slash, which are part of S3 keys) and the query.
func (r restRoute) match(method, escapedPath string, q url.Values) (map[string]string, bool) {
	if r.Method != method {
		return nil, false
	}
	for _, kv := range r.query {
		vals, ok := q[kv[0]]
		if !ok || (kv[1] != "" && (len(vals) == 0 || vals[0] != kv[1])) {
			return nil, false
		}
	}
	rest := strings.TrimPrefix(escapedPath, "/")
	params := map[string]string{}
	for i, p := range r.segs {
		label, isLabel := strings.CutPrefix(p, "{")
		if isLabel && i == len(r.segs)-1 && strings.HasSuffix(label, "+}") {
			v, err := url.PathUnescape(rest)
			if err != nil || v == "" {
				return nil, false
			}
			params[strings.TrimSuffix(label, "+}")] = v
			return params, true
		}
		if rest == "" && i > 0 && !isLabel {
			return nil, false
		}
		seg, tail, found := strings.Cut(rest, "/")
		if isLabel {
			v, err := url.PathUnescape(seg)
			if err != nil || v == "" {
				return nil, false
			}
			params[strings.TrimSuffix(label, "}")] = v
		} else if seg != p {
			return nil, false
		}
		rest = tail
		if !found {
			rest = ""
			if i < len(r.segs)-1 {
				return nil, false
			}
		}
	}
	// A trailing slash after the last label is allowed ("/bucket/").
	return params, rest == ""
}

// restXMLService is the restXml service a request is for: the one its
// credential scope names, or the one its virtual host names
// ("bucket.s3.localhost"); virtual says the first host label is the first
// path label.
func (s *Server) restXMLService(r *http.Request) (svc *Service, virtual string) {
	if r.Header.Get("X-Amz-Target") != "" {
		return nil, "" // an awsJson call (SQS, DynamoDB, Logs, ...), never restXml
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if scope, ok := sigv4.SigningScope(r); ok {
		svc = s.byName[scope.Service]
	}
	label, after, _ := strings.Cut(host, ".")
	name, _, _ := strings.Cut(after, ".")
	if byHost := s.byName[name]; byHost != nil && byHost.RESTXML && label != "" && net.ParseIP(host) == nil {
		if svc == nil {
			svc = byHost
		}
		if svc == byHost {
			virtual = label
		}
	}
	if svc == nil || !svc.RESTXML {
		return nil, ""
	}
	return svc, virtual
}

// routeREST finds the most specific route for the request.
func routeREST(svc *Service, method, escapedPath string, q url.Values) (Route, map[string]string, bool) {
	best, bestScore := restRoute{}, -1
	var bestParams map[string]string
	for _, rt := range svc.Routes {
		pr := parseRoute(rt)
		p, ok := pr.match(method, escapedPath, q)
		if !ok {
			continue
		}
		if sc := pr.specificity(); sc > bestScore {
			best, bestScore, bestParams = pr, sc, p
		}
	}
	return best.Route, bestParams, bestScore >= 0
}

// serveRESTXML serves a request for a RESTXML service before its body is
// read, streaming the body into the operation and the response body out.
// It reports false when the request is for no such service.
func (s *Server) serveRESTXML(x *exchange) bool {
	r := x.r
	svc, virtual := s.restXMLService(r)
	if svc == nil {
		return false
	}
	x.svc, x.proto = svc, protoREST
	path := r.URL.EscapedPath()
	if virtual != "" {
		path = "/" + url.PathEscape(virtual) + path
	}
	query := r.URL.Query()
	rt, params, found := routeREST(svc, r.Method, path, query)
	x.route, x.params, x.action = rt, params, rt.Operation
	resource := r.URL.Path
	defer func() {
		// Answer a panic in S3's own error shape; ServeHTTP's recovery
		// would word it as restJson1.
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.writeRESTXMLError(x, fmt.Errorf("%s panicked: %v\n%s", x.action, v, debug.Stack()), resource)
		}
	}()
	ctx := r.Context()
	cred, scope, body, aerr := s.cfg.Verifier.VerifyStream(ctx, r)
	if aerr == nil && scope.Service != svc.Name {
		aerr = &sigv4.Error{Kind: sigv4.Mismatch, Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", svc.Name)}
	}
	if aerr != nil {
		s.writeRESTXMLError(x, restXMLAuthError(aerr), resource)
		return true
	}
	defer body.Close()
	ctx = iam.WithPrincipal(ctx, cred.Principal)
	operation, ok := svc.Operations[x.action]
	if !found || !ok {
		s.writeRESTXMLError(x, &protocol.Error{Code: "NotImplemented",
			Message: "A header you provided implies functionality that is not implemented", Status: http.StatusNotImplemented, Fault: protocol.Sender}, resource)
		return true
	}
	in := operation.newInput()
	req := protocol.RESTRequest{PathParams: params, Query: query, Header: r.Header}
	if err := protocol.DecodeRESTXML(req, body, in); err != nil {
		s.writeRESTXMLError(x, err, resource)
		return true
	}
	ctx = WithCall(ctx, Call{RequestID: x.requestID, Endpoint: endpointOf(r), Path: r.URL.Path})
	out, err := operation.call(ctx, in)
	if err != nil {
		s.writeRESTXMLError(x, err, resource)
		return true
	}
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	resp, err := protocol.EncodeRESTXML(out, status)
	if err != nil {
		s.writeRESTXMLError(x, fmt.Errorf("encode %s output: %w", x.action, err), resource)
		return true
	}
	h := x.w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	h.Set("X-Amz-Request-Id", x.requestID)
	h.Set("X-Amz-Id-2", x.requestID)
	if resp.Body == nil {
		if h.Get("Content-Length") == "" && r.Method != http.MethodHead {
			h.Set("Content-Length", "0")
		}
		x.w.WriteHeader(resp.Status)
		return true
	}
	defer resp.Body.Close()
	x.w.WriteHeader(resp.Status)
	if r.Method != http.MethodHead {
		if _, err := io.Copy(x.w, resp.Body); err != nil {
			s.cfg.Logger.Warn("response body copy failed", "requestID", x.requestID, "action", x.action, "err", err)
		}
	}
	return true
}

// restXMLAuthError words a SigV4 failure as S3 does.
func restXMLAuthError(e *sigv4.Error) *protocol.Error {
	code, status := "SignatureDoesNotMatch", http.StatusForbidden
	switch e.Kind {
	case sigv4.Missing:
		return &protocol.Error{Code: "AccessDenied", Message: "Access Denied", Status: status, Fault: protocol.Sender}
	case sigv4.Incomplete:
		code, status = "AuthorizationHeaderMalformed", http.StatusBadRequest
	case sigv4.UnknownKey:
		return &protocol.Error{Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records.", Status: status, Fault: protocol.Sender}
	case sigv4.Skewed:
		code = "RequestTimeTooSkewed"
	case sigv4.Expired:
		code = "AccessDenied"
	case sigv4.PayloadMismatch:
		code, status = "XAmzContentSHA256Mismatch", http.StatusBadRequest
	case sigv4.BadPayload:
		code, status = "InvalidArgument", http.StatusBadRequest
	case sigv4.MissingPayloadHash:
		code, status = "InvalidRequest", http.StatusBadRequest
	}
	return &protocol.Error{Code: code, Message: e.Message, Status: status, Fault: protocol.Sender}
}

func (s *Server) writeRESTXMLError(x *exchange, err error, resource string) {
	var pe *protocol.Error
	var se *sigv4.Error
	switch {
	case errors.As(err, &se):
		pe = restXMLAuthError(se)
	case errors.As(err, &pe):
	default:
		s.cfg.Logger.Error("operation failed", "requestID", x.requestID, "action", x.action, "err", err)
		pe = &protocol.Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.",
			Status: http.StatusInternalServerError, Fault: protocol.Receiver}
	}
	h := x.w.Header()
	h.Set("X-Amz-Request-Id", x.requestID)
	h.Set("X-Amz-Id-2", x.requestID)
	if x.r.Method == http.MethodHead || pe.Status == http.StatusNotModified {
		// HEAD and 304 answers carry no body; clients read the status.
		x.w.WriteHeader(pe.Status)
		return
	}
	body := protocol.RESTXMLError(pe, resource, x.requestID)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	x.w.WriteHeader(pe.Status)
	_, _ = x.w.Write(body)
}
