package cfn

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/server"
)

const eventsPageSize = 100

func (s *Service) describe(st *stackRecord) Stack {
	out := Stack{StackID: st.ID, StackName: st.Name, ChangeSetID: st.ChangeSetID, Description: st.Description,
		Parameters: paramsOut(st.Params, st.NoEcho), CreationTime: fmtTime(st.Created), DeletionTime: fmtTime(st.Deleted),
		LastUpdatedTime: fmtTime(st.Updated), StackStatus: st.Status, StackStatusReason: st.StatusReason,
		DisableRollback: st.DisableRollback, Capabilities: st.Capabilities, Tags: tagsOut(st.Tags),
		DriftInformation: &StackDriftInformation{StackDriftStatus: "NOT_CHECKED"}}
	if st.Status == statusReviewInProgress {
		out.StackStatusReason = ""
	}
	for _, o := range st.Outputs {
		out.Outputs = append(out.Outputs, Output{OutputKey: o.Key, OutputValue: o.Value, Description: o.Description, ExportName: o.ExportName})
	}
	return out
}

// DescribeStacks describes one stack (by name, or by ID even once deleted)
// or every live stack.
func (s *Service) DescribeStacks(_ context.Context, in *StackRef) (*DescribeStacksOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.StackName != "" {
		st := s.lookupStack(in.StackName)
		if st == nil {
			return nil, errStackNotFound(in.StackName)
		}
		return &DescribeStacksOutput{Stacks: []Stack{s.describe(st)}}, nil
	}
	out := &DescribeStacksOutput{}
	for _, name := range sortedKeys(s.byName) {
		out.Stacks = append(out.Stacks, s.describe(s.stacks[s.byName[name]]))
	}
	return out, nil
}

// DescribeStackEvents lists a stack's events, newest first, in pages.
func (s *Service) DescribeStackEvents(_ context.Context, in *StackRef) (*DescribeStackEventsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupStack(in.StackName)
	if st == nil {
		return nil, errStackNotFound(in.StackName)
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 {
			return nil, errValidation("Invalid NextToken")
		}
		start = n
	}
	evs := s.events[st.ID]
	out := &DescribeStackEventsOutput{}
	for i := len(evs) - 1 - start; i >= 0; i-- {
		if len(out.StackEvents) == eventsPageSize {
			out.NextToken = strconv.Itoa(start + eventsPageSize)
			break
		}
		e := evs[i]
		out.StackEvents = append(out.StackEvents, StackEvent{StackID: e.StackID, EventID: e.ID, StackName: e.StackName,
			LogicalResourceID: e.LogicalID, PhysicalResourceID: e.PhysicalID, ResourceType: e.Type, Timestamp: fmtTime(e.Time),
			ResourceStatus: e.Status, ResourceStatusReason: e.Reason, ResourceProperties: e.Properties})
	}
	return out, nil
}

// resourcesOf lists a stack's resource records by logical ID.
func resourcesOf(st *stackRecord) []*resourceRecord {
	out := make([]*resourceRecord, 0, len(st.Resources))
	for _, n := range sortedKeys(st.Resources) {
		out = append(out, st.Resources[n])
	}
	return out
}

// DescribeStackResources describes a stack's resources, or the stack
// owning a physical resource.
func (s *Service) DescribeStackResources(_ context.Context, in *DescribeStackResourcesInput) (*DescribeStackResourcesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st *stackRecord
	switch {
	case in.StackName != "":
		st = s.lookupStack(in.StackName)
		if st == nil {
			return nil, errStackNotFound(in.StackName)
		}
	case in.PhysicalResourceID != "":
		for _, cand := range s.stacks {
			for _, r := range cand.Resources {
				if r.PhysicalID == in.PhysicalResourceID {
					st = cand
				}
			}
		}
		if st == nil {
			return nil, errValidation("Stack for %s does not exist", in.PhysicalResourceID)
		}
	default:
		return nil, errValidation("Either StackName or PhysicalResourceId must be specified.")
	}
	out := &DescribeStackResourcesOutput{}
	for _, r := range resourcesOf(st) {
		if in.LogicalResourceID != "" && r.LogicalID != in.LogicalResourceID {
			continue
		}
		out.StackResources = append(out.StackResources, StackResource{StackName: st.Name, StackID: st.ID, LogicalResourceID: r.LogicalID,
			PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, Timestamp: fmtTime(r.Updated), ResourceStatus: r.Status,
			ResourceStatusReason: r.StatusReason, DriftInformation: &ResourceDriftInformation{StackResourceDriftStatus: "NOT_CHECKED"}})
	}
	return out, nil
}

// DescribeStackResource describes one resource.
func (s *Service) DescribeStackResource(_ context.Context, in *DescribeStackResourceInput) (*DescribeStackResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupStack(in.StackName)
	if st == nil {
		return nil, errStackNotFound(in.StackName)
	}
	r := st.Resources[in.LogicalResourceID]
	if r == nil {
		return nil, errValidation("Resource %s does not exist for stack %s", in.LogicalResourceID, st.Name)
	}
	meta := ""
	if r.Metadata != nil {
		if b, err := json.Marshal(r.Metadata); err == nil {
			meta = string(b)
		}
	}
	return &DescribeStackResourceOutput{StackResourceDetail: &StackResourceDetail{StackName: st.Name, StackID: st.ID,
		LogicalResourceID: r.LogicalID, PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, LastUpdatedTimestamp: fmtTime(r.Updated),
		ResourceStatus: r.Status, ResourceStatusReason: r.StatusReason, Metadata: meta,
		DriftInformation: &ResourceDriftInformation{StackResourceDriftStatus: "NOT_CHECKED"}}}, nil
}

// ListStackResources summarises a stack's resources.
func (s *Service) ListStackResources(_ context.Context, in *StackRef) (*ListStackResourcesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupStack(in.StackName)
	if st == nil {
		return nil, errStackNotFound(in.StackName)
	}
	out := &ListStackResourcesOutput{}
	for _, r := range resourcesOf(st) {
		out.StackResourceSummaries = append(out.StackResourceSummaries, StackResourceSummary{LogicalResourceID: r.LogicalID,
			PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, LastUpdatedTimestamp: fmtTime(r.Updated), ResourceStatus: r.Status,
			ResourceStatusReason: r.StatusReason, DriftInformation: &ResourceDriftInformation{StackResourceDriftStatus: "NOT_CHECKED"}})
	}
	return out, nil
}

// GetTemplate returns a stack's or a change set's template body.
func (s *Service) GetTemplate(_ context.Context, in *GetTemplateInput) (*GetTemplateOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ChangeSetName != "" {
		cs, err := s.findChangeSet(in.ChangeSetName, in.StackName)
		if err != nil {
			return nil, err
		}
		return &GetTemplateOutput{TemplateBody: cs.Template, StagesAvailable: []string{"Original", "Processed"}}, nil
	}
	st := s.lookupStack(in.StackName)
	if st == nil {
		return nil, errStackNotFound(in.StackName)
	}
	return &GetTemplateOutput{TemplateBody: st.Template, StagesAvailable: []string{"Original", "Processed"}}, nil
}

// ListExports lists every export of the region's stacks.
func (s *Service) ListExports(_ context.Context, _ *ListExportsInput) (*ListExportsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &ListExportsOutput{}
	for _, id := range sortedKeys(s.stacks) {
		st := s.stacks[id]
		if st.Status == statusDeleteComplete {
			continue
		}
		for _, o := range st.Outputs {
			if o.ExportName != "" {
				out.Exports = append(out.Exports, Export{ExportingStackID: st.ID, Name: o.ExportName, Value: o.Value})
			}
		}
	}
	return out, nil
}

// ListImports lists the stacks importing an export.
func (s *Service) ListImports(_ context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	users := s.importersLocked(in.ExportName)
	if len(users) == 0 {
		return nil, errValidation("Export '%s' is not imported by any stack.", in.ExportName)
	}
	return &ListImportsOutput{Imports: users}, nil
}

// DeleteStack deletes a stack in the background; deleting a stack that
// does not exist succeeds, as in AWS. A stack whose exports other stacks
// import goes back to its previous status, the reason naming them.
func (s *Service) DeleteStack(ctx context.Context, in *DeleteStackInput) (*Empty, error) {
	if in.StackName == "" {
		return nil, errValidation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupStack(in.StackName)
	if st == nil || st.Status == statusDeleteComplete || st.Status == statusDeleteInProgress {
		return &Empty{}, nil
	}
	if busy(st.Status) {
		return nil, errValidation("Stack [%s] cannot be deleted while in status %s", st.Name, st.Status)
	}
	if len(in.RetainResources) > 0 && st.Status != statusDeleteFailed {
		return nil, errValidation("Invalid operation on stack [%s]. RetainResources can only be specified when stack is in DELETE_FAILED state.", st.ID)
	}
	if call := server.CallFrom(ctx); call.Endpoint != "" {
		st.Endpoint = call.Endpoint
	}
	st.Principal = s.principalOf(ctx)
	before := st.Status
	st.Op = &opRecord{Kind: "DELETE"}
	if err := s.setStatusLocked(st, statusDeleteInProgress, "User Initiated"); err != nil {
		return nil, err
	}
	// As in AWS, a stack whose exports are imported is not deleted: it
	// returns to its previous status with a reason naming the importers.
	for _, o := range st.Outputs {
		if o.ExportName == "" {
			continue
		}
		if users := without(s.importersLocked(o.ExportName), st.Name); len(users) > 0 {
			st.Op = nil
			reason := "Export " + o.ExportName + " cannot be deleted as it is in use by " + strings.Join(users, " and ")
			if err := s.setStatusLocked(st, before, reason); err != nil {
				return nil, err
			}
			return &Empty{}, nil
		}
	}
	id, retain := st.ID, in.RetainResources
	s.goOp(func() { s.runDelete(id, retain) })
	return &Empty{}, nil
}

// ValidateTemplate checks a template and reports its parameters and the
// capabilities it needs.
func (s *Service) ValidateTemplate(ctx context.Context, in *ValidateTemplateInput) (*ValidateTemplateOutput, error) {
	body, err := s.templateBody(ctx, in.TemplateBody, in.TemplateURL, false, nil)
	if err != nil {
		return nil, err
	}
	tpl, err := s.parseChecked(body)
	if err != nil {
		return nil, err
	}
	out := &ValidateTemplateOutput{Description: tpl.Description}
	for _, name := range tpl.SortedParameters() {
		p := tpl.Parameters[name]
		tp := TemplateParameter{ParameterKey: name, NoEcho: p.NoEcho, Description: p.Description}
		if p.Default != nil {
			tp.DefaultValue = *p.Default
		}
		out.Parameters = append(out.Parameters, tp)
	}
	caps, types := s.requiredCapabilities(tpl)
	if len(caps) > 0 {
		out.Capabilities = caps
		out.CapabilitiesReason = "The following resource(s) require capabilities: [" + strings.Join(types, ", ") + "]"
	}
	return out, nil
}

// ListStacks summarises every stack, deleted ones included, optionally
// filtered by status.
func (s *Service) ListStacks(_ context.Context, in *ListStacksInput) (*ListStacksOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]bool{}
	for _, f := range in.StackStatusFilter {
		want[f] = true
	}
	out := &ListStacksOutput{}
	for _, id := range sortedKeys(s.stacks) {
		st := s.stacks[id]
		if len(want) > 0 && !want[st.Status] {
			continue
		}
		out.StackSummaries = append(out.StackSummaries, StackSummary{StackID: st.ID, StackName: st.Name, TemplateDescription: st.Description,
			CreationTime: fmtTime(st.Created), LastUpdatedTime: fmtTime(st.Updated), DeletionTime: fmtTime(st.Deleted),
			StackStatus: st.Status, StackStatusReason: st.StatusReason, DriftInformation: &StackDriftInformation{StackDriftStatus: "NOT_CHECKED"}})
	}
	return out, nil
}

// GetTemplateSummary summarises a template, or a stack's current one.
func (s *Service) GetTemplateSummary(ctx context.Context, in *GetTemplateSummaryInput) (*GetTemplateSummaryOutput, error) {
	var body string
	if in.StackName != "" {
		s.mu.Lock()
		st := s.lookupStack(in.StackName)
		if st != nil {
			body = st.Template
		}
		s.mu.Unlock()
		if st == nil || body == "" {
			return nil, errStackNotFound(in.StackName)
		}
	} else {
		b, err := s.templateBody(ctx, in.TemplateBody, in.TemplateURL, false, nil)
		if err != nil {
			return nil, err
		}
		body = b
	}
	tpl, err := s.parseChecked(body)
	if err != nil {
		return nil, err
	}
	out := &GetTemplateSummaryOutput{Description: tpl.Description, Version: tpl.FormatVersion}
	if out.Version == "" {
		out.Version = "2010-09-09"
	}
	for _, name := range tpl.SortedParameters() {
		p := tpl.Parameters[name]
		d := ParameterDeclaration{ParameterKey: name, ParameterType: p.Type, NoEcho: p.NoEcho, Description: p.Description,
			ParameterConstraints: &ParameterConstraints{AllowedValues: p.AllowedValues}}
		if p.Default != nil {
			d.DefaultValue = *p.Default
		}
		out.Parameters = append(out.Parameters, d)
	}
	types := map[string]bool{}
	for _, r := range tpl.Resources {
		types[r.Type] = true
	}
	out.ResourceTypes = sortedKeys(types)
	caps, capTypes := s.requiredCapabilities(tpl)
	if len(caps) > 0 {
		out.Capabilities = caps
		out.CapabilitiesReason = "The following resource(s) require capabilities: [" + strings.Join(capTypes, ", ") + "]"
	}
	return out, nil
}
