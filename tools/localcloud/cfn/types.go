package cfn

// Wire shapes of the CloudFormation API (awsQuery, version 2010-05-15).
// Lists are "member"-wrapped, as the Query protocol serializes them; the
// `query` tag names the member when it differs from the Go field.
// Timestamps are ISO 8601 strings.

// Parameter is a stack or change set parameter.
type Parameter struct {
	ParameterKey     string `query:"ParameterKey"`
	ParameterValue   string `query:"ParameterValue"`
	UsePreviousValue *bool  `query:"UsePreviousValue"`
	ResolvedValue    string `query:"ResolvedValue"`
}

// Tag is a stack tag.
type Tag struct {
	Key   string `query:"Key"`
	Value string `query:"Value"`
}

// Output is a stack output.
type Output struct {
	OutputKey   string `query:"OutputKey"`
	OutputValue string `query:"OutputValue"`
	Description string `query:"Description"`
	ExportName  string `query:"ExportName"`
}

// Empty is the output of operations without result members; awsQuery
// still sends an empty <XResult/> element, which the SDK's decoder expects.
type Empty struct{ _ struct{} }

// CreateChangeSetInput is CreateChangeSet's input.
type CreateChangeSetInput struct {
	StackName           string      `query:"StackName"`
	TemplateBody        string      `query:"TemplateBody"`
	TemplateURL         string      `query:"TemplateURL"`
	UsePreviousTemplate *bool       `query:"UsePreviousTemplate"`
	Parameters          []Parameter `query:"Parameters"`
	Capabilities        []string    `query:"Capabilities"`
	ResourceTypes       []string    `query:"ResourceTypes"`
	RoleARN             string      `query:"RoleARN"`
	NotificationARNs    []string    `query:"NotificationARNs"`
	Tags                []Tag       `query:"Tags"`
	ChangeSetName       string      `query:"ChangeSetName"`
	ClientToken         string      `query:"ClientToken"`
	Description         string      `query:"Description"`
	ChangeSetType       string      `query:"ChangeSetType"`
	IncludeNestedStacks *bool       `query:"IncludeNestedStacks"`
	OnStackFailure      string      `query:"OnStackFailure"`
}

// CreateChangeSetOutput is CreateChangeSet's output.
type CreateChangeSetOutput struct {
	ID      string `query:"Id"`
	StackID string `query:"StackId"`
}

// ChangeSetRef names a change set (by ARN, or by name with its stack).
type ChangeSetRef struct {
	ChangeSetName      string `query:"ChangeSetName"`
	StackName          string `query:"StackName"`
	NextToken          string `query:"NextToken"`
	ClientRequestToken string `query:"ClientRequestToken"`
	DisableRollback    *bool  `query:"DisableRollback"`
}

// ResourceTargetDefinition is what a change detail changes.
type ResourceTargetDefinition struct {
	Attribute           string `query:"Attribute"`
	Name                string `query:"Name"`
	RequiresRecreation  string `query:"RequiresRecreation"`
	Path                string `query:"Path"`
	AttributeChangeType string `query:"AttributeChangeType"`
}

// ResourceChangeDetail is one reason a resource changes.
type ResourceChangeDetail struct {
	Target        *ResourceTargetDefinition `query:"Target"`
	Evaluation    string                    `query:"Evaluation"`
	ChangeSource  string                    `query:"ChangeSource"`
	CausingEntity string                    `query:"CausingEntity"`
}

// ResourceChange is a change set entry's resource change.
type ResourceChange struct {
	Action             string                 `query:"Action"`
	LogicalResourceID  string                 `query:"LogicalResourceId"`
	PhysicalResourceID string                 `query:"PhysicalResourceId"`
	ResourceType       string                 `query:"ResourceType"`
	Replacement        string                 `query:"Replacement"`
	Scope              []string               `query:"Scope"`
	Details            []ResourceChangeDetail `query:"Details"`
}

// Change is one change set entry.
type Change struct {
	Type                string          `query:"Type"`
	HookInvocationCount *int            `query:"HookInvocationCount"`
	ResourceChange      *ResourceChange `query:"ResourceChange"`
}

// DescribeChangeSetOutput is DescribeChangeSet's output.
type DescribeChangeSetOutput struct {
	ChangeSetName       string      `query:"ChangeSetName"`
	ChangeSetID         string      `query:"ChangeSetId"`
	StackID             string      `query:"StackId"`
	StackName           string      `query:"StackName"`
	Description         string      `query:"Description"`
	Parameters          []Parameter `query:"Parameters"`
	CreationTime        string      `query:"CreationTime"`
	ExecutionStatus     string      `query:"ExecutionStatus"`
	Status              string      `query:"Status"`
	StatusReason        string      `query:"StatusReason"`
	NotificationARNs    []string    `query:"NotificationARNs"`
	Capabilities        []string    `query:"Capabilities"`
	Tags                []Tag       `query:"Tags"`
	Changes             []Change    `query:"Changes"`
	NextToken           string      `query:"NextToken"`
	IncludeNestedStacks bool        `query:"IncludeNestedStacks"`
	OnStackFailure      string      `query:"OnStackFailure"`
}

// ListChangeSetsInput is ListChangeSets' input.
type ListChangeSetsInput struct {
	StackName string `query:"StackName"`
	NextToken string `query:"NextToken"`
}

// ChangeSetSummary is one listed change set.
type ChangeSetSummary struct {
	StackID             string `query:"StackId"`
	StackName           string `query:"StackName"`
	ChangeSetID         string `query:"ChangeSetId"`
	ChangeSetName       string `query:"ChangeSetName"`
	ExecutionStatus     string `query:"ExecutionStatus"`
	Status              string `query:"Status"`
	StatusReason        string `query:"StatusReason"`
	CreationTime        string `query:"CreationTime"`
	Description         string `query:"Description"`
	IncludeNestedStacks bool   `query:"IncludeNestedStacks"`
}

// ListChangeSetsOutput is ListChangeSets' output.
type ListChangeSetsOutput struct {
	Summaries []ChangeSetSummary `query:"Summaries"`
	NextToken string             `query:"NextToken"`
}

// StackRef names a stack (by name or ID).
type StackRef struct {
	StackName string `query:"StackName"`
	NextToken string `query:"NextToken"`
}

// DeleteStackInput is DeleteStack's input.
type DeleteStackInput struct {
	StackName          string   `query:"StackName"`
	RetainResources    []string `query:"RetainResources"`
	RoleARN            string   `query:"RoleARN"`
	ClientRequestToken string   `query:"ClientRequestToken"`
	DeletionMode       string   `query:"DeletionMode"`
}

// StackDriftInformation is a stack's (never checked) drift status.
type StackDriftInformation struct {
	StackDriftStatus string `query:"StackDriftStatus"`
}

// Stack is one described stack.
type Stack struct {
	StackID                     string                 `query:"StackId"`
	StackName                   string                 `query:"StackName"`
	ChangeSetID                 string                 `query:"ChangeSetId"`
	Description                 string                 `query:"Description"`
	Parameters                  []Parameter            `query:"Parameters"`
	CreationTime                string                 `query:"CreationTime"`
	DeletionTime                string                 `query:"DeletionTime"`
	LastUpdatedTime             string                 `query:"LastUpdatedTime"`
	StackStatus                 string                 `query:"StackStatus"`
	StackStatusReason           string                 `query:"StackStatusReason"`
	DisableRollback             bool                   `query:"DisableRollback"`
	NotificationARNs            []string               `query:"NotificationARNs"`
	Capabilities                []string               `query:"Capabilities"`
	Outputs                     []Output               `query:"Outputs"`
	Tags                        []Tag                  `query:"Tags"`
	EnableTerminationProtection bool                   `query:"EnableTerminationProtection"`
	DriftInformation            *StackDriftInformation `query:"DriftInformation"`
}

// DescribeStacksOutput is DescribeStacks' output.
type DescribeStacksOutput struct {
	Stacks    []Stack `query:"Stacks"`
	NextToken string  `query:"NextToken"`
}

// StackEvent is one stack event.
type StackEvent struct {
	StackID              string `query:"StackId"`
	EventID              string `query:"EventId"`
	StackName            string `query:"StackName"`
	LogicalResourceID    string `query:"LogicalResourceId"`
	PhysicalResourceID   string `query:"PhysicalResourceId"`
	ResourceType         string `query:"ResourceType"`
	Timestamp            string `query:"Timestamp"`
	ResourceStatus       string `query:"ResourceStatus"`
	ResourceStatusReason string `query:"ResourceStatusReason"`
	ResourceProperties   string `query:"ResourceProperties"`
	ClientRequestToken   string `query:"ClientRequestToken"`
}

// DescribeStackEventsOutput is DescribeStackEvents' output.
type DescribeStackEventsOutput struct {
	StackEvents []StackEvent `query:"StackEvents"`
	NextToken   string       `query:"NextToken"`
}

// DescribeStackResourcesInput is DescribeStackResources' input.
type DescribeStackResourcesInput struct {
	StackName          string `query:"StackName"`
	LogicalResourceID  string `query:"LogicalResourceId"`
	PhysicalResourceID string `query:"PhysicalResourceId"`
}

// ResourceDriftInformation is a resource's (never checked) drift status.
type ResourceDriftInformation struct {
	StackResourceDriftStatus string `query:"StackResourceDriftStatus"`
}

// StackResource is one described resource.
type StackResource struct {
	StackName            string                    `query:"StackName"`
	StackID              string                    `query:"StackId"`
	LogicalResourceID    string                    `query:"LogicalResourceId"`
	PhysicalResourceID   string                    `query:"PhysicalResourceId"`
	ResourceType         string                    `query:"ResourceType"`
	Timestamp            string                    `query:"Timestamp"`
	ResourceStatus       string                    `query:"ResourceStatus"`
	ResourceStatusReason string                    `query:"ResourceStatusReason"`
	DriftInformation     *ResourceDriftInformation `query:"DriftInformation"`
}

// DescribeStackResourcesOutput is DescribeStackResources' output.
type DescribeStackResourcesOutput struct {
	StackResources []StackResource `query:"StackResources"`
}

// StackResourceDetail is DescribeStackResource's resource.
type StackResourceDetail struct {
	StackName            string                    `query:"StackName"`
	StackID              string                    `query:"StackId"`
	LogicalResourceID    string                    `query:"LogicalResourceId"`
	PhysicalResourceID   string                    `query:"PhysicalResourceId"`
	ResourceType         string                    `query:"ResourceType"`
	LastUpdatedTimestamp string                    `query:"LastUpdatedTimestamp"`
	ResourceStatus       string                    `query:"ResourceStatus"`
	ResourceStatusReason string                    `query:"ResourceStatusReason"`
	Metadata             string                    `query:"Metadata"`
	DriftInformation     *ResourceDriftInformation `query:"DriftInformation"`
}

// DescribeStackResourceInput is DescribeStackResource's input.
type DescribeStackResourceInput struct {
	StackName         string `query:"StackName"`
	LogicalResourceID string `query:"LogicalResourceId"`
}

// DescribeStackResourceOutput is DescribeStackResource's output.
type DescribeStackResourceOutput struct {
	StackResourceDetail *StackResourceDetail `query:"StackResourceDetail"`
}

// StackResourceSummary is one ListStackResources entry.
type StackResourceSummary struct {
	LogicalResourceID    string                    `query:"LogicalResourceId"`
	PhysicalResourceID   string                    `query:"PhysicalResourceId"`
	ResourceType         string                    `query:"ResourceType"`
	LastUpdatedTimestamp string                    `query:"LastUpdatedTimestamp"`
	ResourceStatus       string                    `query:"ResourceStatus"`
	ResourceStatusReason string                    `query:"ResourceStatusReason"`
	DriftInformation     *ResourceDriftInformation `query:"DriftInformation"`
}

// ListStackResourcesOutput is ListStackResources' output.
type ListStackResourcesOutput struct {
	StackResourceSummaries []StackResourceSummary `query:"StackResourceSummaries"`
	NextToken              string                 `query:"NextToken"`
}

// GetTemplateInput is GetTemplate's input.
type GetTemplateInput struct {
	StackName     string `query:"StackName"`
	ChangeSetName string `query:"ChangeSetName"`
	TemplateStage string `query:"TemplateStage"`
}

// GetTemplateOutput is GetTemplate's output.
type GetTemplateOutput struct {
	TemplateBody    string   `query:"TemplateBody"`
	StagesAvailable []string `query:"StagesAvailable"`
}

// ListExportsInput is ListExports' input.
type ListExportsInput struct {
	NextToken string `query:"NextToken"`
}

// Export is one listed export.
type Export struct {
	ExportingStackID string `query:"ExportingStackId"`
	Name             string `query:"Name"`
	Value            string `query:"Value"`
}

// ListExportsOutput is ListExports' output.
type ListExportsOutput struct {
	Exports   []Export `query:"Exports"`
	NextToken string   `query:"NextToken"`
}

// ListImportsInput is ListImports' input.
type ListImportsInput struct {
	ExportName string `query:"ExportName"`
	NextToken  string `query:"NextToken"`
}

// ListImportsOutput is ListImports' output.
type ListImportsOutput struct {
	Imports   []string `query:"Imports"`
	NextToken string   `query:"NextToken"`
}

// ValidateTemplateInput is ValidateTemplate's input.
type ValidateTemplateInput struct {
	TemplateBody string `query:"TemplateBody"`
	TemplateURL  string `query:"TemplateURL"`
}

// TemplateParameter is one parameter ValidateTemplate reports.
type TemplateParameter struct {
	ParameterKey string `query:"ParameterKey"`
	DefaultValue string `query:"DefaultValue"`
	NoEcho       bool   `query:"NoEcho"`
	Description  string `query:"Description"`
}

// ValidateTemplateOutput is ValidateTemplate's output.
type ValidateTemplateOutput struct {
	Parameters         []TemplateParameter `query:"Parameters"`
	Description        string              `query:"Description"`
	Capabilities       []string            `query:"Capabilities"`
	CapabilitiesReason string              `query:"CapabilitiesReason"`
	DeclaredTransforms []string            `query:"DeclaredTransforms"`
}

// ListStacksInput is ListStacks' input.
type ListStacksInput struct {
	NextToken         string   `query:"NextToken"`
	StackStatusFilter []string `query:"StackStatusFilter"`
}

// StackSummary is one ListStacks entry.
type StackSummary struct {
	StackID             string                 `query:"StackId"`
	StackName           string                 `query:"StackName"`
	TemplateDescription string                 `query:"TemplateDescription"`
	CreationTime        string                 `query:"CreationTime"`
	LastUpdatedTime     string                 `query:"LastUpdatedTime"`
	DeletionTime        string                 `query:"DeletionTime"`
	StackStatus         string                 `query:"StackStatus"`
	StackStatusReason   string                 `query:"StackStatusReason"`
	DriftInformation    *StackDriftInformation `query:"DriftInformation"`
}

// ListStacksOutput is ListStacks' output.
type ListStacksOutput struct {
	StackSummaries []StackSummary `query:"StackSummaries"`
	NextToken      string         `query:"NextToken"`
}

// GetTemplateSummaryInput is GetTemplateSummary's input.
type GetTemplateSummaryInput struct {
	TemplateBody string `query:"TemplateBody"`
	TemplateURL  string `query:"TemplateURL"`
	StackName    string `query:"StackName"`
}

// ParameterConstraints are a parameter's allowed values.
type ParameterConstraints struct {
	AllowedValues []string `query:"AllowedValues"`
}

// ParameterDeclaration is one parameter GetTemplateSummary reports.
type ParameterDeclaration struct {
	ParameterKey         string                `query:"ParameterKey"`
	DefaultValue         string                `query:"DefaultValue"`
	ParameterType        string                `query:"ParameterType"`
	NoEcho               bool                  `query:"NoEcho"`
	Description          string                `query:"Description"`
	ParameterConstraints *ParameterConstraints `query:"ParameterConstraints"`
}

// GetTemplateSummaryOutput is GetTemplateSummary's output.
type GetTemplateSummaryOutput struct {
	Parameters         []ParameterDeclaration `query:"Parameters"`
	Description        string                 `query:"Description"`
	Capabilities       []string               `query:"Capabilities"`
	CapabilitiesReason string                 `query:"CapabilitiesReason"`
	ResourceTypes      []string               `query:"ResourceTypes"`
	Version            string                 `query:"Version"`
	DeclaredTransforms []string               `query:"DeclaredTransforms"`
}
