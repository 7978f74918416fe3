package cfn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/provision"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// TemplateFetcher reads a template named by TemplateURL (an S3 object URL);
// the S3 service will implement it.
type TemplateFetcher interface {
	FetchTemplate(ctx context.Context, url string) ([]byte, error)
}

// Config wires the CloudFormation service.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Source
	Account string
	Region  string
	// Registry holds the resource types and their providers.
	Registry *provision.Registry
	// Templates fetches TemplateURL bodies; nil rejects TemplateURL.
	Templates TemplateFetcher
	// Parallelism bounds how many resources one stack operation
	// provisions at once (default 4).
	Parallelism int
	// PublicURL is the endpoint services put in the URLs they return
	// (queue URLs) when an operation resumes after a restart.
	PublicURL string
	Logger    *slog.Logger
}

const (
	bucketStacks     = "cfn.stacks"
	bucketChangeSets = "cfn.changesets"
	bucketEvents     = "cfn.events"
	timeFormat       = "2006-01-02T15:04:05.000Z"
	partition        = "aws"
	urlSuffix        = "amazonaws.com"
)

// Service is the CloudFormation service.
type Service struct {
	cfg Config

	mu         sync.Mutex
	stacks     map[string]*stackRecord     // by stack ID
	byName     map[string]string           // live stack name -> ID
	changeSets map[string]*changeSetRecord // by change set ID
	events     map[string][]eventRecord    // by stack ID, oldest first

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New loads stacks, change sets and events from the store and resumes any
// operation a restart interrupted (see DECISIONS.md).
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = 4
	}
	if cfg.Registry == nil {
		cfg.Registry = provision.Defaults(provision.Services{})
	}
	s := &Service{cfg: cfg, stacks: map[string]*stackRecord{}, byName: map[string]string{},
		changeSets: map[string]*changeSetRecord{}, events: map[string][]eventRecord{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	err := cfg.Store.View(func(tx store.Tx) error {
		if err := tx.ForEach(bucketStacks, nil, func(k, v []byte) error {
			var st stackRecord
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("stack %s: %w", k, err)
			}
			if st.Resources == nil {
				st.Resources = map[string]*resourceRecord{}
			}
			s.stacks[st.ID] = &st
			if st.Status != statusDeleteComplete {
				s.byName[st.Name] = st.ID
			}
			return nil
		}); err != nil {
			return err
		}
		if err := tx.ForEach(bucketChangeSets, nil, func(k, v []byte) error {
			var cs changeSetRecord
			if err := json.Unmarshal(v, &cs); err != nil {
				return fmt.Errorf("change set %s: %w", k, err)
			}
			s.changeSets[cs.ID] = &cs
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEach(bucketEvents, nil, func(k, v []byte) error {
			var e eventRecord
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("event %s: %w", k, err)
			}
			s.events[e.StackID] = append(s.events[e.StackID], e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load cloudformation state: %w", err)
	}
	s.resume()
	return s, nil
}

// Close stops running stack operations and waits for them; an operation
// stopped half-way is resumed (rolled back) by the next New.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// Descriptor describes CloudFormation's wire identity and operations.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:         "cloudformation",
		Query:        true,
		XMLNamespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
		Operations: map[string]server.Operation{
			"CreateChangeSet":        server.Op(s.CreateChangeSet),
			"DescribeChangeSet":      server.Op(s.DescribeChangeSet),
			"ExecuteChangeSet":       server.Op(s.ExecuteChangeSet),
			"DeleteChangeSet":        server.Op(s.DeleteChangeSet),
			"ListChangeSets":         server.Op(s.ListChangeSets),
			"DescribeStacks":         server.Op(s.DescribeStacks),
			"DescribeStackEvents":    server.Op(s.DescribeStackEvents),
			"DescribeStackResources": server.Op(s.DescribeStackResources),
			"DescribeStackResource":  server.Op(s.DescribeStackResource),
			"ListStackResources":     server.Op(s.ListStackResources),
			"GetTemplate":            server.Op(s.GetTemplate),
			"ListExports":            server.Op(s.ListExports),
			"ListImports":            server.Op(s.ListImports),
			"DeleteStack":            server.Op(s.DeleteStack),
			"ValidateTemplate":       server.Op(s.ValidateTemplate),
			"ListStacks":             server.Op(s.ListStacks),
			"GetTemplateSummary":     server.Op(s.GetTemplateSummary),
		},
	}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC() }

func fmtTime(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format(timeFormat)
}

func (s *Service) stackARN(name string) string {
	return "arn:aws:cloudformation:" + s.cfg.Region + ":" + s.cfg.Account + ":stack/" + name + "/" + s.cfg.IDs.UUID()
}

func (s *Service) changeSetARN(name string) string {
	return "arn:aws:cloudformation:" + s.cfg.Region + ":" + s.cfg.Account + ":changeSet/" + name + "/" + s.cfg.IDs.UUID()
}

// suffix is the random part of generated physical names: 13 upper-case
// letters and digits, as CloudFormation uses.
func (s *Service) suffix() string {
	return strings.ToUpper(s.cfg.IDs.Hex(7))[:13]
}

func errValidation(format string, args ...any) error {
	return protocol.Errorf("ValidationError", format, args...)
}

func errStackNotFound(name string) error {
	return errValidation("Stack with id %s does not exist", name)
}

func errChangeSetNotFound(name string) error {
	return &protocol.Error{Code: "ChangeSetNotFoundException", QueryCode: "ChangeSetNotFound",
		Message: "ChangeSet [" + name + "] does not exist", Status: http.StatusNotFound, Fault: protocol.Sender}
}

func errInvalidChangeSetStatus(format string, args ...any) error {
	return &protocol.Error{Code: "InvalidChangeSetStatusException", QueryCode: "InvalidChangeSetStatus",
		Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest, Fault: protocol.Sender}
}

func errAlreadyExists(format string, args ...any) error {
	return &protocol.Error{Code: "AlreadyExistsException", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest, Fault: protocol.Sender}
}

func errInsufficientCapabilities(caps []string) error {
	return &protocol.Error{Code: "InsufficientCapabilitiesException",
		Message: "Requires capabilities : [" + strings.Join(caps, ", ") + "]", Status: http.StatusBadRequest, Fault: protocol.Sender}
}

// principalOf returns the caller, or the root principal for work resumed
// without a request.
func (s *Service) principalOf(ctx context.Context) iam.Principal {
	if p, ok := iam.PrincipalFrom(ctx); ok {
		return p
	}
	return iam.Principal{Account: s.cfg.Account, ARN: "arn:aws:iam::" + s.cfg.Account + ":root", UserID: s.cfg.Account, Root: true}
}

// opContext is the context provisioning runs under: the service's
// lifetime, the principal that started the operation, and the endpoint
// the client used (queue URLs are built from it).
func (s *Service) opContext(st *stackRecord) context.Context {
	ctx := iam.WithPrincipal(s.ctx, st.Principal)
	endpoint := st.Endpoint
	if endpoint == "" {
		endpoint = s.cfg.PublicURL
	}
	return server.WithCall(ctx, server.Call{Endpoint: endpoint})
}

// lookupStack finds a stack by name (live stacks) or ID (any). Callers
// hold s.mu.
func (s *Service) lookupStack(ref string) *stackRecord {
	if st, ok := s.stacks[ref]; ok {
		return st
	}
	if id, ok := s.byName[ref]; ok {
		return s.stacks[id]
	}
	return nil
}

// go runs f as a tracked background operation.
func (s *Service) goOp(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}
