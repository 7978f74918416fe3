package localcloud_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// TestInstanceServesIAMAndLogs checks the Instance wires IAM and CloudWatch Logs into the
// front door, and that role sessions IAM mints are accepted by the SigV4 verifier: the
// path every function call will take.
func TestInstanceServesIAMAndLogs(t *testing.T) {
	ctx := context.Background()
	env := localcloudtest.Start(t)

	role, err := iamsdk.NewFromConfig(env.Config()).CreateRole(ctx, &iamsdk.CreateRoleInput{
		RoleName: aws.String("fn-role"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
	})
	if err != nil {
		t.Fatalf("CreateRole through the front door: %v", err)
	}

	cwl := cloudwatchlogs.NewFromConfig(env.Config())
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/fn")}); err != nil {
		t.Fatalf("CreateLogGroup through the front door: %v", err)
	}
	groups, err := cwl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].LogGroupName) != "/aws/lambda/fn" {
		t.Fatalf("DescribeLogGroups = %+v, %v", groups, err)
	}

	sess, err := env.Instance.IAM().AssumeRole(ctx, iamapi.AssumeRoleInput{
		RoleARN: aws.ToString(role.Role.Arn), Service: "lambda.amazonaws.com", SessionName: "fn",
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	cfg := env.Config()
	c := sess.Credential
	cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with a role session: %v", err)
	}
	if arn := aws.ToString(who.Arn); !strings.HasSuffix(arn, ":assumed-role/fn-role/fn") {
		t.Errorf("caller = %s, want the assumed role", arn)
	}
}

// TestInstanceServesDynamoDBAndStreams checks DynamoDB and its stream API answer through
// the front door of a full Instance.
func TestInstanceServesDynamoDBAndStreams(t *testing.T) {
	ctx := context.Background()
	env := localcloudtest.Start(t)
	db := dynamodb.NewFromConfig(env.Config())
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("orders"),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("orderID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("orderID"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	streams, err := dynamodbstreams.NewFromConfig(env.Config()).ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("orders")})
	if err != nil || len(streams.Streams) != 1 {
		t.Fatalf("ListStreams = %+v, %v", streams, err)
	}
}

const queueAndTable = `
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: orderID, AttributeType: S}]
      KeySchema: [{AttributeName: orderID, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
Outputs:
  TableName:
    Value: !Ref Table
`

// TestInstanceProvisionsThroughCloudFormation checks CloudFormation is served by the
// Instance and provisions onto the Instance's own SQS and DynamoDB.
func TestInstanceProvisionsThroughCloudFormation(t *testing.T) {
	ctx := context.Background()
	env := localcloudtest.Start(t)
	cf := cloudformation.NewFromConfig(env.Config())
	cs, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("wiring"), ChangeSetName: aws.String("first"),
		ChangeSetType: cfntypes.ChangeSetTypeCreate, TemplateBody: aws.String(queueAndTable),
	})
	if err != nil {
		t.Fatalf("CreateChangeSet: %v", err)
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
	var stack cfntypes.Stack
	for deadline := time.Now().Add(30 * time.Second); ; {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("wiring")})
		if err != nil {
			t.Fatalf("DescribeStacks: %v", err)
		}
		stack = out.Stacks[0]
		if !strings.HasSuffix(string(stack.StackStatus), "_IN_PROGRESS") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack still %s", stack.StackStatus)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if stack.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("stack status = %s (%s)", stack.StackStatus, aws.ToString(stack.StackStatusReason))
	}
	var table string
	for _, o := range stack.Outputs {
		if aws.ToString(o.OutputKey) == "TableName" {
			table = aws.ToString(o.OutputValue)
		}
	}
	if _, err := dynamodb.NewFromConfig(env.Config()).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}); err != nil {
		t.Fatalf("table %q from the stack is not in DynamoDB: %v", table, err)
	}
}

// TestInstanceServesS3 checks S3 answers through the front door and that its objects are
// readable in process, the path Lambda code from S3 takes.
func TestInstanceServesS3(t *testing.T) {
	ctx := context.Background()
	env := localcloudtest.Start(t)
	client := s3.NewFromConfig(env.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("fn.zip"),
		Body: strings.NewReader("zip bytes")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	rc, _, err := env.Instance.S3().GetObject(ctx, "artifacts", "fn.zip")
	if err != nil {
		t.Fatalf("in-process GetObject: %v", err)
	}
	defer rc.Close()
	var buf strings.Builder
	if _, err := io.Copy(&buf, rc); err != nil || buf.String() != "zip bytes" {
		t.Fatalf("object = %q, %v", buf.String(), err)
	}
}
