// Package logs implements Amazon CloudWatch Logs for localcloud: log groups
// and streams, PutLogEvents with AWS's batch rules, GetLogEvents and
// FilterLogEvents (terms, quoted phrases and JSON filter patterns),
// retention and tags, over awsJson 1.1 (X-Amz-Target Logs_20140328.<Op>).
//
// Events live in the store, keyed by stream, minute, timestamp and a
// service-wide sequence number, so a stream reads in timestamp order and a
// read touches only the minutes it needs. Each stream keeps an in-memory
// directory of its non-empty minutes (persisted beside the events), so
// reading the tail of a long stream does not scan it from the start and
// memory does not grow with the number of events.
//
// Other localcloud services (the Lambda engine, API Gateway access logs)
// append through Append, in process, without HTTP; Changed wakes followers
// such as a `logs --tail` command when events arrive.
package logs
