package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/contracts"
	"github.com/orderflow/orderflow/contracts/lambdalog"
)

// PutItemAPI is the part of the DynamoDB client the handler uses; tests pass a
// mock, main passes *dynamodb.Client.
type PutItemAPI interface {
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// DefaultConcurrency is how many records of a batch are stored at once when
// Config.Concurrency is zero: enough to hide PutItem latency for SQS's usual
// batch of 10 without bursting into the table's throughput.
const DefaultConcurrency = 4

// Config wires a Handler.
type Config struct {
	// TableName is the orders table. Required.
	TableName string
	// DB writes the orders. Required.
	DB PutItemAPI
	// Logger receives one line per record. Required; main passes
	// lambdalog.New's.
	Logger *slog.Logger
	// Concurrency bounds the records stored at once; 0 means
	// DefaultConcurrency, 1 means one after another.
	Concurrency int
}

// Handler stores SQS order messages in DynamoDB. It holds no state between
// invocations beyond its configuration, so one Handler serves every
// invocation of a warm function.
type Handler struct {
	table       string
	db          PutItemAPI
	log         *slog.Logger
	concurrency int
}

// New checks cfg and returns a Handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.TableName == "":
		return nil, errors.New("ingest handler: table name is required")
	case cfg.DB == nil:
		return nil, errors.New("ingest handler: DynamoDB client is required")
	case cfg.Logger == nil:
		return nil, errors.New("ingest handler: logger is required")
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("ingest handler: concurrency %d is negative", cfg.Concurrency)
	}
	n := cfg.Concurrency
	if n == 0 {
		n = DefaultConcurrency
	}
	return &Handler{table: cfg.TableName, db: cfg.DB, log: cfg.Logger, concurrency: n}, nil
}

// conditionNew makes PutItem refuse to overwrite: a redelivered message finds
// its order stored and must not reset it (or anything the notifier added).
const conditionNew = "attribute_not_exists(" + contracts.AttrOrderID + ")"

// Handle stores every record of the batch and reports the ones that failed by
// message ID. Its error is always nil: a failure of the whole invocation would
// make SQS redeliver records that were stored fine.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	log := lambdalog.ForInvocation(ctx, h.log)

	// Records are independent (each has its own order ID), so they may be
	// stored in any order; results are collected by index so the response
	// lists failures in batch order, whatever finishes first.
	failed := make([]bool, len(ev.Records))
	sem := make(chan struct{}, h.concurrency)
	var wg sync.WaitGroup
	for i, rec := range ev.Records {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			failed[i] = !h.store(ctx, log.With(lambdalog.KeyMessageID, rec.MessageId), rec)
		})
	}
	wg.Wait()

	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	log.Info("batch done", "records", len(ev.Records), "failed", len(resp.BatchItemFailures))
	return resp, nil
}

// store handles one record and reports whether it is done (stored now or
// before). Every outcome is logged here, with the reason when it is not done.
func (h *Handler) store(ctx context.Context, log *slog.Logger, rec events.SQSMessage) bool {
	receiveCount := rec.Attributes["ApproximateReceiveCount"]
	order, err := contracts.DecodeQueueMessage(rec.Body, rec.MessageId, rec.Attributes["SentTimestamp"])
	if err != nil {
		// Retrying cannot fix the body; SQS moves it to the dead-letter
		// queue after maxReceiveCount deliveries.
		log.Error("malformed order message; reporting it so it reaches the dead-letter queue",
			lambdalog.KeyError, err.Error(), "receiveCount", receiveCount)
		return false
	}
	log = log.With(lambdalog.KeyOrderID, order.OrderID)
	item, err := order.Attributes()
	if err != nil {
		log.Error("order cannot be stored", lambdalog.KeyError, err.Error(), "receiveCount", receiveCount)
		return false
	}
	_, err = h.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(h.table),
		Item:                item,
		ConditionExpression: aws.String(conditionNew),
	})
	var exists *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		log.Info("order stored", "receiveCount", receiveCount)
		return true
	case errors.As(err, &exists):
		log.Info("order already stored; redelivery treated as success", "receiveCount", receiveCount)
		return true
	case isThrottle(err):
		log.Warn("order not stored: DynamoDB throttled; SQS will redeliver it",
			lambdalog.KeyError, fmt.Errorf("put order %s: %w", order.OrderID, err).Error(), "receiveCount", receiveCount)
		return false
	default:
		log.Error("order not stored; SQS will redeliver it",
			lambdalog.KeyError, fmt.Errorf("put order %s: %w", order.OrderID, err).Error(), "receiveCount", receiveCount)
		return false
	}
}

// isThrottle tells capacity problems, which a later delivery will likely get
// past, from other failures, so the log level says whether anyone needs to act.
func isThrottle(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
		return true
	}
	return false
}
