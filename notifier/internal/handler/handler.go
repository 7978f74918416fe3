package handler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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

// TableAPI is the part of the DynamoDB client the handler uses to read the
// notified markers of a batch's orders and to set one; main passes
// *dynamodb.Client.
type TableAPI interface {
	BatchGetItem(ctx context.Context, params *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	UpdateItem(ctx context.Context, params *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// PublishAPI is the part of the SNS client the handler uses; main passes
// *sns.Client.
type PublishAPI interface {
	PublishBatch(ctx context.Context, params *sns.PublishBatchInput, optFns ...func(*sns.Options)) (*sns.PublishBatchOutput, error)
}

// DefaultConcurrency is how many markers of a batch are set at once when
// Config.Concurrency is zero.
const DefaultConcurrency = 4

// Batch limits of the APIs: BatchGetItem reads at most 100 keys, PublishBatch
// sends at most 10 messages of at most 256 KiB together.
const (
	maxReadKeys        = 100
	maxPublishEntries  = 10
	maxPublishBytes    = 256 * 1024
	unprocessedRetries = 3
)

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
	// Concurrency bounds the markers set at once; 0 means
	// DefaultConcurrency. Records of one order are always handled in stream
	// order, one after another.
	Concurrency int
	// Backoff is the wait before re-reading keys DynamoDB left unprocessed;
	// nil means 10 ms, doubling.
	Backoff func(attempt int) time.Duration
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
	backoff     func(attempt int) time.Duration
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
		backoff:     cfg.Backoff,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.backoff == nil {
		h.backoff = func(attempt int) time.Duration { return 10 * time.Millisecond << attempt }
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

// notice is one INSERT record whose order may need notifying.
type notice struct {
	index  int // in the batch
	group  int
	log    *slog.Logger
	order  contracts.StoredOrder
	pub    contracts.Publication
	result outcome
}

// Handle notifies every new order of the batch and reports the records that
// failed by sequence number. Its error is always nil: failing the whole
// invocation would retry records that succeeded.
//
// The batch's orders are handled together: one BatchGetItem reads their
// notified markers, PublishBatch sends the notifications of those not yet
// notified ten at a time, and each published order's marker is then set. An
// order's records keep their stream order: its next record waits for the
// next round, and only if this one succeeded.
//
// On a partial failure Lambda checkpoints just before the lowest reported
// sequence number and redelivers everything after it, including records that
// succeeded here; the notified marker makes those redeliveries publish
// nothing. Each failed record is reported, which is harmless (the lowest
// wins) and keeps the response honest.
func (h *Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	log := lambdalog.ForInvocation(ctx, h.log)
	results := make([]outcome, len(ev.Records))
	groups := groupByOrder(ev.Records)
	next := make([]int, len(groups))
	stopped := make([]bool, len(groups))
	for {
		var round []*notice
		for g, group := range groups {
			for next[g] < len(group) {
				i := group[next[g]]
				next[g]++
				rec := ev.Records[i]
				rlog := log.With(lambdalog.KeySequenceNumber, rec.Change.SequenceNumber, "eventID", rec.EventID, "eventName", rec.EventName)
				if stopped[g] {
					rlog.Debug("record not processed: an earlier record of this order failed and will be retried first")
					results[i] = skipped
					continue
				}
				n, out := h.prepare(rlog, rec)
				if n == nil {
					results[i] = out
					stopped[g] = out == failed
					continue
				}
				n.index, n.group = i, g
				round = append(round, n)
				break // this order's later records wait for the next round
			}
		}
		if len(round) == 0 {
			break
		}
		h.notify(ctx, round)
		for _, n := range round {
			results[n.index] = n.result
			stopped[n.group] = n.result == failed
		}
	}

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

// prepare decodes an INSERT record into a notice; any other record is done at
// once, and a malformed one failed.
func (h *Handler) prepare(log *slog.Logger, rec events.DynamoDBEventRecord) (*notice, outcome) {
	if rec.EventName != string(events.DynamoDBOperationTypeInsert) {
		log.Debug("stream record ignored: only INSERT announces an order")
		return nil, done
	}
	order, err := contracts.StoredOrderFromStreamImage(rec.Change.NewImage)
	if err != nil {
		// Retrying will not change the image; after the mapping's retry
		// limit it goes to the on-failure destination with this reason logged.
		log.Error("malformed stream record; reporting it for retry and the on-failure destination", lambdalog.KeyError, err.Error())
		return nil, failed
	}
	log = log.With(lambdalog.KeyOrderID, order.OrderID)
	pub, err := contracts.NewPublication(order)
	if err != nil {
		log.Error("cannot build notification", lambdalog.KeyError, err.Error())
		return nil, failed
	}
	return &notice{log: log, order: order, pub: pub}, done
}

// notify settles one round of notices (at most one per order): reads their
// markers, publishes the orders not yet notified and marks them.
func (h *Handler) notify(ctx context.Context, round []*notice) {
	var toPublish []*notice
	for start := 0; start < len(round); start += maxReadKeys {
		chunk := round[start:min(start+maxReadKeys, len(round))]
		markers, err := h.readMarkers(ctx, chunk)
		for _, n := range chunk {
			item, read := markers[n.order.OrderID]
			switch {
			case err != nil || !read:
				why := err
				if why == nil {
					why = errors.New("DynamoDB left the key unprocessed after retries")
				}
				n.log.Error("cannot read notified marker; will retry", lambdalog.KeyError, fmt.Errorf("get order %s: %w", n.order.OrderID, why).Error())
				n.result = failed
			case len(item) == 0:
				n.log.Warn("order no longer in the table; not notifying")
			case item[contracts.AttrNotifiedAt] != nil:
				n.log.Info("order already notified; not publishing again")
			default:
				toPublish = append(toPublish, n)
			}
		}
	}
	published := h.publish(ctx, toPublish)
	sem := make(chan struct{}, h.concurrency)
	var wg sync.WaitGroup
	for _, n := range published {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			h.mark(ctx, n)
		})
	}
	wg.Wait()
}

// readMarkers reads the markers of notices' orders with consistent reads,
// keyed by order ID; an order read but absent from the table maps to an empty
// item, an order never read (keys left unprocessed) is missing.
func (h *Handler) readMarkers(ctx context.Context, notices []*notice) (map[string]map[string]dbtypes.AttributeValue, error) {
	keys := make([]map[string]dbtypes.AttributeValue, 0, len(notices))
	for _, n := range notices {
		keys = append(keys, orderKey(n.order.OrderID))
	}
	out := make(map[string]map[string]dbtypes.AttributeValue, len(notices))
	for attempt := 0; len(keys) > 0; attempt++ {
		if attempt > 0 {
			if attempt > unprocessedRetries {
				break
			}
			select {
			case <-ctx.Done():
				return out, ctx.Err()
			case <-time.After(h.backoff(attempt - 1)):
			}
		}
		got, err := h.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]dbtypes.KeysAndAttributes{
			h.table: {Keys: keys, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String(markerProjection)},
		}})
		if err != nil {
			return out, err
		}
		for _, item := range got.Responses[h.table] {
			if id, ok := item[contracts.AttrOrderID].(*dbtypes.AttributeValueMemberS); ok {
				out[id.Value] = item
			}
		}
		unprocessed := map[string]bool{}
		for _, k := range got.UnprocessedKeys[h.table].Keys {
			if id, ok := k[contracts.AttrOrderID].(*dbtypes.AttributeValueMemberS); ok {
				unprocessed[id.Value] = true
			}
		}
		var retry []map[string]dbtypes.AttributeValue
		for _, k := range keys {
			id := k[contracts.AttrOrderID].(*dbtypes.AttributeValueMemberS).Value
			switch {
			case unprocessed[id]:
				retry = append(retry, k)
			case out[id] == nil:
				out[id] = map[string]dbtypes.AttributeValue{} // read: not in the table
			}
		}
		keys = retry
	}
	return out, nil
}

// publish sends the notices' notifications in batches and returns those
// published; the others are failed.
func (h *Handler) publish(ctx context.Context, notices []*notice) []*notice {
	var published []*notice
	for len(notices) > 0 {
		n, size := 0, 0
		for n < len(notices) && n < maxPublishEntries {
			msg := len(notices[n].pub.Message)
			if n > 0 && size+msg > maxPublishBytes {
				break
			}
			size += msg
			n++
		}
		batch := notices[:n]
		notices = notices[n:]
		entries := make([]snstypes.PublishBatchRequestEntry, len(batch))
		for i, nt := range batch {
			entries[i] = publishEntry(strconv.Itoa(i), nt.pub)
		}
		out, err := h.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(h.topic), PublishBatchRequestEntries: entries})
		if err != nil {
			for _, nt := range batch {
				nt.log.Error("publish failed; will retry", lambdalog.KeyError, fmt.Errorf("publish order %s: %w", nt.order.OrderID, err).Error())
				nt.result = failed
			}
			continue
		}
		ok := map[string]string{}
		for _, s := range out.Successful {
			ok[aws.ToString(s.Id)] = aws.ToString(s.MessageId)
		}
		why := map[string]string{}
		for _, f := range out.Failed {
			why[aws.ToString(f.Id)] = aws.ToString(f.Code) + ": " + aws.ToString(f.Message)
		}
		for i, nt := range batch {
			id := strconv.Itoa(i)
			if msgID, sent := ok[id]; sent {
				nt.log = nt.log.With("snsMessageId", msgID)
				published = append(published, nt)
				continue
			}
			reason := cmp.Or(why[id], "no result for this entry")
			nt.log.Error("publish failed; will retry", lambdalog.KeyError, fmt.Sprintf("publish order %s: %s", nt.order.OrderID, reason))
			nt.result = failed
		}
	}
	return published
}

// mark sets a published order's notified marker, logging the outcome.
func (h *Handler) mark(ctx context.Context, n *notice) {
	_, err := h.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(h.table),
		Key:                       orderKey(n.order.OrderID),
		UpdateExpression:          aws.String(markerUpdate),
		ConditionExpression:       aws.String(markerCondition),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":now": &dbtypes.AttributeValueMemberS{Value: contracts.FormatTime(h.now())}},
	})
	var lost *dbtypes.ConditionalCheckFailedException
	switch {
	case err == nil:
		n.log.Info("notification published")
	case errors.As(err, &lost):
		n.log.Info("notification published; marker was already set by another delivery")
	default:
		// Do not report this record: a retry would find no marker and
		// publish again, a certain duplicate, whereas leaving it risks one
		// only if this batch is redelivered.
		n.log.Error("notification published but marker not set; a redelivery would notify again",
			lambdalog.KeyError, fmt.Errorf("mark order %s notified: %w", n.order.OrderID, err).Error())
	}
}

func orderKey(orderID string) map[string]dbtypes.AttributeValue {
	return map[string]dbtypes.AttributeValue{contracts.AttrOrderID: &dbtypes.AttributeValueMemberS{Value: orderID}}
}

// publishEntry copies the contracts' SNS-independent message into a batch
// entry of the SDK.
func publishEntry(id string, pub contracts.Publication) snstypes.PublishBatchRequestEntry {
	attrs := make(map[string]snstypes.MessageAttributeValue, len(pub.Attributes))
	for name, a := range pub.Attributes {
		attrs[name] = snstypes.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: aws.String(a.StringValue)}
	}
	return snstypes.PublishBatchRequestEntry{
		Id:                aws.String(id),
		Subject:           aws.String(pub.Subject),
		Message:           aws.String(pub.Message),
		MessageStructure:  aws.String(pub.MessageStructure),
		MessageAttributes: attrs,
	}
}
