package dynamodb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// fillEvents writes partitions p0..p2 with sort keys -5..14 (20 each);
// customer is set on even sort keys only (a sparse GSI).
func fillEvents(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	ctx := context.Background()
	var reqs []types.WriteRequest
	flush := func() {
		if len(reqs) == 0 {
			return
		}
		if _, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"events": reqs}}); err != nil {
			t.Fatal(err)
		}
		reqs = nil
	}
	for p := range 3 {
		for sk := -5; sk < 15; sk++ {
			item := map[string]types.AttributeValue{"pk": str(fmt.Sprintf("p%d", p)), "sk": num(fmt.Sprint(sk)),
				"at": str(fmt.Sprintf("t%03d", 100-sk)), "payload": str("x")}
			if sk%2 == 0 {
				item["customer"] = str(fmt.Sprintf("c%d", p))
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			if len(reqs) == 25 {
				flush()
			}
		}
	}
	flush()
}

func sortKeys(t *testing.T, items []map[string]types.AttributeValue) string {
	var out []string
	for _, it := range items {
		out = append(out, sval(t, it, "sk"))
	}
	return strings.Join(out, ",")
}

// queryAll pages through a query with the given page size and returns the
// sort keys in order and the number of pages.
func queryAll(t *testing.T, c *dynamodb.Client, in *dynamodb.QueryInput) (string, int) {
	t.Helper()
	var all []map[string]types.AttributeValue
	pages := 0
	for {
		out, err := c.Query(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, out.Items...)
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return sortKeys(t, all), pages
}

func TestQuery(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, eventsTable("events"))
	fillEvents(t, e.DB)
	tbl := aws.String("events")
	vals := func(kv ...string) map[string]types.AttributeValue {
		m := map[string]types.AttributeValue{}
		for i := 0; i < len(kv); i += 2 {
			if strings.HasPrefix(kv[i], ":n") {
				m[kv[i]] = num(kv[i+1])
			} else {
				m[kv[i]] = str(kv[i+1])
			}
		}
		return m
	}
	// Numeric sort order, BETWEEN, paging by 3, forward and backward.
	got, pages := queryAll(t, e.DB, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :n1 AND :n2"),
		ExpressionAttributeValues: vals(":p", "p1", ":n1", "-2", ":n2", "9"), Limit: aws.Int32(3)})
	if got != "-2,-1,0,1,2,3,4,5,6,7,8,9" || pages != 4+1 {
		t.Fatalf("forward = %s in %d pages", got, pages)
	}
	got, _ = queryAll(t, e.DB, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p AND sk < :n"),
		ExpressionAttributeValues: vals(":p", "p1", ":n", "0"), ScanIndexForward: aws.Bool(false), Limit: aws.Int32(2)})
	if got != "-1,-2,-3,-4,-5" {
		t.Fatalf("backward = %s", got)
	}
	// Filter counts against Limit as scanned, not as returned.
	out, err := e.DB.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"),
		FilterExpression: aws.String("attribute_exists(customer)"), ExpressionAttributeValues: vals(":p", "p0"), Limit: aws.Int32(4)})
	if err != nil || out.Count != 2 || out.ScannedCount != 4 || out.LastEvaluatedKey == nil {
		t.Fatalf("filtered = %d/%d %v, %v", out.Count, out.ScannedCount, out.LastEvaluatedKey, err)
	}
	cnt, err := e.DB.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: vals(":p", "p2"), Select: types.SelectCount})
	if err != nil || cnt.Count != 20 || cnt.Items != nil {
		t.Fatalf("COUNT = %d items %d, %v", cnt.Count, len(cnt.Items), err)
	}
	// GSI (sparse, KEYS_ONLY) and LSI (ALL, ordered by at).
	gsi, err := e.DB.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byCustomer"), KeyConditionExpression: aws.String("customer = :c"),
		ExpressionAttributeValues: vals(":c", "c2")})
	if err != nil || gsi.Count != 10 || len(gsi.Items[0]) != 3 {
		t.Fatalf("GSI = %d items %v, %v", gsi.Count, gsi.Items, err)
	}
	got, pages = queryAll(t, e.DB, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byCustomer"), KeyConditionExpression: aws.String("customer = :c"),
		ExpressionAttributeValues: vals(":c", "c2"), Limit: aws.Int32(4)})
	if strings.Count(got, ",") != 9 || pages != 3 {
		t.Fatalf("GSI pages = %s in %d", got, pages)
	}
	lsi, err := e.DB.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byTime"), KeyConditionExpression: aws.String("pk = :p AND begins_with(#a, :t)"),
		ExpressionAttributeNames: map[string]string{"#a": "at"}, ExpressionAttributeValues: vals(":p", "p0", ":t", "t09")})
	if err != nil || sortKeys(t, lsi.Items) != "10,9,8,7,6,5,4,3,2,1" || sval(t, lsi.Items[0], "payload") != "x" {
		t.Fatalf("LSI = %s, %v", sortKeys(t, lsi.Items), err)
	}

	// Inclusive and exclusive bounds on an index sort key: entries carry
	// the table key after the index key, so bounds must not cut them.
	for _, c := range []struct{ cond, want string }{
		{"pk = :p AND #a BETWEEN :t AND :u", "5,4,3,2,1,0"},
		{"pk = :p AND #a > :t", "4,3,2,1,0,-1,-2,-3,-4,-5"},
		{"pk = :p AND #a <= :t", "14,13,12,11,10,9,8,7,6,5"},
		{"pk = :p AND #a = :t", "5"},
	} {
		v := vals(":p", "p0", ":t", "t095", ":u", "t100")
		if !strings.Contains(c.cond, ":u") {
			delete(v, ":u")
		}
		q, err := e.DB.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byTime"), KeyConditionExpression: aws.String(c.cond),
			ExpressionAttributeNames: map[string]string{"#a": "at"}, ExpressionAttributeValues: v})
		if err != nil || sortKeys(t, q.Items) != c.want {
			t.Errorf("%s = %s, %v; want %s", c.cond, sortKeys(t, q.Items), err, c.want)
		}
	}

	errs := []struct {
		in  *dynamodb.QueryInput
		msg string
	}{
		{&dynamodb.QueryInput{TableName: tbl}, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."},
		{&dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("sk > :n"),
			ExpressionAttributeValues: vals(":p", "p0", ":n", "1")}, "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"},
		{&dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("nope"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p0")},
			"The table does not have the specified index: nope"},
		{&dynamodb.QueryInput{TableName: tbl, IndexName: aws.String("byCustomer"), ConsistentRead: aws.Bool(true), KeyConditionExpression: aws.String("customer = :c"), ExpressionAttributeValues: vals(":c", "c0")},
			"Consistent reads are not supported on global secondary indexes"},
		{&dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p0"), Limit: aws.Int32(0)},
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{&dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "p0"),
			ExclusiveStartKey: map[string]types.AttributeValue{"pk": str("p0")}}, "The provided starting key is invalid: The provided key element does not match the schema"},
	}
	for _, c := range errs {
		_, err := e.DB.Query(ctx, c.in)
		wantErr(t, err, "ValidationException", c.msg)
	}
}

func TestScan(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, eventsTable("events"))
	fillEvents(t, e.DB)
	seen := map[string]bool{}
	total := 0
	for seg := range 3 {
		in := &dynamodb.ScanInput{TableName: aws.String("events"), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3), Limit: aws.Int32(7)}
		for {
			out, err := e.DB.Scan(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.Items {
				k := sval(t, it, "pk") + "/" + sval(t, it, "sk")
				if seen[k] {
					t.Fatalf("%s seen twice", k)
				}
				seen[k] = true
				total++
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	if total != 60 {
		t.Fatalf("segmented scan saw %d items", total)
	}
	_, err := e.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("events"), Segment: aws.Int32(3), TotalSegments: aws.Int32(3)})
	wantErr(t, err, "ValidationException", "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3")
	gsi, err := e.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("events"), IndexName: aws.String("byCustomer")})
	if err != nil || gsi.Count != 30 {
		t.Fatalf("GSI scan = %d, %v", gsi.Count, err)
	}
}

// TestOneMegabytePages checks that a page stops at 1 MB of item data.
func TestOneMegabytePages(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	big := strings.Repeat("z", 300*1024)
	for i := range 8 {
		if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
			Item: map[string]types.AttributeValue{"orderID": str(fmt.Sprint(i)), "blob": str(big)}}); err != nil {
			t.Fatal(err)
		}
	}
	in := &dynamodb.ScanInput{TableName: aws.String("orders")}
	var sizes []int
	for {
		out, err := e.DB.Scan(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(out.Items))
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if fmt.Sprint(sizes) != "[4 4 0]" {
		t.Fatalf("page sizes = %v, want [4 4 0]", sizes)
	}
}

// TestIndexUpdates adds a GSI to a table with items (backfilled), queries
// it, keeps it current through later writes, and deletes it.
func TestIndexUpdates(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	in := eventsTable("events")
	in.GlobalSecondaryIndexes = nil
	in.AttributeDefinitions = in.AttributeDefinitions[:2]
	in.LocalSecondaryIndexes = nil
	mustCreate(t, e.DB, in)
	fillEvents(t, e.DB)
	up, err := e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("events"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("customer"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("byCustomer"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("customer"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}}})
	if err != nil || len(up.TableDescription.GlobalSecondaryIndexes) != 1 || len(up.TableDescription.AttributeDefinitions) != 3 {
		t.Fatalf("UpdateTable = %+v, %v", up, err)
	}
	if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"),
		Item: map[string]types.AttributeValue{"pk": str("p9"), "sk": num("1"), "customer": str("c1")}}); err != nil {
		t.Fatal(err)
	}
	q, err := e.DB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byCustomer"),
		KeyConditionExpression: aws.String("customer = :c"), ExpressionAttributeValues: map[string]types.AttributeValue{":c": str("c1")}})
	if err != nil || q.Count != 11 {
		t.Fatalf("backfilled index = %d items, %v", q.Count, err)
	}
	_, err = e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("events"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("byAt"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("at"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}}})
	wantErr(t, err, "ValidationException", "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [at], AttributeDefinitions: [customer, pk, sk]")
	if _, err := e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("events"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byCustomer")}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.DB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byCustomer"),
		KeyConditionExpression: aws.String("customer = :c"), ExpressionAttributeValues: map[string]types.AttributeValue{":c": str("c1")}})
	wantErr(t, err, "ValidationException", "The table does not have the specified index: byCustomer")
	var leftover int
	if err := e.Store.View(func(tx store.Tx) error {
		return tx.ForEach("dynamodb/index", nil, func(_, _ []byte) error { leftover++; return nil })
	}); err != nil || leftover != 0 {
		t.Fatalf("%d index entries left after the delete, %v", leftover, err)
	}
}
