package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func sval(t *testing.T, item map[string]types.AttributeValue, name string) string {
	t.Helper()
	switch v := item[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case nil:
		return "<missing>"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func TestItemReadWrite(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	tbl := aws.String("orders")
	item := map[string]types.AttributeValue{"orderID": str("o-1"), "item": str("gloves"), "quantity": num("2.50")}
	cond := aws.String("attribute_not_exists(orderID)")
	if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item, ConditionExpression: cond}); err != nil {
		t.Fatal(err)
	}
	// The same conditional put again fails, carrying the item when asked.
	_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item, ConditionExpression: cond,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("second put: %v", err)
	}
	wantErr(t, err, "ConditionalCheckFailedException", "The conditional request failed")

	got, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-1")}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if sval(t, got.Item, "item") != "gloves" || sval(t, got.Item, "quantity") != "2.5" {
		t.Fatalf("GetItem = %v", got.Item)
	}
	proj, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-1")},
		ProjectionExpression: aws.String("#i"), ExpressionAttributeNames: map[string]string{"#i": "item"}})
	if err != nil || len(proj.Item) != 1 || sval(t, proj.Item, "item") != "gloves" {
		t.Fatalf("projected GetItem = %v, %v", proj, err)
	}
	missing, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("nope")}})
	if err != nil || missing.Item != nil {
		t.Fatalf("missing GetItem = %v, %v", missing, err)
	}

	up, err := e.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-1")},
		UpdateExpression:          aws.String("SET quantity = quantity + :d, #s = :s"),
		ConditionExpression:       aws.String("attribute_exists(orderID)"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": num("1"), ":s": str("PAID")},
		ReturnValues:              types.ReturnValueUpdatedNew})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Attributes) != 2 || sval(t, up.Attributes, "quantity") != "3.5" || sval(t, up.Attributes, "status") != "PAID" {
		t.Fatalf("UPDATED_NEW = %v", up.Attributes)
	}
	// Upsert through UpdateItem.
	up, err = e.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-2")},
		UpdateExpression: aws.String("SET n = if_not_exists(n, :z)"), ExpressionAttributeValues: map[string]types.AttributeValue{":z": num("0")},
		ReturnValues: types.ReturnValueAllNew})
	if err != nil || sval(t, up.Attributes, "orderID") != "o-2" || sval(t, up.Attributes, "n") != "0" {
		t.Fatalf("upsert = %v, %v", up, err)
	}
	del, err := e.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("o-2")}, ReturnValues: types.ReturnValueAllOld})
	if err != nil || sval(t, del.Attributes, "n") != "0" {
		t.Fatalf("DeleteItem = %v, %v", del, err)
	}
	desc, err := e.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: tbl})
	if err != nil || aws.ToInt64(desc.Table.ItemCount) != 1 || aws.ToInt64(desc.Table.TableSizeBytes) == 0 {
		t.Fatalf("counts = %d items %d bytes, %v", aws.ToInt64(desc.Table.ItemCount), aws.ToInt64(desc.Table.TableSizeBytes), err)
	}
}

func TestItemErrors(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	tbl := aws.String("orders")
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"missing table", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("nope"), Item: map[string]types.AttributeValue{"orderID": str("x")}})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
		{"key type", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": num("1")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for key orderID expected: S actual: N"},
		{"missing key", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"item": str("x")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Missing the key orderID in the item"},
		{"key schema", func() error {
			_, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"id": str("x")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"too large", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("x"), "big": str(strings.Repeat("a", 400*1024))}})
			return err
		}, "ValidationException", "Item size has exceeded the maximum allowed size"},
		{"update key", func() error {
			_, err := e.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"orderID": str("x")},
				UpdateExpression: aws.String("SET orderID = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("y")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Cannot update attribute orderID. This attribute is part of the key"},
		{"syntax", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("x")}, ConditionExpression: aws.String("attribute_not_exists(")})
			return err
		}, "ValidationException", ""},
		{"unused value", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("x")},
				ConditionExpression: aws.String("attribute_not_exists(orderID)"), ExpressionAttributeValues: map[string]types.AttributeValue{":u": str("y")}})
			return err
		}, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"},
		{"put return values", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("x")}, ReturnValues: types.ReturnValueAllNew})
			return err
		}, "ValidationException", "ReturnValues can only be ALL_OLD or NONE"},
		{"bad number", func() error {
			_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("x"), "n": num("1e400")}})
			return err
		}, "ValidationException", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.call(), c.code, c.msg) })
	}
}

func TestBatchAndTransactions(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	var puts []types.WriteRequest
	for i := range 25 {
		puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"orderID": str(fmt.Sprintf("o%02d", i))}}})
	}
	out, err := e.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"orders": puts}})
	if err != nil || len(out.UnprocessedItems) != 0 {
		t.Fatalf("BatchWriteItem = %+v, %v", out, err)
	}
	_, err = e.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"orders": append(puts, puts[0])}})
	wantErr(t, err, "ValidationException", "Too many items requested for the BatchWriteItem call")
	_, err = e.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"orders": {puts[0], puts[0]}}})
	wantErr(t, err, "ValidationException", "Provided list of item keys contains duplicates")

	var keys []map[string]types.AttributeValue
	for i := range 30 {
		keys = append(keys, map[string]types.AttributeValue{"orderID": str(fmt.Sprintf("o%02d", i))})
	}
	got, err := e.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"orders": {Keys: keys}}})
	if err != nil || len(got.Responses["orders"]) != 25 || len(got.UnprocessedKeys) != 0 {
		t.Fatalf("BatchGetItem = %d items, %v", len(got.Responses["orders"]), err)
	}
	_, err = e.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"orders": {Keys: append(keys, keys[0])}}})
	wantErr(t, err, "ValidationException", "Provided list of item keys contains duplicates")

	// A transaction whose second condition fails writes nothing.
	_, err = e.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"orderID": str("new")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("o01")},
			ConditionExpression: aws.String("attribute_not_exists(orderID)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
	}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("transaction: %v", err)
	}
	if !strings.Contains(err.Error(), "[None, ConditionalCheckFailed]") {
		t.Fatalf("transaction error = %v", err)
	}
	g, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("new")}})
	if err != nil || g.Item != nil {
		t.Fatalf("cancelled put is visible: %v, %v", g.Item, err)
	}
	if _, err := e.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"orderID": str("new")}}},
		{Delete: &types.Delete{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("o01")}}},
		{Update: &types.Update{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("o02")},
			UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": num("7")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	tg, err := e.DB.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("new")}}},
		{Get: &types.Get{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("o01")}}},
		{Get: &types.Get{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("o02")}}},
	}})
	if err != nil || len(tg.Responses) != 3 || tg.Responses[0].Item == nil || tg.Responses[1].Item != nil || sval(t, tg.Responses[2].Item, "v") != "7" {
		t.Fatalf("TransactGetItems = %+v, %v", tg, err)
	}
	_, err = e.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"orderID": str("dup")}}},
		{Delete: &types.Delete{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("dup")}}},
	}})
	wantErr(t, err, "ValidationException", "Transaction request cannot include multiple operations on one item")
}

// TestTransactionIdempotency repeats a TransactWriteItems with the same
// ClientRequestToken, as an SDK retry does: it applies once.
func TestTransactionIdempotency(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	add := func(token, by string) error {
		_, err := e.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(token),
			TransactItems: []types.TransactWriteItem{{Update: &types.Update{TableName: aws.String("orders"),
				Key: map[string]types.AttributeValue{"orderID": str("c")}, UpdateExpression: aws.String("ADD n :by"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":by": num(by)}}}}})
		return err
	}
	count := func() string {
		got, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str("c")}})
		if err != nil {
			t.Fatal(err)
		}
		return sval(t, got.Item, "n")
	}
	for range 2 {
		if err := add("token-1", "1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != "1" {
		t.Fatalf("after a repeated token n = %s, want 1", n)
	}
	wantErr(t, add("token-1", "5"), "IdempotentParameterMismatchException", "")
	e.Clock.Advance(11 * time.Minute)
	if err := add("token-1", "1"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != "2" {
		t.Fatalf("after the token expired n = %s, want 2", n)
	}
}

// TestBatchGetUnprocessed reads more than 16 MB in one BatchGetItem: the
// rest comes back in UnprocessedKeys and a second call reads it.
func TestBatchGetUnprocessed(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	big := strings.Repeat("b", 390*1024)
	var keys []map[string]types.AttributeValue
	for i := range 45 {
		id := fmt.Sprintf("big%02d", i)
		if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
			Item: map[string]types.AttributeValue{"orderID": str(id), "payload": str(big)}}); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, map[string]types.AttributeValue{"orderID": str(id)})
	}
	req := map[string]types.KeysAndAttributes{"orders": {Keys: keys, ProjectionExpression: aws.String("orderID, payload")}}
	seen := map[string]bool{}
	for call := 0; len(req) > 0; call++ {
		if call == 2 {
			t.Fatalf("still unprocessed after two calls: %d keys", len(req["orders"].Keys))
		}
		out, err := e.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Responses["orders"] {
			seen[sval(t, it, "orderID")] = true
		}
		if call == 0 && len(out.UnprocessedKeys["orders"].Keys) == 0 {
			t.Fatal("17 MB read in one call: nothing left unprocessed")
		}
		if u, ok := out.UnprocessedKeys["orders"]; ok && aws.ToString(u.ProjectionExpression) != "orderID, payload" {
			t.Fatalf("unprocessed keys lost their projection: %+v", u)
		}
		req = out.UnprocessedKeys
	}
	if len(seen) != 45 {
		t.Fatalf("read %d distinct items, want 45", len(seen))
	}
}
