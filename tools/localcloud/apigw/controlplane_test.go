package apigw_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

func asError[T error](err error, target *T) bool { return errors.As(err, target) }

// wantAPIError checks err is the modelled error code with a message
// containing msg.
func wantAPIError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s: got %v, want %s containing %q", what, err, code, msg)
	}
}

// mockAPI creates an API with GET /pets/{id} answered by a MOCK integration
// whose response template echoes the path parameter and a stage variable.
func mockAPI(t *testing.T, gw *apigateway.Client, template string) (apiID, resourceID string) {
	t.Helper()
	ctx := context.Background()
	api := try(gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})).get(t)
	pets := try(gw.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})).get(t)
	pet := try(gw.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: pets.Id, PathPart: aws.String("{id}")})).get(t)
	try(gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})).get(t)
	try(gw.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})).get(t)
	try(gw.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})).get(t)
	try(gw.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": template}})).get(t)
	return *api.Id, *pet.Id
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	status, body, _ := do(t, req)
	return status, body
}

// do sends a data-plane request.
func do(t *testing.T, req *http.Request) (int, string, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func TestControlPlane(t *testing.T) {
	env := localcloudtest.Start(t, localcloudtest.Options{NoFsync: true})
	gw := apigateway.NewFromConfig(env.Config())
	ctx := context.Background()

	id, petID := mockAPI(t, gw, `{"id":"$input.params('id')","color":"$stageVariables.color"}`)
	apis := try(gw.GetRestApis(ctx, &apigateway.GetRestApisInput{})).get(t)
	if len(apis.Items) != 1 || *apis.Items[0].Id != id || *apis.Items[0].Name != "pets" || apis.Items[0].ApiKeySource != agtypes.ApiKeySourceTypeHeader {
		t.Fatalf("GetRestApis: %+v", apis.Items)
	}
	res := try(gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(id), Embed: []string{"methods"}})).get(t)
	var paths []string
	for _, r := range res.Items {
		paths = append(paths, *r.Path)
	}
	if strings.Join(paths, " ") != "/ /pets /pets/{id}" || res.Items[2].ResourceMethods["GET"].MethodIntegration == nil {
		t.Fatalf("GetResources: %v %+v", paths, res.Items[2].ResourceMethods)
	}
	plain := try(gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(id)})).get(t)
	if m, ok := plain.Items[2].ResourceMethods["GET"]; !ok || m.HttpMethod != nil || m.MethodIntegration != nil {
		t.Fatalf("GetResources without embed: %+v", plain.Items[2].ResourceMethods)
	}
	models := try(gw.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: aws.String(id)})).get(t)
	if len(models.Items) != 2 || *models.Items[0].Name != "Empty" || *models.Items[1].Name != "Error" {
		t.Fatalf("default models: %+v", models.Items)
	}
	m := try(gw.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: aws.String(id), ResourceId: aws.String(petID), HttpMethod: aws.String("GET")})).get(t)
	if m.MethodIntegration == nil || m.MethodIntegration.Type != agtypes.IntegrationTypeMock || *m.MethodIntegration.PassthroughBehavior != "WHEN_NO_MATCH" ||
		m.MethodIntegration.IntegrationResponses["200"].ResponseTemplates == nil || m.MethodResponses["200"].StatusCode == nil {
		t.Fatalf("GetMethod: %+v", m)
	}
	ig := try(gw.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: aws.String(id), ResourceId: aws.String(petID), HttpMethod: aws.String("GET")})).get(t)
	if ig.TimeoutInMillis != 29000 || ig.RequestTemplates["application/json"] == "" {
		t.Fatalf("GetIntegration: %+v", ig)
	}

	// Errors as API Gateway words them.
	_, err := gw.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String("nope")})
	wantAPIError(t, "GetRestApi", err, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
	pets := res.Items[1].Id
	_, err = gw.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(id), ParentId: pets, PathPart: aws.String("{id}")})
	wantAPIError(t, "duplicate resource", err, "ConflictException", "Another resource with the same parent already has this name: {id}")
	_, err = gw.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(id), ParentId: pets, PathPart: aws.String("a b")})
	wantAPIError(t, "bad path part", err, "BadRequestException", "path part only allow")
	_, err = gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: aws.String(id), ResourceId: aws.String(petID), HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	wantAPIError(t, "duplicate method", err, "ConflictException", "Method already exists for this resource")
	_, err = gw.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: aws.String(id), ResourceId: aws.String(petID), HttpMethod: aws.String("PUT")})
	wantAPIError(t, "missing method", err, "NotFoundException", "Invalid Method identifier specified")
	_, err = gw.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: aws.String(id), Name: aws.String("Bad"), ContentType: aws.String("application/json"), Schema: aws.String(`{"type": 5}`)})
	wantAPIError(t, "bad model", err, "BadRequestException", "Invalid model specified")
	_, err = gw.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: aws.String(id), Name: aws.String("Empty"), ContentType: aws.String("application/json"), Schema: aws.String(`{}`)})
	wantAPIError(t, "duplicate model", err, "ConflictException", "Model name already exists")
	// Models and request validators are updated in place with patch operations.
	um := try(gw.UpdateModel(ctx, &apigateway.UpdateModelInput{RestApiId: aws.String(id), ModelName: aws.String("Empty"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/schema"), Value: aws.String(`{"type":"object"}`)},
			{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("any object")}}})).get(t)
	if aws.ToString(um.Schema) != `{"type":"object"}` || aws.ToString(um.Description) != "any object" {
		t.Fatalf("UpdateModel: %+v", um)
	}
	_, err = gw.UpdateModel(ctx, &apigateway.UpdateModelInput{RestApiId: aws.String(id), ModelName: aws.String("Empty"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/schema"), Value: aws.String(`{"type": 5}`)}}})
	wantAPIError(t, "bad model update", err, "BadRequestException", "Invalid model specified")
	_, err = gw.UpdateModel(ctx, &apigateway.UpdateModelInput{RestApiId: aws.String(id), ModelName: aws.String("Empty"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/contentType"), Value: aws.String("text/plain")}}})
	wantAPIError(t, "model patch path", err, "BadRequestException", "Invalid patch path '/contentType'")
	_, err = gw.UpdateModel(ctx, &apigateway.UpdateModelInput{RestApiId: aws.String(id), ModelName: aws.String("Nope"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("x")}}})
	wantAPIError(t, "missing model", err, "NotFoundException", "Invalid model name specified: Nope")
	rv := try(gw.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: aws.String(id), Name: aws.String("body"), ValidateRequestBody: true})).get(t)
	uv := try(gw.UpdateRequestValidator(ctx, &apigateway.UpdateRequestValidatorInput{RestApiId: aws.String(id), RequestValidatorId: rv.Id,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/validateRequestParameters"), Value: aws.String("true")},
			{Op: agtypes.OpReplace, Path: aws.String("/name"), Value: aws.String("all")}}})).get(t)
	if !uv.ValidateRequestBody || !uv.ValidateRequestParameters || aws.ToString(uv.Name) != "all" {
		t.Fatalf("UpdateRequestValidator: %+v", uv)
	}
	_, err = gw.UpdateRequestValidator(ctx, &apigateway.UpdateRequestValidatorInput{RestApiId: aws.String(id), RequestValidatorId: rv.Id,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/validateRequestBody"), Value: aws.String("maybe")}}})
	wantAPIError(t, "validator flag", err, "BadRequestException", "Invalid boolean value")
	_, err = gw.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(id), StageName: aws.String("prod")})
	wantAPIError(t, "missing stage", err, "NotFoundException", "Invalid Stage identifier specified")
	_, err = gw.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String("nope")})
	wantAPIError(t, "missing key", err, "NotFoundException", "Invalid API Key identifier specified")
	_, err = gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Value: aws.String("short")})
	wantAPIError(t, "short key", err, "BadRequestException", "at least 20 characters")

	// An API without methods cannot be deployed.
	empty := try(gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("empty")})).get(t)
	_, err = gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: empty.Id, StageName: aws.String("dev")})
	wantAPIError(t, "empty deployment", err, "BadRequestException", "The REST API doesn't contain any methods")
	try(gw.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: empty.Id})).get(t)

	// Deploy with a stage and a stage variable; the data plane serves it.
	dep := try(gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(id), StageName: aws.String("v1"),
		Variables: map[string]string{"color": "red"}})).get(t)
	url := env.URL + "/restapis/" + id + "/v1/_user_request_/pets/7"
	if status, body := get(t, url); status != 200 || body != `{"id":"7","color":"red"}` {
		t.Fatalf("deployed GET: %d %s", status, body)
	}
	// A change is not served until it is deployed.
	try(gw.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(id), ResourceId: aws.String(petID), HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"pet":"$input.params('id')"}`}})).get(t)
	if status, body := get(t, url); status != 200 || body != `{"id":"7","color":"red"}` {
		t.Fatalf("undeployed change served: %d %s", status, body)
	}
	// TestInvokeMethod runs the current definition.
	ti := try(gw.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: aws.String(id), ResourceId: aws.String(petID), HttpMethod: aws.String("GET"),
		PathWithQueryString: aws.String("/pets/9")})).get(t)
	if ti.Status != 200 || *ti.Body != `{"pet":"9"}` || !strings.Contains(*ti.Log, "Method completed with status: 200") {
		t.Fatalf("TestInvokeMethod: %d %s %s", ti.Status, *ti.Body, *ti.Log)
	}
	dep2 := try(gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(id)})).get(t)
	st := try(gw.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(id), StageName: aws.String("v1"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/deploymentId"), Value: dep2.Id},
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/throttling/rateLimit"), Value: aws.String("1")},
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String("1")},
		{Op: agtypes.OpReplace, Path: aws.String("/variables/size"), Value: aws.String("xl")},
	}})).get(t)
	if *st.DeploymentId != *dep2.Id || st.MethodSettings["*/*"].ThrottlingBurstLimit != 1 || st.Variables["size"] != "xl" || st.Variables["color"] != "red" {
		t.Fatalf("UpdateStage: %+v", st)
	}
	if status, body := get(t, url); status != 200 || body != `{"pet":"7"}` {
		t.Fatalf("redeployed GET: %d %s", status, body)
	}
	// Stage throttling: a burst of one and a clock that does not move.
	if status, body := get(t, url); status != 429 || body != `{"message":"Too Many Requests"}` {
		t.Fatalf("stage throttle: %d %s", status, body)
	}
	_, err = gw.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: aws.String(id), DeploymentId: dep2.Id})
	wantAPIError(t, "delete active deployment", err, "BadRequestException", "Active stages pointing to this deployment")
	try(gw.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: aws.String(id), DeploymentId: dep.Id})).get(t)
	deps := try(gw.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String(id)})).get(t)
	if len(deps.Items) != 1 {
		t.Fatalf("deployments after delete: %+v", deps.Items)
	}

	// Keys and plans.
	key := try(gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Enabled: true, Value: aws.String("0123456789abcdefghijKL")})).get(t)
	got := try(gw.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: key.Id})).get(t)
	if got.Value != nil || !got.Enabled {
		t.Fatalf("GetApiKey without includeValue: %+v", got)
	}
	got = try(gw.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: key.Id, IncludeValue: aws.Bool(true)})).get(t)
	if *got.Value != "0123456789abcdefghijKL" {
		t.Fatalf("GetApiKey includeValue: %+v", got)
	}
	_, err = gw.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Value: aws.String("0123456789abcdefghijKL")})
	wantAPIError(t, "duplicate key", err, "ConflictException", "API Key already exists")
	plan := try(gw.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p"), ApiStages: []agtypes.ApiStage{{ApiId: aws.String(id), Stage: aws.String("v1")}},
		Throttle: &agtypes.ThrottleSettings{RateLimit: 5, BurstLimit: 10}, Quota: &agtypes.QuotaSettings{Limit: 1000, Period: agtypes.QuotaPeriodTypeMonth}})).get(t)
	_, err = gw.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p"), ApiStages: []agtypes.ApiStage{{ApiId: aws.String(id), Stage: aws.String("nope")}}})
	wantAPIError(t, "plan for a missing stage", err, "NotFoundException", "Invalid stage identifier specified")
	try(gw.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})).get(t)
	pk := try(gw.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: plan.Id})).get(t)
	if len(pk.Items) != 1 || *pk.Items[0].Id != *key.Id || *pk.Items[0].Type != "API_KEY" {
		t.Fatalf("GetUsagePlanKeys: %+v", pk.Items)
	}
	gp := try(gw.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: plan.Id})).get(t)
	if gp.Quota.Period != agtypes.QuotaPeriodTypeMonth || gp.Throttle.BurstLimit != 10 || *gp.ApiStages[0].Stage != "v1" {
		t.Fatalf("GetUsagePlan: %+v", gp)
	}
	upd := try(gw.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: plan.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/throttle/rateLimit"), Value: aws.String("7")},
		{Op: agtypes.OpRemove, Path: aws.String("/quota")},
		{Op: agtypes.OpRemove, Path: aws.String("/apiStages"), Value: aws.String(id + ":v1")},
	}})).get(t)
	if upd.Throttle.RateLimit != 7 || upd.Throttle.BurstLimit != 10 || upd.Quota != nil || len(upd.ApiStages) != 0 {
		t.Fatalf("UpdateUsagePlan: %+v", upd)
	}
	uk := try(gw.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: key.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/enabled"), Value: aws.String("false")},
		{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("off")},
	}})).get(t)
	if uk.Enabled || *uk.Description != "off" || uk.Value != nil {
		t.Fatalf("UpdateApiKey: %+v", uk)
	}
	_, err = gw.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: key.Id, PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/value"), Value: aws.String("x")}}})
	wantAPIError(t, "UpdateApiKey /value", err, "BadRequestException", "Invalid patch path '/value'")
	ra := try(gw.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: aws.String(id), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("cats too")}}})).get(t)
	if *ra.Description != "cats too" || *ra.Name != "pets" {
		t.Fatalf("UpdateRestApi: %+v", ra)
	}
	try(gw.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id})).get(t)
	try(gw.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: plan.Id})).get(t)
	try(gw.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: key.Id})).get(t)

	// Gateway responses list every type; a customised one says so.
	try(gw.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: aws.String(id), ResponseType: agtypes.GatewayResponseTypeMissingAuthenticationToken,
		StatusCode: aws.String("404"), ResponseTemplates: map[string]string{"application/json": `{"error":"no route $context.path"}`},
		ResponseParameters: map[string]string{"gatewayresponse.header.X-Why": "'unknown'"}})).get(t)
	grs := try(gw.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(id)})).get(t)
	custom := 0
	for _, g := range grs.Items {
		if !g.DefaultResponse {
			custom++
		}
	}
	if len(grs.Items) != 21 || custom != 1 {
		t.Fatalf("GetGatewayResponses: %d items, %d custom", len(grs.Items), custom)
	}
	try(gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(id), StageName: aws.String("v1")})).get(t)
	creq, _ := http.NewRequest("GET", env.URL+"/restapis/"+id+"/v1/_user_request_/cats", nil)
	if status, body, hdr := do(t, creq); status != 404 || body != `{"error":"no route /v1/cats"}` || hdr.Get("X-Why") != "unknown" {
		t.Fatalf("custom gateway response: %d %s %v", status, body, hdr)
	}
	// An unknown stage is not served.
	if status, body := get(t, env.URL+"/restapis/"+id+"/v9/_user_request_/pets/1"); status != 403 || body != `{"message":"Missing Authentication Token"}` {
		t.Fatalf("unknown stage: %d %s", status, body)
	}

	// State survives a restart.
	env.Stop()
	env2 := localcloudtest.Start(t, localcloudtest.Options{DataDir: env.DataDir, NoFsync: true})
	gw2 := apigateway.NewFromConfig(env2.Config())
	st2 := try(gw2.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(id), StageName: aws.String("v1")})).get(t)
	if st2.Variables["size"] != "xl" {
		t.Fatalf("stage after restart: %+v", st2)
	}
	if status, body := get(t, env2.URL+"/restapis/"+id+"/v1/_user_request_/pets/3"); status != 200 || body != `{"pet":"3"}` {
		t.Fatalf("served after restart: %d %s", status, body)
	}
	try(gw2.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(id), StageName: aws.String("v1")})).get(t)
	try(gw2.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: aws.String(id), ResourceId: pets})).get(t)
	left := try(gw2.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(id)})).get(t)
	if len(left.Items) != 1 || *left.Items[0].Path != "/" {
		t.Fatalf("resources after deleting /pets: %+v", left.Items)
	}
}
