package lambdaapi

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// CreateAlias points a new alias at a version.
func (s *Service) CreateAlias(ctx context.Context, in *AliasInput) (*AliasConfiguration, error) {
	name, qual, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := unqualified(qual); err != nil {
		return nil, err
	}
	if err := checkAliasName(in.Name); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:CreateAlias", s.functionARN(name, in.Name), ""); err != nil {
		return nil, err
	}
	if in.FunctionVersion == nil {
		return nil, errValidation("null", "functionVersion", "Member must not be null")
	}
	var out AliasConfiguration
	_, err = s.modify(name, func(r *functionRecord) error {
		if _, ok := r.Aliases[in.Name]; ok {
			return errConflict("Alias already exists: %s", s.functionARN(name, in.Name))
		}
		if _, ok := r.version(*in.FunctionVersion); !ok {
			return errFunctionNotFound(s.functionARN(name, *in.FunctionVersion))
		}
		a := &aliasRecord{Name: in.Name, FunctionVersion: *in.FunctionVersion, Routing: in.RoutingConfig, RevisionID: s.cfg.IDs.UUID()}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if r.Aliases == nil {
			r.Aliases = map[string]*aliasRecord{}
		}
		r.Aliases[in.Name] = a
		out = s.alias(name, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func checkAliasName(n string) error {
	if n == "" || len(n) > 128 || !aliasRE.MatchString(n) || versionRE.MatchString(n) || n == latest {
		return errValidation(n, "name", "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
	}
	return nil
}

func (s *Service) alias(name string, a *aliasRecord) AliasConfiguration {
	return AliasConfiguration{AliasArn: s.functionARN(name, a.Name), Name: a.Name, FunctionVersion: a.FunctionVersion,
		Description: a.Description, RoutingConfig: a.Routing, RevisionID: a.RevisionID}
}

// GetAlias returns an alias.
func (s *Service) GetAlias(ctx context.Context, in *AliasNameInput) (*AliasConfiguration, error) {
	name, _, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:GetAlias", s.functionARN(name, in.Name), ""); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.funcs[name]
	if r == nil {
		return nil, errFunctionNotFound(s.functionARN(name, ""))
	}
	a := r.Aliases[in.Name]
	if a == nil {
		return nil, errNotFound("Cannot find alias arn: %s", s.functionARN(name, in.Name))
	}
	out := s.alias(name, a)
	return &out, nil
}

// UpdateAlias repoints or describes an alias.
func (s *Service) UpdateAlias(ctx context.Context, in *AliasInput) (*AliasConfiguration, error) {
	name, _, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:UpdateAlias", s.functionARN(name, in.Name), ""); err != nil {
		return nil, err
	}
	var out AliasConfiguration
	_, err = s.modify(name, func(r *functionRecord) error {
		a := r.Aliases[in.Name]
		if a == nil {
			return errNotFound("Alias not found: %s", s.functionARN(name, in.Name))
		}
		if in.RevisionID != "" && in.RevisionID != a.RevisionID {
			return errPrecondition()
		}
		if in.FunctionVersion != nil {
			if _, ok := r.version(*in.FunctionVersion); !ok {
				return errFunctionNotFound(s.functionARN(name, *in.FunctionVersion))
			}
			a.FunctionVersion = *in.FunctionVersion
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			a.Routing = in.RoutingConfig
		}
		a.RevisionID = s.cfg.IDs.UUID()
		out = s.alias(name, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteAlias deletes an alias (and its resource policy).
func (s *Service) DeleteAlias(ctx context.Context, in *AliasNameInput) (*StatusOutput, error) {
	name, _, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:DeleteAlias", s.functionARN(name, in.Name), ""); err != nil {
		return nil, err
	}
	_, err = s.modify(name, func(r *functionRecord) error {
		// Lambda answers success for an alias that does not exist.
		delete(r.Aliases, in.Name)
		delete(r.Policy, in.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &StatusOutput{StatusCode: 204}, nil
}

// ListAliases lists a function's aliases, optionally those of one version.
func (s *Service) ListAliases(ctx context.Context, in *ListAliasesInput) (*ListAliasesOutput, error) {
	name, _, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:ListAliases", s.functionARN(name, ""), ""); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.funcs[name]
	if r == nil {
		return nil, errFunctionNotFound(s.functionARN(name, ""))
	}
	all := []AliasConfiguration{}
	for _, n := range slices.Sorted(maps.Keys(r.Aliases)) {
		if a := r.Aliases[n]; in.FunctionVersion == "" || a.FunctionVersion == in.FunctionVersion {
			all = append(all, s.alias(name, a))
		}
	}
	from, to, next, err := page(len(all), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListAliasesOutput{Aliases: all[from:to], NextMarker: next}, nil
}

// PutFunctionConcurrency reserves concurrency for a function (0 stops
// all its invocations).
func (s *Service) PutFunctionConcurrency(ctx context.Context, in *PutConcurrencyInput) (*Concurrency, error) {
	name, err := s.resolveUnqualifiedFor(ctx, "lambda:PutFunctionConcurrency", in.FunctionName)
	if err != nil {
		return nil, err
	}
	if in.ReservedConcurrentExecutions == nil {
		return nil, errValidation("null", "reservedConcurrentExecutions", "Member must not be null")
	}
	n := *in.ReservedConcurrentExecutions
	if n < 0 {
		return nil, errValidation(n, "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")
	}
	_, err = s.modify(name, func(r *functionRecord) error {
		others := 0
		for _, o := range s.funcs {
			if o.Name != name && o.Reserved != nil {
				others += *o.Reserved
			}
		}
		// Lambda keeps at least 10 concurrent executions unreserved.
		if limit := s.maxConcurrency() - 10 - others; n > limit {
			return errInvalidParameter("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [10].")
		}
		r.Reserved = &n
		return s.engine.SetReservedConcurrency(name, &n)
	})
	if err != nil {
		return nil, err
	}
	return &Concurrency{ReservedConcurrentExecutions: &n}, nil
}

// GetFunctionConcurrency returns a function's reserved concurrency.
func (s *Service) GetFunctionConcurrency(ctx context.Context, in *FunctionNameInput) (*Concurrency, error) {
	name, _, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:GetFunctionConcurrency", s.functionARN(name, ""), ""); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.funcs[name]
	if r == nil {
		return nil, errFunctionNotFound(s.functionARN(name, ""))
	}
	out := &Concurrency{}
	if r.Reserved != nil {
		n := *r.Reserved
		out.ReservedConcurrentExecutions = &n
	}
	return out, nil
}

// DeleteFunctionConcurrency removes a function's reservation.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, in *FunctionNameInput) (*StatusOutput, error) {
	name, _, err := s.resolve(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, "lambda:DeleteFunctionConcurrency", s.functionARN(name, ""), ""); err != nil {
		return nil, err
	}
	_, err = s.modify(name, func(r *functionRecord) error {
		r.Reserved = nil
		return s.engine.SetReservedConcurrency(name, nil)
	})
	if err != nil {
		return nil, err
	}
	return &StatusOutput{StatusCode: 204}, nil
}

// taggedFunction resolves a taggable resource ARN to a function name and
// checks that the caller may perform action on it.
func (s *Service) taggedFunction(ctx context.Context, action, arn string) (string, error) {
	if !strings.HasPrefix(arn, "arn:") {
		return "", errInvalidParameter("1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern", arn)
	}
	name, qual, err := s.resolve(arn, "")
	if err != nil {
		return "", err
	}
	if qual != "" {
		return "", errInvalidParameter("Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	if err := s.authorize(ctx, action, arn, ""); err != nil {
		return "", err
	}
	return name, nil
}

// TagResource adds or replaces a function's tags.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*StatusOutput, error) {
	name, err := s.taggedFunction(ctx, "lambda:TagResource", in.Resource)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	_, err = s.modify(name, func(r *functionRecord) error {
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		maps.Copy(r.Tags, in.Tags)
		return checkTags(r.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &StatusOutput{StatusCode: 204}, nil
}

// UntagResource removes tags by key.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*StatusOutput, error) {
	name, err := s.taggedFunction(ctx, "lambda:UntagResource", in.Resource)
	if err != nil {
		return nil, err
	}
	_, err = s.modify(name, func(r *functionRecord) error {
		for _, k := range in.TagKeys {
			delete(r.Tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &StatusOutput{StatusCode: 204}, nil
}

// ListTags returns a function's tags.
func (s *Service) ListTags(ctx context.Context, in *ResourceInput) (*ListTagsOutput, error) {
	name, err := s.taggedFunction(ctx, "lambda:ListTags", in.Resource)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.funcs[name]
	if r == nil {
		return nil, errFunctionNotFound(in.Resource)
	}
	tags := maps.Clone(r.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return &ListTagsOutput{Tags: tags}, nil
}
