// Package contracts holds the data shapes that orderflow's parts exchange, and
// nothing else: the order request accepted by the API (with its draft-04 JSON
// Schema), the envelope the API puts on the SQS queue, the order item stored in
// DynamoDB, the decoding of that item from a DynamoDB stream record, and the SNS
// notification announcing it.
//
// Package lambdalog beside it fixes the functions' JSON log line format.
//
// This module is the only code that ingest, notifier and tools share, so each shape
// and its validation live here once. A breaking change to any of them is a new
// major version of this module and a new [SchemaVersion].
package contracts
