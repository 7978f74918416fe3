package cloudwatch_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/cloudwatch"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

func newService(t *testing.T) *cloudwatch.Service {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc, err := cloudwatch.New(cloudwatch.Config{Store: st, Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func ptr[T any](v T) *T { return &v }

func alarm(name string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{AlarmName: name, Namespace: "AWS/Lambda", MetricName: "Errors", Statistic: "Sum",
		Period: ptr(300), EvaluationPeriods: ptr(1), Threshold: ptr(0.0), ComparisonOperator: "GreaterThanThreshold",
		Dimensions: []cloudwatch.Dimension{{Name: "FunctionName", Value: "ingest"}}, Tags: []cloudwatch.Tag{{Key: "k", Value: "v"}}}
}

func TestAlarmLifecycle(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	for _, n := range []string{"b-errors", "a-errors", "c-other"} {
		if _, err := svc.PutMetricAlarm(ctx, alarm(n)); err != nil {
			t.Fatal(err)
		}
	}
	out, err := svc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: 1})
	if err != nil || len(out.MetricAlarms) != 1 || out.MetricAlarms[0].AlarmName != "a-errors" || out.NextToken == "" {
		t.Fatalf("page 1 = %+v, %v", out, err)
	}
	out, err = svc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: 1, NextToken: out.NextToken})
	if err != nil || len(out.MetricAlarms) != 1 || out.MetricAlarms[0].AlarmName != "b-errors" {
		t.Fatalf("page 2 = %+v, %v", out, err)
	}
	out, _ = svc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: "c-"})
	if len(out.MetricAlarms) != 1 || out.MetricAlarms[0].StateValue != "INSUFFICIENT_DATA" || !out.MetricAlarms[0].ActionsEnabled {
		t.Fatalf("prefix = %+v", out)
	}
	tags, err := svc.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: svc.ARN("a-errors")})
	if err != nil || len(tags.Tags) != 1 || tags.Tags[0].Key != "k" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	if _, err := svc.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: svc.ARN("a-errors"), TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	if tags, _ := svc.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: svc.ARN("a-errors")}); len(tags.Tags) != 0 {
		t.Fatalf("tags after untag = %+v", tags)
	}
	// One missing name deletes nothing.
	_, err = svc.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a-errors", "nope"}})
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.WireCode() != "ResourceNotFound" {
		t.Fatalf("delete with a missing name: %v", err)
	}
	if _, err := svc.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a-errors", "b-errors"}}); err != nil {
		t.Fatal(err)
	}
	if out, _ := svc.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); len(out.MetricAlarms) != 1 {
		t.Fatalf("left = %+v", out)
	}
}

func TestPutMetricAlarmValidation(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	cases := map[string]func(*cloudwatch.PutMetricAlarmInput){
		"no name":        func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = "" },
		"bad period":     func(in *cloudwatch.PutMetricAlarmInput) { in.Period = ptr(90) },
		"bad comparison": func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "Bigger" },
		"no threshold":   func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = nil },
		"bad statistic":  func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "Median" },
		"bad action":     func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmActions = []string{"mailto:x"} },
		"datapoints":     func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = ptr(2) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			in := alarm("x")
			mutate(in)
			if _, err := svc.PutMetricAlarm(ctx, in); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// The AWS CLI's awsQuery request, signed as it signs it.
func TestQueryProtocol(t *testing.T) {
	env := localcloudtest.Start(t, localcloudtest.Options{NoFsync: true})
	cfg := env.Config()
	send := func(body string, headers map[string]string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		sum := sha256.Sum256([]byte(body))
		creds, err := cfg.Credentials.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "monitoring", cfg.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(form url.Values) (int, string) {
		t.Helper()
		return send(form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
	}
	status, body := post(url.Values{"Action": {"PutMetricAlarm"}, "Version": {"2010-08-01"}, "AlarmName": {"dlq"},
		"Namespace": {"AWS/SQS"}, "MetricName": {"ApproximateNumberOfMessagesVisible"}, "Statistic": {"Maximum"}, "Period": {"60"},
		"EvaluationPeriods": {"1"}, "Threshold": {"0.5"}, "ComparisonOperator": {"GreaterThanThreshold"},
		"Dimensions.member.1.Name": {"QueueName"}, "Dimensions.member.1.Value": {"orders-dlq"}})
	if status != http.StatusOK || !strings.Contains(body, "<PutMetricAlarmResponse") {
		t.Fatalf("PutMetricAlarm: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"DescribeAlarms"}, "Version": {"2010-08-01"}, "AlarmNames.member.1": {"dlq"}})
	for _, want := range []string{"<AlarmName>dlq</AlarmName>", "<StateValue>INSUFFICIENT_DATA</StateValue>", "<Threshold>0.5</Threshold>",
		"<Name>QueueName</Name><Value>orders-dlq</Value>", "<AlarmArn>arn:aws:cloudwatch:us-east-1:000000000000:alarm:dlq</AlarmArn>"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("DescribeAlarms: %d %s\nwant %s", status, body, want)
		}
	}
	status, body = post(url.Values{"Action": {"DeleteAlarms"}, "Version": {"2010-08-01"}, "AlarmNames.member.1": {"missing"}})
	if status != http.StatusNotFound || !strings.Contains(body, "<Code>ResourceNotFound</Code>") {
		t.Fatalf("DeleteAlarms of a missing alarm: %d %s", status, body)
	}
	// awsJson 1.0 with query-compatible error codes.
	json := func(op, body string) (int, string) {
		t.Helper()
		return send(body, map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "GraniteServiceVersion20100801." + op})
	}
	status, body = json("DescribeAlarms", `{"AlarmNames":["dlq"]}`)
	if status != http.StatusOK || !strings.Contains(body, `"AlarmName":"dlq"`) || !strings.Contains(body, `"StateValue":"INSUFFICIENT_DATA"`) {
		t.Fatalf("JSON DescribeAlarms: %d %s", status, body)
	}
	status, body = json("DeleteAlarms", `{"AlarmNames":["missing"]}`)
	if status != http.StatusNotFound || !strings.Contains(body, "ResourceNotFoundException") {
		t.Fatalf("JSON DeleteAlarms of a missing alarm: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"GetMetricData"}, "Version": {"2010-08-01"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "InvalidAction") {
		t.Fatalf("unknown operation: %d %s", status, body)
	}
}
