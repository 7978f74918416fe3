package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// tableRecord is a table's definition as the store keeps it.
type tableRecord struct {
	Name                 string                `json:"name"`
	ID                   string                `json:"id"`
	Created              int64                 `json:"created"` // unix ms
	AttributeDefinitions []AttributeDefinition `json:"attributeDefinitions"`
	KeySchema            []KeySchemaElement    `json:"keySchema"`
	GSIs                 []SecondaryIndex      `json:"gsis,omitempty"`
	LSIs                 []SecondaryIndex      `json:"lsis,omitempty"`
	BillingMode          string                `json:"billingMode"`
	Read                 int64                 `json:"read"`
	Write                int64                 `json:"write"`
	PayPerRequestSince   int64                 `json:"payPerRequestSince,omitempty"`
	StreamEnabled        bool                  `json:"streamEnabled"`
	StreamViewType       string                `json:"streamViewType,omitempty"`
	StreamArn            string                `json:"streamArn,omitempty"`
	StreamLabel          string                `json:"streamLabel,omitempty"`
	SSE                  *SSESpecification     `json:"sse,omitempty"`
	TableClass           string                `json:"tableClass,omitempty"`
	DeletionProtection   bool                  `json:"deletionProtection,omitempty"`
	Tags                 []Tag                 `json:"tags,omitempty"`
	TTLAttribute         string                `json:"ttlAttribute,omitempty"`
	TTLEnabled           bool                  `json:"ttlEnabled,omitempty"`
	PITR                 bool                  `json:"pitr,omitempty"`
}

// table is a live table. Item writers hold mu for reading while they take a
// view and enqueue their write; control-plane changes hold it for writing
// while they change the definition and enqueue its persistence, so every
// write commits under the definition it was checked against.
type table struct {
	mu      sync.RWMutex
	rec     tableRecord
	view    *view
	deleted bool
	count   atomic.Int64
	bytes   atomic.Int64
}

// view is the immutable part of a table that item operations need.
type view struct {
	name      string
	id        string
	prefix    []byte
	key       attr.KeySchema
	indexes   []*index
	streamArn string
	viewType  string
}

// index is a secondary index.
type index struct {
	name   string
	global bool
	key    attr.KeySchema
	proj   Projection
	prefix []byte
}

// current returns the table's view as it is now.
func (t *table) current() *view {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.view
}

func newTable(rec tableRecord, arn string) (*table, error) {
	t := &table{rec: rec}
	v, err := buildView(rec)
	if err != nil {
		return nil, err
	}
	t.view = v
	_ = arn
	return t, nil
}

func buildView(rec tableRecord) (*view, error) {
	types := map[string]attr.Type{}
	for _, d := range rec.AttributeDefinitions {
		typ, _ := attr.ParseType(d.AttributeType)
		types[d.AttributeName] = typ
	}
	schema := func(ks []KeySchemaElement) attr.KeySchema {
		var s attr.KeySchema
		for _, k := range ks {
			if k.KeyType == "HASH" {
				s.PartitionKey, s.PartitionType = k.AttributeName, types[k.AttributeName]
			} else {
				s.SortKey, s.SortType = k.AttributeName, types[k.AttributeName]
			}
		}
		return s
	}
	v := &view{name: rec.Name, id: rec.ID, prefix: append([]byte(rec.ID), 0), key: schema(rec.KeySchema)}
	if rec.StreamEnabled {
		v.streamArn, v.viewType = rec.StreamArn, rec.StreamViewType
	}
	add := func(list []SecondaryIndex, global bool) {
		for _, ix := range list {
			p := Projection{ProjectionType: "ALL"}
			if ix.Projection != nil {
				p = *ix.Projection
			}
			prefix := append(append(append([]byte(rec.ID), 0), ix.IndexName...), 0)
			v.indexes = append(v.indexes, &index{name: ix.IndexName, global: global, key: schema(ix.KeySchema), proj: p, prefix: prefix})
		}
	}
	add(rec.GSIs, true)
	add(rec.LSIs, false)
	return v, nil
}

func (v *view) index(name string) *index {
	for _, ix := range v.indexes {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// lookup finds a live table by name or ARN.
func (s *Service) lookup(name string) (*table, error) {
	if name == "" {
		return nil, errNull("tableName")
	}
	if rest, ok := strings.CutPrefix(name, "arn:aws:dynamodb:"+s.cfg.Region+":"+s.cfg.Account+":table/"); ok {
		name = rest
	}
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, errTableNotFound()
	}
	return t, nil
}

// lookupNamed is lookup for the control-plane operations, whose
// not-found message names the table.
func (s *Service) lookupNamed(name string) (*table, error) {
	t, err := s.lookup(name)
	if err != nil && name != "" {
		return nil, errTableNotFoundNamed(name)
	}
	return t, err
}

var tableNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

func validateTableName(name, member string) error {
	if name == "" {
		return errNull(member)
	}
	if len(name) < 3 || len(name) > 255 {
		return errValidation("TableName must be at least 3 characters long and at most 255 characters long")
	}
	if !tableNameRE.MatchString(name) {
		return errValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, member)
	}
	return nil
}

var viewTypes = []string{"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"}

// validateKeySchema checks one key schema against the definitions and marks
// the attributes it uses.
func validateKeySchema(ks []KeySchemaElement, defs map[string]string, used map[string]bool, member string) error {
	if len(ks) == 0 {
		return errNull(member)
	}
	if len(ks) > 2 {
		return errValidation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2", ks, member)
	}
	for i, k := range ks {
		if k.KeyType != "HASH" && k.KeyType != "RANGE" {
			return errValidation("1 validation error detected: Value '%s' at '%s.%d.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]", k.KeyType, member, i+1)
		}
		if k.AttributeName == "" {
			return errNull(fmt.Sprintf("%s.%d.member.attributeName", member, i+1))
		}
	}
	if ks[0].KeyType != "HASH" {
		return errValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 {
		if ks[1].KeyType != "RANGE" {
			return errValidation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if ks[0].AttributeName == ks[1].AttributeName {
			return errValidation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	var missing []string
	for _, k := range ks {
		if _, ok := defs[k.AttributeName]; !ok {
			missing = append(missing, k.AttributeName)
		}
		used[k.AttributeName] = true
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(defs))
		for n := range defs {
			names = append(names, n)
		}
		sort.Strings(names)
		return errInvalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(missing, ", "), strings.Join(names, ", "))
	}
	return nil
}

func validateThroughput(mode string, pt *ProvisionedThroughput, what string) error {
	if mode == "PAY_PER_REQUEST" {
		if pt != nil && (pt.ReadCapacityUnits != nil || pt.WriteCapacityUnits != nil) {
			return errInvalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		return nil
	}
	if pt == nil {
		if what == "" {
			return errInvalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		return errInvalid("ProvisionedThroughput must be specified for index: %s", what)
	}
	if pt.ReadCapacityUnits == nil || pt.WriteCapacityUnits == nil {
		return errInvalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	if *pt.ReadCapacityUnits < 1 || *pt.WriteCapacityUnits < 1 {
		return errValidation("1 validation error detected: Value '%d' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1", min(*pt.ReadCapacityUnits, *pt.WriteCapacityUnits))
	}
	return nil
}

func validateProjection(p *Projection, member string) error {
	if p == nil {
		return errNull(member + ".projection")
	}
	switch p.ProjectionType {
	case "ALL", "KEYS_ONLY":
		if len(p.NonKeyAttributes) > 0 {
			return errInvalid("ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return errInvalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
	case "":
		return errInvalid("Unknown ProjectionType: null")
	default:
		return errValidation("1 validation error detected: Value '%s' at '%s.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", p.ProjectionType, member)
	}
	return nil
}

func validateStreamSpec(sp *StreamSpecification) error {
	if sp == nil {
		return nil
	}
	if sp.StreamEnabled == nil {
		return errNull("streamSpecification.streamEnabled")
	}
	if *sp.StreamEnabled {
		if sp.StreamViewType == "" {
			return errValidation("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true")
		}
		if !slices.Contains(viewTypes, sp.StreamViewType) {
			return errValidation("1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", sp.StreamViewType)
		}
	} else if sp.StreamViewType != "" {
		return errInvalid("The StreamViewType cannot be specified when StreamEnabled is false")
	}
	return nil
}

// claimIndexName checks an index name and that no other index has it.
func claimIndexName(name, member string, names map[string]bool) error {
	if name == "" {
		return errNull(member + ".indexName")
	}
	if names[name] {
		return errInvalid("Duplicate index name: %s", name)
	}
	names[name] = true
	return nil
}

func validateCreate(in *CreateTableInput) error {
	if err := validateTableName(in.TableName, "tableName"); err != nil {
		return err
	}
	if len(in.AttributeDefinitions) == 0 {
		return errNull("attributeDefinitions")
	}
	defs := map[string]string{}
	for i, d := range in.AttributeDefinitions {
		if d.AttributeType != "S" && d.AttributeType != "N" && d.AttributeType != "B" {
			return errValidation("1 validation error detected: Value '%s' at 'attributeDefinitions.%d.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType, i+1)
		}
		if _, dup := defs[d.AttributeName]; dup {
			return errInvalid("Duplicate AttributeName found in AttributeDefinitions: %s", d.AttributeName)
		}
		defs[d.AttributeName] = d.AttributeType
	}
	used := map[string]bool{}
	if err := validateKeySchema(in.KeySchema, defs, used, "keySchema"); err != nil {
		return err
	}
	mode := in.BillingMode
	switch mode {
	case "":
		mode = "PROVISIONED"
	case "PROVISIONED", "PAY_PER_REQUEST":
	default:
		return errValidation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", in.BillingMode)
	}
	if err := validateThroughput(mode, in.ProvisionedThroughput, ""); err != nil {
		return err
	}
	names := map[string]bool{}
	if len(in.GlobalSecondaryIndexes) > 20 {
		return errValidation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20")
	}
	for i, ix := range in.GlobalSecondaryIndexes {
		member := fmt.Sprintf("globalSecondaryIndexes.%d.member", i+1)
		if err := claimIndexName(ix.IndexName, member, names); err != nil {
			return err
		}
		if err := validateKeySchema(ix.KeySchema, defs, used, member+".keySchema"); err != nil {
			return err
		}
		if err := validateProjection(ix.Projection, member); err != nil {
			return err
		}
		if err := validateThroughput(mode, ix.ProvisionedThroughput, ix.IndexName); err != nil {
			return err
		}
	}
	if len(in.LocalSecondaryIndexes) > 5 {
		return errInvalid("LocalSecondaryIndex count exceeds the per-table limit of 5")
	}
	for i, ix := range in.LocalSecondaryIndexes {
		member := fmt.Sprintf("localSecondaryIndexes.%d.member", i+1)
		if err := claimIndexName(ix.IndexName, member, names); err != nil {
			return err
		}
		if len(in.KeySchema) != 2 {
			return errInvalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		if err := validateKeySchema(ix.KeySchema, defs, used, member+".keySchema"); err != nil {
			return err
		}
		if len(ix.KeySchema) != 2 || ix.KeySchema[0].AttributeName != in.KeySchema[0].AttributeName {
			return errInvalid("Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", ix.IndexName, ix.KeySchema[0].AttributeName, in.KeySchema[0].AttributeName)
		}
		if err := validateProjection(ix.Projection, member); err != nil {
			return err
		}
	}
	if len(used) != len(defs) {
		return errInvalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	if err := validateStreamSpec(in.StreamSpecification); err != nil {
		return err
	}
	if len(in.Tags) > 50 {
		return errValidation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	return nil
}

func streamLabel(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000") }

// CreateTable creates a table; it is ACTIVE as soon as CreateTable returns.
func (s *Service) CreateTable(ctx context.Context, in *CreateTableInput) (*TableOutput, error) {
	if err := validateCreate(in); err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	rec := tableRecord{
		Name: in.TableName, ID: s.cfg.IDs.UUID(), Created: now.UnixMilli(),
		AttributeDefinitions: in.AttributeDefinitions, KeySchema: in.KeySchema,
		GSIs: in.GlobalSecondaryIndexes, LSIs: in.LocalSecondaryIndexes,
		BillingMode: in.BillingMode, SSE: in.SSESpecification, TableClass: in.TableClass, Tags: in.Tags,
	}
	if rec.BillingMode == "" {
		rec.BillingMode = "PROVISIONED"
	}
	if rec.BillingMode == "PAY_PER_REQUEST" {
		rec.PayPerRequestSince = rec.Created
	}
	if pt := in.ProvisionedThroughput; pt != nil && pt.ReadCapacityUnits != nil && pt.WriteCapacityUnits != nil {
		rec.Read, rec.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	}
	if in.DeletionProtectionEnabled != nil {
		rec.DeletionProtection = *in.DeletionProtectionEnabled
	}
	var stream *streamRecord
	if sp := in.StreamSpecification; sp != nil && *sp.StreamEnabled {
		stream = s.newStream(&rec, sp.StreamViewType, now)
	}
	t, err := newTable(rec, s.tableArn(rec.Name))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.tables[rec.Name] != nil {
		s.mu.Unlock()
		return nil, errInUse("Table already exists: %s", rec.Name)
	}
	s.tables[rec.Name] = t
	data := mustJSON(rec)
	wait := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		if err := tx.Put(bucketTables, []byte(rec.Name), data); err != nil {
			return err
		}
		if err := tx.Put(bucketLive, []byte(rec.ID), []byte(rec.Name)); err != nil {
			return err
		}
		if stream != nil {
			return putStream(tx, stream)
		}
		return nil
	})
	s.mu.Unlock()
	if err := <-wait; err != nil {
		s.mu.Lock()
		delete(s.tables, rec.Name)
		s.mu.Unlock()
		return nil, internal("create table", err)
	}
	if stream != nil {
		s.addStream(*stream)
	}
	d := s.describe(t)
	d.TableStatus = "CREATING"
	return &TableOutput{TableDescription: d}, nil
}

// newStream starts a stream for rec (which it updates) at now.
func (s *Service) newStream(rec *tableRecord, viewType string, now time.Time) *streamRecord {
	// A stream re-enabled, or a table re-created, within the same
	// millisecond (or under a stopped test clock) still gets a new label.
	at := now
	label, arn := "", ""
	for {
		label = streamLabel(at)
		arn = s.tableArn(rec.Name) + "/stream/" + label
		if label > rec.StreamLabel && !s.streamExists(arn) {
			break
		}
		at = at.Add(time.Millisecond)
	}
	rec.StreamEnabled, rec.StreamViewType, rec.StreamArn, rec.StreamLabel = true, viewType, arn, label
	return &streamRecord{
		Arn: arn, Table: rec.Name, TableID: rec.ID, Label: label, ViewType: viewType,
		Created: now.UnixMilli(), KeySchema: rec.KeySchema,
		ShardID: fmt.Sprintf("shardId-%020d-%s", now.UnixMilli(), s.cfg.IDs.Hex(4)),
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("dynamodb: marshal %T: %v", v, err))
	}
	return b
}

func epoch(ms int64) float64 { return float64(ms) / 1000 }

func (s *Service) describe(t *table) *TableDescription {
	t.mu.RLock()
	rec := t.rec
	t.mu.RUnlock()
	arn := s.tableArn(rec.Name)
	d := &TableDescription{
		AttributeDefinitions: rec.AttributeDefinitions, TableName: rec.Name, KeySchema: rec.KeySchema,
		TableStatus: "ACTIVE", CreationDateTime: epoch(rec.Created),
		ProvisionedThroughput: ThroughputDescription{ReadCapacityUnits: rec.Read, WriteCapacityUnits: rec.Write},
		TableSizeBytes:        t.bytes.Load(), ItemCount: t.count.Load(), TableArn: arn, TableID: rec.ID,
		DeletionProtectionEnabled: rec.DeletionProtection,
	}
	if rec.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: rec.BillingMode, LastUpdateToPayPerRequestDateTime: epoch(rec.PayPerRequestSince)}
	} else if rec.BillingMode != "" {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: rec.BillingMode}
	}
	desc := func(ix SecondaryIndex, global bool) IndexDescription {
		out := IndexDescription{IndexName: ix.IndexName, KeySchema: ix.KeySchema, IndexArn: arn + "/index/" + ix.IndexName}
		if ix.Projection != nil {
			out.Projection = *ix.Projection
		}
		if global {
			out.IndexStatus = "ACTIVE"
			tp := ThroughputDescription{}
			if pt := ix.ProvisionedThroughput; pt != nil && pt.ReadCapacityUnits != nil && pt.WriteCapacityUnits != nil {
				tp.ReadCapacityUnits, tp.WriteCapacityUnits = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
			}
			out.ProvisionedThroughput = &tp
		}
		return out
	}
	for _, ix := range rec.GSIs {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, desc(ix, true))
	}
	for _, ix := range rec.LSIs {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, desc(ix, false))
	}
	if rec.StreamEnabled {
		enabled := true
		d.StreamSpecification = &StreamSpecification{StreamEnabled: &enabled, StreamViewType: rec.StreamViewType}
	}
	if rec.StreamArn != "" {
		d.LatestStreamArn, d.LatestStreamLabel = rec.StreamArn, rec.StreamLabel
	}
	if rec.SSE != nil && rec.SSE.Enabled != nil && *rec.SSE.Enabled {
		d.SSEDescription = &SSEDescription{Status: "ENABLED", SSEType: "KMS",
			KMSMasterKeyArn: "arn:aws:kms:" + s.cfg.Region + ":" + s.cfg.Account + ":key/aws-dynamodb"}
		if rec.SSE.SSEType != "" {
			d.SSEDescription.SSEType = rec.SSE.SSEType
		}
		if rec.SSE.KMSMasterKeyID != "" {
			d.SSEDescription.KMSMasterKeyArn = rec.SSE.KMSMasterKeyID
		}
	}
	if rec.TableClass != "" {
		d.TableClassSummary = &TableClassSummary{TableClass: rec.TableClass}
	}
	return d
}

// DescribeTable describes a table.
func (s *Service) DescribeTable(ctx context.Context, in *TableNameInput) (*DescribeTableOutput, error) {
	t, err := s.lookupNamed(in.TableName)
	if err != nil {
		return nil, err
	}
	return &DescribeTableOutput{Table: s.describe(t)}, nil
}

// ListTables lists table names in order, at most Limit (1-100) per page.
func (s *Service) ListTables(ctx context.Context, in *ListTablesInput) (*ListTablesOutput, error) {
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, errValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value %s", *in.Limit,
				map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 100"}[*in.Limit < 1])
		}
		limit = *in.Limit
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		if n > in.ExclusiveStartTableName {
			names = append(names, n)
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	out := &ListTablesOutput{TableNames: names}
	if len(names) > limit {
		out.TableNames = names[:limit]
		out.LastEvaluatedTableName = names[limit-1]
	}
	return out, nil
}

// DeleteTable deletes a table with its items and indexes; its stream is
// disabled and stays readable for 24 hours.
func (s *Service) DeleteTable(ctx context.Context, in *TableNameInput) (*TableOutput, error) {
	t, err := s.lookupNamed(in.TableName)
	if err != nil {
		return nil, err
	}
	d := s.describe(t)
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	t.mu.Lock()
	if t.rec.DeletionProtection {
		t.mu.Unlock()
		s.mu.Unlock()
		return nil, errValidation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	if t.deleted {
		t.mu.Unlock()
		s.mu.Unlock()
		return nil, errTableNotFound()
	}
	t.deleted = true
	rec := t.rec
	delete(s.tables, rec.Name)
	var stream *streamRecord
	if rec.StreamEnabled {
		stream = s.disableStream(rec.StreamArn, now)
	}
	wait := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		if err := tx.Delete(bucketTables, []byte(rec.Name)); err != nil {
			return err
		}
		if err := tx.Delete(bucketLive, []byte(rec.ID)); err != nil {
			return err
		}
		for _, bucket := range []string{bucketItems, bucketIndex} {
			if err := deletePrefix(tx, bucket, append([]byte(rec.ID), 0)); err != nil {
				return err
			}
		}
		if stream != nil {
			return putStream(tx, stream)
		}
		return nil
	})
	t.mu.Unlock()
	s.mu.Unlock()
	if err := <-wait; err != nil {
		return nil, internal("delete table", err)
	}
	if stream != nil {
		s.addStream(*stream)
	}
	d.TableStatus = "DELETING"
	return &TableOutput{TableDescription: d}, nil
}

func deletePrefix(tx store.Tx, bucket string, prefix []byte) error {
	var keys [][]byte
	if err := tx.ForEach(bucket, prefix, func(k, _ []byte) error {
		keys = append(keys, bytes.Clone(k))
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucket, k); err != nil {
			return err
		}
	}
	return nil
}

// changeTable applies change to a copy of t's record under t's lock,
// persists it (with the stream records it returns) and installs it.
func (s *Service) changeTable(t *table, change func(rec *tableRecord, now time.Time) ([]*streamRecord, error)) error {
	return s.changeTableWith(t, change, nil)
}

// changeTableWith is changeTable with work to do in the same transaction
// under the new view (index backfill and removal).
func (s *Service) changeTableWith(t *table, change func(rec *tableRecord, now time.Time) ([]*streamRecord, error), work func(tx store.Tx, v *view) error) error {
	now := s.cfg.Clock.Now()
	t.mu.Lock()
	if t.deleted {
		t.mu.Unlock()
		return errTableNotFound()
	}
	rec := t.rec
	rec.Tags = slices.Clone(rec.Tags)
	streams, err := change(&rec, now)
	if err != nil {
		t.mu.Unlock()
		return err
	}
	v, err := buildView(rec)
	if err != nil {
		t.mu.Unlock()
		return err
	}
	data := mustJSON(rec)
	wait := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		if err := tx.Put(bucketTables, []byte(rec.Name), data); err != nil {
			return err
		}
		for _, st := range streams {
			if err := putStream(tx, st); err != nil {
				return err
			}
		}
		if work != nil {
			return work(tx, v)
		}
		return nil
	})
	t.rec, t.view = rec, v
	t.mu.Unlock()
	for _, st := range streams {
		s.addStream(*st)
	}
	if err := <-wait; err != nil {
		return internal("update table", err)
	}
	return nil
}

// UpdateTable changes billing mode, throughput, stream, encryption, table
// class and deletion protection.
func (s *Service) UpdateTable(ctx context.Context, in *UpdateTableInput) (*TableOutput, error) {
	t, err := s.lookupNamed(in.TableName)
	if err != nil {
		return nil, err
	}
	if err := validateStreamSpec(in.StreamSpecification); err != nil {
		return nil, err
	}
	var created, deleted []string
	err = s.changeTableWith(t, func(rec *tableRecord, now time.Time) ([]*streamRecord, error) {
		var err error
		if created, deleted, err = applyIndexUpdates(rec, in); err != nil {
			return nil, err
		}
		if in.BillingMode != "" {
			if in.BillingMode != "PROVISIONED" && in.BillingMode != "PAY_PER_REQUEST" {
				return nil, errValidation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", in.BillingMode)
			}
			if in.BillingMode == "PAY_PER_REQUEST" && rec.BillingMode != "PAY_PER_REQUEST" {
				rec.PayPerRequestSince = now.UnixMilli()
				rec.Read, rec.Write = 0, 0
			}
			rec.BillingMode = in.BillingMode
		}
		if in.ProvisionedThroughput != nil || in.BillingMode == "PROVISIONED" {
			if err := validateThroughput(rec.BillingMode, in.ProvisionedThroughput, ""); err != nil {
				return nil, err
			}
			if pt := in.ProvisionedThroughput; pt != nil && pt.ReadCapacityUnits != nil && pt.WriteCapacityUnits != nil {
				rec.Read, rec.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
			}
		}
		if in.SSESpecification != nil {
			rec.SSE = in.SSESpecification
		}
		if in.TableClass != "" {
			rec.TableClass = in.TableClass
		}
		if in.DeletionProtectionEnabled != nil {
			rec.DeletionProtection = *in.DeletionProtectionEnabled
		}
		sp := in.StreamSpecification
		if sp == nil {
			return nil, nil
		}
		if *sp.StreamEnabled {
			if rec.StreamEnabled {
				return nil, errValidation("Table already has an enabled stream: TableName: %s", rec.Name)
			}
			return []*streamRecord{s.newStream(rec, sp.StreamViewType, now)}, nil
		}
		if !rec.StreamEnabled {
			return nil, errValidation("Table already has no enabled stream: TableName: %s", rec.Name)
		}
		rec.StreamEnabled = false
		rec.StreamViewType = ""
		return []*streamRecord{s.disableStream(rec.StreamArn, now)}, nil
	}, func(tx store.Tx, v *view) error { return rebuildIndexes(tx, v, created, deleted) })
	if err != nil {
		return nil, err
	}
	return &TableOutput{TableDescription: s.describe(t)}, nil
}

// applyIndexUpdates applies UpdateTable's GlobalSecondaryIndexUpdates and
// AttributeDefinitions to rec and returns the indexes created and deleted.
func applyIndexUpdates(rec *tableRecord, in *UpdateTableInput) (created, deleted []string, err error) {
	if len(in.GlobalSecondaryIndexUpdates) == 0 {
		return nil, nil, nil
	}
	rec.GSIs = slices.Clone(rec.GSIs)
	defs := map[string]string{}
	for _, d := range rec.AttributeDefinitions {
		defs[d.AttributeName] = d.AttributeType
	}
	for _, d := range in.AttributeDefinitions {
		if t, ok := defs[d.AttributeName]; ok && t != d.AttributeType {
			return nil, nil, errInvalid("Cannot change the type of existing attribute %s", d.AttributeName)
		}
		defs[d.AttributeName] = d.AttributeType
	}
	find := func(name string) int {
		return slices.IndexFunc(rec.GSIs, func(ix SecondaryIndex) bool { return ix.IndexName == name })
	}
	for i, u := range in.GlobalSecondaryIndexUpdates {
		member := fmt.Sprintf("globalSecondaryIndexUpdates.%d.member", i+1)
		switch {
		case u.Create != nil:
			ix := *u.Create
			if ix.IndexName == "" {
				return nil, nil, errNull(member + ".create.indexName")
			}
			if find(ix.IndexName) >= 0 || slices.ContainsFunc(rec.LSIs, func(l SecondaryIndex) bool { return l.IndexName == ix.IndexName }) {
				return nil, nil, errValidation("One or more parameter values were invalid: Attempting to create an index which already exists")
			}
			if err := validateKeySchema(ix.KeySchema, defs, map[string]bool{}, member+".create.keySchema"); err != nil {
				return nil, nil, err
			}
			if err := validateProjection(ix.Projection, member+".create"); err != nil {
				return nil, nil, err
			}
			if err := validateThroughput(rec.BillingMode, ix.ProvisionedThroughput, ix.IndexName); err != nil {
				return nil, nil, err
			}
			rec.GSIs = append(rec.GSIs, ix)
			created = append(created, ix.IndexName)
		case u.Update != nil:
			k := find(u.Update.IndexName)
			if k < 0 {
				return nil, nil, errCode(CodeResourceNotFound, "Requested resource not found: Index: %s not found", u.Update.IndexName)
			}
			if err := validateThroughput(rec.BillingMode, u.Update.ProvisionedThroughput, u.Update.IndexName); err != nil {
				return nil, nil, err
			}
			rec.GSIs[k].ProvisionedThroughput = u.Update.ProvisionedThroughput
		case u.Delete != nil:
			k := find(u.Delete.IndexName)
			if k < 0 {
				return nil, nil, errCode(CodeResourceNotFound, "Requested resource not found: Index: %s not found", u.Delete.IndexName)
			}
			rec.GSIs = slices.Delete(rec.GSIs, k, k+1)
			deleted = append(deleted, u.Delete.IndexName)
		default:
			return nil, nil, errValidation("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Create, Update or Delete must be specified")
		}
	}
	// Keep exactly the definitions the table's and indexes' keys use.
	used := map[string]bool{}
	for _, k := range rec.KeySchema {
		used[k.AttributeName] = true
	}
	for _, ix := range slices.Concat(rec.GSIs, rec.LSIs) {
		for _, k := range ix.KeySchema {
			used[k.AttributeName] = true
		}
	}
	rec.AttributeDefinitions = nil
	for name, typ := range defs {
		if used[name] {
			rec.AttributeDefinitions = append(rec.AttributeDefinitions, AttributeDefinition{AttributeName: name, AttributeType: typ})
		}
	}
	sort.Slice(rec.AttributeDefinitions, func(i, j int) bool {
		return rec.AttributeDefinitions[i].AttributeName < rec.AttributeDefinitions[j].AttributeName
	})
	return created, deleted, nil
}

// rebuildIndexes removes the entries of deleted indexes and backfills
// created ones from the table's items, in the transaction that changes the
// table's definition, so writes after it maintain them.
func rebuildIndexes(tx store.Tx, v *view, created, deleted []string) error {
	for _, name := range deleted {
		prefix := append(append(append([]byte(v.id), 0), name...), 0)
		if err := deletePrefix(tx, bucketIndex, prefix); err != nil {
			return err
		}
	}
	if len(created) == 0 {
		return nil
	}
	type entry struct{ k, v []byte }
	var entries []entry
	err := tx.ForEach(bucketItems, v.prefix, func(k, raw []byte) error {
		item, err := decodeItem(raw)
		if err != nil {
			return fmt.Errorf("stored item %x: %w", k, err)
		}
		for _, name := range created {
			if e := v.index(name).entry(v.key, item); e != nil {
				entries = append(entries, entry{e, bytes.Clone(k)})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := tx.Put(bucketIndex, e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// UpdateTimeToLive stores a table's TTL setting. Expiry itself is not run.
func (s *Service) UpdateTimeToLive(ctx context.Context, in *UpdateTimeToLiveInput) (*UpdateTimeToLiveOutput, error) {
	t, err := s.lookupNamed(in.TableName)
	if err != nil {
		return nil, err
	}
	spec := in.TimeToLiveSpecification
	if spec == nil {
		return nil, errNull("timeToLiveSpecification")
	}
	if spec.Enabled == nil {
		return nil, errNull("timeToLiveSpecification.enabled")
	}
	if spec.AttributeName == "" {
		return nil, errNull("timeToLiveSpecification.attributeName")
	}
	err = s.changeTable(t, func(rec *tableRecord, _ time.Time) ([]*streamRecord, error) {
		if *spec.Enabled == rec.TTLEnabled {
			if rec.TTLEnabled {
				return nil, errValidation("TimeToLive is already enabled")
			}
			return nil, errValidation("TimeToLive is already disabled")
		}
		if !*spec.Enabled && spec.AttributeName != rec.TTLAttribute {
			return nil, errValidation("TimeToLive AttributeName is not the same as the one currently enabled: %s", rec.TTLAttribute)
		}
		rec.TTLEnabled, rec.TTLAttribute = *spec.Enabled, spec.AttributeName
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateTimeToLiveOutput{TimeToLiveSpecification: spec}, nil
}

// DescribeTimeToLive describes a table's TTL setting.
func (s *Service) DescribeTimeToLive(ctx context.Context, in *TableNameInput) (*DescribeTimeToLiveOutput, error) {
	t, err := s.lookupNamed(in.TableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := &DescribeTimeToLiveOutput{TimeToLiveDescription: TimeToLiveDescription{TimeToLiveStatus: "DISABLED"}}
	if t.rec.TTLEnabled {
		out.TimeToLiveDescription = TimeToLiveDescription{TimeToLiveStatus: "ENABLED", AttributeName: t.rec.TTLAttribute}
	}
	return out, nil
}

func (s *Service) continuousBackups(t *table) *ContinuousBackupsOutput {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := &ContinuousBackupsOutput{ContinuousBackupsDescription: ContinuousBackupsDescription{
		ContinuousBackupsStatus:        "ENABLED",
		PointInTimeRecoveryDescription: PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: "DISABLED"},
	}}
	if t.rec.PITR {
		now := s.cfg.Clock.Now()
		out.ContinuousBackupsDescription.PointInTimeRecoveryDescription = PointInTimeRecoveryDescription{
			PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: 35,
			EarliestRestorableDateTime: epoch(t.rec.Created), LatestRestorableDateTime: float64(now.Unix()),
		}
	}
	return out
}

// UpdateContinuousBackups turns point-in-time recovery on or off (the
// setting is stored; restores are not offered).
func (s *Service) UpdateContinuousBackups(ctx context.Context, in *UpdateContinuousBackupsInput) (*ContinuousBackupsOutput, error) {
	if in.TableName == "" {
		return nil, errNull("tableName")
	}
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, protocol404Table(in.TableName)
	}
	spec := in.PointInTimeRecoverySpecification
	if spec == nil {
		return nil, errNull("pointInTimeRecoverySpecification")
	}
	if spec.PointInTimeRecoveryEnabled == nil {
		return nil, errNull("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled")
	}
	if err := s.changeTable(t, func(rec *tableRecord, _ time.Time) ([]*streamRecord, error) {
		rec.PITR = *spec.PointInTimeRecoveryEnabled
		return nil, nil
	}); err != nil {
		return nil, err
	}
	return s.continuousBackups(t), nil
}

// DescribeContinuousBackups describes point-in-time recovery.
func (s *Service) DescribeContinuousBackups(ctx context.Context, in *TableNameInput) (*ContinuousBackupsOutput, error) {
	if in.TableName == "" {
		return nil, errNull("tableName")
	}
	t, err := s.lookup(in.TableName)
	if err != nil {
		return nil, protocol404Table(in.TableName)
	}
	return s.continuousBackups(t), nil
}

// protocol404Table is the TableNotFoundException of the backup operations.
func protocol404Table(name string) error {
	return errCode("TableNotFoundException", "Table not found: %s", name)
}

func (s *Service) tableByArn(arn string) (*table, error) {
	if arn == "" {
		return nil, errNull("resourceArn")
	}
	name, ok := strings.CutPrefix(arn, "arn:aws:dynamodb:"+s.cfg.Region+":"+s.cfg.Account+":table/")
	if !ok || strings.Contains(name, "/") {
		return nil, errValidation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	t, err := s.lookup(name)
	if err != nil {
		return nil, errCode(CodeResourceNotFound, "Requested resource not found: ResourceArn: %s not found", arn)
	}
	return t, nil
}

// TagResource adds or replaces tags of a table.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	t, err := s.tableByArn(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errNull("tags")
	}
	return &Empty{}, s.changeTable(t, func(rec *tableRecord, _ time.Time) ([]*streamRecord, error) {
		for _, tag := range in.Tags {
			i := slices.IndexFunc(rec.Tags, func(o Tag) bool { return o.Key == tag.Key })
			if i >= 0 {
				rec.Tags[i] = tag
			} else {
				rec.Tags = append(rec.Tags, tag)
			}
		}
		if len(rec.Tags) > 50 {
			return nil, errCode("LimitExceededException", "The limit on the number of tags for a resource has been exceeded")
		}
		return nil, nil
	})
}

// UntagResource removes tags of a table.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	t, err := s.tableByArn(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errNull("tagKeys")
	}
	return &Empty{}, s.changeTable(t, func(rec *tableRecord, _ time.Time) ([]*streamRecord, error) {
		rec.Tags = slices.DeleteFunc(rec.Tags, func(tag Tag) bool { return slices.Contains(in.TagKeys, tag.Key) })
		return nil, nil
	})
}

// ListTagsOfResource lists a table's tags.
func (s *Service) ListTagsOfResource(ctx context.Context, in *ListTagsInput) (*ListTagsOutput, error) {
	t, err := s.tableByArn(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return &ListTagsOutput{Tags: append([]Tag{}, t.rec.Tags...)}, nil
}
