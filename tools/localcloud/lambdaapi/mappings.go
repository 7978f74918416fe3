package lambdaapi

import (
	"context"
	"net/http"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
)

// Mappings is the event source mapping engine behind the
// /2015-03-31/event-source-mappings API; *esm.Manager implements it.
type Mappings interface {
	Create(ctx context.Context, in esm.CreateInput) (esm.Mapping, error)
	Get(uuid string) (esm.Mapping, error)
	List(in esm.ListInput) (esm.ListOutput, error)
	Update(ctx context.Context, in esm.UpdateInput) (esm.Mapping, error)
	Delete(ctx context.Context, uuid string) (esm.Mapping, error)
}

// SetMappings connects the event source mapping engine; call it once,
// before serving. (The engine needs the service's Invoker, so it is built
// after the service.)
func (s *Service) SetMappings(m Mappings) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mappings = m
}

func (s *Service) mappingEngine() (Mappings, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.mappings == nil {
		return nil, lambdaError("ServiceException", http.StatusInternalServerError, "Event source mappings are not available in this localcloud.")
	}
	return s.mappings, nil
}

// CreateEventSourceMappingInput is CreateEventSourceMapping's request:
// esm.CreateInput's members, with the timestamp in epoch seconds as
// restJson1 sends it.
type CreateEventSourceMappingInput struct {
	esm.CreateInput
	StartingPositionTimestamp *float64 `json:"StartingPositionTimestamp"`
}

// UpdateEventSourceMappingInput is UpdateEventSourceMapping's request.
type UpdateEventSourceMappingInput struct {
	esm.UpdateInput
	UUID string `json:"-" location:"uri"`
}

// MappingUUIDInput addresses a mapping.
type MappingUUIDInput struct {
	UUID string `json:"-" location:"uri"`
}

// ListEventSourceMappingsInput filters and pages mappings.
type ListEventSourceMappingsInput struct {
	EventSourceArn string `json:"-" location:"querystring"`
	FunctionName   string `json:"-" location:"querystring"`
	Marker         string `json:"-" location:"querystring"`
	MaxItems       *int   `json:"-" location:"querystring"`
}

// EventSourceMappingConfiguration is a mapping as Lambda reports it, with
// timestamps in epoch seconds.
type EventSourceMappingConfiguration struct {
	esm.Mapping
	LastModified              float64  `json:"LastModified"`
	StartingPositionTimestamp *float64 `json:"StartingPositionTimestamp,omitempty"`
	// StatusCode is 202 for Create, Update and Delete, as Lambda answers.
	StatusCode int `json:"-" location:"statusCode"`
}

// ListEventSourceMappingsOutput is a page of mappings.
type ListEventSourceMappingsOutput struct {
	EventSourceMappings []EventSourceMappingConfiguration `json:"EventSourceMappings"`
	NextMarker          string                            `json:"NextMarker,omitempty"`
}

func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func mappingOut(m esm.Mapping) EventSourceMappingConfiguration {
	out := EventSourceMappingConfiguration{Mapping: m, LastModified: epoch(m.LastModified)}
	if m.StartingPositionTimestamp != nil {
		ts := epoch(*m.StartingPositionTimestamp)
		out.StartingPositionTimestamp = &ts
	}
	return out
}

// CreateEventSourceMapping maps a queue or stream to a function.
func (s *Service) CreateEventSourceMapping(ctx context.Context, in *CreateEventSourceMappingInput) (*EventSourceMappingConfiguration, error) {
	m, err := s.mappingEngine()
	if err != nil {
		return nil, err
	}
	t, err := s.target(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:CreateEventSourceMapping", s.functionARN(t.name, t.qualifier), ""); err != nil {
		return nil, err
	}
	c := in.CreateInput
	if in.StartingPositionTimestamp != nil {
		ts := time.Unix(0, int64(*in.StartingPositionTimestamp*1e9)).UTC()
		c.StartingPositionTimestamp = &ts
	}
	mp, err := m.Create(ctx, c)
	if err != nil {
		return nil, err
	}
	out := mappingOut(mp)
	out.StatusCode = http.StatusAccepted
	return &out, nil
}

// GetEventSourceMapping returns a mapping.
func (s *Service) GetEventSourceMapping(ctx context.Context, in *MappingUUIDInput) (*EventSourceMappingConfiguration, error) {
	m, err := s.mappingEngine()
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:GetEventSourceMapping", s.mappingARN(in.UUID), ""); err != nil {
		return nil, err
	}
	mp, err := m.Get(in.UUID)
	if err != nil {
		return nil, err
	}
	out := mappingOut(mp)
	return &out, nil
}

// ListEventSourceMappings lists mappings, optionally of one source or
// function.
func (s *Service) ListEventSourceMappings(ctx context.Context, in *ListEventSourceMappingsInput) (*ListEventSourceMappingsOutput, error) {
	m, err := s.mappingEngine()
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:ListEventSourceMappings", "*", ""); err != nil {
		return nil, err
	}
	li := esm.ListInput{EventSourceArn: in.EventSourceArn, FunctionName: in.FunctionName, Marker: in.Marker}
	if in.MaxItems != nil {
		if *in.MaxItems < 1 || *in.MaxItems > 10000 {
			return nil, errValidation(*in.MaxItems, "maxItems", "Member must have value between 1 and 10000")
		}
		li.MaxItems = *in.MaxItems
	}
	page, err := m.List(li)
	if err != nil {
		return nil, err
	}
	out := &ListEventSourceMappingsOutput{EventSourceMappings: []EventSourceMappingConfiguration{}, NextMarker: page.NextMarker}
	for _, mp := range page.EventSourceMappings {
		out.EventSourceMappings = append(out.EventSourceMappings, mappingOut(mp))
	}
	return out, nil
}

// UpdateEventSourceMapping changes a mapping.
func (s *Service) UpdateEventSourceMapping(ctx context.Context, in *UpdateEventSourceMappingInput) (*EventSourceMappingConfiguration, error) {
	m, err := s.mappingEngine()
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:UpdateEventSourceMapping", s.mappingARN(in.UUID), ""); err != nil {
		return nil, err
	}
	if in.FunctionName != "" {
		if _, err := s.target(in.FunctionName, ""); err != nil {
			return nil, err
		}
	}
	u := in.UpdateInput
	u.UUID = in.UUID
	mp, err := m.Update(ctx, u)
	if err != nil {
		return nil, err
	}
	out := mappingOut(mp)
	out.StatusCode = http.StatusAccepted
	return &out, nil
}

// DeleteEventSourceMapping deletes a mapping.
func (s *Service) DeleteEventSourceMapping(ctx context.Context, in *MappingUUIDInput) (*EventSourceMappingConfiguration, error) {
	m, err := s.mappingEngine()
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:DeleteEventSourceMapping", s.mappingARN(in.UUID), ""); err != nil {
		return nil, err
	}
	mp, err := m.Delete(ctx, in.UUID)
	if err != nil {
		return nil, err
	}
	out := mappingOut(mp)
	out.StatusCode = http.StatusAccepted
	return &out, nil
}

func (s *Service) mappingARN(uuid string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.Account + ":event-source-mapping:" + uuid
}

// Invoker is what event source mappings invoke functions through: the
// engine, with alias qualifiers resolved to their versions, and the
// functions' reserved concurrency and the engine's figures (it implements
// esm.Invoker, esm.ConcurrencyLimiter and esm.CapacityReporter).
type Invoker struct{ s *Service }

// Invoker returns the service's Invoker.
func (s *Service) Invoker() Invoker { return Invoker{s} }

// Invoke implements esm.Invoker.
func (i Invoker) Invoke(ctx context.Context, req pool.Request) (*pool.Response, error) {
	if req.Qualifier != "" {
		i.s.mu.RLock()
		if r := i.s.funcs[req.FunctionName]; r != nil {
			if a := r.Aliases[req.Qualifier]; a != nil {
				req.Qualifier = a.FunctionVersion
			}
		}
		i.s.mu.RUnlock()
		if req.Qualifier == latest {
			req.Qualifier = ""
		}
	}
	return i.s.engine.Invoke(ctx, req)
}

// Figures implements esm.CapacityReporter: SQS pollers back off while a
// function's invocations wait for capacity.
func (i Invoker) Figures(functionName string) pool.Figures { return i.s.engine.Figures(functionName) }

// ReservedConcurrency implements esm.ConcurrencyLimiter.
func (i Invoker) ReservedConcurrency(functionName string) (int, bool) {
	i.s.mu.RLock()
	defer i.s.mu.RUnlock()
	if r := i.s.funcs[functionName]; r != nil && r.Reserved != nil {
		return *r.Reserved, true
	}
	return 0, false
}
