// Package handler is the ingest function's logic: it stores each order that
// arrives on the SQS queue in the DynamoDB table, exactly once however often
// SQS delivers it.
//
// Every record is decoded by the contracts module (an API Gateway envelope or
// a bare order body) into an order whose ID is deterministic from the request's
// identity, then written with PutItem conditioned on attribute_not_exists, so a
// redelivery finds its order already stored and counts as success. A record
// that cannot be decoded or stored is reported in the batch response's
// batchItemFailures (the event source mapping must enable
// ReportBatchItemFailures): SQS redelivers only those, and after the queue's
// maxReceiveCount moves them to the dead-letter queue. One bad record never
// fails or duplicates its neighbours.
package handler
