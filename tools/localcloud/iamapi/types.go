package iamapi

// Wire shapes (awsQuery, IAM 2010-05-08). Lists are `member` lists
// (`Tags.member.N.Key`); timestamps are ISO 8601 strings; policy documents
// in responses are URL-encoded, as IAM returns them.

// Tag is a resource tag.
type Tag struct {
	Key   string `query:"Key"`
	Value string `query:"Value"`
}

// Role is IAM's Role shape.
type Role struct {
	Path                     string                       `query:"Path"`
	RoleName                 string                       `query:"RoleName"`
	RoleID                   string                       `query:"RoleId"`
	Arn                      string                       `query:"Arn"`
	CreateDate               string                       `query:"CreateDate"`
	AssumeRolePolicyDocument string                       `query:"AssumeRolePolicyDocument"`
	Description              string                       `query:"Description"`
	MaxSessionDuration       int                          `query:"MaxSessionDuration"`
	PermissionsBoundary      *AttachedPermissionsBoundary `query:"PermissionsBoundary"`
	Tags                     []Tag                        `query:"Tags"`
	RoleLastUsed             *RoleLastUsed                `query:"RoleLastUsed"`
}

// AttachedPermissionsBoundary names a role's permissions boundary.
type AttachedPermissionsBoundary struct {
	PermissionsBoundaryType string `query:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `query:"PermissionsBoundaryArn"`
}

// RoleLastUsed is returned empty: localcloud does not track role use.
type RoleLastUsed struct {
	LastUsedDate string `query:"LastUsedDate"`
	Region       string `query:"Region"`
}

// CreateRoleInput is CreateRole's input.
type CreateRoleInput struct {
	Path                     string `query:"Path"`
	RoleName                 string `query:"RoleName"`
	AssumeRolePolicyDocument string `query:"AssumeRolePolicyDocument"`
	Description              string `query:"Description"`
	MaxSessionDuration       int    `query:"MaxSessionDuration"`
	PermissionsBoundary      string `query:"PermissionsBoundary"`
	Tags                     []Tag  `query:"Tags"`
}

// RoleOutput carries one role.
type RoleOutput struct {
	Role Role `query:"Role"`
}

// RoleNameInput names a role.
type RoleNameInput struct {
	RoleName string `query:"RoleName"`
}

// ListRolesInput is ListRoles' input.
type ListRolesInput struct {
	PathPrefix string `query:"PathPrefix"`
	Marker     string `query:"Marker"`
	MaxItems   int    `query:"MaxItems"`
}

// ListRolesOutput is ListRoles' output.
type ListRolesOutput struct {
	Roles       []Role `query:"Roles"`
	IsTruncated bool   `query:"IsTruncated"`
	Marker      string `query:"Marker"`
}

// UpdateAssumeRolePolicyInput is UpdateAssumeRolePolicy's input.
type UpdateAssumeRolePolicyInput struct {
	RoleName       string `query:"RoleName"`
	PolicyDocument string `query:"PolicyDocument"`
}

// UpdateRoleInput is UpdateRole's input.
type UpdateRoleInput struct {
	RoleName           string  `query:"RoleName"`
	Description        *string `query:"Description"`
	MaxSessionDuration int     `query:"MaxSessionDuration"`
}

// TagRoleInput is TagRole's input.
type TagRoleInput struct {
	RoleName string `query:"RoleName"`
	Tags     []Tag  `query:"Tags"`
}

// UntagRoleInput is UntagRole's input.
type UntagRoleInput struct {
	RoleName string   `query:"RoleName"`
	TagKeys  []string `query:"TagKeys"`
}

// ListRoleTagsInput is ListRoleTags' input.
type ListRoleTagsInput struct {
	RoleName string `query:"RoleName"`
	Marker   string `query:"Marker"`
	MaxItems int    `query:"MaxItems"`
}

// ListRoleTagsOutput is ListRoleTags' output.
type ListRoleTagsOutput struct {
	Tags        []Tag  `query:"Tags"`
	IsTruncated bool   `query:"IsTruncated"`
	Marker      string `query:"Marker"`
}

// PutRolePolicyInput is PutRolePolicy's input.
type PutRolePolicyInput struct {
	RoleName       string `query:"RoleName"`
	PolicyName     string `query:"PolicyName"`
	PolicyDocument string `query:"PolicyDocument"`
}

// RolePolicyInput names an inline policy of a role.
type RolePolicyInput struct {
	RoleName   string `query:"RoleName"`
	PolicyName string `query:"PolicyName"`
}

// GetRolePolicyOutput is GetRolePolicy's output.
type GetRolePolicyOutput struct {
	RoleName       string `query:"RoleName"`
	PolicyName     string `query:"PolicyName"`
	PolicyDocument string `query:"PolicyDocument"`
}

// ListRolePoliciesInput is ListRolePolicies' input.
type ListRolePoliciesInput struct {
	RoleName string `query:"RoleName"`
	Marker   string `query:"Marker"`
	MaxItems int    `query:"MaxItems"`
}

// ListRolePoliciesOutput is ListRolePolicies' output.
type ListRolePoliciesOutput struct {
	PolicyNames []string `query:"PolicyNames"`
	IsTruncated bool     `query:"IsTruncated"`
	Marker      string   `query:"Marker"`
}

// Policy is IAM's managed Policy shape.
type Policy struct {
	PolicyName                    string `query:"PolicyName"`
	PolicyID                      string `query:"PolicyId"`
	Arn                           string `query:"Arn"`
	Path                          string `query:"Path"`
	DefaultVersionID              string `query:"DefaultVersionId"`
	AttachmentCount               int    `query:"AttachmentCount"`
	PermissionsBoundaryUsageCount int    `query:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `query:"IsAttachable"`
	Description                   string `query:"Description"`
	CreateDate                    string `query:"CreateDate"`
	UpdateDate                    string `query:"UpdateDate"`
	Tags                          []Tag  `query:"Tags"`
}

// CreatePolicyInput is CreatePolicy's input.
type CreatePolicyInput struct {
	PolicyName     string `query:"PolicyName"`
	Path           string `query:"Path"`
	PolicyDocument string `query:"PolicyDocument"`
	Description    string `query:"Description"`
	Tags           []Tag  `query:"Tags"`
}

// PolicyOutput carries one managed policy.
type PolicyOutput struct {
	Policy Policy `query:"Policy"`
}

// PolicyArnInput names a managed policy.
type PolicyArnInput struct {
	PolicyArn string `query:"PolicyArn"`
}

// ListPoliciesInput is ListPolicies' input.
type ListPoliciesInput struct {
	Scope             string `query:"Scope"`
	OnlyAttached      bool   `query:"OnlyAttached"`
	PathPrefix        string `query:"PathPrefix"`
	PolicyUsageFilter string `query:"PolicyUsageFilter"`
	Marker            string `query:"Marker"`
	MaxItems          int    `query:"MaxItems"`
}

// ListPoliciesOutput is ListPolicies' output.
type ListPoliciesOutput struct {
	Policies    []Policy `query:"Policies"`
	IsTruncated bool     `query:"IsTruncated"`
	Marker      string   `query:"Marker"`
}

// PolicyVersion is IAM's PolicyVersion shape.
type PolicyVersion struct {
	Document         string `query:"Document"`
	VersionID        string `query:"VersionId"`
	IsDefaultVersion bool   `query:"IsDefaultVersion"`
	CreateDate       string `query:"CreateDate"`
}

// CreatePolicyVersionInput is CreatePolicyVersion's input.
type CreatePolicyVersionInput struct {
	PolicyArn      string `query:"PolicyArn"`
	PolicyDocument string `query:"PolicyDocument"`
	SetAsDefault   bool   `query:"SetAsDefault"`
}

// PolicyVersionOutput carries one policy version.
type PolicyVersionOutput struct {
	PolicyVersion PolicyVersion `query:"PolicyVersion"`
}

// PolicyVersionInput names a version of a managed policy.
type PolicyVersionInput struct {
	PolicyArn string `query:"PolicyArn"`
	VersionID string `query:"VersionId"`
}

// ListPolicyVersionsInput is ListPolicyVersions' input.
type ListPolicyVersionsInput struct {
	PolicyArn string `query:"PolicyArn"`
	Marker    string `query:"Marker"`
	MaxItems  int    `query:"MaxItems"`
}

// ListPolicyVersionsOutput is ListPolicyVersions' output.
type ListPolicyVersionsOutput struct {
	Versions    []PolicyVersion `query:"Versions"`
	IsTruncated bool            `query:"IsTruncated"`
	Marker      string          `query:"Marker"`
}

// RolePolicyArnInput names a role and a managed policy.
type RolePolicyArnInput struct {
	RoleName  string `query:"RoleName"`
	PolicyArn string `query:"PolicyArn"`
}

// AttachedPolicy is one managed policy attached to a role.
type AttachedPolicy struct {
	PolicyName string `query:"PolicyName"`
	PolicyArn  string `query:"PolicyArn"`
}

// ListAttachedRolePoliciesInput is ListAttachedRolePolicies' input.
type ListAttachedRolePoliciesInput struct {
	RoleName   string `query:"RoleName"`
	PathPrefix string `query:"PathPrefix"`
	Marker     string `query:"Marker"`
	MaxItems   int    `query:"MaxItems"`
}

// ListAttachedRolePoliciesOutput is ListAttachedRolePolicies' output.
type ListAttachedRolePoliciesOutput struct {
	AttachedPolicies []AttachedPolicy `query:"AttachedPolicies"`
	IsTruncated      bool             `query:"IsTruncated"`
	Marker           string           `query:"Marker"`
}

// GetUserInput is GetUser's input.
type GetUserInput struct {
	UserName string `query:"UserName"`
}

// User is IAM's User shape.
type User struct {
	Path       string `query:"Path"`
	UserName   string `query:"UserName"`
	UserID     string `query:"UserId"`
	Arn        string `query:"Arn"`
	CreateDate string `query:"CreateDate"`
}

// GetUserOutput is GetUser's output.
type GetUserOutput struct {
	User User `query:"User"`
}

// Empty is the output of operations that return only response metadata.
type Empty struct{}
