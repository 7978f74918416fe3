package dynamodb

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/expr"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// mutation is one item change (or a transaction's condition check). It is
// prepared and committed inside the store transaction, so its condition
// sees every write committed before it and its stream record commits with
// it. Run may repeat (group commit re-runs a group without a failed
// member), so every result is recomputed on each run.
type mutation struct {
	t       *table
	v       *view
	key     []byte
	keyAttr attr.Item
	put     attr.Item
	update  *expr.Update
	del     bool
	check   bool
	// touch creates the item from its key if it does not exist
	// (UpdateItem without an UpdateExpression).
	touch bool
	cond  *expr.Condition
	// failItem returns the old item with a failed condition
	// (ReturnValuesOnConditionCheckFailure ALL_OLD).
	failItem bool

	// Results of the last run.
	old, new  attr.Item
	oldSize   int
	newSize   int
	streamArn string
}

// conditionFailure is a failed condition inside prepare; callers turn it
// into ConditionalCheckFailedException or a cancellation reason.
type conditionFailure struct{ item attr.Item }

func (e *conditionFailure) Error() string { return "condition failed" }

// prepare reads the current item, evaluates the condition and computes the
// new item.
func (m *mutation) prepare(tx store.Tx) error {
	m.old, m.new, m.oldSize, m.newSize, m.streamArn = nil, nil, 0, 0, ""
	if tx.Get(bucketLive, []byte(m.v.id)) == nil {
		return errTableNotFound()
	}
	if raw := tx.Get(bucketItems, m.key); raw != nil {
		old, err := decodeItem(raw)
		if err != nil {
			return fmt.Errorf("stored item %x: %w", m.key, err)
		}
		m.old, m.oldSize = old, storedSize(raw)
	}
	if m.cond != nil && !m.cond.Eval(m.old) {
		e := &conditionFailure{}
		if m.failItem {
			e.item = m.old
		}
		return e
	}
	switch {
	case m.check:
		m.new = m.old
	case m.put != nil:
		m.new = m.put
	case m.update != nil:
		base := m.old
		if base == nil {
			base = m.keyAttr.Clone()
		}
		res, err := m.update.Apply(base)
		if err != nil {
			return wire(err)
		}
		m.new = res.Item
		if err := m.v.checkIndexKeys(m.new); err != nil {
			return err
		}
		if err := attr.CheckUpdatedSize(m.new); err != nil {
			return wire(err)
		}
	case m.touch:
		m.new = m.old
		if m.new == nil {
			m.new = m.keyAttr.Clone()
		}
	case m.del:
		m.new = nil
	}
	if m.new != nil {
		m.newSize = attr.ItemSize(m.new)
	}
	return nil
}

// noop reports whether the mutation leaves the table as it was.
func (m *mutation) noop() bool {
	if m.check || (m.old == nil && m.new == nil) {
		return true
	}
	return m.old != nil && m.new != nil && attr.EqualItems(m.old, m.new)
}

// commit writes the item, its index entries and its stream record.
func (s *Service) commit(tx store.Tx, m *mutation, now time.Time) error {
	if m.noop() {
		return nil
	}
	if m.new != nil {
		if err := tx.Put(bucketItems, m.key, encodeItem(m.new)); err != nil {
			return err
		}
	} else if err := tx.Delete(bucketItems, m.key); err != nil {
		return err
	}
	for _, ix := range m.v.indexes {
		oldEntry, newEntry := ix.entry(m.v.key, m.old), ix.entry(m.v.key, m.new)
		if oldEntry != nil && string(oldEntry) != string(newEntry) {
			if err := tx.Delete(bucketIndex, oldEntry); err != nil {
				return err
			}
		}
		if newEntry != nil {
			if err := tx.Put(bucketIndex, newEntry, m.key); err != nil {
				return err
			}
		}
	}
	if m.v.streamArn == "" {
		return nil
	}
	rec := s.streamRecord(m, now)
	m.streamArn = m.v.streamArn
	return appendRecord(tx, m.v.streamArn, rec, now)
}

func (s *Service) streamRecord(m *mutation, now time.Time) *StreamRecord {
	name := "MODIFY"
	switch {
	case m.old == nil:
		name = "INSERT"
	case m.new == nil:
		name = "REMOVE"
	}
	src := m.new
	if src == nil {
		src = m.old
	}
	d := StreamData{
		ApproximateCreationDateTime: float64(now.Unix()),
		Keys:                        m.v.key.Key(src),
		StreamViewType:              m.v.viewType,
	}
	size := attr.ItemSize(d.Keys)
	if m.v.viewType == "NEW_IMAGE" || m.v.viewType == "NEW_AND_OLD_IMAGES" {
		d.NewImage = m.new
		size += m.newSize
	}
	if m.v.viewType == "OLD_IMAGE" || m.v.viewType == "NEW_AND_OLD_IMAGES" {
		d.OldImage = m.old
		size += m.oldSize
	}
	d.SizeBytes = int64(size)
	return &StreamRecord{EventID: s.cfg.IDs.Hex(16), EventName: name, EventVersion: "1.1",
		EventSource: "aws:dynamodb", AWSRegion: s.cfg.Region, Dynamodb: d}
}

// applied records a committed mutation's effect on counters and readers.
func (s *Service) applied(ms []*mutation) {
	var arns []string
	for _, m := range ms {
		if m.noop() {
			continue
		}
		switch {
		case m.old == nil:
			m.t.count.Add(1)
		case m.new == nil:
			m.t.count.Add(-1)
		}
		m.t.bytes.Add(int64(m.newSize - m.oldSize))
		if m.streamArn != "" {
			arns = append(arns, m.streamArn)
		}
	}
	s.notify(arns)
}

// run commits mutations as one transaction: every condition is checked
// before anything is written. The table locks are held for reading while
// enqueueing so that no definition change slips between. A failed
// condition is a ConditionalCheckFailedException, or in a transaction a
// TransactionCanceledException with one reason per action.
func (s *Service) run(ms []*mutation, transact bool) error {
	return s.runTokened(ms, transact, nil)
}

// idempotency is a TransactWriteItems ClientRequestToken and the digest of
// the request it came with.
type idempotency struct {
	token  []byte
	digest []byte
}

// tokenLifetime is how long DynamoDB remembers a ClientRequestToken.
const tokenLifetime = 10 * time.Minute

// runTokened is run with an optional idempotency token: a transaction
// repeated with the same token and request within tokenLifetime succeeds
// without applying again; with another request it fails.
func (s *Service) runTokened(ms []*mutation, transact bool, idem *idempotency) error {
	locked := map[*table]bool{}
	for _, m := range ms {
		if !locked[m.t] {
			m.t.mu.RLock()
			locked[m.t] = true
		}
	}
	unlock := func() {
		for t := range locked {
			t.mu.RUnlock()
		}
	}
	for _, m := range ms {
		if m.t.deleted {
			unlock()
			return errTableNotFound()
		}
		m.v = m.t.view
	}
	// A rejected write (failed condition, invalid update) has written
	// nothing when it is detected, so it is reported through result and
	// the function returns nil: the rest of its commit group goes ahead
	// without being re-run.
	var result error
	replayed := false
	wait := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		now := s.cfg.Clock.Now()
		result, replayed = nil, false
		if idem != nil {
			if v := tx.Get(bucketTokens, idem.token); len(v) > 8 && now.Sub(time.UnixMilli(int64(binary.BigEndian.Uint64(v)))) < tokenLifetime {
				if !bytes.Equal(v[8:], idem.digest) {
					result = errCode("IdempotentParameterMismatchException", "Transaction request cannot be processed: ClientRequestToken was used with different request parameters")
					return nil
				}
				replayed = true
				return nil
			}
		}
		var reasons []CancellationReason
		for i, m := range ms {
			err := m.prepare(tx)
			if err == nil {
				continue
			}
			var cf *conditionFailure
			isCond := errors.As(err, &cf)
			var pe *protocol.Error
			isValidation := errors.As(err, &pe)
			if !transact {
				if isCond {
					result = &ConditionalCheckFailedError{Item: cf.item}
					return nil
				}
				if isValidation {
					result = err
					return nil
				}
				return err
			}
			switch {
			case isCond:
			case isValidation && pe.Code == CodeValidation:
			case isValidation:
				result = err
				return nil
			default:
				return err
			}
			if reasons == nil {
				reasons = make([]CancellationReason, len(ms))
				for j := range reasons {
					reasons[j] = CancellationReason{Code: "None"}
				}
			}
			if isCond {
				reasons[i] = CancellationReason{Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: cf.item}
			} else {
				reasons[i] = CancellationReason{Code: "ValidationError", Message: pe.Message}
			}
		}
		if reasons != nil {
			result = &TransactionCanceledError{Reasons: reasons}
			return nil
		}
		for _, m := range ms {
			if err := s.commit(tx, m, now); err != nil {
				return err
			}
		}
		if idem != nil {
			val := binary.BigEndian.AppendUint64(nil, uint64(now.UnixMilli()))
			return tx.Put(bucketTokens, idem.token, append(val, idem.digest...))
		}
		return nil
	})
	unlock()
	if err := <-wait; err != nil {
		return err
	}
	if result != nil {
		return result
	}
	if replayed {
		return nil
	}
	s.applied(ms)
	return nil
}

func parseItemParam(raw json.RawMessage, member string) (attr.Item, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errNull(member)
	}
	item, err := attr.ParseItem(raw)
	if err != nil {
		return nil, wire(err)
	}
	if err := attr.CheckDepth(item); err != nil {
		return nil, wire(err)
	}
	return item, nil
}

func rejectLegacy(raw json.RawMessage, legacy, modern string) error {
	if len(raw) > 0 && string(raw) != "null" {
		return errValidation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}", legacy, modern)
	}
	return nil
}

// conditionSet is a request's parsed condition with its placeholders.
type conditionSet struct {
	cond  *expr.Condition
	names map[string]string
	vals  map[string]attr.Value
	used  []expr.Placeholders
}

func parseCondition(cond *string, p exprParams) (*conditionSet, error) {
	cs := &conditionSet{names: p.ExpressionAttributeNames}
	var err error
	if err := expr.ValidatePlaceholders(cs.names, nil); err != nil {
		return nil, wire(err)
	}
	if cs.vals, err = expr.DecodeValues(p.ExpressionAttributeValues); err != nil {
		return nil, wire(err)
	}
	if cond != nil {
		c, err := expr.ParseCondition(*cond, cs.names, cs.vals)
		if err != nil {
			return nil, wire(err)
		}
		cs.cond = c
		cs.used = append(cs.used, c.Placeholders())
	}
	return cs, nil
}

func (cs *conditionSet) checkUnused() error {
	if err := expr.CheckUnused(cs.names, cs.vals, cs.used...); err != nil {
		return wire(err)
	}
	return nil
}

func checkReturnOnFailure(v string) error {
	if v != "" && v != "NONE" && v != "ALL_OLD" {
		return errValidation("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", v)
	}
	return nil
}

func capacity(mode, table string, units float64) *ConsumedCapacity {
	if mode == "" || mode == "NONE" {
		return nil
	}
	return &ConsumedCapacity{TableName: table, CapacityUnits: units}
}

func writeUnits(size int) float64 {
	return float64(max(1, (size+1023)/1024))
}

// replaceCondition checks the members PutItem and DeleteItem share and
// parses their condition.
func replaceCondition(returnValues, onFailure string, expected json.RawMessage, cond *string, p exprParams) (*conditionSet, error) {
	if returnValues != "" && returnValues != "NONE" && returnValues != "ALL_OLD" {
		return nil, errValidation("ReturnValues can only be ALL_OLD or NONE")
	}
	if err := checkReturnOnFailure(onFailure); err != nil {
		return nil, err
	}
	if cond != nil {
		if err := rejectLegacy(expected, "Expected", "ConditionExpression"); err != nil {
			return nil, err
		}
	} else if len(expected) > 0 && string(expected) != "null" {
		return nil, errValidation("The Expected parameter is not supported by localcloud; use ConditionExpression")
	}
	cs, err := parseCondition(cond, p)
	if err != nil {
		return nil, err
	}
	if err := cs.checkUnused(); err != nil {
		return nil, err
	}
	return cs, nil
}

// PutItem writes an item, replacing any item with the same key.
func (s *Service) PutItem(ctx context.Context, in *PutItemInput) (*ItemOutput, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	item, err := parseItemParam(in.Item, "item")
	if err != nil {
		return nil, err
	}
	cs, err := replaceCondition(in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.Expected, in.ConditionExpression, in.exprParams)
	if err != nil {
		return nil, err
	}
	if err := attr.CheckSize(item); err != nil {
		return nil, wire(err)
	}
	key, err := t.current().keyFromItem(item)
	if err != nil {
		return nil, err
	}
	m := &mutation{t: t, key: key, put: item, cond: cs.cond, failItem: in.ReturnValuesOnConditionCheckFailure == "ALL_OLD"}
	if err := s.run([]*mutation{m}, false); err != nil {
		return nil, err
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, t.view.name, writeUnits(max(m.oldSize, m.newSize)))}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = m.old
	}
	return out, nil
}

// DeleteItem deletes an item by key.
func (s *Service) DeleteItem(ctx context.Context, in *DeleteItemInput) (*ItemOutput, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	key, err := parseItemParam(in.Key, "key")
	if err != nil {
		return nil, err
	}
	cs, err := replaceCondition(in.ReturnValues, in.ReturnValuesOnConditionCheckFailure, in.Expected, in.ConditionExpression, in.exprParams)
	if err != nil {
		return nil, err
	}
	k, err := t.current().keyFromParam(key)
	if err != nil {
		return nil, err
	}
	m := &mutation{t: t, key: k, keyAttr: key, del: true, cond: cs.cond, failItem: in.ReturnValuesOnConditionCheckFailure == "ALL_OLD"}
	if err := s.run([]*mutation{m}, false); err != nil {
		return nil, err
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, t.view.name, writeUnits(m.oldSize))}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = m.old
	}
	return out, nil
}

// UpdateItem edits an item's attributes, creating the item if needed.
func (s *Service) UpdateItem(ctx context.Context, in *UpdateItemInput) (*ItemOutput, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	key, err := parseItemParam(in.Key, "key")
	if err != nil {
		return nil, err
	}
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
	default:
		return nil, errValidation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
	}
	if err := checkReturnOnFailure(in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	if in.UpdateExpression != nil {
		if err := rejectLegacy(in.AttributeUpdates, "AttributeUpdates", "UpdateExpression"); err != nil {
			return nil, err
		}
	} else if len(in.AttributeUpdates) > 0 && string(in.AttributeUpdates) != "null" {
		return nil, errValidation("The AttributeUpdates parameter is not supported by localcloud; use UpdateExpression")
	}
	cs, err := parseCondition(in.ConditionExpression, in.exprParams)
	if err != nil {
		return nil, err
	}
	var upd *expr.Update
	if in.UpdateExpression != nil {
		if upd, err = expr.ParseUpdate(*in.UpdateExpression, cs.names, cs.vals); err != nil {
			return nil, wire(err)
		}
		cs.used = append(cs.used, upd.Placeholders())
	}
	if err := cs.checkUnused(); err != nil {
		return nil, err
	}
	v := t.current()
	k, err := v.keyFromParam(key)
	if err != nil {
		return nil, err
	}
	if upd != nil {
		for _, p := range upd.Paths() {
			for _, n := range keyNames(v.key) {
				if p[0].Name == n {
					return nil, errInvalid("Cannot update attribute %s. This attribute is part of the key", n)
				}
			}
		}
	}
	m := &mutation{t: t, key: k, keyAttr: key, update: upd, touch: upd == nil, cond: cs.cond, failItem: in.ReturnValuesOnConditionCheckFailure == "ALL_OLD"}
	if err := s.run([]*mutation{m}, false); err != nil {
		return nil, err
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, v.name, writeUnits(max(m.oldSize, m.newSize)))}
	switch in.ReturnValues {
	case "ALL_OLD":
		out.Attributes = m.old
	case "ALL_NEW":
		out.Attributes = m.new
	case "UPDATED_OLD":
		if upd != nil {
			out.Attributes = nonEmpty(expr.Project(m.old, upd.Paths()))
		}
	case "UPDATED_NEW":
		if upd != nil {
			out.Attributes = nonEmpty(expr.Project(m.new, upd.Paths()))
		}
	}
	return out, nil
}

func nonEmpty(item attr.Item) attr.Item {
	if len(item) == 0 {
		return nil
	}
	return item
}
