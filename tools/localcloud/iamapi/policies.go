package iamapi

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// attachments counts the roles a managed policy is attached to; the caller
// holds s.mu.
func (s *Service) attachments(arn string) (count, boundaries int) {
	for _, r := range s.roles {
		for _, a := range r.Attached {
			if a == arn {
				count++
			}
		}
		if r.Boundary == arn {
			boundaries++
		}
	}
	return count, boundaries
}

func (s *Service) policyShape(p *policyRecord, withDetails bool) Policy {
	count, boundaries := s.attachments(p.ARN)
	out := Policy{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: count, PermissionsBoundaryUsageCount: boundaries, IsAttachable: true,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated)}
	if withDetails {
		out.Description = p.Description
		out.Tags = toTags(p.Tags)
	}
	return out
}

// managedPolicy returns the policy with arn; the caller holds s.mu.
func (s *Service) managedPolicy(arn string) (*policyRecord, error) {
	if arn == "" {
		return nil, errMissing("policyArn")
	}
	p, ok := s.policies[arn]
	if !ok {
		return nil, errNoSuchPolicy(arn)
	}
	return p, nil
}

// CreatePolicy creates a customer managed policy (version v1).
func (s *Service) CreatePolicy(_ context.Context, in *CreatePolicyInput) (*PolicyOutput, error) {
	if err := validName("policyName", in.PolicyName, 128); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if err := validPath("path", in.Path, policyPathRE, policyPathPattern); err != nil {
		return nil, err
	}
	if in.PolicyDocument == "" {
		return nil, errMissing("policyDocument")
	}
	if len(in.Tags) > maxTagsPerRole {
		return nil, errLimit("The number of tags has reached the maximum limit.")
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	doc, err := policy.Parse(in.PolicyDocument, policy.Identity)
	if err != nil {
		return nil, errMalformed(err)
	}
	if policyChars(in.PolicyDocument) > maxManagedChars {
		return nil, errLimit("Cannot exceed quota for PolicySize: %d", maxManagedChars)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.policies {
		if !p.awsManaged && strings.EqualFold(p.Name, in.PolicyName) {
			return nil, errExists("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
		}
	}
	now := s.now().UnixMilli()
	p := &policyRecord{Name: in.PolicyName, Path: in.Path, ID: s.uniqueID("ANPA"),
		ARN:         "arn:aws:iam::" + s.cfg.Account + ":policy" + in.Path + in.PolicyName,
		Description: in.Description, Created: now, Updated: now, DefaultVersion: "v1",
		Versions: []versionRecord{{ID: "v1", Document: in.PolicyDocument, Created: now}}, NextVersion: 2,
		Tags: mergeTags(nil, in.Tags), defaultDoc: doc}
	if err := s.putPolicy(p); err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: s.policyShape(p, false)}, nil
}

// GetPolicy returns a managed policy (customer or AWS managed).
func (s *Service) GetPolicy(_ context.Context, in *PolicyArnInput) (*PolicyOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.managedPolicy(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: s.policyShape(p, true)}, nil
}

// ListPolicies lists managed policies by scope (All, AWS, Local).
func (s *Service) ListPolicies(_ context.Context, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	switch in.Scope {
	case "", "All", "AWS", "Local":
	default:
		return nil, errValidation(in.Scope, "scope", "Member must satisfy enum value set: [All, AWS, Local]")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var keys []string
	for arn, p := range s.policies {
		switch {
		case in.Scope == "AWS" && !p.awsManaged, in.Scope == "Local" && p.awsManaged:
			continue
		case !underPath(p.Path, in.PathPrefix):
			continue
		}
		if in.OnlyAttached {
			if n, b := s.attachments(arn); n+b == 0 {
				continue
			}
		}
		keys = append(keys, arn)
	}
	pg, truncated, next, err := page(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListPoliciesOutput{IsTruncated: truncated, Marker: next, Policies: []Policy{}}
	for _, arn := range pg {
		out.Policies = append(out.Policies, s.policyShape(s.policies[arn], false))
	}
	return out, nil
}

// DeletePolicy deletes a customer managed policy that is attached nowhere
// and has only its default version left.
func (s *Service) DeletePolicy(_ context.Context, in *PolicyArnInput) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.managedPolicy(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if p.awsManaged {
		return nil, errAWSManaged("DeletePolicy", p.ARN)
	}
	if n, b := s.attachments(p.ARN); n+b > 0 {
		return nil, errConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, errConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketPolicies, []byte(p.ARN)) }); err != nil {
		return nil, fmt.Errorf("delete policy %s: %w", p.ARN, err)
	}
	delete(s.policies, p.ARN)
	return &Empty{}, nil
}

// updatePolicy applies fn to a copy of a customer managed policy and
// stores it.
func (s *Service) updatePolicy(arn, action string, fn func(*policyRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.managedPolicy(arn)
	if err != nil {
		return err
	}
	if p.awsManaged {
		return errAWSManaged(action, arn)
	}
	c := p.clone()
	if err := fn(c); err != nil {
		return err
	}
	return s.putPolicy(c)
}

func versionShape(v *versionRecord, def string, withDoc bool) PolicyVersion {
	out := PolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == def, CreateDate: isoTime(v.Created)}
	if withDoc {
		out.Document = urlEncode(v.Document)
	}
	return out
}

// CreatePolicyVersion adds a version (at most five are kept).
func (s *Service) CreatePolicyVersion(_ context.Context, in *CreatePolicyVersionInput) (*PolicyVersionOutput, error) {
	if in.PolicyDocument == "" {
		return nil, errMissing("policyDocument")
	}
	doc, err := policy.Parse(in.PolicyDocument, policy.Identity)
	if err != nil {
		return nil, errMalformed(err)
	}
	if policyChars(in.PolicyDocument) > maxManagedChars {
		return nil, errLimit("Cannot exceed quota for PolicySize: %d", maxManagedChars)
	}
	var out PolicyVersion
	err = s.updatePolicy(in.PolicyArn, "CreatePolicyVersion", func(p *policyRecord) error {
		if len(p.Versions) >= maxPolicyVersions {
			return errLimit("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		now := s.now().UnixMilli()
		v := versionRecord{ID: "v" + strconv.Itoa(p.NextVersion), Document: in.PolicyDocument, Created: now}
		p.NextVersion++
		p.Versions = append(p.Versions, v)
		if in.SetAsDefault {
			p.DefaultVersion, p.defaultDoc, p.Updated = v.ID, doc, now
		}
		out = versionShape(&v, p.DefaultVersion, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PolicyVersionOutput{PolicyVersion: out}, nil
}

// GetPolicyVersion returns one version with its URL-encoded document.
func (s *Service) GetPolicyVersion(_ context.Context, in *PolicyVersionInput) (*PolicyVersionOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.managedPolicy(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	v := p.version(in.VersionID)
	if v == nil {
		return nil, errNoSuchVersion(p.ARN, in.VersionID)
	}
	return &PolicyVersionOutput{PolicyVersion: versionShape(v, p.DefaultVersion, true)}, nil
}

// ListPolicyVersions lists versions, newest first.
func (s *Service) ListPolicyVersions(_ context.Context, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.managedPolicy(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	// Keys sort newest first: zero-padded inverted version numbers.
	byKey := map[string]*versionRecord{}
	keys := make([]string, 0, len(p.Versions))
	for i := range p.Versions {
		n, _ := strconv.Atoi(strings.TrimPrefix(p.Versions[i].ID, "v"))
		k := fmt.Sprintf("%010d", 1<<31-n)
		byKey[k] = &p.Versions[i]
		keys = append(keys, k)
	}
	pg, truncated, next, err := page(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListPolicyVersionsOutput{IsTruncated: truncated, Marker: next, Versions: []PolicyVersion{}}
	for _, k := range pg {
		out.Versions = append(out.Versions, versionShape(byKey[k], p.DefaultVersion, false))
	}
	return out, nil
}

// DeletePolicyVersion deletes a non-default version.
func (s *Service) DeletePolicyVersion(_ context.Context, in *PolicyVersionInput) (*Empty, error) {
	return &Empty{}, s.updatePolicy(in.PolicyArn, "DeletePolicyVersion", func(p *policyRecord) error {
		if p.version(in.VersionID) == nil {
			return errNoSuchVersion(p.ARN, in.VersionID)
		}
		if in.VersionID == p.DefaultVersion {
			return errConflict("Cannot delete the default version of a policy.")
		}
		kept := p.Versions[:0]
		for _, v := range p.Versions {
			if v.ID != in.VersionID {
				kept = append(kept, v)
			}
		}
		p.Versions = kept
		return nil
	})
}

// SetDefaultPolicyVersion makes a version the one that grants.
func (s *Service) SetDefaultPolicyVersion(_ context.Context, in *PolicyVersionInput) (*Empty, error) {
	return &Empty{}, s.updatePolicy(in.PolicyArn, "SetDefaultPolicyVersion", func(p *policyRecord) error {
		v := p.version(in.VersionID)
		if v == nil {
			return errNoSuchVersion(p.ARN, in.VersionID)
		}
		doc, err := policy.Parse(v.Document, policy.Identity)
		if err != nil {
			return errMalformed(err)
		}
		p.DefaultVersion, p.defaultDoc, p.Updated = v.ID, doc, s.now().UnixMilli()
		return nil
	})
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(_ context.Context, in *RolePolicyArnInput) (*Empty, error) {
	if in.PolicyArn == "" {
		return nil, errMissing("policyArn")
	}
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		if _, ok := s.policies[in.PolicyArn]; !ok {
			return errNotAttachable(in.PolicyArn)
		}
		for _, a := range r.Attached {
			if a == in.PolicyArn {
				return nil
			}
		}
		if len(r.Attached) >= maxAttachedPolicies {
			return errLimit("Cannot exceed quota for PoliciesPerRole: %d", maxAttachedPolicies)
		}
		r.Attached = append(r.Attached, in.PolicyArn)
		return nil
	})
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(_ context.Context, in *RolePolicyArnInput) (*Empty, error) {
	if in.PolicyArn == "" {
		return nil, errMissing("policyArn")
	}
	return &Empty{}, s.updateRole(in.RoleName, func(r *roleRecord) error {
		kept := r.Attached[:0]
		found := false
		for _, a := range r.Attached {
			if a == in.PolicyArn {
				found = true
				continue
			}
			kept = append(kept, a)
		}
		if !found {
			return errNoSuchPolicy(in.PolicyArn)
		}
		r.Attached = kept
		return nil
	})
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(_ context.Context, in *ListAttachedRolePoliciesInput) (*ListAttachedRolePoliciesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, arn := range r.Attached {
		if p, ok := s.policies[arn]; ok && underPath(p.Path, in.PathPrefix) {
			keys = append(keys, arn)
		}
	}
	pg, truncated, next, err := page(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListAttachedRolePoliciesOutput{IsTruncated: truncated, Marker: next, AttachedPolicies: []AttachedPolicy{}}
	for _, arn := range pg {
		out.AttachedPolicies = append(out.AttachedPolicies, AttachedPolicy{PolicyName: s.policies[arn].Name, PolicyArn: arn})
	}
	return out, nil
}
