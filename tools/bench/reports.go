package bench

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// FilterLogEventsAPI is the part of the CloudWatch Logs client the REPORT reader uses.
type FilterLogEventsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// Invocation is one function invocation as its REPORT line tells it.
type Invocation struct {
	// End is the REPORT event's timestamp; Duration the invocation's run time; Init
	// the init phase of a cold start (zero when warm).
	End            time.Time
	Duration, Init time.Duration
}

// Start is when the invocation began running (after any init phase).
func (i Invocation) Start() time.Time { return i.End.Add(-i.Duration) }

var (
	reportDuration = regexp.MustCompile(`\tDuration: ([0-9.]+) ms`)
	reportInit     = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)
)

// ParseReport reads a REPORT line's durations; ok is false for any other line.
func ParseReport(msg string, at time.Time) (Invocation, bool) {
	m := reportDuration.FindStringSubmatch(msg)
	if m == nil {
		return Invocation{}, false
	}
	inv := Invocation{End: at, Duration: msDuration(m[1])}
	if m := reportInit.FindStringSubmatch(msg); m != nil {
		inv.Init = msDuration(m[1])
	}
	return inv, true
}

func msDuration(s string) time.Duration {
	f, _ := strconv.ParseFloat(s, 64)
	return time.Duration(f * float64(time.Millisecond))
}

// Invocations reads every REPORT line of a function's log group from since to until.
// It reads at most maxPages pages, so a huge log cannot hold the run up.
func Invocations(ctx context.Context, logs FilterLogEventsAPI, function string, since, until time.Time, maxPages int) ([]Invocation, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + function),
		FilterPattern: aws.String(`"REPORT RequestId"`), StartTime: aws.Int64(since.UnixMilli()), EndTime: aws.Int64(until.UnixMilli())}
	var out []Invocation
	for range maxPages {
		page, err := logs.FilterLogEvents(ctx, in)
		if err != nil {
			return out, fmt.Errorf("REPORT lines of %s: %w", function, err)
		}
		for _, ev := range page.Events {
			if inv, ok := ParseReport(aws.ToString(ev.Message), time.UnixMilli(aws.ToInt64(ev.Timestamp))); ok {
				out = append(out, inv)
			}
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	return out, nil
}

// Concurrency is the function's average number of running invocations in each step
// from start to end (busy time in the step divided by the step), so that invocations
// shorter than a step still count.
func Concurrency(invs []Invocation, start, end time.Time, step time.Duration) []float64 {
	if step <= 0 || !end.After(start) {
		return nil
	}
	n := int((end.Sub(start) + step - 1) / step)
	busy := make([]time.Duration, n)
	for _, inv := range invs {
		from, to := inv.Start(), inv.End
		if from.Before(start) {
			from = start
		}
		if to.After(end) {
			to = end
		}
		for k := int(from.Sub(start) / step); k < n && from.Before(to); k++ {
			bucketEnd := start.Add(time.Duration(k+1) * step)
			stop := to
			if bucketEnd.Before(stop) {
				stop = bucketEnd
			}
			busy[k] += stop.Sub(from)
			from = bucketEnd
		}
	}
	out := make([]float64, n)
	for k, b := range busy {
		out[k] = float64(b) / float64(step)
	}
	return out
}

// FunctionStats sums up a function's invocations over a window.
type FunctionStats struct {
	Invocations int
	Durations   Summary
	// Busy is the invocations' total run time over the window: the average number of
	// instances at work.
	Busy float64
}

// Stats sums up invs over a window of length window.
func Stats(invs []Invocation, window time.Duration) FunctionStats {
	ds := make([]time.Duration, len(invs))
	var total time.Duration
	for i, inv := range invs {
		ds[i] = inv.Duration
		total += inv.Duration
	}
	st := FunctionStats{Invocations: len(invs), Durations: Summarize(ds)}
	if window > 0 {
		st.Busy = float64(total) / float64(window)
	}
	return st
}
