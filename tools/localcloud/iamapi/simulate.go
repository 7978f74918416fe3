package iamapi

import (
	"context"
	"fmt"
	"strconv"

	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
)

// ContextEntry is a condition key given to the policy simulator.
type ContextEntry struct {
	ContextKeyName   string   `query:"ContextKeyName"`
	ContextKeyValues []string `query:"ContextKeyValues"`
	ContextKeyType   string   `query:"ContextKeyType"`
}

// SimulateInput is the input of SimulateCustomPolicy and
// SimulatePrincipalPolicy (PolicySourceArn only for the latter).
type SimulateInput struct {
	PolicySourceArn                    string         `query:"PolicySourceArn"`
	PolicyInputList                    []string       `query:"PolicyInputList"`
	PermissionsBoundaryPolicyInputList []string       `query:"PermissionsBoundaryPolicyInputList"`
	ActionNames                        []string       `query:"ActionNames"`
	ResourceArns                       []string       `query:"ResourceArns"`
	ResourcePolicy                     string         `query:"ResourcePolicy"`
	ResourceOwner                      string         `query:"ResourceOwner"`
	CallerArn                          string         `query:"CallerArn"`
	ContextEntries                     []ContextEntry `query:"ContextEntries"`
	ResourceHandlingOption             string         `query:"ResourceHandlingOption"`
	MaxItems                           int            `query:"MaxItems"`
	Marker                             string         `query:"Marker"`
}

// MatchedStatement names a statement that decided a simulation.
type MatchedStatement struct {
	SourcePolicyID   string `query:"SourcePolicyId"`
	SourcePolicyType string `query:"SourcePolicyType"`
}

// PermissionsBoundaryDecisionDetail says whether the boundary allowed.
type PermissionsBoundaryDecisionDetail struct {
	AllowedByPermissionsBoundary bool `query:"AllowedByPermissionsBoundary"`
}

// EvaluationResult is one simulated (action, resource) pair.
type EvaluationResult struct {
	EvalActionName                    string                             `query:"EvalActionName"`
	EvalResourceName                  string                             `query:"EvalResourceName"`
	EvalDecision                      string                             `query:"EvalDecision"`
	MatchedStatements                 []MatchedStatement                 `query:"MatchedStatements"`
	PermissionsBoundaryDecisionDetail *PermissionsBoundaryDecisionDetail `query:"PermissionsBoundaryDecisionDetail"`
}

// SimulateOutput is the output of both simulation operations.
type SimulateOutput struct {
	EvaluationResults []EvaluationResult `query:"EvaluationResults"`
	IsTruncated       bool               `query:"IsTruncated"`
	Marker            string             `query:"Marker"`
}

// simPolicy is a policy of a simulation with the identifiers the simulator
// reports for it.
type simPolicy struct {
	policy     policy.Policy
	sourceID   string
	sourceType string
}

// SimulateCustomPolicy evaluates the given identity policies (and optional
// boundary and resource policy) for every action and resource, as IAM's
// policy simulator does.
func (s *Service) SimulateCustomPolicy(_ context.Context, in *SimulateInput) (*SimulateOutput, error) {
	if len(in.PolicyInputList) == 0 {
		return nil, errMissing("policyInputList")
	}
	identity, err := simPolicies(in.PolicyInputList, policy.IdentityBased, "PolicyInputList")
	if err != nil {
		return nil, err
	}
	principal := policy.Principal{ARN: in.CallerArn, Account: s.cfg.Account}
	return s.simulate(in, principal, identity, nil)
}

// SimulatePrincipalPolicy evaluates a role's policies (plus any given in
// PolicyInputList) for every action and resource.
func (s *Service) SimulatePrincipalPolicy(_ context.Context, in *SimulateInput) (*SimulateOutput, error) {
	if in.PolicySourceArn == "" {
		return nil, errMissing("policySourceArn")
	}
	identity, err := simPolicies(in.PolicyInputList, policy.IdentityBased, "PolicyInputList")
	if err != nil {
		return nil, err
	}
	var boundary *simPolicy
	s.mu.RLock()
	r, ok := s.roleByARN(in.PolicySourceArn)
	if ok {
		for name, doc := range r.inline {
			identity = append(identity, simPolicy{policy: policy.Policy{Type: policy.IdentityBased, Name: name, Document: doc}, sourceID: name, sourceType: "role"})
		}
		for _, arn := range r.Attached {
			if m, found := s.policies[arn]; found {
				typ := "user-managed"
				if m.awsManaged {
					typ = "aws-managed"
				}
				identity = append(identity, simPolicy{policy: policy.Policy{Type: policy.IdentityBased, Name: m.Name, ARN: m.ARN, Document: m.defaultDoc}, sourceID: m.Name, sourceType: typ})
			}
		}
		if m, found := s.policies[r.Boundary]; found && r.Boundary != "" {
			boundary = &simPolicy{policy: policy.Policy{Type: policy.PermissionsBoundary, Name: m.Name, ARN: m.ARN, Document: m.defaultDoc}, sourceID: m.Name, sourceType: "user-managed"}
		}
	}
	s.mu.RUnlock()
	if !ok {
		return nil, iamError("NoSuchEntity", 404, "Role %s does not exist.", in.PolicySourceArn)
	}
	principal := policy.Principal{ARN: in.PolicySourceArn, Account: s.cfg.Account}
	if in.CallerArn != "" {
		principal.ARN = in.CallerArn
	}
	return s.simulate(in, principal, identity, boundary)
}

func simPolicies(docs []string, typ policy.PolicyType, list string) ([]simPolicy, error) {
	out := make([]simPolicy, 0, len(docs))
	for i, text := range docs {
		doc, err := policy.Parse(text, policy.Identity)
		if err != nil {
			return nil, errMalformed(err)
		}
		id := list + "." + strconv.Itoa(i+1)
		out = append(out, simPolicy{policy: policy.Policy{Type: typ, Name: id, Document: doc}, sourceID: id})
	}
	return out, nil
}

func (s *Service) simulate(in *SimulateInput, principal policy.Principal, identity []simPolicy, boundary *simPolicy) (*SimulateOutput, error) {
	if len(in.ActionNames) == 0 {
		return nil, errMissing("actionNames")
	}
	if len(in.PermissionsBoundaryPolicyInputList) > 0 {
		given, err := simPolicies(in.PermissionsBoundaryPolicyInputList[:1], policy.PermissionsBoundary, "PermissionsBoundaryPolicyInputList")
		if err != nil {
			return nil, err
		}
		boundary = &given[0]
	}
	var resource *simPolicy
	if in.ResourcePolicy != "" {
		doc, err := policy.Parse(in.ResourcePolicy, policy.Resource)
		if err != nil {
			return nil, errMalformed(err)
		}
		resource = &simPolicy{policy: policy.Policy{Type: policy.ResourceBased, Name: "ResourcePolicy", Document: doc}, sourceID: "ResourcePolicy", sourceType: "resource"}
		if principal.ARN == "" {
			return nil, errInvalidInput("Invalid Input: CallerArn is required when a ResourcePolicy is given.")
		}
	}
	ctxKeys := map[string][]string{}
	for _, c := range in.ContextEntries {
		ctxKeys[c.ContextKeyName] = c.ContextKeyValues
	}
	resources := in.ResourceArns
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	input := policy.Input{}
	for _, p := range identity {
		input.Identity = append(input.Identity, p.policy)
	}
	if boundary != nil {
		input.Boundary = &boundary.policy
	}
	if resource != nil {
		input.Resource = &resource.policy
	}
	all := append(append([]simPolicy(nil), identity...), optional(boundary, resource)...)
	now := s.cfg.Clock.Now()
	var results []EvaluationResult
	var keys []string
	for _, action := range in.ActionNames {
		for _, res := range resources {
			input.Request = policy.Request{Principal: principal, Action: action, Resource: res, Time: now, Context: ctxKeys}
			d := policy.Evaluate(input)
			r := EvaluationResult{EvalActionName: action, EvalResourceName: res, EvalDecision: simDecision(d.Outcome)}
			if d.Statement != nil {
				r.MatchedStatements = []MatchedStatement{matched(all, d.Statement)}
			}
			if boundary != nil {
				only := policy.Evaluate(policy.Input{Request: input.Request, Identity: []policy.Policy{{Type: policy.IdentityBased, Name: boundary.policy.Name, Document: boundary.policy.Document}}})
				r.PermissionsBoundaryDecisionDetail = &PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: only.Allowed()}
			}
			keys = append(keys, fmt.Sprintf("%08d", len(results)))
			results = append(results, r)
		}
	}
	pg, truncated, next, err := page(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &SimulateOutput{IsTruncated: truncated, Marker: next, EvaluationResults: []EvaluationResult{}}
	for _, k := range pg {
		i, _ := strconv.Atoi(k)
		out.EvaluationResults = append(out.EvaluationResults, results[i])
	}
	return out, nil
}

func optional(ps ...*simPolicy) []simPolicy {
	var out []simPolicy
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func matched(all []simPolicy, ref *policy.StatementRef) MatchedStatement {
	for _, p := range all {
		if p.policy.Type == ref.PolicyType && p.policy.Name == ref.PolicyName {
			return MatchedStatement{SourcePolicyID: p.sourceID, SourcePolicyType: p.sourceType}
		}
	}
	return MatchedStatement{SourcePolicyID: ref.PolicyName}
}

func simDecision(o policy.Outcome) string {
	switch o {
	case policy.Allowed:
		return "allowed"
	case policy.ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}
