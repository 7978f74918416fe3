package handler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/orderflow/orderflow/contracts"
	"github.com/orderflow/orderflow/contracts/lambdalog"
)

// TableAPI is the part of the DynamoDB client the handler uses to read and set
// an order's notified marker; main passes *dynamodb.Client.
type TableAPI interface {
	GetItem(ctx context.Context, params *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, params *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// PublishAPI is the part of the SNS client the handler uses; main passes
// *sns.Client.
type PublishAPI interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// DefaultConcurrency is how many orders of a batch are notified at once when
// Config.Concurrency is zero.
const DefaultConcurrency = 4

// Config wires a Handler.
type Config struct {
	// TableName is the orders table holding the notified marker. Required.
	TableName string
	// TopicARN is the SNS topic to publish to. Required.
	TopicARN string
	// Table reads and sets the marker. Required.
	Table TableAPI
	// Topic publishes the notifications. Required.
	Topic PublishAPI
	// Logger receives one line per record. Required; main passes
	// lambdalog.New's.
	Logger *slog.Logger
	// Now stamps the marker; nil means time.Now.
	Now func() time.Time
	// Concurrency bounds the orders notified at once; 0 means
	// DefaultConcurrency. Records of one order are always handled in stream
	// order, one after another.
	Concurrency int
}

// Handler publishes one notification per new order. It keeps no state between
// invocations beyond its configuration.
type Handler struct {
	table       string
	topic       string
	db          TableAPI
	sns         PublishAPI
	log         *slog.Logger
	now         func() time.Time
	concurrency int
}

// New checks cfg and returns a Handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.TableName == "":
		return nil, errors.New("notifier handler: table name is required")
	case cfg.TopicARN == "":
		return nil, errors.New("notifier handler: topic ARN is required")
	case cfg.Table == nil:
		return nil, errors.New("notifier handler: DynamoDB client is required")
	case cfg.Topic == nil:
		return nil, errors.New("notifier handler: SNS client is required")
	case cfg.Logger == nil:
		return nil, errors.New("notifier handler: logger is required")
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("notifier handler: concurrency %d is negative", cfg.Concurrency)
	}
	h := &Handler{
		table:       cfg.TableName,
		topic:       cfg.TopicARN,
		db:          cfg.Table,
		sns:         cfg.Topic,
		log:         cfg.Logger,
		now:         cfg.Now,
		concurrency: cmp.Or(cfg.Concurrency, DefaultConcurrency),
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h, nil
}

// Marker expressions. The read projects orderID too, so "item exists but is
// not yet notified" (orderID only) is told apart from "item gone" (nothing).
// The update refuses to create an item that was deleted meanwhile, and to
// overwrite a marker someone else set.
const (
	markerProjection = contracts.AttrOrderID + ", " + contracts.AttrNotifiedAt
	markerUpdate     = "SET " + contracts.AttrNotifiedAt + " = :now"
	markerCondition  = "attribute_exists(" + contracts.AttrOrderID + ") AND attribute_not_exists(" + contracts.AttrNotifiedAt + ")"
)

// outcome of one record.
type outcome int

const (
	done    outcome = iota // notified now or before, or nothing to do
	failed                 // report for retry
	skipped                // not tried: an earlier record of the same order failed
)

// Handle notifies every new order of the batch and reports the records that
// failed by sequence number. Its error is always nil: failing the whole
// invocation would retry records that succeeded.
//
// On a partial failure Lambda checkpoints just before the lowest reported
// sequence number and redelivers everything after it, including records that
// succeeded here; the notified marker makes those redeliveries publish
// nothing. Each failed record is reported, which is harmless (the lowest
// wins) and keeps the response honest.
func (h *Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	log := lambdalog.ForInvocation(ctx, h.log)

	// Records of one order must be handled in stream order; different orders
	// are independent and run concurrently. Results go by index so the
	// response is in batch order however the goroutines interleave.
	results := make([]outcome, len(ev.Records))
	sem := make(chan struct{}, h.concurrency)
	var wg sync.WaitGroup
	for _, group := range groupByOrder(ev.Records) {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			prevFailed := false
			for _, i := range group {
				rec := ev.Records[i]
				rlog := log.With(lambdalog.KeySequenceNumber, rec.Change.SequenceNumber, "eventID", rec.EventID, "eventName", rec.EventName)
				if prevFailed {
					rlog.Debug("record not processed: an earlier record of this order failed and will be retried first")
					results[i] = skipped
					continue
				}
				results[i] = h.handleRecord(ctx, rlog, rec)
				prevFailed = results[i] == failed
			}
		})
	}
	wg.Wait()

	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for i, r := range results {
		if r == failed {
			resp.BatchItemFailures = append(resp.BatchItemFailures,
				events.DynamoDBBatchItemFailure{ItemIdentifier: ev.Records[i].Change.SequenceNumber})
		}
	}
	log.Info("batch done", "records", len(ev.Records), "failed", len(resp.BatchItemFailures))
	return resp, nil
}

// groupByOrder returns the record indexes per order key, in stream order,
// groups ordered by first appearance. A record without a readable key is a
// group of its own.
func groupByOrder(recs []events.DynamoDBEventRecord) [][]int {
	var groups [][]int
	byKey := map[string]int{}
	for i, rec := range recs {
		key, ok := rec.Change.Keys[contracts.AttrOrderID]
		if !ok || key.DataType() != events.DataTypeString {
			groups = append(groups, []int{i})
			continue
		}
		if g, seen := byKey[key.String()]; seen {
			groups[g] = append(groups[g], i)
			continue
		}
		byKey[key.String()] = len(groups)
		groups = append(groups, []int{i})
	}
	return groups
}

// handleRecord notifies one INSERT record's order, logging every outcome.
func (h *Handler) handleRecord(ctx context.Context, log *slog.Logger, rec events.DynamoDBEventRecord) outcome {
	if rec.EventName != string(events.DynamoDBOperationTypeInsert) {
		log.Debug("stream record ignored: only INSERT announces an order")
		return done
	}
	order, err := contracts.StoredOrderFromStreamImage(rec.Change.NewImage)
	if err != nil {
		// Retrying will not change the image; after the mapping's retry
		// limit it goes to the on-failure destination with this reason logged.
		log.Error("malformed stream record; reporting it for retry and the on-failure destination", lambdalog.KeyError, err.Error())
		return failed
	}
	log = log.With(lambdalog.KeyOrderID, order.OrderID)
	pub, err := contracts.NewPublication(order)
	if err != nil {
		log.Error("cannot build notification", lambdalog.KeyError, err.Error())
		return failed
	}
	key := map[string]dbtypes.AttributeValue{contracts.AttrOrderID: &dbtypes.AttributeValueMemberS{Value: order.OrderID}}

	got, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(h.table),
		Key:                  key,
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String(markerProjection),
	})
	if err != nil {
		log.Error("cannot read notified marker; will retry", lambdalog.KeyError, fmt.Errorf("get order %s: %w", order.OrderID, err).Error())
		return failed
	}
	if len(got.Item) == 0 {
		log.Warn("order no longer in the table; not notifying")
		return done
	}
	if _, ok := got.Item[contracts.AttrNotifiedAt]; ok {
		log.Info("order already notified; not publishing again")
		return done
	}

	out, err := h.sns.Publish(ctx, publishInput(h.topic, pub))
	if err != nil {
		log.Error("publish failed; will retry", lambdalog.KeyError, fmt.Errorf("publish order %s: %w", order.OrderID, err).Error())
		return failed
	}
	log = log.With("snsMessageId", aws.ToString(out.MessageId))

	_, err = h.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(h.table),
		Key:                       key,
		UpdateExpression:          aws.String(markerUpdate),
		ConditionExpression:       aws.String(markerCondition),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":now": &dbtypes.AttributeValueMemberS{Value: contracts.FormatTime(h.now())}},
	})
	var lost *dbtypes.ConditionalCheckFailedException
	switch {
	case err == nil:
		log.Info("notification published")
	case errors.As(err, &lost):
		log.Info("notification published; marker was already set by another delivery")
	default:
		// Do not report this record: a retry would find no marker and
		// publish again, a certain duplicate, whereas leaving it risks one
		// only if this batch is redelivered.
		log.Error("notification published but marker not set; a redelivery would notify again",
			lambdalog.KeyError, fmt.Errorf("mark order %s notified: %w", order.OrderID, err).Error())
	}
	return done
}

// publishInput copies the contracts' SNS-independent message into the SDK's
// input.
func publishInput(topic string, pub contracts.Publication) *sns.PublishInput {
	attrs := make(map[string]snstypes.MessageAttributeValue, len(pub.Attributes))
	for name, a := range pub.Attributes {
		attrs[name] = snstypes.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: aws.String(a.StringValue)}
	}
	return &sns.PublishInput{
		TopicArn:          aws.String(topic),
		Subject:           aws.String(pub.Subject),
		Message:           aws.String(pub.Message),
		MessageStructure:  aws.String(pub.MessageStructure),
		MessageAttributes: attrs,
	}
}
