// Package sns implements Amazon SNS standard topics for localcloud over the
// awsQuery protocol: topics, subscriptions with confirmation, filter
// policies (attribute and body scope), raw delivery and fan-out to SQS (in
// process, through the SQS service's Go API), e-mail (into the captured
// mailbox) and http(s) endpoints (with the delivery policy's retries, timed
// by the injected clock).
//
// Topics and subscriptions are stored durably before a request is
// answered. Deliveries to SQS and e-mail complete before Publish returns;
// http(s) deliveries run in the background.
package sns
