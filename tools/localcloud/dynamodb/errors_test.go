package dynamodb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Errors carry their modelled members to the SDK: a failed condition the
// item as it was (ReturnValuesOnConditionCheckFailure ALL_OLD), a cancelled
// transaction one reason per action.
func TestErrorMembers(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	tbl := aws.String("orders")
	item := map[string]types.AttributeValue{"orderID": str("o-1"), "item": str("gloves")}
	if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item}); err != nil {
		t.Fatal(err)
	}
	cond := aws.String("attribute_not_exists(orderID)")

	_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item, ConditionExpression: cond,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("PutItem: %v", err)
	}
	if len(ccf.Item) != 2 || sval(t, ccf.Item, "item") != "gloves" || ccf.ErrorMessage() != "The conditional request failed" {
		t.Fatalf("ALL_OLD: Item %v, message %q", ccf.Item, ccf.ErrorMessage())
	}
	_, err = e.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-1")},
		UpdateExpression: aws.String("SET n = :n"), ExpressionAttributeValues: map[string]types.AttributeValue{":n": num("1")},
		ConditionExpression: cond})
	if !errors.As(err, &ccf) || ccf.Item != nil {
		t.Fatalf("without ALL_OLD: %v, Item %v", err, ccf.Item)
	}

	_, err = e.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("o-2")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-1")},
			ConditionExpression: cond, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
		{Delete: &types.Delete{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-3")},
			ConditionExpression: aws.String("attribute_exists(orderID)")}},
	}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("TransactWriteItems: %v", err)
	}
	const msg = "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed]"
	if aws.ToString(tce.Message) != msg {
		t.Fatalf("message %q", aws.ToString(tce.Message))
	}
	want := []struct {
		code string
		item string
	}{{"None", "<missing>"}, {"ConditionalCheckFailed", "gloves"}, {"ConditionalCheckFailed", "<missing>"}}
	if len(tce.CancellationReasons) != len(want) {
		t.Fatalf("CancellationReasons = %+v", tce.CancellationReasons)
	}
	for i, w := range want {
		r := tce.CancellationReasons[i]
		if aws.ToString(r.Code) != w.code || sval(t, r.Item, "item") != w.item {
			t.Errorf("reason %d = %s %s %v, want %s with item %s", i, aws.ToString(r.Code), aws.ToString(r.Message), r.Item, w.code, w.item)
		}
	}
	if m := aws.ToString(tce.CancellationReasons[1].Message); m != "The conditional request failed" {
		t.Errorf("reason message %q", m)
	}
}
