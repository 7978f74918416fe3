package apigw

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/apigw/validate"
	"github.com/orderflow/orderflow/tools/localcloud/apigw/vtl"
)

// MaxPayloadBytes is API Gateway's request payload limit (10 MB).
const MaxPayloadBytes = 10 << 20

// invocation is one method request on its way through the gateway.
type invocation struct {
	api     *compiledAPI
	stage   *Stage
	method  string
	path    string // below the stage, "/orders"
	query   url.Values
	header  http.Header
	body    []byte
	srcIP   string
	agent   string
	testRun bool // TestInvokeMethod: no key, throttle or quota checks

	// Filled as the request proceeds.
	vars        vtl.Vars
	resource    *Resource
	m           *Method
	pathParams  map[string]string
	integStatus string
	integLat    time.Duration
	trace       []string
	start       time.Time
}

// response is what the client gets.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (inv *invocation) logf(format string, args ...any) {
	inv.trace = append(inv.trace, fmt.Sprintf(format, args...))
}

// Matches reports whether r is a data-plane request: a path under
// /restapis/{id}/{stage}/_user_request_/ or a host {id}.execute-api.localhost.
func (s *Service) Matches(r *http.Request) bool {
	_, _, _, ok := s.target(r)
	return ok
}

// target splits a data-plane request into API ID, stage and path.
func (s *Service) target(r *http.Request) (apiID, stage, path string, ok bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if id, rest, found := strings.Cut(strings.ToLower(host), ".execute-api."); found && id != "" && strings.HasSuffix(rest, "localhost") {
		p := strings.TrimPrefix(r.URL.EscapedPath(), "/")
		stage, path, _ = strings.Cut(p, "/")
		return id, stage, "/" + path, true
	}
	p, found := strings.CutPrefix(r.URL.EscapedPath(), "/restapis/")
	if !found {
		return "", "", "", false
	}
	parts := strings.SplitN(p, "/", 4)
	if len(parts) < 3 || parts[2] != "_user_request_" {
		return "", "", "", false
	}
	rest := ""
	if len(parts) == 4 {
		rest = parts[3]
	}
	return parts[0], parts[1], "/" + rest, true
}

// ServeHTTP serves a data-plane request (see Matches).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	apiID, stageName, rawPath, ok := s.target(r)
	start := s.now()
	inv := &invocation{method: r.Method, query: r.URL.Query(), header: r.Header, srcIP: sourceIP(r), agent: r.UserAgent(), start: start}
	defer func() {
		// The gateway is written not to panic; should it, the client gets
		// API Gateway's 500 rather than a dropped connection.
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.cfg.Logger.Error("apigateway: request panicked", "requestID", inv.vars.Context.RequestID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(validate.ResponseBody("Internal server error"))
		}
	}()
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		path = rawPath
	}
	inv.path = path
	s.initVars(inv, apiID, stageName)
	var resp *response
	api, stage := s.deployed(apiID, stageName)
	switch {
	case !ok || api == nil:
		// An unknown API or stage: API Gateway answers 403 before it
		// knows which API's gateway responses apply.
		resp = plainGatewayResponse(inv, "MISSING_AUTHENTICATION_TOKEN")
	default:
		inv.api, inv.stage = api, stage
		inv.vars.StageVariables = stage.Variables
		body, rerr := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
		switch {
		case rerr != nil:
			resp = s.gatewayResponse(inv, "BAD_REQUEST_BODY", "Invalid request body")
		case len(body) > MaxPayloadBytes:
			resp = s.gatewayResponse(inv, "REQUEST_TOO_LARGE", "")
		default:
			inv.body = body
			resp = s.invoke(r.Context(), inv)
		}
	}
	s.finish(r.Context(), inv, resp)
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("x-amzn-RequestId", inv.vars.Context.RequestID)
	h.Set("x-amz-apigw-id", inv.vars.Context.ExtendedRequestID)
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// initVars fills the request's $context.
func (s *Service) initVars(inv *invocation, apiID, stage string) {
	c := &inv.vars.Context
	c.RequestID = s.cfg.IDs.UUID()
	c.ExtendedRequestID = strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(s.cfg.IDs.Hex(6))), "=")[:15] + "="
	c.AccountID = s.cfg.Account
	c.APIID = apiID
	c.Stage = stage
	c.HTTPMethod = inv.method
	c.Protocol = "HTTP/1.1"
	c.DomainName = apiID + ".execute-api." + s.cfg.Region + ".amazonaws.com"
	c.DomainPrefix = apiID
	c.Path = "/" + stage + inv.path
	c.SetRequestTime(inv.start)
	c.Identity.SourceIP = inv.srcIP
	c.Identity.UserAgent = inv.agent
}

// deployed returns the compiled deployment a stage serves.
func (s *Service) deployed(apiID, stageName string) (*compiledAPI, *Stage) {
	s.mu.RLock()
	r, ok := s.apis[apiID]
	if !ok {
		s.mu.RUnlock()
		return nil, nil
	}
	st, ok := r.Stages[stageName]
	if !ok {
		s.mu.RUnlock()
		return nil, nil
	}
	d, ok := r.Deployments[st.DeploymentID]
	s.mu.RUnlock()
	if !ok {
		return nil, nil
	}
	// Installed records are replaced, never changed, so st stays as read.
	return s.rt.get(d.Deployment.ID, func() *compiledAPI { return s.compile(&d.Snapshot) }), st
}

// invoke runs a method request through key check, throttling, validation
// and the integration.
func (s *Service) invoke(ctx context.Context, inv *invocation) *response {
	res, params, ok := inv.api.match(inv.path)
	var m *Method
	if ok {
		m = res.ResourceMethods[inv.method]
		if m == nil {
			m = res.ResourceMethods["ANY"]
		}
	}
	if m == nil {
		inv.logf("No method found for %s %s", inv.method, inv.path)
		return s.gatewayResponse(inv, "MISSING_AUTHENTICATION_TOKEN", "")
	}
	return s.runMethod(ctx, inv, res, m, params)
}

// runMethod runs a matched method request.
func (s *Service) runMethod(ctx context.Context, inv *invocation, res *Resource, m *Method, params map[string]string) *response {
	inv.resource, inv.m, inv.pathParams = res, m, params
	c := &inv.vars.Context
	c.ResourcePath, c.ResourceID = res.Path, res.ID
	inv.vars.Input = vtl.Input{Body: string(inv.body), Path: params, QueryString: firstValues(inv.query), Header: firstValues(inv.header)}
	inv.logf("HTTP Method: %s, Resource Path: %s", inv.method, res.Path)
	if !inv.testRun {
		if resp := s.admit(inv); resp != nil {
			return resp
		}
	}
	if resp := s.validateRequest(inv); resp != nil {
		return resp
	}
	return s.integrate(ctx, inv)
}

func firstValues(v map[string][]string) map[string]string {
	out := make(map[string]string, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

// admit applies the API key, usage plan throttle and quota, and the
// stage's method throttling.
func (s *Service) admit(inv *invocation) *response {
	now := s.now()
	c := &inv.vars.Context
	if inv.m.APIKeyRequired {
		value := inv.header.Get("x-api-key")
		key, plan, ok := s.keyPlan(value, c.APIID, c.Stage)
		if value == "" || !ok {
			inv.logf("API Key not authorized for this stage or missing")
			return s.gatewayResponse(inv, "INVALID_API_KEY", "")
		}
		c.Identity.APIKey, c.Identity.APIKeyID = key.Value, key.ID
		th := plan.Throttle
		for _, st := range plan.APIStages {
			if st.APIID == c.APIID && st.Stage == c.Stage {
				if t := st.Throttle[c.ResourcePath+"/"+inv.m.HTTPMethod]; t != nil {
					th = t
				}
			}
		}
		if th != nil && !s.limits.allow("plan/"+plan.ID+"/"+key.ID, th.RateLimit, th.BurstLimit, now) {
			return s.gatewayResponse(inv, "THROTTLED", "")
		}
		if q := plan.Quota; q != nil && !s.limits.quota("quota/"+plan.ID+"/"+key.ID, q, now) {
			return s.gatewayResponse(inv, "QUOTA_EXCEEDED", "")
		}
	}
	key := MethodSettingKey(c.ResourcePath, inv.m.HTTPMethod)
	ms := inv.stage.MethodSettings[key]
	if ms == nil {
		key = "*/*"
		ms = inv.stage.MethodSettings[key]
	}
	if ms != nil && ms.ThrottlingRateLimit >= 0 && ms.ThrottlingBurstLimit >= 0 &&
		!s.limits.allow("stage/"+c.APIID+"/"+c.Stage+"/"+key+"/"+c.ResourcePath+"/"+inv.m.HTTPMethod, ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit, now) {
		return s.gatewayResponse(inv, "THROTTLED", "")
	}
	return nil
}

// validateRequest applies the method's request validator.
func (s *Service) validateRequest(inv *invocation) *response {
	m := inv.m
	if m.RequestValidatorID == "" {
		return nil
	}
	v := inv.api.snap.Validators[m.RequestValidatorID]
	if v == nil {
		return nil
	}
	if v.ValidateRequestParameters && len(m.RequestParameters) > 0 {
		rules, err := validate.ParseRequestParameters(m.RequestParameters)
		if err == nil {
			err = rules.Validate(validate.Request{Path: inv.pathParams, QueryString: inv.query, Header: inv.header})
		}
		var pe *validate.ParameterError
		if errors.As(err, &pe) {
			inv.logf("Request validation failed: %s", pe.Error())
			return s.gatewayResponse(inv, "BAD_REQUEST_PARAMETERS", pe.Error())
		}
	}
	if v.ValidateRequestBody {
		name, ok := validate.SelectModel(m.RequestModels, inv.header.Get("Content-Type"))
		if !ok {
			return nil
		}
		sc, err := inv.api.schema(name)
		if err != nil {
			inv.logf("Execution failed due to configuration error: %v", err)
			return s.gatewayResponse(inv, "API_CONFIGURATION_ERROR", "")
		}
		var be *validate.BodyError
		if err := sc.Validate(inv.body); errors.As(err, &be) {
			inv.vars.Context.Error.ValidationErrorString = be.ValidationErrorString()
			inv.logf("Request body does not match model schema for content type %s: %s", "application/json", be.ValidationErrorString())
			return s.gatewayResponse(inv, "BAD_REQUEST_BODY", be.Error())
		} else if err != nil {
			return s.gatewayResponse(inv, "BAD_REQUEST_BODY", validate.MessageInvalidBody)
		}
	}
	return nil
}

// gatewayResponse answers with the API's gateway response of typ (or its
// DEFAULT_4XX/DEFAULT_5XX customisation, or API Gateway's default).
func (s *Service) gatewayResponse(inv *invocation, typ, message string) *response {
	def := defaultGatewayResponses[typ]
	if message == "" {
		message = def.message
	}
	c := &inv.vars.Context
	c.Error.Message, c.Error.ResponseType = message, typ
	var custom map[string]*GatewayResponse
	if inv.api != nil {
		custom = inv.api.snap.GatewayResponses
	}
	g, ok := custom[typ]
	if !ok {
		fallback := "DEFAULT_4XX"
		if def.status >= 500 {
			fallback = "DEFAULT_5XX"
		}
		g = custom[fallback]
	}
	status := def.status
	tmpl := `{"message":$context.error.messageString}`
	hdr := http.Header{}
	if g != nil {
		if n, err := strconv.Atoi(g.StatusCode); err == nil {
			status = n
		}
		if len(g.ResponseTemplates) > 0 {
			ct, t := pickTemplate(g.ResponseTemplates, inv.header.Get("Accept"))
			tmpl = t
			hdr.Set("Content-Type", ct)
		}
		for _, k := range sortedKeys(g.ResponseParameters) {
			name := strings.TrimPrefix(k, "gatewayresponse.header.")
			if v, ok := s.sourceValue(inv, g.ResponseParameters[k], nil); ok {
				hdr.Set(name, v)
			}
		}
	}
	if hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "application/json")
	}
	if def.errorType != "" {
		hdr.Set("x-amzn-ErrorType", def.errorType)
	}
	c.Error.Message = message
	return &response{status: status, header: hdr, body: []byte(vtl.Substitute(tmpl, &inv.vars))}
}

// plainGatewayResponse is a default gateway response outside any API.
func plainGatewayResponse(inv *invocation, typ string) *response {
	def := defaultGatewayResponses[typ]
	inv.vars.Context.Error.Message, inv.vars.Context.Error.ResponseType = def.message, typ
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("x-amzn-ErrorType", def.errorType)
	return &response{status: def.status, header: hdr, body: validate.ResponseBody(def.message)}
}

// pickTemplate chooses among templates by media type: the Accept header's
// type when one is defined for it, else application/json, else the first
// by name.
func pickTemplate(templates map[string]string, accept string) (string, string) {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		for _, k := range sortedKeys(templates) {
			if strings.EqualFold(k, mt) {
				return k, templates[k]
			}
		}
	}
	if t, ok := templates["application/json"]; ok {
		return "application/json", t
	}
	keys := sortedKeys(templates)
	return keys[0], templates[keys[0]]
}

// sourceValue evaluates a parameter mapping source: 'literal',
// method.request.{path,querystring,header}.NAME, stageVariables.NAME,
// context.NAME, or integration.response.header.NAME (with integHeader).
func (s *Service) sourceValue(inv *invocation, src string, integHeader http.Header) (string, bool) {
	if len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'") {
		return src[1 : len(src)-1], true
	}
	if name, ok := strings.CutPrefix(src, "method.request.path."); ok {
		v, ok := inv.pathParams[name]
		return v, ok
	}
	if name, ok := strings.CutPrefix(src, "method.request.querystring."); ok {
		return inv.query.Get(name), inv.query.Has(name)
	}
	if name, ok := strings.CutPrefix(src, "method.request.header."); ok {
		return inv.header.Get(name), len(inv.header.Values(name)) > 0
	}
	if src == "method.request.body" {
		return string(inv.body), true
	}
	if name, ok := strings.CutPrefix(src, "stageVariables."); ok {
		v, ok := inv.vars.StageVariables[name]
		return v, ok
	}
	if name, ok := strings.CutPrefix(src, "integration.response.header."); ok && integHeader != nil {
		return integHeader.Get(name), len(integHeader.Values(name)) > 0
	}
	if strings.HasPrefix(src, "context.") {
		v := vtl.Substitute("$"+src, &inv.vars)
		return v, v != "$"+src
	}
	return "", false
}

// requestTemplate selects the integration request template for the
// request's content type and applies the passthrough behaviour: ok false
// means 415.
func requestTemplate(ig *Integration, contentType string) (tmpl string, has, ok bool) {
	mt := "application/json"
	if contentType != "" {
		if t, _, err := mime.ParseMediaType(contentType); err == nil {
			mt = t
		} else {
			mt = strings.ToLower(strings.TrimSpace(contentType))
		}
	}
	for _, k := range sortedKeys(ig.RequestTemplates) {
		if strings.EqualFold(k, mt) {
			return ig.RequestTemplates[k], true, true
		}
	}
	switch ig.PassthroughBehavior {
	case "NEVER":
		return "", false, false
	case "WHEN_NO_TEMPLATES":
		return "", false, len(ig.RequestTemplates) == 0
	}
	return "", false, true
}

// integrate renders the request, calls the back end and maps its answer.
func (s *Service) integrate(ctx context.Context, inv *invocation) *response {
	ig := inv.m.MethodIntegration
	if ig == nil {
		return s.gatewayResponse(inv, "API_CONFIGURATION_ERROR", "")
	}
	inv.logf("Method request body before transformations: %s", inv.body)
	tmpl, has, ok := requestTemplate(ig, inv.header.Get("Content-Type"))
	if !ok {
		inv.logf("Request body passthrough disabled: no template for content type %s", inv.header.Get("Content-Type"))
		return s.gatewayResponse(inv, "UNSUPPORTED_MEDIA_TYPE", "")
	}
	body := string(inv.body)
	var overrides *vtl.Result
	if has {
		t, err := inv.api.template(tmpl)
		if err == nil {
			overrides, err = t.Execute(&inv.vars, vtl.Limits{})
		}
		if err != nil {
			inv.logf("Execution failed due to configuration error: unable to transform request: %v", err)
			return s.gatewayResponse(inv, "API_CONFIGURATION_ERROR", "")
		}
		body = overrides.Output
	}
	req := integrationRequest{header: http.Header{}, query: url.Values{}, body: body}
	for _, k := range sortedKeys(ig.RequestParameters) {
		rest := strings.TrimPrefix(k, "integration.request.")
		loc, name, _ := strings.Cut(rest, ".")
		v, ok := s.sourceValue(inv, ig.RequestParameters[k], nil)
		if !ok {
			continue
		}
		switch loc {
		case "header", "multivalueheader":
			req.header.Set(name, v)
		case "querystring", "multivaluequerystring":
			req.query.Set(name, v)
		}
	}
	if overrides != nil {
		for k, v := range overrides.RequestHeaders {
			req.header.Set(k, v)
		}
		for k, v := range overrides.RequestQueryString {
			req.query.Set(k, v)
		}
	}
	inv.logf("Endpoint request body after transformations: %s", body)
	began := s.now()
	out, err := s.callBackend(ctx, inv, ig, req)
	inv.integLat = s.now().Sub(began)
	if err != nil {
		inv.logf("Execution failed due to configuration error: %v", err)
		return s.gatewayResponse(inv, "API_CONFIGURATION_ERROR", "")
	}
	inv.integStatus = strconv.Itoa(out.status)
	inv.logf("Endpoint response status: %d", out.status)
	inv.logf("Endpoint response body before transformations: %s", out.body)
	return s.integrationResponse(inv, ig, out)
}

// integrationRequest is what the back end receives.
type integrationRequest struct {
	header http.Header
	query  url.Values
	body   string
}

// backendResponse is what the back end answered.
type backendResponse struct {
	status int
	header http.Header
	body   string
}

// integrationResponse selects the integration response for the back end's
// answer and renders it.
func (s *Service) integrationResponse(inv *invocation, ig *Integration, out *backendResponse) *response {
	code := strconv.Itoa(out.status)
	var chosen, fallback *IntegrationResponse
	for _, k := range sortedKeys(ig.IntegrationResponses) {
		ir := ig.IntegrationResponses[k]
		if ir.SelectionPattern == "" {
			if fallback == nil {
				fallback = ir
			}
			continue
		}
		if chosen == nil && inv.api.selects(ir.SelectionPattern, code) {
			chosen = ir
		}
	}
	if chosen == nil {
		chosen = fallback
	}
	if chosen == nil {
		inv.logf("Execution failed due to configuration error: No match for output mapping and no default output mapping")
		return s.gatewayResponse(inv, "API_CONFIGURATION_ERROR", "")
	}
	status, _ := strconv.Atoi(chosen.StatusCode)
	hdr := http.Header{}
	body := out.body
	ct := "application/json"
	if len(chosen.ResponseTemplates) > 0 {
		var tmpl string
		ct, tmpl = pickTemplate(chosen.ResponseTemplates, inv.header.Get("Accept"))
		vars := inv.vars
		vars.Input.Body = out.body
		t, err := inv.api.template(tmpl)
		var res *vtl.Result
		if err == nil {
			res, err = t.Execute(&vars, vtl.Limits{})
		}
		if err != nil {
			inv.logf("Execution failed due to configuration error: unable to transform response: %v", err)
			return s.gatewayResponse(inv, "API_CONFIGURATION_ERROR", "")
		}
		body = res.Output
		if res.Status != 0 {
			status = res.Status
		}
		for k, v := range res.ResponseHeaders {
			hdr.Set(k, v)
		}
	}
	hdr.Set("Content-Type", ct)
	for _, k := range sortedKeys(chosen.ResponseParameters) {
		if v, ok := s.sourceValue(inv, chosen.ResponseParameters[k], out.header); ok {
			hdr.Set(strings.TrimPrefix(k, "method.response.header."), v)
		}
	}
	inv.logf("Method response body after transformations: %s", body)
	inv.logf("Method completed with status: %d", status)
	return &response{status: status, header: hdr, body: []byte(body)}
}

// finish writes the access log line.
func (s *Service) finish(ctx context.Context, inv *invocation, resp *response) {
	if inv.stage == nil || inv.stage.AccessLogSettings == nil || s.cfg.Logs == nil {
		return
	}
	al := inv.stage.AccessLogSettings
	group, ok := logGroupOf(al.DestinationARN)
	if !ok || al.Format == "" {
		return
	}
	line := accessLogLine(al.Format, inv, resp, s.now())
	stream := inv.vars.Context.APIID + "-" + inv.vars.Context.Stage
	if err := s.cfg.Logs.Append(ctx, group, stream, []logEvent{{Timestamp: inv.start.UnixMilli(), Message: line}}); err != nil {
		s.cfg.Logger.Warn("apigateway: access log not written", "group", group, "err", err)
	}
}

// logGroupOf is the log group an access log destination ARN names
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, optionally ending ":*").
func logGroupOf(arn string) (string, bool) {
	_, rest, ok := strings.Cut(arn, ":log-group:")
	if !ok || !strings.HasPrefix(arn, "arn:aws:logs:") {
		return "", false
	}
	rest = strings.TrimSuffix(rest, ":*")
	return rest, rest != ""
}

// accessLogLine substitutes $context variables in format; variables
// without a value print "-", as API Gateway's access logs do.
func accessLogLine(format string, inv *invocation, resp *response, now time.Time) string {
	c := inv.vars.Context
	vals := map[string]string{
		"status":                        strconv.Itoa(resp.status),
		"responseLength":                strconv.Itoa(len(resp.body)),
		"responseLatency":               strconv.FormatInt(now.Sub(inv.start).Milliseconds(), 10),
		"integrationStatus":             inv.integStatus,
		"integration.status":            inv.integStatus,
		"integrationLatency":            durationOrEmpty(inv.integStatus, inv.integLat),
		"integration.latency":           durationOrEmpty(inv.integStatus, inv.integLat),
		"integration.integrationStatus": inv.integStatus,
		"requestId":                     c.RequestID,
		"extendedRequestId":             c.ExtendedRequestID,
		"apiId":                         c.APIID,
		"stage":                         c.Stage,
		"httpMethod":                    c.HTTPMethod,
		"resourcePath":                  c.ResourcePath,
		"resourceId":                    c.ResourceID,
		"path":                          c.Path,
		"protocol":                      c.Protocol,
		"requestTime":                   c.RequestTime,
		"requestTimeEpoch":              strconv.FormatInt(c.RequestTimeEpoch, 10),
		"accountId":                     c.AccountID,
		"domainName":                    c.DomainName,
		"domainPrefix":                  c.DomainPrefix,
		"identity.sourceIp":             c.Identity.SourceIP,
		"identity.userAgent":            c.Identity.UserAgent,
		"identity.apiKey":               c.Identity.APIKey,
		"identity.apiKeyId":             c.Identity.APIKeyID,
		"identity.caller":               c.Identity.Caller,
		"identity.user":                 c.Identity.User,
		"identity.userArn":              c.Identity.UserArn,
		"identity.accountId":            c.Identity.AccountID,
		"error.message":                 c.Error.Message,
		"error.messageString":           `"` + c.Error.Message + `"`,
		"error.responseType":            c.Error.ResponseType,
		"error.validationErrorString":   c.Error.ValidationErrorString,
	}
	if c.Error.Message == "" {
		vals["error.messageString"] = ""
	}
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	// Longest names first, so "$context.integration.status" is not read as
	// "$context.integration" + ".status".
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	var b strings.Builder
	for i := 0; i < len(format); {
		rest, ok := strings.CutPrefix(format[i:], "$context.")
		if !ok {
			b.WriteByte(format[i])
			i++
			continue
		}
		matched := false
		for _, n := range names {
			if strings.HasPrefix(rest, n) && !continuesName(rest[len(n):]) {
				v := vals[n]
				if v == "" {
					v = "-"
				}
				b.WriteString(v)
				i += len("$context.") + len(n)
				matched = true
				break
			}
		}
		if !matched {
			// Unknown variables print "-" too; skip the name.
			j := 0
			for j < len(rest) && (isNameChar(rest[j]) || rest[j] == '.') {
				j++
			}
			b.WriteString("-")
			i += len("$context.") + j
		}
	}
	return b.String()
}

func continuesName(s string) bool {
	return s != "" && (isNameChar(s[0]) || (s[0] == '.' && len(s) > 1 && isNameChar(s[1])))
}

func isNameChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func durationOrEmpty(status string, d time.Duration) string {
	if status == "" {
		return ""
	}
	return strconv.FormatInt(d.Milliseconds(), 10)
}
