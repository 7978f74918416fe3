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
// metric math (Metrics) and anomaly detection are not modelled. Newer SDKs
// that speak the Smithy RPC v2 CBOR protocol to CloudWatch are not served.
package cloudwatch
