// Package dynamodb implements Amazon DynamoDB for localcloud over awsJson 1.0
// (X-Amz-Target DynamoDB_20120810.<Operation>): tables with hash and range
// keys, global and local secondary indexes, item reads and writes with
// condition, update, projection, key-condition and filter expressions,
// batches, transactions, Query and Scan with pagination, and the storage
// side of DynamoDB Streams.
//
// Every item write runs its read-check-write inside the store's group-commit
// transaction: the condition is evaluated against the item as committed
// before it in the same commit order, and the write, its secondary index
// entries and its stream record are one transaction, so a crash can never
// leave an item change without its record or a record without its change.
// Stream readers (the dynamodbstreams wire service and in-process consumers
// such as a Lambda event source mapping) read committed records through the
// Go API (ReadStream) and are woken by StreamWait when new records commit.
package dynamodb
