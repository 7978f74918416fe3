package lambdaapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/durable"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/runtime"
	"github.com/orderflow/orderflow/tools/localcloud/s3"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Identity is what the Lambda service needs from IAM: policy decisions
// and role sessions; *iamapi.Service implements it.
type Identity interface {
	Authorize(ctx context.Context, c iamapi.Check) policy.Decision
	AssumeRole(ctx context.Context, in iamapi.AssumeRoleInput) (*iamapi.Session, error)
	RoleSession(roleARN, session string) (iam.Principal, bool)
}

// AsyncInvoker is Lambda's asynchronous invocation queue (package esm's
// AsyncInvoker): it stores an event before answering, runs it in the
// background through the service's Invoker and retries function errors.
// It receives the ARN of the version to run.
type AsyncInvoker interface {
	InvokeEvent(ctx context.Context, functionArn string, payload []byte) error
}

// ObjectReader reads deployment packages from S3 (Code.S3Bucket/S3Key);
// *s3.Service implements it in process.
type ObjectReader interface {
	GetObject(ctx context.Context, bucket, key string) (io.ReadCloser, s3.ObjectInfo, error)
}

// Config wires the Lambda service.
type Config struct {
	Store store.Store
	// DataDir keeps deployment packages (lambda/zips/) and the engine's
	// unpacked code (lambda/code/).
	DataDir string
	Clock   clock.Clock
	IDs     *ids.Source
	Account string
	Region  string
	// IAM authorizes calls and mints the functions' role sessions.
	IAM Identity
	// Logs receives function logs (*logs.Service).
	Logs runtime.LogSink
	// EndpointURL is the AWS_ENDPOINT_URL functions call localcloud back
	// on (the instance's public URL).
	EndpointURL string
	// S3 reads code given as an S3 object (optional: without it such
	// code is refused with Lambda's S3 error).
	S3 ObjectReader
	// Engine overrides the engine settings the service does not own
	// (MaxConcurrency, IdleTimeout, InitTimeout); its wiring fields are
	// filled in by New.
	Engine pool.Config
	Logger *slog.Logger
}

const (
	bucketFunctions = "lambda.functions"
	latest          = "$LATEST"
)

// versionRecord is one function version's configuration.
type versionRecord struct {
	Version          string            `json:"version"`
	Description      string            `json:"description,omitempty"`
	Role             string            `json:"role"`
	Handler          string            `json:"handler,omitempty"`
	Runtime          string            `json:"runtime"`
	Timeout          int               `json:"timeout"`
	MemorySize       int               `json:"memorySize"`
	Architectures    []string          `json:"architectures"`
	Environment      map[string]string `json:"environment,omitempty"`
	Logging          LoggingConfig     `json:"logging"`
	Tracing          string            `json:"tracing,omitempty"`
	EphemeralStorage int               `json:"ephemeralStorage"`
	DeadLetterTarget string            `json:"deadLetterTarget,omitempty"`
	CodeSha256       string            `json:"codeSha256"`
	CodeSize         int64             `json:"codeSize"`
	// CodeFile is the zip's name under lambda/zips/ (hex SHA-256).
	CodeFile     string `json:"codeFile"`
	LastModified string `json:"lastModified"`
	RevisionID   string `json:"revisionId"`
}

type aliasRecord struct {
	Name            string                     `json:"name"`
	FunctionVersion string                     `json:"functionVersion"`
	Description     string                     `json:"description,omitempty"`
	Routing         *AliasRoutingConfiguration `json:"routing,omitempty"`
	RevisionID      string                     `json:"revisionId"`
}

// functionRecord is a function with everything it owns.
type functionRecord struct {
	Name     string                  `json:"name"`
	Latest   versionRecord           `json:"latest"`
	Versions []versionRecord         `json:"versions,omitempty"`
	LastNum  int                     `json:"lastNum"`
	Aliases  map[string]*aliasRecord `json:"aliases,omitempty"`
	// Policy holds the resource policy's statements per qualifier ("" is
	// the unqualified function).
	Policy   map[string][]json.RawMessage `json:"policy,omitempty"`
	Tags     map[string]string            `json:"tags,omitempty"`
	Reserved *int                         `json:"reserved,omitempty"`
}

func (r *functionRecord) clone() *functionRecord {
	b, _ := json.Marshal(r)
	var c functionRecord
	_ = json.Unmarshal(b, &c)
	return &c
}

func (r *functionRecord) version(v string) (*versionRecord, bool) {
	if v == "" || v == latest {
		return &r.Latest, true
	}
	for i := range r.Versions {
		if r.Versions[i].Version == v {
			return &r.Versions[i], true
		}
	}
	return nil, false
}

// Service is the Lambda service.
type Service struct {
	cfg    Config
	engine *pool.Engine
	tail   *tailSink
	creds  *RoleCredentials

	mu       sync.RWMutex
	funcs    map[string]*functionRecord
	mappings Mappings
	async    AsyncInvoker

	ctx    context.Context
	cancel context.CancelFunc
}

// New loads the functions from the store and deploys them on a new
// engine.
func New(cfg Config) (*Service, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, funcs: map[string]*functionRecord{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.tail = newTailSink(cfg.Logs)
	s.creds = NewRoleCredentials(cfg.IAM, cfg.Clock)
	s.creds.expiring = s.renewEnvironments
	ec := cfg.Engine
	ec.DataDir, ec.Clock, ec.IDs, ec.Logs, ec.Credentials = cfg.DataDir, cfg.Clock, cfg.IDs, s.tail, s.creds
	ec.Region, ec.Account, ec.EndpointURL, ec.Logger = cfg.Region, cfg.Account, cfg.EndpointURL, cfg.Logger
	s.engine = pool.New(ec)
	err := cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(bucketFunctions, nil, func(_, v []byte) error {
			var r functionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode function: %w", err)
			}
			s.funcs[r.Name] = &r
			s.tail.route(r.Name, r.Latest.Logging.LogGroup)
			return nil
		})
	})
	if err != nil {
		s.engine.Close()
		return nil, fmt.Errorf("load lambda functions: %w", err)
	}
	for _, r := range s.funcs {
		for _, v := range append([]versionRecord{r.Latest}, r.Versions...) {
			if err := s.deploy(s.ctx, r, &v); err != nil {
				// Keep serving the others; the function answers its error
				// when invoked.
				cfg.Logger.Error("lambda: redeploy failed", "function", r.Name, "version", v.Version, "err", err)
			}
		}
	}
	return s, nil
}

// Engine is the execution engine, for in-process callers that invoke
// functions directly (event source mappings) and for figures.
func (s *Service) Engine() *pool.Engine { return s.engine }

// Credentials is the role-session provider the engine uses.
func (s *Service) Credentials() *RoleCredentials { return s.creds }

// SetAsync connects the asynchronous invocation queue; call it once,
// before serving (the queue invokes through the service's Invoker, so it
// is built after the service). Without one, Event invocations fail.
func (s *Service) SetAsync(a AsyncInvoker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.async = a
}

// Close stops every execution environment. Close the event source
// mappings and the asynchronous queue first, and the log service and the
// store after.
func (s *Service) Close() {
	s.creds.stop()
	s.cancel()
	s.engine.Close()
}

// renewEnvironments redeploys a function's versions unchanged, which
// retires its environments (idle ones now, busy ones when they finish), so
// that new ones start with fresh role credentials.
func (s *Service) renewEnvironments(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.funcs[name]
	if r == nil {
		return
	}
	for _, v := range append([]versionRecord{r.Latest}, r.Versions...) {
		if err := s.deploy(s.ctx, r, &v); err != nil {
			s.cfg.Logger.Warn("lambda: renewing environments failed", "function", name, "version", v.Version, "err", err)
		}
	}
}

func (s *Service) functionARN(name, qualifier string) string {
	arn := "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.Account + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}

// zipPath is where a deployment package with the given hex digest lives.
func (s *Service) zipPath(file string) string {
	return filepath.Join(s.cfg.DataDir, "lambda", "zips", file+".zip")
}

// saveZip writes a deployment package durably (once per content).
func (s *Service) saveZip(file string, data []byte) error {
	path := s.zipPath(file)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create zip directory: %w", err)
	}
	if err := durable.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("save code: %w", err)
	}
	return nil
}

// deploy hands a version to the engine.
func (s *Service) deploy(ctx context.Context, r *functionRecord, v *versionRecord) error {
	arch := "x86_64"
	if len(v.Architectures) > 0 {
		arch = v.Architectures[0]
	}
	return s.engine.Deploy(ctx, pool.Function{
		Name: r.Name, Version: v.Version, ZipFile: s.zipPath(v.CodeFile), Handler: v.Handler, Runtime: v.Runtime,
		Timeout: time.Duration(v.Timeout) * time.Second, MemoryMB: v.MemorySize, Architecture: arch,
		Environment: v.Environment, ReservedConcurrency: r.Reserved, Role: v.Role,
	})
}

// put stores r durably and makes it current; the caller holds s.mu.
func (s *Service) put(r *functionRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode function %s: %w", r.Name, err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketFunctions, []byte(r.Name), b) }); err != nil {
		return fmt.Errorf("store function %s: %w", r.Name, err)
	}
	s.funcs[r.Name] = r
	s.tail.route(r.Name, r.Latest.Logging.LogGroup)
	return nil
}

// authorize checks that the caller may perform action on resource. Calls
// without a principal come from inside localcloud and are trusted.
func (s *Service) authorize(ctx context.Context, action, resource, resourcePolicy string) error {
	p, ok := iam.PrincipalFrom(ctx)
	if !ok || p.Root || s.cfg.IAM == nil {
		return nil
	}
	d := s.cfg.IAM.Authorize(ctx, iamapi.Check{Principal: p, Action: action, Resource: resource, ResourcePolicy: resourcePolicy})
	if !d.Allowed() {
		return lambdaError("AccessDeniedException", http.StatusForbidden, "%s", d.Message())
	}
	return nil
}

// ExecutionRoleAllows reports whether the execution role of functionArn may call action
// on resource, whose resource-based policy is resourcePolicy ("" for none). It is the
// check Lambda makes when an event source mapping is created: the mapping polls and
// deletes with the function's role. Without IAM everything is allowed.
func (s *Service) ExecutionRoleAllows(ctx context.Context, functionArn, action, resource, resourcePolicy string) bool {
	if s.cfg.IAM == nil {
		return true
	}
	name, qual, err := s.resolve(functionArn, "")
	if err != nil {
		return false
	}
	s.mu.RLock()
	_, v, err := s.lookupLocked(name, qual)
	role := ""
	if err == nil {
		role = v.Role
	}
	s.mu.RUnlock()
	if role == "" {
		return false
	}
	p, ok := s.cfg.IAM.RoleSession(role, "AWSLambdaEventSourceMapping")
	if !ok {
		return false
	}
	return s.cfg.IAM.Authorize(ctx, iamapi.Check{Principal: p, Action: action, Resource: resource, ResourcePolicy: resourcePolicy}).Allowed()
}

// now is the service clock's time in Lambda's LastModified format.
func (s *Service) now() string {
	return s.cfg.Clock.Now().UTC().Format("2006-01-02T15:04:05.000-0700")
}

// Descriptor describes Lambda's wire identity and routes for the server.
func (s *Service) Descriptor() *server.Service {
	const fn = "/2015-03-31/functions/{FunctionName}"
	routes := []server.Route{
		{Method: "POST", Path: "/2015-03-31/functions", Operation: "CreateFunction", Status: http.StatusCreated},
		{Method: "GET", Path: "/2015-03-31/functions", Operation: "ListFunctions"},
		{Method: "GET", Path: fn, Operation: "GetFunction"},
		{Method: "DELETE", Path: fn, Operation: "DeleteFunction", Status: http.StatusNoContent},
		{Method: "GET", Path: fn + "/configuration", Operation: "GetFunctionConfiguration"},
		{Method: "PUT", Path: fn + "/configuration", Operation: "UpdateFunctionConfiguration"},
		{Method: "PUT", Path: fn + "/code", Operation: "UpdateFunctionCode"},
		{Method: "POST", Path: fn + "/invocations", Operation: "Invoke"},
		{Method: "POST", Path: fn + "/versions", Operation: "PublishVersion", Status: http.StatusCreated},
		{Method: "GET", Path: fn + "/versions", Operation: "ListVersionsByFunction"},
		{Method: "POST", Path: fn + "/aliases", Operation: "CreateAlias", Status: http.StatusCreated},
		{Method: "GET", Path: fn + "/aliases", Operation: "ListAliases"},
		{Method: "GET", Path: fn + "/aliases/{Name}", Operation: "GetAlias"},
		{Method: "PUT", Path: fn + "/aliases/{Name}", Operation: "UpdateAlias"},
		{Method: "DELETE", Path: fn + "/aliases/{Name}", Operation: "DeleteAlias", Status: http.StatusNoContent},
		{Method: "POST", Path: fn + "/policy", Operation: "AddPermission", Status: http.StatusCreated},
		{Method: "GET", Path: fn + "/policy", Operation: "GetPolicy"},
		{Method: "DELETE", Path: fn + "/policy/{StatementId}", Operation: "RemovePermission", Status: http.StatusNoContent},
		{Method: "PUT", Path: "/2017-10-31/functions/{FunctionName}/concurrency", Operation: "PutFunctionConcurrency"},
		{Method: "DELETE", Path: "/2017-10-31/functions/{FunctionName}/concurrency", Operation: "DeleteFunctionConcurrency", Status: http.StatusNoContent},
		{Method: "GET", Path: "/2019-09-30/functions/{FunctionName}/concurrency", Operation: "GetFunctionConcurrency"},
		{Method: "POST", Path: "/2017-03-31/tags/{Resource}", Operation: "TagResource", Status: http.StatusNoContent},
		{Method: "DELETE", Path: "/2017-03-31/tags/{Resource}", Operation: "UntagResource", Status: http.StatusNoContent},
		{Method: "GET", Path: "/2017-03-31/tags/{Resource}", Operation: "ListTags"},
		{Method: "GET", Path: "/2016-08-19/account-settings", Operation: "GetAccountSettings"},
		{Method: "POST", Path: "/2015-03-31/event-source-mappings", Operation: "CreateEventSourceMapping", Status: http.StatusAccepted},
		{Method: "GET", Path: "/2015-03-31/event-source-mappings", Operation: "ListEventSourceMappings"},
		{Method: "GET", Path: "/2015-03-31/event-source-mappings/{UUID}", Operation: "GetEventSourceMapping"},
		{Method: "PUT", Path: "/2015-03-31/event-source-mappings/{UUID}", Operation: "UpdateEventSourceMapping", Status: http.StatusAccepted},
		{Method: "DELETE", Path: "/2015-03-31/event-source-mappings/{UUID}", Operation: "DeleteEventSourceMapping", Status: http.StatusAccepted},
	}
	return &server.Service{
		Name:         "lambda",
		Routes:       routes,
		MaxBodyBytes: maxRequestBytes,
		BodyTooLarge: bodyTooLarge,
		Operations: map[string]server.Operation{
			"CreateFunction":              server.Op(s.CreateFunction),
			"ListFunctions":               server.Op(s.ListFunctions),
			"GetFunction":                 server.Op(s.GetFunction),
			"DeleteFunction":              server.Op(s.DeleteFunction),
			"GetFunctionConfiguration":    server.Op(s.GetFunctionConfiguration),
			"UpdateFunctionConfiguration": server.Op(s.UpdateFunctionConfiguration),
			"UpdateFunctionCode":          server.Op(s.UpdateFunctionCode),
			"Invoke":                      server.Op(s.Invoke),
			"PublishVersion":              server.Op(s.PublishVersion),
			"ListVersionsByFunction":      server.Op(s.ListVersionsByFunction),
			"CreateAlias":                 server.Op(s.CreateAlias),
			"ListAliases":                 server.Op(s.ListAliases),
			"GetAlias":                    server.Op(s.GetAlias),
			"UpdateAlias":                 server.Op(s.UpdateAlias),
			"DeleteAlias":                 server.Op(s.DeleteAlias),
			"AddPermission":               server.Op(s.AddPermission),
			"GetPolicy":                   server.Op(s.GetPolicy),
			"RemovePermission":            server.Op(s.RemovePermission),
			"PutFunctionConcurrency":      server.Op(s.PutFunctionConcurrency),
			"DeleteFunctionConcurrency":   server.Op(s.DeleteFunctionConcurrency),
			"GetFunctionConcurrency":      server.Op(s.GetFunctionConcurrency),
			"TagResource":                 server.Op(s.TagResource),
			"UntagResource":               server.Op(s.UntagResource),
			"ListTags":                    server.Op(s.ListTags),
			"GetAccountSettings":          server.Op(s.GetAccountSettings),
			"CreateEventSourceMapping":    server.Op(s.CreateEventSourceMapping),
			"ListEventSourceMappings":     server.Op(s.ListEventSourceMappings),
			"GetEventSourceMapping":       server.Op(s.GetEventSourceMapping),
			"UpdateEventSourceMapping":    server.Op(s.UpdateEventSourceMapping),
			"DeleteEventSourceMapping":    server.Op(s.DeleteEventSourceMapping),
		},
	}
}

// errInternal wraps an unexpected failure for the server's log.
func errInternal(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("lambda %s: %w", op, err)
}
