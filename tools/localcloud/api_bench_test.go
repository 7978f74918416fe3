package localcloud_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// The two operations DESIGN §9 compares against a no-op server, driven the way `mage
// bench` drives them (SDK client over loopback HTTP, 16 goroutines per core, durable
// store), so a CPU profile of either shows where localcloud spends its share.

func BenchmarkSQSSendMessage(b *testing.B) {
	env := localcloudtest.Start(b)
	c := sqs.NewFromConfig(env.Config())
	ctx := context.Background()
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hello")}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkDynamoDBPutItem(b *testing.B) {
	env := localcloudtest.Start(b)
	c := dynamodb.NewFromConfig(env.Config())
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bench"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("orderID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("orderID"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage}})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"),
				ConditionExpression: aws.String("attribute_not_exists(orderID)"),
				Item: map[string]ddbtypes.AttributeValue{
					"orderID":    &ddbtypes.AttributeValueMemberS{Value: "o-" + strconv.FormatInt(n.Add(1), 10)},
					"item":       &ddbtypes.AttributeValueMemberS{Value: "latex gloves"},
					"customerID": &ddbtypes.AttributeValueMemberS{Value: "12345"},
					"quantity":   &ddbtypes.AttributeValueMemberN{Value: "1"},
				}})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
