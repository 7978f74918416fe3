// Package dynamodb implements Amazon DynamoDB for localcloud over awsJson 1.0
// (X-Amz-Target DynamoDB_20120810.<Operation>): tables with hash and range
// keys, global and local secondary indexes, item reads and writes with
// condition, update, projection, key-condition and filter expressions,
// batches, transactions, Query and Scan with pagination, and the storage
// side of DynamoDB Streams. Package dynamodbstreams serves the Streams API
// from it; in-process consumers (a Lambda event source mapping) use
// ReadStream, TrimHorizon, Stream and StreamWait directly.
//
// # Writes and stream records are one transaction
//
// Every item write (PutItem, UpdateItem, DeleteItem, each BatchWriteItem
// request, every TransactWriteItems action) runs its read–check–write
// inside the store's group-commit transaction: the condition is evaluated
// against the item as committed before it, in commit order, and the item,
// its secondary index entries and its stream record are written together.
// A crash can therefore never leave an item change without its record or a
// record without its change, and no lock is held across an fsync. A
// rejected write (failed condition, invalid update) has written nothing
// when it is detected, so it is reported through the mutation rather than
// by failing the function, and the rest of its commit group is not re-run.
// A write that changes nothing (an identical PutItem, a DeleteItem of a
// missing item) writes no stream record, as AWS documents.
//
// # Storage
//
// Items are keyed by table ID, then attr's order-preserving encoding of the
// partition and sort key, so a Query is a prefix scan in DynamoDB's sort
// order. Index entries append the table key to the index key (indexes may
// repeat index keys); the sort-key bounds of expr's key conditions are
// widened to cover that suffix. Stream records are keyed by stream ARN and
// a per-stream sequence number (dense, from 1), with the stream's counter
// beside them; GetRecords walks 256-record blocks from its position.
// Records older than StreamRetention are invisible and trimmed from the
// head as new records are written. Item counts and sizes are kept in memory
// and recounted on start.
//
// # Differences from AWS
//
// Tables and indexes are ACTIVE at once; TTL and point-in-time recovery
// settings are stored but items do not expire and no restore exists;
// legacy parameters (Expected, AttributeUpdates, KeyConditions,
// QueryFilter, ScanFilter) are rejected with a ValidationException; an
// index added by UpdateTable is backfilled in the same transaction; every
// stream has one shard.
package dynamodb
