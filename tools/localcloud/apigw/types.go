package apigw

import (
	"encoding/json"
	"fmt"
)

// Wire shapes of the API Gateway REST API (apigateway 2015-07-09), as the
// restJson1 codec binds them: `json` members, `location` for URI labels,
// query strings and headers. The same structs are what the store keeps.

// EndpointConfiguration is a RestApi's endpoint types.
type EndpointConfiguration struct {
	Types          []string `json:"types,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
	VPCEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
}

// RestAPI is a REST API.
type RestAPI struct {
	ID                        string                 `json:"id"`
	Name                      string                 `json:"name"`
	Description               string                 `json:"description,omitempty"`
	CreatedDate               int64                  `json:"createdDate,omitempty"`
	Version                   string                 `json:"version,omitempty"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes,omitempty"`
	APIKeySource              string                 `json:"apiKeySource,omitempty"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    string                 `json:"policy,omitempty"`
	Tags                      map[string]string      `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                 `json:"rootResourceId,omitempty"`
}

// Resource is a path segment of an API.
type Resource struct {
	ID              string             `json:"id"`
	ParentID        string             `json:"parentId,omitempty"`
	PathPart        string             `json:"pathPart,omitempty"`
	Path            string             `json:"path"`
	ResourceMethods map[string]*Method `json:"resourceMethods,omitempty"`
}

// Method is a resource's HTTP method with its integration and responses.
type Method struct {
	HTTPMethod          string                     `json:"httpMethod"`
	AuthorizationType   string                     `json:"authorizationType"`
	AuthorizerID        string                     `json:"authorizerId,omitempty"`
	APIKeyRequired      bool                       `json:"apiKeyRequired"`
	RequestValidatorID  string                     `json:"requestValidatorId,omitempty"`
	OperationName       string                     `json:"operationName,omitempty"`
	RequestParameters   map[string]bool            `json:"requestParameters,omitempty"`
	RequestModels       map[string]string          `json:"requestModels,omitempty"`
	MethodResponses     map[string]*MethodResponse `json:"methodResponses,omitempty"`
	MethodIntegration   *Integration               `json:"methodIntegration,omitempty"`
	AuthorizationScopes []string                   `json:"authorizationScopes,omitempty"`
}

// MarshalJSON writes a method without its HTTP method (the stand-in
// GetResources lists without embed=methods) as {}, as API Gateway does.
func (m Method) MarshalJSON() ([]byte, error) {
	if m.HTTPMethod == "" {
		return []byte("{}"), nil
	}
	type plain Method
	b, err := json.Marshal(plain(m))
	if err != nil {
		return nil, fmt.Errorf("encode method: %w", err)
	}
	return b, nil
}

// Integration is the back end a method calls.
type Integration struct {
	Type                 string                          `json:"type"`
	HTTPMethod           string                          `json:"httpMethod,omitempty"`
	URI                  string                          `json:"uri,omitempty"`
	ConnectionType       string                          `json:"connectionType,omitempty"`
	ConnectionID         string                          `json:"connectionId,omitempty"`
	Credentials          string                          `json:"credentials,omitempty"`
	RequestParameters    map[string]string               `json:"requestParameters,omitempty"`
	RequestTemplates     map[string]string               `json:"requestTemplates,omitempty"`
	PassthroughBehavior  string                          `json:"passthroughBehavior,omitempty"`
	ContentHandling      string                          `json:"contentHandling,omitempty"`
	TimeoutInMillis      int                             `json:"timeoutInMillis,omitempty"`
	CacheNamespace       string                          `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                        `json:"cacheKeyParameters,omitempty"`
	IntegrationResponses map[string]*IntegrationResponse `json:"integrationResponses,omitempty"`
}

// IntegrationResponse maps an integration's answer to a method response.
type IntegrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// MethodResponse declares a status a method may answer.
type MethodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// Model is a JSON Schema (draft 4) for payloads.
type Model struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType"`
}

// RequestValidator says what a method validates.
type RequestValidator struct {
	ID                        string `json:"id"`
	Name                      string `json:"name,omitempty"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

// GatewayResponse customises a response API Gateway itself gives.
type GatewayResponse struct {
	ResponseType       string            `json:"responseType"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

// Deployment is a snapshot of an API that stages serve.
type Deployment struct {
	ID          string                                  `json:"id"`
	Description string                                  `json:"description,omitempty"`
	CreatedDate int64                                   `json:"createdDate,omitempty"`
	APISummary  map[string]map[string]MethodSnapshotSum `json:"apiSummary,omitempty"`
}

// MethodSnapshotSum is a deployment summary entry.
type MethodSnapshotSum struct {
	AuthorizationType string `json:"authorizationType,omitempty"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

// MethodSetting is a stage's per-method configuration.
type MethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int     `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int     `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
}

// AccessLogSettings is where and how a stage writes access logs.
type AccessLogSettings struct {
	Format         string `json:"format,omitempty"`
	DestinationARN string `json:"destinationArn,omitempty"`
}

// Stage serves one deployment.
type Stage struct {
	DeploymentID        string                    `json:"deploymentId"`
	StageName           string                    `json:"stageName"`
	Description         string                    `json:"description,omitempty"`
	CacheClusterEnabled bool                      `json:"cacheClusterEnabled"`
	CacheClusterStatus  string                    `json:"cacheClusterStatus,omitempty"`
	MethodSettings      map[string]*MethodSetting `json:"methodSettings,omitempty"`
	Variables           map[string]string         `json:"variables,omitempty"`
	AccessLogSettings   *AccessLogSettings        `json:"accessLogSettings,omitempty"`
	TracingEnabled      bool                      `json:"tracingEnabled"`
	Tags                map[string]string         `json:"tags,omitempty"`
	CreatedDate         int64                     `json:"createdDate,omitempty"`
	LastUpdatedDate     int64                     `json:"lastUpdatedDate,omitempty"`
}

// APIKey is a client key.
type APIKey struct {
	ID              string            `json:"id"`
	Value           string            `json:"value,omitempty"`
	Name            string            `json:"name,omitempty"`
	CustomerID      string            `json:"customerId,omitempty"`
	Description     string            `json:"description,omitempty"`
	Enabled         bool              `json:"enabled"`
	CreatedDate     int64             `json:"createdDate,omitempty"`
	LastUpdatedDate int64             `json:"lastUpdatedDate,omitempty"`
	StageKeys       []string          `json:"stageKeys,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
}

// ThrottleSettings is a token bucket: steady rate per second and burst.
type ThrottleSettings struct {
	BurstLimit int     `json:"burstLimit"`
	RateLimit  float64 `json:"rateLimit"`
}

// QuotaSettings is the number of requests allowed per period.
type QuotaSettings struct {
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Period string `json:"period,omitempty"`
}

// APIStage names a stage a usage plan covers.
type APIStage struct {
	APIID    string                       `json:"apiId,omitempty"`
	Stage    string                       `json:"stage,omitempty"`
	Throttle map[string]*ThrottleSettings `json:"throttle,omitempty"`
}

// UsagePlan limits the keys associated with it on its stages.
type UsagePlan struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	APIStages   []APIStage        `json:"apiStages,omitempty"`
	Throttle    *ThrottleSettings `json:"throttle,omitempty"`
	Quota       *QuotaSettings    `json:"quota,omitempty"`
	ProductCode string            `json:"productCode,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// UsagePlanKey is a key associated with a usage plan.
type UsagePlanKey struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
	Name  string `json:"name,omitempty"`
}

// PatchOperation is one change of an Update call.
type PatchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value,omitempty"`
	From  string `json:"from,omitempty"`
}

// Empty is an operation output without members.
type Empty struct{}

// Inputs.

// CreateRestAPIInput is CreateRestApi's input.
type CreateRestAPIInput struct {
	Name                      string                 `json:"name"`
	Description               string                 `json:"description"`
	Version                   string                 `json:"version"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes"`
	APIKeySource              string                 `json:"apiKeySource"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                 `json:"policy"`
	Tags                      map[string]string      `json:"tags"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
}

// RestAPIRef names an API.
type RestAPIRef struct {
	RestAPIID string `json:"-" location:"uri" locationName:"restapi_id"`
}

// ListRestAPIsInput is GetRestApis' input.
type ListRestAPIsInput struct {
	Position string `json:"-" location:"querystring" locationName:"position"`
	Limit    int    `json:"-" location:"querystring" locationName:"limit"`
}

// RestAPIs is GetRestApis' output.
type RestAPIs struct {
	Items    []RestAPI `json:"item"`
	Position string    `json:"position,omitempty"`
}

// CreateResourceInput is CreateResource's input.
type CreateResourceInput struct {
	RestAPIID string `json:"-" location:"uri" locationName:"restapi_id"`
	ParentID  string `json:"-" location:"uri" locationName:"parent_id"`
	PathPart  string `json:"pathPart"`
}

// ResourceRef names a resource.
type ResourceRef struct {
	RestAPIID  string `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID string `json:"-" location:"uri" locationName:"resource_id"`
	// Embed "methods" includes resourceMethods (GetResource).
	Embed []string `json:"-" location:"querystring" locationName:"embed"`
}

// ListResourcesInput is GetResources' input.
type ListResourcesInput struct {
	RestAPIID string   `json:"-" location:"uri" locationName:"restapi_id"`
	Embed     []string `json:"-" location:"querystring" locationName:"embed"`
	Position  string   `json:"-" location:"querystring" locationName:"position"`
	Limit     int      `json:"-" location:"querystring" locationName:"limit"`
}

// Resources is GetResources' output.
type Resources struct {
	Items    []Resource `json:"item"`
	Position string     `json:"position,omitempty"`
}

// MethodRef names a method.
type MethodRef struct {
	RestAPIID  string `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID string `json:"-" location:"uri" locationName:"resource_id"`
	HTTPMethod string `json:"-" location:"uri" locationName:"http_method"`
}

// PutMethodInput is PutMethod's input.
type PutMethodInput struct {
	RestAPIID           string            `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID          string            `json:"-" location:"uri" locationName:"resource_id"`
	HTTPMethod          string            `json:"-" location:"uri" locationName:"http_method"`
	AuthorizationType   string            `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

// PutIntegrationInput is PutIntegration's input.
type PutIntegrationInput struct {
	RestAPIID             string            `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID            string            `json:"-" location:"uri" locationName:"resource_id"`
	HTTPMethod            string            `json:"-" location:"uri" locationName:"http_method"`
	Type                  string            `json:"type"`
	IntegrationHTTPMethod string            `json:"httpMethod"`
	URI                   string            `json:"uri"`
	ConnectionType        string            `json:"connectionType"`
	ConnectionID          string            `json:"connectionId"`
	Credentials           string            `json:"credentials"`
	RequestParameters     map[string]string `json:"requestParameters"`
	RequestTemplates      map[string]string `json:"requestTemplates"`
	PassthroughBehavior   string            `json:"passthroughBehavior"`
	CacheNamespace        string            `json:"cacheNamespace"`
	CacheKeyParameters    []string          `json:"cacheKeyParameters"`
	ContentHandling       string            `json:"contentHandling"`
	TimeoutInMillis       int               `json:"timeoutInMillis"`
}

// ResponseRef names an integration or method response.
type ResponseRef struct {
	RestAPIID  string `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID string `json:"-" location:"uri" locationName:"resource_id"`
	HTTPMethod string `json:"-" location:"uri" locationName:"http_method"`
	StatusCode string `json:"-" location:"uri" locationName:"status_code"`
}

// PutIntegrationResponseInput is PutIntegrationResponse's input.
type PutIntegrationResponseInput struct {
	RestAPIID          string            `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID         string            `json:"-" location:"uri" locationName:"resource_id"`
	HTTPMethod         string            `json:"-" location:"uri" locationName:"http_method"`
	StatusCode         string            `json:"-" location:"uri" locationName:"status_code"`
	SelectionPattern   string            `json:"selectionPattern"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	ContentHandling    string            `json:"contentHandling"`
}

// PutMethodResponseInput is PutMethodResponse's input.
type PutMethodResponseInput struct {
	RestAPIID          string            `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID         string            `json:"-" location:"uri" locationName:"resource_id"`
	HTTPMethod         string            `json:"-" location:"uri" locationName:"http_method"`
	StatusCode         string            `json:"-" location:"uri" locationName:"status_code"`
	ResponseParameters map[string]bool   `json:"responseParameters"`
	ResponseModels     map[string]string `json:"responseModels"`
}

// CreateModelInput is CreateModel's input.
type CreateModelInput struct {
	RestAPIID   string `json:"-" location:"uri" locationName:"restapi_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Schema      string `json:"schema"`
	ContentType string `json:"contentType"`
}

// ModelRef names a model.
type ModelRef struct {
	RestAPIID string `json:"-" location:"uri" locationName:"restapi_id"`
	ModelName string `json:"-" location:"uri" locationName:"model_name"`
}

// ListInput lists the children of an API.
type ListInput struct {
	RestAPIID string `json:"-" location:"uri" locationName:"restapi_id"`
	Position  string `json:"-" location:"querystring" locationName:"position"`
	Limit     int    `json:"-" location:"querystring" locationName:"limit"`
}

// Models is GetModels' output.
type Models struct {
	Items    []Model `json:"item"`
	Position string  `json:"position,omitempty"`
}

// CreateRequestValidatorInput is CreateRequestValidator's input.
type CreateRequestValidatorInput struct {
	RestAPIID                 string `json:"-" location:"uri" locationName:"restapi_id"`
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

// RequestValidatorRef names a request validator.
type RequestValidatorRef struct {
	RestAPIID          string `json:"-" location:"uri" locationName:"restapi_id"`
	RequestValidatorID string `json:"-" location:"uri" locationName:"requestvalidator_id"`
}

// RequestValidators is GetRequestValidators' output.
type RequestValidators struct {
	Items    []RequestValidator `json:"item"`
	Position string             `json:"position,omitempty"`
}

// PutGatewayResponseInput is PutGatewayResponse's input.
type PutGatewayResponseInput struct {
	RestAPIID          string            `json:"-" location:"uri" locationName:"restapi_id"`
	ResponseType       string            `json:"-" location:"uri" locationName:"response_type"`
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

// GatewayResponseRef names a gateway response.
type GatewayResponseRef struct {
	RestAPIID    string `json:"-" location:"uri" locationName:"restapi_id"`
	ResponseType string `json:"-" location:"uri" locationName:"response_type"`
}

// GatewayResponses is GetGatewayResponses' output.
type GatewayResponses struct {
	Items    []GatewayResponse `json:"item"`
	Position string            `json:"position,omitempty"`
}

// CreateDeploymentInput is CreateDeployment's input.
type CreateDeploymentInput struct {
	RestAPIID        string            `json:"-" location:"uri" locationName:"restapi_id"`
	StageName        string            `json:"stageName"`
	StageDescription string            `json:"stageDescription"`
	Description      string            `json:"description"`
	Variables        map[string]string `json:"variables"`
	TracingEnabled   bool              `json:"tracingEnabled"`
}

// DeploymentRef names a deployment.
type DeploymentRef struct {
	RestAPIID    string `json:"-" location:"uri" locationName:"restapi_id"`
	DeploymentID string `json:"-" location:"uri" locationName:"deployment_id"`
}

// Deployments is GetDeployments' output.
type Deployments struct {
	Items    []Deployment `json:"item"`
	Position string       `json:"position,omitempty"`
}

// CreateStageInput is CreateStage's input.
type CreateStageInput struct {
	RestAPIID      string            `json:"-" location:"uri" locationName:"restapi_id"`
	StageName      string            `json:"stageName"`
	DeploymentID   string            `json:"deploymentId"`
	Description    string            `json:"description"`
	Variables      map[string]string `json:"variables"`
	TracingEnabled bool              `json:"tracingEnabled"`
	Tags           map[string]string `json:"tags"`
}

// StageRef names a stage.
type StageRef struct {
	RestAPIID string `json:"-" location:"uri" locationName:"restapi_id"`
	StageName string `json:"-" location:"uri" locationName:"stage_name"`
}

// ListStagesInput is GetStages' input.
type ListStagesInput struct {
	RestAPIID    string `json:"-" location:"uri" locationName:"restapi_id"`
	DeploymentID string `json:"-" location:"querystring" locationName:"deploymentId"`
}

// Stages is GetStages' output.
type Stages struct {
	Item []Stage `json:"item"`
}

// UpdateStageInput is UpdateStage's input.
type UpdateStageInput struct {
	RestAPIID       string           `json:"-" location:"uri" locationName:"restapi_id"`
	StageName       string           `json:"-" location:"uri" locationName:"stage_name"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// CreateAPIKeyInput is CreateApiKey's input.
type CreateAPIKeyInput struct {
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	Enabled            bool              `json:"enabled"`
	GenerateDistinctID bool              `json:"generateDistinctId"`
	Value              string            `json:"value"`
	CustomerID         string            `json:"customerId"`
	Tags               map[string]string `json:"tags"`
}

// APIKeyRef names a key.
type APIKeyRef struct {
	APIKey       string `json:"-" location:"uri" locationName:"api_Key"`
	IncludeValue bool   `json:"-" location:"querystring" locationName:"includeValue"`
}

// ListAPIKeysInput is GetApiKeys' input.
type ListAPIKeysInput struct {
	Position      string `json:"-" location:"querystring" locationName:"position"`
	Limit         int    `json:"-" location:"querystring" locationName:"limit"`
	NameQuery     string `json:"-" location:"querystring" locationName:"name"`
	CustomerID    string `json:"-" location:"querystring" locationName:"customerId"`
	IncludeValues bool   `json:"-" location:"querystring" locationName:"includeValues"`
}

// APIKeys is GetApiKeys' output.
type APIKeys struct {
	Items    []APIKey `json:"item"`
	Position string   `json:"position,omitempty"`
}

// CreateUsagePlanInput is CreateUsagePlan's input.
type CreateUsagePlanInput struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	APIStages   []APIStage        `json:"apiStages"`
	Throttle    *ThrottleSettings `json:"throttle"`
	Quota       *QuotaSettings    `json:"quota"`
	Tags        map[string]string `json:"tags"`
}

// UsagePlanRef names a usage plan.
type UsagePlanRef struct {
	UsagePlanID string `json:"-" location:"uri" locationName:"usageplanId"`
}

// ListUsagePlansInput is GetUsagePlans' input.
type ListUsagePlansInput struct {
	Position string `json:"-" location:"querystring" locationName:"position"`
	Limit    int    `json:"-" location:"querystring" locationName:"limit"`
	KeyID    string `json:"-" location:"querystring" locationName:"keyId"`
}

// UsagePlans is GetUsagePlans' output.
type UsagePlans struct {
	Items    []UsagePlan `json:"item"`
	Position string      `json:"position,omitempty"`
}

// CreateUsagePlanKeyInput is CreateUsagePlanKey's input.
type CreateUsagePlanKeyInput struct {
	UsagePlanID string `json:"-" location:"uri" locationName:"usageplanId"`
	KeyID       string `json:"keyId"`
	KeyType     string `json:"keyType"`
}

// UsagePlanKeyRef names a key of a usage plan.
type UsagePlanKeyRef struct {
	UsagePlanID string `json:"-" location:"uri" locationName:"usageplanId"`
	KeyID       string `json:"-" location:"uri" locationName:"keyId"`
}

// ListUsagePlanKeysInput is GetUsagePlanKeys' input.
type ListUsagePlanKeysInput struct {
	UsagePlanID string `json:"-" location:"uri" locationName:"usageplanId"`
	Position    string `json:"-" location:"querystring" locationName:"position"`
	Limit       int    `json:"-" location:"querystring" locationName:"limit"`
	NameQuery   string `json:"-" location:"querystring" locationName:"name"`
}

// UsagePlanKeys is GetUsagePlanKeys' output.
type UsagePlanKeys struct {
	Items    []UsagePlanKey `json:"item"`
	Position string         `json:"position,omitempty"`
}

// TestInvokeMethodInput is TestInvokeMethod's input.
type TestInvokeMethodInput struct {
	RestAPIID           string              `json:"-" location:"uri" locationName:"restapi_id"`
	ResourceID          string              `json:"-" location:"uri" locationName:"resource_id"`
	HTTPMethod          string              `json:"-" location:"uri" locationName:"http_method"`
	PathWithQueryString string              `json:"pathWithQueryString"`
	Body                string              `json:"body"`
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	ClientCertificateID string              `json:"clientCertificateId"`
	StageVariables      map[string]string   `json:"stageVariables"`
}

// TestInvokeMethodOutput is TestInvokeMethod's output.
type TestInvokeMethodOutput struct {
	Status            int                 `json:"status"`
	Body              string              `json:"body"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Log               string              `json:"log"`
	Latency           int64               `json:"latency"`
}
