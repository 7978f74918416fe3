package contracts

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names of a stored order in the DynamoDB table. The table's
// partition key is AttrOrderID (type S).
const (
	AttrOrderID       = "orderID"       // S, partition key
	AttrItem          = FieldItem       // S
	AttrCustomerID    = FieldCustomerID // S
	AttrQuantity      = FieldQuantity   // N
	AttrStatus        = "status"        // S, see StatusReceived
	AttrReceivedAt    = "receivedAt"    // S, TimeLayout in UTC
	AttrSchemaVersion = "schemaVersion" // N, SchemaVersion
	// AttrNotifiedAt (S, TimeLayout in UTC) is set by the notifier once the
	// order's notification is published, so a redelivered stream batch does
	// not notify twice. Ingest never writes it.
	AttrNotifiedAt = "notifiedAt"
)

// StatusReceived is the status of an order that ingest has stored.
const StatusReceived = "RECEIVED"

// TimeLayout is how times are stored: RFC 3339 in UTC with exactly three
// fractional digits, so stored strings sort in time order.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime renders t in [TimeLayout] (converting it to UTC first).
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ErrUnsupportedSchemaVersion marks a message or item written by a version of
// this module that this build does not understand.
var ErrUnsupportedSchemaVersion = errors.New("unsupported schemaVersion")

func unsupportedVersion(field string, got int64) FieldError {
	return FieldError{
		Field:   field,
		Problem: fmt.Sprintf("%v %d (this build understands %d)", ErrUnsupportedSchemaVersion, got, SchemaVersion),
		Err:     ErrUnsupportedSchemaVersion,
	}
}

// orderIDPattern is the shape of every order ID: a token that is safe in logs,
// URLs, SNS subjects and DynamoDB keys. Idempotency keys, API request IDs
// (UUIDs) and SQS message IDs (UUIDs) all fit it.
var orderIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)

// StoredOrder is an accepted order as the table holds it: the request plus its
// identity, status and arrival time.
type StoredOrder struct {
	// OrderID is deterministic from the request's identity; see [OrderID].
	OrderID    string
	Item       string
	CustomerID string
	Quantity   int
	// Status is StatusReceived when ingest stores the order.
	Status string
	// ReceivedAt is when API Gateway received the request (or SQS the bare
	// message), at millisecond precision.
	ReceivedAt time.Time
	// SchemaVersion is the version of this item's shape.
	SchemaVersion int
}

// Request returns the order request part of o.
func (o StoredOrder) Request() OrderRequest {
	return OrderRequest{Item: o.Item, CustomerID: o.CustomerID, Quantity: o.Quantity}
}

// Validate checks every attribute of o, naming each bad one.
func (o StoredOrder) Validate() error {
	var verr ValidationError
	if !orderIDPattern.MatchString(o.OrderID) {
		verr.add(AttrOrderID, "must match %s, got %q", orderIDPattern, o.OrderID)
	}
	o.Request().validateInto(&verr)
	if o.Status == "" {
		verr.add(AttrStatus, "must not be empty")
	}
	if o.ReceivedAt.IsZero() {
		verr.add(AttrReceivedAt, "must be set")
	}
	if o.SchemaVersion != SchemaVersion {
		verr.Problems = append(verr.Problems, unsupportedVersion(AttrSchemaVersion, int64(o.SchemaVersion)))
	}
	return verr.orNil()
}

// Attributes returns o as a DynamoDB item with typed attributes, ready for
// PutItem. It validates o first so nothing malformed reaches the table.
func (o StoredOrder) Attributes() (map[string]types.AttributeValue, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("stored order %q: %w", o.OrderID, err)
	}
	return map[string]types.AttributeValue{
		AttrOrderID:       &types.AttributeValueMemberS{Value: o.OrderID},
		AttrItem:          &types.AttributeValueMemberS{Value: o.Item},
		AttrCustomerID:    &types.AttributeValueMemberS{Value: o.CustomerID},
		AttrQuantity:      &types.AttributeValueMemberN{Value: strconv.Itoa(o.Quantity)},
		AttrStatus:        &types.AttributeValueMemberS{Value: o.Status},
		AttrReceivedAt:    &types.AttributeValueMemberS{Value: FormatTime(o.ReceivedAt)},
		AttrSchemaVersion: &types.AttributeValueMemberN{Value: strconv.Itoa(o.SchemaVersion)},
	}, nil
}

// StoredOrderFromAttributes reads a stored order from a DynamoDB item (from
// GetItem, Query or Scan). Attributes it does not know, such as
// AttrNotifiedAt, are ignored. Errors name each missing or mistyped attribute.
func StoredOrderFromAttributes(item map[string]types.AttributeValue) (StoredOrder, error) {
	return decodeStored(sdkItem(item))
}

// attributeReader abstracts the two representations of a DynamoDB item (SDK
// types and Lambda stream events) so both decode through one function.
type attributeReader interface {
	// typeOf returns the attribute's DynamoDB type descriptor ("S", "N",
	// ...) and false when the attribute is absent.
	typeOf(name string) (string, bool)
	// scalar returns the value of an S or N attribute; callers check the
	// type first.
	scalar(name string) string
}

type sdkItem map[string]types.AttributeValue

func (m sdkItem) typeOf(name string) (string, bool) {
	av, ok := m[name]
	if !ok || av == nil {
		return "", false
	}
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return "S", true
	case *types.AttributeValueMemberN:
		return "N", true
	case *types.AttributeValueMemberB:
		return "B", true
	case *types.AttributeValueMemberBOOL:
		return "BOOL", true
	case *types.AttributeValueMemberNULL:
		return "NULL", true
	case *types.AttributeValueMemberL:
		return "L", true
	case *types.AttributeValueMemberM:
		return "M", true
	case *types.AttributeValueMemberSS:
		return "SS", true
	case *types.AttributeValueMemberNS:
		return "NS", true
	case *types.AttributeValueMemberBS:
		return "BS", true
	default:
		return fmt.Sprintf("%T", av), true
	}
}

func (m sdkItem) scalar(name string) string {
	switch v := m[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	default:
		return ""
	}
}

// decodeStored collects every attribute problem before failing, so one log
// line explains a poison record completely.
func decodeStored(r attributeReader) (StoredOrder, error) {
	var verr ValidationError
	get := func(name, want string) (string, bool) {
		got, ok := r.typeOf(name)
		switch {
		case !ok:
			verr.add(name, "missing attribute (want type %s)", want)
			return "", false
		case got != want:
			verr.add(name, "attribute has type %s, want %s", got, want)
			return "", false
		}
		return r.scalar(name), true
	}
	number := func(name string) (int, bool) {
		s, ok := get(name, "N")
		if !ok {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			verr.add(name, "number %q is not an integer", s)
			return 0, false
		}
		return n, true
	}

	var o StoredOrder
	o.OrderID, _ = get(AttrOrderID, "S")
	o.Item, _ = get(AttrItem, "S")
	o.CustomerID, _ = get(AttrCustomerID, "S")
	o.Quantity, _ = number(AttrQuantity)
	o.Status, _ = get(AttrStatus, "S")
	if s, ok := get(AttrReceivedAt, "S"); ok {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			verr.add(AttrReceivedAt, "not an RFC 3339 time: %q", s)
		}
		o.ReceivedAt = t.UTC()
	}
	o.SchemaVersion, _ = number(AttrSchemaVersion)
	if len(verr.Problems) > 0 {
		return StoredOrder{}, fmt.Errorf("decode stored order: %w", &verr)
	}
	if err := o.Validate(); err != nil {
		return StoredOrder{}, fmt.Errorf("decode stored order %q: %w", o.OrderID, err)
	}
	return o, nil
}
