package logs

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Config wires the CloudWatch Logs service.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	Account string
	Region  string
	Logger  *slog.Logger
	// PurgeInterval is how often, in clock time, events past their
	// group's retention are deleted from the store (default 10 minutes).
	// Reads never return expired events, whenever the purge runs.
	PurgeInterval time.Duration
}

// Service is the CloudWatch Logs service.
type Service struct {
	cfg Config

	mu       sync.RWMutex
	groups   map[string]*group
	streamID uint64 // last stream ID handed out; guarded by mu
	seq      uint64 // last event sequence number; guarded by seqMu
	seqMu    sync.Mutex

	changedMu sync.Mutex
	changed   chan struct{}

	timerMu sync.Mutex
	timer   clock.Timer
	closed  bool
}

var (
	groupNameRE  = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)
	streamNameRE = regexp.MustCompile(`^[^:*]*$`)
)

const (
	groupNamePattern  = `[\.\-_/#A-Za-z0-9]+`
	streamNamePattern = `[^:*]*`
	maxNameLen        = 512
)

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// New loads every group, stream and minute directory from the store and
// starts the retention purge timer.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.PurgeInterval <= 0 {
		cfg.PurgeInterval = 10 * time.Minute
	}
	s := &Service{cfg: cfg, groups: map[string]*group{}, changed: make(chan struct{})}
	byID := map[uint64]*stream{}
	err := cfg.Store.View(func(tx store.Tx) error {
		if err := tx.ForEach(bucketGroups, nil, func(k, v []byte) error {
			var rec groupRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("log group %q: %w", k, err)
			}
			s.groups[rec.Name] = &group{rec: rec, streams: map[string]*stream{}}
			return nil
		}); err != nil {
			return err
		}
		if err := tx.ForEach(bucketStreams, nil, func(k, v []byte) error {
			var rec streamRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("log stream %q: %w", k, err)
			}
			s.streamID = max(s.streamID, rec.ID)
			s.seq = max(s.seq, rec.LastSeq)
			if g := s.groups[rec.Group]; g != nil {
				st := &stream{rec: rec}
				g.streams[rec.Name] = st
				byID[rec.ID] = st
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEach(bucketMinutes, nil, func(k, v []byte) error {
			if len(k) != 16 || len(v) != 16 {
				return fmt.Errorf("minute record %x: bad length", k)
			}
			st := byID[binary.BigEndian.Uint64(k[:8])]
			if st == nil {
				return nil
			}
			// Keys are sorted, so appending keeps each directory ascending.
			st.minutes = append(st.minutes, minute{
				Minute: int64(binary.BigEndian.Uint64(k[8:]) ^ (1 << 63)),
				Count:  int64(binary.BigEndian.Uint64(v[:8])),
				Bytes:  int64(binary.BigEndian.Uint64(v[8:])),
			})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load logs state: %w", err)
	}
	s.schedulePurge()
	return s, nil
}

// Close stops the retention timer.
func (s *Service) Close() {
	s.timerMu.Lock()
	defer s.timerMu.Unlock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
}

// Descriptor describes CloudWatch Logs' wire identity and operations for
// the server.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:             "logs",
		JSONTargetPrefix: "Logs_20140328",
		JSONVersion:      "1.1",
		Operations: map[string]server.Operation{
			"CreateLogGroup":        server.Op(s.CreateLogGroup),
			"DeleteLogGroup":        server.Op(s.DeleteLogGroup),
			"DescribeLogGroups":     server.Op(s.DescribeLogGroups),
			"PutRetentionPolicy":    server.Op(s.PutRetentionPolicy),
			"DeleteRetentionPolicy": server.Op(s.DeleteRetentionPolicy),
			"CreateLogStream":       server.Op(s.CreateLogStream),
			"DeleteLogStream":       server.Op(s.DeleteLogStream),
			"DescribeLogStreams":    server.Op(s.DescribeLogStreams),
			"PutLogEvents":          server.Op(s.PutLogEvents),
			"GetLogEvents":          server.Op(s.GetLogEvents),
			"FilterLogEvents":       server.Op(s.FilterLogEvents),
			"TagResource":           server.Op(s.TagResource),
			"UntagResource":         server.Op(s.UntagResource),
			"ListTagsForResource":   server.Op(s.ListTagsForResource),
			"TagLogGroup":           server.Op(s.TagLogGroup),
			"UntagLogGroup":         server.Op(s.UntagLogGroup),
			"ListTagsLogGroup":      server.Op(s.ListTagsLogGroup),
		},
	}
}

// Changed returns a channel closed when events are next appended (and
// durable) in any group, or a group, a stream or expired events are
// deleted. Followers take
// the channel, read, and wait on it.
func (s *Service) Changed() <-chan struct{} {
	s.changedMu.Lock()
	defer s.changedMu.Unlock()
	return s.changed
}

func (s *Service) notify() {
	s.changedMu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.changedMu.Unlock()
}

func (s *Service) now() int64 { return s.cfg.Clock.Now().UnixMilli() }

func (s *Service) groupArn(name string) string {
	return "arn:aws:logs:" + s.cfg.Region + ":" + s.cfg.Account + ":log-group:" + name
}

func checkGroupName(v *validation, member, name string) {
	checkName(v, member, name, groupNameRE, groupNamePattern)
}

func checkStreamName(v *validation, member, name string) {
	checkName(v, member, name, streamNameRE, streamNamePattern)
}

// checkName applies the model's length and pattern constraints to a name.
func checkName(v *validation, member, name string, re *regexp.Regexp, pattern string) {
	switch {
	case len(name) < 1:
		v.add(name, member, "Member must have length greater than or equal to 1")
	case len(name) > maxNameLen:
		v.add(name, member, "Member must have length less than or equal to 512")
	case !re.MatchString(name):
		v.add(name, member, "Member must satisfy regular expression pattern: "+pattern)
	}
}

func checkLimit(v *validation, limit *int, hi int) int {
	if limit == nil {
		return hi
	}
	switch {
	case *limit < 1:
		v.add(strconv.Itoa(*limit), "limit", "Member must have value greater than or equal to 1")
	case *limit > hi:
		v.add(strconv.Itoa(*limit), "limit", fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
	return *limit
}

func (s *Service) group(name string) *group {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.groups[name]
}

// resolveGroup finds the group named by a logGroupName or a
// logGroupIdentifier (a name or an ARN).
func (s *Service) resolveGroup(name, identifier string) (*group, error) {
	switch {
	case name != "" && identifier != "":
		return nil, errInvalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name == "" && identifier == "":
		return nil, errInvalid("Should provide either name or ARN of the LogGroup.")
	case identifier != "":
		name = identifier
		if strings.HasPrefix(identifier, "arn:") {
			n, ok := s.groupNameFromArn(identifier)
			if !ok {
				return nil, errGroupNotFound()
			}
			name = n
		}
	}
	var v validation
	checkGroupName(&v, "logGroupName", name)
	if err := v.err(); err != nil {
		return nil, err
	}
	g := s.group(name)
	if g == nil {
		return nil, errGroupNotFound()
	}
	return g, nil
}

func (s *Service) groupNameFromArn(arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, "arn:aws:logs:"+s.cfg.Region+":"+s.cfg.Account+":log-group:")
	if !ok {
		return "", false
	}
	name = strings.TrimSuffix(name, ":*")
	return name, name != "" && !strings.Contains(name, ":")
}

// CreateLogGroup creates a log group.
func (s *Service) CreateLogGroup(ctx context.Context, in *CreateLogGroupInput) (*Empty, error) {
	var v validation
	checkGroupName(&v, "logGroupName", in.LogGroupName)
	if len(in.KmsKeyID) > 256 {
		v.add(in.KmsKeyID, "kmsKeyId", "Member must have length less than or equal to 256")
	}
	switch in.LogGroupClass {
	case "", "STANDARD", "INFREQUENT_ACCESS", "DELIVERY":
	default:
		v.add(in.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, errTooManyTags(s.groupArn(in.LogGroupName))
	}
	_, err := s.createGroup(in.LogGroupName, func(rec *groupRecord) {
		rec.KmsKeyID = in.KmsKeyID
		rec.Class = in.LogGroupClass
		rec.Tags = in.Tags
		rec.Protected = in.DeletionProtectionEnabled != nil && *in.DeletionProtectionEnabled
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// createGroup persists a new group; it fails with
// ResourceAlreadyExistsException when the group exists.
func (s *Service) createGroup(name string, fill func(*groupRecord)) (*group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[name] != nil {
		return nil, errGroupExists()
	}
	rec := groupRecord{Name: name, Created: s.now(), Class: "STANDARD"}
	if fill != nil {
		fill(&rec)
	}
	if rec.Class == "" {
		rec.Class = "STANDARD"
	}
	data := encode(rec)
	if err := s.cfg.Store.Update(func(tx store.Tx) error {
		return tx.Put(bucketGroups, []byte(name), data)
	}); err != nil {
		return nil, fmt.Errorf("create log group %s: %w", name, err)
	}
	g := &group{rec: rec, streams: map[string]*stream{}}
	s.groups[name] = g
	return g, nil
}

// DeleteLogGroup deletes a log group with its streams and events.
func (s *Service) DeleteLogGroup(ctx context.Context, in *LogGroupNameInput) (*Empty, error) {
	var v validation
	checkGroupName(&v, "logGroupName", in.LogGroupName)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	g := s.groups[in.LogGroupName]
	if g == nil {
		s.mu.Unlock()
		return nil, errGroupNotFound()
	}
	g.mu.Lock()
	if g.rec.Protected {
		g.mu.Unlock()
		s.mu.Unlock()
		return nil, errCode("OperationAbortedException", "Log group "+in.LogGroupName+" has deletion protection enabled")
	}
	delete(s.groups, in.LogGroupName)
	g.deleted = true
	recs := make([]streamRecord, 0, len(g.streams))
	for _, st := range g.streams {
		st.deleted = true
		recs = append(recs, st.rec)
	}
	done := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		for _, rec := range recs {
			if err := deleteStreamData(tx, rec); err != nil {
				return err
			}
		}
		return tx.Delete(bucketGroups, []byte(in.LogGroupName))
	})
	g.mu.Unlock()
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, fmt.Errorf("delete log group %s: %w", in.LogGroupName, err)
	}
	s.notify()
	return &Empty{}, nil
}

func deleteStreamData(tx store.Tx, rec streamRecord) error {
	if err := deleteByPrefix(tx, bucketEvents, streamPrefix(rec.ID)); err != nil {
		return err
	}
	if err := deleteByPrefix(tx, bucketMinutes, streamPrefix(rec.ID)); err != nil {
		return err
	}
	return tx.Delete(bucketStreams, streamKey(rec.Group, rec.Name))
}

func deleteByPrefix(tx store.Tx, bucket string, prefix []byte) error {
	var keys [][]byte
	if err := tx.ForEach(bucket, prefix, func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
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

func (s *Service) describeGroup(g *group) LogGroup {
	rec := g.rec
	out := LogGroup{
		LogGroupName:              rec.Name,
		CreationTime:              rec.Created,
		Arn:                       s.groupArn(rec.Name) + ":*",
		LogGroupArn:               s.groupArn(rec.Name),
		KmsKeyID:                  rec.KmsKeyID,
		LogGroupClass:             rec.Class,
		DeletionProtectionEnabled: rec.Protected,
	}
	if rec.Retention > 0 {
		days := rec.Retention
		out.RetentionInDays = &days
	}
	for _, st := range g.streams {
		out.StoredBytes += st.rec.Bytes
	}
	return out
}

// DescribeLogGroups lists log groups in name order, by prefix or pattern.
func (s *Service) DescribeLogGroups(ctx context.Context, in *DescribeLogGroupsInput) (*DescribeLogGroupsOutput, error) {
	var v validation
	if in.LogGroupNamePrefix != nil {
		checkGroupName(&v, "logGroupNamePrefix", *in.LogGroupNamePrefix)
	}
	limit := checkLimit(&v, in.Limit, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, errInvalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		if n, ok := s.groupNameFromArn(id); ok {
			id = n
		}
		wanted[id] = true
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.groups))
	for n := range s.groups {
		switch {
		case n <= after:
		case in.LogGroupNamePrefix != nil && !strings.HasPrefix(n, *in.LogGroupNamePrefix):
		case in.LogGroupNamePattern != nil && !strings.Contains(strings.ToLower(n), strings.ToLower(*in.LogGroupNamePattern)):
		case len(wanted) > 0 && !wanted[n]:
		default:
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := &DescribeLogGroupsOutput{LogGroups: []LogGroup{}}
	for _, n := range names {
		g := s.groups[n]
		g.mu.Lock()
		d := s.describeGroup(g)
		g.mu.Unlock()
		if in.LogGroupClass != "" && d.LogGroupClass != in.LogGroupClass {
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = encodeNameToken(out.LogGroups[limit-1].LogGroupName)
			break
		}
		out.LogGroups = append(out.LogGroups, d)
	}
	s.mu.RUnlock()
	return out, nil
}

func encodeNameToken(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n/" + name))
}

func decodeNameToken(tok *string) (string, error) {
	if tok == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || !strings.HasPrefix(string(b), "n/") {
		return "", errInvalid("The specified nextToken is invalid.")
	}
	return string(b[2:]), nil
}

// PutRetentionPolicy sets a group's retention in days.
func (s *Service) PutRetentionPolicy(ctx context.Context, in *PutRetentionPolicyInput) (*Empty, error) {
	var v validation
	checkGroupName(&v, "logGroupName", in.LogGroupName)
	if in.RetentionInDays == nil {
		v.add("null", "retentionInDays", "Member must not be null")
	} else if !containsInt(retentionDays, *in.RetentionInDays) {
		v.add(strconv.Itoa(*in.RetentionInDays), "retentionInDays", "Member must satisfy enum value set: "+intList(retentionDays))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.updateGroup(in.LogGroupName, func(rec *groupRecord) { rec.Retention = *in.RetentionInDays }); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DeleteRetentionPolicy makes a group keep its events forever.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *LogGroupNameInput) (*Empty, error) {
	var v validation
	checkGroupName(&v, "logGroupName", in.LogGroupName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.updateGroup(in.LogGroupName, func(rec *groupRecord) { rec.Retention = 0 }); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// updateGroup applies change to a group's record and persists it.
func (s *Service) updateGroup(name string, change func(*groupRecord)) error {
	g := s.group(name)
	if g == nil {
		return errGroupNotFound()
	}
	g.mu.Lock()
	if g.deleted {
		g.mu.Unlock()
		return errGroupNotFound()
	}
	rec := g.rec
	rec.Tags = copyTags(rec.Tags)
	change(&rec)
	data := encode(rec)
	done := s.cfg.Store.Enqueue(func(tx store.Tx) error { return tx.Put(bucketGroups, []byte(name), data) })
	g.rec = rec
	g.mu.Unlock()
	if err := <-done; err != nil {
		return fmt.Errorf("update log group %s: %w", name, err)
	}
	return nil
}

// streamGroup validates a stream's names and finds its group.
func (s *Service) streamGroup(in *LogStreamInput) (*group, error) {
	var v validation
	checkGroupName(&v, "logGroupName", in.LogGroupName)
	checkStreamName(&v, "logStreamName", in.LogStreamName)
	if err := v.err(); err != nil {
		return nil, err
	}
	g := s.group(in.LogGroupName)
	if g == nil {
		return nil, errGroupNotFound()
	}
	return g, nil
}

// CreateLogStream creates a log stream in a group.
func (s *Service) CreateLogStream(ctx context.Context, in *LogStreamInput) (*Empty, error) {
	g, err := s.streamGroup(in)
	if err != nil {
		return nil, err
	}
	if _, err := s.createStream(g, in.LogStreamName, true); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// createStream persists a new stream. With strict, an existing stream is
// ResourceAlreadyExistsException; otherwise it is returned.
func (s *Service) createStream(g *group, name string, strict bool) (*stream, error) {
	s.mu.Lock()
	s.streamID++
	id := s.streamID
	s.mu.Unlock()
	g.mu.Lock()
	if g.deleted {
		g.mu.Unlock()
		return nil, errGroupNotFound()
	}
	if st := g.streams[name]; st != nil {
		g.mu.Unlock()
		if strict {
			return nil, errStreamExists()
		}
		return st, nil
	}
	st := &stream{rec: streamRecord{ID: id, Group: g.rec.Name, Name: name, Created: s.now()}}
	data := encode(st.rec)
	done := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		return tx.Put(bucketStreams, streamKey(g.rec.Name, name), data)
	})
	g.streams[name] = st
	g.mu.Unlock()
	if err := <-done; err != nil {
		return nil, fmt.Errorf("create log stream %s: %w", name, err)
	}
	return st, nil
}

// DeleteLogStream deletes a stream and its events.
func (s *Service) DeleteLogStream(ctx context.Context, in *LogStreamInput) (*Empty, error) {
	g, err := s.streamGroup(in)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	st := g.streams[in.LogStreamName]
	if st == nil || g.deleted {
		g.mu.Unlock()
		return nil, errStreamNotFound()
	}
	delete(g.streams, in.LogStreamName)
	st.deleted = true
	rec := st.rec
	done := s.cfg.Store.Enqueue(func(tx store.Tx) error { return deleteStreamData(tx, rec) })
	g.mu.Unlock()
	if err := <-done; err != nil {
		return nil, fmt.Errorf("delete log stream %s: %w", in.LogStreamName, err)
	}
	s.notify()
	return &Empty{}, nil
}

func (s *Service) describeStream(st *stream) LogStream {
	rec := st.rec
	out := LogStream{
		LogStreamName:       rec.Name,
		CreationTime:        rec.Created,
		Arn:                 s.groupArn(rec.Group) + ":log-stream:" + rec.Name,
		UploadSequenceToken: sequenceToken(rec.Uploads),
	}
	if rec.HasEvents {
		first, last, ingest := rec.First, rec.Last, rec.LastIngest
		out.FirstEventTimestamp, out.LastEventTimestamp, out.LastIngestionTime = &first, &last, &ingest
	}
	return out
}

func sequenceToken(n uint64) string { return fmt.Sprintf("%056d", n+1) }

// DescribeLogStreams lists a group's streams by name or by last event time.
func (s *Service) DescribeLogStreams(ctx context.Context, in *DescribeLogStreamsInput) (*DescribeLogStreamsOutput, error) {
	var v validation
	if in.LogStreamNamePrefix != nil {
		checkStreamName(&v, "logStreamNamePrefix", *in.LogStreamNamePrefix)
	}
	switch in.OrderBy {
	case "", "LogStreamName", "LastEventTime":
	default:
		v.add(in.OrderBy, "orderBy", "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	limit := checkLimit(&v, in.Limit, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	byTime := in.OrderBy == "LastEventTime"
	if byTime && in.LogStreamNamePrefix != nil {
		return nil, errInvalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	g, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		n, cerr := strconv.Atoi(strings.TrimPrefix(string(b), "o/"))
		if err != nil || cerr != nil || !strings.HasPrefix(string(b), "o/") || n < 0 {
			return nil, errInvalid("The specified nextToken is invalid.")
		}
		offset = n
	}
	g.mu.Lock()
	list := make([]LogStream, 0, len(g.streams))
	for name, st := range g.streams {
		if in.LogStreamNamePrefix != nil && !strings.HasPrefix(name, *in.LogStreamNamePrefix) {
			continue
		}
		list = append(list, s.describeStream(st))
	}
	g.mu.Unlock()
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if byTime {
			ta, tb := lastEvent(a), lastEvent(b)
			if ta != tb {
				return (ta < tb) != in.Descending
			}
		}
		return (a.LogStreamName < b.LogStreamName) != in.Descending
	})
	out := &DescribeLogStreamsOutput{LogStreams: []LogStream{}}
	if offset < len(list) {
		end := min(offset+limit, len(list))
		out.LogStreams = list[offset:end]
		if end < len(list) {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("o/" + strconv.Itoa(end)))
		}
	}
	return out, nil
}

func lastEvent(ls LogStream) int64 {
	if ls.LastEventTimestamp == nil {
		return -1 << 63
	}
	return *ls.LastEventTimestamp
}

// TagResource adds tags to a log group named by ARN.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	name, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return s.tag(name, in.Tags)
}

func (s *Service) tag(name string, tags map[string]string) (*Empty, error) {
	if len(tags) == 0 {
		return nil, errInvalid("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	var tooMany bool
	err := s.updateGroup(name, func(rec *groupRecord) {
		merged := copyTags(rec.Tags)
		if merged == nil {
			merged = map[string]string{}
		}
		for k, v := range tags {
			merged[k] = v
		}
		if len(merged) > 50 {
			tooMany = true
			return
		}
		rec.Tags = merged
	})
	if err != nil {
		return nil, err
	}
	if tooMany {
		return nil, errTooManyTags(s.groupArn(name))
	}
	return &Empty{}, nil
}

// UntagResource removes tags from a log group named by ARN.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	name, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return s.untag(name, in.TagKeys)
}

func (s *Service) untag(name string, keys []string) (*Empty, error) {
	err := s.updateGroup(name, func(rec *groupRecord) {
		for _, k := range keys {
			delete(rec.Tags, k)
		}
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListTagsForResource lists a log group's tags by ARN.
func (s *Service) ListTagsForResource(ctx context.Context, in *ResourceArnInput) (*TagsOutput, error) {
	name, err := s.taggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return s.listTags(name)
}

func (s *Service) listTags(name string) (*TagsOutput, error) {
	g := s.group(name)
	if g == nil {
		return nil, errGroupNotFound()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	tags := copyTags(g.rec.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return &TagsOutput{Tags: tags}, nil
}

// TagLogGroup is the legacy, name-addressed TagResource.
func (s *Service) TagLogGroup(ctx context.Context, in *TagLogGroupInput) (*Empty, error) {
	return s.tag(in.LogGroupName, in.Tags)
}

// UntagLogGroup is the legacy, name-addressed UntagResource.
func (s *Service) UntagLogGroup(ctx context.Context, in *UntagLogGroupInput) (*Empty, error) {
	return s.untag(in.LogGroupName, in.Tags)
}

// ListTagsLogGroup is the legacy, name-addressed ListTagsForResource.
func (s *Service) ListTagsLogGroup(ctx context.Context, in *LogGroupNameInput) (*TagsOutput, error) {
	return s.listTags(in.LogGroupName)
}

// taggable returns the log group an ARN names.
func (s *Service) taggable(arn string) (string, error) {
	if arn == "" {
		return "", errInvalid("1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
	}
	name, ok := s.groupNameFromArn(arn)
	if !ok {
		return "", errCode("ResourceNotFoundException", "The specified resource does not exist.")
	}
	if s.group(name) == nil {
		return "", errGroupNotFound()
	}
	return name, nil
}

func copyTags(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func intList(list []int) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = strconv.Itoa(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
