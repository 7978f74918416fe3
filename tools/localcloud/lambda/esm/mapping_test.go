package esm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

func TestCreateValidation(t *testing.T) {
	e := newEnv(t)
	_, queueARN := e.queue(t, "orders", nil)
	streamARN := e.table(t, "orders")
	m := e.manager(t)
	onFailure := &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: "arn:aws:s3:::bucket"}}
	cases := []struct {
		name     string
		in       esm.CreateInput
		code     string
		contains string
	}{
		{"sqs batch over ten without window", esm.CreateInput{EventSourceArn: queueARN, BatchSize: new(11)},
			"InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0"},
		{"batch size zero", esm.CreateInput{EventSourceArn: queueARN, BatchSize: new(0)}, "ValidationException", "batchSize"},
		{"batch size too large", esm.CreateInput{EventSourceArn: queueARN, BatchSize: new(10001), MaximumBatchingWindowInSeconds: new(1)},
			"ValidationException", "less than or equal to 10000"},
		{"window too long", esm.CreateInput{EventSourceArn: queueARN, MaximumBatchingWindowInSeconds: new(301)}, "ValidationException", "maximumBatchingWindowInSeconds"},
		{"maximum concurrency one", esm.CreateInput{EventSourceArn: queueARN, ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: new(1)}},
			"ValidationException", "greater than or equal to 2"},
		{"retries on sqs", esm.CreateInput{EventSourceArn: queueARN, MaximumRetryAttempts: new(3)},
			"InvalidParameterValueException", "Unsupported MaximumRetryAttempts parameter"},
		{"starting position on sqs", esm.CreateInput{EventSourceArn: queueARN, StartingPosition: esm.Latest},
			"InvalidParameterValueException", "Unsupported StartingPosition parameter"},
		{"bad response type", esm.CreateInput{EventSourceArn: queueARN, FunctionResponseTypes: []string{"Everything"}},
			"ValidationException", "ReportBatchItemFailures"},
		{"bad filter", esm.CreateInput{EventSourceArn: queueARN, FilterCriteria: &esm.FilterCriteria{Filters: []esm.Filter{{Pattern: `{"body":"x"}`}}}},
			"InvalidParameterValueException", "Invalid filter pattern definition"},
		{"missing queue", esm.CreateInput{EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:nope"},
			"InvalidParameterValueException", "does not exist"},
		{"unknown source", esm.CreateInput{EventSourceArn: "arn:aws:kafka:us-east-1:000000000000:cluster/x"},
			"InvalidParameterValueException", "Unrecognized event source"},
		{"stream without starting position", esm.CreateInput{EventSourceArn: streamARN}, "InvalidParameterValueException", "startingPosition"},
		{"stream at timestamp", esm.CreateInput{EventSourceArn: streamARN, StartingPosition: esm.AtTimestamp}, "InvalidParameterValueException", "AT_TIMESTAMP"},
		{"record age under a minute", esm.CreateInput{EventSourceArn: streamARN, StartingPosition: esm.Latest, MaximumRecordAgeInSeconds: new(30)},
			"InvalidParameterValueException", "MaximumRecordAgeInSeconds"},
		{"retries below -1", esm.CreateInput{EventSourceArn: streamARN, StartingPosition: esm.Latest, MaximumRetryAttempts: new(-2)},
			"ValidationException", "maximumRetryAttempts"},
		{"parallelization eleven", esm.CreateInput{EventSourceArn: streamARN, StartingPosition: esm.Latest, ParallelizationFactor: new(11)},
			"ValidationException", "parallelizationFactor"},
		{"destination not sqs or sns", esm.CreateInput{EventSourceArn: streamARN, StartingPosition: esm.Latest, DestinationConfig: onFailure},
			"InvalidParameterValueException", "destination"},
		{"scaling on a stream", esm.CreateInput{EventSourceArn: streamARN, StartingPosition: esm.Latest, ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: new(5)}},
			"InvalidParameterValueException", "ScalingConfig"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.FunctionName = "ingest"
			_, err := m.Create(context.Background(), c.in)
			var pe *protocol.Error
			if !errors.As(err, &pe) || pe.Code != c.code || !strings.Contains(pe.Message, c.contains) {
				t.Fatalf("err = %v, want %s containing %q", err, c.code, c.contains)
			}
		})
	}
	if out, _ := m.List(esm.ListInput{}); len(out.EventSourceMappings) != 0 {
		t.Fatalf("failed creates left mappings: %+v", out)
	}
}

func TestCRUD(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	_, queueARN := e.queue(t, "orders", nil)
	_, otherARN := e.queue(t, "other", nil)
	streamARN := e.table(t, "orders")
	m := e.manager(t)
	sq, err := m.Create(ctx, esm.CreateInput{EventSourceArn: queueARN, FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:ingest:live", Enabled: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if sq.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:ingest:live" || sq.BatchSize != 10 ||
		sq.MaximumRetryAttempts != nil || sq.StateTransitionReason != "USER_INITIATED" || sq.LastProcessingResult != "No records processed" {
		t.Fatalf("sqs mapping %+v", sq)
	}
	if _, err := m.Create(ctx, esm.CreateInput{EventSourceArn: queueARN, FunctionName: "ingest:live"}); err == nil ||
		!strings.Contains(err.Error(), "ResourceConflictException") {
		t.Fatalf("duplicate create: %v", err)
	}
	st, err := m.Create(ctx, esm.CreateInput{EventSourceArn: streamARN, FunctionName: "000000000000:function:notifier", StartingPosition: esm.Latest})
	if err != nil {
		t.Fatal(err)
	}
	if st.BatchSize != 100 || *st.MaximumRetryAttempts != -1 || *st.MaximumRecordAgeInSeconds != -1 || *st.BisectBatchOnFunctionError ||
		st.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:notifier" {
		t.Fatalf("stream mapping %+v", st)
	}
	if got, _ := m.Get(sq.UUID); got.State != esm.StateDisabled {
		t.Fatalf("disabled mapping is %s", got.State)
	}
	if got, _ := m.Get(st.UUID); got.State != esm.StateEnabled {
		t.Fatalf("enabled mapping is %s", got.State)
	}

	out, err := m.List(esm.ListInput{FunctionName: "notifier"})
	if err != nil || len(out.EventSourceMappings) != 1 || out.EventSourceMappings[0].UUID != st.UUID {
		t.Fatalf("list by function: %+v, %v", out, err)
	}
	out, _ = m.List(esm.ListInput{MaxItems: 1})
	if len(out.EventSourceMappings) != 1 || out.NextMarker == "" {
		t.Fatalf("first page %+v", out)
	}
	next, _ := m.List(esm.ListInput{MaxItems: 1, Marker: out.NextMarker})
	if len(next.EventSourceMappings) != 1 || next.NextMarker != "" || next.EventSourceMappings[0].UUID == out.EventSourceMappings[0].UUID {
		t.Fatalf("second page %+v", next)
	}

	up, err := m.Update(ctx, esm.UpdateInput{UUID: sq.UUID, Enabled: new(true), BatchSize: new(50), MaximumBatchingWindowInSeconds: new(2),
		ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: new(3)}})
	if err != nil {
		t.Fatal(err)
	}
	if up.State != esm.StateUpdating || up.BatchSize != 50 || *up.ScalingConfig.MaximumConcurrency != 3 {
		t.Fatalf("update answered %+v", up)
	}
	waitState(t, testContext(t), m, sq.UUID, esm.StateEnabled)
	if _, err := m.Update(ctx, esm.UpdateInput{UUID: sq.UUID, BatchSize: new(20), MaximumBatchingWindowInSeconds: new(0)}); err == nil {
		t.Fatal("update to an invalid combination succeeded")
	}
	if _, err := m.Update(ctx, esm.UpdateInput{UUID: sq.UUID, MaximumRetryAttempts: new(1)}); err == nil {
		t.Fatal("stream-only member accepted on an SQS mapping")
	}
	if _, err := m.Update(ctx, esm.UpdateInput{UUID: "nope"}); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("update of a missing mapping: %v", err)
	}

	del, err := m.Delete(ctx, sq.UUID)
	if err != nil || del.State != esm.StateDeleting {
		t.Fatalf("delete: %+v, %v", del, err)
	}
	if _, err := m.Get(sq.UUID); err == nil {
		t.Fatal("deleted mapping still there")
	}
	// The deleted source can be mapped again; the store keeps the rest.
	if _, err := m.Create(ctx, esm.CreateInput{EventSourceArn: otherARN, FunctionName: "ingest"}); err != nil {
		t.Fatal(err)
	}
	m.Close()
	m2 := e.manager(t)
	out, _ = m2.List(esm.ListInput{})
	if len(out.EventSourceMappings) != 2 {
		t.Fatalf("after reopen: %+v", out)
	}
	if got, err := m2.Get(st.UUID); err != nil || got.StartingPosition != esm.Latest || got.BatchSize != 100 {
		t.Fatalf("stream mapping after reopen: %+v, %v", got, err)
	}
}
