package provision

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/apigw"
)

// GatewayAPI is the part of *apigw.Service the API Gateway providers call.
type GatewayAPI interface {
	CreateRestAPI(ctx context.Context, in *apigw.CreateRestAPIInput) (*apigw.RestAPI, error)
	UpdateRestAPI(ctx context.Context, in *apigw.UpdateRestAPIInput) (*apigw.RestAPI, error)
	DeleteRestAPI(ctx context.Context, in *apigw.RestAPIRef) (*apigw.Empty, error)
	CreateResource(ctx context.Context, in *apigw.CreateResourceInput) (*apigw.Resource, error)
	DeleteResource(ctx context.Context, in *apigw.ResourceRef) (*apigw.Empty, error)
	PutMethod(ctx context.Context, in *apigw.PutMethodInput) (*apigw.Method, error)
	DeleteMethod(ctx context.Context, in *apigw.MethodRef) (*apigw.Empty, error)
	PutIntegration(ctx context.Context, in *apigw.PutIntegrationInput) (*apigw.Integration, error)
	PutIntegrationResponse(ctx context.Context, in *apigw.PutIntegrationResponseInput) (*apigw.IntegrationResponse, error)
	PutMethodResponse(ctx context.Context, in *apigw.PutMethodResponseInput) (*apigw.MethodResponse, error)
	CreateModel(ctx context.Context, in *apigw.CreateModelInput) (*apigw.Model, error)
	DeleteModel(ctx context.Context, in *apigw.ModelRef) (*apigw.Empty, error)
	UpdateModel(ctx context.Context, in *apigw.UpdateModelInput) (*apigw.Model, error)
	CreateRequestValidator(ctx context.Context, in *apigw.CreateRequestValidatorInput) (*apigw.RequestValidator, error)
	DeleteRequestValidator(ctx context.Context, in *apigw.RequestValidatorRef) (*apigw.Empty, error)
	UpdateRequestValidator(ctx context.Context, in *apigw.UpdateRequestValidatorInput) (*apigw.RequestValidator, error)
	PutGatewayResponse(ctx context.Context, in *apigw.PutGatewayResponseInput) (*apigw.GatewayResponse, error)
	DeleteGatewayResponse(ctx context.Context, in *apigw.GatewayResponseRef) (*apigw.Empty, error)
	CreateDeployment(ctx context.Context, in *apigw.CreateDeploymentInput) (*apigw.Deployment, error)
	DeleteDeployment(ctx context.Context, in *apigw.DeploymentRef) (*apigw.Empty, error)
	CreateStage(ctx context.Context, in *apigw.CreateStageInput) (*apigw.Stage, error)
	UpdateStage(ctx context.Context, in *apigw.UpdateStageInput) (*apigw.Stage, error)
	DeleteStage(ctx context.Context, in *apigw.StageRef) (*apigw.Empty, error)
	CreateAPIKey(ctx context.Context, in *apigw.CreateAPIKeyInput) (*apigw.APIKey, error)
	UpdateAPIKey(ctx context.Context, in *apigw.UpdateAPIKeyInput) (*apigw.APIKey, error)
	DeleteAPIKey(ctx context.Context, in *apigw.APIKeyRef) (*apigw.Empty, error)
	CreateUsagePlan(ctx context.Context, in *apigw.CreateUsagePlanInput) (*apigw.UsagePlan, error)
	UpdateUsagePlan(ctx context.Context, in *apigw.UpdateUsagePlanInput) (*apigw.UsagePlan, error)
	DeleteUsagePlan(ctx context.Context, in *apigw.UsagePlanRef) (*apigw.Empty, error)
	CreateUsagePlanKey(ctx context.Context, in *apigw.CreateUsagePlanKeyInput) (*apigw.UsagePlanKey, error)
	DeleteUsagePlanKey(ctx context.Context, in *apigw.UsagePlanKeyRef) (*apigw.Empty, error)
}

const apiGatewayService = "ApiGateway"

// gwError words an API Gateway error for a stack event.
func gwError(err error) error { return apiMessage(apiGatewayService, err) }

// gone reports whether a delete found nothing to delete.
func gone(err error) bool { return err == nil || isCode(err, "NotFoundException") }

// ignoreUpdate is the Update of a type whose every property replaces it,
// or whose remaining properties have no in-place effect here.
func ignoreUpdate(req *Request) (Result, error) {
	return Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// noInPlaceUpdate refuses an update the service has no operation for,
// naming what would have changed, rather than pretending it happened.
func noInPlaceUpdate(req *Request, props ...string) (Result, error) {
	var diff []string
	for _, p := range props {
		if changed(req.OldProperties, req.Properties, p) {
			diff = append(diff, p)
		}
	}
	if len(diff) == 0 {
		return ignoreUpdate(req)
	}
	return Result{}, fmt.Errorf("localcloud cannot update %s of %s in place (no such API Gateway operation here); rename the resource's logical ID to replace it",
		strings.Join(diff, ", "), req.Type)
}

// ---------------------------------------------------------------- RestApi

func restAPISpec(api GatewayAPI) Spec {
	s := Spec{
		Type: "AWS::ApiGateway::RestApi",
		// Body/BodyS3Location (OpenAPI import), CloneFrom and Mode are
		// not modelled and so rejected.
		Properties: []string{"ApiKeySourceType", "BinaryMediaTypes", "Description", "DisableExecuteApiEndpoint",
			"EndpointConfiguration", "Name", "Policy", "Tags"},
		Attributes: []string{"RestApiId", "RootResourceId"},
	}
	if api != nil {
		s.Provider = restAPIProvider{api: api}
	}
	return s
}

type restAPIProvider struct{ api GatewayAPI }

func restAPIResult(a *apigw.RestAPI) Result {
	return Result{PhysicalID: a.ID, Attributes: map[string]any{"RestApiId": a.ID, "RootResourceId": a.RootResourceID}}
}

func (p restAPIProvider) Create(ctx context.Context, req *Request) (Result, error) {
	name := str(req.Properties, "Name")
	if name == "" {
		return Result{}, errors.New("Properties validation failed: #: required key [Name] not found (localcloud does not import OpenAPI bodies)")
	}
	in := &apigw.CreateRestAPIInput{Name: name, Description: str(req.Properties, "Description"),
		APIKeySource: str(req.Properties, "ApiKeySourceType"), BinaryMediaTypes: stringList(req.Properties["BinaryMediaTypes"])}
	if ec := object(req.Properties["EndpointConfiguration"]); ec != nil {
		if err := checkKeys(ec, "EndpointConfiguration", "Types", "VpcEndpointIds", "IpAddressType"); err != nil {
			return Result{}, err
		}
		in.EndpointConfiguration = &apigw.EndpointConfiguration{Types: stringList(ec["Types"]),
			VPCEndpointIDs: stringList(ec["VpcEndpointIds"]), IPAddressType: str(ec, "IpAddressType")}
	}
	if v, ok := req.Properties["Policy"]; ok {
		doc, err := scalarOrJSON(v)
		if err != nil {
			return Result{}, err
		}
		in.Policy = doc
	}
	disable, err := boolPtr(req.Properties, "DisableExecuteApiEndpoint")
	if err != nil {
		return Result{}, err
	}
	in.DisableExecuteAPIEndpoint = disable != nil && *disable
	if tags := req.Tags(); len(tags) > 0 {
		in.Tags = tags
	}
	a, err := p.api.CreateRestAPI(ctx, in)
	if err != nil {
		return Result{}, gwError(err)
	}
	return restAPIResult(a), nil
}

func (p restAPIProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if r, err := noInPlaceUpdate(req, "BinaryMediaTypes", "EndpointConfiguration", "Policy"); err != nil {
		return r, err
	}
	var ops []apigw.PatchOperation
	for prop, path := range map[string]string{"Name": "/name", "Description": "/description", "ApiKeySourceType": "/apiKeySource"} {
		if changed(req.OldProperties, req.Properties, prop) {
			ops = append(ops, apigw.PatchOperation{Op: "replace", Path: path, Value: str(req.Properties, prop)})
		}
	}
	if changed(req.OldProperties, req.Properties, "DisableExecuteApiEndpoint") {
		d, err := boolPtr(req.Properties, "DisableExecuteApiEndpoint")
		if err != nil {
			return Result{}, err
		}
		ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/disableExecuteApiEndpoint", Value: strconv.FormatBool(d != nil && *d)})
	}
	if len(ops) == 0 {
		return ignoreUpdate(req)
	}
	a, err := p.api.UpdateRestAPI(ctx, &apigw.UpdateRestAPIInput{RestAPIID: req.PhysicalID, PatchOperations: ops})
	if err != nil {
		return Result{}, gwError(err)
	}
	return restAPIResult(a), nil
}

func (p restAPIProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteRestAPI(ctx, &apigw.RestAPIRef{RestAPIID: req.PhysicalID}); !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- Resource

func gwResourceSpec(api GatewayAPI) Spec {
	s := Spec{
		Type:        "AWS::ApiGateway::Resource",
		Properties:  []string{"ParentId", "PathPart", "RestApiId"},
		Replacement: []string{"ParentId", "PathPart", "RestApiId"},
		Attributes:  []string{"ResourceId"},
	}
	if api != nil {
		s.Provider = gwResourceProvider{api: api}
	}
	return s
}

type gwResourceProvider struct{ api GatewayAPI }

func (p gwResourceProvider) Create(ctx context.Context, req *Request) (Result, error) {
	r, err := p.api.CreateResource(ctx, &apigw.CreateResourceInput{RestAPIID: str(req.Properties, "RestApiId"),
		ParentID: str(req.Properties, "ParentId"), PathPart: str(req.Properties, "PathPart")})
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: r.ID, Attributes: map[string]any{"ResourceId": r.ID}}, nil
}

func (p gwResourceProvider) Update(_ context.Context, req *Request) (Result, error) {
	return ignoreUpdate(req)
}

func (p gwResourceProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteResource(ctx, &apigw.ResourceRef{RestAPIID: str(req.OldProperties, "RestApiId"), ResourceID: req.PhysicalID}); !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- Method

func methodSpec(api GatewayAPI) Spec {
	s := Spec{
		Type: "AWS::ApiGateway::Method",
		Properties: []string{"ApiKeyRequired", "AuthorizationScopes", "AuthorizationType", "AuthorizerId", "HttpMethod", "Integration",
			"MethodResponses", "OperationName", "RequestModels", "RequestParameters", "RequestValidatorId", "ResourceId", "RestApiId"},
		Replacement: []string{"HttpMethod", "ResourceId", "RestApiId"},
	}
	if api != nil {
		s.Provider = methodProvider{api: api}
	}
	return s
}

type methodProvider struct{ api GatewayAPI }

func (p methodProvider) put(ctx context.Context, props map[string]any) error {
	ref := apigw.MethodRef{RestAPIID: str(props, "RestApiId"), ResourceID: str(props, "ResourceId"), HTTPMethod: strings.ToUpper(str(props, "HttpMethod"))}
	apiKey, err := boolPtr(props, "ApiKeyRequired")
	if err != nil {
		return err
	}
	params, err := boolMap(props["RequestParameters"], "RequestParameters")
	if err != nil {
		return err
	}
	models, err := stringMap(props["RequestModels"], "RequestModels")
	if err != nil {
		return err
	}
	auth := str(props, "AuthorizationType")
	if auth == "" {
		auth = "NONE"
	}
	if _, err := p.api.PutMethod(ctx, &apigw.PutMethodInput{RestAPIID: ref.RestAPIID, ResourceID: ref.ResourceID, HTTPMethod: ref.HTTPMethod,
		AuthorizationType: auth, AuthorizerID: str(props, "AuthorizerId"), APIKeyRequired: apiKey != nil && *apiKey,
		OperationName: str(props, "OperationName"), RequestParameters: params, RequestModels: models,
		RequestValidatorID: str(props, "RequestValidatorId"), AuthorizationScopes: stringList(props["AuthorizationScopes"])}); err != nil {
		return gwError(err)
	}
	responses, err := objectList(props["MethodResponses"], "MethodResponses")
	if err != nil {
		return err
	}
	for _, mr := range responses {
		if err := checkKeys(mr, "MethodResponses", "StatusCode", "ResponseModels", "ResponseParameters"); err != nil {
			return err
		}
		rp, err := boolMap(mr["ResponseParameters"], "MethodResponses.ResponseParameters")
		if err != nil {
			return err
		}
		rm, err := stringMap(mr["ResponseModels"], "MethodResponses.ResponseModels")
		if err != nil {
			return err
		}
		if _, err := p.api.PutMethodResponse(ctx, &apigw.PutMethodResponseInput{RestAPIID: ref.RestAPIID, ResourceID: ref.ResourceID,
			HTTPMethod: ref.HTTPMethod, StatusCode: str(mr, "StatusCode"), ResponseParameters: rp, ResponseModels: rm}); err != nil {
			return gwError(err)
		}
	}
	if v, ok := props["Integration"]; ok {
		return p.integration(ctx, ref, object(v))
	}
	return nil
}

func (p methodProvider) integration(ctx context.Context, ref apigw.MethodRef, in map[string]any) error {
	if err := checkKeys(in, "Integration", "CacheKeyParameters", "CacheNamespace", "ConnectionId", "ConnectionType", "ContentHandling",
		"Credentials", "IntegrationHttpMethod", "IntegrationResponses", "PassthroughBehavior", "RequestParameters", "RequestTemplates",
		"TimeoutInMillis", "Type", "Uri"); err != nil {
		return err
	}
	params, err := stringMap(in["RequestParameters"], "Integration.RequestParameters")
	if err != nil {
		return err
	}
	templates, err := stringMap(in["RequestTemplates"], "Integration.RequestTemplates")
	if err != nil {
		return err
	}
	timeout, err := intPtr(in, "TimeoutInMillis")
	if err != nil {
		return err
	}
	pi := &apigw.PutIntegrationInput{RestAPIID: ref.RestAPIID, ResourceID: ref.ResourceID, HTTPMethod: ref.HTTPMethod,
		Type: str(in, "Type"), IntegrationHTTPMethod: str(in, "IntegrationHttpMethod"), URI: str(in, "Uri"),
		ConnectionType: str(in, "ConnectionType"), ConnectionID: str(in, "ConnectionId"), Credentials: str(in, "Credentials"),
		RequestParameters: params, RequestTemplates: templates, PassthroughBehavior: str(in, "PassthroughBehavior"),
		CacheNamespace: str(in, "CacheNamespace"), CacheKeyParameters: stringList(in["CacheKeyParameters"]),
		ContentHandling: str(in, "ContentHandling")}
	if timeout != nil {
		pi.TimeoutInMillis = *timeout
	}
	if _, err := p.api.PutIntegration(ctx, pi); err != nil {
		return gwError(err)
	}
	responses, err := objectList(in["IntegrationResponses"], "Integration.IntegrationResponses")
	if err != nil {
		return err
	}
	for _, ir := range responses {
		if err := checkKeys(ir, "Integration.IntegrationResponses", "ContentHandling", "ResponseParameters", "ResponseTemplates",
			"SelectionPattern", "StatusCode"); err != nil {
			return err
		}
		rp, err := stringMap(ir["ResponseParameters"], "IntegrationResponses.ResponseParameters")
		if err != nil {
			return err
		}
		rt, err := stringMap(ir["ResponseTemplates"], "IntegrationResponses.ResponseTemplates")
		if err != nil {
			return err
		}
		if _, err := p.api.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestAPIID: ref.RestAPIID, ResourceID: ref.ResourceID,
			HTTPMethod: ref.HTTPMethod, StatusCode: str(ir, "StatusCode"), SelectionPattern: str(ir, "SelectionPattern"),
			ResponseParameters: rp, ResponseTemplates: rt, ContentHandling: str(ir, "ContentHandling")}); err != nil {
			return gwError(err)
		}
	}
	return nil
}

// methodID is the method's physical ID, which carries what Delete needs.
func methodID(props map[string]any) string {
	return str(props, "RestApiId") + "|" + str(props, "ResourceId") + "|" + strings.ToUpper(str(props, "HttpMethod"))
}

func (p methodProvider) delete(ctx context.Context, props map[string]any) error {
	_, err := p.api.DeleteMethod(ctx, &apigw.MethodRef{RestAPIID: str(props, "RestApiId"), ResourceID: str(props, "ResourceId"),
		HTTPMethod: strings.ToUpper(str(props, "HttpMethod"))})
	if !gone(err) {
		return gwError(err)
	}
	return nil
}

func (p methodProvider) Create(ctx context.Context, req *Request) (Result, error) {
	if err := p.put(ctx, req.Properties); err != nil {
		_ = p.delete(ctx, req.Properties)
		return Result{}, err
	}
	return Result{PhysicalID: methodID(req.Properties)}, nil
}

// Update puts the method again from scratch: CloudFormation's method
// handler replaces the method's integration and responses as a whole.
func (p methodProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if err := p.delete(ctx, req.OldProperties); err != nil {
		return Result{}, err
	}
	if err := p.put(ctx, req.Properties); err != nil {
		return Result{}, err
	}
	return Result{PhysicalID: req.PhysicalID}, nil
}

func (p methodProvider) Delete(ctx context.Context, req *Request) error {
	return p.delete(ctx, req.OldProperties)
}

// ---------------------------------------------------------------- Model

func modelSpec(api GatewayAPI) Spec {
	s := Spec{
		Type: "AWS::ApiGateway::Model", NameProperty: "Name",
		Properties:  []string{"ContentType", "Description", "Name", "RestApiId", "Schema"},
		Replacement: []string{"ContentType", "Name", "RestApiId"},
	}
	if api != nil {
		s.Provider = modelProvider{api: api}
	}
	return s
}

type modelProvider struct{ api GatewayAPI }

func (p modelProvider) Create(ctx context.Context, req *Request) (Result, error) {
	name := str(req.Properties, "Name")
	if name == "" {
		// Model names are alphanumeric.
		name = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, PhysicalName(req, 128))
	}
	schema := ""
	if v, ok := req.Properties["Schema"]; ok {
		var err error
		if schema, err = scalarOrJSON(v); err != nil {
			return Result{}, err
		}
	}
	ct := str(req.Properties, "ContentType")
	if ct == "" {
		ct = "application/json"
	}
	m, err := p.api.CreateModel(ctx, &apigw.CreateModelInput{RestAPIID: str(req.Properties, "RestApiId"), Name: name,
		Description: str(req.Properties, "Description"), Schema: schema, ContentType: ct})
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: m.Name}, nil
}

func (p modelProvider) Update(ctx context.Context, req *Request) (Result, error) {
	var ops []apigw.PatchOperation
	if changed(req.OldProperties, req.Properties, "Description") {
		ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/description", Value: str(req.Properties, "Description")})
	}
	if changed(req.OldProperties, req.Properties, "Schema") {
		schema := ""
		if v, ok := req.Properties["Schema"]; ok {
			var err error
			if schema, err = scalarOrJSON(v); err != nil {
				return Result{}, err
			}
		}
		ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/schema", Value: schema})
	}
	if len(ops) == 0 {
		return ignoreUpdate(req)
	}
	if _, err := p.api.UpdateModel(ctx, &apigw.UpdateModelInput{RestAPIID: str(req.Properties, "RestApiId"), ModelName: req.PhysicalID, PatchOperations: ops}); err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: req.PhysicalID}, nil
}

func (p modelProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteModel(ctx, &apigw.ModelRef{RestAPIID: str(req.OldProperties, "RestApiId"), ModelName: req.PhysicalID}); !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- RequestValidator

func validatorSpec(api GatewayAPI) Spec {
	s := Spec{
		Type: "AWS::ApiGateway::RequestValidator", NameProperty: "Name",
		Properties:  []string{"Name", "RestApiId", "ValidateRequestBody", "ValidateRequestParameters"},
		Replacement: []string{"Name", "RestApiId"},
		Attributes:  []string{"RequestValidatorId"},
	}
	if api != nil {
		s.Provider = validatorProvider{api: api}
	}
	return s
}

type validatorProvider struct{ api GatewayAPI }

func (p validatorProvider) Create(ctx context.Context, req *Request) (Result, error) {
	body, err := boolPtr(req.Properties, "ValidateRequestBody")
	if err != nil {
		return Result{}, err
	}
	params, err := boolPtr(req.Properties, "ValidateRequestParameters")
	if err != nil {
		return Result{}, err
	}
	name := str(req.Properties, "Name")
	if name == "" {
		name = PhysicalName(req, 255)
	}
	v, err := p.api.CreateRequestValidator(ctx, &apigw.CreateRequestValidatorInput{RestAPIID: str(req.Properties, "RestApiId"), Name: name,
		ValidateRequestBody: body != nil && *body, ValidateRequestParameters: params != nil && *params})
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: v.ID, Attributes: map[string]any{"RequestValidatorId": v.ID}}, nil
}

func (p validatorProvider) Update(ctx context.Context, req *Request) (Result, error) {
	var ops []apigw.PatchOperation
	for prop, path := range map[string]string{"ValidateRequestBody": "/validateRequestBody", "ValidateRequestParameters": "/validateRequestParameters"} {
		if !changed(req.OldProperties, req.Properties, prop) {
			continue
		}
		b, err := boolPtr(req.Properties, prop)
		if err != nil {
			return Result{}, err
		}
		ops = append(ops, apigw.PatchOperation{Op: "replace", Path: path, Value: strconv.FormatBool(b != nil && *b)})
	}
	if len(ops) == 0 {
		return ignoreUpdate(req)
	}
	v, err := p.api.UpdateRequestValidator(ctx, &apigw.UpdateRequestValidatorInput{RestAPIID: str(req.Properties, "RestApiId"),
		RequestValidatorID: req.PhysicalID, PatchOperations: ops})
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: v.ID, Attributes: map[string]any{"RequestValidatorId": v.ID}}, nil
}

func (p validatorProvider) Delete(ctx context.Context, req *Request) error {
	_, err := p.api.DeleteRequestValidator(ctx, &apigw.RequestValidatorRef{RestAPIID: str(req.OldProperties, "RestApiId"), RequestValidatorID: req.PhysicalID})
	if !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- GatewayResponse

func gatewayResponseSpec(api GatewayAPI) Spec {
	s := Spec{
		Type:        "AWS::ApiGateway::GatewayResponse",
		Properties:  []string{"ResponseParameters", "ResponseTemplates", "ResponseType", "RestApiId", "StatusCode"},
		Replacement: []string{"ResponseType", "RestApiId"},
		Attributes:  []string{"Id"},
	}
	if api != nil {
		s.Provider = gatewayResponseProvider{api: api}
	}
	return s
}

type gatewayResponseProvider struct{ api GatewayAPI }

func (p gatewayResponseProvider) put(ctx context.Context, props map[string]any) error {
	params, err := stringMap(props["ResponseParameters"], "ResponseParameters")
	if err != nil {
		return err
	}
	templates, err := stringMap(props["ResponseTemplates"], "ResponseTemplates")
	if err != nil {
		return err
	}
	if _, err := p.api.PutGatewayResponse(ctx, &apigw.PutGatewayResponseInput{RestAPIID: str(props, "RestApiId"),
		ResponseType: str(props, "ResponseType"), StatusCode: str(props, "StatusCode"), ResponseParameters: params,
		ResponseTemplates: templates}); err != nil {
		return gwError(err)
	}
	return nil
}

func (p gatewayResponseProvider) Create(ctx context.Context, req *Request) (Result, error) {
	if err := p.put(ctx, req.Properties); err != nil {
		return Result{}, err
	}
	id := PhysicalName(req, 128)
	return Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

// Update puts the response again: PutGatewayResponse replaces it whole.
func (p gatewayResponseProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if err := p.put(ctx, req.Properties); err != nil {
		return Result{}, err
	}
	return ignoreUpdate(req)
}

func (p gatewayResponseProvider) Delete(ctx context.Context, req *Request) error {
	_, err := p.api.DeleteGatewayResponse(ctx, &apigw.GatewayResponseRef{RestAPIID: str(req.OldProperties, "RestApiId"),
		ResponseType: str(req.OldProperties, "ResponseType")})
	if !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- Deployment

func deploymentSpec(api GatewayAPI) Spec {
	s := Spec{
		Type: "AWS::ApiGateway::Deployment",
		// StageDescription (a stage's full settings) and canaries are not
		// modelled; declare an AWS::ApiGateway::Stage instead.
		Properties:  []string{"Description", "RestApiId", "StageName"},
		Replacement: []string{"RestApiId"},
		Attributes:  []string{"DeploymentId"},
	}
	if api != nil {
		s.Provider = deploymentProvider{api: api}
	}
	return s
}

type deploymentProvider struct{ api GatewayAPI }

func (p deploymentProvider) Create(ctx context.Context, req *Request) (Result, error) {
	d, err := p.api.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestAPIID: str(req.Properties, "RestApiId"),
		StageName: str(req.Properties, "StageName"), Description: str(req.Properties, "Description")})
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: d.ID, Attributes: map[string]any{"DeploymentId": d.ID}}, nil
}

// Update does not redeploy: as in CloudFormation, a Deployment snapshots
// the API only when it is created (rename it to deploy again).
func (p deploymentProvider) Update(_ context.Context, req *Request) (Result, error) {
	return noInPlaceUpdate(req, "StageName", "Description")
}

func (p deploymentProvider) Delete(ctx context.Context, req *Request) error {
	_, err := p.api.DeleteDeployment(ctx, &apigw.DeploymentRef{RestAPIID: str(req.OldProperties, "RestApiId"), DeploymentID: req.PhysicalID})
	if !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- Stage

func stageSpec(api GatewayAPI) Spec {
	s := Spec{
		Type: "AWS::ApiGateway::Stage", NameProperty: "StageName",
		// Caching, canaries, client certificates and documentation
		// versions are not modelled.
		Properties: []string{"AccessLogSetting", "DeploymentId", "Description", "MethodSettings", "RestApiId", "StageName", "Tags",
			"TracingEnabled", "Variables"},
		Replacement: []string{"RestApiId", "StageName"},
	}
	if api != nil {
		s.Provider = stageProvider{api: api}
	}
	return s
}

type stageProvider struct{ api GatewayAPI }

// settingPatches turns AccessLogSetting and MethodSettings into UpdateStage
// operations.
func settingPatches(props map[string]any) ([]apigw.PatchOperation, error) {
	var ops []apigw.PatchOperation
	if al := object(props["AccessLogSetting"]); al != nil {
		if err := checkKeys(al, "AccessLogSetting", "DestinationArn", "Format"); err != nil {
			return nil, err
		}
		ops = append(ops, apigw.AccessLogPatches(apigw.AccessLogSettings{DestinationARN: str(al, "DestinationArn"), Format: str(al, "Format")})...)
	}
	settings, err := objectList(props["MethodSettings"], "MethodSettings")
	if err != nil {
		return nil, err
	}
	for _, m := range settings {
		if err := checkKeys(m, "MethodSettings", "CacheDataEncrypted", "CacheTtlInSeconds", "CachingEnabled", "DataTraceEnabled",
			"HttpMethod", "LoggingLevel", "MetricsEnabled", "ResourcePath", "ThrottlingBurstLimit", "ThrottlingRateLimit"); err != nil {
			return nil, err
		}
		ms := apigw.MethodSetting{LoggingLevel: str(m, "LoggingLevel"), ThrottlingBurstLimit: -1, ThrottlingRateLimit: -1}
		for key, dst := range map[string]*bool{"MetricsEnabled": &ms.MetricsEnabled, "DataTraceEnabled": &ms.DataTraceEnabled,
			"CachingEnabled": &ms.CachingEnabled, "CacheDataEncrypted": &ms.CacheDataEncrypted} {
			b, err := boolPtr(m, key)
			if err != nil {
				return nil, err
			}
			*dst = b != nil && *b
		}
		burst, err := intPtr(m, "ThrottlingBurstLimit")
		if err != nil {
			return nil, err
		}
		if burst != nil {
			ms.ThrottlingBurstLimit = *burst
		}
		rate, err := floatPtr(m, "ThrottlingRateLimit")
		if err != nil {
			return nil, err
		}
		if rate != nil {
			ms.ThrottlingRateLimit = *rate
		}
		ops = append(ops, apigw.MethodSettingPatches(apigw.MethodSettingKey(str(m, "ResourcePath"), str(m, "HttpMethod")), ms)...)
	}
	return ops, nil
}

func (p stageProvider) Create(ctx context.Context, req *Request) (Result, error) {
	vars, err := stringMap(req.Properties["Variables"], "Variables")
	if err != nil {
		return Result{}, err
	}
	tracing, err := boolPtr(req.Properties, "TracingEnabled")
	if err != nil {
		return Result{}, err
	}
	ops, err := settingPatches(req.Properties)
	if err != nil {
		return Result{}, err
	}
	name := str(req.Properties, "StageName")
	if name == "" {
		return Result{}, errors.New("Properties validation failed: #: required key [StageName] not found")
	}
	apiID := str(req.Properties, "RestApiId")
	in := &apigw.CreateStageInput{RestAPIID: apiID, StageName: name, DeploymentID: str(req.Properties, "DeploymentId"),
		Description: str(req.Properties, "Description"), Variables: vars, TracingEnabled: tracing != nil && *tracing}
	if tags := req.Tags(); len(tags) > 0 {
		in.Tags = tags
	}
	if _, err := p.api.CreateStage(ctx, in); err != nil {
		return Result{}, gwError(err)
	}
	if len(ops) > 0 {
		if _, err := p.api.UpdateStage(ctx, &apigw.UpdateStageInput{RestAPIID: apiID, StageName: name, PatchOperations: ops}); err != nil {
			_, _ = p.api.DeleteStage(ctx, &apigw.StageRef{RestAPIID: apiID, StageName: name})
			return Result{}, gwError(err)
		}
	}
	return Result{PhysicalID: name}, nil
}

func (p stageProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if r, err := noInPlaceUpdate(req, "Tags"); err != nil {
		return r, err
	}
	// Method settings and the access log setting are reset and set
	// again, so that what the template no longer says goes away.
	var ops []apigw.PatchOperation
	oldSettings, err := objectList(req.OldProperties["MethodSettings"], "MethodSettings")
	if err != nil {
		return Result{}, err
	}
	for _, m := range oldSettings {
		ops = append(ops, apigw.PatchOperation{Op: "remove", Path: "/" + apigw.MethodSettingKey(str(m, "ResourcePath"), str(m, "HttpMethod"))})
	}
	if req.OldProperties["AccessLogSetting"] != nil && req.Properties["AccessLogSetting"] == nil {
		ops = append(ops, apigw.PatchOperation{Op: "remove", Path: "/accessLogSettings"})
	}
	set, err := settingPatches(req.Properties)
	if err != nil {
		return Result{}, err
	}
	ops = append(ops, set...)
	ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/deploymentId", Value: str(req.Properties, "DeploymentId")},
		apigw.PatchOperation{Op: "replace", Path: "/description", Value: str(req.Properties, "Description")})
	tracing, err := boolPtr(req.Properties, "TracingEnabled")
	if err != nil {
		return Result{}, err
	}
	ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/tracingEnabled", Value: strconv.FormatBool(tracing != nil && *tracing)})
	vars, err := stringMap(req.Properties["Variables"], "Variables")
	if err != nil {
		return Result{}, err
	}
	old, err := stringMap(req.OldProperties["Variables"], "Variables")
	if err != nil {
		return Result{}, err
	}
	for _, k := range sortedKeys(old) {
		if _, ok := vars[k]; !ok {
			ops = append(ops, apigw.PatchOperation{Op: "remove", Path: "/variables/" + k})
		}
	}
	for _, k := range sortedKeys(vars) {
		ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/variables/" + k, Value: vars[k]})
	}
	if _, err := p.api.UpdateStage(ctx, &apigw.UpdateStageInput{RestAPIID: str(req.Properties, "RestApiId"), StageName: req.PhysicalID,
		PatchOperations: ops}); err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: req.PhysicalID}, nil
}

func (p stageProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteStage(ctx, &apigw.StageRef{RestAPIID: str(req.OldProperties, "RestApiId"), StageName: req.PhysicalID}); !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- ApiKey

func apiKeySpec(api GatewayAPI) Spec {
	s := Spec{
		Type: "AWS::ApiGateway::ApiKey", NameProperty: "Name",
		Properties:  []string{"CustomerId", "Description", "Enabled", "GenerateDistinctId", "Name", "Tags", "Value"},
		Replacement: []string{"GenerateDistinctId", "Name", "Value"},
		Attributes:  []string{"APIKeyId"},
	}
	if api != nil {
		s.Provider = apiKeyProvider{api: api}
	}
	return s
}

type apiKeyProvider struct{ api GatewayAPI }

func (p apiKeyProvider) Create(ctx context.Context, req *Request) (Result, error) {
	enabled, err := boolPtr(req.Properties, "Enabled")
	if err != nil {
		return Result{}, err
	}
	distinct, err := boolPtr(req.Properties, "GenerateDistinctId")
	if err != nil {
		return Result{}, err
	}
	name := str(req.Properties, "Name")
	if name == "" {
		name = PhysicalName(req, 1024)
	}
	in := &apigw.CreateAPIKeyInput{Name: name, Description: str(req.Properties, "Description"), Enabled: enabled != nil && *enabled,
		GenerateDistinctID: distinct != nil && *distinct, Value: str(req.Properties, "Value"), CustomerID: str(req.Properties, "CustomerId")}
	if tags := req.Tags(); len(tags) > 0 {
		in.Tags = tags
	}
	k, err := p.api.CreateAPIKey(ctx, in)
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: k.ID, Attributes: map[string]any{"APIKeyId": k.ID}}, nil
}

func (p apiKeyProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if r, err := noInPlaceUpdate(req, "Tags"); err != nil {
		return r, err
	}
	var ops []apigw.PatchOperation
	for prop, path := range map[string]string{"Description": "/description", "CustomerId": "/customerId"} {
		if changed(req.OldProperties, req.Properties, prop) {
			ops = append(ops, apigw.PatchOperation{Op: "replace", Path: path, Value: str(req.Properties, prop)})
		}
	}
	if changed(req.OldProperties, req.Properties, "Enabled") {
		e, err := boolPtr(req.Properties, "Enabled")
		if err != nil {
			return Result{}, err
		}
		ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/enabled", Value: strconv.FormatBool(e != nil && *e)})
	}
	if len(ops) > 0 {
		if _, err := p.api.UpdateAPIKey(ctx, &apigw.UpdateAPIKeyInput{APIKey: req.PhysicalID, PatchOperations: ops}); err != nil {
			return Result{}, gwError(err)
		}
	}
	return ignoreUpdate(req)
}

func (p apiKeyProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteAPIKey(ctx, &apigw.APIKeyRef{APIKey: req.PhysicalID}); !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- UsagePlan

func usagePlanSpec(api GatewayAPI) Spec {
	s := Spec{
		Type:       "AWS::ApiGateway::UsagePlan",
		Properties: []string{"ApiStages", "Description", "Quota", "Tags", "Throttle", "UsagePlanName"},
		Attributes: []string{"Id"},
	}
	if api != nil {
		s.Provider = usagePlanProvider{api: api}
	}
	return s
}

type usagePlanProvider struct{ api GatewayAPI }

func throttle(v any, name string) (*apigw.ThrottleSettings, error) {
	m := object(v)
	if m == nil {
		return nil, nil
	}
	if err := checkKeys(m, name, "BurstLimit", "RateLimit"); err != nil {
		return nil, err
	}
	t := &apigw.ThrottleSettings{}
	burst, err := intPtr(m, "BurstLimit")
	if err != nil {
		return nil, err
	}
	if burst != nil {
		t.BurstLimit = *burst
	}
	rate, err := floatPtr(m, "RateLimit")
	if err != nil {
		return nil, err
	}
	if rate != nil {
		t.RateLimit = *rate
	}
	return t, nil
}

func quota(v any) (*apigw.QuotaSettings, error) {
	m := object(v)
	if m == nil {
		return nil, nil
	}
	if err := checkKeys(m, "Quota", "Limit", "Offset", "Period"); err != nil {
		return nil, err
	}
	q := &apigw.QuotaSettings{Period: str(m, "Period")}
	for key, dst := range map[string]*int{"Limit": &q.Limit, "Offset": &q.Offset} {
		n, err := intPtr(m, key)
		if err != nil {
			return nil, err
		}
		if n != nil {
			*dst = *n
		}
	}
	return q, nil
}

func apiStages(v any) ([]apigw.APIStage, error) {
	list, err := objectList(v, "ApiStages")
	if err != nil {
		return nil, err
	}
	out := make([]apigw.APIStage, 0, len(list))
	for _, st := range list {
		if err := checkKeys(st, "ApiStages", "ApiId", "Stage", "Throttle"); err != nil {
			return nil, err
		}
		as := apigw.APIStage{APIID: str(st, "ApiId"), Stage: str(st, "Stage")}
		if th := object(st["Throttle"]); th != nil {
			as.Throttle = map[string]*apigw.ThrottleSettings{}
			for k, tv := range th {
				t, err := throttle(tv, "ApiStages.Throttle")
				if err != nil {
					return nil, err
				}
				as.Throttle[k] = t
			}
		}
		out = append(out, as)
	}
	return out, nil
}

func (p usagePlanProvider) Create(ctx context.Context, req *Request) (Result, error) {
	stages, err := apiStages(req.Properties["ApiStages"])
	if err != nil {
		return Result{}, err
	}
	th, err := throttle(req.Properties["Throttle"], "Throttle")
	if err != nil {
		return Result{}, err
	}
	q, err := quota(req.Properties["Quota"])
	if err != nil {
		return Result{}, err
	}
	name := str(req.Properties, "UsagePlanName")
	if name == "" {
		name = PhysicalName(req, 255)
	}
	in := &apigw.CreateUsagePlanInput{Name: name, Description: str(req.Properties, "Description"), APIStages: stages, Throttle: th, Quota: q}
	if tags := req.Tags(); len(tags) > 0 {
		in.Tags = tags
	}
	u, err := p.api.CreateUsagePlan(ctx, in)
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: u.ID, Attributes: map[string]any{"Id": u.ID}}, nil
}

func (p usagePlanProvider) Update(ctx context.Context, req *Request) (Result, error) {
	if r, err := noInPlaceUpdate(req, "Tags"); err != nil {
		return r, err
	}
	var ops []apigw.PatchOperation
	for prop, path := range map[string]string{"Description": "/description", "UsagePlanName": "/name"} {
		if changed(req.OldProperties, req.Properties, prop) {
			ops = append(ops, apigw.PatchOperation{Op: "replace", Path: path, Value: str(req.Properties, prop)})
		}
	}
	if changed(req.OldProperties, req.Properties, "Throttle") {
		th, err := throttle(req.Properties["Throttle"], "Throttle")
		if err != nil {
			return Result{}, err
		}
		if th == nil {
			ops = append(ops, apigw.PatchOperation{Op: "remove", Path: "/throttle"})
		} else {
			ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/throttle/rateLimit", Value: strconv.FormatFloat(th.RateLimit, 'f', -1, 64)},
				apigw.PatchOperation{Op: "replace", Path: "/throttle/burstLimit", Value: strconv.Itoa(th.BurstLimit)})
		}
	}
	if changed(req.OldProperties, req.Properties, "Quota") {
		q, err := quota(req.Properties["Quota"])
		if err != nil {
			return Result{}, err
		}
		if q == nil {
			ops = append(ops, apigw.PatchOperation{Op: "remove", Path: "/quota"})
		} else {
			ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/quota/limit", Value: strconv.Itoa(q.Limit)},
				apigw.PatchOperation{Op: "replace", Path: "/quota/offset", Value: strconv.Itoa(q.Offset)})
			if q.Period != "" {
				ops = append(ops, apigw.PatchOperation{Op: "replace", Path: "/quota/period", Value: q.Period})
			}
		}
	}
	if changed(req.OldProperties, req.Properties, "ApiStages") {
		oldStages, err := apiStages(req.OldProperties["ApiStages"])
		if err != nil {
			return Result{}, err
		}
		newStages, err := apiStages(req.Properties["ApiStages"])
		if err != nil {
			return Result{}, err
		}
		for _, s := range oldStages {
			ops = append(ops, apigw.PatchOperation{Op: "remove", Path: "/apiStages", Value: s.APIID + ":" + s.Stage})
		}
		for _, s := range newStages {
			ops = append(ops, apigw.PatchOperation{Op: "add", Path: "/apiStages", Value: s.APIID + ":" + s.Stage})
		}
	}
	if len(ops) > 0 {
		if _, err := p.api.UpdateUsagePlan(ctx, &apigw.UpdateUsagePlanInput{UsagePlanID: req.PhysicalID, PatchOperations: ops}); err != nil {
			return Result{}, gwError(err)
		}
	}
	return ignoreUpdate(req)
}

func (p usagePlanProvider) Delete(ctx context.Context, req *Request) error {
	if _, err := p.api.DeleteUsagePlan(ctx, &apigw.UsagePlanRef{UsagePlanID: req.PhysicalID}); !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- UsagePlanKey

func usagePlanKeySpec(api GatewayAPI) Spec {
	s := Spec{
		Type:        "AWS::ApiGateway::UsagePlanKey",
		Properties:  []string{"KeyId", "KeyType", "UsagePlanId"},
		Replacement: []string{"KeyId", "KeyType", "UsagePlanId"},
		Attributes:  []string{"Id"},
	}
	if api != nil {
		s.Provider = usagePlanKeyProvider{api: api}
	}
	return s
}

type usagePlanKeyProvider struct{ api GatewayAPI }

func (p usagePlanKeyProvider) Create(ctx context.Context, req *Request) (Result, error) {
	k, err := p.api.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanID: str(req.Properties, "UsagePlanId"),
		KeyID: str(req.Properties, "KeyId"), KeyType: str(req.Properties, "KeyType")})
	if err != nil {
		return Result{}, gwError(err)
	}
	return Result{PhysicalID: k.ID, Attributes: map[string]any{"Id": k.ID}}, nil
}

func (p usagePlanKeyProvider) Update(_ context.Context, req *Request) (Result, error) {
	return ignoreUpdate(req)
}

func (p usagePlanKeyProvider) Delete(ctx context.Context, req *Request) error {
	_, err := p.api.DeleteUsagePlanKey(ctx, &apigw.UsagePlanKeyRef{UsagePlanID: str(req.OldProperties, "UsagePlanId"), KeyID: req.PhysicalID})
	if !gone(err) {
		return gwError(err)
	}
	return nil
}

// ---------------------------------------------------------------- Account

func accountSpec(enabled bool) Spec {
	s := Spec{Type: "AWS::ApiGateway::Account", Properties: []string{"CloudWatchRoleArn"}, Attributes: []string{"Id"}}
	if enabled {
		s.Provider = accountProvider{}
	}
	return s
}

// accountProvider keeps the region's API Gateway CloudWatch role as the
// resource's state: localcloud's API Gateway writes access logs itself
// and assumes no role for it, so the ARN is recorded, not used.
type accountProvider struct{}

func (accountProvider) Create(_ context.Context, req *Request) (Result, error) {
	arn := str(req.Properties, "CloudWatchRoleArn")
	if arn != "" && !strings.HasPrefix(arn, "arn:") {
		return Result{}, fmt.Errorf("The role ARN is not well formed: %s", arn)
	}
	id := PhysicalName(req, 128)
	return Result{PhysicalID: id, Attributes: map[string]any{"Id": id, "CloudWatchRoleArn": arn}}, nil
}

func (p accountProvider) Update(ctx context.Context, req *Request) (Result, error) {
	r, err := p.Create(ctx, req)
	if err != nil {
		return r, err
	}
	r.PhysicalID = req.PhysicalID
	r.Attributes["Id"] = req.PhysicalID
	return r, nil
}

func (accountProvider) Delete(context.Context, *Request) error { return nil }
