package iamapi

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Member patterns from the IAM API model.
var (
	nameRE       = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathRE       = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	policyPathRE = regexp.MustCompile(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`)
	tagRE        = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

const (
	namePattern       = `[\w+=,.@-]+`
	pathPattern       = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	policyPathPattern = `((/[A-Za-z0-9\.,\+@=_-]+)*)/`
)

func validName(member, name string, max int) error {
	switch {
	case name == "":
		return errMissing(member)
	case len(name) > max:
		return errValidation(name, member, fmt.Sprintf("Member must have length less than or equal to %d", max))
	case !nameRE.MatchString(name):
		return errValidation(name, member, "Member must satisfy regular expression pattern: "+namePattern)
	}
	return nil
}

func validPath(member, path string, re *regexp.Regexp, pattern string) error {
	if len(path) > 512 {
		return errValidation(path, member, "Member must have length less than or equal to 512")
	}
	if !re.MatchString(path) {
		return errValidation(path, member, "Member must satisfy regular expression pattern: "+pattern)
	}
	return nil
}

func validTags(tags []Tag) error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || !tagRE.MatchString(t.Key) {
			return errValidation(t.Key, "tags.member.key", "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+")
		}
		if len(t.Value) > 256 || !tagRE.MatchString(t.Value) {
			return errValidation(t.Value, "tags.member.value", "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*")
		}
	}
	return nil
}

func mergeTags(have []tagRecord, add []Tag) []tagRecord {
	out := append([]tagRecord(nil), have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, tagRecord(t))
		}
	}
	return out
}

func (s *Service) roleARN(r *roleRecord) string {
	return "arn:aws:iam::" + s.cfg.Account + ":role" + r.Path + r.Name
}

func (s *Service) roleShape(r *roleRecord, full bool) Role {
	out := Role{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: s.roleARN(r), CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: urlEncode(r.AssumeRolePolicy), Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
	if full {
		out.Tags = toTags(r.Tags)
		out.RoleLastUsed = &RoleLastUsed{}
		if r.Boundary != "" {
			out.PermissionsBoundary = &AttachedPermissionsBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: r.Boundary}
		}
	}
	return out
}

// role returns the role named name; the caller holds s.mu.
func (s *Service) role(name string) (*roleRecord, error) {
	if name == "" {
		return nil, errMissing("roleName")
	}
	r, ok := s.roles[strings.ToLower(name)]
	if !ok {
		return nil, errNoSuchRole(name)
	}
	return r, nil
}

func validMaxSession(n int) error {
	if n != 0 && (n < 3600 || n > 43200) {
		return errValidation(n, "maxSessionDuration", "Member must have value greater than or equal to 3600")
	}
	return nil
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(_ context.Context, in *CreateRoleInput) (*RoleOutput, error) {
	if err := validName("roleName", in.RoleName, 64); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if err := validPath("path", in.Path, pathRE, pathPattern); err != nil {
		return nil, err
	}
	if in.AssumeRolePolicyDocument == "" {
		return nil, errMissing("assumeRolePolicyDocument")
	}
	if len(in.Description) > 1000 {
		return nil, errValidation(in.Description, "description", "Member must have length less than or equal to 1000")
	}
	if err := validMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTagsPerRole {
		return nil, errLimit("The number of tags has reached the maximum limit.")
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	trust, err := policy.Parse(in.AssumeRolePolicyDocument, policy.Trust)
	if err != nil {
		return nil, errMalformed(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.roles[strings.ToLower(in.RoleName)]; ok {
		return nil, errExists("Role with name %s already exists.", in.RoleName)
	}
	if in.PermissionsBoundary != "" {
		if _, ok := s.policies[in.PermissionsBoundary]; !ok {
			return nil, errInvalidInput("Scope ARN: %s does not exist or is not attachable.", in.PermissionsBoundary)
		}
	}
	r := &roleRecord{Name: in.RoleName, Path: in.Path, ID: s.uniqueID("AROA"), Created: s.now().UnixMilli(),
		AssumeRolePolicy: in.AssumeRolePolicyDocument, Description: in.Description, MaxSessionDuration: in.MaxSessionDuration,
		Boundary: in.PermissionsBoundary, Tags: mergeTags(nil, in.Tags), trust: trust, inline: map[string]*policy.Document{}}
	if r.MaxSessionDuration == 0 {
		r.MaxSessionDuration = 3600
	}
	if err := s.putRole(r); err != nil {
		return nil, err
	}
	return &RoleOutput{Role: s.roleShape(r, true)}, nil
}

// GetRole returns a role.
func (s *Service) GetRole(_ context.Context, in *RoleNameInput) (*RoleOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	return &RoleOutput{Role: s.roleShape(r, true)}, nil
}

// ListRoles lists roles by name, optionally under a path prefix.
func (s *Service) ListRoles(_ context.Context, in *ListRolesInput) (*ListRolesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var keys []string
	for k, r := range s.roles {
		if underPath(r.Path, in.PathPrefix) {
			keys = append(keys, k)
		}
	}
	pg, truncated, next, err := page(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListRolesOutput{IsTruncated: truncated, Marker: next, Roles: []Role{}}
	for _, k := range pg {
		out.Roles = append(out.Roles, s.roleShape(s.roles[k], false))
	}
	return out, nil
}

// DeleteRole deletes a role that has no policies left.
func (s *Service) DeleteRole(_ context.Context, in *RoleNameInput) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	if len(r.Attached) > 0 {
		return nil, errConflict("Cannot delete entity, must detach all policies first.")
	}
	if len(r.Inline) > 0 {
		return nil, errConflict("Cannot delete entity, must delete policies first.")
	}
	key := strings.ToLower(r.Name)
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketRoles, []byte(key)) }); err != nil {
		return nil, fmt.Errorf("delete role %s: %w", r.Name, err)
	}
	delete(s.roles, key)
	return &Empty{}, nil
}

// UpdateRole changes a role's description or maximum session duration.
func (s *Service) UpdateRole(_ context.Context, in *UpdateRoleInput) (*Empty, error) {
	if err := validMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != 0 {
			r.MaxSessionDuration = in.MaxSessionDuration
		}
		return nil
	})
}

// updateRole applies fn to a copy of the role and stores it.
func (s *Service) updateRole(name string, fn func(*roleRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(name)
	if err != nil {
		return err
	}
	c := r.clone()
	if err := fn(c); err != nil {
		return err
	}
	return s.putRole(c)
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(_ context.Context, in *UpdateAssumeRolePolicyInput) (*Empty, error) {
	if in.PolicyDocument == "" {
		return nil, errMissing("policyDocument")
	}
	trust, err := policy.Parse(in.PolicyDocument, policy.Trust)
	if err != nil {
		return nil, errMalformed(err)
	}
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		r.AssumeRolePolicy, r.trust = in.PolicyDocument, trust
		return nil
	})
}

// TagRole adds or replaces tags.
func (s *Service) TagRole(_ context.Context, in *TagRoleInput) (*Empty, error) {
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		r.Tags = mergeTags(r.Tags, in.Tags)
		if len(r.Tags) > maxTagsPerRole {
			return errLimit("The number of tags has reached the maximum limit.")
		}
		return nil
	})
}

// UntagRole removes tags by key.
func (s *Service) UntagRole(_ context.Context, in *UntagRoleInput) (*Empty, error) {
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		kept := r.Tags[:0]
		for _, t := range r.Tags {
			drop := false
			for _, k := range in.TagKeys {
				drop = drop || k == t.Key
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return nil
	})
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(_ context.Context, in *ListRoleTagsInput) (*ListRoleTagsOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	byKey := map[string]string{}
	keys := make([]string, 0, len(r.Tags))
	for _, t := range r.Tags {
		byKey[t.Key] = t.Value
		keys = append(keys, t.Key)
	}
	pg, truncated, next, err := page(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListRoleTagsOutput{IsTruncated: truncated, Marker: next, Tags: []Tag{}}
	for _, k := range pg {
		out.Tags = append(out.Tags, Tag{Key: k, Value: byKey[k]})
	}
	return out, nil
}

// PutRolePolicy adds or replaces an inline policy.
func (s *Service) PutRolePolicy(_ context.Context, in *PutRolePolicyInput) (*Empty, error) {
	if err := validName("policyName", in.PolicyName, 128); err != nil {
		return nil, err
	}
	if in.PolicyDocument == "" {
		return nil, errMissing("policyDocument")
	}
	doc, err := policy.Parse(in.PolicyDocument, policy.Identity)
	if err != nil {
		return nil, errMalformed(err)
	}
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		total := policyChars(in.PolicyDocument)
		for name, text := range r.Inline {
			if name != in.PolicyName {
				total += policyChars(text)
			}
		}
		if total > maxRoleInlineChars {
			return errLimit("Maximum policy size of %d bytes exceeded for role %s", maxRoleInlineChars, r.Name)
		}
		r.Inline[in.PolicyName] = in.PolicyDocument
		r.inline[in.PolicyName] = doc
		return nil
	})
}

// GetRolePolicy returns an inline policy, URL-encoded as IAM returns it.
func (s *Service) GetRolePolicy(_ context.Context, in *RolePolicyInput) (*GetRolePolicyOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	text, ok := r.Inline[in.PolicyName]
	if !ok {
		return nil, errNoSuchRolePolicy(in.PolicyName)
	}
	return &GetRolePolicyOutput{RoleName: r.Name, PolicyName: in.PolicyName, PolicyDocument: urlEncode(text)}, nil
}

// ListRolePolicies lists a role's inline policy names.
func (s *Service) ListRolePolicies(_ context.Context, in *ListRolePoliciesInput) (*ListRolePoliciesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(r.Inline))
	for n := range r.Inline {
		names = append(names, n)
	}
	pg, truncated, next, err := page(names, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListRolePoliciesOutput{PolicyNames: append([]string{}, pg...), IsTruncated: truncated, Marker: next}, nil
}

// DeleteRolePolicy deletes an inline policy.
func (s *Service) DeleteRolePolicy(_ context.Context, in *RolePolicyInput) (*Empty, error) {
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		if _, ok := r.Inline[in.PolicyName]; !ok {
			return errNoSuchRolePolicy(in.PolicyName)
		}
		delete(r.Inline, in.PolicyName)
		delete(r.inline, in.PolicyName)
		return nil
	})
}

// GetUser returns the calling root user; localcloud has no IAM users.
func (s *Service) GetUser(ctx context.Context, in *GetUserInput) (*GetUserOutput, error) {
	if in.UserName != "" {
		return nil, iamError("NoSuchEntity", 404, "The user with name %s cannot be found.", in.UserName)
	}
	p, _ := iam.PrincipalFrom(ctx)
	if !p.Root {
		return nil, iamError("ValidationError", 400, "Must specify userName when calling with non-User credentials")
	}
	return &GetUserOutput{User: User{UserID: p.Account, Arn: p.ARN, CreateDate: isoTime(0)}}, nil
}
