package dynamodb

import (
	"context"
	"errors"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

func call[In, Out any](fn func(context.Context, *In) (*Out, error)) func(context.Context, []byte) error {
	return func(ctx context.Context, body []byte) error {
		in := new(In)
		if err := protocol.DecodeJSON(body, in); err != nil {
			return err
		}
		_, err := fn(ctx, in)
		return err
	}
}

// FuzzOperations sends arbitrary bodies to every operation: each answer is
// a result or an AWS error, never a panic or an internal failure.
func FuzzOperations(f *testing.F) {
	st, err := store.Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = st.Close() })
	s, err := New(Config{Store: st, Clock: clock.NewManual(time.Unix(1_800_000_000, 0)), IDs: ids.New(rand.NewChaCha8([32]byte{1})),
		Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		f.Fatal(err)
	}
	ops := map[string]func(context.Context, []byte) error{
		"CreateTable": call(s.CreateTable), "DescribeTable": call(s.DescribeTable), "ListTables": call(s.ListTables),
		"UpdateTable": call(s.UpdateTable), "DeleteTable": call(s.DeleteTable),
		"UpdateTimeToLive": call(s.UpdateTimeToLive), "UpdateContinuousBackups": call(s.UpdateContinuousBackups),
		"TagResource": call(s.TagResource), "UntagResource": call(s.UntagResource), "ListTagsOfResource": call(s.ListTagsOfResource),
		"PutItem": call(s.PutItem), "GetItem": call(s.GetItem), "DeleteItem": call(s.DeleteItem), "UpdateItem": call(s.UpdateItem),
		"BatchWriteItem": call(s.BatchWriteItem), "BatchGetItem": call(s.BatchGetItem),
		"TransactWriteItems": call(s.TransactWriteItems), "TransactGetItems": call(s.TransactGetItems),
		"Query": call(s.Query), "Scan": call(s.Scan),
	}
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	index := func(name string) uint8 { return uint8(sort.SearchStrings(names, name)) }
	ctx := context.Background()
	for _, create := range []string{
		`{"TableName":"orders","AttributeDefinitions":[{"AttributeName":"orderID","AttributeType":"S"}],"KeySchema":[{"AttributeName":"orderID","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`,
		`{"TableName":"events","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"B"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}}],"BillingMode":"PAY_PER_REQUEST"}`,
	} {
		if err := ops["CreateTable"](ctx, []byte(create)); err != nil {
			f.Fatal(err)
		}
	}
	seeds := map[string][]string{
		"PutItem": {`{"TableName":"orders","Item":{"orderID":{"S":"a"},"n":{"N":"1"},"l":{"L":[{"M":{"x":{"SS":["a"]}}}]}},"ConditionExpression":"attribute_not_exists(orderID)","ReturnValues":"ALL_OLD"}`,
			`{"TableName":"events","Item":{"pk":{"S":"p"},"sk":{"N":"-1.5"},"g":{"B":"AQI="},"x":{"BOOL":true}}}`},
		"UpdateItem": {`{"TableName":"orders","Key":{"orderID":{"S":"a"}},"UpdateExpression":"SET #n = #n + :one, l[0].y = :s REMOVE q ADD c :one","ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":one":{"N":"1"},":s":{"S":"v"}},"ReturnValues":"UPDATED_OLD"}`},
		"GetItem":    {`{"TableName":"orders","Key":{"orderID":{"S":"a"}},"ProjectionExpression":"l[0], n"}`},
		"DeleteItem": {`{"TableName":"orders","Key":{"orderID":{"S":"a"}},"ConditionExpression":"size(l) > :z","ExpressionAttributeValues":{":z":{"N":"0"}}}`},
		"Query": {`{"TableName":"events","KeyConditionExpression":"pk = :p AND sk BETWEEN :a AND :b","FilterExpression":"attribute_type(x, :t)","ExpressionAttributeValues":{":p":{"S":"p"},":a":{"N":"-2"},":b":{"N":"9"},":t":{"S":"BOOL"}},"Limit":1,"ScanIndexForward":false}`,
			`{"TableName":"events","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"B":"AQI="}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"1"},"g":{"B":"AQI="}}}`},
		"Scan":               {`{"TableName":"events","Segment":0,"TotalSegments":2,"Select":"COUNT","ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"1"}}}`},
		"BatchWriteItem":     {`{"RequestItems":{"orders":[{"PutRequest":{"Item":{"orderID":{"S":"b"}}}},{"DeleteRequest":{"Key":{"orderID":{"S":"a"}}}}]}}`},
		"BatchGetItem":       {`{"RequestItems":{"orders":{"Keys":[{"orderID":{"S":"b"}}],"ProjectionExpression":"#o","ExpressionAttributeNames":{"#o":"orderID"}}}}`},
		"TransactWriteItems": {`{"TransactItems":[{"ConditionCheck":{"TableName":"orders","Key":{"orderID":{"S":"b"}},"ConditionExpression":"attribute_exists(orderID)"}},{"Update":{"TableName":"orders","Key":{"orderID":{"S":"c"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"NULL":true}}}}]}`},
		"TransactGetItems":   {`{"TransactItems":[{"Get":{"TableName":"orders","Key":{"orderID":{"S":"b"}}}}]}`},
		"UpdateTable":        {`{"TableName":"orders","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`},
		"ListTables":         {`{"Limit":1,"ExclusiveStartTableName":"events"}`},
		"TagResource":        {`{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/orders","Tags":[{"Key":"k","Value":"v"}]}`},
	}
	for name, bodies := range seeds {
		for _, b := range bodies {
			f.Add(index(name), []byte(b))
		}
	}
	f.Add(index("CreateTable"), []byte(`{"TableName":"x"}`))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := names[int(op)%len(names)]
		if name == "DeleteTable" {
			return // keeps the fixture tables for the other operations
		}
		err := ops[name](ctx, body)
		var pe *protocol.Error
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("%s %s: internal error %v", name, body, err)
		}
		if pe != nil && pe.Status >= 500 {
			t.Fatalf("%s %s: server error %v", name, body, pe)
		}
	})
}
