package provision

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
)

// IdentityAPI is the part of *iamapi.Service the IAM providers call.
type IdentityAPI interface {
	CreateRole(ctx context.Context, in *iamapi.CreateRoleInput) (*iamapi.RoleOutput, error)
	DeleteRole(ctx context.Context, in *iamapi.RoleNameInput) (*iamapi.Empty, error)
	UpdateRole(ctx context.Context, in *iamapi.UpdateRoleInput) (*iamapi.Empty, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyInput) (*iamapi.Empty, error)
	TagRole(ctx context.Context, in *iamapi.TagRoleInput) (*iamapi.Empty, error)
	UntagRole(ctx context.Context, in *iamapi.UntagRoleInput) (*iamapi.Empty, error)
	PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyInput) (*iamapi.Empty, error)
	DeleteRolePolicy(ctx context.Context, in *iamapi.RolePolicyInput) (*iamapi.Empty, error)
	AttachRolePolicy(ctx context.Context, in *iamapi.RolePolicyArnInput) (*iamapi.Empty, error)
	DetachRolePolicy(ctx context.Context, in *iamapi.RolePolicyArnInput) (*iamapi.Empty, error)
	CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyInput) (*iamapi.PolicyOutput, error)
	DeletePolicy(ctx context.Context, in *iamapi.PolicyArnInput) (*iamapi.Empty, error)
	CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionInput) (*iamapi.PolicyVersionOutput, error)
	ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsInput) (*iamapi.ListPolicyVersionsOutput, error)
	DeletePolicyVersion(ctx context.Context, in *iamapi.PolicyVersionInput) (*iamapi.Empty, error)
}

func iamTags(m map[string]string) []iamapi.Tag {
	out := make([]iamapi.Tag, 0, len(m))
	for _, t := range snsTags(m) {
		out = append(out, iamapi.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func iamError(err error) error { return apiMessage("Iam", err) }

// inlinePolicies reads a Policies list ([{PolicyName, PolicyDocument}]).
func inlinePolicies(v any) (map[string]string, error) {
	out := map[string]string{}
	for _, e := range asList(v) {
		m, _ := e.(map[string]any)
		name := str(m, "PolicyName")
		doc, err := scalarOrJSON(m["PolicyDocument"])
		if err != nil {
			return nil, err
		}
		if name == "" || m["PolicyDocument"] == nil {
			return nil, fmt.Errorf("every Policies entry needs PolicyName and PolicyDocument")
		}
		out[name] = doc
	}
	return out, nil
}

func roleSpec(api IdentityAPI) Spec {
	s := Spec{
		Type: "AWS::IAM::Role", NameProperty: "RoleName", Capability: "CAPABILITY_IAM", NamedCapability: "CAPABILITY_NAMED_IAM",
		Properties: []string{"AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path",
			"PermissionsBoundary", "Policies", "RoleName", "Tags"},
		Replacement: []string{"RoleName", "Path"},
		Attributes:  []string{"Arn", "RoleId"},
	}
	if api != nil {
		s.Provider = roleProvider{api: api}
	}
	return s
}

type roleProvider struct{ api IdentityAPI }

func (p roleProvider) Create(ctx context.Context, req *Request) (Result, error) {
	props := req.Properties
	name := str(props, "RoleName")
	if name == "" {
		name = PhysicalName(req, 64)
	}
	trust, err := scalarOrJSON(props["AssumeRolePolicyDocument"])
	if err != nil {
		return Result{}, err
	}
	maxSession, _, err := intProp(props, "MaxSessionDuration")
	if err != nil {
		return Result{}, err
	}
	out, err := p.api.CreateRole(ctx, &iamapi.CreateRoleInput{RoleName: name, Path: str(props, "Path"), AssumeRolePolicyDocument: trust,
		Description: str(props, "Description"), MaxSessionDuration: int(maxSession), PermissionsBoundary: str(props, "PermissionsBoundary"),
		Tags: iamTags(req.Tags())})
	if err != nil {
		return Result{}, iamError(err)
	}
	req.PhysicalID = name
	if err := p.syncPolicies(ctx, req, nil, nil); err != nil {
		_ = p.Delete(ctx, &Request{PhysicalID: name, OldProperties: props})
		return Result{}, err
	}
	return Result{PhysicalID: name, Attributes: map[string]any{"Arn": out.Role.Arn, "RoleId": out.Role.RoleID}}, nil
}

// syncPolicies brings the role's inline and attached managed policies from
// the old properties to the new ones.
func (p roleProvider) syncPolicies(ctx context.Context, req *Request, oldInline map[string]string, oldManaged []string) error {
	inline, err := inlinePolicies(req.Properties["Policies"])
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(inline) {
		if old, ok := oldInline[name]; ok && old == inline[name] {
			continue
		}
		if _, err := p.api.PutRolePolicy(ctx, &iamapi.PutRolePolicyInput{RoleName: req.PhysicalID, PolicyName: name, PolicyDocument: inline[name]}); err != nil {
			return iamError(err)
		}
	}
	for _, name := range sortedKeys(oldInline) {
		if _, kept := inline[name]; !kept {
			if _, err := p.api.DeleteRolePolicy(ctx, &iamapi.RolePolicyInput{RoleName: req.PhysicalID, PolicyName: name}); err != nil && !isCode(err, "NoSuchEntity") {
				return iamError(err)
			}
		}
	}
	managed := stringList(req.Properties["ManagedPolicyArns"])
	had := map[string]bool{}
	for _, arn := range oldManaged {
		had[arn] = true
	}
	want := map[string]bool{}
	for _, arn := range managed {
		want[arn] = true
		if !had[arn] {
			if _, err := p.api.AttachRolePolicy(ctx, &iamapi.RolePolicyArnInput{RoleName: req.PhysicalID, PolicyArn: arn}); err != nil {
				return iamError(err)
			}
		}
	}
	for _, arn := range oldManaged {
		if !want[arn] {
			if _, err := p.api.DetachRolePolicy(ctx, &iamapi.RolePolicyArnInput{RoleName: req.PhysicalID, PolicyArn: arn}); err != nil && !isCode(err, "NoSuchEntity") {
				return iamError(err)
			}
		}
	}
	return nil
}

func (p roleProvider) Update(ctx context.Context, req *Request) (Result, error) {
	props, old := req.Properties, req.OldProperties
	if changed(old, props, "AssumeRolePolicyDocument") {
		trust, err := scalarOrJSON(props["AssumeRolePolicyDocument"])
		if err != nil {
			return Result{}, err
		}
		if _, err := p.api.UpdateAssumeRolePolicy(ctx, &iamapi.UpdateAssumeRolePolicyInput{RoleName: req.PhysicalID, PolicyDocument: trust}); err != nil {
			return Result{}, iamError(err)
		}
	}
	if changed(old, props, "Description") || changed(old, props, "MaxSessionDuration") {
		desc := str(props, "Description")
		maxSession, _, err := intProp(props, "MaxSessionDuration")
		if err != nil {
			return Result{}, err
		}
		if maxSession == 0 {
			maxSession = 3600
		}
		if _, err := p.api.UpdateRole(ctx, &iamapi.UpdateRoleInput{RoleName: req.PhysicalID, Description: &desc, MaxSessionDuration: int(maxSession)}); err != nil {
			return Result{}, iamError(err)
		}
	}
	if changed(old, props, "PermissionsBoundary") {
		return Result{}, fmt.Errorf("changing the PermissionsBoundary of AWS::IAM::Role is not supported by localcloud yet")
	}
	oldInline, err := inlinePolicies(old["Policies"])
	if err != nil {
		return Result{}, err
	}
	if err := p.syncPolicies(ctx, req, oldInline, stringList(old["ManagedPolicyArns"])); err != nil {
		return Result{}, err
	}
	set, removed := req.TagChanges()
	if len(set) > 0 {
		if _, err := p.api.TagRole(ctx, &iamapi.TagRoleInput{RoleName: req.PhysicalID, Tags: iamTags(set)}); err != nil {
			return Result{}, iamError(err)
		}
	}
	if len(removed) > 0 {
		if _, err := p.api.UntagRole(ctx, &iamapi.UntagRoleInput{RoleName: req.PhysicalID, TagKeys: removed}); err != nil {
			return Result{}, iamError(err)
		}
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: req.Attributes}, nil
}

// Delete removes the role's inline policies and managed attachments the
// template declared, then the role, as CloudFormation does.
func (p roleProvider) Delete(ctx context.Context, req *Request) error {
	inline, _ := inlinePolicies(req.OldProperties["Policies"])
	for _, name := range sortedKeys(inline) {
		if _, err := p.api.DeleteRolePolicy(ctx, &iamapi.RolePolicyInput{RoleName: req.PhysicalID, PolicyName: name}); err != nil && !isCode(err, "NoSuchEntity") {
			return iamError(err)
		}
	}
	for _, arn := range stringList(req.OldProperties["ManagedPolicyArns"]) {
		if _, err := p.api.DetachRolePolicy(ctx, &iamapi.RolePolicyArnInput{RoleName: req.PhysicalID, PolicyArn: arn}); err != nil && !isCode(err, "NoSuchEntity") {
			return iamError(err)
		}
	}
	if _, err := p.api.DeleteRole(ctx, &iamapi.RoleNameInput{RoleName: req.PhysicalID}); err != nil && !isCode(err, "NoSuchEntity") {
		return iamError(err)
	}
	return nil
}

func policySpec(api IdentityAPI) Spec {
	s := Spec{Type: "AWS::IAM::Policy", Capability: "CAPABILITY_IAM",
		Properties: []string{"PolicyName", "PolicyDocument", "Roles", "Users", "Groups"}, Attributes: []string{"Id"}}
	if api != nil {
		s.Provider = policyProvider{api: api}
	}
	return s
}

// policyProvider manages AWS::IAM::Policy: one inline policy put on each
// named role.
type policyProvider struct{ api IdentityAPI }

func (p policyProvider) put(ctx context.Context, props map[string]any) error {
	if len(stringList(props["Users"])) > 0 || len(stringList(props["Groups"])) > 0 {
		return fmt.Errorf("AWS::IAM::Policy on Users or Groups is not supported by localcloud (roles only)")
	}
	roles := stringList(props["Roles"])
	if len(roles) == 0 {
		return fmt.Errorf("At least one of [Groups,Roles,Users] must be non-empty.")
	}
	doc, err := scalarOrJSON(props["PolicyDocument"])
	if err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := p.api.PutRolePolicy(ctx, &iamapi.PutRolePolicyInput{RoleName: r, PolicyName: str(props, "PolicyName"), PolicyDocument: doc}); err != nil {
			return iamError(err)
		}
	}
	return nil
}

func (p policyProvider) remove(ctx context.Context, name string, roles []string, keep map[string]bool) error {
	for _, r := range roles {
		if keep[r] {
			continue
		}
		if _, err := p.api.DeleteRolePolicy(ctx, &iamapi.RolePolicyInput{RoleName: r, PolicyName: name}); err != nil && !isCode(err, "NoSuchEntity") {
			return iamError(err)
		}
	}
	return nil
}

func (p policyProvider) Create(ctx context.Context, req *Request) (Result, error) {
	if err := p.put(ctx, req.Properties); err != nil {
		return Result{}, err
	}
	id := PhysicalName(req, 128)
	return Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (p policyProvider) Update(ctx context.Context, req *Request) (Result, error) {
	keep := map[string]bool{}
	if str(req.OldProperties, "PolicyName") == str(req.Properties, "PolicyName") {
		for _, r := range stringList(req.Properties["Roles"]) {
			keep[r] = true
		}
	}
	if err := p.remove(ctx, str(req.OldProperties, "PolicyName"), stringList(req.OldProperties["Roles"]), keep); err != nil {
		return Result{}, err
	}
	if err := p.put(ctx, req.Properties); err != nil {
		return Result{}, err
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Id": req.PhysicalID}}, nil
}

func (p policyProvider) Delete(ctx context.Context, req *Request) error {
	return p.remove(ctx, str(req.OldProperties, "PolicyName"), stringList(req.OldProperties["Roles"]), nil)
}

func managedPolicySpec(api IdentityAPI) Spec {
	s := Spec{Type: "AWS::IAM::ManagedPolicy", NameProperty: "ManagedPolicyName", Capability: "CAPABILITY_IAM", NamedCapability: "CAPABILITY_NAMED_IAM",
		Properties:  []string{"ManagedPolicyName", "Path", "Description", "PolicyDocument", "Roles", "Users", "Groups"},
		Replacement: []string{"ManagedPolicyName", "Path", "Description"},
		Attributes: []string{"PolicyArn", "PolicyId", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable",
			"PermissionsBoundaryUsageCount", "UpdateDate"},
	}
	if api != nil {
		s.Provider = managedPolicyProvider{api: api}
	}
	return s
}

// managedPolicyProvider manages AWS::IAM::ManagedPolicy: a customer managed
// policy attached to the named roles; its Ref is the policy ARN.
type managedPolicyProvider struct{ api IdentityAPI }

func (p managedPolicyProvider) attach(ctx context.Context, arn string, roles, oldRoles []string) error {
	had := map[string]bool{}
	for _, r := range oldRoles {
		had[r] = true
	}
	want := map[string]bool{}
	for _, r := range roles {
		want[r] = true
		if !had[r] {
			if _, err := p.api.AttachRolePolicy(ctx, &iamapi.RolePolicyArnInput{RoleName: r, PolicyArn: arn}); err != nil {
				return iamError(err)
			}
		}
	}
	for _, r := range oldRoles {
		if !want[r] {
			if _, err := p.api.DetachRolePolicy(ctx, &iamapi.RolePolicyArnInput{RoleName: r, PolicyArn: arn}); err != nil && !isCode(err, "NoSuchEntity") {
				return iamError(err)
			}
		}
	}
	return nil
}

func (p managedPolicyProvider) Create(ctx context.Context, req *Request) (Result, error) {
	props := req.Properties
	if len(stringList(props["Users"])) > 0 || len(stringList(props["Groups"])) > 0 {
		return Result{}, fmt.Errorf("AWS::IAM::ManagedPolicy on Users or Groups is not supported by localcloud (roles only)")
	}
	name := str(props, "ManagedPolicyName")
	if name == "" {
		name = PhysicalName(req, 128)
	}
	doc, err := scalarOrJSON(props["PolicyDocument"])
	if err != nil {
		return Result{}, err
	}
	out, err := p.api.CreatePolicy(ctx, &iamapi.CreatePolicyInput{PolicyName: name, Path: str(props, "Path"), PolicyDocument: doc,
		Description: str(props, "Description")})
	if err != nil {
		return Result{}, iamError(err)
	}
	arn := out.Policy.Arn
	if err := p.attach(ctx, arn, stringList(props["Roles"]), nil); err != nil {
		_ = p.Delete(ctx, &Request{PhysicalID: arn, OldProperties: props})
		return Result{}, err
	}
	return Result{PhysicalID: arn, Attributes: map[string]any{"PolicyArn": arn, "PolicyId": out.Policy.PolicyID,
		"DefaultVersionId": out.Policy.DefaultVersionID, "CreateDate": out.Policy.CreateDate, "IsAttachable": "true"}}, nil
}

func (p managedPolicyProvider) Update(ctx context.Context, req *Request) (Result, error) {
	attrs := req.Attributes
	if changed(req.OldProperties, req.Properties, "PolicyDocument") {
		doc, err := scalarOrJSON(req.Properties["PolicyDocument"])
		if err != nil {
			return Result{}, err
		}
		if err := p.pruneVersions(ctx, req.PhysicalID, 4); err != nil {
			return Result{}, err
		}
		v, err := p.api.CreatePolicyVersion(ctx, &iamapi.CreatePolicyVersionInput{PolicyArn: req.PhysicalID, PolicyDocument: doc, SetAsDefault: true})
		if err != nil {
			return Result{}, iamError(err)
		}
		attrs = map[string]any{}
		for k, val := range req.Attributes {
			attrs[k] = val
		}
		attrs["DefaultVersionId"] = v.PolicyVersion.VersionID
	}
	if err := p.attach(ctx, req.PhysicalID, stringList(req.Properties["Roles"]), stringList(req.OldProperties["Roles"])); err != nil {
		return Result{}, err
	}
	return Result{PhysicalID: req.PhysicalID, Attributes: attrs}, nil
}

// pruneVersions deletes the oldest non-default versions until at most keep
// remain (IAM keeps five).
func (p managedPolicyProvider) pruneVersions(ctx context.Context, arn string, keep int) error {
	out, err := p.api.ListPolicyVersions(ctx, &iamapi.ListPolicyVersionsInput{PolicyArn: arn})
	if err != nil {
		return iamError(err)
	}
	versions := slices.Clone(out.Versions)
	// Oldest first: version IDs are v1, v2, ... in creation order.
	slices.SortFunc(versions, func(a, b iamapi.PolicyVersion) int { return versionNumber(a.VersionID) - versionNumber(b.VersionID) })
	excess := len(versions) - keep
	for _, v := range versions {
		if excess <= 0 {
			break
		}
		if v.IsDefaultVersion {
			continue
		}
		if _, err := p.api.DeletePolicyVersion(ctx, &iamapi.PolicyVersionInput{PolicyArn: arn, VersionID: v.VersionID}); err != nil {
			return iamError(err)
		}
		excess--
	}
	return nil
}

func (p managedPolicyProvider) Delete(ctx context.Context, req *Request) error {
	if err := p.attach(ctx, req.PhysicalID, nil, stringList(req.OldProperties["Roles"])); err != nil {
		return err
	}
	if err := p.pruneVersions(ctx, req.PhysicalID, 1); err != nil && !isCode(err, "NoSuchEntity") {
		return err
	}
	if _, err := p.api.DeletePolicy(ctx, &iamapi.PolicyArnInput{PolicyArn: req.PhysicalID}); err != nil && !isCode(err, "NoSuchEntity") {
		return iamError(err)
	}
	return nil
}

func versionNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n
}
