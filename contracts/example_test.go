package contracts_test

import (
	"fmt"

	"github.com/orderflow/orderflow/contracts"
)

// The tutorial's body arrives on the queue bare; its identity comes from SQS.
func ExampleDecodeQueueMessage() {
	order, err := contracts.DecodeQueueMessage(
		`{"item": "latex gloves","customerID":"12345"}`,
		"059f36b4-87a3-44ab-83d2-661975830a7d", // SQS messageId
		"1795769400123",                        // SQS SentTimestamp attribute
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(order.OrderID, order.Item, order.Quantity, contracts.FormatTime(order.ReceivedAt))
	// Output: 059f36b4-87a3-44ab-83d2-661975830a7d latex gloves 1 2026-11-27T08:50:00.123Z
}

func ExampleDecodeOrderRequest() {
	_, err := contracts.DecodeOrderRequest([]byte(`{"item":"latex gloves","quantity":1.5}`))
	fmt.Println(err)
	// Output: invalid order: customerID: is required; quantity: must be a JSON integer, got 1.5
}

func ExampleOrderID() {
	fmt.Println(contracts.OrderID("", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"))
	fmt.Println(contracts.OrderID("client-key-42", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"))
	// Output:
	// c6af9ac6-7b61-11e6-9a41-93e8deadbeef
	// client-key-42
}

func ExampleNewPublication() {
	order, _ := contracts.DecodeQueueMessage(
		`{"schemaVersion":1,"requestID":"r-1","idempotencyKey":"","receivedAt":1795769400123,"order":{"item":"latex gloves","customerID":"12345"}}`,
		"ignored-for-envelopes", "0")
	pub, err := contracts.NewPublication(order)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pub.Subject)
	fmt.Println(pub.Attributes[contracts.MessageAttrEventType].StringValue)
	// Output:
	// Order received: r-1
	// OrderReceived
}
