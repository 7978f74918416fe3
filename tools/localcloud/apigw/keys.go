package apigw

import (
	"context"
	"slices"
	"sort"
	"strings"
)

// CreateAPIKey creates a key with the given value or a generated 40-character
// one. Keys are disabled unless enabled is true, as in API Gateway.
func (s *Service) CreateAPIKey(_ context.Context, in *CreateAPIKeyInput) (*APIKey, error) {
	value := in.Value
	if value == "" {
		value = s.cfg.IDs.Hex(20)
	}
	if len(value) < 20 {
		return nil, badRequest("API Key value should be at least 20 characters")
	}
	if len(value) > 128 {
		return nil, badRequest("API Key value exceeds maximum size of 128 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byVal[value]; ok {
		return nil, conflict("API Key already exists")
	}
	now := s.now().Unix()
	k := &APIKey{ID: s.newID(), Value: value, Name: in.Name, CustomerID: in.CustomerID, Description: in.Description,
		Enabled: in.Enabled, CreatedDate: now, LastUpdatedDate: now, Tags: in.Tags}
	if k.Name == "" {
		k.Name = k.ID
	}
	if err := putJSON(s.cfg.Store, bucketKeys, k.ID, k); err != nil {
		return nil, err
	}
	s.keys[k.ID], s.byVal[value] = k, k.ID
	out := *k
	return &out, nil
}

// GetAPIKey returns a key, with its value only when includeValue is set.
func (s *Service) GetAPIKey(_ context.Context, in *APIKeyRef) (*APIKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[in.APIKey]
	if !ok {
		return nil, notFound("Invalid API Key identifier specified")
	}
	out := *k
	if !in.IncludeValue {
		out.Value = ""
	}
	return &out, nil
}

// GetAPIKeys lists keys by name.
func (s *Service) GetAPIKeys(_ context.Context, in *ListAPIKeysInput) (*APIKeys, error) {
	s.mu.RLock()
	items := []APIKey{}
	for _, k := range s.keys {
		if in.NameQuery != "" && !strings.HasPrefix(k.Name, in.NameQuery) {
			continue
		}
		if in.CustomerID != "" && k.CustomerID != in.CustomerID {
			continue
		}
		out := *k
		if !in.IncludeValues {
			out.Value = ""
		}
		items = append(items, out)
	}
	s.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool {
		if items[i].Name != items[j].Name {
			return items[i].Name < items[j].Name
		}
		return items[i].ID < items[j].ID
	})
	items, next := page(items, in.Position, in.Limit)
	return &APIKeys{Items: items, Position: next}, nil
}

// DeleteAPIKey deletes a key and its usage plan associations.
func (s *Service) DeleteAPIKey(_ context.Context, in *APIKeyRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[in.APIKey]
	if !ok {
		return nil, notFound("Invalid API Key identifier specified")
	}
	for _, p := range s.plans {
		if i := slices.Index(p.Keys, k.ID); i >= 0 {
			c := clone(p)
			c.Keys = slices.Delete(c.Keys, i, i+1)
			if err := putJSON(s.cfg.Store, bucketPlans, c.Plan.ID, c); err != nil {
				return nil, err
			}
			s.plans[c.Plan.ID] = c
		}
	}
	if err := deleteKey(s.cfg.Store, bucketKeys, k.ID); err != nil {
		return nil, err
	}
	delete(s.keys, k.ID)
	delete(s.byVal, k.Value)
	return &Empty{}, nil
}

var quotaPeriods = map[string]bool{"DAY": true, "WEEK": true, "MONTH": true}

// CreateUsagePlan creates a usage plan; its stages must exist.
func (s *Service) CreateUsagePlan(_ context.Context, in *CreateUsagePlanInput) (*UsagePlan, error) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, badRequest("Usage plan name must be non-empty")
	}
	if q := in.Quota; q != nil {
		if !quotaPeriods[q.Period] {
			return nil, badRequest("Invalid quota period specified. Valid options are DAY,WEEK,MONTH")
		}
		if q.Limit < 0 {
			return nil, badRequest("Quota limit must be non-negative")
		}
		if q.Offset < 0 || (q.Period == "DAY" && q.Offset != 0) || (q.Period == "WEEK" && q.Offset > 6) || (q.Period == "MONTH" && q.Offset > 27) {
			return nil, badRequest("Invalid quota offset specified for period %s", q.Period)
		}
	}
	if t := in.Throttle; t != nil && (t.RateLimit < 0 || t.BurstLimit < 0) {
		return nil, badRequest("Throttle limits must be non-negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range in.APIStages {
		r, ok := s.apis[st.APIID]
		if !ok {
			return nil, notFound("Invalid API identifier specified %s:%s", s.cfg.Account, st.APIID)
		}
		if _, ok := r.Stages[st.Stage]; !ok {
			return nil, notFound("Invalid stage identifier specified")
		}
	}
	p := &planRecord{Plan: UsagePlan{ID: s.cfg.IDs.Hex(3), Name: in.Name, Description: in.Description, APIStages: in.APIStages,
		Throttle: in.Throttle, Quota: in.Quota, Tags: in.Tags}}
	if err := putJSON(s.cfg.Store, bucketPlans, p.Plan.ID, p); err != nil {
		return nil, err
	}
	s.plans[p.Plan.ID] = p
	return &clone(p).Plan, nil
}

// GetUsagePlan returns a usage plan.
func (s *Service) GetUsagePlan(_ context.Context, in *UsagePlanRef) (*UsagePlan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.plans[in.UsagePlanID]
	if !ok {
		return nil, notFound("Invalid Usage Plan ID specified")
	}
	return &clone(p).Plan, nil
}

// GetUsagePlans lists usage plans, optionally those a key belongs to.
func (s *Service) GetUsagePlans(_ context.Context, in *ListUsagePlansInput) (*UsagePlans, error) {
	s.mu.RLock()
	items := []UsagePlan{}
	for _, p := range s.plans {
		if in.KeyID != "" && !slices.Contains(p.Keys, in.KeyID) {
			continue
		}
		items = append(items, clone(p).Plan)
	}
	s.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	items, next := page(items, in.Position, in.Limit)
	return &UsagePlans{Items: items, Position: next}, nil
}

// DeleteUsagePlan deletes a usage plan.
func (s *Service) DeleteUsagePlan(_ context.Context, in *UsagePlanRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.plans[in.UsagePlanID]; !ok {
		return nil, notFound("Invalid Usage Plan ID specified")
	}
	if err := deleteKey(s.cfg.Store, bucketPlans, in.UsagePlanID); err != nil {
		return nil, err
	}
	delete(s.plans, in.UsagePlanID)
	return &Empty{}, nil
}

// CreateUsagePlanKey associates an API key with a usage plan. A key may be
// in only one plan per API stage, as in API Gateway.
func (s *Service) CreateUsagePlanKey(_ context.Context, in *CreateUsagePlanKeyInput) (*UsagePlanKey, error) {
	if in.KeyType != "API_KEY" {
		return nil, badRequest("Invalid key type specified. Valid options are API_KEY")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[in.UsagePlanID]
	if !ok {
		return nil, notFound("Invalid Usage Plan ID specified")
	}
	k, ok := s.keys[in.KeyID]
	if !ok {
		return nil, notFound("Invalid API Key identifier specified")
	}
	if slices.Contains(p.Keys, k.ID) {
		return nil, conflict("Usage Plan %s already contains API Key %s", p.Plan.ID, k.ID)
	}
	for _, other := range s.plans {
		if other == p || !slices.Contains(other.Keys, k.ID) {
			continue
		}
		for _, a := range other.Plan.APIStages {
			for _, b := range p.Plan.APIStages {
				if a.APIID == b.APIID && a.Stage == b.Stage {
					return nil, conflict("Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage: %s:%s",
						p.Plan.ID, k.ID, a.APIID, a.Stage)
				}
			}
		}
	}
	c := clone(p)
	c.Keys = append(c.Keys, k.ID)
	if err := putJSON(s.cfg.Store, bucketPlans, c.Plan.ID, c); err != nil {
		return nil, err
	}
	s.plans[c.Plan.ID] = c
	return &UsagePlanKey{ID: k.ID, Type: "API_KEY", Value: k.Value, Name: k.Name}, nil
}

// GetUsagePlanKey returns a key of a usage plan.
func (s *Service) GetUsagePlanKey(_ context.Context, in *UsagePlanKeyRef) (*UsagePlanKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.plans[in.UsagePlanID]
	if !ok {
		return nil, notFound("Invalid Usage Plan ID specified")
	}
	k, ok := s.keys[in.KeyID]
	if !ok || !slices.Contains(p.Keys, in.KeyID) {
		return nil, notFound("Invalid Usage Plan Key identifier specified")
	}
	return &UsagePlanKey{ID: k.ID, Type: "API_KEY", Value: k.Value, Name: k.Name}, nil
}

// GetUsagePlanKeys lists the keys of a usage plan.
func (s *Service) GetUsagePlanKeys(_ context.Context, in *ListUsagePlanKeysInput) (*UsagePlanKeys, error) {
	s.mu.RLock()
	p, ok := s.plans[in.UsagePlanID]
	if !ok {
		s.mu.RUnlock()
		return nil, notFound("Invalid Usage Plan ID specified")
	}
	items := []UsagePlanKey{}
	for _, id := range p.Keys {
		if k, ok := s.keys[id]; ok && (in.NameQuery == "" || strings.HasPrefix(k.Name, in.NameQuery)) {
			items = append(items, UsagePlanKey{ID: k.ID, Type: "API_KEY", Value: k.Value, Name: k.Name})
		}
	}
	s.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	items, next := page(items, in.Position, in.Limit)
	return &UsagePlanKeys{Items: items, Position: next}, nil
}

// DeleteUsagePlanKey removes a key from a usage plan.
func (s *Service) DeleteUsagePlanKey(_ context.Context, in *UsagePlanKeyRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[in.UsagePlanID]
	if !ok {
		return nil, notFound("Invalid Usage Plan ID specified")
	}
	i := slices.Index(p.Keys, in.KeyID)
	if i < 0 {
		return nil, notFound("Invalid Usage Plan Key identifier specified")
	}
	c := clone(p)
	c.Keys = slices.Delete(c.Keys, i, i+1)
	if err := putJSON(s.cfg.Store, bucketPlans, c.Plan.ID, c); err != nil {
		return nil, err
	}
	s.plans[c.Plan.ID] = c
	return &Empty{}, nil
}

// keyPlan finds the enabled key with value and the usage plan that covers
// apiID/stage and holds it.
func (s *Service) keyPlan(value, apiID, stage string) (*APIKey, *UsagePlan, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byVal[value]
	if !ok {
		return nil, nil, false
	}
	k := s.keys[id]
	if k == nil || !k.Enabled {
		return nil, nil, false
	}
	for _, p := range s.plans {
		if !slices.Contains(p.Keys, k.ID) {
			continue
		}
		for _, st := range p.Plan.APIStages {
			if st.APIID == apiID && st.Stage == stage {
				// Installed records are replaced, never changed.
				return k, &p.Plan, true
			}
		}
	}
	return nil, nil, false
}
