package logs_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

type env struct {
	url    string
	client *cwl.Client
	svc    *logs.Service
	clock  *clock.Manual
	store  *store.Bolt
	dir    string
}

// start serves CloudWatch Logs alone behind the real front door (SigV4,
// awsJson 1.1) on an httptest server.
func start(t *testing.T, dir string) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Now())
	svc, err := logs.New(logs.Config{Store: st, Clock: clk, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	creds := iam.NewStaticCredentials(iam.RootCredential("000000000000", "test", "test"))
	srv := server.New(server.Config{
		Verifier: &sigv4.Verifier{Credentials: creds, Region: "us-east-1", Clock: clock.Real{}},
		IDs:      ids.New(rand.NewChaCha8([32]byte{1})),
	})
	srv.Register(svc.Descriptor())
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		svc.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{url: hs.URL, client: cwl.NewFromConfig(localcloudtest.Config(hs.URL, "test", "test")), svc: svc, clock: clk, store: st, dir: dir}
}

func wantCode(t *testing.T, err error, code, msgPart string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msgPart) {
		t.Fatalf("error = %s: %s, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msgPart)
	}
}

func (e *env) ms(d time.Duration) int64 { return e.clock.Now().Add(d).UnixMilli() }

func (e *env) put(t *testing.T, group, stream string, events ...types.InputLogEvent) *cwl.PutLogEventsOutput {
	t.Helper()
	out, err := e.client.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events})
	if err != nil {
		t.Fatalf("PutLogEvents: %v", err)
	}
	return out
}

func ev(ts int64, msg string) types.InputLogEvent {
	return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
}

func TestGroupsAndStreams(t *testing.T) {
	e := start(t, "")
	c, ctx := e.client, context.Background()
	for _, n := range []string{"/aws/lambda/b", "/aws/lambda/a", "/other"} {
		if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(n), Tags: map[string]string{"team": "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/other")})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate group: %v", err)
	}
	wantCode(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad:name")})
	wantCode(t, err, "InvalidParameterException", "Value 'bad:name' at 'logGroupName' failed to satisfy constraint")

	page1, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/"), Limit: aws.Int32(1)})
	if err != nil || len(page1.LogGroups) != 1 || aws.ToString(page1.LogGroups[0].LogGroupName) != "/aws/lambda/a" || page1.NextToken == nil {
		t.Fatalf("page1 = %+v, %v", page1, err)
	}
	if g := page1.LogGroups[0]; aws.ToString(g.Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*" ||
		aws.ToString(g.LogGroupArn) != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a" || g.RetentionInDays != nil {
		t.Fatalf("group = %+v", g)
	}
	page2, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/"), Limit: aws.Int32(1), NextToken: page1.NextToken})
	if err != nil || len(page2.LogGroups) != 1 || aws.ToString(page2.LogGroups[0].LogGroupName) != "/aws/lambda/b" || page2.NextToken != nil {
		t.Fatalf("page2 = %+v, %v", page2, err)
	}

	if _, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/other"), RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/other"), RetentionInDays: aws.Int32(2)})
	wantCode(t, err, "InvalidParameterException", "Member must satisfy enum value set: [1, 3, 5, 7, 14,")
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(7)})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	got, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})
	if err != nil || len(got.LogGroups) != 1 || aws.ToInt32(got.LogGroups[0].RetentionInDays) != 7 {
		t.Fatalf("retention = %+v, %v", got, err)
	}
	if _, err := c.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("/other")}); err != nil {
		t.Fatal(err)
	}

	// Streams: creation, duplicates, ordering by name and by last event.
	for _, s := range []string{"s-b", "s-a", "s-c"} {
		if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("s-a")})
	wantCode(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/nope"), LogStreamName: aws.String("s")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("a:b")})
	wantCode(t, err, "InvalidParameterException", "Member must satisfy regular expression pattern: [^:*]*")
	e.put(t, "/other", "s-c", ev(e.ms(-3*time.Minute), "old"))
	e.put(t, "/other", "s-a", ev(e.ms(-1*time.Minute), "new"))

	names := func(in *cwl.DescribeLogStreamsInput) []string {
		t.Helper()
		var out []string
		p := cwl.NewDescribeLogStreamsPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.LogStreams {
				out = append(out, aws.ToString(s.LogStreamName))
			}
		}
		return out
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/other"), Limit: aws.Int32(2)}); fmt.Sprint(got) != "[s-a s-b s-c]" {
		t.Fatalf("by name = %v", got)
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/other"), OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)}); fmt.Sprint(got) != "[s-a s-c s-b]" {
		t.Fatalf("by last event = %v", got)
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/other"), LogStreamNamePrefix: aws.String("s-b")}); fmt.Sprint(got) != "[s-b]" {
		t.Fatalf("by prefix via ARN = %v", got)
	}
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/other"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("s")})
	wantCode(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	ds, err := c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/other"), LogStreamNamePrefix: aws.String("s-a")})
	if err != nil || ds.LogStreams[0].LastEventTimestamp == nil || *ds.LogStreams[0].LastEventTimestamp != *ds.LogStreams[0].FirstEventTimestamp ||
		aws.ToString(ds.LogStreams[0].Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/other:log-stream:s-a" {
		t.Fatalf("stream = %+v, %v", ds, err)
	}

	// Tags by ARN.
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:/other"
	if _, err := c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 2 || tags.Tags["env"] != "dev" || tags.Tags["team"] != "x" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	if _, err := c.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if len(tags.Tags) != 1 {
		t.Fatalf("after untag = %v", tags.Tags)
	}
	_, err = c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn + "-missing")})
	wantCode(t, err, "ResourceNotFoundException", "does not exist")
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprint("k", i)] = "v"
	}
	_, err = c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	var tooMany *types.TooManyTagsException
	if !errors.As(err, &tooMany) {
		t.Fatalf("51 tags: %v", err)
	}

	// Deleting a group deletes its streams and events.
	if _, err := c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/other")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/other")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("second delete: %v", err)
	}
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("s-a")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestPutLogEventsRules(t *testing.T) {
	e := start(t, "")
	c, ctx := e.client, context.Background()
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	putErr := func(group, stream string, events ...types.InputLogEvent) error {
		_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events})
		return err
	}
	now := e.ms(0)
	wantCode(t, putErr("g", "s", ev(now, "b"), ev(now-1, "a")), "InvalidParameterException",
		"Log events in a single PutLogEvents request must be in chronological order.")
	wantCode(t, putErr("g", "s", ev(now-25*3600*1000, "a"), ev(now, "b")), "InvalidParameterException",
		"cannot span more than 24 hours")
	wantCode(t, putErr("g", "s", ev(now, "")), "InvalidParameterException", "logEvents.1.member.message")
	big := strings.Repeat("x", 600000)
	wantCode(t, putErr("g", "s", ev(now, big), ev(now, big)), "InvalidParameterException", "Upload too large: 1200052 bytes exceeds limit of 1048576")
	wantCode(t, putErr("nope", "s", ev(now, "x")), "ResourceNotFoundException", "The specified log group does not exist.")
	wantCode(t, putErr("g", "nope", ev(now, "x")), "ResourceNotFoundException", "The specified log stream does not exist.")

	// Too old (> 14 days), too new (> 2 hours ahead): rejected by index,
	// the rest accepted.
	out := e.put(t, "g", "s",
		ev(e.ms(-14*24*time.Hour-time.Hour), "too old"),
		ev(e.ms(-14*24*time.Hour+time.Minute), "ok 1"),
		ev(e.ms(-13*24*time.Hour-time.Hour), "ok 2"),
	)
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 0 || r.TooNewLogEventStartIndex != nil {
		t.Fatalf("rejected = %+v", out.RejectedLogEventsInfo)
	}
	out = e.put(t, "g", "s", ev(e.ms(time.Hour), "ok 3"), ev(e.ms(3*time.Hour), "too new"))
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooNewLogEventStartIndex) != 1 {
		t.Fatalf("rejected = %+v", out.RejectedLogEventsInfo)
	}
	got, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if msgs := messages(got.Events); fmt.Sprint(msgs) != "[ok 1 ok 2 ok 3]" {
		t.Fatalf("stored = %v", msgs)
	}

	// Retention: events older than the retention are "expired".
	if _, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	out = e.put(t, "g", "s", ev(e.ms(-23*time.Hour-time.Hour-time.Minute), "expired"), ev(e.ms(-23*time.Hour), "ok 4"))
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.ExpiredLogEventEndIndex) != 0 {
		t.Fatalf("rejected = %+v", out.RejectedLogEventsInfo)
	}
	// And reads stop returning events past the retention.
	got, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil || fmt.Sprint(messages(got.Events)) != "[ok 4 ok 3]" {
		t.Fatalf("after retention = %v, %v", messages(got.Events), err)
	}
}

func messages(evs []types.OutputLogEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, aws.ToString(e.Message))
	}
	return out
}

func TestGetLogEventsPaging(t *testing.T) {
	e := start(t, "")
	c, ctx := e.client, context.Background()
	if err := e.svc.EnsureStream(ctx, "g", "s"); err != nil {
		t.Fatal(err)
	}
	base := e.ms(-time.Hour)
	// 25 events spread over several minutes, put in three batches.
	for b := range 3 {
		var batch []types.InputLogEvent
		for i := range 9 {
			n := b*9 + i
			if n == 25 {
				break
			}
			batch = append(batch, ev(base+int64(n)*20_000, fmt.Sprint("m", n)))
		}
		e.put(t, "g", "s", batch...)
	}
	// Forward from the head, 10 at a time, until the token repeats.
	var all []string
	var token *string
	for range 10 {
		out, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
			StartFromHead: aws.Bool(true), Limit: aws.Int32(10), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, messages(out.Events)...)
		if token != nil && aws.ToString(out.NextForwardToken) == *token {
			if len(out.Events) != 0 {
				t.Fatalf("repeated token with %d events", len(out.Events))
			}
			break
		}
		token = out.NextForwardToken
	}
	if len(all) != 25 || all[0] != "m0" || all[24] != "m24" {
		t.Fatalf("forward read %d events: %v", len(all), all)
	}
	// Default: the tail; then backwards.
	tail, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if m := messages(tail.Events); len(m) != 10 || m[0] != "m15" || m[9] != "m24" {
		t.Fatalf("tail = %v", m)
	}
	back, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10), NextToken: tail.NextBackwardToken})
	if err != nil {
		t.Fatal(err)
	}
	if m := messages(back.Events); len(m) != 10 || m[0] != "m5" || m[9] != "m14" {
		t.Fatalf("backward = %v", m)
	}
	// Following the tail: nothing new, then a new event appears.
	follow, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: tail.NextForwardToken})
	if err != nil || len(follow.Events) != 0 || aws.ToString(follow.NextForwardToken) != aws.ToString(tail.NextForwardToken) {
		t.Fatalf("follow = %+v, %v", follow, err)
	}
	e.put(t, "g", "s", ev(e.ms(0), "fresh"))
	follow, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: follow.NextForwardToken})
	if err != nil || fmt.Sprint(messages(follow.Events)) != "[fresh]" {
		t.Fatalf("follow after put = %v, %v", messages(follow.Events), err)
	}
	// Time window.
	win, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		StartFromHead: aws.Bool(true), StartTime: aws.Int64(base + 20_000), EndTime: aws.Int64(base + 60_000)})
	if err != nil || fmt.Sprint(messages(win.Events)) != "[m1 m2]" {
		t.Fatalf("window = %v, %v", messages(win.Events), err)
	}
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("garbage")})
	wantCode(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestFilterLogEvents(t *testing.T) {
	e := start(t, "")
	c, ctx := e.client, context.Background()
	base := e.ms(-time.Hour)
	// Two streams whose events interleave in time.
	if err := e.svc.Append(ctx, "/aws/lambda/f", "a", []logs.Event{
		{Timestamp: base, Message: `{"level":"INFO","msg":"start","latency":5}`},
		{Timestamp: base + 2000, Message: `{"level":"ERROR","msg":"boom","latency":250}`},
		{Timestamp: base + 4000, Message: "ERROR plain text failure"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Append(ctx, "/aws/lambda/f", "b", []logs.Event{
		{Timestamp: base + 1000, Message: `{"level":"WARN","msg":"slow","latency":120}`},
		{Timestamp: base + 3000, Message: "Internal Server Error happened"},
		{Timestamp: base + 90_000, Message: `{"level":"ERROR","msg":"later","latency":7}`},
	}); err != nil {
		t.Fatal(err)
	}
	filter := func(pattern string, mod func(*cwl.FilterLogEventsInput)) []string {
		t.Helper()
		in := &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/f"), FilterPattern: aws.String(pattern)}
		if mod != nil {
			mod(in)
		}
		var out []string
		p := cwl.NewFilterLogEventsPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("filter %q: %v", pattern, err)
			}
			for _, ev := range page.Events {
				out = append(out, aws.ToString(ev.LogStreamName)+":"+firstWord(aws.ToString(ev.Message)))
			}
		}
		return out
	}
	cases := []struct {
		pattern string
		mod     func(*cwl.FilterLogEventsInput)
		want    string
	}{
		{"", nil, "[a:start b:slow a:boom b:Internal a:ERROR b:later]"},
		{"", func(in *cwl.FilterLogEventsInput) { in.Limit = aws.Int32(2) }, "[a:start b:slow a:boom b:Internal a:ERROR b:later]"},
		{"ERROR", nil, "[a:boom a:ERROR b:later]"},
		{`"Internal Server Error"`, nil, "[b:Internal]"},
		{"?WARN ?Internal", nil, "[b:slow b:Internal]"},
		{"ERROR -plain", nil, "[a:boom b:later]"},
		{`{ $.level = "ERROR" }`, nil, "[a:boom b:later]"},
		{`{ $.level != "ERROR" }`, nil, "[a:start b:slow]"},
		{`{ $.latency > 100 && $.level = "W*" }`, nil, "[b:slow]"},
		{`{ ($.latency >= 250) || $.msg = start }`, nil, "[a:start a:boom]"},
		{`{ $.missing NOT EXISTS && $.level = ERROR }`, nil, "[a:boom b:later]"},
		{"%fail[a-z]+%", nil, "[a:ERROR]"},
		{"", func(in *cwl.FilterLogEventsInput) { in.LogStreamNames = []string{"b"} }, "[b:slow b:Internal b:later]"},
		{"", func(in *cwl.FilterLogEventsInput) {
			in.StartTime = aws.Int64(base + 1000)
			in.EndTime = aws.Int64(base + 4000)
		}, "[b:slow a:boom b:Internal]"},
	}
	for _, tc := range cases {
		if got := fmt.Sprint(filter(tc.pattern, tc.mod)); got != tc.want {
			t.Errorf("filter %q = %s, want %s", tc.pattern, got, tc.want)
		}
	}
	_, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/f"), FilterPattern: aws.String(`{ $.level = }`)})
	wantCode(t, err, "InvalidParameterException", "Invalid filter pattern")
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/f"), LogGroupIdentifier: aws.String("/aws/lambda/f")})
	wantCode(t, err, "InvalidParameterException", "mutually exclusive")
}

func firstWord(m string) string {
	if strings.HasPrefix(m, "{") {
		i := strings.Index(m, `"msg":"`)
		rest := m[i+7:]
		return rest[:strings.Index(rest, `"`)]
	}
	return strings.Fields(m)[0]
}

func TestRetentionPurgeAndRestart(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir)
	ctx := context.Background()
	if err := e.svc.Append(ctx, "g", "s", []logs.Event{{Timestamp: e.ms(-36 * time.Hour), Message: "old"}, {Timestamp: e.ms(0), Message: "new"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	read := func(svc *logs.Service) string {
		t.Helper()
		out, err := svc.GetLogEvents(ctx, &logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartFromHead: true})
		if err != nil {
			t.Fatal(err)
		}
		var m []string
		for _, e := range out.Events {
			m = append(m, e.Message)
		}
		return fmt.Sprint(m)
	}
	if got := read(e.svc); got != "[old new]" {
		t.Fatalf("before = %s", got)
	}
	// Two days later "old" is past the 3-day retention: reads hide it at
	// once, and the purge timer, driven by the clock, deletes it from the
	// store.
	purged := e.svc.Changed()
	e.clock.Advance(2 * 24 * time.Hour)
	<-purged
	if got := read(e.svc); got != "[new]" {
		t.Fatalf("after retention = %s", got)
	}
	groups, err := e.svc.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{})
	if err != nil || groups.LogGroups[0].StoredBytes != int64(len("new")+logs.EventOverhead) {
		t.Fatalf("stored bytes = %+v, %v", groups, err)
	}
	// Everything survives a restart on the same store.
	e.svc.Close()
	again, err := logs.New(logs.Config{Store: e.store, Clock: e.clock, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := read(again); got != "[new]" {
		t.Fatalf("after restart = %s", got)
	}
	if groups, err := again.DescribeLogGroups(ctx, &logs.DescribeLogGroupsInput{}); err != nil || groups.LogGroups[0].StoredBytes != int64(len("new")+logs.EventOverhead) {
		t.Fatalf("stored bytes after restart = %+v, %v", groups, err)
	}
	// New events after a restart keep increasing sequence numbers.
	if err := again.Append(ctx, "g", "s", []logs.Event{{Timestamp: e.ms(0), Message: "newer"}}); err != nil {
		t.Fatal(err)
	}
	if got := read(again); got != "[new newer]" {
		t.Fatalf("after append = %s", got)
	}
}

func TestChangedWakesFollowers(t *testing.T) {
	e := start(t, "")
	ch := e.svc.Changed()
	select {
	case <-ch:
		t.Fatal("changed before any append")
	default:
	}
	if err := e.svc.Append(context.Background(), "g", "s", []logs.Event{{Timestamp: e.ms(0), Message: "x"}}); err != nil {
		t.Fatal(err)
	}
	<-ch // closed by the append; a broken notification hangs the test
}
