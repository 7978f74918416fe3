package cfn

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Stack statuses.
const (
	statusReviewInProgress         = "REVIEW_IN_PROGRESS"
	statusCreateInProgress         = "CREATE_IN_PROGRESS"
	statusCreateComplete           = "CREATE_COMPLETE"
	statusCreateFailed             = "CREATE_FAILED"
	statusRollbackInProgress       = "ROLLBACK_IN_PROGRESS"
	statusRollbackComplete         = "ROLLBACK_COMPLETE"
	statusRollbackFailed           = "ROLLBACK_FAILED"
	statusUpdateInProgress         = "UPDATE_IN_PROGRESS"
	statusUpdateCleanup            = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	statusUpdateComplete           = "UPDATE_COMPLETE"
	statusUpdateFailed             = "UPDATE_FAILED"
	statusUpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS"
	statusUpdateRollbackCleanup    = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
	statusUpdateRollbackComplete   = "UPDATE_ROLLBACK_COMPLETE"
	statusUpdateRollbackFailed     = "UPDATE_ROLLBACK_FAILED"
	statusDeleteInProgress         = "DELETE_IN_PROGRESS"
	statusDeleteComplete           = "DELETE_COMPLETE"
	statusDeleteFailed             = "DELETE_FAILED"
	statusDeleteSkipped            = "DELETE_SKIPPED"
)

// resourceRecord is one provisioned resource of a stack.
type resourceRecord struct {
	LogicalID           string         `json:"logicalId"`
	Type                string         `json:"type"`
	PhysicalID          string         `json:"physicalId,omitempty"`
	Status              string         `json:"status"`
	StatusReason        string         `json:"statusReason,omitempty"`
	Properties          map[string]any `json:"properties,omitempty"`
	Attributes          map[string]any `json:"attributes,omitempty"`
	Updated             int64          `json:"updated"`
	DeletionPolicy      string         `json:"deletionPolicy,omitempty"`
	UpdateReplacePolicy string         `json:"updateReplacePolicy,omitempty"`
	// Deps are the resources this one depends on; deletion goes in the
	// reverse order.
	Deps     []string `json:"deps,omitempty"`
	Metadata any      `json:"metadata,omitempty"`
}

func (r *resourceRecord) clone() *resourceRecord {
	b, err := json.Marshal(r)
	if err != nil {
		c := *r
		return &c
	}
	var c resourceRecord
	if err := json.Unmarshal(b, &c); err != nil {
		c = *r
	}
	return &c
}

// outputRecord is a resolved output.
type outputRecord struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	ExportName  string `json:"exportName,omitempty"`
}

// snapshot is what an update replaces, kept until the update settles so
// that it can be rolled back.
type snapshot struct {
	Template     string                     `json:"template"`
	Params       map[string]string          `json:"params"`
	NoEcho       []string                   `json:"noEcho,omitempty"`
	Outputs      []outputRecord             `json:"outputs,omitempty"`
	Imports      []string                   `json:"imports,omitempty"`
	Tags         map[string]string          `json:"tags,omitempty"`
	Capabilities []string                   `json:"capabilities,omitempty"`
	Description  string                     `json:"description,omitempty"`
	Resources    map[string]*resourceRecord `json:"resources"`
}

// cleanupItem is a physical resource deleted once an update succeeds (the
// old copy of a replaced resource) or once it is rolled back (the new copy).
type cleanupItem struct {
	LogicalID  string         `json:"logicalId"`
	Type       string         `json:"type"`
	PhysicalID string         `json:"physicalId"`
	Properties map[string]any `json:"properties,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
	Retain     bool           `json:"retain,omitempty"`
}

// opRecord is the stack operation in progress, persisted so a restart can
// finish or roll it back.
type opRecord struct {
	Kind        string        `json:"kind"` // CREATE, UPDATE, DELETE
	ChangeSetID string        `json:"changeSetId,omitempty"`
	Previous    *snapshot     `json:"previous,omitempty"`
	Replaced    []cleanupItem `json:"replaced,omitempty"`
}

// stackRecord is a stack.
type stackRecord struct {
	ID              string                     `json:"id"`
	Name            string                     `json:"name"`
	Status          string                     `json:"status"`
	StatusReason    string                     `json:"statusReason,omitempty"`
	Description     string                     `json:"description,omitempty"`
	Created         int64                      `json:"created"`
	Updated         int64                      `json:"updated,omitempty"`
	Deleted         int64                      `json:"deleted,omitempty"`
	Template        string                     `json:"template,omitempty"`
	Params          map[string]string          `json:"params,omitempty"`
	NoEcho          []string                   `json:"noEcho,omitempty"`
	Tags            map[string]string          `json:"tags,omitempty"`
	Capabilities    []string                   `json:"capabilities,omitempty"`
	Outputs         []outputRecord             `json:"outputs,omitempty"`
	Imports         []string                   `json:"imports,omitempty"`
	Resources       map[string]*resourceRecord `json:"resources,omitempty"`
	ChangeSetID     string                     `json:"changeSetId,omitempty"`
	Endpoint        string                     `json:"endpoint,omitempty"`
	Principal       iam.Principal              `json:"principal"`
	DisableRollback bool                       `json:"disableRollback,omitempty"`
	Op              *opRecord                  `json:"op,omitempty"`
	EventSeq        int64                      `json:"eventSeq"`
}

func (st *stackRecord) snapshot() *snapshot {
	res := map[string]*resourceRecord{}
	for k, r := range st.Resources {
		res[k] = r.clone()
	}
	return &snapshot{Template: st.Template, Params: copyMap(st.Params), NoEcho: st.NoEcho, Outputs: st.Outputs,
		Imports: st.Imports, Tags: copyMap(st.Tags), Capabilities: st.Capabilities, Description: st.Description, Resources: res}
}

func (st *stackRecord) restore(p *snapshot) {
	st.Template, st.Params, st.NoEcho, st.Outputs = p.Template, p.Params, p.NoEcho, p.Outputs
	st.Imports, st.Tags, st.Capabilities, st.Description = p.Imports, p.Tags, p.Capabilities, p.Description
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// changeRecord is one computed change of a change set.
type changeRecord struct {
	Action      string         `json:"action"`
	LogicalID   string         `json:"logicalId"`
	PhysicalID  string         `json:"physicalId,omitempty"`
	Type        string         `json:"type"`
	Replacement string         `json:"replacement,omitempty"`
	Scope       []string       `json:"scope,omitempty"`
	Details     []detailRecord `json:"details,omitempty"`
}

type detailRecord struct {
	Attribute          string `json:"attribute"`
	Name               string `json:"name,omitempty"`
	RequiresRecreation string `json:"requiresRecreation,omitempty"`
	Evaluation         string `json:"evaluation"`
	ChangeSource       string `json:"changeSource,omitempty"`
	CausingEntity      string `json:"causingEntity,omitempty"`
}

// changeSetRecord is a change set.
type changeSetRecord struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	StackID         string            `json:"stackId"`
	StackName       string            `json:"stackName"`
	Type            string            `json:"type"`
	Status          string            `json:"status"`
	StatusReason    string            `json:"statusReason,omitempty"`
	ExecutionStatus string            `json:"executionStatus"`
	Description     string            `json:"description,omitempty"`
	Created         int64             `json:"created"`
	Template        string            `json:"template"`
	Params          map[string]string `json:"params"`
	NoEcho          []string          `json:"noEcho,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	Capabilities    []string          `json:"capabilities,omitempty"`
	Changes         []changeRecord    `json:"changes,omitempty"`
	OnStackFailure  string            `json:"onStackFailure,omitempty"`
	Endpoint        string            `json:"endpoint,omitempty"`
	Principal       iam.Principal     `json:"principal"`
}

// eventRecord is a stack event.
type eventRecord struct {
	ID         string `json:"id"`
	StackID    string `json:"stackId"`
	StackName  string `json:"stackName"`
	LogicalID  string `json:"logicalId"`
	PhysicalID string `json:"physicalId,omitempty"`
	Type       string `json:"type"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Properties string `json:"properties,omitempty"`
	Time       int64  `json:"time"`
	Seq        int64  `json:"seq"`
}

func eventKey(stackID string, seq int64) []byte {
	return []byte(fmt.Sprintf("%s\x00%016x", stackID, seq))
}

// saveLocked persists a stack, its new events and the given change sets in
// one durable commit. Callers hold s.mu, which keeps commits in the order
// of the changes they record.
func (s *Service) saveLocked(st *stackRecord, events []eventRecord, changeSets ...*changeSetRecord) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode stack: %w", err)
	}
	type kv struct{ k, v []byte }
	var evs []kv
	for _, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		evs = append(evs, kv{eventKey(e.StackID, e.Seq), b})
	}
	var css []kv
	for _, cs := range changeSets {
		b, err := json.Marshal(cs)
		if err != nil {
			return fmt.Errorf("encode change set: %w", err)
		}
		css = append(css, kv{[]byte(cs.ID), b})
	}
	err = s.cfg.Store.Update(func(tx store.Tx) error {
		if err := tx.Put(bucketStacks, []byte(st.ID), data); err != nil {
			return err
		}
		for _, e := range evs {
			if err := tx.Put(bucketEvents, e.k, e.v); err != nil {
				return err
			}
		}
		for _, c := range css {
			if err := tx.Put(bucketChangeSets, c.k, c.v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store stack %s: %w", st.Name, err)
	}
	return nil
}

// saveChangeSetLocked persists a change set alone.
func (s *Service) saveChangeSetLocked(cs *changeSetRecord) error {
	b, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("encode change set: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketChangeSets, []byte(cs.ID), b) }); err != nil {
		return fmt.Errorf("store change set %s: %w", cs.Name, err)
	}
	return nil
}

// deleteChangeSetsLocked forgets change sets.
func (s *Service) deleteChangeSetsLocked(ids []string) error {
	for _, id := range ids {
		delete(s.changeSets, id)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Delete(bucketChangeSets, []byte(id)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("delete change sets: %w", err)
	}
	return nil
}

// eventLocked appends an event to the stack's log (in memory; it is stored
// by the next saveLocked that carries it).
func (s *Service) eventLocked(st *stackRecord, logical, physical, typ, status, reason string, props map[string]any) eventRecord {
	st.EventSeq++
	e := eventRecord{ID: s.cfg.IDs.UUID(), StackID: st.ID, StackName: st.Name, LogicalID: logical, PhysicalID: physical,
		Type: typ, Status: status, Reason: reason, Time: s.now().UnixMilli(), Seq: st.EventSeq}
	if props != nil {
		if b, err := json.Marshal(props); err == nil {
			e.Properties = string(b)
		}
	}
	s.events[st.ID] = append(s.events[st.ID], e)
	return e
}

// stackEventLocked records a stack-level status change and persists it.
func (s *Service) setStatusLocked(st *stackRecord, status, reason string) error {
	st.Status, st.StatusReason = status, reason
	e := s.eventLocked(st, st.Name, st.ID, "AWS::CloudFormation::Stack", status, reason, nil)
	return s.saveLocked(st, []eventRecord{e})
}

// changeSetsOf lists a stack's change set IDs. Callers hold s.mu.
func (s *Service) changeSetsOf(stackID string) []string {
	var out []string
	for id, cs := range s.changeSets {
		if cs.StackID == stackID {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}
