package cfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/server"
)

const noChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."

var (
	changeSetNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)
	stackNameRE     = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)
)

// asValidation turns template errors into the ValidationError the API
// answers; other errors pass through.
func asValidation(err error) error {
	var te *template.Error
	if errors.As(err, &te) {
		return errValidation("%s", te.Message)
	}
	return err
}

// templateBody returns the body a request names.
func (s *Service) templateBody(ctx context.Context, body, url string, usePrevious bool, st *stackRecord) (string, error) {
	n := 0
	for _, set := range []bool{body != "", url != "", usePrevious} {
		if set {
			n++
		}
	}
	if n != 1 {
		return "", errValidation("Specify exactly one of TemplateBody, TemplateURL or UsePreviousTemplate")
	}
	switch {
	case usePrevious:
		if st == nil || st.Template == "" {
			return "", errValidation("UsePreviousTemplate can only be used with a stack that has a template")
		}
		return st.Template, nil
	case url != "":
		if s.cfg.Templates == nil {
			return "", errValidation("TemplateURL must be a supported URL: no S3 service is wired to fetch templates")
		}
		b, err := s.cfg.Templates.FetchTemplate(ctx, url)
		if err != nil {
			return "", errValidation("TemplateURL must be a supported URL. (%s)", err)
		}
		if len(b) > template.MaxBodyBytes {
			return "", errValidation("Template may not exceed %d bytes in size.", template.MaxBodyBytes)
		}
		return string(b), nil
	}
	if len(body) > 51200 {
		return "", errValidation("1 validation error detected: Value '[...]' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200")
	}
	return body, nil
}

// parseChecked parses a template and checks its resource types and
// attributes, with the API's errors.
func (s *Service) parseChecked(body string) (*template.Template, error) {
	tpl, err := template.Parse([]byte(body))
	if err != nil {
		return nil, asValidation(err)
	}
	if err := s.checkTypes(tpl, false); err != nil {
		return nil, err
	}
	return tpl, nil
}

// checkTypes rejects resource types localcloud does not know or cannot
// provision yet, attributes a type does not have and properties it does
// not accept.
func (s *Service) checkTypes(tpl *template.Template, provisioning bool) error {
	var unknown []string
	unavailable := map[string][]string{}
	for _, name := range tpl.SortedResources() {
		r := tpl.Resources[name]
		spec, ok := s.cfg.Registry.Lookup(r.Type)
		if !ok {
			unknown = append(unknown, r.Type)
			continue
		}
		if spec.Provider == nil {
			unavailable[r.Type] = append(unavailable[r.Type], name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return errValidation("Template format error: Unrecognized resource types: [%s]", strings.Join(slices.Compact(unknown), ", "))
	}
	for _, ref := range tpl.AttributeReferences() {
		spec, _ := s.cfg.Registry.Lookup(tpl.Resources[ref[0]].Type)
		if !spec.HasAttribute(ref[1]) {
			return errValidation("Template error: resource %s does not support attribute type %s in Fn::GetAtt", ref[0], ref[1])
		}
	}
	if !provisioning {
		return nil
	}
	if len(unavailable) > 0 {
		var parts []string
		for _, t := range sortedKeys(unavailable) {
			parts = append(parts, t+" ("+strings.Join(unavailable[t], ", ")+")")
		}
		return errValidation("localcloud cannot provision these resource types yet (provider not available): [%s]", strings.Join(parts, "; "))
	}
	for _, name := range tpl.SortedResources() {
		r := tpl.Resources[name]
		spec, _ := s.cfg.Registry.Lookup(r.Type)
		if err := spec.CheckProperties(r.Properties); err != nil {
			return errValidation("Template error: resource %s: %s", name, err)
		}
	}
	return nil
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// requiredCapabilities returns the capabilities a template needs and the
// resource types that need them.
func (s *Service) requiredCapabilities(tpl *template.Template) (caps []string, types []string) {
	set, typeSet := map[string]bool{}, map[string]bool{}
	for _, name := range tpl.SortedResources() {
		r := tpl.Resources[name]
		spec, ok := s.cfg.Registry.Lookup(r.Type)
		if !ok || spec.Capability == "" {
			continue
		}
		typeSet[r.Type] = true
		if _, named := r.Properties[spec.NameProperty]; named && spec.NamedCapability != "" {
			set[spec.NamedCapability] = true
		} else {
			set[spec.Capability] = true
		}
	}
	if set["CAPABILITY_NAMED_IAM"] {
		delete(set, "CAPABILITY_IAM")
	}
	return sortedKeys(set), sortedKeys(typeSet)
}

func hasCapabilities(given, needed []string) bool {
	have := map[string]bool{}
	for _, c := range given {
		have[c] = true
	}
	for _, n := range needed {
		// CAPABILITY_NAMED_IAM acknowledges unnamed IAM resources too.
		covered := have[n] || n == "CAPABILITY_IAM" && have["CAPABILITY_NAMED_IAM"]
		if !covered {
			return false
		}
	}
	return true
}

func noEchoParams(tpl *template.Template) []string {
	var out []string
	for _, name := range tpl.SortedParameters() {
		if tpl.Parameters[name].NoEcho {
			out = append(out, name)
		}
	}
	return out
}

// CreateChangeSet validates the template, parameters and capabilities,
// stores the change set as CREATE_PENDING and computes it.
func (s *Service) CreateChangeSet(ctx context.Context, in *CreateChangeSetInput) (*CreateChangeSetOutput, error) {
	if in.StackName == "" {
		return nil, errValidation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	if in.ChangeSetName == "" {
		return nil, errValidation("1 validation error detected: Value null at 'changeSetName' failed to satisfy constraint: Member must not be null")
	}
	if !changeSetNameRE.MatchString(in.ChangeSetName) {
		return nil, errValidation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	if !stackNameRE.MatchString(in.StackName) && !strings.HasPrefix(in.StackName, "arn:") {
		return nil, errValidation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.StackName)
	}
	csType := in.ChangeSetType
	if csType == "" {
		csType = "UPDATE"
	}
	if csType != "CREATE" && csType != "UPDATE" {
		return nil, errValidation("ChangeSetType %s is not supported by localcloud (CREATE or UPDATE)", csType)
	}
	s.mu.Lock()
	st := s.lookupStack(in.StackName)
	var current *stackRecord
	if st != nil {
		c := *st
		current = &c
	}
	s.mu.Unlock()
	switch {
	case csType == "CREATE" && current != nil && current.Status != statusReviewInProgress:
		return nil, errAlreadyExists("Stack [%s] already exists and cannot be created again with the changeSet [%s].", current.Name, in.ChangeSetName)
	case csType == "UPDATE" && current == nil:
		return nil, errValidation("Stack [%s] does not exist", in.StackName)
	case csType == "UPDATE" && !updatable(current.Status):
		return nil, errValidation("Stack:%s is in %s state and can not be updated.", current.ID, current.Status)
	}
	body, err := s.templateBody(ctx, in.TemplateBody, in.TemplateURL, in.UsePreviousTemplate != nil && *in.UsePreviousTemplate, current)
	if err != nil {
		return nil, err
	}
	tpl, err := s.parseChecked(body)
	if err != nil {
		return nil, err
	}
	given := make([]template.ParameterValue, 0, len(in.Parameters))
	for _, p := range in.Parameters {
		given = append(given, template.ParameterValue{Key: p.ParameterKey, Value: p.ParameterValue, UsePrevious: p.UsePreviousValue != nil && *p.UsePreviousValue})
	}
	var previous map[string]string
	if current != nil {
		previous = current.Params
	}
	params, err := tpl.ResolveParameters(given, previous)
	if err != nil {
		return nil, asValidation(err)
	}
	if needed, _ := s.requiredCapabilities(tpl); !hasCapabilities(in.Capabilities, needed) {
		return nil, errInsufficientCapabilities(needed)
	}
	if err := s.checkTypes(tpl, true); err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
	}
	call := server.CallFrom(ctx)
	principal := s.principalOf(ctx)

	out, err := s.registerChangeSet(in, csType, body, tpl, params, tags, call.Endpoint, principal)
	if err != nil {
		return nil, err
	}
	// Planning only reads state and evaluates the template, so it runs
	// before answering: clients see CREATE_COMPLETE or FAILED at their first
	// DescribeChangeSet instead of waiting a poll interval. The change set
	// was stored as CREATE_PENDING first, so a restart recomputes it.
	s.computeChangeSet(out.ID)
	return out, nil
}

// registerChangeSet creates the stack (REVIEW_IN_PROGRESS) if needed and
// stores the CREATE_PENDING change set.
func (s *Service) registerChangeSet(in *CreateChangeSetInput, csType, body string, tpl *template.Template, params, tags map[string]string,
	endpoint string, principal iam.Principal) (*CreateChangeSetOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupStack(in.StackName)
	if st == nil {
		if csType != "CREATE" {
			return nil, errValidation("Stack [%s] does not exist", in.StackName)
		}
		if strings.HasPrefix(in.StackName, "arn:") {
			return nil, errValidation("Stack with id %s does not exist", in.StackName)
		}
		st = &stackRecord{ID: s.stackARN(in.StackName), Name: in.StackName, Status: statusReviewInProgress,
			Created: s.now().UnixMilli(), Resources: map[string]*resourceRecord{}, Principal: principal, Endpoint: endpoint}
		s.stacks[st.ID] = st
		s.byName[st.Name] = st.ID
		e := s.eventLocked(st, st.Name, st.ID, "AWS::CloudFormation::Stack", statusReviewInProgress, "User Initiated", nil)
		if err := s.saveLocked(st, []eventRecord{e}); err != nil {
			return nil, err
		}
	}
	for _, id := range s.changeSetsOf(st.ID) {
		if s.changeSets[id].Name == in.ChangeSetName {
			return nil, errAlreadyExists("ChangeSet %s already exists", in.ChangeSetName)
		}
	}
	cs := &changeSetRecord{ID: s.changeSetARN(in.ChangeSetName), Name: in.ChangeSetName, StackID: st.ID, StackName: st.Name,
		Type: csType, Status: "CREATE_PENDING", ExecutionStatus: "UNAVAILABLE", Description: in.Description,
		Created: s.now().UnixMilli(), Template: body, Params: params, NoEcho: noEchoParams(tpl), Tags: tags,
		Capabilities: in.Capabilities, OnStackFailure: in.OnStackFailure, Endpoint: endpoint, Principal: principal}
	if csType == "UPDATE" && len(in.Tags) == 0 {
		cs.Tags = copyMap(st.Tags)
	}
	s.changeSets[cs.ID] = cs
	if err := s.saveChangeSetLocked(cs); err != nil {
		delete(s.changeSets, cs.ID)
		return nil, err
	}
	return &CreateChangeSetOutput{ID: cs.ID, StackID: st.ID}, nil
}

// computeChangeSet moves a change set through CREATE_IN_PROGRESS to
// CREATE_COMPLETE or FAILED.
func (s *Service) computeChangeSet(id string) {
	s.mu.Lock()
	cs := s.changeSets[id]
	if cs == nil {
		s.mu.Unlock()
		return
	}
	cs.Status = "CREATE_IN_PROGRESS"
	st := s.stacks[cs.StackID]
	var current *snapshot
	if st != nil {
		current = st.snapshot()
	}
	s.mu.Unlock()

	changes, changedElsewhere, err := s.plan(cs, current)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changeSets[id] != cs {
		return // deleted meanwhile
	}
	switch {
	case err != nil:
		cs.Status, cs.StatusReason = "FAILED", err.Error()
	case len(changes) == 0 && !changedElsewhere:
		cs.Status, cs.StatusReason = "FAILED", noChangesReason
	default:
		cs.Status, cs.ExecutionStatus, cs.Changes = "CREATE_COMPLETE", "AVAILABLE", changes
	}
	if err := s.saveChangeSetLocked(cs); err != nil {
		s.cfg.Logger.Error("store change set", "changeSet", cs.ID, "err", err)
	}
}

// plan computes the resource changes of a change set against the stack's
// current resources, and whether anything else (outputs, tags) changes.
func (s *Service) plan(cs *changeSetRecord, current *snapshot) ([]changeRecord, bool, error) {
	tpl, err := template.Parse([]byte(cs.Template))
	if err != nil {
		return nil, false, err
	}
	resources := map[string]*resourceRecord{}
	var outputs []outputRecord
	var tags map[string]string
	if current != nil {
		resources, outputs, tags = current.Resources, current.Outputs, current.Tags
	}
	res := &resolver{s: s, stackID: cs.StackID, current: resources, pending: map[string]bool{}}
	ev, err := template.NewEvaluator(tpl, cs.Params, s.pseudo(cs.StackName, cs.StackID), res)
	if err != nil {
		return nil, false, err
	}
	order, err := tpl.Order(ev.Conditions())
	if err != nil {
		return nil, false, err
	}
	if len(order) == 0 {
		return nil, false, errors.New("Template format error: At least one Resources member must be defined.")
	}
	var changes []changeRecord
	var typeChanged []string
	for _, name := range order {
		r := tpl.Resources[name]
		props, err := ev.Properties(name)
		if err != nil {
			return nil, false, err
		}
		cur := resources[name]
		if cur == nil {
			res.pending[name] = true
			changes = append(changes, changeRecord{Action: "Add", LogicalID: name, Type: r.Type, Scope: []string{}})
			continue
		}
		if cur.Type != r.Type {
			typeChanged = append(typeChanged, name)
			continue
		}
		spec, _ := s.cfg.Registry.Lookup(r.Type)
		c, replaced := diffResource(spec.RequiresReplacement, cur, props)
		if cs.Type == "UPDATE" && !sameMap(tags, cs.Tags) && spec.TakesTags() {
			// New stack tags reach every resource that takes tags.
			if c == nil {
				c = &changeRecord{Action: "Modify", LogicalID: name, PhysicalID: cur.PhysicalID, Replacement: "False"}
			}
			c.Scope = slices.Compact(slices.Sorted(slices.Values(append(c.Scope, "Tags"))))
			c.Details = append(c.Details, detailRecord{Attribute: "Tags", RequiresRecreation: "Never", Evaluation: "Static", ChangeSource: "DirectModification"})
		}
		if c == nil {
			continue
		}
		c.Type = r.Type
		if replaced {
			res.pending[name] = true
		}
		changes = append(changes, *c)
	}
	if len(typeChanged) > 0 {
		return nil, false, fmt.Errorf("Update of resource type is not permitted. The new template modifies resource type of the following resources: [%s]", strings.Join(typeChanged, ", "))
	}
	included := map[string]bool{}
	for _, n := range order {
		included[n] = true
	}
	for _, name := range sortedKeys(resources) {
		if !included[name] {
			cur := resources[name]
			changes = append(changes, changeRecord{Action: "Remove", LogicalID: name, PhysicalID: cur.PhysicalID, Type: cur.Type, Scope: []string{}})
		}
	}
	newOutputs, unknown, err := evalOutputs(tpl, ev)
	if err != nil {
		return nil, false, err
	}
	elsewhere := unknown || !sameOutputs(newOutputs, outputs) || (cs.Type == "UPDATE" && !sameMap(tags, cs.Tags))
	return changes, elsewhere, nil
}

// diffResource compares a resource's stored properties with the new ones.
func diffResource(requiresReplacement func(string) bool, cur *resourceRecord, props map[string]any) (*changeRecord, bool) {
	keys := map[string]bool{}
	for k := range props {
		keys[k] = true
	}
	for k := range cur.Properties {
		keys[k] = true
	}
	c := &changeRecord{Action: "Modify", LogicalID: cur.LogicalID, PhysicalID: cur.PhysicalID, Replacement: "False"}
	scope := map[string]bool{}
	for _, k := range sortedKeys(keys) {
		nv, unknown := props[k], template.IsUnknown(props[k])
		if !unknown && equalJSON(cur.Properties[k], nv) {
			continue
		}
		scope["Properties"] = true
		if k == "Tags" {
			scope["Tags"] = true
		}
		d := detailRecord{Attribute: "Properties", Name: k, RequiresRecreation: "Never", Evaluation: "Static", ChangeSource: "DirectModification"}
		if unknown {
			d.Evaluation, d.ChangeSource = "Dynamic", "ResourceReference"
			if u, ok := nv.(template.Unknown); ok {
				d.CausingEntity = u.Expr
			}
		}
		if requiresReplacement(k) {
			if unknown {
				d.RequiresRecreation = "Conditionally"
				if c.Replacement == "False" {
					c.Replacement = "Conditional"
				}
			} else {
				d.RequiresRecreation = "Always"
				c.Replacement = "True"
			}
		}
		c.Details = append(c.Details, d)
	}
	if len(c.Details) == 0 {
		return nil, false
	}
	c.Scope = sortedKeys(scope)
	return c, c.Replacement != "False"
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func sameOutputs(a, b []outputRecord) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// evalOutputs resolves the included outputs, sorted by key; unknown is true
// when a value is only known after provisioning.
func evalOutputs(tpl *template.Template, ev *template.Evaluator) ([]outputRecord, bool, error) {
	var out []outputRecord
	unknown := false
	for _, name := range sortedKeys(tpl.Outputs) {
		if !ev.OutputIncluded(name) {
			continue
		}
		o := tpl.Outputs[name]
		rec := outputRecord{Key: name}
		for _, f := range []struct {
			expr any
			dst  *string
		}{{o.Value, &rec.Value}, {o.Description, &rec.Description}, {o.Export, &rec.ExportName}} {
			if f.expr == nil {
				continue
			}
			v, err := ev.Eval(f.expr)
			if err != nil {
				return nil, false, err
			}
			if template.IsUnknown(v) {
				unknown = true
				continue
			}
			*f.dst = outputString(v)
		}
		out = append(out, rec)
	}
	return out, unknown, nil
}

// outputString renders an output value: lists comma-joined, as
// CloudFormation does.
func outputString(v any) string {
	if s, ok := template.String(v); ok {
		return s
	}
	if l, ok := v.([]any); ok {
		parts := make([]string, 0, len(l))
		for _, e := range l {
			parts = append(parts, outputString(e))
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// findChangeSet resolves a change set by ARN, or by name within a stack.
// Callers hold s.mu.
func (s *Service) findChangeSet(name, stack string) (*changeSetRecord, error) {
	if name == "" {
		return nil, errValidation("1 validation error detected: Value null at 'changeSetName' failed to satisfy constraint: Member must not be null")
	}
	if cs, ok := s.changeSets[name]; ok {
		return cs, nil
	}
	if strings.HasPrefix(name, "arn:") {
		return nil, errChangeSetNotFound(name)
	}
	if stack == "" {
		return nil, errValidation("StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	st := s.lookupStack(stack)
	if st == nil {
		return nil, errChangeSetNotFound(name)
	}
	for _, id := range s.changeSetsOf(st.ID) {
		if s.changeSets[id].Name == name {
			return s.changeSets[id], nil
		}
	}
	return nil, errChangeSetNotFound(name)
}

func paramsOut(params map[string]string, noEcho []string) []Parameter {
	hidden := map[string]bool{}
	for _, n := range noEcho {
		hidden[n] = true
	}
	out := make([]Parameter, 0, len(params))
	for _, k := range sortedKeys(params) {
		v := params[k]
		if hidden[k] {
			v = "****"
		}
		out = append(out, Parameter{ParameterKey: k, ParameterValue: v})
	}
	return out
}

func tagsOut(tags map[string]string) []Tag {
	out := make([]Tag, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, Tag{Key: k, Value: tags[k]})
	}
	return out
}

// DescribeChangeSet describes a change set and its changes.
func (s *Service) DescribeChangeSet(_ context.Context, in *ChangeSetRef) (*DescribeChangeSetOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.findChangeSet(in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	out := &DescribeChangeSetOutput{ChangeSetName: cs.Name, ChangeSetID: cs.ID, StackID: cs.StackID, StackName: cs.StackName,
		Description: cs.Description, Parameters: paramsOut(cs.Params, cs.NoEcho), CreationTime: fmtTime(cs.Created),
		ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.StatusReason, Capabilities: cs.Capabilities,
		Tags: tagsOut(cs.Tags), OnStackFailure: cs.OnStackFailure}
	for _, c := range cs.Changes {
		rc := &ResourceChange{Action: c.Action, LogicalResourceID: c.LogicalID, PhysicalResourceID: c.PhysicalID,
			ResourceType: c.Type, Scope: c.Scope}
		if c.Action == "Modify" {
			rc.Replacement = c.Replacement
		}
		for _, d := range c.Details {
			rc.Details = append(rc.Details, ResourceChangeDetail{
				Target:     &ResourceTargetDefinition{Attribute: d.Attribute, Name: d.Name, RequiresRecreation: d.RequiresRecreation},
				Evaluation: d.Evaluation, ChangeSource: d.ChangeSource, CausingEntity: d.CausingEntity})
		}
		out.Changes = append(out.Changes, Change{Type: "Resource", ResourceChange: rc})
	}
	return out, nil
}

// DeleteChangeSet deletes a change set that is not executing.
func (s *Service) DeleteChangeSet(_ context.Context, in *ChangeSetRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.findChangeSet(in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" {
		return nil, errInvalidChangeSetStatus("Cannot delete ChangeSet in status %s", cs.ExecutionStatus)
	}
	if err := s.deleteChangeSetsLocked([]string{cs.ID}); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListChangeSets lists a stack's change sets.
func (s *Service) ListChangeSets(_ context.Context, in *ListChangeSetsInput) (*ListChangeSetsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupStack(in.StackName)
	if st == nil {
		return nil, errStackNotFound(in.StackName)
	}
	out := &ListChangeSetsOutput{}
	for _, id := range s.changeSetsOf(st.ID) {
		cs := s.changeSets[id]
		out.Summaries = append(out.Summaries, ChangeSetSummary{StackID: cs.StackID, StackName: cs.StackName, ChangeSetID: cs.ID,
			ChangeSetName: cs.Name, ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.StatusReason,
			CreationTime: fmtTime(cs.Created), Description: cs.Description})
	}
	return out, nil
}

// ExecuteChangeSet starts the stack operation a change set describes.
func (s *Service) ExecuteChangeSet(ctx context.Context, in *ChangeSetRef) (*Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.findChangeSet(in.ChangeSetName, in.StackName)
	if err != nil {
		return nil, err
	}
	if cs.Status != "CREATE_COMPLETE" {
		return nil, errInvalidChangeSetStatus("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
	}
	if cs.ExecutionStatus != "AVAILABLE" {
		return nil, errInvalidChangeSetStatus("ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.ID, cs.ExecutionStatus)
	}
	st := s.stacks[cs.StackID]
	if st == nil || st.Status == statusDeleteComplete {
		return nil, errStackNotFound(cs.StackName)
	}
	if busy(st.Status) {
		return nil, errValidation("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
	}
	call := server.CallFrom(ctx)
	if call.Endpoint != "" {
		st.Endpoint = call.Endpoint
	}
	st.Principal = s.principalOf(ctx)
	st.DisableRollback = cs.OnStackFailure == "DO_NOTHING" || (in.DisableRollback != nil && *in.DisableRollback)
	st.ChangeSetID = cs.ID
	st.Updated = s.now().UnixMilli()
	cs.ExecutionStatus = "EXECUTE_IN_PROGRESS"
	var others []string
	for _, id := range s.changeSetsOf(st.ID) {
		if id != cs.ID {
			others = append(others, id)
		}
	}
	kind, status := "UPDATE", statusUpdateInProgress
	if cs.Type == "CREATE" {
		kind, status = "CREATE", statusCreateInProgress
		st.Updated = 0
	}
	st.Op = &opRecord{Kind: kind, ChangeSetID: cs.ID}
	if kind == "UPDATE" {
		st.Op.Previous = st.snapshot()
	}
	st.Status, st.StatusReason = status, "User Initiated"
	e := s.eventLocked(st, st.Name, st.ID, "AWS::CloudFormation::Stack", status, "User Initiated", nil)
	if err := s.saveLocked(st, []eventRecord{e}, cs); err != nil {
		return nil, err
	}
	if len(others) > 0 {
		if err := s.deleteChangeSetsLocked(others); err != nil {
			s.cfg.Logger.Error("delete superseded change sets", "stack", st.Name, "err", err)
		}
	}
	id := st.ID
	s.goOp(func() { s.runApply(id) })
	return &Empty{}, nil
}

// updatable reports whether a stack in status accepts an update: it has
// settled after a create or update (failed ones included, when rollback
// was disabled). A stack rolled back after its create can only be deleted.
func updatable(status string) bool {
	switch status {
	case statusCreateComplete, statusUpdateComplete, statusUpdateRollbackComplete, statusCreateFailed, statusUpdateFailed:
		return true
	}
	return false
}

func busy(status string) bool {
	return strings.HasSuffix(status, "_IN_PROGRESS") && status != statusReviewInProgress
}
