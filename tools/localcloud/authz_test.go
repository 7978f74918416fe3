package localcloud_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// roleSession creates a Lambda role with the given inline policy (none
// when policyDoc is "") and returns an SDK config signing as a session of
// it, as a function's calls are.
func roleSession(t *testing.T, env *localcloudtest.Env, name, policyDoc string) (aws.Config, string) {
	t.Helper()
	ctx := context.Background()
	c := awsiam.NewFromConfig(env.Config())
	role, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	if policyDoc != "" {
		putRolePolicy(t, env, name, policyDoc)
	}
	sess, err := env.Instance.IAM().AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: aws.ToString(role.Role.Arn),
		Service: "lambda.amazonaws.com", SessionName: "fn"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := env.Config()
	cred := sess.Credential
	cfg.Credentials = credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.SecretAccessKey, cred.SessionToken)
	return cfg, cred.Principal.ARN
}

func putRolePolicy(t *testing.T, env *localcloudtest.Env, role, doc string) {
	t.Helper()
	_, err := awsiam.NewFromConfig(env.Config()).PutRolePolicy(context.Background(), &awsiam.PutRolePolicyInput{
		RoleName: aws.String(role), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
}

func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// wantDenied fails unless err is the API error code with message msg
// (any message when msg is "").
func wantDenied(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("err = %v, want %s %q", err, code, msg)
	}
}

func TestFunctionRoleDynamoDBIsEnforced(t *testing.T) {
	env := localcloudtest.Start(t)
	ctx := context.Background()
	root := dynamodb.NewFromConfig(env.Config())
	for _, name := range []string{"table-a", "table-b"} {
		_, err := root.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	const tableA = "arn:aws:dynamodb:us-east-1:000000000000:table/table-a"
	const tableB = "arn:aws:dynamodb:us-east-1:000000000000:table/table-b"
	cfg, who := roleSession(t, env, "writer", allow("dynamodb:PutItem", tableA))
	fn := dynamodb.NewFromConfig(cfg)
	item := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "1"}}
	if _, err := fn.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("table-a"), Item: item}); err != nil {
		t.Fatalf("allowed PutItem: %v", err)
	}
	_, err := fn.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("table-b"), Item: item})
	wantDenied(t, err, "AccessDeniedException", "User: "+who+" is not authorized to perform: dynamodb:PutItem on resource: "+tableB+
		" because no identity-based policy allows the dynamodb:PutItem action")
	_, err = fn.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("table-a"), Key: item})
	wantDenied(t, err, "AccessDeniedException", "User: "+who+" is not authorized to perform: dynamodb:GetItem on resource: "+tableA+
		" because no identity-based policy allows the dynamodb:GetItem action")
	_, err = fn.ListTables(ctx, &dynamodb.ListTablesInput{})
	wantDenied(t, err, "AccessDeniedException", "User: "+who+" is not authorized to perform: dynamodb:ListTables on resource: *"+
		" because no identity-based policy allows the dynamodb:ListTables action")
	// Query on an index is checked against the index's ARN, not the table's.
	_, err = root.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("table-a"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []ddbtypes.GlobalSecondaryIndexUpdate{{Create: &ddbtypes.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("by-sk"), KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeHash}},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll}}}}})
	if err != nil {
		t.Fatal(err)
	}
	putRolePolicy(t, env, "writer", allow("dynamodb:Query", tableA))
	query := func(index *string, key string) error {
		_, err := fn.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("table-a"), IndexName: index,
			KeyConditionExpression: aws.String("#k = :v"), ExpressionAttributeNames: map[string]string{"#k": key},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": &ddbtypes.AttributeValueMemberS{Value: "1"}}})
		return err
	}
	if err := query(nil, "pk"); err != nil {
		t.Fatalf("Query on the table: %v", err)
	}
	wantDenied(t, query(aws.String("by-sk"), "sk"), "AccessDeniedException", "User: "+who+" is not authorized to perform: dynamodb:Query on resource: "+
		tableA+"/index/by-sk because no identity-based policy allows the dynamodb:Query action")

	// Nothing reached table b; root still reads everything.
	out, err := root.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("table-b"), Key: item})
	if err != nil || out.Item != nil {
		t.Fatalf("table b: %v %v", out, err)
	}
}

func TestFunctionRoleDynamoDBStreamsIsEnforced(t *testing.T) {
	env := localcloudtest.Start(t)
	ctx := context.Background()
	table, err := dynamodb.NewFromConfig(env.Config()).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("streamed"),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage}})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(table.TableDescription.LatestStreamArn)
	// The notifier's grant: ListStreams has no resource-level permissions.
	cfg, who := roleSession(t, env, "reader", allow("dynamodb:ListStreams", "*"))
	fn := dynamodbstreams.NewFromConfig(cfg)
	if _, err := fn.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{}); err != nil {
		t.Fatalf("allowed ListStreams: %v", err)
	}
	_, err = fn.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(streamARN)})
	wantDenied(t, err, "AccessDeniedException", "User: "+who+" is not authorized to perform: dynamodb:DescribeStream on resource: "+streamARN+
		" because no identity-based policy allows the dynamodb:DescribeStream action")
}

func TestFunctionRoleSQSIsEnforced(t *testing.T) {
	env := localcloudtest.Start(t)
	ctx := context.Background()
	root := sqs.NewFromConfig(env.Config())
	q, err := root.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	const queueARN = "arn:aws:sqs:us-east-1:000000000000:q"
	cfg, who := roleSession(t, env, "sender", "")
	roleARN := "arn:aws:iam::000000000000:role/sender"
	fn := sqs.NewFromConfig(cfg)
	send := func() error {
		_, err := fn.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("m")})
		return err
	}
	setPolicy := func(doc string) {
		t.Helper()
		if _, err := root.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl,
			Attributes: map[string]string{"Policy": doc}}); err != nil {
			t.Fatal(err)
		}
	}

	wantDenied(t, send(), "AccessDenied", "User: "+who+" is not authorized to perform: sqs:SendMessage on resource: "+queueARN+
		" because no identity-based policy allows the sqs:SendMessage action")

	putRolePolicy(t, env, "sender", allow("sqs:SendMessage", queueARN))
	if err := send(); err != nil {
		t.Fatalf("identity policy allows: %v", err)
	}

	// Same account: the queue's policy naming the role suffices alone.
	if _, err := awsiam.NewFromConfig(env.Config()).DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{
		RoleName: aws.String("sender"), PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	wantDenied(t, send(), "AccessDenied", "")
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN +
		`"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `"}]}`)
	if err := send(); err != nil {
		t.Fatalf("queue policy allows: %v", err)
	}
	_, err = fn.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	wantDenied(t, err, "AccessDenied", "")

	// An explicit Deny in the queue policy wins over an identity allow.
	putRolePolicy(t, env, "sender", allow("sqs:SendMessage", queueARN))
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Sid":"NoSend","Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"` +
		queueARN + `"}]}`)
	wantDenied(t, send(), "AccessDenied", "User: "+who+" is not authorized to perform: sqs:SendMessage on resource: "+queueARN+
		" with an explicit deny in a resource-based policy")

	// The two allowed sends are all the queue holds.
	attrs, err := root.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "2" {
		t.Fatalf("queue holds %v (%v), want 2", attrs, err)
	}
}

func TestFunctionRoleSNSAndLogsAreEnforced(t *testing.T) {
	env := localcloudtest.Start(t)
	ctx := context.Background()
	topic, err := sns.NewFromConfig(env.Config()).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	rootLogs := cloudwatchlogs.NewFromConfig(env.Config())
	for _, g := range []string{"/aws/lambda/mine", "/aws/lambda/other"} {
		if _, err := rootLogs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
		if _, err := rootLogs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s")}); err != nil {
			t.Fatal(err)
		}
	}
	cfg, who := roleSession(t, env, "publisher", `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"sns:Publish","Resource":"`+aws.ToString(topic.TopicArn)+`"},
 {"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/mine:*"}]}`)

	pub := sns.NewFromConfig(cfg)
	if _, err := pub.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("hi")}); err != nil {
		t.Fatalf("allowed Publish: %v", err)
	}
	_, err = pub.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic.TopicArn})
	wantDenied(t, err, "AuthorizationError", "User: "+who+" is not authorized to perform: sns:DeleteTopic on resource: "+
		aws.ToString(topic.TopicArn)+" because no identity-based policy allows the sns:DeleteTopic action")

	lg := cloudwatchlogs.NewFromConfig(cfg)
	put := func(group string) error {
		_, err := lg.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
			LogEvents: []logstypes.InputLogEvent{{Message: aws.String("line"), Timestamp: aws.Int64(env.Clock.Now().UnixMilli())}}})
		return err
	}
	if err := put("/aws/lambda/mine"); err != nil {
		t.Fatalf("allowed PutLogEvents: %v", err)
	}
	wantDenied(t, put("/aws/lambda/other"), "AccessDeniedException", "User: "+who+" is not authorized to perform: logs:PutLogEvents on resource: "+
		"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/other:log-stream:s because no identity-based policy allows the logs:PutLogEvents action")
}
