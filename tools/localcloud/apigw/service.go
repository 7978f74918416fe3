package apigw

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Queues is the part of SQS the AWS service integration calls in process.
type Queues interface {
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput) (*sqs.AttributesOutput, error)
	SendMessage(ctx context.Context, in *sqs.SendMessageInput) (*sqs.SendMessageOutput, error)
}

// Identity is the part of IAM the data plane needs: the integration role's
// session and policy decisions.
type Identity interface {
	AssumeRole(ctx context.Context, in iamapi.AssumeRoleInput) (*iamapi.Session, error)
	Authorize(ctx context.Context, c iamapi.Check) policy.Decision
}

// LogWriter receives access log lines (CloudWatch Logs' in-process Append).
type LogWriter interface {
	Append(ctx context.Context, groupName, streamName string, events []logs.Event) error
}

// Config wires the service. Queues, IAM and Logs may be nil: AWS
// integrations then fail as misconfigured and no access logs are written.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Source
	Account string
	Region  string
	Queues  Queues
	IAM     Identity
	Logs    LogWriter
	Logger  *slog.Logger
}

// Service is API Gateway (REST APIs): the control plane as operations for
// the front door, and the data plane as an http.Handler.
type Service struct {
	cfg Config

	mu    sync.RWMutex
	apis  map[string]*apiRecord
	keys  map[string]*APIKey // by ID
	byVal map[string]string  // key value -> key ID
	plans map[string]*planRecord

	rt     runtimeCache
	limits *limiter
	creds  *credentialCache
}

// apiRecord is one REST API with everything beneath it; the store keeps it
// as one document. Installed records are never changed in place (updates
// install a changed copy), so readers may keep pointers into them.
type apiRecord struct {
	snapshot
	Deployments map[string]*deploymentRecord `json:"deployments"`
	Stages      map[string]*Stage            `json:"stages"`
}

// snapshot is the API's definition; a deployment freezes a copy of it.
type snapshot struct {
	API              RestAPI                      `json:"api"`
	Resources        map[string]*Resource         `json:"resources"`
	Models           map[string]*Model            `json:"models"`
	Validators       map[string]*RequestValidator `json:"validators"`
	GatewayResponses map[string]*GatewayResponse  `json:"gatewayResponses"`
}

type deploymentRecord struct {
	Deployment Deployment `json:"deployment"`
	Snapshot   snapshot   `json:"snapshot"`
}

type planRecord struct {
	Plan UsagePlan `json:"plan"`
	// Keys are the associated API key IDs.
	Keys []string `json:"keys"`
}

// Store buckets.
const (
	bucketAPIs  = "apigateway.restapis"
	bucketKeys  = "apigateway.apikeys"
	bucketPlans = "apigateway.usageplans"
)

// New loads the service's state from the store.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, apis: map[string]*apiRecord{}, keys: map[string]*APIKey{}, byVal: map[string]string{},
		plans: map[string]*planRecord{}, limits: newLimiter(), creds: newCredentialCache()}
	s.rt.entries = map[string]*compiledAPI{}
	err := cfg.Store.View(func(tx store.Tx) error {
		if err := tx.ForEach(bucketAPIs, nil, func(k, v []byte) error {
			var r apiRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode rest api %s: %w", k, err)
			}
			r.fill()
			s.apis[r.API.ID] = &r
			return nil
		}); err != nil {
			return err
		}
		if err := tx.ForEach(bucketKeys, nil, func(k, v []byte) error {
			var key APIKey
			if err := json.Unmarshal(v, &key); err != nil {
				return fmt.Errorf("decode api key %s: %w", k, err)
			}
			s.keys[key.ID] = &key
			s.byVal[key.Value] = key.ID
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEach(bucketPlans, nil, func(k, v []byte) error {
			var p planRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode usage plan %s: %w", k, err)
			}
			s.plans[p.Plan.ID] = &p
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load api gateway state: %w", err)
	}
	return s, nil
}

// fill makes the maps of a decoded record non-nil.
func (r *apiRecord) fill() {
	if r.Resources == nil {
		r.Resources = map[string]*Resource{}
	}
	if r.Models == nil {
		r.Models = map[string]*Model{}
	}
	if r.Validators == nil {
		r.Validators = map[string]*RequestValidator{}
	}
	if r.GatewayResponses == nil {
		r.GatewayResponses = map[string]*GatewayResponse{}
	}
	if r.Deployments == nil {
		r.Deployments = map[string]*deploymentRecord{}
	}
	if r.Stages == nil {
		r.Stages = map[string]*Stage{}
	}
}

// clone deep-copies a value through JSON; records are small documents.
func clone[T any](v *T) *T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("apigw: clone: %v", err))
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(fmt.Sprintf("apigw: clone: %v", err))
	}
	return out
}

// Descriptor is API Gateway's wire identity: restJson1 with the apigateway
// signing name.
func (s *Service) Descriptor() *server.Service {
	const (
		api      = "/restapis/{restapi_id}"
		resource = api + "/resources/{resource_id}"
		method   = resource + "/methods/{http_method}"
	)
	rt := func(m, p, op string, status int) server.Route {
		return server.Route{Method: m, Path: p, Operation: op, Status: status}
	}
	return &server.Service{
		Name: "apigateway",
		Routes: []server.Route{
			rt("POST", "/restapis", "CreateRestApi", http.StatusCreated),
			rt("GET", "/restapis", "GetRestApis", 0),
			rt("GET", api, "GetRestApi", 0),
			rt("DELETE", api, "DeleteRestApi", http.StatusAccepted),
			rt("PATCH", api, "UpdateRestApi", 0),
			rt("GET", api+"/resources", "GetResources", 0),
			rt("POST", api+"/resources/{parent_id}", "CreateResource", http.StatusCreated),
			rt("GET", resource, "GetResource", 0),
			rt("DELETE", resource, "DeleteResource", http.StatusAccepted),
			rt("PUT", method, "PutMethod", http.StatusCreated),
			rt("GET", method, "GetMethod", 0),
			rt("DELETE", method, "DeleteMethod", http.StatusNoContent),
			rt("POST", method, "TestInvokeMethod", 0),
			rt("PUT", method+"/integration", "PutIntegration", http.StatusCreated),
			rt("GET", method+"/integration", "GetIntegration", 0),
			rt("DELETE", method+"/integration", "DeleteIntegration", http.StatusNoContent),
			rt("PUT", method+"/integration/responses/{status_code}", "PutIntegrationResponse", http.StatusCreated),
			rt("GET", method+"/integration/responses/{status_code}", "GetIntegrationResponse", 0),
			rt("DELETE", method+"/integration/responses/{status_code}", "DeleteIntegrationResponse", http.StatusNoContent),
			rt("PUT", method+"/responses/{status_code}", "PutMethodResponse", http.StatusCreated),
			rt("GET", method+"/responses/{status_code}", "GetMethodResponse", 0),
			rt("DELETE", method+"/responses/{status_code}", "DeleteMethodResponse", http.StatusNoContent),
			rt("POST", api+"/models", "CreateModel", http.StatusCreated),
			rt("GET", api+"/models", "GetModels", 0),
			rt("GET", api+"/models/{model_name}", "GetModel", 0),
			rt("PATCH", api+"/models/{model_name}", "UpdateModel", 0),
			rt("DELETE", api+"/models/{model_name}", "DeleteModel", http.StatusAccepted),
			rt("POST", api+"/requestvalidators", "CreateRequestValidator", http.StatusCreated),
			rt("GET", api+"/requestvalidators", "GetRequestValidators", 0),
			rt("GET", api+"/requestvalidators/{requestvalidator_id}", "GetRequestValidator", 0),
			rt("PATCH", api+"/requestvalidators/{requestvalidator_id}", "UpdateRequestValidator", 0),
			rt("DELETE", api+"/requestvalidators/{requestvalidator_id}", "DeleteRequestValidator", http.StatusAccepted),
			rt("PUT", api+"/gatewayresponses/{response_type}", "PutGatewayResponse", http.StatusCreated),
			rt("GET", api+"/gatewayresponses", "GetGatewayResponses", 0),
			rt("GET", api+"/gatewayresponses/{response_type}", "GetGatewayResponse", 0),
			rt("DELETE", api+"/gatewayresponses/{response_type}", "DeleteGatewayResponse", http.StatusAccepted),
			rt("POST", api+"/deployments", "CreateDeployment", http.StatusCreated),
			rt("GET", api+"/deployments", "GetDeployments", 0),
			rt("GET", api+"/deployments/{deployment_id}", "GetDeployment", 0),
			rt("DELETE", api+"/deployments/{deployment_id}", "DeleteDeployment", http.StatusAccepted),
			rt("POST", api+"/stages", "CreateStage", http.StatusCreated),
			rt("GET", api+"/stages", "GetStages", 0),
			rt("GET", api+"/stages/{stage_name}", "GetStage", 0),
			rt("PATCH", api+"/stages/{stage_name}", "UpdateStage", 0),
			rt("DELETE", api+"/stages/{stage_name}", "DeleteStage", http.StatusAccepted),
			rt("POST", "/apikeys", "CreateApiKey", http.StatusCreated),
			rt("GET", "/apikeys", "GetApiKeys", 0),
			rt("GET", "/apikeys/{api_Key}", "GetApiKey", 0),
			rt("DELETE", "/apikeys/{api_Key}", "DeleteApiKey", http.StatusAccepted),
			rt("PATCH", "/apikeys/{api_Key}", "UpdateApiKey", 0),
			rt("POST", "/usageplans", "CreateUsagePlan", http.StatusCreated),
			rt("GET", "/usageplans", "GetUsagePlans", 0),
			rt("GET", "/usageplans/{usageplanId}", "GetUsagePlan", 0),
			rt("DELETE", "/usageplans/{usageplanId}", "DeleteUsagePlan", http.StatusAccepted),
			rt("PATCH", "/usageplans/{usageplanId}", "UpdateUsagePlan", 0),
			rt("POST", "/usageplans/{usageplanId}/keys", "CreateUsagePlanKey", http.StatusCreated),
			rt("GET", "/usageplans/{usageplanId}/keys", "GetUsagePlanKeys", 0),
			rt("GET", "/usageplans/{usageplanId}/keys/{keyId}", "GetUsagePlanKey", 0),
			rt("DELETE", "/usageplans/{usageplanId}/keys/{keyId}", "DeleteUsagePlanKey", http.StatusAccepted),
		},
		Operations: map[string]server.Operation{
			"CreateRestApi":             server.Op(s.CreateRestAPI),
			"GetRestApis":               server.Op(s.GetRestAPIs),
			"GetRestApi":                server.Op(s.GetRestAPI),
			"DeleteRestApi":             server.Op(s.DeleteRestAPI),
			"UpdateRestApi":             server.Op(s.UpdateRestAPI),
			"GetResources":              server.Op(s.GetResources),
			"CreateResource":            server.Op(s.CreateResource),
			"GetResource":               server.Op(s.GetResource),
			"DeleteResource":            server.Op(s.DeleteResource),
			"PutMethod":                 server.Op(s.PutMethod),
			"GetMethod":                 server.Op(s.GetMethod),
			"DeleteMethod":              server.Op(s.DeleteMethod),
			"TestInvokeMethod":          server.Op(s.TestInvokeMethod),
			"PutIntegration":            server.Op(s.PutIntegration),
			"GetIntegration":            server.Op(s.GetIntegration),
			"DeleteIntegration":         server.Op(s.DeleteIntegration),
			"PutIntegrationResponse":    server.Op(s.PutIntegrationResponse),
			"GetIntegrationResponse":    server.Op(s.GetIntegrationResponse),
			"DeleteIntegrationResponse": server.Op(s.DeleteIntegrationResponse),
			"PutMethodResponse":         server.Op(s.PutMethodResponse),
			"GetMethodResponse":         server.Op(s.GetMethodResponse),
			"DeleteMethodResponse":      server.Op(s.DeleteMethodResponse),
			"CreateModel":               server.Op(s.CreateModel),
			"GetModels":                 server.Op(s.GetModels),
			"GetModel":                  server.Op(s.GetModel),
			"UpdateModel":               server.Op(s.UpdateModel),
			"DeleteModel":               server.Op(s.DeleteModel),
			"CreateRequestValidator":    server.Op(s.CreateRequestValidator),
			"GetRequestValidators":      server.Op(s.GetRequestValidators),
			"GetRequestValidator":       server.Op(s.GetRequestValidator),
			"UpdateRequestValidator":    server.Op(s.UpdateRequestValidator),
			"DeleteRequestValidator":    server.Op(s.DeleteRequestValidator),
			"PutGatewayResponse":        server.Op(s.PutGatewayResponse),
			"GetGatewayResponses":       server.Op(s.GetGatewayResponses),
			"GetGatewayResponse":        server.Op(s.GetGatewayResponse),
			"DeleteGatewayResponse":     server.Op(s.DeleteGatewayResponse),
			"CreateDeployment":          server.Op(s.CreateDeployment),
			"GetDeployments":            server.Op(s.GetDeployments),
			"GetDeployment":             server.Op(s.GetDeployment),
			"DeleteDeployment":          server.Op(s.DeleteDeployment),
			"CreateStage":               server.Op(s.CreateStage),
			"GetStages":                 server.Op(s.GetStages),
			"GetStage":                  server.Op(s.GetStage),
			"UpdateStage":               server.Op(s.UpdateStage),
			"DeleteStage":               server.Op(s.DeleteStage),
			"CreateApiKey":              server.Op(s.CreateAPIKey),
			"GetApiKeys":                server.Op(s.GetAPIKeys),
			"GetApiKey":                 server.Op(s.GetAPIKey),
			"DeleteApiKey":              server.Op(s.DeleteAPIKey),
			"UpdateApiKey":              server.Op(s.UpdateAPIKey),
			"CreateUsagePlan":           server.Op(s.CreateUsagePlan),
			"GetUsagePlans":             server.Op(s.GetUsagePlans),
			"GetUsagePlan":              server.Op(s.GetUsagePlan),
			"DeleteUsagePlan":           server.Op(s.DeleteUsagePlan),
			"UpdateUsagePlan":           server.Op(s.UpdateUsagePlan),
			"CreateUsagePlanKey":        server.Op(s.CreateUsagePlanKey),
			"GetUsagePlanKeys":          server.Op(s.GetUsagePlanKeys),
			"GetUsagePlanKey":           server.Op(s.GetUsagePlanKey),
			"DeleteUsagePlanKey":        server.Op(s.DeleteUsagePlanKey),
		},
	}
}

// Errors, as API Gateway words them.

func notFound(format string, args ...any) *protocol.Error {
	return &protocol.Error{Code: "NotFoundException", Message: fmt.Sprintf(format, args...), Status: http.StatusNotFound, Fault: protocol.Sender}
}

func conflict(format string, args ...any) *protocol.Error {
	return &protocol.Error{Code: "ConflictException", Message: fmt.Sprintf(format, args...), Status: http.StatusConflict, Fault: protocol.Sender}
}

func badRequest(format string, args ...any) *protocol.Error {
	return &protocol.Error{Code: "BadRequestException", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest, Fault: protocol.Sender}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now() }

// newID is an API Gateway style identifier: ten lower-case characters.
func (s *Service) newID() string { return s.cfg.IDs.Hex(5) }

// apiLocked returns the API or API Gateway's not-found error; s.mu is held.
func (s *Service) apiLocked(id string) (*apiRecord, error) {
	r, ok := s.apis[id]
	if !ok {
		return nil, notFound("Invalid API identifier specified %s:%s", s.cfg.Account, id)
	}
	return r, nil
}

// readChild returns a copy of what find picks from an API.
func readChild[T any](s *Service, apiID string, find func(*apiRecord) (*T, error)) (*T, error) {
	var out *T
	err := s.readAPI(apiID, func(r *apiRecord) error {
		v, err := find(r)
		if err == nil {
			out = clone(v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listChildren returns copies of the values of a map of an API, in key
// order.
func listChildren[T any](s *Service, apiID string, of func(*apiRecord) map[string]*T) ([]T, error) {
	var items []T
	err := s.readAPI(apiID, func(r *apiRecord) error {
		m := of(r)
		for _, k := range sortedKeys(m) {
			items = append(items, *clone(m[k]))
		}
		return nil
	})
	return items, err
}

// readAPI runs fn on the API under the read lock.
func (s *Service) readAPI(id string, fn func(*apiRecord) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.apiLocked(id)
	if err != nil {
		return err
	}
	return fn(r)
}

// updateAPI runs fn on a copy of the API, stores the copy and installs it:
// a failing fn or commit leaves the API as it was.
func (s *Service) updateAPI(id string, fn func(*apiRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.apiLocked(id)
	if err != nil {
		return err
	}
	c := clone(r)
	c.fill()
	if err := fn(c); err != nil {
		return err
	}
	if err := s.putAPI(c); err != nil {
		return err
	}
	s.apis[id] = c
	return nil
}

func (s *Service) putAPI(r *apiRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode rest api: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketAPIs, []byte(r.API.ID), data) }); err != nil {
		return fmt.Errorf("store rest api %s: %w", r.API.ID, err)
	}
	return nil
}

func putJSON(st store.Store, bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", bucket, err)
	}
	if err := st.Update(func(tx store.Tx) error { return tx.Put(bucket, []byte(key), data) }); err != nil {
		return fmt.Errorf("store %s/%s: %w", bucket, key, err)
	}
	return nil
}

func deleteKey(st store.Store, bucket, key string) error {
	if err := st.Update(func(tx store.Tx) error { return tx.Delete(bucket, []byte(key)) }); err != nil {
		return fmt.Errorf("delete %s/%s: %w", bucket, key, err)
	}
	return nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// page cuts items at position (an index) and limit (default 25, max 500),
// returning the next position.
func page[T any](items []T, position string, limit int) ([]T, string) {
	start := 0
	if position != "" {
		if _, err := fmt.Sscanf(position, "%d", &start); err != nil || start < 0 || start > len(items) {
			start = len(items)
		}
	}
	if limit <= 0 {
		limit = 25
	}
	if limit > 500 {
		limit = 500
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = fmt.Sprint(end)
	}
	return items[start:end], next
}
