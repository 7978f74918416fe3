package lambdaapi

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

var accountRE = regexp.MustCompile(`^\d{12}$`)

// statement is a resource policy statement as Lambda writes it.
type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// policyDocument renders a function's statements for a qualifier.
func policyDocument(stmts []json.RawMessage) string {
	doc := struct {
		Version   string            `json:"Version"`
		ID        string            `json:"Id"`
		Statement []json.RawMessage `json:"Statement"`
	}{"2012-10-17", "default", stmts}
	b, _ := json.Marshal(doc)
	return string(b)
}

// policyQualifier resolves the qualifier a permission applies to.
func (s *Service) policyQualifier(r *functionRecord, qual string) error {
	if qual == "" || qual == latest {
		return nil
	}
	if _, ok := r.Aliases[qual]; ok {
		return nil
	}
	if _, ok := r.version(qual); ok {
		return nil
	}
	return errFunctionNotFound(s.functionARN(r.Name, qual))
}

// AddPermission adds a statement to a function's resource policy.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*AddPermissionOutput, error) {
	name, qual, err := s.resolveFor(ctx, "lambda:AddPermission", in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	switch {
	case !statementRE.MatchString(in.StatementID) || len(in.StatementID) > 100:
		return nil, errValidation(in.StatementID, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")
	case in.Principal == "" || strings.ContainsAny(in.Principal, " \t\n"):
		return nil, errValidation(in.Principal, "principal", "Member must satisfy regular expression pattern: [^\\s]+")
	case !(in.Action == "*" || in.Action == "lambda:*" || (strings.HasPrefix(in.Action, "lambda:") && len(in.Action) > len("lambda:"))):
		return nil, errValidation(in.Action, "action", "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])")
	}
	st := statement{Sid: in.StatementID, Effect: "Allow", Action: in.Action, Resource: s.functionARN(name, qual)}
	switch {
	case in.Principal == "*":
		st.Principal = "*"
	case accountRE.MatchString(in.Principal):
		st.Principal = map[string]string{"AWS": "arn:aws:iam::" + in.Principal + ":root"}
	case strings.HasPrefix(in.Principal, "arn:"):
		st.Principal = map[string]string{"AWS": in.Principal}
	default:
		st.Principal = map[string]string{"Service": in.Principal}
	}
	cond := map[string]map[string]string{}
	if in.SourceArn != "" {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": in.SourceArn}
	}
	if in.SourceAccount != "" {
		cond["StringEquals"] = map[string]string{"AWS:SourceAccount": in.SourceAccount}
	}
	if in.PrincipalOrgID != "" {
		if cond["StringEquals"] == nil {
			cond["StringEquals"] = map[string]string{}
		}
		cond["StringEquals"]["aws:PrincipalOrgID"] = in.PrincipalOrgID
	}
	if in.EventSourceToken != "" {
		if cond["StringEquals"] == nil {
			cond["StringEquals"] = map[string]string{}
		}
		cond["StringEquals"]["lambda:EventSourceToken"] = in.EventSourceToken
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, errInternal("encode statement", err)
	}
	_, err = s.modify(name, func(r *functionRecord) error {
		if err := s.policyQualifier(r, qual); err != nil {
			return err
		}
		if in.RevisionID != "" && in.RevisionID != r.Latest.RevisionID {
			return errPrecondition()
		}
		for _, have := range r.Policy[qual] {
			var h statement
			if json.Unmarshal(have, &h) == nil && h.Sid == in.StatementID {
				return errConflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementID)
			}
		}
		if r.Policy == nil {
			r.Policy = map[string][]json.RawMessage{}
		}
		r.Policy[qual] = append(r.Policy[qual], raw)
		if len(policyDocument(r.Policy[qual])) > 20480 {
			return lambdaError("PolicyLengthExceededException", 400, "The final policy size (%d) is bigger than the limit (20480).", len(policyDocument(r.Policy[qual])))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AddPermissionOutput{Statement: string(raw)}, nil
}

// GetPolicy returns a function's resource policy.
func (s *Service) GetPolicy(ctx context.Context, in *FunctionNameInput) (*GetPolicyOutput, error) {
	name, qual, err := s.resolveFor(ctx, "lambda:GetPolicy", in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.funcs[name]
	if r == nil {
		return nil, errFunctionNotFound(s.functionARN(name, qual))
	}
	if err := s.policyQualifier(r, qual); err != nil {
		return nil, err
	}
	stmts := r.Policy[qual]
	if len(stmts) == 0 {
		return nil, errNotFound("The resource you requested does not exist.")
	}
	return &GetPolicyOutput{Policy: policyDocument(stmts), RevisionID: r.Latest.RevisionID}, nil
}

// RemovePermission removes a statement from a function's resource policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*StatusOutput, error) {
	name, qual, err := s.resolveFor(ctx, "lambda:RemovePermission", in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	_, err = s.modify(name, func(r *functionRecord) error {
		if err := s.policyQualifier(r, qual); err != nil {
			return err
		}
		if in.RevisionID != "" && in.RevisionID != r.Latest.RevisionID {
			return errPrecondition()
		}
		stmts := r.Policy[qual]
		i := slices.IndexFunc(stmts, func(raw json.RawMessage) bool {
			var h statement
			return json.Unmarshal(raw, &h) == nil && h.Sid == in.StatementID
		})
		if i < 0 {
			return errNotFound("Statement %s is not found in resource policy.", in.StatementID)
		}
		r.Policy[qual] = slices.Delete(stmts, i, i+1)
		if len(r.Policy[qual]) == 0 {
			delete(r.Policy, qual)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &StatusOutput{StatusCode: 204}, nil
}

// resourcePolicy is the policy that applies to invoking name:qual: the
// qualifier's own statements, or the function's for $LATEST and
// unqualified calls; the caller holds s.mu.
func resourcePolicy(r *functionRecord, qual string) string {
	if qual == latest {
		qual = ""
	}
	stmts := r.Policy[qual]
	if len(stmts) == 0 {
		return ""
	}
	return policyDocument(stmts)
}
