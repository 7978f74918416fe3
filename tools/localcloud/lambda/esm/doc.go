// Package esm runs localcloud's Lambda event source mappings: it keeps the
// mappings (Lambda's EventSourceMappingConfiguration) and their stream
// checkpoints in the store, and feeds functions from SQS queues and
// DynamoDB streams with the semantics AWS documents.
//
// A Manager is the Go API that the Lambda REST layer and the
// CloudFormation provider call (Create, Get, List, Update, Delete). Each
// enabled mapping runs a worker:
//
//   - SQS: concurrent pollers that long-poll the queue (woken by sends),
//     batch up to BatchSize within the batching window, invoke the function
//     with the SQS event, delete what succeeded (all but the reported items
//     with ReportBatchItemFailures) and leave failures to reappear after the
//     queue's visibility timeout, so the queue's own redrive policy moves
//     them to its dead-letter queue. Pollers start at five, grow by up to
//     300 a minute while the queue has a backlog, are capped by
//     ScalingConfig.MaximumConcurrency and the function's reserved
//     concurrency, and shrink back when the queue drains.
//   - DynamoDB Streams: one ordered worker per shard that reads after its
//     checkpoint (woken by commits), invokes with the stream event, and on
//     failure resumes from the lowest reported sequence number, bisects,
//     retries up to MaximumRetryAttempts and MaximumRecordAgeInSeconds, then
//     sends AWS's failure record to the on-failure destination and moves on.
//
// Filter criteria (Lambda's event filtering syntax) drop records that match
// no filter: SQS messages are deleted, stream records are checkpointed.
//
// Time comes from an injected clock; Config.TimeScale speeds up the
// mapping's own rates and waits (scaling steps, batching windows, retry
// back-off) so tests and demos need not wait minutes. Figures and Changed
// expose each mapping's pollers, in-flight batches and backlog.
//
// AsyncInvoker is Lambda's asynchronous invocation queue (InvokeEvent,
// used by SNS subscriptions): events are stored before they are accepted and
// retried twice on function errors, as Lambda does.
package esm
