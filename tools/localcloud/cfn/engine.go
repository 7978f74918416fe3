package cfn

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/provision"
	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
)

// resolver answers Ref, Fn::GetAtt and Fn::ImportValue. While planning it
// reads a snapshot of the resources and reports resources about to be
// created or replaced as Unknown; while provisioning (live) it reads the
// stack's records under s.mu.
type resolver struct {
	s       *Service
	stackID string
	current map[string]*resourceRecord
	pending map[string]bool
	live    *stackRecord
}

func (r *resolver) record(logical string) (*resourceRecord, bool) {
	if r.live != nil {
		r.s.mu.Lock()
		defer r.s.mu.Unlock()
		rec := r.live.Resources[logical]
		if rec == nil || rec.PhysicalID == "" {
			return nil, false
		}
		return rec.clone(), true
	}
	if r.pending[logical] {
		return nil, false
	}
	rec := r.current[logical]
	return rec, rec != nil
}

func (r *resolver) Ref(logical string) (any, error) {
	rec, ok := r.record(logical)
	if !ok {
		if r.live != nil {
			return nil, fmt.Errorf("resource %s is not provisioned", logical)
		}
		return template.Unknown{Expr: logical}, nil
	}
	return rec.PhysicalID, nil
}

func (r *resolver) GetAtt(logical, attr string) (any, error) {
	rec, ok := r.record(logical)
	if !ok {
		if r.live != nil {
			return nil, fmt.Errorf("resource %s is not provisioned", logical)
		}
		return template.Unknown{Expr: logical + "." + attr}, nil
	}
	v, ok := rec.Attributes[attr]
	if !ok {
		return nil, fmt.Errorf("Template error: resource %s does not support attribute type %s in Fn::GetAtt", logical, attr)
	}
	return v, nil
}

func (r *resolver) ImportValue(name string) (any, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if v, _, ok := r.s.exportLocked(name); ok {
		return v, nil
	}
	return nil, fmt.Errorf("No export named %s found.", name)
}

// exportLocked finds an export among settled stacks.
func (s *Service) exportLocked(name string) (value, stackID string, ok bool) {
	for _, id := range sortedKeys(s.stacks) {
		st := s.stacks[id]
		if st.Status == statusDeleteComplete || st.Status == statusReviewInProgress {
			continue
		}
		for _, o := range st.Outputs {
			if o.ExportName == name {
				return o.Value, st.ID, true
			}
		}
	}
	return "", "", false
}

// importersLocked names the live stacks that import an export.
func (s *Service) importersLocked(name string) []string {
	var out []string
	for _, st := range s.stacks {
		if st.Status == statusDeleteComplete {
			continue
		}
		for _, imp := range st.Imports {
			if imp == name {
				out = append(out, st.Name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func (s *Service) pseudo(name, id string) template.Pseudo {
	return template.Pseudo{AccountID: s.cfg.Account, Region: s.cfg.Region, StackName: name, StackID: id,
		Partition: partition, URLSuffix: urlSuffix}
}

// runDAG calls fn for every node once all the nodes it needs are done, at
// most workers at a time. After the first failure no new node starts;
// the failed nodes are returned.
func runDAG(deps map[string][]string, workers int, fn func(string) error) map[string]error {
	remaining := map[string]int{}
	users := map[string][]string{}
	for n, ds := range deps {
		remaining[n] += 0
		for _, d := range ds {
			if _, ok := deps[d]; ok {
				remaining[n]++
				users[d] = append(users[d], n)
			}
		}
	}
	var ready []string
	for n, c := range remaining {
		if c == 0 {
			ready = append(ready, n)
		}
	}
	sort.Strings(ready)
	type result struct {
		node string
		err  error
	}
	results := make(chan result)
	failed := map[string]error{}
	running := 0
	for {
		for len(failed) == 0 && running < workers && len(ready) > 0 {
			n := ready[0]
			ready = ready[1:]
			running++
			go func() { results <- result{n, safely(n, fn)} }()
		}
		if running == 0 {
			return failed
		}
		r := <-results
		running--
		if r.err != nil {
			failed[r.node] = r.err
			continue
		}
		for _, u := range users[r.node] {
			remaining[u]--
			if remaining[u] == 0 {
				ready = append(ready, u)
			}
		}
		sort.Strings(ready)
	}
}

// safely runs fn, turning a panic in a provider into the resource's
// failure instead of taking localcloud down.
func safely(n string, fn func(string) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error in the resource provider: %v", v)
		}
	}()
	return fn(n)
}

// reverseDeps turns "needs" edges into "needed by" edges, for deletion.
func reverseDeps(deps map[string][]string) map[string][]string {
	out := map[string][]string{}
	for n := range deps {
		out[n] = nil
	}
	for n, ds := range deps {
		for _, d := range ds {
			if _, ok := deps[d]; ok {
				out[d] = append(out[d], n)
			}
		}
	}
	return out
}

func failedNames(failed map[string]error) string {
	return strings.Join(sortedKeys(failed), ", ")
}

// runApply executes a CREATE or UPDATE change set.
func (s *Service) runApply(stackID string) {
	s.mu.Lock()
	st := s.stacks[stackID]
	cs := s.changeSets[st.Op.ChangeSetID]
	kind := st.Op.Kind
	before := copyMap(st.Tags)
	s.mu.Unlock()
	if cs == nil {
		s.fail(st, kind, "the change set was deleted before it ran")
		return
	}
	ctx := s.opContext(st)
	tpl, err := template.Parse([]byte(cs.Template))
	var ev *template.Evaluator
	var deps map[string][]string
	if err == nil {
		ev, err = template.NewEvaluator(tpl, cs.Params, s.pseudo(st.Name, st.ID), &resolver{s: s, stackID: st.ID, live: st})
	}
	if err == nil {
		deps, err = tpl.Dependencies(ev.Conditions())
	}
	if err != nil {
		s.fail(st, kind, err.Error())
		return
	}
	tags := stackTags{now: cs.Tags, before: before}
	failed := runDAG(deps, s.cfg.Parallelism, func(name string) error {
		return s.applyResource(ctx, st, tpl, ev, name, deps[name], tags)
	})
	if ctx.Err() != nil {
		return // shutting down: the next start resumes
	}
	reason := ""
	if len(failed) > 0 {
		verb := "create"
		if kind == "UPDATE" {
			verb = "update"
		}
		reason = fmt.Sprintf("The following resource(s) failed to %s: [%s]. ", verb, failedNames(failed))
	}
	var outputs []outputRecord
	if reason == "" {
		outputs, _, err = evalOutputs(tpl, ev)
		if err != nil {
			reason = err.Error()
		}
	}
	imports := ev.ReferencedExports() // resolves through s.mu: before taking it
	s.mu.Lock()
	if reason == "" {
		reason = s.checkExportsLocked(st, outputs)
	}
	if reason != "" {
		s.mu.Unlock()
		s.fail(st, kind, reason)
		return
	}
	st.Template, st.Params, st.NoEcho, st.Tags = cs.Template, cs.Params, cs.NoEcho, cs.Tags
	st.Capabilities, st.Description, st.Outputs = cs.Capabilities, tpl.Description, outputs
	st.Imports = imports
	if kind == "CREATE" {
		st.Op = nil
		if err := s.setStatusLocked(st, statusCreateComplete, ""); err != nil {
			s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
		}
		s.finishChangeSetLocked(cs.ID, "EXECUTE_COMPLETE")
		s.mu.Unlock()
		return
	}
	if err := s.setStatusLocked(st, statusUpdateCleanup, ""); err != nil {
		s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
	}
	s.mu.Unlock()
	s.cleanupUpdate(ctx, st, deps)
}

// checkExportsLocked enforces export rules on a stack's new outputs: names
// are unique across stacks, and an export another stack imports can be
// neither removed nor changed.
func (s *Service) checkExportsLocked(st *stackRecord, outputs []outputRecord) string {
	next := map[string]string{}
	for _, o := range outputs {
		if o.ExportName == "" {
			continue
		}
		if _, owner, ok := s.exportLocked(o.ExportName); ok && owner != st.ID {
			return fmt.Sprintf("Export with name %s is already exported by stack %s", o.ExportName, s.stacks[owner].Name)
		}
		next[o.ExportName] = o.Value
	}
	for _, o := range st.Outputs {
		if o.ExportName == "" || st.Status == statusCreateInProgress {
			continue
		}
		users := s.importersLocked(o.ExportName)
		users = without(users, st.Name)
		if len(users) == 0 {
			continue
		}
		v, kept := next[o.ExportName]
		if !kept {
			return fmt.Sprintf("Export %s cannot be deleted as it is in use by %s", o.ExportName, strings.Join(users, " and "))
		}
		if v != o.Value {
			return fmt.Sprintf("Export %s cannot be updated as it is in use by %s", o.ExportName, strings.Join(users, " and "))
		}
	}
	return ""
}

func without(l []string, s string) []string {
	out := l[:0]
	for _, e := range l {
		if e != s {
			out = append(out, e)
		}
	}
	return out
}

func (s *Service) finishChangeSetLocked(id, status string) {
	if cs := s.changeSets[id]; cs != nil {
		cs.ExecutionStatus = status
		if err := s.saveChangeSetLocked(cs); err != nil {
			s.cfg.Logger.Error("store change set", "changeSet", id, "err", err)
		}
	}
}

// stackTags are the stack's tags an operation applies and the ones the
// resources carry from before; CloudFormation propagates stack tags to
// every resource that takes tags.
type stackTags struct{ now, before map[string]string }

// retag reports whether resources of spec must be updated for new stack
// tags.
func (t stackTags) retag(spec *provision.Spec) bool {
	return spec.TakesTags() && !sameMap(t.now, t.before)
}

// applyResource creates, updates in place, replaces or leaves one resource.
func (s *Service) applyResource(ctx context.Context, st *stackRecord, tpl *template.Template, ev *template.Evaluator, name string, deps []string, tags stackTags) error {
	if ctx.Err() != nil {
		return fmt.Errorf("operation interrupted: %w", ctx.Err())
	}
	r := tpl.Resources[name]
	spec, _ := s.cfg.Registry.Lookup(r.Type)
	s.mu.Lock()
	var cur *resourceRecord
	if c := st.Resources[name]; c != nil && c.PhysicalID != "" {
		cur = c.clone()
	}
	s.mu.Unlock()
	props, err := ev.Properties(name)
	if err == nil && spec.Provider == nil {
		err = fmt.Errorf("localcloud cannot provision %s yet (provider not available)", r.Type)
	}
	if err != nil {
		status := statusCreateFailed
		if cur != nil {
			status = statusUpdateFailed
		}
		s.resourceEvent(st, name, "", r.Type, status, err.Error(), nil, nil)
		return err
	}
	req := &provision.Request{StackName: st.Name, StackID: st.ID, LogicalID: name, Type: r.Type, Region: s.cfg.Region,
		Account: s.cfg.Account, Properties: props, Suffix: s.suffix(), StackTags: tags.now, OldStackTags: tags.before}
	base := &resourceRecord{LogicalID: name, Type: r.Type, DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy,
		Deps: deps, Metadata: r.Metadata}
	if cur == nil {
		return s.createResource(ctx, st, spec, req, base, statusCreateInProgress, statusCreateComplete, statusCreateFailed, "")
	}
	change, replace := diffResource(spec.RequiresReplacement, cur, props)
	if change == nil && !tags.retag(spec) {
		s.mu.Lock()
		rec := st.Resources[name]
		rec.DeletionPolicy, rec.UpdateReplacePolicy, rec.Deps, rec.Metadata = base.DeletionPolicy, base.UpdateReplacePolicy, deps, base.Metadata
		s.mu.Unlock()
		return nil
	}
	if replace {
		if spec.NameProperty != "" {
			if n, ok := props[spec.NameProperty]; ok && equalJSON(n, cur.Properties[spec.NameProperty]) {
				msg := fmt.Sprintf("CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename %s and update the stack again.", n)
				s.resourceEvent(st, name, cur.PhysicalID, r.Type, statusUpdateFailed, msg, nil, nil)
				return errors.New(msg)
			}
		}
		return s.createResource(ctx, st, spec, req, base, statusUpdateInProgress, statusUpdateComplete, statusUpdateFailed, cur.PhysicalID)
	}
	s.resourceEvent(st, name, cur.PhysicalID, r.Type, statusUpdateInProgress, "", props, nil)
	req.PhysicalID, req.OldProperties, req.Attributes = cur.PhysicalID, cur.Properties, cur.Attributes
	res, err := spec.Provider.Update(ctx, req)
	if err != nil {
		s.resourceEvent(st, name, cur.PhysicalID, r.Type, statusUpdateFailed, err.Error(), nil, nil)
		return err
	}
	base.PhysicalID, base.Properties, base.Attributes, base.Status = res.PhysicalID, props, res.Attributes, statusUpdateComplete
	s.resourceEvent(st, name, res.PhysicalID, r.Type, statusUpdateComplete, "", nil, base)
	return nil
}

// createResource creates a resource, or the new copy of a replaced one
// (oldPhysical set), recording events with the given statuses.
func (s *Service) createResource(ctx context.Context, st *stackRecord, spec *provision.Spec, req *provision.Request, base *resourceRecord,
	inProgress, complete, failed, oldPhysical string) error {
	first := ""
	if oldPhysical != "" {
		first = "Requested update requires the creation of a new physical resource; hence creating one."
	}
	s.resourceEvent(st, req.LogicalID, oldPhysical, req.Type, inProgress, first, req.Properties, nil)
	res, err := spec.Provider.Create(ctx, req)
	if err != nil {
		s.resourceEvent(st, req.LogicalID, "", req.Type, failed, err.Error(), nil, nil)
		return err
	}
	base.PhysicalID, base.Properties, base.Attributes, base.Status = res.PhysicalID, req.Properties, res.Attributes, complete
	s.mu.Lock()
	if oldPhysical != "" {
		old := st.Resources[req.LogicalID]
		st.Op.Replaced = append(st.Op.Replaced, cleanupItem{LogicalID: req.LogicalID, Type: req.Type, PhysicalID: oldPhysical,
			Properties: old.Properties, Attributes: old.Attributes, Retain: old.UpdateReplacePolicy == "Retain"})
	}
	s.mu.Unlock()
	s.resourceEvent(st, req.LogicalID, res.PhysicalID, req.Type, inProgress, "Resource creation Initiated", nil, nil)
	s.resourceEvent(st, req.LogicalID, res.PhysicalID, req.Type, complete, "", nil, base)
	return nil
}

// resourceEvent records a resource event and, when rec is given, installs
// it as the resource's new state, in one commit.
func (s *Service) resourceEvent(st *stackRecord, logical, physical, typ, status, reason string, props map[string]any, rec *resourceRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec != nil {
		rec.Updated = s.now().UnixMilli()
		rec.Status, rec.StatusReason = status, reason
		st.Resources[logical] = rec
	} else if cur := st.Resources[logical]; cur != nil {
		cur.Status, cur.StatusReason = status, reason
	}
	e := s.eventLocked(st, logical, physical, typ, status, reason, props)
	if err := s.saveLocked(st, []eventRecord{e}); err != nil {
		s.cfg.Logger.Error("store stack event", "stack", st.Name, "err", err)
	}
}

// deleteResource deletes one physical resource honouring the retain flag,
// with DELETE_* events.
func (s *Service) deleteResource(ctx context.Context, st *stackRecord, logical, typ, physical string, props, attrs map[string]any, retain bool) error {
	if physical == "" {
		return nil
	}
	if retain {
		s.resourceEvent(st, logical, physical, typ, statusDeleteSkipped, "", nil, nil)
		return nil
	}
	spec, ok := s.cfg.Registry.Lookup(typ)
	if !ok || spec.Provider == nil {
		msg := fmt.Sprintf("localcloud cannot delete %s (provider not available)", typ)
		s.resourceEvent(st, logical, physical, typ, statusDeleteFailed, msg, nil, nil)
		return errors.New(msg)
	}
	s.resourceEvent(st, logical, physical, typ, statusDeleteInProgress, "", nil, nil)
	err := spec.Provider.Delete(ctx, &provision.Request{StackName: st.Name, StackID: st.ID, LogicalID: logical, Type: typ,
		Region: s.cfg.Region, Account: s.cfg.Account, PhysicalID: physical, OldProperties: props, Attributes: attrs})
	if err != nil {
		s.resourceEvent(st, logical, physical, typ, statusDeleteFailed, err.Error(), nil, nil)
		return err
	}
	s.resourceEvent(st, logical, physical, typ, statusDeleteComplete, "", nil, nil)
	return nil
}

// deleteAll deletes the given resources of a stack in reverse dependency
// order and removes their records; it returns the ones that failed.
// On a create rollback, RetainExceptOnCreate deletes; elsewhere it retains.
func (s *Service) deleteAll(ctx context.Context, st *stackRecord, names []string, createRollback bool) map[string]error {
	s.mu.Lock()
	deps := map[string][]string{}
	recs := map[string]*resourceRecord{}
	for _, n := range names {
		if r := st.Resources[n]; r != nil {
			recs[n] = r.clone()
			deps[n] = r.Deps
		}
	}
	s.mu.Unlock()
	return runDAG(reverseDeps(deps), s.cfg.Parallelism, func(n string) error {
		r := recs[n]
		retain := r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate" && !createRollback
		err := s.deleteResource(ctx, st, n, r.Type, r.PhysicalID, r.Properties, r.Attributes, retain)
		if err == nil {
			s.mu.Lock()
			delete(st.Resources, n)
			s.mu.Unlock()
		}
		return err
	})
}

// cleanupUpdate deletes what a successful update left behind: resources
// no longer in the template and the old copies of replaced resources.
func (s *Service) cleanupUpdate(ctx context.Context, st *stackRecord, deps map[string][]string) {
	s.mu.Lock()
	var removed []string
	for name := range st.Resources {
		if _, kept := deps[name]; !kept {
			removed = append(removed, name)
		}
	}
	replaced := append([]cleanupItem(nil), st.Op.Replaced...)
	s.mu.Unlock()
	s.deleteAll(ctx, st, removed, false)
	for _, c := range replaced {
		_ = s.deleteResource(ctx, st, c.LogicalID, c.Type, c.PhysicalID, c.Properties, c.Attributes, c.Retain)
	}
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	csID := st.Op.ChangeSetID
	st.Op = nil
	if err := s.setStatusLocked(st, statusUpdateComplete, ""); err != nil {
		s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
	}
	s.finishChangeSetLocked(csID, "EXECUTE_COMPLETE")
}

// fail ends a failed create or update: rollback, unless disabled.
func (s *Service) fail(st *stackRecord, kind, reason string) {
	ctx := s.opContext(st)
	s.mu.Lock()
	if st.Op != nil {
		s.finishChangeSetLocked(st.Op.ChangeSetID, "EXECUTE_FAILED")
	}
	if st.DisableRollback {
		status := statusCreateFailed
		if kind == "UPDATE" {
			status = statusUpdateFailed
		}
		st.Op = nil
		if err := s.setStatusLocked(st, status, reason); err != nil {
			s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
		}
		s.mu.Unlock()
		return
	}
	if kind == "CREATE" {
		if err := s.setStatusLocked(st, statusRollbackInProgress, reason+"Rollback requested by user."); err != nil {
			s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
		}
		s.mu.Unlock()
		s.rollbackCreate(ctx, st)
		return
	}
	if err := s.setStatusLocked(st, statusUpdateRollbackInProgress, reason); err != nil {
		s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
	}
	s.mu.Unlock()
	s.rollbackUpdate(ctx, st)
}

// rollbackCreate deletes everything a failed create made.
func (s *Service) rollbackCreate(ctx context.Context, st *stackRecord) {
	s.mu.Lock()
	names := sortedKeys(st.Resources)
	s.mu.Unlock()
	failed := s.deleteAll(ctx, st, names, true)
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Op = nil
	status, reason := statusRollbackComplete, ""
	if len(failed) > 0 {
		status, reason = statusRollbackFailed, fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", failedNames(failed))
	}
	if err := s.setStatusLocked(st, status, reason); err != nil {
		s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
	}
}

// rollbackUpdate returns a stack to the snapshot taken before the update:
// resources updated in place are updated back, replaced ones get their old
// physical resource back, and what the update created is deleted.
func (s *Service) rollbackUpdate(ctx context.Context, st *stackRecord) {
	s.mu.Lock()
	prev := st.Op.Previous
	var order []string
	deps := map[string][]string{}
	for n, r := range prev.Resources {
		deps[n] = r.Deps
	}
	order, err := template.TopoSort(deps)
	if err != nil {
		order = sortedKeys(prev.Resources)
	}
	tags := stackTags{now: prev.Tags, before: prev.Tags}
	if cs := s.changeSets[st.Op.ChangeSetID]; cs != nil {
		tags.before = cs.Tags
	}
	var created []cleanupItem
	for n, r := range st.Resources {
		if _, existed := prev.Resources[n]; !existed {
			created = append(created, cleanupItem{LogicalID: n, Type: r.Type, PhysicalID: r.PhysicalID, Properties: r.Properties, Attributes: r.Attributes})
		}
	}
	s.mu.Unlock()
	rollbackFailed := false
	for _, n := range order {
		old := prev.Resources[n]
		s.mu.Lock()
		cur := st.Resources[n]
		if cur != nil {
			cur = cur.clone()
		}
		s.mu.Unlock()
		spec, _ := s.cfg.Registry.Lookup(old.Type)
		switch {
		case cur == nil || cur.PhysicalID == old.PhysicalID && equalJSON(cur.Properties, old.Properties) && !tags.retag(spec):
			// Untouched by the update.
			continue
		case cur.PhysicalID != old.PhysicalID:
			created = append(created, cleanupItem{LogicalID: n, Type: cur.Type, PhysicalID: cur.PhysicalID, Properties: cur.Properties, Attributes: cur.Attributes})
			s.resourceEvent(st, n, old.PhysicalID, old.Type, statusUpdateComplete, "", nil, old.clone())
		default:
			s.resourceEvent(st, n, cur.PhysicalID, old.Type, statusUpdateInProgress, "", old.Properties, nil)
			res, err := spec.Provider.Update(ctx, &provision.Request{StackName: st.Name, StackID: st.ID, LogicalID: n, Type: old.Type,
				Region: s.cfg.Region, Account: s.cfg.Account, PhysicalID: cur.PhysicalID, Properties: old.Properties,
				OldProperties: cur.Properties, Attributes: cur.Attributes, Suffix: s.suffix(), StackTags: tags.now, OldStackTags: tags.before})
			if err != nil {
				rollbackFailed = true
				s.resourceEvent(st, n, cur.PhysicalID, old.Type, statusUpdateFailed, err.Error(), nil, nil)
				continue
			}
			rec := old.clone()
			rec.PhysicalID, rec.Attributes = res.PhysicalID, res.Attributes
			s.resourceEvent(st, n, res.PhysicalID, old.Type, statusUpdateComplete, "", nil, rec)
		}
	}
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	st.restore(prev)
	for n, old := range prev.Resources {
		// Attributes an unchanged resource took from the new template.
		if cur := st.Resources[n]; cur != nil && cur.PhysicalID == old.PhysicalID {
			cur.Deps, cur.DeletionPolicy, cur.UpdateReplacePolicy, cur.Metadata = old.Deps, old.DeletionPolicy, old.UpdateReplacePolicy, old.Metadata
		}
	}
	if err := s.setStatusLocked(st, statusUpdateRollbackCleanup, ""); err != nil {
		s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
	}
	s.mu.Unlock()
	for _, c := range created {
		_ = s.deleteResource(ctx, st, c.LogicalID, c.Type, c.PhysicalID, c.Properties, c.Attributes, false)
		s.mu.Lock()
		if r := st.Resources[c.LogicalID]; r != nil && r.PhysicalID == c.PhysicalID {
			delete(st.Resources, c.LogicalID)
		}
		s.mu.Unlock()
	}
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Op = nil
	status := statusUpdateRollbackComplete
	reason := ""
	if rollbackFailed {
		status, reason = statusUpdateRollbackFailed, "Some resources could not be returned to their previous state."
	}
	if err := s.setStatusLocked(st, status, reason); err != nil {
		s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
	}
}

// runDelete deletes a stack's resources and then the stack.
func (s *Service) runDelete(stackID string, retain []string) {
	s.mu.Lock()
	st := s.stacks[stackID]
	names := sortedKeys(st.Resources)
	s.mu.Unlock()
	ctx := s.opContext(st)
	keep := map[string]bool{}
	for _, r := range retain {
		keep[r] = true
	}
	var toDelete []string
	for _, n := range names {
		if keep[n] {
			s.mu.Lock()
			r := st.Resources[n]
			s.mu.Unlock()
			s.resourceEvent(st, n, r.PhysicalID, r.Type, statusDeleteSkipped, "", nil, nil)
			s.mu.Lock()
			delete(st.Resources, n)
			s.mu.Unlock()
			continue
		}
		toDelete = append(toDelete, n)
	}
	failed := s.deleteAll(ctx, st, toDelete, false)
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Op = nil
	if len(failed) > 0 {
		if err := s.setStatusLocked(st, statusDeleteFailed, fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", failedNames(failed))); err != nil {
			s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
		}
		return
	}
	st.Deleted = s.now().UnixMilli()
	st.Outputs, st.Imports = nil, nil
	delete(s.byName, st.Name)
	if err := s.setStatusLocked(st, statusDeleteComplete, ""); err != nil {
		s.cfg.Logger.Error("store stack", "stack", st.Name, "err", err)
	}
	if err := s.deleteChangeSetsLocked(s.changeSetsOf(st.ID)); err != nil {
		s.cfg.Logger.Error("delete change sets", "stack", st.Name, "err", err)
	}
}

// resume continues what a restart interrupted. CloudFormation would time
// the operation out and roll it back; localcloud does that at once: an
// interrupted create or update is rolled back, an interrupted rollback or
// cleanup is finished, an interrupted delete is carried on, and change
// sets being computed are computed again.
func (s *Service) resume() {
	const why = "localcloud restarted during the operation. "
	for _, id := range sortedKeys(s.stacks) {
		st := s.stacks[id]
		switch st.Status {
		case statusCreateInProgress:
			s.goOp(func() { s.fail(st, "CREATE", why) })
		case statusRollbackInProgress:
			s.goOp(func() { s.rollbackCreate(s.opContext(st), st) })
		case statusUpdateInProgress:
			if st.Op == nil || st.Op.Previous == nil {
				continue
			}
			s.goOp(func() { s.fail(st, "UPDATE", why) })
		case statusUpdateRollbackInProgress, statusUpdateRollbackCleanup:
			if st.Op == nil || st.Op.Previous == nil {
				continue
			}
			s.goOp(func() { s.rollbackUpdate(s.opContext(st), st) })
		case statusUpdateCleanup:
			if st.Op == nil {
				continue
			}
			deps, err := s.currentDeps(st)
			if err != nil {
				s.cfg.Logger.Error("resume cleanup", "stack", st.Name, "err", err)
				continue
			}
			s.goOp(func() { s.cleanupUpdate(s.opContext(st), st, deps) })
		case statusDeleteInProgress:
			s.goOp(func() { s.runDelete(st.ID, nil) })
		}
	}
	for _, id := range sortedKeys(s.changeSets) {
		if cs := s.changeSets[id]; cs.Status == "CREATE_PENDING" || cs.Status == "CREATE_IN_PROGRESS" {
			s.goOp(func() { s.computeChangeSet(id) })
		}
	}
}

// currentDeps returns the resources of the stack's current template under
// its current parameters, with their dependencies.
func (s *Service) currentDeps(st *stackRecord) (map[string][]string, error) {
	tpl, err := template.Parse([]byte(st.Template))
	if err != nil {
		return nil, err
	}
	ev, err := template.NewEvaluator(tpl, st.Params, s.pseudo(st.Name, st.ID), &resolver{s: s, stackID: st.ID, live: st})
	if err != nil {
		return nil, err
	}
	return tpl.Dependencies(ev.Conditions())
}
