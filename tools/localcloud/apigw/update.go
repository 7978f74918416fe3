package apigw

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/apigw/validate"
)

// UpdateRestAPIInput is UpdateRestApi's input.
type UpdateRestAPIInput struct {
	RestAPIID       string           `json:"-" location:"uri" locationName:"restapi_id"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// UpdateAPIKeyInput is UpdateApiKey's input.
type UpdateAPIKeyInput struct {
	APIKey          string           `json:"-" location:"uri" locationName:"api_Key"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// UpdateUsagePlanInput is UpdateUsagePlan's input.
type UpdateUsagePlanInput struct {
	UsagePlanID     string           `json:"-" location:"uri" locationName:"usageplanId"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

func unsupportedPatch(op PatchOperation, valid string) error {
	return badRequest("Invalid patch path '%s' specified for op '%s'. Must be one of: [%s]", op.Path, op.Op, valid)
}

// patchValue is op's value, or "" for a remove.
func patchValue(op PatchOperation) string {
	if op.Op == "remove" {
		return ""
	}
	return op.Value
}

// UpdateRestAPI applies patch operations to /name, /description,
// /apiKeySource and /disableExecuteApiEndpoint.
func (s *Service) UpdateRestAPI(_ context.Context, in *UpdateRestAPIInput) (*RestAPI, error) {
	var out RestAPI
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		for _, op := range in.PatchOperations {
			v := patchValue(op)
			switch op.Path {
			case "/name":
				if strings.TrimSpace(v) == "" {
					return badRequest("Invalid REST API name specified")
				}
				r.API.Name = v
			case "/description":
				r.API.Description = v
			case "/apiKeySource":
				if v != "HEADER" && v != "AUTHORIZER" {
					return badRequest("Invalid API Key source specified: %s", v)
				}
				r.API.APIKeySource = v
			case "/disableExecuteApiEndpoint":
				r.API.DisableExecuteAPIEndpoint = v == "true"
			default:
				return unsupportedPatch(op, "/name, /description, /apiKeySource, /disableExecuteApiEndpoint")
			}
		}
		out = r.API
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAPIKey applies patch operations to /name, /description,
// /enabled and /customerId.
func (s *Service) UpdateAPIKey(_ context.Context, in *UpdateAPIKeyInput) (*APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[in.APIKey]
	if !ok {
		return nil, notFound("Invalid API Key identifier specified")
	}
	c := *k
	for _, op := range in.PatchOperations {
		v := patchValue(op)
		switch op.Path {
		case "/name":
			c.Name = v
		case "/description":
			c.Description = v
		case "/enabled":
			c.Enabled = v == "true"
		case "/customerId":
			c.CustomerID = v
		default:
			return nil, unsupportedPatch(op, "/name, /description, /enabled, /customerId")
		}
	}
	c.LastUpdatedDate = s.now().Unix()
	if err := putJSON(s.cfg.Store, bucketKeys, c.ID, &c); err != nil {
		return nil, err
	}
	s.keys[c.ID] = &c
	out := c
	out.Value = ""
	return &out, nil
}

// UpdateUsagePlan applies patch operations to /name, /description,
// /productCode, /throttle/{rateLimit,burstLimit}, /quota/{limit,period,
// offset} (remove /throttle or /quota to drop them) and /apiStages (add or
// remove "apiId:stage").
func (s *Service) UpdateUsagePlan(_ context.Context, in *UpdateUsagePlanInput) (*UsagePlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[in.UsagePlanID]
	if !ok {
		return nil, notFound("Invalid Usage Plan ID specified")
	}
	c := clone(p)
	plan := &c.Plan
	for _, op := range in.PatchOperations {
		if err := s.patchPlan(plan, op); err != nil {
			return nil, err
		}
	}
	if err := putJSON(s.cfg.Store, bucketPlans, c.Plan.ID, c); err != nil {
		return nil, err
	}
	s.plans[c.Plan.ID] = c
	return &clone(c).Plan, nil
}

// patchPlan applies one operation; s.mu is held.
func (s *Service) patchPlan(plan *UsagePlan, op PatchOperation) error {
	v := patchValue(op)
	num := func() (float64, error) {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return 0, badRequest("Invalid value for %s: %s", op.Path, v)
		}
		return f, nil
	}
	switch op.Path {
	case "/name":
		plan.Name = v
	case "/description":
		plan.Description = v
	case "/productCode":
		plan.ProductCode = v
	case "/throttle":
		if op.Op != "remove" {
			return unsupportedPatch(op, "/throttle/rateLimit, /throttle/burstLimit")
		}
		plan.Throttle = nil
	case "/quota":
		if op.Op != "remove" {
			return unsupportedPatch(op, "/quota/limit, /quota/period, /quota/offset")
		}
		plan.Quota = nil
	case "/throttle/rateLimit", "/throttle/burstLimit":
		f, err := num()
		if err != nil {
			return err
		}
		if plan.Throttle == nil {
			plan.Throttle = &ThrottleSettings{}
		}
		if op.Path == "/throttle/rateLimit" {
			plan.Throttle.RateLimit = f
		} else {
			plan.Throttle.BurstLimit = int(f)
		}
	case "/quota/limit", "/quota/offset", "/quota/period":
		if plan.Quota == nil {
			plan.Quota = &QuotaSettings{Period: "DAY"}
		}
		if op.Path == "/quota/period" {
			if !quotaPeriods[v] {
				return badRequest("Invalid quota period specified. Valid options are DAY,WEEK,MONTH")
			}
			plan.Quota.Period = v
			return nil
		}
		f, err := num()
		if err != nil {
			return err
		}
		if op.Path == "/quota/limit" {
			plan.Quota.Limit = int(f)
		} else {
			plan.Quota.Offset = int(f)
		}
	case "/apiStages":
		// Both add and remove name the stage in the value.
		v = op.Value
		apiID, stage, ok := strings.Cut(v, ":")
		if !ok {
			return badRequest("Invalid API stage specified: %s", v)
		}
		i := slices.IndexFunc(plan.APIStages, func(a APIStage) bool { return a.APIID == apiID && a.Stage == stage })
		switch op.Op {
		case "add":
			r, ok := s.apis[apiID]
			if !ok {
				return notFound("Invalid API identifier specified %s:%s", s.cfg.Account, apiID)
			}
			if _, ok := r.Stages[stage]; !ok {
				return notFound("Invalid stage identifier specified")
			}
			if i < 0 {
				plan.APIStages = append(plan.APIStages, APIStage{APIID: apiID, Stage: stage})
			}
		case "remove":
			if i < 0 {
				return notFound("Invalid API stage specified: %s", v)
			}
			plan.APIStages = slices.Delete(plan.APIStages, i, i+1)
		default:
			return unsupportedPatch(op, "/apiStages")
		}
	default:
		return unsupportedPatch(op, "/name, /description, /productCode, /throttle/rateLimit, /throttle/burstLimit, /quota/limit, /quota/period, /quota/offset, /apiStages")
	}
	return nil
}

// UpdateModelInput is UpdateModel's input.
type UpdateModelInput struct {
	RestAPIID       string           `json:"-" location:"uri" locationName:"restapi_id"`
	ModelName       string           `json:"-" location:"uri" locationName:"model_name"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// UpdateModel applies patch operations to /schema and /description. A new schema must
// compile, as on CreateModel; stages keep the schema of their deployment until the API is
// deployed again.
func (s *Service) UpdateModel(_ context.Context, in *UpdateModelInput) (*Model, error) {
	var out Model
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		m, ok := r.Models[in.ModelName]
		if !ok {
			return notFound("Invalid model name specified: %s", in.ModelName)
		}
		c := *m
		for _, op := range in.PatchOperations {
			if op.Op != "replace" {
				return unsupportedPatch(op, "/description, /schema")
			}
			switch op.Path {
			case "/schema":
				if op.Value != "" {
					models := maps.Clone(r.Models)
					models[c.Name] = &Model{Name: c.Name, Schema: op.Value}
					if _, err := validate.Compile([]byte(op.Value), s.modelLoader(r.API.ID, models)); err != nil {
						return badRequest("Invalid model specified: Validation Result: warnings : [], errors : [%v]", err)
					}
				}
				c.Schema = op.Value
			case "/description":
				c.Description = op.Value
			default:
				return unsupportedPatch(op, "/description, /schema")
			}
		}
		r.Models[in.ModelName] = &c
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateRequestValidatorInput is UpdateRequestValidator's input.
type UpdateRequestValidatorInput struct {
	RestAPIID          string           `json:"-" location:"uri" locationName:"restapi_id"`
	RequestValidatorID string           `json:"-" location:"uri" locationName:"requestvalidator_id"`
	PatchOperations    []PatchOperation `json:"patchOperations"`
}

// UpdateRequestValidator applies patch operations to /name, /validateRequestBody and
// /validateRequestParameters.
func (s *Service) UpdateRequestValidator(_ context.Context, in *UpdateRequestValidatorInput) (*RequestValidator, error) {
	var out RequestValidator
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		v, ok := r.Validators[in.RequestValidatorID]
		if !ok {
			return notFound("Invalid Request Validator identifier specified")
		}
		c := *v
		for _, op := range in.PatchOperations {
			if op.Op != "replace" {
				return unsupportedPatch(op, "/name, /validateRequestBody, /validateRequestParameters")
			}
			switch op.Path {
			case "/name":
				for id, other := range r.Validators {
					if id != c.ID && op.Value != "" && other.Name == op.Value {
						return conflict("Validator already exists with this name")
					}
				}
				c.Name = op.Value
			case "/validateRequestBody", "/validateRequestParameters":
				b, err := strconv.ParseBool(op.Value)
				if err != nil {
					return badRequest("Invalid boolean value specified for %s: %s", op.Path, op.Value)
				}
				if op.Path == "/validateRequestBody" {
					c.ValidateRequestBody = b
				} else {
					c.ValidateRequestParameters = b
				}
			default:
				return unsupportedPatch(op, "/name, /validateRequestBody, /validateRequestParameters")
			}
		}
		r.Validators[in.RequestValidatorID] = &c
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
