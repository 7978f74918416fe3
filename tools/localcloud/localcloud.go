package localcloud

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/orderflow/orderflow/tools/localcloud/apigw"
	"github.com/orderflow/orderflow/tools/localcloud/cfn"
	"github.com/orderflow/orderflow/tools/localcloud/cfn/provision"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/cloudwatch"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodbstreams"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambdaapi"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/mail"
	"github.com/orderflow/orderflow/tools/localcloud/s3"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
	"github.com/orderflow/orderflow/tools/localcloud/sns"
	"github.com/orderflow/orderflow/tools/localcloud/sqs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
	"github.com/orderflow/orderflow/tools/localcloud/sts"
)

// Config configures an Instance. Zero values take the documented defaults.
type Config struct {
	// DataDir holds the store and the mailbox (default ".localcloud").
	DataDir string
	// Region is the one region served (default "us-east-1").
	Region string
	// Account is the 12-digit account ID (default "000000000000").
	Account string
	// AccessKeyID and SecretAccessKey are the root credentials
	// (default "test"/"test").
	AccessKeyID, SecretAccessKey string
	// Clock drives service time (visibility, delays, retention, retries);
	// it defaults to the wall clock.
	Clock clock.Clock
	// AuthClock is the clock request signatures are checked against; it
	// defaults to Clock. Tests that move Clock by hours keep it real so
	// that SDK clients, which sign with the wall clock, stay within skew.
	AuthClock clock.Clock
	// Random is the randomness source for IDs and receipt handles
	// (default crypto/rand).
	Random io.Reader
	// Logger defaults to discarding.
	Logger *slog.Logger
	// NoFsync trades power-loss durability for speed: acknowledged writes
	// still survive kill -9 of localcloud (they are in the OS page cache),
	// but not a machine crash. Default false: every commit is fsynced.
	NoFsync bool
	// HTTPClient delivers SNS http(s) notifications (default: a client
	// with a 15 s timeout). Tests inject one that cannot leave loopback.
	HTTPClient *http.Client
	// PublicURL is the base URL put in links localcloud hands out that are
	// fetched outside a request (e-mailed confirmation links), e.g.
	// "http://127.0.0.1:4566". Set it once the listener is bound.
	PublicURL string
}

func (c *Config) defaults() {
	if c.DataDir == "" {
		c.DataDir = ".localcloud"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Account == "" {
		c.Account = "000000000000"
	}
	if c.AccessKeyID == "" {
		c.AccessKeyID = "test"
	}
	if c.SecretAccessKey == "" {
		c.SecretAccessKey = "test"
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.AuthClock == nil {
		c.AuthClock = c.Clock
	}
	if c.Random == nil {
		c.Random = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Instance is a running localcloud.
type Instance struct {
	cfg    Config
	store  *store.Bolt
	server *server.Server
	ids    *ids.Source
	sqs    *sqs.Service
	sns    *sns.Service
	logs   *logs.Service
	iam    *iamapi.Service
	ddb    *dynamodb.Service
	s3     *s3.Service
	cfn    *cfn.Service
	alarms *cloudwatch.Service
	apigw  *apigw.Service
	lambda *lambdaapi.Service
	esm    *esm.Manager
	events *esm.AsyncInvoker
	// Mailbox is the captured e-mail.
	Mailbox *mail.Mailbox
	// Credentials can be extended with more access keys.
	Credentials *iam.StaticCredentials
}

// Open opens the data directory and builds every service.
func Open(cfg Config) (*Instance, error) {
	cfg.defaults()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	st, err := store.Open(cfg.DataDir, store.Options{NoFsync: cfg.NoFsync})
	if err != nil {
		return nil, err
	}
	idSource := ids.New(cfg.Random)
	fail := func(err error) (*Instance, error) {
		_ = st.Close()
		return nil, err
	}
	identity, err := iamapi.New(iamapi.Config{Store: st, Clock: cfg.Clock, IDs: idSource, Account: cfg.Account, Logger: cfg.Logger})
	if err != nil {
		return fail(err)
	}
	creds := iam.NewStaticCredentials(iam.RootCredential(cfg.Account, cfg.AccessKeyID, cfg.SecretAccessKey))
	srv := server.New(server.Config{
		// Root keys first, then the role sessions IAM minted (function and
		// API integration roles), so those calls are signed and attributed.
		Verifier: &sigv4.Verifier{Credentials: identity.CredentialSource(creds), Region: cfg.Region, Clock: cfg.AuthClock},
		Logger:   cfg.Logger,
		IDs:      idSource,
		// Calls other than root's (function and integration roles) are
		// checked against IAM for the services that register an Authz.
		Authorizer: identity.AuthorizeCall,
	})
	objects, err := s3.New(s3.Config{Store: st, Dir: filepath.Join(cfg.DataDir, "s3"), Clock: cfg.Clock, IDs: idSource,
		Region: cfg.Region, Account: cfg.Account, IAM: identity, NoFsync: cfg.NoFsync, Logger: cfg.Logger})
	if err != nil {
		return fail(err)
	}
	queues, err := sqs.New(sqs.Config{Store: st, Clock: cfg.Clock, IDs: idSource, Account: cfg.Account,
		Region: cfg.Region, PublicURL: cfg.PublicURL, Logger: cfg.Logger})
	if err != nil {
		return fail(err)
	}
	mailbox, err := mail.Open(filepath.Join(cfg.DataDir, "mail"))
	if err != nil {
		return fail(err)
	}
	// Mail acknowledged before a crash but not yet on disk is rewritten from the
	// mailbox's journal before anything else can deliver.
	if err := mailbox.Recover(); err != nil {
		return fail(err)
	}
	logGroups, err := logs.New(logs.Config{Store: st, Clock: cfg.Clock, Account: cfg.Account, Region: cfg.Region, Logger: cfg.Logger})
	if err != nil {
		return fail(err)
	}
	// API Gateway sends to SQS in process as its integration role and
	// writes access logs to CloudWatch Logs.
	gateway, err := apigw.New(apigw.Config{Store: st, Clock: cfg.Clock, IDs: idSource, Account: cfg.Account, Region: cfg.Region,
		Queues: queues, IAM: identity, Logs: logGroups, Logger: cfg.Logger})
	if err != nil {
		logGroups.Close()
		return fail(err)
	}
	tables, err := dynamodb.New(dynamodb.Config{Store: st, Clock: cfg.Clock, IDs: idSource, Account: cfg.Account,
		Region: cfg.Region, Logger: cfg.Logger})
	if err != nil {
		logGroups.Close()
		return fail(err)
	}
	// Functions call back on PublicURL with their role's session
	// credentials; their output goes to CloudWatch Logs.
	functions, err := lambdaapi.New(lambdaapi.Config{Store: st, DataDir: cfg.DataDir, Clock: cfg.Clock, IDs: idSource,
		Account: cfg.Account, Region: cfg.Region, IAM: identity, Logs: logGroups, S3: objects, EndpointURL: cfg.PublicURL, Logger: cfg.Logger})
	if err != nil {
		logGroups.Close()
		return fail(err)
	}
	// Lambda's asynchronous queue (Invoke Event) stores each event and
	// retries it through the same Invoker.
	events, err := esm.NewAsync(esm.AsyncConfig{Store: st, Clock: cfg.Clock, IDs: idSource, Invoker: functions.Invoker(), Logger: cfg.Logger})
	if err != nil {
		functions.Close()
		logGroups.Close()
		return fail(err)
	}
	functions.SetAsync(events)
	// SNS delivers to lambda subscriptions through that same queue, as
	// AWS invokes subscribed functions asynchronously; it comes after
	// Lambda so that it has one, and before the mappings, which publish
	// failure records to topics.
	topics, err := sns.New(sns.Config{Store: st, Clock: cfg.Clock, IDs: idSource, Account: cfg.Account, Region: cfg.Region,
		Queues: queues, Mailbox: mailbox, Functions: events, HTTPClient: cfg.HTTPClient, PublicURL: cfg.PublicURL, Logger: cfg.Logger})
	if err != nil {
		events.Close()
		functions.Close()
		logGroups.Close()
		return fail(err)
	}
	// Event source mappings poll SQS and DynamoDB streams and invoke
	// functions through the Lambda service (aliases resolved, reserved
	// concurrency respected); the Lambda API serves their CRUD.
	mappings, err := esm.New(esm.Config{Store: st, Clock: cfg.Clock, IDs: idSource, Region: cfg.Region, Account: cfg.Account,
		Invoker: functions.Invoker(), Queues: queues, Streams: tables, Topics: topics, RoleAllows: functions.ExecutionRoleAllows, Logger: cfg.Logger})
	if err != nil {
		topics.Close()
		events.Close()
		functions.Close()
		logGroups.Close()
		return fail(err)
	}
	functions.SetMappings(mappings)
	// CloudWatch keeps alarms only (no metrics, no evaluation).
	alarms, err := cloudwatch.New(cloudwatch.Config{Store: st, Clock: cfg.Clock, Account: cfg.Account, Region: cfg.Region, Logger: cfg.Logger})
	if err != nil {
		mappings.Close()
		topics.Close()
		events.Close()
		functions.Close()
		logGroups.Close()
		return fail(err)
	}
	// CloudFormation resumes interrupted stack operations as it starts, so
	// every service its providers call must exist before it.
	stacks, err := cfn.New(cfn.Config{Store: st, Clock: cfg.Clock, IDs: idSource, Account: cfg.Account, Region: cfg.Region,
		Registry: provision.Defaults(provision.Services{Queues: queues, Topics: topics, LogGroups: logGroups,
			Tables: tables, Identity: identity, Functions: functions, Gateway: gateway, Buckets: objects, Alarms: alarms}),
		PublicURL: cfg.PublicURL, Logger: cfg.Logger})
	if err != nil {
		mappings.Close()
		topics.Close()
		events.Close()
		functions.Close()
		logGroups.Close()
		return fail(err)
	}
	srv.Register(sts.New().Descriptor())
	srv.Register(gateway.Descriptor())
	// The execute-api data plane is not signed: deployed stages are served
	// on their own paths and host names ahead of service routing.
	srv.HandleUnsigned(gateway.Matches, gateway)
	srv.RegisterAuthorized(tables.Descriptor(), tables.Authz())
	streamRecords := dynamodbstreams.New(dynamodbstreams.Config{Source: tables, Clock: cfg.Clock})
	srv.RegisterAuthorized(streamRecords.Descriptor(), streamRecords.Authz())
	srv.RegisterAuthorized(queues.Descriptor(), queues.Authz())
	srv.RegisterAuthorized(topics.Descriptor(), topics.Authz())
	srv.RegisterAuthorized(logGroups.Descriptor(), logGroups.Authz())
	srv.Register(identity.Descriptor())
	srv.Register(functions.Descriptor())
	srv.Register(stacks.Descriptor())
	srv.Register(objects.Descriptor())
	srv.Register(alarms.Descriptor())
	inst := &Instance{cfg: cfg, store: st, server: srv, ids: idSource, sqs: queues, sns: topics, logs: logGroups, iam: identity, ddb: tables, lambda: functions, esm: mappings, events: events,
		Mailbox: mailbox, Credentials: creds}
	inst.apigw = gateway
	inst.cfn = stacks
	inst.s3 = objects
	inst.alarms = alarms
	srv.HandleInternal("GET /_localcloud/health", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	}))
	return inst, nil
}

// Server is the front door, for services added by other packages.
func (i *Instance) Server() *server.Server { return i.server }

// Store is the shared store.
func (i *Instance) Store() store.Store { return i.store }

// Clock is the services' clock.
func (i *Instance) Clock() clock.Clock { return i.cfg.Clock }

// IDs is the shared identifier source.
func (i *Instance) IDs() *ids.Source { return i.ids }

// SQS is the SQS service, for in-process callers.
func (i *Instance) SQS() *sqs.Service { return i.sqs }

// SNS is the SNS service, for in-process callers.
func (i *Instance) SNS() *sns.Service { return i.sns }

// Logs is the CloudWatch Logs service, for in-process writers (function
// output, API access logs).
func (i *Instance) Logs() *logs.Service { return i.logs }

// DynamoDB is the DynamoDB service (tables, items and their streams), for
// in-process callers such as stream event source mappings.
func (i *Instance) DynamoDB() *dynamodb.Service { return i.ddb }

// Lambda is the Lambda service: functions, Invoke and the execution
// engine, for in-process callers (CloudFormation, SNS, event source
// mappings).
func (i *Instance) Lambda() *lambdaapi.Service { return i.lambda }

// Mappings is the event source mapping engine (SQS and DynamoDB Streams
// pollers), for in-process callers (CloudFormation) and figures.
func (i *Instance) Mappings() *esm.Manager { return i.esm }

// AsyncEvents is Lambda's asynchronous invocation queue (Invoke Event), for
// in-process callers (SNS deliveries) and its counts.
func (i *Instance) AsyncEvents() *esm.AsyncInvoker { return i.events }

// APIGateway is the API Gateway service: its operations are the Go API
// in-process callers (CloudFormation) create REST APIs with.
func (i *Instance) APIGateway() *apigw.Service { return i.apigw }

// CloudFormation is the CloudFormation service (stacks, change sets and
// their provisioning).
func (i *Instance) CloudFormation() *cfn.Service { return i.cfn }

// CloudWatch is the CloudWatch alarms service, for in-process callers.
func (i *Instance) CloudWatch() *cloudwatch.Service { return i.alarms }

// S3 is the S3 service (buckets and objects), for in-process callers such
// as CloudFormation and Lambda code from S3.
func (i *Instance) S3() *s3.Service { return i.s3 }

// IAM is the IAM service: policy decisions and role sessions for in-process
// callers.
func (i *Instance) IAM() *iamapi.Service { return i.iam }

// Handler is the HTTP handler serving every service.
func (i *Instance) Handler() http.Handler { return i.server }

// Serve serves on ln until ctx is cancelled, then shuts down gracefully.
func (i *Instance) Serve(ctx context.Context, ln net.Listener) error {
	return i.server.Serve(ctx, ln)
}

// Close stops background deliveries and releases the store; call it after
// Serve returns.
func (i *Instance) Close() error {
	// Stack operations stop first: they call every other service.
	i.cfn.Close()
	i.sns.Close()
	// Pollers stop before the functions they feed, and functions before
	// the logs close, so their last lines are kept.
	i.esm.Close()
	i.events.Close()
	i.lambda.Close()
	// Logs last among the services, so the final log lines are kept.
	i.logs.Close()
	return errors.Join(i.Mailbox.Close(), i.store.Close())
}
