// Package handler is the notifier function's logic: for each order that
// appears in the orders table's DynamoDB stream it publishes one OrderReceived
// notification to the SNS topic.
//
// Stream batches are delivered at least once (a failed or timed-out
// invocation is retried, and with partial batch responses Lambda resumes from
// the lowest reported sequence number, so records after it are seen again).
// To keep customers from being e-mailed twice, each order carries a
// conditional "notifiedAt" marker: the handler reads it (consistently) before
// publishing and sets it after, only if it is still unset.
//
// A batch's orders are handled together, so an order costs about one API call
// instead of three: one BatchGetItem reads up to 100 markers, PublishBatch
// sends up to 10 notifications, and only the marker writes stay per order.
//
// Only INSERT records are acted on; MODIFY (such as setting the marker) and
// REMOVE records are ignored.
package handler
