package validate

import (
	"fmt"
	"mime"
	"sort"
	"strings"
)

// Parameter locations, in the order missing parameters are reported.
const (
	LocationPath        = "path"
	LocationQueryString = "querystring"
	LocationHeader      = "header"
)

// Parameter is one required method request parameter.
type Parameter struct {
	// Location is LocationPath, LocationQueryString or LocationHeader.
	Location string
	Name     string
}

// ParameterRules are the required parameters of a method.
type ParameterRules struct {
	required []Parameter
}

// ParseRequestParameters reads a method's RequestParameters map, as
// CloudFormation and the API Gateway API spell it
// ("method.request.header.Idempotency-Key": false, where true means
// required). Multi-value query strings and headers count as their plain
// locations.
func ParseRequestParameters(params map[string]bool) (*ParameterRules, error) {
	r := &ParameterRules{}
	for key, required := range params {
		rest, ok := strings.CutPrefix(key, "method.request.")
		if !ok {
			return nil, fmt.Errorf("request parameter %q: must start with \"method.request.\"", key)
		}
		loc, name, ok := strings.Cut(rest, ".")
		if !ok || name == "" {
			return nil, fmt.Errorf("request parameter %q: missing a name", key)
		}
		switch loc {
		case "path":
			loc = LocationPath
		case "querystring", "multivaluequerystring":
			loc = LocationQueryString
		case "header", "multivalueheader":
			loc = LocationHeader
		default:
			return nil, fmt.Errorf("request parameter %q: unknown location %q", key, loc)
		}
		if required {
			r.required = append(r.required, Parameter{Location: loc, Name: name})
		}
	}
	order := map[string]int{LocationPath: 0, LocationQueryString: 1, LocationHeader: 2}
	sort.Slice(r.required, func(i, j int) bool {
		a, b := r.required[i], r.required[j]
		if a.Location != b.Location {
			return order[a.Location] < order[b.Location]
		}
		return a.Name < b.Name
	})
	return r, nil
}

// Required returns the required parameters.
func (r *ParameterRules) Required() []Parameter { return append([]Parameter(nil), r.required...) }

// Request carries the parameters of one method request.
type Request struct {
	Path        map[string]string
	QueryString map[string][]string
	// Header is matched case-insensitively (an http.Header works as is).
	Header map[string][]string
}

// ParameterError lists the required parameters a request lacks: API
// Gateway answers 400 with its message.
type ParameterError struct {
	Missing []string
}

func (e *ParameterError) Error() string {
	return "Missing required request parameters: [" + strings.Join(e.Missing, ", ") + "]"
}

// ResponseType is the gateway response type, BAD_REQUEST_PARAMETERS.
func (e *ParameterError) ResponseType() string { return ResponseTypeBadRequestParameters }

// StatusCode is the HTTP status of the gateway response.
func (e *ParameterError) StatusCode() int { return 400 }

// Validate checks that every required parameter is included and not blank.
// It returns nil or a *ParameterError.
func (r *ParameterRules) Validate(req Request) error {
	var missing []string
	for _, p := range r.required {
		if !present(p, req) {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &ParameterError{Missing: missing}
}

func present(p Parameter, req Request) bool {
	switch p.Location {
	case LocationPath:
		return !blank(req.Path[p.Name])
	case LocationQueryString:
		return anyNonBlank(req.QueryString[p.Name])
	case LocationHeader:
		for k, vs := range req.Header {
			if strings.EqualFold(k, p.Name) && anyNonBlank(vs) {
				return true
			}
		}
	}
	return false
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func anyNonBlank(vs []string) bool {
	for _, v := range vs {
		if !blank(v) {
			return true
		}
	}
	return false
}

// SelectModel picks the model for a request's Content-Type from a method's
// RequestModels (content type → model name): an exact media-type match,
// else the "$default" entry. A request without Content-Type is taken as
// application/json, as API Gateway does. ok is false when no model applies,
// in which case API Gateway does not validate the body.
func SelectModel(requestModels map[string]string, contentType string) (model string, ok bool) {
	if strings.TrimSpace(contentType) == "" {
		contentType = "application/json"
	}
	mt := strings.ToLower(strings.TrimSpace(contentType))
	if parsed, _, err := mime.ParseMediaType(contentType); err == nil {
		mt = parsed
	}
	for ct, name := range requestModels {
		if strings.EqualFold(ct, mt) {
			return name, true
		}
	}
	if name, found := requestModels["$default"]; found {
		return name, true
	}
	return "", false
}
