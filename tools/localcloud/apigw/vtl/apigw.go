package vtl

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Vars are the API Gateway variables a template renders against. The data
// plane fills one per request; the zero value is an empty request.
type Vars struct {
	// Input is the method request behind $input.
	Input Input
	// Context is $context.
	Context Context
	// StageVariables is $stageVariables.
	StageVariables map[string]string
	// Extra adds further top-level references; values are converted with
	// FromGo. It cannot replace input, context, stageVariables or util.
	Extra map[string]any
}

// Input is the method request: $input.body, $input.json, $input.path and
// $input.params.
type Input struct {
	// Body is the raw request payload.
	Body string
	// Path, QueryString and Header are the request parameters by name.
	Path        map[string]string
	QueryString map[string]string
	Header      map[string]string
}

// Context is $context for REST API mapping templates (the variables API
// Gateway documents for data models, authorizers and mapping templates).
type Context struct {
	AccountID            string
	APIID                string
	AWSEndpointRequestID string
	DomainName           string
	DomainPrefix         string
	ExtendedRequestID    string
	HTTPMethod           string
	Path                 string
	Protocol             string
	RequestID            string
	// RequestTime is CLF-formatted (dd/MMM/yyyy:HH:mm:ss +-hhmm).
	RequestTime string
	// RequestTimeEpoch is the request time in epoch milliseconds.
	RequestTimeEpoch int64
	ResourceID       string
	ResourcePath     string
	Stage            string
	WAFResponseCode  string
	WebACLArn        string
	XRayTraceID      string
	Identity         Identity
	Error            ContextError
	// Authorizer is $context.authorizer (principalId, claims, and the
	// context a Lambda authorizer returned).
	Authorizer map[string]any
}

// SetRequestTime fills RequestTime (CLF, dd/MMM/yyyy:HH:mm:ss +-hhmm) and
// RequestTimeEpoch (milliseconds) from t, as API Gateway reports them.
func (c *Context) SetRequestTime(t time.Time) {
	c.RequestTime = t.Format("02/Jan/2006:15:04:05 -0700")
	c.RequestTimeEpoch = t.UnixMilli()
}

// Identity is $context.identity.
type Identity struct {
	AccountID                     string
	APIKey                        string
	APIKeyID                      string
	Caller                        string
	CognitoAuthenticationProvider string
	CognitoAuthenticationType     string
	CognitoIdentityID             string
	CognitoIdentityPoolID         string
	PrincipalOrgID                string
	SourceIP                      string
	User                          string
	UserAgent                     string
	UserArn                       string
}

// ContextError is $context.error.
type ContextError struct {
	Message               string
	ResponseType          string
	ValidationErrorString string
}

// contextHandle keeps the override maps of one rendering so that Execute
// can report what the template set.
type contextHandle struct {
	reqHeader, reqPath, reqQuery *Map
	respHeader, respOverride     *Map
}

func newContextHandle() *contextHandle {
	return &contextHandle{
		reqHeader: NewMap(), reqPath: NewMap(), reqQuery: NewMap(),
		respHeader: NewMap(), respOverride: NewMap(),
	}
}

func (st *state) install(v *Vars) *contextHandle {
	h := newContextHandle()
	if v == nil {
		v = &Vars{}
	}
	for k, x := range v.Extra {
		st.vars[k] = FromGo(x)
	}
	st.vars["input"] = &inputObj{in: &v.Input}
	st.vars["util"] = &utilObj{}
	st.vars["stageVariables"] = mapFromStrings(v.StageVariables)
	st.vars["context"] = buildContext(&v.Context, h)
	return h
}

func buildContext(c *Context, h *contextHandle) *Map {
	m := NewMap()
	m.Put("accountId", c.AccountID)
	m.Put("apiId", c.APIID)
	auth := NewMap()
	if a, ok := FromGo(c.Authorizer).(*Map); ok {
		auth = a
	}
	m.Put("authorizer", auth)
	m.Put("awsEndpointRequestId", c.AWSEndpointRequestID)
	m.Put("domainName", c.DomainName)
	m.Put("domainPrefix", c.DomainPrefix)
	e := NewMap()
	e.Put("message", c.Error.Message)
	e.Put("messageString", `"`+c.Error.Message+`"`)
	e.Put("responseType", c.Error.ResponseType)
	e.Put("validationErrorString", c.Error.ValidationErrorString)
	m.Put("error", e)
	m.Put("extendedRequestId", c.ExtendedRequestID)
	m.Put("httpMethod", c.HTTPMethod)
	id := NewMap()
	id.Put("accountId", c.Identity.AccountID)
	id.Put("apiKey", c.Identity.APIKey)
	id.Put("apiKeyId", c.Identity.APIKeyID)
	id.Put("caller", c.Identity.Caller)
	id.Put("cognitoAuthenticationProvider", c.Identity.CognitoAuthenticationProvider)
	id.Put("cognitoAuthenticationType", c.Identity.CognitoAuthenticationType)
	id.Put("cognitoIdentityId", c.Identity.CognitoIdentityID)
	id.Put("cognitoIdentityPoolId", c.Identity.CognitoIdentityPoolID)
	id.Put("principalOrgId", c.Identity.PrincipalOrgID)
	id.Put("sourceIp", c.Identity.SourceIP)
	id.Put("user", c.Identity.User)
	id.Put("userAgent", c.Identity.UserAgent)
	id.Put("userArn", c.Identity.UserArn)
	m.Put("identity", id)
	m.Put("path", c.Path)
	m.Put("protocol", c.Protocol)
	m.Put("requestId", c.RequestID)
	ro := NewMap()
	ro.Put("header", h.reqHeader)
	ro.Put("path", h.reqPath)
	ro.Put("querystring", h.reqQuery)
	m.Put("requestOverride", ro)
	m.Put("requestTime", c.RequestTime)
	m.Put("requestTimeEpoch", c.RequestTimeEpoch)
	m.Put("resourceId", c.ResourceID)
	m.Put("resourcePath", c.ResourcePath)
	h.respOverride.Put("header", h.respHeader)
	m.Put("responseOverride", h.respOverride)
	m.Put("stage", c.Stage)
	m.Put("wafResponseCode", c.WAFResponseCode)
	m.Put("webaclArn", c.WebACLArn)
	m.Put("xrayTraceId", c.XRayTraceID)
	return m
}

func (h *contextHandle) collect(r *Result) {
	str := func(m *Map) map[string]string {
		if m.Len() == 0 {
			return nil
		}
		out := make(map[string]string, m.Len())
		for _, k := range m.order() {
			if v := m.vals[k]; v != nil {
				out[k] = toString(v)
			}
		}
		return out
	}
	r.RequestHeaders = str(h.reqHeader)
	r.RequestPath = str(h.reqPath)
	r.RequestQueryString = str(h.reqQuery)
	r.ResponseHeaders = str(h.respHeader)
	if s, ok := h.respOverride.Get("status"); ok {
		switch x := s.(type) {
		case int64:
			r.Status = int(x)
		case float64:
			r.Status = int(x)
		case string:
			r.Status, _ = strconv.Atoi(strings.TrimSpace(x))
		}
	}
}

// inputObj is $input for one rendering; it parses the body at most once.
type inputObj struct {
	in     *Input
	parsed bool
	root   any
	err    error
}

var errBodyNotJSON = errors.New("unable to parse the request body as JSON")

func (o *inputObj) rootValue() (any, error) {
	if !o.parsed {
		o.parsed = true
		if strings.TrimSpace(o.in.Body) == "" {
			// An empty payload behaves as an empty JSON object.
			o.root = NewMap()
		} else if v, err := parseJSON(o.in.Body); err != nil {
			o.err = errBodyNotJSON
		} else {
			o.root = v
		}
	}
	return o.root, o.err
}

func (o *inputObj) evalPath(arg any) (any, bool, error) {
	s, ok := arg.(string)
	if !ok {
		return nil, false, errors.New("the JSONPath argument must be a string")
	}
	jp, err := compileJSONPath(s)
	if err != nil {
		return nil, false, err
	}
	root, err := o.rootValue()
	if err != nil {
		return nil, false, err
	}
	v, found := jp.eval(root)
	return v, found, nil
}

func (o *inputObj) call(name string, args []any) (any, bool, error) {
	switch {
	case name == "json" && len(args) == 1:
		v, found, err := o.evalPath(args[0])
		if err != nil || !found {
			return "", true, err
		}
		return toJSON(v), true, nil
	case name == "path" && len(args) == 1:
		v, found, err := o.evalPath(args[0])
		if err != nil || !found {
			return "", true, err
		}
		return v, true, nil
	case name == "params" && len(args) == 0:
		m := NewMap()
		m.Put("path", mapFromStrings(o.in.Path))
		m.Put("querystring", mapFromStrings(o.in.QueryString))
		m.Put("header", mapFromStrings(o.in.Header))
		return m, true, nil
	case name == "params" && len(args) == 1:
		key, ok := args[0].(string)
		if !ok {
			return nil, false, nil
		}
		return o.param(key), true, nil
	case name == "getBody" && len(args) == 0:
		return o.in.Body, true, nil
	}
	return nil, false, nil
}

// param looks a name up in the path, then the query string, then the
// headers (case-insensitively, as HTTP header names are); "" when absent.
func (o *inputObj) param(key string) string {
	if v, ok := o.in.Path[key]; ok {
		return v
	}
	if v, ok := o.in.QueryString[key]; ok {
		return v
	}
	if v, ok := o.in.Header[key]; ok {
		return v
	}
	for k, v := range o.in.Header {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// utilObj is $util.
type utilObj struct{}
