package apigw

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/apigw/validate"
)

// The models every new REST API starts with, as API Gateway creates them.
const (
	emptyModelSchema = `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}`
	errorModelSchema = `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Error Schema","type":"object","properties":{"message":{"type":"string"}}}`
)

// CreateRestAPI creates an API with its root resource "/" and the Empty and
// Error models.
func (s *Service) CreateRestAPI(_ context.Context, in *CreateRestAPIInput) (*RestAPI, error) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, badRequest("Invalid REST API name specified")
	}
	src := in.APIKeySource
	if src == "" {
		src = "HEADER"
	}
	if src != "HEADER" && src != "AUTHORIZER" {
		return nil, badRequest("Invalid API Key source specified: %s", src)
	}
	ec := in.EndpointConfiguration
	if ec == nil || len(ec.Types) == 0 {
		ec = &EndpointConfiguration{Types: []string{"EDGE"}}
	}
	for _, t := range ec.Types {
		if t != "EDGE" && t != "REGIONAL" && t != "PRIVATE" {
			return nil, badRequest("Invalid endpoint configuration type: %s", t)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, root := s.newID(), s.newID()
	r := &apiRecord{snapshot: snapshot{API: RestAPI{ID: id, Name: in.Name, Description: in.Description, Version: in.Version, CreatedDate: s.now().Unix(),
		BinaryMediaTypes: in.BinaryMediaTypes, APIKeySource: src, EndpointConfiguration: ec, Policy: in.Policy, Tags: in.Tags,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, RootResourceID: root}}}
	r.fill()
	r.Resources[root] = &Resource{ID: root, Path: "/"}
	r.Models["Empty"] = &Model{ID: s.newID(), Name: "Empty", Description: "This is a default empty schema model", Schema: emptyModelSchema, ContentType: "application/json"}
	r.Models["Error"] = &Model{ID: s.newID(), Name: "Error", Description: "This is a default error schema model", Schema: errorModelSchema, ContentType: "application/json"}
	if err := s.putAPI(r); err != nil {
		return nil, err
	}
	s.apis[id] = r
	out := r.API
	return &out, nil
}

// GetRestAPI returns an API.
func (s *Service) GetRestAPI(_ context.Context, in *RestAPIRef) (*RestAPI, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*RestAPI, error) { return &r.API, nil })
}

// GetRestAPIs lists the APIs by name.
func (s *Service) GetRestAPIs(_ context.Context, in *ListRestAPIsInput) (*RestAPIs, error) {
	s.mu.RLock()
	items := make([]RestAPI, 0, len(s.apis))
	for _, r := range s.apis {
		items = append(items, r.API)
	}
	s.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool {
		if items[i].Name != items[j].Name {
			return items[i].Name < items[j].Name
		}
		return items[i].ID < items[j].ID
	})
	items, next := page(items, in.Position, in.Limit)
	return &RestAPIs{Items: items, Position: next}, nil
}

// DeleteRestAPI deletes an API, its deployments and stages. Usage plans
// keep no stage of it.
func (s *Service) DeleteRestAPI(_ context.Context, in *RestAPIRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.apiLocked(in.RestAPIID)
	if err != nil {
		return nil, err
	}
	if err := deleteKey(s.cfg.Store, bucketAPIs, in.RestAPIID); err != nil {
		return nil, err
	}
	delete(s.apis, in.RestAPIID)
	for id := range r.Deployments {
		s.rt.forget(id)
	}
	for _, p := range s.plans {
		kept := p.Plan.APIStages[:0:0]
		for _, st := range p.Plan.APIStages {
			if st.APIID != in.RestAPIID {
				kept = append(kept, st)
			}
		}
		if len(kept) != len(p.Plan.APIStages) {
			c := clone(p)
			c.Plan.APIStages = kept
			if err := putJSON(s.cfg.Store, bucketPlans, c.Plan.ID, c); err != nil {
				return nil, err
			}
			s.plans[c.Plan.ID] = c
		}
	}
	return &Empty{}, nil
}

var pathPartRE = regexp.MustCompile(`^(?:[a-zA-Z0-9._:-]+|\{[a-zA-Z0-9._-]+\+?\})$`)

// CreateResource adds a child resource.
func (s *Service) CreateResource(_ context.Context, in *CreateResourceInput) (*Resource, error) {
	if !pathPartRE.MatchString(in.PathPart) {
		return nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	var out Resource
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		parent, ok := r.Resources[in.ParentID]
		if !ok {
			return notFound("Invalid Resource identifier specified")
		}
		if strings.HasSuffix(parent.PathPart, "+}") {
			return badRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.Path)
		}
		isVar := strings.HasPrefix(in.PathPart, "{")
		for _, c := range r.Resources {
			if c.ParentID != in.ParentID {
				continue
			}
			if c.PathPart == in.PathPart {
				return conflict("Another resource with the same parent already has this name: %s", in.PathPart)
			}
			if isVar && strings.HasPrefix(c.PathPart, "{") {
				return badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", c.PathPart)
			}
		}
		path := parent.Path + "/" + in.PathPart
		if parent.Path == "/" {
			path = "/" + in.PathPart
		}
		res := &Resource{ID: s.newID(), ParentID: in.ParentID, PathPart: in.PathPart, Path: path}
		r.Resources[res.ID] = res
		out = *res
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func resourceView(res *Resource, embed []string) Resource {
	out := *res
	withMethods := false
	for _, e := range embed {
		if e == "methods" {
			withMethods = true
		}
	}
	if !withMethods {
		// Without embed=methods API Gateway lists each method's name only.
		out.ResourceMethods = nil
		if len(res.ResourceMethods) > 0 {
			out.ResourceMethods = map[string]*Method{}
			for k := range res.ResourceMethods {
				out.ResourceMethods[k] = &Method{}
			}
		}
	}
	return out
}

// GetResource returns a resource.
func (s *Service) GetResource(_ context.Context, in *ResourceRef) (*Resource, error) {
	var out Resource
	err := s.readAPI(in.RestAPIID, func(r *apiRecord) error {
		res, ok := r.Resources[in.ResourceID]
		if !ok {
			return notFound("Invalid Resource identifier specified")
		}
		out = resourceView(clone(res), in.Embed)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetResources lists an API's resources by path.
func (s *Service) GetResources(_ context.Context, in *ListResourcesInput) (*Resources, error) {
	var items []Resource
	err := s.readAPI(in.RestAPIID, func(r *apiRecord) error {
		for _, res := range r.Resources {
			items = append(items, resourceView(clone(res), in.Embed))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Path < items[j].Path })
	items, next := page(items, in.Position, in.Limit)
	return &Resources{Items: items, Position: next}, nil
}

// DeleteResource deletes a resource and everything beneath it.
func (s *Service) DeleteResource(_ context.Context, in *ResourceRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		res, ok := r.Resources[in.ResourceID]
		if !ok {
			return notFound("Invalid Resource identifier specified")
		}
		if res.ID == r.API.RootResourceID {
			return badRequest("Cannot delete root resource")
		}
		doomed := map[string]bool{res.ID: true}
		for changed := true; changed; {
			changed = false
			for id, c := range r.Resources {
				if !doomed[id] && doomed[c.ParentID] {
					doomed[id], changed = true, true
				}
			}
		}
		for id := range doomed {
			delete(r.Resources, id)
		}
		return nil
	})
}

var httpMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "PATCH": true, "OPTIONS": true, "HEAD": true, "ANY": true}

// methodIn finds a method of a resource: NotFound errors as API Gateway
// words them.
func methodIn(r *apiRecord, resourceID, httpMethod string) (*Resource, *Method, error) {
	res, ok := r.Resources[resourceID]
	if !ok {
		return nil, nil, notFound("Invalid Resource identifier specified")
	}
	m, ok := res.ResourceMethods[strings.ToUpper(httpMethod)]
	if !ok {
		return res, nil, notFound("Invalid Method identifier specified")
	}
	return res, m, nil
}

// PutMethod adds a method to a resource.
func (s *Service) PutMethod(_ context.Context, in *PutMethodInput) (*Method, error) {
	hm := strings.ToUpper(in.HTTPMethod)
	if !httpMethods[hm] {
		return nil, badRequest("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
	}
	switch in.AuthorizationType {
	case "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS":
	default:
		return nil, badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	}
	if _, err := validate.ParseRequestParameters(in.RequestParameters); err != nil {
		return nil, badRequest("Invalid mapping expression specified: %v", err)
	}
	var out Method
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		res, ok := r.Resources[in.ResourceID]
		if !ok {
			return notFound("Invalid Resource identifier specified")
		}
		if _, ok := res.ResourceMethods[hm]; ok {
			return conflict("Method already exists for this resource")
		}
		if in.RequestValidatorID != "" {
			if _, ok := r.Validators[in.RequestValidatorID]; !ok {
				return badRequest("Invalid Request Validator identifier specified")
			}
		}
		for _, name := range sortedKeys(in.RequestModels) {
			if _, ok := r.Models[in.RequestModels[name]]; !ok {
				return badRequest("Invalid model identifier specified: %s", in.RequestModels[name])
			}
		}
		m := &Method{HTTPMethod: hm, AuthorizationType: in.AuthorizationType, AuthorizerID: in.AuthorizerID, APIKeyRequired: in.APIKeyRequired,
			RequestValidatorID: in.RequestValidatorID, OperationName: in.OperationName, RequestParameters: in.RequestParameters,
			RequestModels: in.RequestModels, AuthorizationScopes: in.AuthorizationScopes}
		if res.ResourceMethods == nil {
			res.ResourceMethods = map[string]*Method{}
		}
		res.ResourceMethods[hm] = m
		out = *m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetMethod returns a method with its integration and responses.
func (s *Service) GetMethod(_ context.Context, in *MethodRef) (*Method, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*Method, error) {
		_, m, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		return m, err
	})
}

// DeleteMethod deletes a method.
func (s *Service) DeleteMethod(_ context.Context, in *MethodRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		res, _, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		delete(res.ResourceMethods, strings.ToUpper(in.HTTPMethod))
		return nil
	})
}

var (
	integrationParamRE = regexp.MustCompile(`^integration\.request\.(header|querystring|path|multivaluequerystring|multivalueheader)\.[^\s]+$`)
	statusCodeRE       = regexp.MustCompile(`^[1-5]\d\d$`)
)

// PutIntegration sets a method's integration, keeping its integration
// responses.
func (s *Service) PutIntegration(_ context.Context, in *PutIntegrationInput) (*Integration, error) {
	switch in.Type {
	case "AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY":
		if in.URI == "" {
			return nil, badRequest("Invalid integration URI specified")
		}
		if in.IntegrationHTTPMethod == "" {
			return nil, badRequest("Enumeration value for HttpMethod must be non-empty")
		}
		if in.Type == "AWS" || in.Type == "AWS_PROXY" {
			if _, err := parseAWSURI(in.URI); err != nil {
				return nil, badRequest("%s", err.Error())
			}
		}
	case "MOCK":
	default:
		return nil, badRequest("Invalid integration type specified. Valid options are HTTP,HTTP_PROXY,AWS,AWS_PROXY,MOCK")
	}
	pass := in.PassthroughBehavior
	if pass == "" {
		pass = "WHEN_NO_MATCH"
	}
	switch pass {
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return nil, badRequest("Invalid passthrough behavior specified: %s", pass)
	}
	for _, k := range sortedKeys(in.RequestParameters) {
		if !integrationParamRE.MatchString(k) {
			return nil, badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", k)
		}
		if err := checkSourceExpression(in.RequestParameters[k]); err != nil {
			return nil, err
		}
	}
	timeout := in.TimeoutInMillis
	if timeout == 0 {
		timeout = 29000
	}
	if timeout < 50 {
		return nil, badRequest("Timeout should be between 50 ms and 29000 ms")
	}
	var out *Integration
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		_, m, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		ig := &Integration{Type: in.Type, HTTPMethod: in.IntegrationHTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType,
			ConnectionID: in.ConnectionID, Credentials: in.Credentials, RequestParameters: in.RequestParameters,
			RequestTemplates: in.RequestTemplates, PassthroughBehavior: pass, ContentHandling: in.ContentHandling,
			TimeoutInMillis: timeout, CacheNamespace: in.ResourceID, CacheKeyParameters: in.CacheKeyParameters}
		if in.CacheNamespace != "" {
			ig.CacheNamespace = in.CacheNamespace
		}
		if ig.ConnectionType == "" && in.Type != "MOCK" {
			ig.ConnectionType = "INTERNET"
		}
		if m.MethodIntegration != nil {
			ig.IntegrationResponses = m.MethodIntegration.IntegrationResponses
		}
		m.MethodIntegration = ig
		out = clone(ig)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkSourceExpression accepts the mapping sources API Gateway documents:
// a quoted literal, method.request.{path,querystring,header}.NAME,
// method.request.body(.JSONPath), stageVariables.NAME and context.NAME.
func checkSourceExpression(src string) error {
	switch {
	case len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'"):
	case strings.HasPrefix(src, "method.request.path."), strings.HasPrefix(src, "method.request.querystring."),
		strings.HasPrefix(src, "method.request.header."), strings.HasPrefix(src, "method.request.multivaluequerystring."),
		strings.HasPrefix(src, "method.request.multivalueheader."), src == "method.request.body",
		strings.HasPrefix(src, "method.request.body."), strings.HasPrefix(src, "stageVariables."),
		strings.HasPrefix(src, "context."):
	default:
		return badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: %s]", src)
	}
	return nil
}

// GetIntegration returns a method's integration.
func (s *Service) GetIntegration(_ context.Context, in *MethodRef) (*Integration, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*Integration, error) {
		return integrationIn(r, in.ResourceID, in.HTTPMethod)
	})
}

// integrationIn finds a method's integration.
func integrationIn(r *apiRecord, resourceID, httpMethod string) (*Integration, error) {
	_, m, err := methodIn(r, resourceID, httpMethod)
	if err != nil {
		return nil, err
	}
	if m.MethodIntegration == nil {
		return nil, notFound("Invalid Integration identifier specified")
	}
	return m.MethodIntegration, nil
}

// DeleteIntegration removes a method's integration.
func (s *Service) DeleteIntegration(_ context.Context, in *MethodRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		_, m, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if m.MethodIntegration == nil {
			return notFound("Invalid Integration identifier specified")
		}
		m.MethodIntegration = nil
		return nil
	})
}

// PutIntegrationResponse sets an integration response.
func (s *Service) PutIntegrationResponse(_ context.Context, in *PutIntegrationResponseInput) (*IntegrationResponse, error) {
	if !statusCodeRE.MatchString(in.StatusCode) {
		return nil, badRequest("Invalid status code specified: %s", in.StatusCode)
	}
	if in.SelectionPattern != "" {
		if _, err := regexp.Compile(in.SelectionPattern); err != nil {
			return nil, badRequest("Invalid selection pattern specified: %s", in.SelectionPattern)
		}
	}
	for _, k := range sortedKeys(in.ResponseParameters) {
		if !strings.HasPrefix(k, "method.response.header.") {
			return nil, badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", k)
		}
	}
	var out *IntegrationResponse
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		ig, err := integrationIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		ir := &IntegrationResponse{StatusCode: in.StatusCode, SelectionPattern: in.SelectionPattern,
			ResponseParameters: in.ResponseParameters, ResponseTemplates: in.ResponseTemplates, ContentHandling: in.ContentHandling}
		if ig.IntegrationResponses == nil {
			ig.IntegrationResponses = map[string]*IntegrationResponse{}
		}
		ig.IntegrationResponses[in.StatusCode] = ir
		out = clone(ir)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetIntegrationResponse returns an integration response.
func (s *Service) GetIntegrationResponse(_ context.Context, in *ResponseRef) (*IntegrationResponse, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*IntegrationResponse, error) {
		ig, err := integrationIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return nil, err
		}
		ir, ok := ig.IntegrationResponses[in.StatusCode]
		if !ok {
			return nil, notFound("Invalid Response status code specified")
		}
		return ir, nil
	})
}

// DeleteIntegrationResponse deletes an integration response.
func (s *Service) DeleteIntegrationResponse(_ context.Context, in *ResponseRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		ig, err := integrationIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if _, ok := ig.IntegrationResponses[in.StatusCode]; !ok {
			return notFound("Invalid Response status code specified")
		}
		delete(ig.IntegrationResponses, in.StatusCode)
		return nil
	})
}

// PutMethodResponse declares a method response.
func (s *Service) PutMethodResponse(_ context.Context, in *PutMethodResponseInput) (*MethodResponse, error) {
	if !statusCodeRE.MatchString(in.StatusCode) {
		return nil, badRequest("Invalid status code specified: %s", in.StatusCode)
	}
	var out *MethodResponse
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		_, m, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		for _, ct := range sortedKeys(in.ResponseModels) {
			if _, ok := r.Models[in.ResponseModels[ct]]; !ok {
				return badRequest("Invalid model identifier specified: %s", in.ResponseModels[ct])
			}
		}
		if _, ok := m.MethodResponses[in.StatusCode]; ok {
			return conflict("Response already exists for this resource")
		}
		mr := &MethodResponse{StatusCode: in.StatusCode, ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*MethodResponse{}
		}
		m.MethodResponses[in.StatusCode] = mr
		out = clone(mr)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetMethodResponse returns a method response.
func (s *Service) GetMethodResponse(_ context.Context, in *ResponseRef) (*MethodResponse, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*MethodResponse, error) {
		_, m, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return nil, err
		}
		mr, ok := m.MethodResponses[in.StatusCode]
		if !ok {
			return nil, notFound("Invalid Response status code specified")
		}
		return mr, nil
	})
}

// DeleteMethodResponse deletes a method response.
func (s *Service) DeleteMethodResponse(_ context.Context, in *ResponseRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		_, m, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		if _, ok := m.MethodResponses[in.StatusCode]; !ok {
			return notFound("Invalid Response status code specified")
		}
		delete(m.MethodResponses, in.StatusCode)
		return nil
	})
}

var modelNameRE = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// CreateModel adds a model; its schema must be a valid draft-04 schema.
func (s *Service) CreateModel(_ context.Context, in *CreateModelInput) (*Model, error) {
	if !modelNameRE.MatchString(in.Name) {
		return nil, badRequest("Model name must be alphanumeric: %s", in.Name)
	}
	if in.ContentType == "" {
		return nil, badRequest("Content type must be non-empty")
	}
	var out Model
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		if _, ok := r.Models[in.Name]; ok {
			return conflict("Model name already exists for this REST API")
		}
		if in.Schema != "" {
			if _, err := validate.Compile([]byte(in.Schema), s.modelLoader(r.API.ID, r.Models)); err != nil {
				return badRequest("Invalid model specified: Validation Result: warnings : [], errors : [%v]", err)
			}
		}
		m := &Model{ID: s.newID(), Name: in.Name, Description: in.Description, Schema: in.Schema, ContentType: in.ContentType}
		r.Models[in.Name] = m
		out = *m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// modelLoader resolves $ref to another model of the API by its URL
// https://apigateway.amazonaws.com/restapis/{id}/models/{name}.
func (s *Service) modelLoader(apiID string, models map[string]*Model) validate.Loader {
	prefix := "https://apigateway.amazonaws.com/restapis/" + apiID + "/models/"
	return func(uri string) ([]byte, error) {
		name, ok := strings.CutPrefix(uri, prefix)
		if !ok {
			return nil, fmt.Errorf("reference %s is not a model of this API", uri)
		}
		m, ok := models[strings.TrimSuffix(name, "#")]
		if !ok {
			return nil, fmt.Errorf("model %s does not exist", name)
		}
		return []byte(m.Schema), nil
	}
}

// GetModel returns a model.
func (s *Service) GetModel(_ context.Context, in *ModelRef) (*Model, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*Model, error) {
		m, ok := r.Models[in.ModelName]
		if !ok {
			return nil, notFound("Invalid model name specified: %s", in.ModelName)
		}
		return m, nil
	})
}

// GetModels lists an API's models by name.
func (s *Service) GetModels(_ context.Context, in *ListInput) (*Models, error) {
	items, err := listChildren(s, in.RestAPIID, func(r *apiRecord) map[string]*Model { return r.Models })
	if err != nil {
		return nil, err
	}
	items, next := page(items, in.Position, in.Limit)
	return &Models{Items: items, Position: next}, nil
}

// DeleteModel deletes a model no method uses.
func (s *Service) DeleteModel(_ context.Context, in *ModelRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		if _, ok := r.Models[in.ModelName]; !ok {
			return notFound("Invalid model name specified: %s", in.ModelName)
		}
		for _, res := range r.Resources {
			for _, hm := range sortedKeys(res.ResourceMethods) {
				for _, name := range res.ResourceMethods[hm].RequestModels {
					if name == in.ModelName {
						return conflict("Cannot delete model '%s', is referenced in method request: %s/%s", in.ModelName, res.Path, hm)
					}
				}
			}
		}
		delete(r.Models, in.ModelName)
		return nil
	})
}

// CreateRequestValidator adds a request validator.
func (s *Service) CreateRequestValidator(_ context.Context, in *CreateRequestValidatorInput) (*RequestValidator, error) {
	var out RequestValidator
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		for _, v := range r.Validators {
			if in.Name != "" && v.Name == in.Name {
				return conflict("Validator already exists with this name")
			}
		}
		v := &RequestValidator{ID: s.cfg.IDs.Hex(3), Name: in.Name, ValidateRequestBody: in.ValidateRequestBody,
			ValidateRequestParameters: in.ValidateRequestParameters}
		r.Validators[v.ID] = v
		out = *v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRequestValidator returns a request validator.
func (s *Service) GetRequestValidator(_ context.Context, in *RequestValidatorRef) (*RequestValidator, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*RequestValidator, error) {
		v, ok := r.Validators[in.RequestValidatorID]
		if !ok {
			return nil, notFound("Invalid Request Validator identifier specified")
		}
		return v, nil
	})
}

// GetRequestValidators lists an API's request validators.
func (s *Service) GetRequestValidators(_ context.Context, in *ListInput) (*RequestValidators, error) {
	items, err := listChildren(s, in.RestAPIID, func(r *apiRecord) map[string]*RequestValidator { return r.Validators })
	if err != nil {
		return nil, err
	}
	items, next := page(items, in.Position, in.Limit)
	return &RequestValidators{Items: items, Position: next}, nil
}

// DeleteRequestValidator deletes a request validator no method uses.
func (s *Service) DeleteRequestValidator(_ context.Context, in *RequestValidatorRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		if _, ok := r.Validators[in.RequestValidatorID]; !ok {
			return notFound("Invalid Request Validator identifier specified")
		}
		for _, res := range r.Resources {
			for _, m := range res.ResourceMethods {
				if m.RequestValidatorID == in.RequestValidatorID {
					return conflict("Cannot delete request validator, is referenced in method: %s/%s", res.Path, m.HTTPMethod)
				}
			}
		}
		delete(r.Validators, in.RequestValidatorID)
		return nil
	})
}

// PutGatewayResponse customises a gateway response type.
func (s *Service) PutGatewayResponse(_ context.Context, in *PutGatewayResponseInput) (*GatewayResponse, error) {
	if _, ok := defaultGatewayResponses[in.ResponseType]; !ok {
		return nil, badRequest("Invalid response type specified: %s", in.ResponseType)
	}
	if in.StatusCode != "" && !statusCodeRE.MatchString(in.StatusCode) {
		return nil, badRequest("Invalid status code specified: %s", in.StatusCode)
	}
	for _, k := range sortedKeys(in.ResponseParameters) {
		if !strings.HasPrefix(k, "gatewayresponse.header.") {
			return nil, badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", k)
		}
	}
	out := &GatewayResponse{ResponseType: in.ResponseType, StatusCode: in.StatusCode, ResponseParameters: in.ResponseParameters,
		ResponseTemplates: in.ResponseTemplates}
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		r.GatewayResponses[in.ResponseType] = clone(out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// gatewayResponseView is the effective gateway response of a type: the
// customised one, or the default.
func gatewayResponseView(r map[string]*GatewayResponse, typ string) GatewayResponse {
	if g, ok := r[typ]; ok {
		return *g
	}
	d := defaultGatewayResponses[typ]
	return GatewayResponse{ResponseType: typ, StatusCode: statusOrEmpty(d.status), DefaultResponse: true,
		ResponseTemplates: map[string]string{"application/json": `{"message":$context.error.messageString}`}}
}

func statusOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// GetGatewayResponse returns the effective gateway response of a type.
func (s *Service) GetGatewayResponse(_ context.Context, in *GatewayResponseRef) (*GatewayResponse, error) {
	if _, ok := defaultGatewayResponses[in.ResponseType]; !ok {
		return nil, badRequest("Invalid response type specified: %s", in.ResponseType)
	}
	var out GatewayResponse
	err := s.readAPI(in.RestAPIID, func(r *apiRecord) error {
		out = gatewayResponseView(r.GatewayResponses, in.ResponseType)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetGatewayResponses lists every response type, customised or default.
func (s *Service) GetGatewayResponses(_ context.Context, in *ListInput) (*GatewayResponses, error) {
	var items []GatewayResponse
	err := s.readAPI(in.RestAPIID, func(r *apiRecord) error {
		for _, t := range sortedKeys(defaultGatewayResponses) {
			items = append(items, gatewayResponseView(r.GatewayResponses, t))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items, next := page(items, in.Position, max(in.Limit, 500))
	return &GatewayResponses{Items: items, Position: next}, nil
}

// DeleteGatewayResponse resets a response type to its default.
func (s *Service) DeleteGatewayResponse(_ context.Context, in *GatewayResponseRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		if _, ok := r.GatewayResponses[in.ResponseType]; !ok {
			return notFound("Invalid Gateway Response identifier specified")
		}
		delete(r.GatewayResponses, in.ResponseType)
		return nil
	})
}
