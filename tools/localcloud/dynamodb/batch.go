package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sort"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/expr"
)

// Batch and transaction limits.
const (
	maxBatchWrite = 25
	maxBatchGet   = 100
	// maxBatchGetBytes is how much item data one BatchGetItem returns.
	maxBatchGetBytes = 16 << 20
	maxTransact      = 100
)

func errDuplicateKeys() error {
	return errValidation("Provided list of item keys contains duplicates")
}

// BatchWriteItem puts and deletes up to 25 items across tables. Every
// request is applied (in one transaction), so UnprocessedItems is empty.
func (s *Service) BatchWriteItem(ctx context.Context, in *BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, errValidation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	total := 0
	for _, reqs := range in.RequestItems {
		total += len(reqs)
	}
	if total > maxBatchWrite {
		return nil, errValidation("Too many items requested for the BatchWriteItem call")
	}
	names := make([]string, 0, len(in.RequestItems))
	for n := range in.RequestItems {
		names = append(names, n)
	}
	sort.Strings(names)
	var ms []*mutation
	seen := map[string]bool{}
	for _, name := range names {
		t, err := s.lookup(name)
		if err != nil {
			return nil, err
		}
		v := t.current()
		if len(in.RequestItems[name]) == 0 {
			return nil, errValidation("1 validation error detected: Value '[]' at 'requestItems.%s.member' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		for _, r := range in.RequestItems[name] {
			m := &mutation{t: t}
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				item, err := parseItemParam(r.PutRequest.Item, "item")
				if err != nil {
					return nil, err
				}
				if err := attr.CheckSize(item); err != nil {
					return nil, wire(err)
				}
				if m.key, err = v.keyFromItem(item); err != nil {
					return nil, err
				}
				m.put = item
			case r.DeleteRequest != nil && r.PutRequest == nil:
				key, err := parseItemParam(r.DeleteRequest.Key, "key")
				if err != nil {
					return nil, err
				}
				if m.key, err = v.keyFromParam(key); err != nil {
					return nil, err
				}
				m.keyAttr, m.del = key, true
			default:
				return nil, errValidation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if seen[string(m.key)] {
				return nil, errDuplicateKeys()
			}
			seen[string(m.key)] = true
			ms = append(ms, m)
		}
	}
	if err := s.run(ms, false); err != nil {
		return nil, err
	}
	return &BatchWriteItemOutput{UnprocessedItems: map[string][]json.RawMessage{}}, nil
}

// BatchGetItem reads up to 100 items across tables in one consistent view.
func (s *Service) BatchGetItem(ctx context.Context, in *BatchGetItemInput) (*BatchGetItemOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, errValidation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	var gets []itemGet
	total := 0
	for name, ka := range in.RequestItems {
		if ka == nil || len(ka.Keys) == 0 {
			return nil, errValidation("1 validation error detected: Value null at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must not be null", name)
		}
		total += len(ka.Keys)
		if total > maxBatchGet {
			return nil, errValidation("Too many items requested for the BatchGetItem call")
		}
		t, err := s.lookup(name)
		if err != nil {
			return nil, err
		}
		v := t.current()
		proj, err := readProjection(ka.ProjectionExpression, ka.AttributesToGet, ka.ExpressionAttributeNames)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, raw := range ka.Keys {
			key, err := parseItemParam(raw, "key")
			if err != nil {
				return nil, err
			}
			k, err := v.keyFromParam(key)
			if err != nil {
				return nil, err
			}
			if seen[string(k)] {
				return nil, errDuplicateKeys()
			}
			seen[string(k)] = true
			gets = append(gets, itemGet{raw: raw, table: name, v: v, key: k, proj: proj})
		}
	}
	out := &BatchGetItemOutput{Responses: map[string][]attr.Item{}, UnprocessedKeys: map[string]*KeysAndAttributes{}}
	for name := range in.RequestItems {
		out.Responses[name] = []attr.Item{}
	}
	items, _, served, err := s.getItems(gets, maxBatchGetBytes)
	if err != nil {
		return nil, err
	}
	for i, item := range items[:served] {
		if item != nil {
			out.Responses[gets[i].table] = append(out.Responses[gets[i].table], item)
		}
	}
	// Past 16 MB of items the rest is left for the caller to ask again,
	// with the table's request parameters.
	for _, g := range gets[served:] {
		u := out.UnprocessedKeys[g.table]
		if u == nil {
			ka := in.RequestItems[g.table]
			u = &KeysAndAttributes{AttributesToGet: ka.AttributesToGet, ConsistentRead: ka.ConsistentRead,
				ProjectionExpression: ka.ProjectionExpression, ExpressionAttributeNames: ka.ExpressionAttributeNames}
			out.UnprocessedKeys[g.table] = u
		}
		u.Keys = append(u.Keys, g.raw)
	}
	return out, nil
}

// TransactWriteItems applies up to 100 actions atomically: either every
// condition holds and every write commits, or nothing is written and the
// TransactionCanceledException gives one reason per action.
func (s *Service) TransactWriteItems(ctx context.Context, in *TransactWriteItemsInput) (*Empty, error) {
	if len(in.TransactItems) == 0 {
		return nil, errValidation("1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(in.TransactItems) > maxTransact {
		return nil, errValidation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	ms := make([]*mutation, 0, len(in.TransactItems))
	seen := map[string]bool{}
	for _, ti := range in.TransactItems {
		var a *TransactWriteAction
		n := 0
		m := &mutation{}
		if ti.ConditionCheck != nil {
			a, n, m.check = ti.ConditionCheck, n+1, true
		}
		if ti.Put != nil {
			a, n = ti.Put, n+1
		}
		if ti.Delete != nil {
			a, n, m.del = ti.Delete, n+1, true
		}
		if ti.Update != nil {
			a, n = ti.Update, n+1
		}
		if n != 1 {
			return nil, errValidation("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		t, err := s.lookup(a.TableName)
		if err != nil {
			return nil, err
		}
		v := t.current()
		m.t = t
		if err := checkReturnOnFailure(a.ReturnValuesOnConditionCheckFailure); err != nil {
			return nil, err
		}
		m.failItem = a.ReturnValuesOnConditionCheckFailure == "ALL_OLD"
		if m.check && a.ConditionExpression == nil {
			return nil, errValidation("1 validation error detected: Value null at 'transactItems.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null")
		}
		cs, err := parseCondition(a.ConditionExpression, a.exprParams)
		if err != nil {
			return nil, err
		}
		m.cond = cs.cond
		if ti.Put != nil {
			item, err := parseItemParam(a.Item, "item")
			if err != nil {
				return nil, err
			}
			if err := attr.CheckSize(item); err != nil {
				return nil, wire(err)
			}
			if m.key, err = v.keyFromItem(item); err != nil {
				return nil, err
			}
			m.put = item
		} else {
			key, err := parseItemParam(a.Key, "key")
			if err != nil {
				return nil, err
			}
			if m.key, err = v.keyFromParam(key); err != nil {
				return nil, err
			}
			m.keyAttr = key
		}
		if ti.Update != nil {
			if a.UpdateExpression == nil {
				return nil, errNull("transactItems.member.update.updateExpression")
			}
			u, err := expr.ParseUpdate(*a.UpdateExpression, cs.names, cs.vals)
			if err != nil {
				return nil, wire(err)
			}
			for _, p := range u.Paths() {
				if p[0].Name == v.key.PartitionKey || p[0].Name == v.key.SortKey {
					return nil, errInvalid("Cannot update attribute %s. This attribute is part of the key", p[0].Name)
				}
			}
			m.update = u
			cs.used = append(cs.used, u.Placeholders())
		}
		if err := cs.checkUnused(); err != nil {
			return nil, err
		}
		if seen[string(m.key)] {
			return nil, errValidation("Transaction request cannot include multiple operations on one item")
		}
		seen[string(m.key)] = true
		ms = append(ms, m)
	}
	var idem *idempotency
	if in.ClientRequestToken != "" {
		if len(in.ClientRequestToken) > 36 {
			return nil, errValidation("1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", in.ClientRequestToken)
		}
		body, err := json.Marshal(in.TransactItems)
		if err != nil {
			return nil, internal("digest transaction", err)
		}
		sum := sha256.Sum256(body)
		idem = &idempotency{token: []byte(in.ClientRequestToken), digest: sum[:]}
	}
	err := s.runTokened(ms, true, idem)
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// TransactGetItems reads up to 100 items in one consistent view.
func (s *Service) TransactGetItems(ctx context.Context, in *TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	if len(in.TransactItems) == 0 {
		return nil, errValidation("1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(in.TransactItems) > maxTransact {
		return nil, errValidation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	gets := make([]itemGet, len(in.TransactItems))
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		g := ti.Get
		if g == nil {
			return nil, errNull("transactItems.member.get")
		}
		t, err := s.lookup(g.TableName)
		if err != nil {
			return nil, err
		}
		v := t.current()
		key, err := parseItemParam(g.Key, "key")
		if err != nil {
			return nil, err
		}
		k, err := v.keyFromParam(key)
		if err != nil {
			return nil, err
		}
		if seen[string(k)] {
			return nil, errValidation("Transaction request cannot include multiple operations on one item")
		}
		seen[string(k)] = true
		proj, err := readProjection(g.ProjectionExpression, nil, g.ExpressionAttributeNames)
		if err != nil {
			return nil, err
		}
		gets[i] = itemGet{table: g.TableName, v: v, key: k, proj: proj}
	}
	items, _, _, err := s.getItems(gets, 0)
	if err != nil {
		return nil, err
	}
	out := &TransactGetItemsOutput{Responses: make([]ItemResponse, len(gets))}
	for i, item := range items {
		out.Responses[i].Item = item
	}
	return out, nil
}
