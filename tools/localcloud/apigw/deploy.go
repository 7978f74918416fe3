package apigw

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// defaultGatewayResponses are the response types API Gateway defines, with
// their default status (0 for the DEFAULT_* fall-backs) and message.
var defaultGatewayResponses = map[string]struct {
	status    int
	message   string
	errorType string
}{
	"ACCESS_DENIED":                  {403, "Forbidden", "AccessDeniedException"},
	"API_CONFIGURATION_ERROR":        {500, "Internal server error", "InternalServerErrorException"},
	"AUTHORIZER_CONFIGURATION_ERROR": {500, "Internal server error", "AuthorizerConfigurationException"},
	"AUTHORIZER_FAILURE":             {500, "Internal server error", "AuthorizerConfigurationException"},
	"BAD_REQUEST_PARAMETERS":         {400, "Bad request parameters", "BadRequestException"},
	"BAD_REQUEST_BODY":               {400, "Invalid request body", "BadRequestException"},
	"DEFAULT_4XX":                    {0, "", ""},
	"DEFAULT_5XX":                    {0, "", ""},
	"EXPIRED_TOKEN":                  {403, "The security token included in the request is expired", "ExpiredTokenException"},
	"INTEGRATION_FAILURE":            {504, "Internal server error", "InternalServerErrorException"},
	"INTEGRATION_TIMEOUT":            {504, "Endpoint request timed out", "InternalServerErrorException"},
	"INVALID_API_KEY":                {403, "Forbidden", "ForbiddenException"},
	"INVALID_SIGNATURE":              {403, "Forbidden", "InvalidSignatureException"},
	"MISSING_AUTHENTICATION_TOKEN":   {403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
	"QUOTA_EXCEEDED":                 {429, "Limit Exceeded", "LimitExceededException"},
	"REQUEST_TOO_LARGE":              {413, "Request Too Long", "RequestTooLongException"},
	"RESOURCE_NOT_FOUND":             {404, "Not Found", "NotFoundException"},
	"THROTTLED":                      {429, "Too Many Requests", "TooManyRequestsException"},
	"UNAUTHORIZED":                   {401, "Unauthorized", "UnauthorizedException"},
	"UNSUPPORTED_MEDIA_TYPE":         {415, "Unsupported Media Type", "UnsupportedMediaTypeException"},
	"WAF_FILTERED":                   {403, "Forbidden", "WAFFilteredException"},
}

// CreateDeployment snapshots the API as it is now; with a stageName it also
// creates that stage or points it at the new deployment.
func (s *Service) CreateDeployment(_ context.Context, in *CreateDeploymentInput) (*Deployment, error) {
	if in.StageName != "" && !stageNameRE.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	var out Deployment
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		summary := map[string]map[string]MethodSnapshotSum{}
		for _, res := range r.Resources {
			for hm, m := range res.ResourceMethods {
				if m.MethodIntegration == nil {
					return badRequest("No integration defined for method")
				}
				if summary[res.Path] == nil {
					summary[res.Path] = map[string]MethodSnapshotSum{}
				}
				summary[res.Path][hm] = MethodSnapshotSum{AuthorizationType: m.AuthorizationType, APIKeyRequired: m.APIKeyRequired}
			}
		}
		if len(summary) == 0 {
			return badRequest("The REST API doesn't contain any methods")
		}
		snap := clone(&r.snapshot)
		d := Deployment{ID: s.newID(), Description: in.Description, CreatedDate: s.now().Unix(), APISummary: summary}
		r.Deployments[d.ID] = &deploymentRecord{Deployment: d, Snapshot: *snap}
		if in.StageName != "" {
			now := s.now().Unix()
			st, ok := r.Stages[in.StageName]
			if !ok {
				st = &Stage{StageName: in.StageName, CreatedDate: now, Description: in.StageDescription}
				r.Stages[in.StageName] = st
			}
			st.DeploymentID, st.LastUpdatedDate = d.ID, now
			if in.Variables != nil {
				st.Variables = in.Variables
			}
			st.TracingEnabled = in.TracingEnabled
		}
		out = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.APISummary = nil
	return &out, nil
}

// GetDeployment returns a deployment.
func (s *Service) GetDeployment(_ context.Context, in *DeploymentRef) (*Deployment, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*Deployment, error) {
		d, ok := r.Deployments[in.DeploymentID]
		if !ok {
			return nil, notFound("Invalid Deployment identifier specified")
		}
		return &d.Deployment, nil
	})
}

// GetDeployments lists an API's deployments, oldest first.
func (s *Service) GetDeployments(_ context.Context, in *ListInput) (*Deployments, error) {
	var items []Deployment
	err := s.readAPI(in.RestAPIID, func(r *apiRecord) error {
		for _, d := range r.Deployments {
			dd := d.Deployment
			dd.APISummary = nil
			items = append(items, dd)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].CreatedDate != items[j].CreatedDate {
			return items[i].CreatedDate < items[j].CreatedDate
		}
		return items[i].ID < items[j].ID
	})
	items, next := page(items, in.Position, in.Limit)
	return &Deployments{Items: items, Position: next}, nil
}

// DeleteDeployment deletes a deployment no stage serves.
func (s *Service) DeleteDeployment(_ context.Context, in *DeploymentRef) (*Empty, error) {
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		if _, ok := r.Deployments[in.DeploymentID]; !ok {
			return notFound("Invalid Deployment identifier specified")
		}
		for _, st := range r.Stages {
			if st.DeploymentID == in.DeploymentID {
				return badRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		delete(r.Deployments, in.DeploymentID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.rt.forget(in.DeploymentID)
	return &Empty{}, nil
}

var stageNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)

// CreateStage creates a stage serving a deployment.
func (s *Service) CreateStage(_ context.Context, in *CreateStageInput) (*Stage, error) {
	if !stageNameRE.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	var out *Stage
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		if _, ok := r.Deployments[in.DeploymentID]; !ok {
			return notFound("Invalid Deployment identifier specified")
		}
		if _, ok := r.Stages[in.StageName]; ok {
			return conflict("Stage already exists")
		}
		now := s.now().Unix()
		st := &Stage{DeploymentID: in.DeploymentID, StageName: in.StageName, Description: in.Description, Variables: in.Variables,
			TracingEnabled: in.TracingEnabled, Tags: in.Tags, CreatedDate: now, LastUpdatedDate: now}
		r.Stages[in.StageName] = st
		out = clone(st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetStage returns a stage.
func (s *Service) GetStage(_ context.Context, in *StageRef) (*Stage, error) {
	return readChild(s, in.RestAPIID, func(r *apiRecord) (*Stage, error) {
		st, ok := r.Stages[in.StageName]
		if !ok {
			return nil, notFound("Invalid Stage identifier specified")
		}
		return st, nil
	})
}

// GetStages lists an API's stages, optionally those of one deployment.
func (s *Service) GetStages(_ context.Context, in *ListStagesInput) (*Stages, error) {
	out := &Stages{Item: []Stage{}}
	err := s.readAPI(in.RestAPIID, func(r *apiRecord) error {
		for _, name := range sortedKeys(r.Stages) {
			if st := r.Stages[name]; in.DeploymentID == "" || st.DeploymentID == in.DeploymentID {
				out.Item = append(out.Item, *clone(st))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteStage deletes a stage.
func (s *Service) DeleteStage(_ context.Context, in *StageRef) (*Empty, error) {
	return &Empty{}, s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		if _, ok := r.Stages[in.StageName]; !ok {
			return notFound("Invalid Stage identifier specified")
		}
		delete(r.Stages, in.StageName)
		return nil
	})
}

// UpdateStage applies patch operations: /description, /deploymentId,
// /tracingEnabled, /variables/NAME, /accessLogSettings(/format,
// /destinationArn) and method settings /{resourcePath}/{method}/{setting}
// (resource path with "/" written "~1", or "*/*" for every method).
func (s *Service) UpdateStage(_ context.Context, in *UpdateStageInput) (*Stage, error) {
	var out *Stage
	err := s.updateAPI(in.RestAPIID, func(r *apiRecord) error {
		st, ok := r.Stages[in.StageName]
		if !ok {
			return notFound("Invalid Stage identifier specified")
		}
		for _, op := range in.PatchOperations {
			if err := patchStage(r, st, op); err != nil {
				return err
			}
		}
		st.LastUpdatedDate = s.now().Unix()
		out = clone(st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func invalidPatch(op PatchOperation) error {
	return badRequest("Invalid patch path '%s' specified for op '%s'. Must be one of: [/description, /deploymentId, /tracingEnabled, /variables/{name}, /accessLogSettings/format, /accessLogSettings/destinationArn, /{resourcePath}/{httpMethod}/{setting}]", op.Path, op.Op)
}

func patchStage(r *apiRecord, st *Stage, op PatchOperation) error {
	if op.Op != "replace" && op.Op != "add" && op.Op != "remove" {
		return badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
	}
	remove := op.Op == "remove"
	path := op.Path
	switch {
	case path == "/description":
		st.Description = op.Value
		if remove {
			st.Description = ""
		}
	case path == "/deploymentId":
		if _, ok := r.Deployments[op.Value]; !ok {
			return badRequest("Deployment id does not exist")
		}
		st.DeploymentID = op.Value
	case path == "/tracingEnabled":
		st.TracingEnabled = op.Value == "true"
	case strings.HasPrefix(path, "/variables/"):
		name := strings.TrimPrefix(path, "/variables/")
		if name == "" {
			return invalidPatch(op)
		}
		if remove {
			delete(st.Variables, name)
			return nil
		}
		if st.Variables == nil {
			st.Variables = map[string]string{}
		}
		st.Variables[name] = op.Value
	case path == "/accessLogSettings":
		if !remove {
			return invalidPatch(op)
		}
		st.AccessLogSettings = nil
	case path == "/accessLogSettings/format" || path == "/accessLogSettings/destinationArn":
		if st.AccessLogSettings == nil {
			st.AccessLogSettings = &AccessLogSettings{}
		}
		v := op.Value
		if remove {
			v = ""
		}
		if path == "/accessLogSettings/format" {
			st.AccessLogSettings.Format = v
		} else {
			if v != "" && !strings.HasPrefix(v, "arn:aws:logs:") && !strings.HasPrefix(v, "arn:aws:firehose:") {
				return badRequest("Invalid ARN specified in the request: %s", v)
			}
			st.AccessLogSettings.DestinationARN = v
		}
	default:
		return patchMethodSetting(st, op)
	}
	return nil
}

// patchMethodSetting handles /{resourcePath}/{method}/{group}/{name} and
// the removal of /{resourcePath}/{method}.
func patchMethodSetting(st *Stage, op PatchOperation) error {
	parts := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
	if len(parts) < 2 {
		return invalidPatch(op)
	}
	key := parts[0] + "/" + parts[1]
	if parts[1] != "*" && !httpMethods[parts[1]] {
		return invalidPatch(op)
	}
	if len(parts) == 2 {
		if op.Op != "remove" {
			return invalidPatch(op)
		}
		delete(st.MethodSettings, key)
		return nil
	}
	if len(parts) != 4 {
		return invalidPatch(op)
	}
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]*MethodSetting{}
	}
	ms := st.MethodSettings[key]
	if ms == nil {
		ms = &MethodSetting{ThrottlingBurstLimit: -1, ThrottlingRateLimit: -1, CacheTTLInSeconds: 300,
			UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER", LoggingLevel: "OFF"}
		st.MethodSettings[key] = ms
	}
	b := op.Value == "true"
	num := func() (float64, error) {
		f, err := strconv.ParseFloat(op.Value, 64)
		if err != nil {
			return 0, badRequest("Invalid value for %s: %s", op.Path, op.Value)
		}
		return f, nil
	}
	switch parts[2] + "/" + parts[3] {
	case "metrics/enabled":
		ms.MetricsEnabled = b
	case "logging/loglevel":
		ms.LoggingLevel = op.Value
	case "logging/dataTrace":
		ms.DataTraceEnabled = b
	case "throttling/burstLimit":
		f, err := num()
		if err != nil {
			return err
		}
		ms.ThrottlingBurstLimit = int(f)
	case "throttling/rateLimit":
		f, err := num()
		if err != nil {
			return err
		}
		ms.ThrottlingRateLimit = f
	case "caching/enabled":
		ms.CachingEnabled = b
	case "caching/ttlInSeconds":
		f, err := num()
		if err != nil {
			return err
		}
		ms.CacheTTLInSeconds = int(f)
	case "caching/dataEncrypted":
		ms.CacheDataEncrypted = b
	case "caching/requireAuthorizationForCacheControl":
		ms.RequireAuthorizationForCacheControl = b
	case "caching/unauthorizedCacheControlHeaderStrategy":
		ms.UnauthorizedCacheControlHeaderStrategy = op.Value
	default:
		return invalidPatch(op)
	}
	return nil
}

// MethodSettingKey is the key of a stage's method setting for a resource
// path and HTTP method as CloudFormation's MethodSettings name them
// (ResourcePath "/*" and HttpMethod "*" give "*/*"; "/orders" and "POST"
// give "~1orders/POST").
func MethodSettingKey(resourcePath, httpMethod string) string {
	p := strings.TrimPrefix(resourcePath, "/")
	if p != "*" {
		p = strings.ReplaceAll(resourcePath, "/", "~1")
	}
	return p + "/" + httpMethod
}

// MethodSettingPatches are the UpdateStage operations that set ms under
// key (see MethodSettingKey): what a CloudFormation Stage's MethodSettings
// become. Negative throttling limits are left unset.
func MethodSettingPatches(key string, ms MethodSetting) []PatchOperation {
	p := "/" + key + "/"
	ops := []PatchOperation{
		{Op: "replace", Path: p + "metrics/enabled", Value: strconv.FormatBool(ms.MetricsEnabled)},
		{Op: "replace", Path: p + "logging/dataTrace", Value: strconv.FormatBool(ms.DataTraceEnabled)},
		{Op: "replace", Path: p + "caching/enabled", Value: strconv.FormatBool(ms.CachingEnabled)},
	}
	if ms.LoggingLevel != "" {
		ops = append(ops, PatchOperation{Op: "replace", Path: p + "logging/loglevel", Value: ms.LoggingLevel})
	}
	if ms.ThrottlingBurstLimit >= 0 {
		ops = append(ops, PatchOperation{Op: "replace", Path: p + "throttling/burstLimit", Value: strconv.Itoa(ms.ThrottlingBurstLimit)})
	}
	if ms.ThrottlingRateLimit >= 0 {
		ops = append(ops, PatchOperation{Op: "replace", Path: p + "throttling/rateLimit", Value: strconv.FormatFloat(ms.ThrottlingRateLimit, 'f', -1, 64)})
	}
	return ops
}

// AccessLogPatches are the UpdateStage operations that set a stage's
// access log destination and format: what a CloudFormation Stage's
// AccessLogSetting becomes.
func AccessLogPatches(al AccessLogSettings) []PatchOperation {
	return []PatchOperation{
		{Op: "replace", Path: "/accessLogSettings/destinationArn", Value: al.DestinationARN},
		{Op: "replace", Path: "/accessLogSettings/format", Value: al.Format},
	}
}
