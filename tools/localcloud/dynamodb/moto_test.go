package dynamodb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// startMoto starts moto_server on a free loopback port and stops it when
// the test ends.
func startMoto(t testing.TB) string {
	t.Helper()
	bin := localcloudtest.RequireTool(t, "moto_server")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	// Startup is waited for, not timed: the deadline only bounds a
	// moto_server that never comes up.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clientsFor returns clients for url. The differential test does not reuse
// connections (fresh=true): moto_server sometimes closes a kept-alive
// connection while the client reads an error response.
func clientsFor(url string, fresh bool) (*dynamodb.Client, *dynamodbstreams.Client) {
	hc := &http.Client{Timeout: 60 * time.Second}
	if fresh {
		hc.Transport = &http.Transport{DisableKeepAlives: true}
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   hc,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	return dynamodb.NewFromConfig(cfg), dynamodbstreams.NewFromConfig(cfg)
}

// wireValue turns an SDK attribute value back into its wire JSON shape so
// results can be compared as text.
func wireValue(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberSS:
		s := append([]string(nil), v.Value...)
		sort.Strings(s)
		return map[string]any{"SS": s}
	case *types.AttributeValueMemberNS:
		s := append([]string(nil), v.Value...)
		sort.Strings(s)
		return map[string]any{"NS": s}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, x := range v.Value {
			l[i] = wireValue(x)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": wireItem(v.Value)}
	}
	return fmt.Sprintf("%T", v)
}

func wireItem(item map[string]types.AttributeValue) map[string]any {
	if item == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range item {
		out[k] = wireValue(v)
	}
	return out
}

func streamWire(item map[string]stypes.AttributeValue) map[string]any {
	if item == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range item {
		switch v := v.(type) {
		case *stypes.AttributeValueMemberS:
			out[k] = map[string]any{"S": v.Value}
		case *stypes.AttributeValueMemberN:
			out[k] = map[string]any{"N": v.Value}
		default:
			out[k] = fmt.Sprintf("%T", v)
		}
	}
	return out
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return "error:" + ae.ErrorCode()
	}
	return "error:" + err.Error()
}

func text(v any, err error) string {
	if err != nil {
		return errorCode(err)
	}
	b, jerr := json.Marshal(v)
	if jerr != nil {
		return "marshal:" + jerr.Error()
	}
	return string(b)
}

// diffSequence is the operation sequence run against both servers; each
// step returns a comparable text. Steps cover what moto is known to get
// right: results, error codes and stream event order, not messages or
// page boundaries.
func diffSequence(db *dynamodb.Client, st *dynamodbstreams.Client) []struct{ name, got string } {
	ctx := context.Background()
	var out []struct{ name, got string }
	step := func(name, got string) { out = append(out, struct{ name, got string }{name, got}) }
	tbl := aws.String("diff")
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: tbl,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
		BillingMode:         types.BillingModePayPerRequest,
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	})
	step("CreateTable", text(nil, err))
	for i := range 12 {
		item := map[string]types.AttributeValue{"pk": str(fmt.Sprintf("p%d", i%2)), "sk": num(fmt.Sprint(i - 4)), "n": num(fmt.Sprint(i * 10))}
		if i%3 == 0 {
			item["g"] = str("G")
		}
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item})
		step(fmt.Sprintf("PutItem %d", i), text(nil, err))
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"pk": str("p0"), "sk": num("-4")},
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	step("conditional PutItem", text(nil, err))
	g, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("p1"), "sk": num("-3")}})
	step("GetItem", text(wireItem(g.Item), err))
	u, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("p1"), "sk": num("-3")},
		UpdateExpression:          aws.String("SET n = n + :d, l = list_append(if_not_exists(l, :e), :l), m = :m ADD c :one, tags :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": num("5"), ":e": &types.AttributeValueMemberL{}, ":l": &types.AttributeValueMemberL{Value: []types.AttributeValue{str("x")}}, ":m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"a": num("1")}}, ":one": num("1"), ":t": &types.AttributeValueMemberSS{Value: []string{"b", "a"}}},
		ReturnValues:              types.ReturnValueAllNew})
	step("UpdateItem ALL_NEW", text(wireItem(u.Attributes), err))
	u, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("p1"), "sk": num("-3")},
		UpdateExpression: aws.String("REMOVE m, l[0] DELETE tags :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberSS{Value: []string{"a"}}},
		ReturnValues: types.ReturnValueUpdatedOld})
	step("UpdateItem UPDATED_OLD", text(wireItem(u.Attributes), err))
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("p1"), "sk": num("-3")},
		UpdateExpression: aws.String("SET n = n + :s"), ExpressionAttributeValues: map[string]types.AttributeValue{":s": str("x")}})
	step("UpdateItem type error", text(nil, err))

	pages := func(in *dynamodb.QueryInput) string {
		var items []map[string]any
		for range 20 {
			q, err := db.Query(ctx, in)
			if err != nil {
				return errorCode(err)
			}
			for _, it := range q.Items {
				items = append(items, wireItem(it))
			}
			if q.LastEvaluatedKey == nil {
				return text(items, nil)
			}
			in.ExclusiveStartKey = q.LastEvaluatedKey
		}
		return "too many pages"
	}
	step("Query paged", pages(&dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p AND sk >= :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("p0"), ":s": num("-2")}, Limit: aws.Int32(2)}))
	step("Query backward", pages(&dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("p1")}, ScanIndexForward: aws.Bool(false)}))
	step("Query filter projection", pages(&dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"),
		FilterExpression: aws.String("n > :n"), ProjectionExpression: aws.String("sk, n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("p0"), ":n": num("40")}}))
	step("Query GSI", pages(&dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byG"), KeyConditionExpression: aws.String("g = :g AND sk BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": str("G"), ":a": num("-4"), ":b": num("5")}}))
	c, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("p0")}, Select: types.SelectCount})
	if err == nil {
		step("Query COUNT", fmt.Sprint(c.Count, c.ScannedCount))
	} else {
		step("Query COUNT", errorCode(err))
	}
	scan := func() string {
		var keys []string
		in := &dynamodb.ScanInput{TableName: tbl, Limit: aws.Int32(5)}
		for range 20 {
			s, err := db.Scan(ctx, in)
			if err != nil {
				return errorCode(err)
			}
			for _, it := range s.Items {
				keys = append(keys, text(wireItem(it), nil))
			}
			if s.LastEvaluatedKey == nil {
				sort.Strings(keys)
				return text(keys, nil)
			}
			in.ExclusiveStartKey = s.LastEvaluatedKey
		}
		return "too many pages"
	}
	step("Scan", scan())
	_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: tbl, Item: map[string]types.AttributeValue{"pk": str("t"), "sk": num("1")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("p0"), "sk": num("-4")}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}})
	step("TransactWriteItems cancelled", text(nil, err))
	d, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("p0"), "sk": num("-4")}, ReturnValues: types.ReturnValueAllOld})
	step("DeleteItem ALL_OLD", text(wireItem(d.Attributes), err))
	_, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("missing"), Key: map[string]types.AttributeValue{"pk": str("x")}})
	step("GetItem missing table", text(nil, err))
	_, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("x")}})
	step("GetItem bad key", text(nil, err))

	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: map[string]types.AttributeValue{"pk": str("p1"), "sk": num("1")},
		UpdateExpression: aws.String("SET pk = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("x")}})
	step("UpdateItem key attribute", text(nil, err))
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"pk": num("1"), "sk": num("1")}})
	step("PutItem key type", text(nil, err))
	bg, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"diff": {Keys: []map[string]types.AttributeValue{
		{"pk": str("p1"), "sk": num("1")}, {"pk": str("p1"), "sk": num("99")}}, ProjectionExpression: aws.String("n")}}})
	if err == nil {
		var items []any
		for _, it := range bg.Responses["diff"] {
			items = append(items, wireItem(it))
		}
		step("BatchGetItem", text(items, nil)+fmt.Sprint(len(bg.UnprocessedKeys)))
	} else {
		step("BatchGetItem", errorCode(err))
	}
	_, err = db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("n = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": num("1")}})
	step("Query non-key condition", text(nil, err))
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bad"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("a"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("b"), KeyType: types.KeyTypeHash}}, BillingMode: types.BillingModePayPerRequest})
	step("CreateTable undefined key", text(nil, err))
	dt, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: tbl})
	if err == nil {
		t := dt.Table
		step("DescribeTable", text([]any{t.KeySchema, t.AttributeDefinitions, t.TableStatus, t.BillingModeSummary.BillingMode,
			strings.Replace(aws.ToString(t.TableArn), motoAccount, "000000000000", 1), t.StreamSpecification, aws.ToInt64(t.ItemCount), len(t.GlobalSecondaryIndexes)}, nil))
	} else {
		step("DescribeTable", errorCode(err))
	}

	ls, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: tbl})
	if err != nil || len(ls.Streams) != 1 {
		step("ListStreams", text(ls, err))
		return out
	}
	ds, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: ls.Streams[0].StreamArn})
	if err != nil || len(ds.StreamDescription.Shards) == 0 {
		step("DescribeStream", text(nil, err))
		return out
	}
	it, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: ls.Streams[0].StreamArn,
		ShardId: ds.StreamDescription.Shards[0].ShardId, ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		step("GetShardIterator", text(nil, err))
		return out
	}
	r, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		step("GetRecords", text(nil, err))
		return out
	}
	var recs []any
	for _, rec := range r.Records {
		// eventVersion is left out: moto says "1.0", AWS "1.1".
		recs = append(recs, []any{rec.EventName, streamWire(rec.Dynamodb.Keys), streamWire(rec.Dynamodb.NewImage), streamWire(rec.Dynamodb.OldImage), aws.ToString(rec.EventSource)})
	}
	step("stream records", text(recs, nil))
	// Last: moto accepts this write (AWS does not), which would change
	// every later result.
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"pk": str("p"), "sk": num("1"), "g": num("1")}})
	step("PutItem index key type", text(nil, err))
	_, err = db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"diff": {
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"pk": str("p1"), "sk": num("1")}}},
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"pk": str("p1"), "sk": num("1")}}}}}})
	step("BatchWriteItem duplicates", text(nil, err))
	return out
}

// motoAccount is moto's default account ID.
const motoAccount = "123456789012"

// motoWrong lists steps where moto is known to differ from AWS, with what
// AWS (and localcloud) answers.
var motoWrong = map[string]string{
	// AWS checks secondary index key types on write; moto does not.
	"PutItem index key type": "error:ValidationException",
	// moto rejects duplicate keys in a batch only some of the time.
	"BatchWriteItem duplicates": "error:ValidationException",
}

// TestDifferentialMoto runs the same sequence against localcloud and
// moto_server and compares every step's result.
func TestDifferentialMoto(t *testing.T) {
	t.Parallel()
	motoURL := startMoto(t)
	e := start(t)
	mdb, mst := clientsFor(motoURL, true)
	want := diffSequence(mdb, mst)
	got := diffSequence(e.DB, e.Streams)
	if len(got) != len(want) {
		t.Fatalf("localcloud ran %d steps, moto %d:\n%v\n%v", len(got), len(want), got, want)
	}
	for i := range got {
		if awsSays, ok := motoWrong[got[i].name]; ok {
			if got[i].got != awsSays {
				t.Errorf("%s: localcloud %s, AWS answers %s", got[i].name, got[i].got, awsSays)
			}
			continue
		}
		if got[i].got != want[i].got {
			t.Errorf("%s:\n localcloud %s\n moto       %s", got[i].name, got[i].got, want[i].got)
		}
	}
}
