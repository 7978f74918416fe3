package contracts

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// IdempotencyKeyHeader is the HTTP header a client sets to make retries of the
// same POST land on the same order.
const IdempotencyKeyHeader = "Idempotency-Key"

// Envelope is the SQS message body that API Gateway's mapping template builds
// around an order request. The template can only copy values, so everything
// here is either the client's or API Gateway's own:
//
//	{"schemaVersion":1,
//	 "requestID":"$context.requestId",
//	 "idempotencyKey":"$util.escapeJavaScript($input.params('Idempotency-Key'))",
//	 "receivedAt":$context.requestTimeEpoch,
//	 "order":$input.json('$')}
//
// Unknown envelope members are ignored so a producer can add one without
// breaking consumers still on this version; the order itself is checked as
// strictly as the API's schema checks it.
type Envelope struct {
	// SchemaVersion must equal SchemaVersion.
	SchemaVersion int `json:"schemaVersion"`
	// RequestID is API Gateway's request ID ($context.requestId).
	RequestID string `json:"requestID"`
	// IdempotencyKey is the client's Idempotency-Key header, "" when absent.
	IdempotencyKey string `json:"idempotencyKey"`
	// ReceivedAt is $context.requestTimeEpoch: epoch milliseconds.
	ReceivedAt int64 `json:"receivedAt"`
	// Order is the validated request body.
	Order OrderRequest `json:"order"`
}

// Envelope member names, for error messages and envelope detection.
const (
	envSchemaVersion  = "schemaVersion"
	envRequestID      = "requestID"
	envIdempotencyKey = "idempotencyKey"
	envReceivedAt     = "receivedAt"
	envOrder          = "order"
)

// ValidIdempotencyKey reports whether key is an acceptable Idempotency-Key:
// 1 to 128 characters of letters, digits and _ . : -, starting with a letter or
// digit. The empty string is not a key (it means "no key").
func ValidIdempotencyKey(key string) bool { return orderIDPattern.MatchString(key) }

// OrderID derives an order's ID from its request identity: the client's
// idempotency key when given, else API Gateway's request ID. It is a plain
// choice, not a hash, so the API's mapping template can compute the same ID
// and every redelivery of a message maps to the same item.
func OrderID(idempotencyKey, requestID string) string {
	if idempotencyKey != "" {
		return idempotencyKey
	}
	return requestID
}

// DecodeQueueMessage turns one SQS message into the order to store. body is
// either an [Envelope] (recognised by its "schemaVersion" or "order" member)
// or a bare order request, as the tutorial's mapping
// Action=SendMessage&MessageBody=$input.body puts on the queue. A bare body
// has no identity of its own, so its order ID is the SQS messageID and its
// arrival time the SentTimestamp attribute (epoch milliseconds as a decimal
// string): both survive redelivery, so duplicates still collapse.
//
// Errors are a *ValidationError naming each bad field (envelope members by
// name, order fields as "order.item" etc. inside an envelope), wrapping
// [ErrUnsupportedSchemaVersion] for envelopes from another version, or a plain
// error when the body is not a JSON object.
func DecodeQueueMessage(body, messageID, sentTimestamp string) (StoredOrder, error) {
	fields, err := decodeObject([]byte(body))
	if err != nil {
		return StoredOrder{}, fmt.Errorf("queue message %s: %w", messageID, err)
	}
	_, hasVersion := fields[envSchemaVersion]
	_, hasOrder := fields[envOrder]
	if hasVersion || hasOrder {
		o, err := decodeEnvelope(fields)
		if err != nil {
			return StoredOrder{}, fmt.Errorf("queue message %s: envelope: %w", messageID, err)
		}
		return o, nil
	}
	o, err := decodeBare(fields, messageID, sentTimestamp)
	if err != nil {
		return StoredOrder{}, fmt.Errorf("queue message %s: bare order: %w", messageID, err)
	}
	return o, nil
}

func decodeEnvelope(fields map[string]json.RawMessage) (StoredOrder, error) {
	var verr ValidationError
	version, ok := integerMember(&verr, fields, envSchemaVersion, true)
	if ok && version != SchemaVersion {
		// Another version's members may mean something else: stop here.
		verr.Problems = append(verr.Problems, unsupportedVersion(envSchemaVersion, version))
		return StoredOrder{}, &verr
	}
	requestID := stringMember(&verr, fields, envRequestID, true)
	if requestID != "" && !orderIDPattern.MatchString(requestID) {
		verr.add(envRequestID, "must match %s, got %q", orderIDPattern, requestID)
	}
	key := stringMember(&verr, fields, envIdempotencyKey, false)
	if key != "" && !ValidIdempotencyKey(key) {
		verr.add(envIdempotencyKey, "must match %s, got %q", orderIDPattern, key)
	}
	receivedMillis, ok := integerMember(&verr, fields, envReceivedAt, true)
	if ok && receivedMillis <= 0 {
		verr.add(envReceivedAt, "must be positive epoch milliseconds, got %d", receivedMillis)
	}

	var req OrderRequest
	if raw, present := fields[envOrder]; !present {
		verr.add(envOrder, "is required")
	} else if orderFields, err := decodeObject(raw); err != nil {
		verr.add(envOrder, "must be a JSON object, got %s", abbreviate(raw))
	} else if req, err = orderRequestFromFields(orderFields); err != nil {
		verr.Problems = append(verr.Problems, prefixed(envOrder, err)...)
	}
	if err := verr.orNil(); err != nil {
		return StoredOrder{}, err
	}
	return newStoredOrder(OrderID(key, requestID), req, time.UnixMilli(receivedMillis)), nil
}

func decodeBare(fields map[string]json.RawMessage, messageID, sentTimestamp string) (StoredOrder, error) {
	req, err := orderRequestFromFields(fields)
	var verr ValidationError
	if err != nil {
		verr.Problems = append(verr.Problems, prefixed("", err)...)
	}
	if !orderIDPattern.MatchString(messageID) {
		verr.add("messageId", "SQS message ID must match %s, got %q", orderIDPattern, messageID)
	}
	sent, perr := strconv.ParseInt(sentTimestamp, 10, 64)
	if perr != nil || sent <= 0 {
		verr.add("SentTimestamp", "SQS attribute must be positive epoch milliseconds, got %q", sentTimestamp)
	}
	if err := verr.orNil(); err != nil {
		return StoredOrder{}, err
	}
	return newStoredOrder(messageID, req, time.UnixMilli(sent)), nil
}

func newStoredOrder(id string, req OrderRequest, receivedAt time.Time) StoredOrder {
	return StoredOrder{
		OrderID:       id,
		Item:          req.Item,
		CustomerID:    req.CustomerID,
		Quantity:      req.Quantity,
		Status:        StatusReceived,
		ReceivedAt:    receivedAt.UTC(),
		SchemaVersion: SchemaVersion,
	}
}

// prefixed returns err's field problems with their names qualified by parent
// ("order.item"), or err as one problem on parent if it has none.
func prefixed(parent string, err error) []FieldError {
	var verr *ValidationError
	if !errors.As(err, &verr) {
		return []FieldError{{Field: parent, Problem: err.Error()}}
	}
	out := make([]FieldError, len(verr.Problems))
	for i, p := range verr.Problems {
		if parent != "" {
			p.Field = parent + "." + p.Field
		}
		out[i] = p
	}
	return out
}

// stringMember reads a JSON string member; absent is "" unless required.
func stringMember(verr *ValidationError, fields map[string]json.RawMessage, name string, required bool) string {
	if _, ok := fields[name]; !ok && !required {
		return ""
	}
	return stringField(verr, fields, name)
}

// integerMember reads a JSON integer member that fits int64.
func integerMember(verr *ValidationError, fields map[string]json.RawMessage, name string, required bool) (int64, bool) {
	raw, ok := fields[name]
	if !ok {
		if required {
			verr.add(name, "is required")
		}
		return 0, false
	}
	n, ok := jsonInteger(raw)
	if !ok || !n.IsInt64() {
		verr.add(name, "must be a JSON integer, got %s", abbreviate(raw))
		return 0, false
	}
	return n.Int64(), true
}
