package dynamodbstreams

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// Limits as AWS sets them.
const (
	// IteratorLifetime is how long a shard iterator stays valid.
	IteratorLifetime = 15 * time.Minute
	maxRecords       = 1000
	maxRecordBytes   = 1 << 20
	maxStreams       = 100
)

// Source is the stream storage this service reads: package dynamodb's
// Service satisfies it.
type Source interface {
	TableExists(name string) bool
	Streams() ([]dynamodb.StreamInfo, error)
	Stream(arn string) (dynamodb.StreamInfo, error)
	TrimHorizon(arn string) (uint64, error)
	ReadStream(arn string, after uint64, limit, maxBytes int) ([]dynamodb.StreamRecord, error)
}

// Config wires the service.
type Config struct {
	Source Source
	Clock  clock.Clock
}

// Service is the DynamoDB Streams service.
type Service struct {
	cfg Config
}

// New returns the service.
func New(cfg Config) *Service { return &Service{cfg: cfg} }

// Descriptor describes DynamoDB Streams' wire identity: its own target
// prefix, DynamoDB's signing name and error namespace.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:             "dynamodb",
		JSONTargetPrefix: "DynamoDBStreams_20120810",
		JSONVersion:      "1.0",
		JSONNamespace:    dynamodb.Namespace,
		Operations: map[string]server.Operation{
			"ListStreams":      server.Op(s.ListStreams),
			"DescribeStream":   server.Op(s.DescribeStream),
			"GetShardIterator": server.Op(s.GetShardIterator),
			"GetRecords":       server.Op(s.GetRecords),
		},
	}
}

// ListStreamsInput is ListStreams' request.
type ListStreamsInput struct {
	TableName               string `json:"TableName"`
	Limit                   *int   `json:"Limit"`
	ExclusiveStartStreamArn string `json:"ExclusiveStartStreamArn"`
}

// Stream names a stream.
type Stream struct {
	StreamArn   string `json:"StreamArn"`
	TableName   string `json:"TableName"`
	StreamLabel string `json:"StreamLabel"`
}

// ListStreamsOutput is ListStreams' response.
type ListStreamsOutput struct {
	Streams                []Stream `json:"Streams"`
	LastEvaluatedStreamArn string   `json:"LastEvaluatedStreamArn,omitempty"`
}

func errValidation(format string, args ...any) error {
	return protocol.Errorf("ValidationException", format, args...)
}

func errNotFound(format string, args ...any) error {
	return protocol.Errorf("ResourceNotFoundException", format, args...)
}

func errTrimmed() error {
	return protocol.Errorf("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.")
}

func checkLimit(limit *int, most int) (int, error) {
	if limit == nil {
		return most, nil
	}
	if *limit < 1 {
		return 0, errValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
	}
	if *limit > most {
		return 0, errValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *limit, most)
	}
	return *limit, nil
}

// ListStreams lists streams, optionally of one table, ordered by ARN.
func (s *Service) ListStreams(ctx context.Context, in *ListStreamsInput) (*ListStreamsOutput, error) {
	limit, err := checkLimit(in.Limit, maxStreams)
	if err != nil {
		return nil, err
	}
	if in.TableName != "" && !s.cfg.Source.TableExists(in.TableName) {
		return nil, errNotFound("Requested resource not found: Table: %s not found", in.TableName)
	}
	all, err := s.cfg.Source.Streams()
	if err != nil {
		return nil, err
	}
	out := &ListStreamsOutput{Streams: []Stream{}}
	for _, st := range all {
		if in.TableName != "" && st.TableName != in.TableName || st.Arn <= in.ExclusiveStartStreamArn {
			continue
		}
		if len(out.Streams) == limit {
			out.LastEvaluatedStreamArn = out.Streams[limit-1].StreamArn
			break
		}
		out.Streams = append(out.Streams, Stream{StreamArn: st.Arn, TableName: st.TableName, StreamLabel: st.Label})
	}
	return out, nil
}

// DescribeStreamInput is DescribeStream's request.
type DescribeStreamInput struct {
	StreamArn             string `json:"StreamArn"`
	Limit                 *int   `json:"Limit"`
	ExclusiveStartShardID string `json:"ExclusiveStartShardId"`
}

// SequenceNumberRange is a shard's range of sequence numbers.
type SequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber,omitempty"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

// Shard describes a shard.
type Shard struct {
	ShardID             string              `json:"ShardId"`
	SequenceNumberRange SequenceNumberRange `json:"SequenceNumberRange"`
	ParentShardID       string              `json:"ParentShardId,omitempty"`
}

// StreamDescription describes a stream.
type StreamDescription struct {
	StreamArn               string                      `json:"StreamArn"`
	StreamLabel             string                      `json:"StreamLabel"`
	StreamStatus            string                      `json:"StreamStatus"`
	StreamViewType          string                      `json:"StreamViewType"`
	CreationRequestDateTime float64                     `json:"CreationRequestDateTime"`
	TableName               string                      `json:"TableName"`
	KeySchema               []dynamodb.KeySchemaElement `json:"KeySchema"`
	Shards                  []Shard                     `json:"Shards"`
	LastEvaluatedShardID    string                      `json:"LastEvaluatedShardId,omitempty"`
}

// DescribeStreamOutput is DescribeStream's response.
type DescribeStreamOutput struct {
	StreamDescription StreamDescription `json:"StreamDescription"`
}

func (s *Service) stream(arn string) (dynamodb.StreamInfo, error) {
	if arn == "" {
		return dynamodb.StreamInfo{}, errValidation("1 validation error detected: Value null at 'streamArn' failed to satisfy constraint: Member must not be null")
	}
	info, err := s.cfg.Source.Stream(arn)
	if errors.Is(err, dynamodb.ErrStreamNotFound) {
		return info, errNotFound("Requested resource not found: Stream: %s not found", arn)
	}
	return info, err
}

// DescribeStream describes a stream and its one shard.
func (s *Service) DescribeStream(ctx context.Context, in *DescribeStreamInput) (*DescribeStreamOutput, error) {
	if _, err := checkLimit(in.Limit, maxStreams); err != nil {
		return nil, err
	}
	info, err := s.stream(in.StreamArn)
	if err != nil {
		return nil, err
	}
	d := StreamDescription{
		StreamArn: info.Arn, StreamLabel: info.Label, StreamStatus: "ENABLED", StreamViewType: info.ViewType,
		CreationRequestDateTime: float64(info.Created.UnixMilli()) / 1000, TableName: info.TableName,
		KeySchema: info.KeySchema, Shards: []Shard{},
	}
	shard := Shard{ShardID: info.ShardID, SequenceNumberRange: SequenceNumberRange{StartingSequenceNumber: dynamodb.FormatSequenceNumber(1)}}
	if !info.Enabled() {
		d.StreamStatus = "DISABLED"
		if info.Last > 0 {
			shard.SequenceNumberRange.EndingSequenceNumber = dynamodb.FormatSequenceNumber(info.Last)
		}
	}
	if in.ExclusiveStartShardID == "" || in.ExclusiveStartShardID < shard.ShardID {
		d.Shards = append(d.Shards, shard)
	}
	return &DescribeStreamOutput{StreamDescription: d}, nil
}

// GetShardIteratorInput is GetShardIterator's request.
type GetShardIteratorInput struct {
	StreamArn         string `json:"StreamArn"`
	ShardID           string `json:"ShardId"`
	ShardIteratorType string `json:"ShardIteratorType"`
	SequenceNumber    string `json:"SequenceNumber"`
}

// GetShardIteratorOutput is GetShardIterator's response.
type GetShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

// iterator is a shard iterator's content: read records after Pos.
type iterator struct {
	Arn    string `json:"a"`
	Shard  string `json:"s"`
	Pos    uint64 `json:"p"`
	Issued int64  `json:"t"` // unix ms
}

func (it iterator) token() string {
	b, _ := json.Marshal(it)
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseIterator(tok string) (iterator, bool) {
	var it iterator
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(b, &it) != nil || it.Arn == "" {
		return iterator{}, false
	}
	return it, true
}

// GetShardIterator returns an iterator at a position of the shard.
func (s *Service) GetShardIterator(ctx context.Context, in *GetShardIteratorInput) (*GetShardIteratorOutput, error) {
	if in.ShardID == "" {
		return nil, errValidation("1 validation error detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null")
	}
	info, err := s.stream(in.StreamArn)
	if err != nil {
		return nil, err
	}
	if in.ShardID != info.ShardID {
		return nil, errNotFound("Requested resource not found: Shard does not exist")
	}
	var pos uint64
	seq := func() (uint64, error) {
		if in.SequenceNumber == "" {
			return 0, errValidation("Must specify a SequenceNumber when ShardIteratorType is %s", in.ShardIteratorType)
		}
		n, ok := dynamodb.ParseSequenceNumber(in.SequenceNumber)
		if !ok || n == 0 || n > info.Last {
			return 0, errValidation("Invalid SequenceNumber for ShardIteratorType %s: %s", in.ShardIteratorType, in.SequenceNumber)
		}
		return n, nil
	}
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
		if pos, err = s.cfg.Source.TrimHorizon(info.Arn); err != nil {
			return nil, err
		}
	case "LATEST":
		pos = info.Last
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		n, err := seq()
		if err != nil {
			return nil, err
		}
		pos = n - 1
		if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			pos = n
		}
		horizon, err := s.cfg.Source.TrimHorizon(info.Arn)
		if err != nil {
			return nil, err
		}
		if n <= horizon {
			return nil, errTrimmed()
		}
	case "":
		return nil, errValidation("1 validation error detected: Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null")
	default:
		return nil, errValidation("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]", in.ShardIteratorType)
	}
	it := iterator{Arn: info.Arn, Shard: info.ShardID, Pos: pos, Issued: s.cfg.Clock.Now().UnixMilli()}
	return &GetShardIteratorOutput{ShardIterator: it.token()}, nil
}

// GetRecordsInput is GetRecords' request.
type GetRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int   `json:"Limit"`
}

// GetRecordsOutput is GetRecords' response.
type GetRecordsOutput struct {
	Records           []dynamodb.StreamRecord `json:"Records"`
	NextShardIterator string                  `json:"NextShardIterator,omitempty"`
}

// awsTime is how Kinesis-style messages print times.
const awsTime = "Mon Jan 02 15:04:05 MST 2006"

// GetRecords returns the records after an iterator's position and the
// iterator for the next call; a closed shard read to its end has none.
func (s *Service) GetRecords(ctx context.Context, in *GetRecordsInput) (*GetRecordsOutput, error) {
	if in.ShardIterator == "" {
		return nil, errValidation("1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null")
	}
	limit, err := checkLimit(in.Limit, maxRecords)
	if err != nil {
		return nil, err
	}
	it, ok := parseIterator(in.ShardIterator)
	if !ok {
		return nil, errValidation("Invalid ShardIterator")
	}
	now := s.cfg.Clock.Now()
	issued := time.UnixMilli(it.Issued)
	if now.Sub(issued) > IteratorLifetime {
		return nil, protocol.Errorf("ExpiredIteratorException",
			"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			issued.UTC().Format(awsTime), now.UTC().Format(awsTime), IteratorLifetime.Milliseconds())
	}
	info, err := s.stream(it.Arn)
	if err != nil {
		return nil, err
	}
	recs, err := s.cfg.Source.ReadStream(it.Arn, it.Pos, limit, maxRecordBytes)
	if errors.Is(err, dynamodb.ErrTrimmed) {
		return nil, errTrimmed()
	}
	if err != nil {
		return nil, fmt.Errorf("get records: %w", err)
	}
	pos := it.Pos
	if len(recs) > 0 {
		pos, _ = dynamodb.ParseSequenceNumber(recs[len(recs)-1].Dynamodb.SequenceNumber)
	}
	out := &GetRecordsOutput{Records: recs}
	if out.Records == nil {
		out.Records = []dynamodb.StreamRecord{}
	}
	if info.Enabled() || pos < info.Last {
		out.NextShardIterator = iterator{Arn: it.Arn, Shard: it.Shard, Pos: pos, Issued: now.UnixMilli()}.token()
	}
	return out, nil
}
