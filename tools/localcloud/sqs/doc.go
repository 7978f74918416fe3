// Package sqs implements Amazon SQS standard queues for localcloud, speaking
// both awsJson 1.0 (what current SDKs and the AWS CLI send) and awsQuery
// (what API Gateway's SQS integration and older clients send) through the
// same operation functions.
//
// Queues and messages live in the store; an in-memory index per queue serves
// receives. Sends are acknowledged only after their group commit; receives,
// visibility changes and deletes are queued to the store in the order they
// change memory, so the disk never runs ahead of or reorders what clients
// saw. Long polls are woken by sends and visibility changes, and by a timer
// on the injected clock for the next message to become visible.
package sqs
