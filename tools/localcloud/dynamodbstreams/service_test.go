package dynamodbstreams

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

// fakeSource is a stream of n records, trimmed before trimmedBefore.
type fakeSource struct {
	info          dynamodb.StreamInfo
	trimmedBefore uint64
}

func (f *fakeSource) TableExists(name string) bool { return name == f.info.TableName }

func (f *fakeSource) Streams() ([]dynamodb.StreamInfo, error) {
	return []dynamodb.StreamInfo{f.info}, nil
}

func (f *fakeSource) Stream(arn string) (dynamodb.StreamInfo, error) {
	if arn != f.info.Arn {
		return dynamodb.StreamInfo{}, dynamodb.ErrStreamNotFound
	}
	return f.info, nil
}

func (f *fakeSource) TrimHorizon(string) (uint64, error) { return f.trimmedBefore - 1, nil }

func (f *fakeSource) ReadStream(_ string, after uint64, limit, _ int) ([]dynamodb.StreamRecord, error) {
	if after+1 < f.trimmedBefore {
		return nil, dynamodb.ErrTrimmed
	}
	var out []dynamodb.StreamRecord
	for seq := after + 1; seq <= f.info.Last && len(out) < limit; seq++ {
		out = append(out, dynamodb.StreamRecord{EventName: "INSERT", Dynamodb: dynamodb.StreamData{SequenceNumber: dynamodb.FormatSequenceNumber(seq)}})
	}
	return out, nil
}

func code(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	if err == nil {
		return ""
	}
	return "unexpected: " + err.Error()
}

func TestIterators(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	src := &fakeSource{info: dynamodb.StreamInfo{Arn: "arn:s", TableName: "orders", ShardID: "shardId-1", Last: 10}, trimmedBefore: 3}
	s := New(Config{Source: src, Clock: clk})
	ctx := context.Background()
	iter := func(typ, seq string) (string, error) {
		out, err := s.GetShardIterator(ctx, &GetShardIteratorInput{StreamArn: "arn:s", ShardID: "shardId-1", ShardIteratorType: typ, SequenceNumber: seq})
		if err != nil {
			return "", err
		}
		return out.ShardIterator, nil
	}
	cases := []struct {
		typ, seq  string
		first     string
		errCode   string
		nextCount int
	}{
		{"TRIM_HORIZON", "", dynamodb.FormatSequenceNumber(3), "", 8},
		{"LATEST", "", "", "", 0},
		{"AT_SEQUENCE_NUMBER", dynamodb.FormatSequenceNumber(5), dynamodb.FormatSequenceNumber(5), "", 6},
		{"AFTER_SEQUENCE_NUMBER", dynamodb.FormatSequenceNumber(5), dynamodb.FormatSequenceNumber(6), "", 5},
		{"AT_SEQUENCE_NUMBER", dynamodb.FormatSequenceNumber(2), "", "TrimmedDataAccessException", 0},
		{"AT_SEQUENCE_NUMBER", dynamodb.FormatSequenceNumber(11), "", "ValidationException", 0},
		{"AT_SEQUENCE_NUMBER", "12", "", "ValidationException", 0},
		{"AT_SEQUENCE_NUMBER", "", "", "ValidationException", 0},
		{"SIDEWAYS", "", "", "ValidationException", 0},
	}
	for _, c := range cases {
		it, err := iter(c.typ, c.seq)
		if code(err) != c.errCode {
			t.Errorf("%s %s: error %v, want %s", c.typ, c.seq, err, c.errCode)
			continue
		}
		if err != nil {
			continue
		}
		out, err := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: it})
		if err != nil {
			t.Fatalf("%s: %v", c.typ, err)
		}
		if len(out.Records) != c.nextCount || (c.first != "" && out.Records[0].Dynamodb.SequenceNumber != c.first) || out.NextShardIterator == "" {
			t.Errorf("%s %s: %d records, next %q", c.typ, c.seq, len(out.Records), out.NextShardIterator)
		}
	}

	it, _ := iter("TRIM_HORIZON", "")
	clk.Advance(IteratorLifetime + time.Millisecond)
	_, err := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: it})
	if code(err) != "ExpiredIteratorException" {
		t.Fatalf("expired iterator: %v", err)
	}
	for _, bad := range []string{"", "!!", "e30"} {
		if _, err := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: bad}); code(err) != "ValidationException" {
			t.Errorf("iterator %q: %v", bad, err)
		}
	}
	zero, big := 0, 1001
	it, _ = iter("LATEST", "")
	for _, l := range []*int{&zero, &big} {
		if _, err := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: it, Limit: l}); code(err) != "ValidationException" {
			t.Errorf("limit %d: %v", *l, err)
		}
	}
	// A closed shard read to its end has no next iterator.
	src.info.Disabled = clk.Now()
	it, _ = iter("AFTER_SEQUENCE_NUMBER", dynamodb.FormatSequenceNumber(9))
	out, err := s.GetRecords(ctx, &GetRecordsInput{ShardIterator: it})
	if err != nil || len(out.Records) != 1 || out.NextShardIterator != "" {
		t.Fatalf("closed shard = %+v, %v", out, err)
	}
	if _, err := s.DescribeStream(ctx, &DescribeStreamInput{StreamArn: "arn:other"}); code(err) != "ResourceNotFoundException" {
		t.Fatalf("unknown stream: %v", err)
	}
	if _, err := s.ListStreams(ctx, &ListStreamsInput{TableName: "nope"}); code(err) != "ResourceNotFoundException" {
		t.Fatalf("unknown table: %v", err)
	}
}
