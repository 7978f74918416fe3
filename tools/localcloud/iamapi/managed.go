package iamapi

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
)

// awsManagedPolicy is an AWS managed policy as the AWS Managed Policy
// Reference documents it (default version's document, dates, path).
type awsManagedPolicy struct {
	name, path, description, version string
	created, updated                 time.Time
	document                         string
}

// awsManagedPolicies are the AWS managed policies serverless templates
// commonly attach; documents are the default versions published in the AWS
// Managed Policy Reference.
var awsManagedPolicies = []awsManagedPolicy{
	{name: "AWSLambdaBasicExecutionRole", path: "/service-role/", version: "v1",
		description: "Provides write permissions to CloudWatch Logs.",
		created:     time.Date(2015, 4, 9, 15, 3, 43, 0, time.UTC), updated: time.Date(2015, 4, 9, 15, 3, 43, 0, time.UTC),
		document: allowAll("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
	{name: "AWSLambdaSQSQueueExecutionRole", path: "/service-role/", version: "v1",
		description: "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
		created:     time.Date(2018, 6, 14, 21, 50, 45, 0, time.UTC), updated: time.Date(2018, 6, 14, 21, 50, 45, 0, time.UTC),
		document: allowAll("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
	{name: "AWSLambdaDynamoDBExecutionRole", path: "/service-role/", version: "v1",
		description: "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
		created:     time.Date(2015, 4, 9, 15, 9, 29, 0, time.UTC), updated: time.Date(2015, 4, 9, 15, 9, 29, 0, time.UTC),
		document: allowAll("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
	{name: "AmazonAPIGatewayPushToCloudWatchLogs", path: "/service-role/", version: "v1",
		description: "Allows API Gateway to push logs to user's account.",
		created:     time.Date(2015, 11, 11, 23, 41, 46, 0, time.UTC), updated: time.Date(2015, 11, 11, 23, 41, 46, 0, time.UTC),
		document: allowAll("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents")},
	{name: "AWSLambdaRole", path: "/service-role/", version: "v1",
		description: "Default policy for AWS Lambda service role.",
		created:     time.Date(2015, 2, 6, 18, 41, 28, 0, time.UTC), updated: time.Date(2015, 2, 6, 18, 41, 28, 0, time.UTC),
		document: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "lambda:InvokeFunction"
      ],
      "Resource" : [
        "*"
      ]
    }
  ]
}`},
}

// allowAll renders a one-statement document allowing actions on every
// resource, laid out as the AWS Managed Policy Reference shows it.
func allowAll(actions ...string) string {
	var b strings.Builder
	b.WriteString("{\n  \"Version\" : \"2012-10-17\",\n  \"Statement\" : [\n    {\n      \"Effect\" : \"Allow\",\n      \"Action\" : [\n")
	for i, a := range actions {
		b.WriteString("        \"" + a + "\"")
		if i < len(actions)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("      ],\n      \"Resource\" : \"*\"\n    }\n  ]\n}")
	return b.String()
}

func (m awsManagedPolicy) arn() string { return "arn:aws:iam::aws:policy" + m.path + m.name }

// awsManagedRecords builds the in-memory records of the AWS managed
// policies. Their IDs are derived from the name (stable across restarts);
// the real IDs are not published in the reference.
func awsManagedRecords() (map[string]*policyRecord, error) {
	out := make(map[string]*policyRecord, len(awsManagedPolicies))
	for _, m := range awsManagedPolicies {
		doc, err := policy.Parse(m.document, policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("AWS managed policy %s: %w", m.name, err)
		}
		sum := sha256.Sum256([]byte(m.name))
		rec := &policyRecord{
			Name: m.name, Path: m.path, ID: "ANPA" + base32ID(sum[:]), ARN: m.arn(), Description: m.description,
			Created: m.created.UnixMilli(), Updated: m.updated.UnixMilli(), DefaultVersion: m.version,
			Versions:   []versionRecord{{ID: m.version, Document: m.document, Created: m.updated.UnixMilli()}},
			awsManaged: true, defaultDoc: doc,
		}
		out[rec.ARN] = rec
	}
	return out, nil
}
