package contracts

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// EventTypeOrderReceived is the notification type of a newly stored order, and
// the value of its AttrEventType message attribute.
const EventTypeOrderReceived = "OrderReceived"

// SNS message attribute names set on every notification, for subscription
// filter policies such as {"eventType":["OrderReceived"],"quantity":[{"numeric":[">=",100]}]}.
const (
	MessageAttrEventType  = "eventType"  // String
	MessageAttrCustomerID = "customerID" // String
	MessageAttrQuantity   = "quantity"   // Number
)

// MessageStructureJSON is SNS's MessageStructure value saying the message is a
// JSON object of per-protocol variants.
const MessageStructureJSON = "json"

// MaxSubjectLength is the longest Subject this package builds: SNS documents
// its limit as "less than 100 characters".
const MaxSubjectLength = 99

// Notification is the machine-readable announcement of a stored order: the
// "default" variant of the SNS message, which SQS, Lambda, HTTP and email-json
// subscribers receive.
type Notification struct {
	// Type is EventTypeOrderReceived.
	Type       string `json:"type"`
	OrderID    string `json:"orderID"`
	Item       string `json:"item"`
	CustomerID string `json:"customerID"`
	Quantity   int    `json:"quantity"`
	// ReceivedAt is in TimeLayout (UTC, milliseconds).
	ReceivedAt    string `json:"receivedAt"`
	SchemaVersion int    `json:"schemaVersion"`
}

// MessageAttribute is one SNS message attribute, independent of the SNS SDK so
// this module does not depend on it; the notifier copies it into
// types.MessageAttributeValue.
type MessageAttribute struct {
	// DataType is "String" or "Number".
	DataType    string
	StringValue string
}

// Publication is everything an SNS Publish call needs besides the topic ARN.
type Publication struct {
	// Subject is the e-mail subject line, at most MaxSubjectLength characters.
	Subject string
	// Message is a JSON object with "default" (the Notification as JSON)
	// and "email" (a plain-text summary) variants.
	Message string
	// MessageStructure is MessageStructureJSON.
	MessageStructure string
	// Attributes are the message attributes for filter policies.
	Attributes map[string]MessageAttribute
	// Notification is the default variant, decoded, for logs and tests.
	Notification Notification
}

// NewPublication builds the OrderReceived notification of a stored order. It
// fails only when o is invalid, so a poison item is caught before it is
// announced.
func NewPublication(o StoredOrder) (Publication, error) {
	if err := o.Validate(); err != nil {
		return Publication{}, fmt.Errorf("notification for order %q: %w", o.OrderID, err)
	}
	n := Notification{
		Type:          EventTypeOrderReceived,
		OrderID:       o.OrderID,
		Item:          o.Item,
		CustomerID:    o.CustomerID,
		Quantity:      o.Quantity,
		ReceivedAt:    FormatTime(o.ReceivedAt),
		SchemaVersion: o.SchemaVersion,
	}
	def, err := json.Marshal(n)
	if err != nil {
		return Publication{}, fmt.Errorf("notification for order %q: marshal default variant: %w", o.OrderID, err)
	}
	msg, err := json.Marshal(map[string]string{
		"default": string(def),
		"email":   emailText(n),
	})
	if err != nil {
		return Publication{}, fmt.Errorf("notification for order %q: marshal message: %w", o.OrderID, err)
	}
	return Publication{
		Subject:          Subject("Order received: " + o.OrderID),
		Message:          string(msg),
		MessageStructure: MessageStructureJSON,
		Attributes: map[string]MessageAttribute{
			MessageAttrEventType:  {DataType: "String", StringValue: EventTypeOrderReceived},
			MessageAttrCustomerID: {DataType: "String", StringValue: o.CustomerID},
			MessageAttrQuantity:   {DataType: "Number", StringValue: strconv.Itoa(o.Quantity)},
		},
		Notification: n,
	}, nil
}

// emailText is what an e-mail subscriber reads.
func emailText(n Notification) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your order %s has been received.\n\n", n.OrderID)
	fmt.Fprintf(&b, "Item:        %s\n", n.Item)
	fmt.Fprintf(&b, "Quantity:    %d\n", n.Quantity)
	fmt.Fprintf(&b, "Customer ID: %s\n", n.CustomerID)
	fmt.Fprintf(&b, "Received at: %s\n", n.ReceivedAt)
	return b.String()
}

// Subject makes s acceptable as an SNS Subject, which must be printable ASCII
// without line breaks, start with a letter, digit or punctuation, and be
// shorter than 100 characters. Control characters become spaces, other
// non-ASCII characters "?", and a long subject is cut and ends in "...".
func Subject(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f:
			return ' '
		case r > 0x7e:
			return '?'
		default:
			return r
		}
	}, s)
	s = strings.TrimSpace(s) // also makes it start with a printable character
	if len(s) <= MaxSubjectLength {
		return s
	}
	const ellipsis = "..."
	return strings.TrimSpace(s[:MaxSubjectLength-len(ellipsis)]) + ellipsis
}
