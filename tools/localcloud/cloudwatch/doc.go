// Package cloudwatch is localcloud's Amazon CloudWatch, reduced to what
// metric alarms need: PutMetricAlarm, DescribeAlarms, DeleteAlarms,
// TagResource, UntagResource and ListTagsForResource, over awsQuery (the
// 2010-08-01 protocol the AWS CLI and older SDKs speak) and awsJson 1.0
// with query-compatible error codes. Alarms are kept in the store and
// survive a restart; their operations are also the Go API the
// CloudFormation provider calls in process.
//
// Honest limits: there are no metrics. PutMetricData, GetMetricData and
// friends answer "unknown operation", nothing is ever evaluated, and every
// alarm stays in StateValue INSUFFICIENT_DATA with the reason "Unchecked:
// Initial alarm creation", so alarm actions never fire. Composite alarms,
// metric math (Metrics) and anomaly detection are not modelled.
//
// Protocols: the AWS CLI and boto3 are served (awsQuery, and awsJson 1.0
// with awsQuery-compatible error codes). aws-sdk-go-v2's cloudwatch client
// (v1.75.x) speaks Smithy RPC v2 CBOR by default, which the front door does
// not decode: Go code inside localcloud uses this package's methods, and a
// Go client outside must select another protocol.
package cloudwatch
