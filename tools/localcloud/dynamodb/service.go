package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Store buckets. Item, index and stream keys start with the owning table's
// or stream's ID and a 0x00, so one table's data is one contiguous range.
const (
	bucketTables  = "dynamodb/tables"  // table name -> tableRecord
	bucketLive    = "dynamodb/live"    // table ID -> table name, while the table exists
	bucketItems   = "dynamodb/items"   // tableID 0 pk [sk] -> item JSON
	bucketIndex   = "dynamodb/index"   // tableID 0 index 0 ipk [isk] pk [sk] -> item key
	bucketStreams = "dynamodb/streams" // stream ARN -> streamRecord
	// bucketRecords holds stream ARN 0 seq -> write time (8 bytes, unix
	// ms) and StreamRecord JSON, and stream ARN 1 -> the last sequence
	// number (8 bytes), next to the newest records so that a write dirties
	// one page for both.
	bucketRecords = "dynamodb/records"
	// bucketTokens holds TransactWriteItems ClientRequestToken -> time
	// (8 bytes, unix ms) and the request's digest.
	bucketTokens = "dynamodb/tokens"
)

// Config wires the DynamoDB service.
type Config struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Source
	Account string
	Region  string
	Logger  *slog.Logger
}

// Service is the DynamoDB service and the storage of its streams.
type Service struct {
	cfg Config

	mu     sync.RWMutex
	tables map[string]*table

	streamsMu sync.Mutex
	streams   map[string]*streamState
}

// New loads every table and stream from the store.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, tables: map[string]*table{}, streams: map[string]*streamState{}}
	err := cfg.Store.View(func(tx store.Tx) error {
		if err := tx.ForEach(bucketTables, nil, func(k, v []byte) error {
			var rec tableRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("table %s: %w", k, err)
			}
			t, err := newTable(rec, s.tableArn(rec.Name))
			if err != nil {
				return fmt.Errorf("table %s: %w", k, err)
			}
			s.tables[rec.Name] = t
			return nil
		}); err != nil {
			return err
		}
		for _, t := range s.tables {
			if err := tx.ForEach(bucketItems, t.view.prefix, func(_, v []byte) error {
				t.count.Add(1)
				t.bytes.Add(int64(storedSize(v)))
				return nil
			}); err != nil {
				return err
			}
		}
		return tx.ForEach(bucketStreams, nil, func(k, v []byte) error {
			var rec streamRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("stream %s: %w", k, err)
			}
			s.streams[rec.Arn] = &streamState{rec: rec, wake: make(chan struct{})}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load dynamodb state: %w", err)
	}
	return s, nil
}

// Descriptor describes DynamoDB's wire identity and operations.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:             "dynamodb",
		JSONTargetPrefix: "DynamoDB_20120810",
		JSONVersion:      "1.0",
		JSONNamespace:    Namespace,
		ResponseCRC32:    true,
		// A BatchWriteItem may carry 16 MB.
		MaxBodyBytes: 16 << 20,
		Operations: map[string]server.Operation{
			"CreateTable":               server.Op(s.CreateTable),
			"DescribeTable":             server.Op(s.DescribeTable),
			"ListTables":                server.Op(s.ListTables),
			"DeleteTable":               server.Op(s.DeleteTable),
			"UpdateTable":               server.Op(s.UpdateTable),
			"UpdateTimeToLive":          server.Op(s.UpdateTimeToLive),
			"DescribeTimeToLive":        server.Op(s.DescribeTimeToLive),
			"UpdateContinuousBackups":   server.Op(s.UpdateContinuousBackups),
			"DescribeContinuousBackups": server.Op(s.DescribeContinuousBackups),
			"TagResource":               server.Op(s.TagResource),
			"UntagResource":             server.Op(s.UntagResource),
			"ListTagsOfResource":        server.Op(s.ListTagsOfResource),
			"PutItem":                   server.Op(s.PutItem),
			"GetItem":                   server.Op(s.GetItem),
			"DeleteItem":                server.Op(s.DeleteItem),
			"UpdateItem":                server.Op(s.UpdateItem),
			"BatchWriteItem":            server.Op(s.BatchWriteItem),
			"BatchGetItem":              server.Op(s.BatchGetItem),
			"TransactWriteItems":        server.Op(s.TransactWriteItems),
			"TransactGetItems":          server.Op(s.TransactGetItems),
			"Query":                     server.Op(s.Query),
			"Scan":                      server.Op(s.Scan),
			"DescribeLimits":            server.Op(s.DescribeLimits),
			"DescribeEndpoints":         server.Op(s.DescribeEndpoints),
		},
	}
}

func (s *Service) tableArn(name string) string {
	return "arn:aws:dynamodb:" + s.cfg.Region + ":" + s.cfg.Account + ":table/" + name
}

// Region is the region the service answers for (stream records carry it).
func (s *Service) Region() string { return s.cfg.Region }

// DescribeLimitsOutput is DescribeLimits' response.
type DescribeLimitsOutput struct {
	AccountMaxReadCapacityUnits  int64 `json:"AccountMaxReadCapacityUnits"`
	AccountMaxWriteCapacityUnits int64 `json:"AccountMaxWriteCapacityUnits"`
	TableMaxReadCapacityUnits    int64 `json:"TableMaxReadCapacityUnits"`
	TableMaxWriteCapacityUnits   int64 `json:"TableMaxWriteCapacityUnits"`
}

// DescribeLimits reports AWS's default account and table capacity quotas.
func (s *Service) DescribeLimits(ctx context.Context, _ *Empty) (*DescribeLimitsOutput, error) {
	return &DescribeLimitsOutput{AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000,
		TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000}, nil
}

// Endpoint is one DescribeEndpoints entry.
type Endpoint struct {
	Address              string `json:"Address"`
	CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
}

// DescribeEndpointsOutput is DescribeEndpoints' response.
type DescribeEndpointsOutput struct {
	Endpoints []Endpoint `json:"Endpoints"`
}

// DescribeEndpoints answers endpoint discovery with the address the client
// used.
func (s *Service) DescribeEndpoints(ctx context.Context, _ *Empty) (*DescribeEndpointsOutput, error) {
	addr := strings.TrimPrefix(strings.TrimPrefix(server.CallFrom(ctx).Endpoint, "http://"), "https://")
	return &DescribeEndpointsOutput{Endpoints: []Endpoint{{Address: addr, CachePeriodInMinutes: 1440}}}, nil
}
