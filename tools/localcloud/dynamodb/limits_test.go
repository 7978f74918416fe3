package dynamodb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A BatchWriteItem of 25 items near the 400 KB item limit (about 10 MB,
// more than the front door's default body limit) is accepted; a body over
// DynamoDB's 16 MB is refused before it is read whole.
func TestLargeRequests(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	big := strings.Repeat("x", 390_000)
	var puts []types.WriteRequest
	for i := range 25 {
		puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"orderID": str(fmt.Sprintf("o%02d", i)), "blob": str(big)}}})
	}
	out, err := e.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"orders": puts}})
	if err != nil || len(out.UnprocessedItems) != 0 {
		t.Fatalf("BatchWriteItem of about 10 MB = %+v, %v", out, err)
	}
	got, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("o24")}})
	if err != nil || sval(t, got.Item, "blob") != big {
		t.Fatalf("GetItem after the batch: %v", err)
	}
	_, err = e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{
		"orderID": str("huge"), "blob": str(strings.Repeat("x", 17<<20))}})
	wantErr(t, err, "RequestEntityTooLarge", "Request body must be no larger than 16777216 bytes.")
}
