package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/expr"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// maxPageBytes is the most item data one Query or Scan page reads (1 MB).
const maxPageBytes = 1 << 20

// projectionFor parses a ProjectionExpression or the legacy AttributesToGet.
func projectionFor(pe *string, toGet []string, names map[string]string) (*expr.Projection, []expr.Placeholders, error) {
	if pe != nil && toGet != nil {
		return nil, nil, errValidation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
	}
	if pe != nil {
		p, err := expr.ParseProjection(*pe, names)
		if err != nil {
			return nil, nil, wire(err)
		}
		return p, []expr.Placeholders{p.Placeholders()}, nil
	}
	if len(toGet) == 0 {
		return nil, nil, nil
	}
	refs := map[string]string{}
	text := ""
	for i, n := range toGet {
		ref := "#a" + strconv.Itoa(i)
		refs[ref] = n
		if i > 0 {
			text += ","
		}
		text += ref
	}
	p, err := expr.ParseProjection(text, refs)
	if err != nil {
		return nil, nil, wire(err)
	}
	return p, nil, nil
}

// readProjection parses the projection of a read that takes only
// ExpressionAttributeNames (GetItem, BatchGetItem, TransactGetItems).
func readProjection(pe *string, toGet []string, names map[string]string) (*expr.Projection, error) {
	if err := expr.ValidatePlaceholders(names, nil); err != nil {
		return nil, wire(err)
	}
	proj, used, err := projectionFor(pe, toGet, names)
	if err != nil {
		return nil, err
	}
	if err := expr.CheckUnused(names, nil, used...); err != nil {
		return nil, wire(err)
	}
	return proj, nil
}

// itemGet is one item to read by key.
type itemGet struct {
	// raw is the key as requested, for BatchGetItem's UnprocessedKeys.
	raw   json.RawMessage
	table string
	v     *view
	key   []byte
	proj  *expr.Projection
}

// getItems reads items by key in one consistent view; a missing item is
// nil. size is the stored size of the items found. Reading stops once the
// items read reach maxBytes (0 for no limit): n says how many gets were
// served.
func (s *Service) getItems(gets []itemGet, maxBytes int) (items []attr.Item, size, n int, err error) {
	items = make([]attr.Item, len(gets))
	err = s.cfg.Store.View(func(tx store.Tx) error {
		for i, g := range gets {
			if maxBytes > 0 && size >= maxBytes {
				return nil
			}
			n = i + 1
			if tx.Get(bucketLive, []byte(g.v.id)) == nil {
				return errTableNotFound()
			}
			raw := tx.Get(bucketItems, g.key)
			if raw == nil {
				continue
			}
			item, err := decodeItem(raw)
			if err != nil {
				return fmt.Errorf("stored item %x: %w", g.key, err)
			}
			size += storedSize(raw)
			if g.proj != nil {
				item = g.proj.Apply(item)
			}
			items[i] = item
		}
		return nil
	})
	return items, size, n, err
}

func readUnits(size int, consistent bool) float64 {
	u := float64(max(1, (size+4095)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

// GetItem reads one item by key.
func (s *Service) GetItem(ctx context.Context, in *GetItemInput) (*GetItemOutput, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, err
	}
	key, err := parseItemParam(in.Key, "key")
	if err != nil {
		return nil, err
	}
	proj, err := readProjection(in.ProjectionExpression, in.AttributesToGet, in.ExpressionAttributeNames)
	if err != nil {
		return nil, err
	}
	v := t.current()
	k, err := v.keyFromParam(key)
	if err != nil {
		return nil, err
	}
	items, size, _, err := s.getItems([]itemGet{{table: v.name, v: v, key: k, proj: proj}}, 0)
	if err != nil {
		return nil, err
	}
	item := items[0]
	consistent := in.ConsistentRead != nil && *in.ConsistentRead
	return &GetItemOutput{Item: item, ConsumedCapacity: capacity(in.ReturnConsumedCapacity, v.name, readUnits(size, consistent))}, nil
}

// scanPlan is a Query or Scan resolved against a table or index.
type scanPlan struct {
	v       *view
	ix      *index
	bucket  string
	prefix  []byte // every key read starts with it
	start   []byte // inclusive lower bound, nil for none
	end     []byte // exclusive upper bound, nil for none
	after   []byte // exclusive start key, nil for none
	reverse bool
	limit   int
	filter  *expr.Condition
	proj    *expr.Projection
	count   bool
	// projected limits items read through an index to its projection.
	projected bool
	segment   int
	segments  int
}

// keySchemaOf is the key schema of the plan's index (or table).
func (p *scanPlan) keySchema() attr.KeySchema {
	if p.ix != nil {
		return p.ix.key
	}
	return p.v.key
}

func (p *scanPlan) lastKey(item attr.Item) attr.Item {
	k := p.v.key.Key(item)
	if p.ix != nil {
		for n, val := range p.ix.key.Key(item) {
			k[n] = val
		}
	}
	return k
}

func (p *scanPlan) project(item attr.Item) attr.Item {
	if p.ix == nil || !p.projected || p.ix.proj.ProjectionType == "ALL" {
		return item
	}
	out := p.v.key.Key(item)
	for n, val := range p.ix.key.Key(item) {
		out[n] = val
	}
	if p.ix.proj.ProjectionType == "INCLUDE" {
		for _, n := range p.ix.proj.NonKeyAttributes {
			if val, ok := item[n]; ok {
				out[n] = val
			}
		}
	}
	return out
}

// prepareRead resolves the table, index, Select, projection, filter,
// limit and start key that Query and Scan share.
func (s *Service) prepareRead(in *QueryInput, query bool) (*scanPlan, *conditionSet, error) {
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, nil, err
	}
	v := t.current()
	p := &scanPlan{v: v, bucket: bucketItems, prefix: v.prefix}
	if in.IndexName != nil {
		p.ix = v.index(*in.IndexName)
		if p.ix == nil {
			return nil, nil, errValidation("The table does not have the specified index: %s", *in.IndexName)
		}
		if p.ix.global && in.ConsistentRead != nil && *in.ConsistentRead {
			return nil, nil, errValidation("Consistent reads are not supported on global secondary indexes")
		}
		p.bucket, p.prefix = bucketIndex, p.ix.prefix
	}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, nil, errValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		p.limit = *in.Limit
	}
	cs, err := parseCondition(nil, in.exprParams)
	if err != nil {
		return nil, nil, err
	}
	if in.FilterExpression != nil {
		if len(in.QueryFilter) > 0 || len(in.ScanFilter) > 0 {
			return nil, nil, errValidation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {FilterExpression}")
		}
		f, err := expr.ParseFilter(*in.FilterExpression, cs.names, cs.vals)
		if err != nil {
			return nil, nil, wire(err)
		}
		if query {
			ks := p.keySchema()
			for _, path := range f.Paths() {
				if path[0].Name == ks.PartitionKey || path[0].Name == ks.SortKey {
					return nil, nil, errValidation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", path[0].Name)
				}
			}
		}
		p.filter = f
		cs.used = append(cs.used, f.Placeholders())
	} else if (len(in.QueryFilter) > 0 && string(in.QueryFilter) != "null") || (len(in.ScanFilter) > 0 && string(in.ScanFilter) != "null") {
		return nil, nil, errValidation("QueryFilter and ScanFilter are not supported by localcloud; use FilterExpression")
	}
	proj, used, err := projectionFor(in.ProjectionExpression, in.AttributesToGet, cs.names)
	if err != nil {
		return nil, nil, err
	}
	p.proj = proj
	cs.used = append(cs.used, used...)
	sel := in.Select
	switch sel {
	case "":
		switch {
		case proj != nil:
			sel = "SPECIFIC_ATTRIBUTES"
		case p.ix != nil:
			sel = "ALL_PROJECTED_ATTRIBUTES"
		default:
			sel = "ALL_ATTRIBUTES"
		}
	case "ALL_ATTRIBUTES", "COUNT":
		if proj != nil {
			return nil, nil, errValidation("Cannot specify the ProjectionExpression or AttributesToGet when choosing to get %s", sel)
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if p.ix == nil {
			return nil, nil, errValidation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
		if proj != nil {
			return nil, nil, errValidation("Cannot specify the ProjectionExpression or AttributesToGet when choosing to get ALL_PROJECTED_ATTRIBUTES")
		}
	case "SPECIFIC_ATTRIBUTES":
		if proj == nil {
			return nil, nil, errValidation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
	default:
		return nil, nil, errValidation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	if sel == "ALL_ATTRIBUTES" && p.ix != nil && p.ix.global && p.ix.proj.ProjectionType != "ALL" {
		return nil, nil, errInvalid("Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", p.ix.name)
	}
	p.count = sel == "COUNT"
	p.projected = sel == "ALL_PROJECTED_ATTRIBUTES" || (p.ix != nil && p.ix.global)
	if len(in.ExclusiveStartKey) > 0 && string(in.ExclusiveStartKey) != "null" {
		esk, err := attr.ParseItem(in.ExclusiveStartKey)
		if err != nil {
			return nil, nil, wire(err)
		}
		if p.after, err = p.startKey(esk); err != nil {
			return nil, nil, err
		}
	}
	return p, cs, nil
}

// startKey is the store key an ExclusiveStartKey names.
func (p *scanPlan) startKey(esk attr.Item) ([]byte, error) {
	bad := errValidation("The provided starting key is invalid: The provided key element does not match the schema")
	want := len(keyNames(p.v.key))
	if p.ix != nil {
		for _, n := range keyNames(p.ix.key) {
			if !slices.Contains(keyNames(p.v.key), n) {
				want++
			}
		}
	}
	if len(esk) != want {
		return nil, bad
	}
	if err := p.v.key.CheckKey(p.v.key.Key(esk)); err != nil {
		return nil, bad
	}
	if p.ix == nil {
		k, err := p.v.key.AppendKey(append([]byte(nil), p.v.prefix...), esk)
		if err != nil {
			return nil, bad
		}
		return k, nil
	}
	if err := p.ix.key.CheckKey(p.ix.key.Key(esk)); err != nil {
		return nil, bad
	}
	k := p.ix.entry(p.v.key, esk)
	if k == nil {
		return nil, bad
	}
	return k, nil
}

var errPageFull = errors.New("page full")

// read runs the plan and builds the page.
func (s *Service) read(p *scanPlan, consistent bool, capMode string) (*QueryOutput, error) {
	out := &QueryOutput{}
	size := 0
	err := s.cfg.Store.View(func(tx store.Tx) error {
		if tx.Get(bucketLive, []byte(p.v.id)) == nil {
			return errTableNotFound()
		}
		visit := func(k, v []byte) error {
			raw := v
			if p.ix != nil {
				raw = tx.Get(bucketItems, v)
				if raw == nil {
					return nil
				}
			}
			item, err := decodeItem(raw)
			if err != nil {
				return fmt.Errorf("stored item %x: %w", k, err)
			}
			if p.segments > 1 {
				h := fnv.New32a()
				pk, _ := attr.AppendKey(nil, item[p.v.key.PartitionKey])
				_, _ = h.Write(pk)
				if int(h.Sum32()%uint32(p.segments)) != p.segment {
					return nil
				}
			}
			item = p.project(item)
			last := item
			out.ScannedCount++
			size += attr.ItemSize(item)
			if p.filter == nil || p.filter.Eval(item) {
				out.Count++
				if !p.count {
					if p.proj != nil {
						item = p.proj.Apply(item)
					}
					out.Items = append(out.Items, item)
				}
			}
			if out.ScannedCount == p.limit || size >= maxPageBytes {
				out.LastEvaluatedKey = p.lastKey(last)
				return errPageFull
			}
			return nil
		}
		inRange := func(k []byte) int {
			if p.start != nil && bytes.Compare(k, p.start) < 0 {
				return -1
			}
			if p.end != nil && bytes.Compare(k, p.end) >= 0 {
				return 1
			}
			return 0
		}
		var err error
		if !p.reverse {
			err = tx.ForEach(p.bucket, p.prefix, func(k, v []byte) error {
				switch inRange(k) {
				case -1:
					return nil
				case 1:
					return errStop
				}
				if p.after != nil && bytes.Compare(k, p.after) <= 0 {
					return nil
				}
				return visit(k, v)
			})
		} else {
			type kv struct{ k, v []byte }
			var all []kv
			err = tx.ForEach(p.bucket, p.prefix, func(k, v []byte) error {
				switch inRange(k) {
				case -1:
					return nil
				case 1:
					return errStop
				}
				if p.after != nil && bytes.Compare(k, p.after) >= 0 {
					return errStop
				}
				all = append(all, kv{k, v})
				return nil
			})
			if err == nil || errors.Is(err, errStop) {
				err = nil
				for i := len(all) - 1; i >= 0 && err == nil; i-- {
					err = visit(all[i].k, all[i].v)
				}
			}
		}
		if errors.Is(err, errStop) || errors.Is(err, errPageFull) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out.ConsumedCapacity = capacity(capMode, p.v.name, readUnits(size, consistent))
	return out, nil
}

// Query reads the items of one partition of a table or index, in sort key
// order, one page at a time.
func (s *Service) Query(ctx context.Context, in *QueryInput) (*QueryOutput, error) {
	if in.TableName == "" {
		return nil, errNull("tableName")
	}
	if in.KeyConditionExpression == nil {
		if len(in.KeyConditions) > 0 && string(in.KeyConditions) != "null" {
			return nil, errValidation("KeyConditions is not supported by localcloud; use KeyConditionExpression")
		}
		return nil, errValidation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	if in.Segment != nil || in.TotalSegments != nil {
		return nil, errValidation("Segment and TotalSegments are only supported by Scan")
	}
	p, cs, err := s.prepareRead(in, true)
	if err != nil {
		return nil, err
	}
	kc, err := expr.ParseKeyCondition(*in.KeyConditionExpression, cs.names, cs.vals)
	if err != nil {
		return nil, wire(err)
	}
	cs.used = append(cs.used, kc.Placeholders())
	if err := cs.checkUnused(); err != nil {
		return nil, err
	}
	kq, err := kc.Bind(p.keySchema())
	if err != nil {
		return nil, wire(err)
	}
	part, err := attr.AppendKey(append([]byte(nil), p.prefix...), kq.Partition)
	if err != nil {
		return nil, wire(err)
	}
	p.prefix = part
	if kq.Sort != nil {
		start, end, err := kq.Sort.Range()
		if err != nil {
			return nil, wire(err)
		}
		if p.ix != nil {
			start, end = entryBounds(kq.Sort.Op, start, end)
		}
		if start != nil {
			p.start = append(append([]byte(nil), part...), start...)
		}
		if end != nil {
			p.end = append(append([]byte(nil), part...), end...)
		}
	}
	if p.after != nil && !bytes.HasPrefix(p.after, part) {
		return nil, errValidation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	p.reverse = in.ScanIndexForward != nil && !*in.ScanIndexForward
	return s.read(p, in.ConsistentRead != nil && *in.ConsistentRead, in.ReturnConsumedCapacity)
}

// entryBounds widens a sort key range for index entries. expr's bounds
// exclude or include exactly the encoding b of an inclusive or exclusive
// bound with b+0x00, which is right when nothing follows the sort key (a
// table's items); an index entry continues with the table key after its
// sort key, so the bound must be past every entry beginning with b.
func entryBounds(op expr.SortOp, start, end []byte) ([]byte, []byte) {
	past := func(b []byte) []byte {
		if n := len(b); n > 0 && b[n-1] == 0 {
			if e := attr.PrefixEnd(b[:n-1]); e != nil {
				return e
			}
		}
		return b
	}
	switch op {
	case expr.SortEq, expr.SortLe, expr.SortBetween:
		end = past(end)
	case expr.SortGt:
		start = past(start)
	}
	return start, end
}

// Scan reads every item of a table or index (or one segment of it), one
// page at a time.
func (s *Service) Scan(ctx context.Context, in *QueryInput) (*QueryOutput, error) {
	if in.TableName == "" {
		return nil, errNull("tableName")
	}
	if in.KeyConditionExpression != nil {
		return nil, errValidation("KeyConditionExpression is not supported by Scan")
	}
	p, cs, err := s.prepareRead(in, false)
	if err != nil {
		return nil, err
	}
	if err := cs.checkUnused(); err != nil {
		return nil, err
	}
	switch {
	case in.Segment == nil && in.TotalSegments == nil:
	case in.Segment == nil:
		return nil, errValidation("The TotalSegments parameter is specified without the Segment parameter")
	case in.TotalSegments == nil:
		return nil, errValidation("The Segment parameter is specified without the TotalSegments parameter")
	default:
		if *in.TotalSegments < 1 || *in.TotalSegments > 1000000 {
			return nil, errValidation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value between 1 and 1000000", *in.TotalSegments)
		}
		if *in.Segment < 0 || *in.Segment >= *in.TotalSegments {
			return nil, errValidation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
		}
		p.segment, p.segments = *in.Segment, *in.TotalSegments
	}
	return s.read(p, in.ConsistentRead != nil && *in.ConsistentRead, in.ReturnConsumedCapacity)
}
