package logs

import (
	"context"
	"strconv"
	"time"
)

// FollowSkew is how far behind the newest event Follow keeps reading, so
// events from several writers whose timestamps interleave slightly (a
// Lambda environment stamps lines when it reads them and appends them one
// group commit later) are not missed. Every wake re-reads this window, so
// it is kept short; events arriving later than that, relative to what was
// already delivered, are skipped, as `aws logs tail --follow` would.
const FollowSkew = 5 * time.Second

// Follow calls fn, in timestamp order as they arrive, with each event of a
// group that matches pattern and is stamped at or after start (Unix ms),
// until ctx ends (then it returns nil) or fn fails. It waits for the group
// to exist, and wakes on Changed between reads, so it never polls. This is
// what `sam logs --tail` and `mage local` need.
func (s *Service) Follow(ctx context.Context, group, pattern string, start int64, fn func(FilteredLogEvent) error) error {
	if _, err := ParseFilter(pattern); err != nil {
		return errInvalid("%s", err.Error())
	}
	seen := map[uint64]int64{} // delivered events within the skew: seq -> timestamp
	from := start
	for {
		changed := s.Changed()
		newest := from
		since := from
		in := &FilterLogEventsInput{LogGroupName: group, FilterPattern: pattern, StartTime: &since}
		for {
			out, err := s.FilterLogEvents(ctx, in)
			if isCode(err, "ResourceNotFoundException") {
				break // not created yet
			}
			if err != nil {
				return err
			}
			for _, ev := range out.Events {
				seq := eventSeq(ev.EventID)
				if _, dup := seen[seq]; dup {
					continue
				}
				seen[seq] = ev.Timestamp
				if err := fn(ev); err != nil {
					return err
				}
				newest = max(newest, ev.Timestamp)
			}
			if out.NextToken == "" {
				break
			}
			in.NextToken = &out.NextToken
		}
		if next := newest - FollowSkew.Milliseconds(); next > from {
			from = next
			for seq, ts := range seen {
				if ts < from {
					delete(seen, seq)
				}
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil
		}
	}
}

// eventSeq reads the sequence number out of an eventId.
func eventSeq(id string) uint64 {
	if len(id) != 40 {
		return 0
	}
	n, _ := strconv.ParseUint(id[20:], 10, 64)
	return n
}
