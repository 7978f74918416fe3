// Package dynamodbstreams implements the Amazon DynamoDB Streams API for
// localcloud over awsJson 1.0 (X-Amz-Target DynamoDBStreams_20120810.<Op>,
// signed with the service name "dynamodb"): ListStreams, DescribeStream,
// GetShardIterator and GetRecords.
//
// Records come from package dynamodb's Go API, which writes each record in
// the same store transaction as the item change it describes. Every stream
// has one shard; sequence numbers increase by one per record. Shard
// iterators are self-contained tokens (stream, position, issue time) that
// expire 15 minutes after they are issued, as AWS's do.
package dynamodbstreams
