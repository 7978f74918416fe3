package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// FilterLogEventsAPI is the part of the CloudWatch Logs client FollowLogs uses.
type FilterLogEventsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// FollowLogs prints every event of the named log groups from since on, as
// "[label] message" lines, until ctx ends (like `sam logs --tail`). groups maps a label to
// a log group name. A group that does not exist yet is retried on the next round.
func FollowLogs(ctx context.Context, client FilterLogEventsAPI, groups map[string]string, since time.Time, every time.Duration, out io.Writer) error {
	// Per group: the newest timestamp printed, and the IDs printed at exactly that
	// timestamp, so overlapping reads print each event once.
	next := map[string]int64{}
	seen := map[string]map[string]bool{}
	for label := range groups {
		next[label] = since.UnixMilli()
		seen[label] = map[string]bool{}
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		for label, group := range groups {
			var missing *types.ResourceNotFoundException
			if err := followOnce(ctx, client, label, group, next, seen, out); err != nil && ctx.Err() == nil && !errors.As(err, &missing) {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func followOnce(ctx context.Context, client FilterLogEventsAPI, label, group string, next map[string]int64, seen map[string]map[string]bool, out io.Writer) error {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), StartTime: aws.Int64(next[label])}
	for {
		page, err := client.FilterLogEvents(ctx, in)
		if err != nil {
			return fmt.Errorf("follow %s: %w", group, err)
		}
		for _, ev := range page.Events {
			ts, id := aws.ToInt64(ev.Timestamp), aws.ToString(ev.EventId)
			if ts < next[label] || (ts == next[label] && seen[label][id]) {
				continue
			}
			if ts > next[label] {
				next[label] = ts
				seen[label] = map[string]bool{}
			}
			seen[label][id] = true
			fmt.Fprintf(out, "[%s] %s\n", label, strings.TrimRight(aws.ToString(ev.Message), "\n"))
		}
		if page.NextToken == nil {
			return nil
		}
		in.NextToken = page.NextToken
	}
}
