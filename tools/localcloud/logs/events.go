package logs

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// PutLogEvents limits, as documented for the API.
const (
	// MaxBatchBytes bounds a batch: the UTF-8 bytes of every message plus
	// EventOverhead per event.
	MaxBatchBytes = 1048576
	// EventOverhead is what every event adds to a batch's size.
	EventOverhead = 26
	// MaxBatchEvents bounds the events of one batch.
	MaxBatchEvents = 10000
	// MaxEventBytes bounds one event's message.
	MaxEventBytes = MaxBatchBytes - EventOverhead

	maxFuture = 2 * time.Hour
	maxPast   = 14 * 24 * time.Hour
	maxSpan   = 24 * time.Hour

	maxResponseBytes = 1048576
	maxEventsLimit   = 10000
	day              = int64(24 * time.Hour / time.Millisecond)
)

// Event is a log event appended in process.
type Event struct {
	// Timestamp is in Unix milliseconds.
	Timestamp int64
	Message   string
}

// Append adds events to a stream, creating the group and the stream when
// missing (as the Lambda service does for a function's log group), and
// returns once they are durable. Unlike PutLogEvents it takes events in any
// order and applies no batch limits; empty messages are dropped and long
// ones truncated to MaxEventBytes.
func (s *Service) Append(ctx context.Context, groupName, streamName string, events []Event) error {
	var v validation
	checkGroupName(&v, "logGroupName", groupName)
	checkStreamName(&v, "logStreamName", streamName)
	if err := v.err(); err != nil {
		return err
	}
	kept := events[:0:0]
	for _, e := range events {
		if e.Message == "" {
			continue
		}
		if len(e.Message) > MaxEventBytes {
			e.Message = truncateUTF8(e.Message, MaxEventBytes)
		}
		kept = append(kept, e)
	}
	st, g, err := s.ensureStream(groupName, streamName)
	if err != nil {
		return err
	}
	if len(kept) == 0 {
		return nil
	}
	g.mu.Lock()
	if st.deleted {
		g.mu.Unlock()
		return errStreamNotFound()
	}
	done := s.appendLocked(st, kept, s.now())
	g.mu.Unlock()
	if err := <-done; err != nil {
		return fmt.Errorf("append to %s/%s: %w", groupName, streamName, err)
	}
	s.notify()
	return nil
}

// EnsureStream creates a group and a stream when they do not exist.
func (s *Service) EnsureStream(ctx context.Context, groupName, streamName string) error {
	var v validation
	checkGroupName(&v, "logGroupName", groupName)
	checkStreamName(&v, "logStreamName", streamName)
	if err := v.err(); err != nil {
		return err
	}
	_, _, err := s.ensureStream(groupName, streamName)
	return err
}

func (s *Service) ensureStream(groupName, streamName string) (*stream, *group, error) {
	for {
		g := s.group(groupName)
		if g == nil {
			var err error
			g, err = s.createGroup(groupName, nil)
			if err != nil {
				var exists bool
				if exists = isCode(err, "ResourceAlreadyExistsException"); !exists {
					return nil, nil, err
				}
				continue
			}
		}
		g.mu.Lock()
		st := g.streams[streamName]
		g.mu.Unlock()
		if st != nil {
			return st, g, nil
		}
		st, err := s.createStream(g, streamName, false)
		if err != nil {
			if isCode(err, "ResourceNotFoundException") {
				continue // the group was deleted meanwhile
			}
			return nil, nil, err
		}
		return st, g, nil
	}
}

func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// appendLocked assigns sequence numbers, updates the stream's summary and
// minute directory and enqueues the write. Callers hold the group's lock
// and wait on the channel after releasing it, so writes reach the disk in
// the order memory changed.
func (s *Service) appendLocked(st *stream, events []Event, ingest int64) <-chan error {
	type put struct {
		key, value []byte
	}
	puts := make([]put, 0, len(events))
	minutes := map[int64]minute{}
	s.seqMu.Lock()
	for _, e := range events {
		s.seq++
		seq := s.seq
		puts = append(puts, put{eventKey(st.rec.ID, e.Timestamp, seq), eventValue(ingest, e.Message)})
		size := int64(len(e.Message) + EventOverhead)
		m := st.addToMinute(minuteOf(e.Timestamp), size)
		minutes[m.Minute] = m
		if !st.rec.HasEvents || e.Timestamp < st.rec.First {
			st.rec.First = e.Timestamp
		}
		if !st.rec.HasEvents || e.Timestamp > st.rec.Last {
			st.rec.Last = e.Timestamp
		}
		st.rec.HasEvents = true
		st.rec.Bytes += size
		st.rec.LastSeq = seq
	}
	s.seqMu.Unlock()
	st.rec.LastIngest = ingest
	st.rec.Uploads++
	id := st.rec.ID
	recKey, rec := streamKey(st.rec.Group, st.rec.Name), encode(st.rec)
	return s.cfg.Store.Enqueue(func(tx store.Tx) error {
		for _, p := range puts {
			if err := tx.Put(bucketEvents, p.key, p.value); err != nil {
				return err
			}
		}
		for m, info := range minutes {
			if err := tx.Put(bucketMinutes, minutePrefix(id, m), minuteValue(info)); err != nil {
				return err
			}
		}
		return tx.Put(bucketStreams, recKey, rec)
	})
}

// PutLogEvents uploads a batch of events to a stream, with AWS's rules:
// chronological order, at most 10,000 events and 1 MiB, spanning at most
// 24 hours; events more than 2 hours ahead, more than 14 days old or past
// the group's retention are rejected and reported in rejectedLogEventsInfo.
func (s *Service) PutLogEvents(ctx context.Context, in *PutLogEventsInput) (*PutLogEventsOutput, error) {
	var v validation
	checkGroupName(&v, "logGroupName", in.LogGroupName)
	checkStreamName(&v, "logStreamName", in.LogStreamName)
	switch n := len(in.LogEvents); {
	case n < 1:
		v.add("[]", "logEvents", "Member must have length greater than or equal to 1")
	case n > MaxBatchEvents:
		v.add("[...]", "logEvents", "Member must have length less than or equal to 10000")
	}
	for i, e := range in.LogEvents {
		member := fmt.Sprintf("logEvents.%d.member", i+1)
		if e.Timestamp == nil {
			v.add("null", member+".timestamp", "Member must not be null")
		}
		switch {
		case e.Message == nil:
			v.add("null", member+".message", "Member must not be null")
		case *e.Message == "":
			v.add("", member+".message", "Member must have length greater than or equal to 1")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	g := s.group(in.LogGroupName)
	if g == nil {
		return nil, errGroupNotFound()
	}
	size := 0
	for i, e := range in.LogEvents {
		n := len(*e.Message) + EventOverhead
		if n > MaxBatchBytes {
			return nil, errInvalid("Log event too large: %d bytes exceeds limit of %d", n, MaxBatchBytes)
		}
		size += n
		if i > 0 && *e.Timestamp < *in.LogEvents[i-1].Timestamp {
			return nil, errInvalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > MaxBatchBytes {
		return nil, errInvalid("Upload too large: %d bytes exceeds limit of %d", size, MaxBatchBytes)
	}
	first, last := *in.LogEvents[0].Timestamp, *in.LogEvents[len(in.LogEvents)-1].Timestamp
	if last-first > maxSpan.Milliseconds() {
		return nil, errInvalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	now := s.now()
	g.mu.Lock()
	st := g.streams[in.LogStreamName]
	if st == nil || g.deleted {
		g.mu.Unlock()
		return nil, errStreamNotFound()
	}
	retention := g.rec.Retention
	lo, hi := 0, len(in.LogEvents)
	info := &RejectedLogEventsInfo{}
	for i, e := range in.LogEvents {
		ts := *e.Timestamp
		if ts < now-maxPast.Milliseconds() {
			idx := i
			info.TooOldLogEventEndIndex = &idx
			lo = max(lo, i+1)
		}
		if retention > 0 && ts < now-int64(retention)*day {
			idx := i
			info.ExpiredLogEventEndIndex = &idx
			lo = max(lo, i+1)
		}
		if ts > now+maxFuture.Milliseconds() && info.TooNewLogEventStartIndex == nil {
			idx := i
			info.TooNewLogEventStartIndex = &idx
			hi = i
		}
	}
	out := &PutLogEventsOutput{}
	if *info != (RejectedLogEventsInfo{}) {
		out.RejectedLogEventsInfo = info
	}
	if lo >= hi {
		out.NextSequenceToken = sequenceToken(st.rec.Uploads)
		g.mu.Unlock()
		return out, nil
	}
	events := make([]Event, 0, hi-lo)
	for _, e := range in.LogEvents[lo:hi] {
		events = append(events, Event{Timestamp: *e.Timestamp, Message: *e.Message})
	}
	done := s.appendLocked(st, events, now)
	out.NextSequenceToken = sequenceToken(st.rec.Uploads)
	g.mu.Unlock()
	if err := <-done; err != nil {
		return nil, fmt.Errorf("put log events to %s/%s: %w", in.LogGroupName, in.LogStreamName, err)
	}
	s.notify()
	return out, nil
}

// pos is a position in a stream's (timestamp, sequence) order.
type pos struct {
	ts  int64
	seq uint64
}

var (
	posMin = pos{math.MinInt64, 0}
	posMax = pos{math.MaxInt64, math.MaxUint64}
)

func (a pos) less(b pos) bool { return a.ts < b.ts || a.ts == b.ts && a.seq < b.seq }

// prev is the position just before p.
func (p pos) prev() pos {
	if p.seq > 0 {
		return pos{p.ts, p.seq - 1}
	}
	if p.ts == math.MinInt64 {
		return p
	}
	return pos{p.ts - 1, math.MaxUint64}
}

func (p pos) token(dir byte) string {
	return fmt.Sprintf("%c/%020d%020d", dir, orderable(p.ts), p.seq)
}

func parsePosToken(tok string) (byte, pos, bool) {
	if len(tok) != 42 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' {
		return 0, pos{}, false
	}
	t, err1 := strconv.ParseUint(tok[2:22], 10, 64)
	q, err2 := strconv.ParseUint(tok[22:], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, pos{}, false
	}
	return tok[0], pos{int64(t ^ (1 << 63)), q}, true
}

type storedEvent struct {
	pos
	ingest int64
	msg    string
}

// streamView is what a read needs of a stream, copied under the lock.
type streamView struct {
	id      uint64
	name    string
	minutes []minute
}

func viewOf(st *stream) streamView {
	return streamView{id: st.rec.ID, name: st.rec.Name, minutes: append([]minute(nil), st.minutes...)}
}

var errStop = errors.New("stop")

// scanMinute calls fn for a minute's events in ascending order until fn
// returns false.
func scanMinute(tx store.Tx, id uint64, m int64, fn func(storedEvent) bool) error {
	err := tx.ForEach(bucketEvents, minutePrefix(id, m), func(k, v []byte) error {
		ts, seq, ok1 := parseEventKey(k)
		ingest, msg, ok2 := parseEventValue(v)
		if !ok1 || !ok2 {
			return nil
		}
		if !fn(storedEvent{pos{ts, seq}, ingest, msg}) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// window is a read's time range [lo, hi) after retention.
func (s *Service) window(g *group, start, end *int64) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if start != nil {
		lo = *start
	}
	if end != nil {
		hi = *end
	}
	g.mu.Lock()
	retention := g.rec.Retention
	g.mu.Unlock()
	if retention > 0 {
		lo = max(lo, s.now()-int64(retention)*day)
	}
	return lo, hi
}

// GetLogEvents reads a stream's events in timestamp order, from the head
// or (by default) the tail, with forward and backward tokens. At the end
// of the stream the forward token returned is the one passed in.
func (s *Service) GetLogEvents(ctx context.Context, in *GetLogEventsInput) (*GetLogEventsOutput, error) {
	var v validation
	checkStreamName(&v, "logStreamName", in.LogStreamName)
	limit := checkLimit(&v, in.Limit, maxEventsLimit)
	if err := v.err(); err != nil {
		return nil, err
	}
	g, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	dir, from := byte('b'), posMax
	if in.StartFromHead {
		dir, from = 'f', posMin
	}
	if in.NextToken != nil {
		var ok bool
		if dir, from, ok = parsePosToken(*in.NextToken); !ok {
			return nil, errInvalid("The specified nextToken is invalid.")
		}
	}
	g.mu.Lock()
	st := g.streams[in.LogStreamName]
	var sv streamView
	if st != nil {
		sv = viewOf(st)
	}
	g.mu.Unlock()
	if st == nil {
		return nil, errStreamNotFound()
	}
	lo, hi := s.window(g, in.StartTime, in.EndTime)
	var events []storedEvent
	bytes := 0
	take := func(e storedEvent) bool {
		n := len(e.msg) + EventOverhead
		if len(events) == limit || len(events) > 0 && bytes+n > maxResponseBytes {
			return false
		}
		events = append(events, e)
		bytes += n
		return true
	}
	err = s.cfg.Store.View(func(tx store.Tx) error {
		if dir == 'f' {
			for _, m := range sv.minutes {
				if m.Minute < minuteOf(max(lo, from.ts)) || hi != math.MaxInt64 && m.Minute > minuteOf(hi) {
					continue
				}
				full := false
				if err := scanMinute(tx, sv.id, m.Minute, func(e storedEvent) bool {
					if !from.less(e.pos) || e.ts < lo {
						return true
					}
					if e.ts >= hi || !take(e) {
						full = true
						return false
					}
					return true
				}); err != nil || full {
					return err
				}
			}
			return nil
		}
		for i := len(sv.minutes) - 1; i >= 0; i-- {
			m := sv.minutes[i]
			if m.Minute > minuteOf(min(hi, from.ts)) || lo != math.MinInt64 && m.Minute < minuteOf(lo) {
				continue
			}
			var all []storedEvent
			if err := scanMinute(tx, sv.id, m.Minute, func(e storedEvent) bool {
				if e.less(from) && e.ts >= lo && e.ts < hi {
					all = append(all, e)
				}
				return true
			}); err != nil {
				return err
			}
			for j := len(all) - 1; j >= 0; j-- {
				if !take(all[j]) {
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", in.LogGroupName, in.LogStreamName, err)
	}
	if dir == 'b' {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	out := &GetLogEventsOutput{Events: make([]OutputLogEvent, 0, len(events))}
	for _, e := range events {
		out.Events = append(out.Events, OutputLogEvent{Timestamp: e.ts, Message: e.msg, IngestionTime: e.ingest})
	}
	switch {
	case len(events) > 0:
		out.NextForwardToken = events[len(events)-1].token('f')
		out.NextBackwardToken = events[0].token('b')
	case dir == 'f':
		out.NextForwardToken = from.token('f')
		out.NextBackwardToken = pos{from.ts, from.seq}.token('b')
		if from != posMin {
			out.NextBackwardToken = pos{from.ts, from.seq + 1}.token('b')
		}
	default:
		out.NextBackwardToken = from.token('b')
		out.NextForwardToken = from.prev().token('f')
		if in.NextToken == nil {
			out.NextForwardToken = posMin.token('f')
		}
	}
	return out, nil
}

// FilterLogEvents reads events matching a filter pattern across a group's
// streams, interleaved in timestamp order.
func (s *Service) FilterLogEvents(ctx context.Context, in *FilterLogEventsInput) (*FilterLogEventsOutput, error) {
	var v validation
	if in.LogStreamNamePrefix != nil {
		checkStreamName(&v, "logStreamNamePrefix", *in.LogStreamNamePrefix)
	}
	if len(in.LogStreamNames) > 100 {
		v.add("[...]", "logStreamNames", "Member must have length less than or equal to 100")
	}
	if len(in.FilterPattern) > 1024 {
		v.add(in.FilterPattern, "filterPattern", "Member must have length less than or equal to 1024")
	}
	limit := checkLimit(&v, in.Limit, maxEventsLimit)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.LogStreamNamePrefix != nil && len(in.LogStreamNames) > 0 {
		return nil, errInvalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	g, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	pattern, err := ParseFilter(in.FilterPattern)
	if err != nil {
		return nil, errInvalid("%s", err.Error())
	}
	from := posMin
	if in.NextToken != nil {
		b, derr := base64.RawURLEncoding.DecodeString(*in.NextToken)
		_, p, ok := parsePosToken(string(b))
		if derr != nil || !ok {
			return nil, errInvalid("The specified nextToken is invalid.")
		}
		from = p
	}
	names := map[string]bool{}
	for _, n := range in.LogStreamNames {
		names[n] = true
	}
	g.mu.Lock()
	var views []streamView
	for name, st := range g.streams {
		if len(names) > 0 && !names[name] || in.LogStreamNamePrefix != nil && !strings.HasPrefix(name, *in.LogStreamNamePrefix) {
			continue
		}
		views = append(views, viewOf(st))
	}
	g.mu.Unlock()
	sort.Slice(views, func(i, j int) bool { return views[i].name < views[j].name })
	lo, hi := s.window(g, in.StartTime, in.EndTime)
	lo = max(lo, from.ts)
	var all []int64
	seen := map[int64]bool{}
	for _, sv := range views {
		for _, m := range sv.minutes {
			if !seen[m.Minute] && m.Minute >= minuteOf(lo) && (hi == math.MaxInt64 || m.Minute <= minuteOf(hi)) {
				seen[m.Minute] = true
				all = append(all, m.Minute)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	out := &FilterLogEventsOutput{Events: []FilteredLogEvent{}, SearchedLogStreams: []SearchedLogStream{}}
	for _, sv := range views {
		out.SearchedLogStreams = append(out.SearchedLogStreams, SearchedLogStream{LogStreamName: sv.name, SearchedCompletely: true})
	}
	type hit struct {
		storedEvent
		stream string
	}
	bytes := 0
	var last pos
	full := false
	err = s.cfg.Store.View(func(tx store.Tx) error {
		for _, m := range all {
			var hits []hit
			for _, sv := range views {
				if _, ok := (&stream{minutes: sv.minutes}).minuteIndex(m); !ok {
					continue
				}
				if err := scanMinute(tx, sv.id, m, func(e storedEvent) bool {
					if from.less(e.pos) && e.ts >= lo && e.ts < hi && pattern.Match(e.msg) {
						hits = append(hits, hit{e, sv.name})
					}
					return true
				}); err != nil {
					return err
				}
			}
			sort.Slice(hits, func(i, j int) bool { return hits[i].less(hits[j].pos) })
			for _, h := range hits {
				n := len(h.msg) + EventOverhead
				if len(out.Events) == limit || len(out.Events) > 0 && bytes+n > maxResponseBytes {
					full = true
					return nil
				}
				bytes += n
				last = h.pos
				out.Events = append(out.Events, FilteredLogEvent{LogStreamName: h.stream, Timestamp: h.ts,
					Message: h.msg, IngestionTime: h.ingest, EventID: fmt.Sprintf("%020d%020d", orderable(h.ts), h.seq)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", g.rec.Name, err)
	}
	if full {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(last.token('f')))
	}
	return out, nil
}

// schedulePurge arms the retention timer.
func (s *Service) schedulePurge() {
	s.timerMu.Lock()
	defer s.timerMu.Unlock()
	if s.closed {
		return
	}
	s.timer = s.cfg.Clock.AfterFunc(s.cfg.PurgeInterval, func() {
		if err := s.purge(); err != nil {
			s.cfg.Logger.Error("purge expired log events", "err", err)
		}
		s.schedulePurge()
	})
}

// purge deletes, from memory and the store, every minute of events that
// lies wholly before its group's retention, then wakes Changed. It runs
// every PurgeInterval on the clock.
func (s *Service) purge() error {
	now := s.now()
	s.mu.RLock()
	groups := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		groups = append(groups, g)
	}
	s.mu.RUnlock()
	var waits []<-chan error
	for _, g := range groups {
		g.mu.Lock()
		if g.rec.Retention == 0 || g.deleted {
			g.mu.Unlock()
			continue
		}
		cut := minuteOf(now - int64(g.rec.Retention)*day)
		for _, st := range g.streams {
			i, _ := st.minuteIndex(cut)
			if i == 0 {
				continue
			}
			gone := append([]minute(nil), st.minutes[:i]...)
			st.minutes = append(st.minutes[:0:0], st.minutes[i:]...)
			for _, m := range gone {
				st.rec.Bytes -= m.Bytes
			}
			id, recKey, rec := st.rec.ID, streamKey(st.rec.Group, st.rec.Name), encode(st.rec)
			waits = append(waits, s.cfg.Store.Enqueue(func(tx store.Tx) error {
				for _, m := range gone {
					if err := deleteByPrefix(tx, bucketEvents, minutePrefix(id, m.Minute)); err != nil {
						return err
					}
					if err := tx.Delete(bucketMinutes, minutePrefix(id, m.Minute)); err != nil {
						return err
					}
				}
				return tx.Put(bucketStreams, recKey, rec)
			}))
		}
		g.mu.Unlock()
	}
	var errs []error
	for _, w := range waits {
		errs = append(errs, <-w)
	}
	if len(waits) > 0 {
		s.notify()
	}
	return errors.Join(errs...)
}
