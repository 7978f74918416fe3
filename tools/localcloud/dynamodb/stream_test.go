package dynamodb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/orderflow/orderflow/contracts"
	ddb "github.com/orderflow/orderflow/tools/localcloud/dynamodb"
)

func streamOf(t *testing.T, e *env, table string) (arn, shard string) {
	t.Helper()
	ctx := context.Background()
	ls, err := e.Streams.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String(table)})
	if err != nil || len(ls.Streams) != 1 {
		t.Fatalf("ListStreams = %+v, %v", ls, err)
	}
	arn = aws.ToString(ls.Streams[0].StreamArn)
	ds, err := e.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil || len(ds.StreamDescription.Shards) != 1 {
		t.Fatalf("DescribeStream = %+v, %v", ds, err)
	}
	return arn, aws.ToString(ds.StreamDescription.Shards[0].ShardId)
}

func iterator(t *testing.T, e *env, arn, shard string, typ stypes.ShardIteratorType, seq string) *string {
	t.Helper()
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: typ}
	if seq != "" {
		in.SequenceNumber = aws.String(seq)
	}
	out, err := e.Streams.GetShardIterator(context.Background(), in)
	if err != nil {
		t.Fatalf("GetShardIterator %s: %v", typ, err)
	}
	return out.ShardIterator
}

func records(t *testing.T, e *env, it *string) ([]stypes.Record, *string) {
	t.Helper()
	out, err := e.Streams.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: it})
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	return out.Records, out.NextShardIterator
}

func streamS(v stypes.AttributeValue) string {
	switch v := v.(type) {
	case *stypes.AttributeValueMemberS:
		return v.Value
	case *stypes.AttributeValueMemberN:
		return v.Value
	case nil:
		return "<missing>"
	}
	return fmt.Sprintf("%T", v)
}

func TestStreamRecords(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	in := ordersTable("orders")
	in.StreamSpecification.StreamViewType = types.StreamViewTypeNewAndOldImages
	mustCreate(t, e.DB, in)
	arn, shard := streamOf(t, e, "orders")
	tbl := aws.String("orders")
	key := map[string]types.AttributeValue{"orderID": str("o-1")}
	put := func(v string) {
		if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("o-1"), "v": str(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	put("a")
	put("a") // identical: no record
	if _, err := e.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: key, UpdateExpression: aws.String("SET v = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("b")}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("o-1")}, ConditionExpression: aws.String("attribute_not_exists(orderID)")})
	wantErr(t, err, "ConditionalCheckFailedException", "") // failed condition: no record
	if _, err := e.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: key}); err != nil { // missing: no record
		t.Fatal(err)
	}

	recs, next := records(t, e, iterator(t, e, arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(recs) != 3 || next == nil {
		t.Fatalf("records = %d, next %v", len(recs), next)
	}
	want := []struct{ name, oldV, newV string }{{"INSERT", "<missing>", "a"}, {"MODIFY", "a", "b"}, {"REMOVE", "b", "<missing>"}}
	var prev string
	for i, r := range recs {
		d := r.Dynamodb
		if string(r.EventName) != want[i].name || streamS(d.OldImage["v"]) != want[i].oldV || streamS(d.NewImage["v"]) != want[i].newV {
			t.Errorf("record %d = %s old %v new %v", i, r.EventName, d.OldImage, d.NewImage)
		}
		if aws.ToString(r.EventVersion) != "1.1" || aws.ToString(r.EventSource) != "aws:dynamodb" || aws.ToString(r.AwsRegion) != "us-east-1" ||
			len(aws.ToString(r.EventID)) == 0 || streamS(d.Keys["orderID"]) != "o-1" || d.StreamViewType != stypes.StreamViewTypeNewAndOldImages ||
			aws.ToInt64(d.SizeBytes) <= 0 || d.ApproximateCreationDateTime == nil {
			t.Errorf("record %d shape = %+v %+v", i, r, d)
		}
		seq := aws.ToString(d.SequenceNumber)
		if seq <= prev {
			t.Errorf("sequence %s after %s", seq, prev)
		}
		prev = seq
	}
	// Nothing more yet, but the shard is open: an iterator comes back.
	more, next2 := records(t, e, next)
	if len(more) != 0 || next2 == nil {
		t.Fatalf("empty read = %d records, next %v", len(more), next2)
	}
	seq1, seq2 := aws.ToString(recs[1].Dynamodb.SequenceNumber), aws.ToString(recs[2].Dynamodb.SequenceNumber)
	if got, _ := records(t, e, iterator(t, e, arn, shard, stypes.ShardIteratorTypeAtSequenceNumber, seq1)); len(got) != 2 {
		t.Fatalf("AT_SEQUENCE_NUMBER read %d", len(got))
	}
	if got, _ := records(t, e, iterator(t, e, arn, shard, stypes.ShardIteratorTypeAfterSequenceNumber, seq1)); len(got) != 1 || aws.ToString(got[0].Dynamodb.SequenceNumber) != seq2 {
		t.Fatalf("AFTER_SEQUENCE_NUMBER read %d", len(got))
	}
	latest := iterator(t, e, arn, shard, stypes.ShardIteratorTypeLatest, "")
	put("c")
	if got, _ := records(t, e, latest); len(got) != 1 || got[0].EventName != stypes.OperationTypeInsert {
		t.Fatalf("LATEST read %+v", got)
	}

	// Iterators expire after 15 minutes; records after 24 hours.
	e.Clock.Advance(16 * time.Minute)
	_, err = e.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: next2})
	var expired *stypes.ExpiredIteratorException
	if !errors.As(err, &expired) {
		t.Fatalf("old iterator: %v", err)
	}
	e.Clock.Advance(24 * time.Hour)
	_, err = e.Streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard),
		ShardIteratorType: stypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seq1)})
	var trimmed *stypes.TrimmedDataAccessException
	if !errors.As(err, &trimmed) {
		t.Fatalf("trimmed sequence: %v", err)
	}
	if got, _ := records(t, e, iterator(t, e, arn, shard, stypes.ShardIteratorTypeTrimHorizon, "")); len(got) != 0 {
		t.Fatalf("TRIM_HORIZON after retention read %d", len(got))
	}

	// Errors.
	_, err = e.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn + "x")})
	var nf *stypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown stream: %v", err)
	}
	_, err = e.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("garbage")})
	wantErr(t, err, "ValidationException", "Invalid ShardIterator")
	_, err = e.Streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String("shardId-nope"), ShardIteratorType: stypes.ShardIteratorTypeLatest})
	wantErr(t, err, "ResourceNotFoundException", "")

	// Disabling the stream closes the shard: reading to its end gives no next iterator.
	if _, err := e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: tbl, StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	ds, err := e.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil || ds.StreamDescription.StreamStatus != stypes.StreamStatusDisabled || ds.StreamDescription.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("disabled stream = %+v, %v", ds, err)
	}
	if got, next := records(t, e, iterator(t, e, arn, shard, stypes.ShardIteratorTypeTrimHorizon, "")); len(got) != 0 || next != nil {
		t.Fatalf("closed shard read %d records, next %v", len(got), next)
	}
}

func TestStreamViewTypes(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	for _, vt := range []types.StreamViewType{types.StreamViewTypeKeysOnly, types.StreamViewTypeNewImage, types.StreamViewTypeOldImage} {
		name := "t-" + string(vt)
		in := ordersTable(name)
		in.StreamSpecification.StreamViewType = vt
		mustCreate(t, e.DB, in)
		for _, v := range []string{"1", "2"} {
			if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: map[string]types.AttributeValue{"orderID": str("k"), "v": num(v)}}); err != nil {
				t.Fatal(err)
			}
		}
		arn, shard := streamOf(t, e, name)
		recs, _ := records(t, e, iterator(t, e, arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
		if len(recs) != 2 {
			t.Fatalf("%s: %d records", vt, len(recs))
		}
		m := recs[1].Dynamodb
		got := fmt.Sprintf("keys=%d old=%s new=%s", len(m.Keys), streamS(m.OldImage["v"]), streamS(m.NewImage["v"]))
		want := map[types.StreamViewType]string{
			types.StreamViewTypeKeysOnly: "keys=1 old=<missing> new=<missing>",
			types.StreamViewTypeNewImage: "keys=1 old=<missing> new=2",
			types.StreamViewTypeOldImage: "keys=1 old=1 new=<missing>",
		}[vt]
		if got != want || string(m.StreamViewType) != string(vt) {
			t.Errorf("%s: %s, want %s", vt, got, want)
		}
	}
}

// TestStreamInvariant writes concurrently (conditional creates, counters and
// deletes on a few hot items), then reads the store: every committed item
// version has exactly one record, in order per item, and no failed write
// left one.
func TestStreamInvariant(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	in := ordersTable("orders")
	in.StreamSpecification.StreamViewType = types.StreamViewTypeNewAndOldImages
	mustCreate(t, e.DB, in)
	const workers, perWorker, items = 8, 40, 5
	var mu sync.Mutex
	succeeded := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				key := map[string]types.AttributeValue{"orderID": str(fmt.Sprintf("item%d", (w+i)%items))}
				var err error
				switch i % 4 {
				case 0:
					_, err = e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
						Item: map[string]types.AttributeValue{"orderID": key["orderID"], "v": num("1")}, ConditionExpression: aws.String("attribute_not_exists(orderID)")})
				case 3:
					_, err = e.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("orders"), Key: key,
						ConditionExpression: aws.String("v >= :three"), ExpressionAttributeValues: map[string]types.AttributeValue{":three": num("3")}})
				default:
					_, err = e.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key,
						UpdateExpression: aws.String("SET v = v + :one"), ConditionExpression: aws.String("attribute_exists(orderID)"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":one": num("1")}})
				}
				var ccf *types.ConditionalCheckFailedException
				if err != nil && !errors.As(err, &ccf) {
					t.Error(err)
					return
				}
				if err == nil {
					mu.Lock()
					succeeded++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	// Enough further records (12 batches of 25 inserts) that the stream
	// spans more than one 256-record block whatever the interleaving.
	for b := range 12 {
		var reqs []types.WriteRequest
		for i := range 25 {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
				"orderID": str(fmt.Sprintf("batch%d-%d", b, i)), "v": num("1")}}})
		}
		if _, err := e.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"orders": reqs}}); err != nil {
			t.Fatal(err)
		}
		succeeded += 25
	}
	info, err := e.Service.Streams()
	if err != nil || len(info) != 1 {
		t.Fatalf("streams = %v, %v", info, err)
	}
	recs, err := e.Service.ReadStream(info[0].Arn, 0, 1<<20, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	// Reading in pages (across 256-record blocks) gives the same records.
	var paged []ddb.StreamRecord
	for after := uint64(0); ; {
		page, err := e.Service.ReadStream(info[0].Arn, after, 37, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after, _ = ddb.ParseSequenceNumber(page[len(page)-1].Dynamodb.SequenceNumber)
	}
	if len(paged) != len(recs) || len(recs) < 257 {
		t.Fatalf("paged read %d records, single read %d (want more than one block)", len(paged), len(recs))
	}
	for i := range paged {
		if paged[i].EventID != recs[i].EventID {
			t.Fatalf("paged record %d differs", i)
		}
	}
	// Deletes of missing items succeed without a record; count only changes.
	perItem := map[string][]ddb.StreamRecord{}
	for _, r := range recs {
		k := r.Dynamodb.Keys["orderID"].Str()
		perItem[k] = append(perItem[k], r)
	}
	for k, rs := range perItem {
		// Replay: each record's OldImage must be the previous record's NewImage.
		var cur string
		for i, r := range rs {
			old, nw := "", ""
			if v, ok := r.Dynamodb.OldImage["v"]; ok {
				old = v.Num().String()
			}
			if v, ok := r.Dynamodb.NewImage["v"]; ok {
				nw = v.Num().String()
			}
			if old != cur {
				t.Fatalf("%s record %d (%s) old v=%q, previous version v=%q", k, i, r.EventName, old, cur)
			}
			cur = nw
		}
		// The final version is what the table holds.
		got, err := e.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"orderID": str(k)}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if v := sval(t, got.Item, "v"); (cur == "" && got.Item != nil) || (cur != "" && v != cur) {
			t.Fatalf("%s: table has v=%s, stream ends at %q", k, v, cur)
		}
	}
	if len(recs) == 0 || len(recs) > succeeded {
		t.Fatalf("%d records for %d successful writes", len(recs), succeeded)
	}
	for i, r := range recs {
		if seq, _ := ddb.ParseSequenceNumber(r.Dynamodb.SequenceNumber); seq != uint64(i+1) {
			t.Fatalf("record %d has sequence %s", i, r.Dynamodb.SequenceNumber)
		}
	}
}

// TestStreamWait checks that a reader blocked on StreamWait is woken by a
// commit (no polling).
func TestStreamWait(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	info, err := e.Service.Streams()
	if err != nil {
		t.Fatal(err)
	}
	arn := info[0].Arn
	woke := make(chan []ddb.StreamRecord)
	go func() {
		for {
			wait, err := e.Service.StreamWait(arn)
			if err != nil {
				t.Error(err)
				return
			}
			recs, err := e.Service.ReadStream(arn, 0, 10, 1<<20)
			if err != nil {
				t.Error(err)
				return
			}
			if len(recs) > 0 {
				woke <- recs
				return
			}
			<-wait
		}
	}()
	if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"orderID": str("x")}}); err != nil {
		t.Fatal(err)
	}
	if recs := <-woke; len(recs) != 1 || recs[0].EventName != "INSERT" {
		t.Fatalf("woken with %+v", recs)
	}
}

// TestRestartKeepsState reopens the data directory: tables, items, indexes
// and stream positions survive.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	e := start(t, envOptions{dataDir: dir})
	ctx := context.Background()
	mustCreate(t, e.DB, eventsTable("events"))
	mustCreate(t, e.DB, ordersTable("orders"))
	fillEvents(t, e.DB)
	if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"orderID": str("a")}}); err != nil {
		t.Fatal(err)
	}
	e.stop()
	e2 := start(t, envOptions{dataDir: dir, clock: e.Clock})
	d, err := e2.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("events")})
	if err != nil || aws.ToInt64(d.Table.ItemCount) != 60 {
		t.Fatalf("events after restart = %+v, %v", d, err)
	}
	q, err := e2.DB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byCustomer"),
		KeyConditionExpression: aws.String("customer = :c"), ExpressionAttributeValues: map[string]types.AttributeValue{":c": str("c1")}})
	if err != nil || q.Count != 10 {
		t.Fatalf("GSI after restart = %d, %v", q.Count, err)
	}
	if _, err := e2.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"orderID": str("b")}}); err != nil {
		t.Fatal(err)
	}
	arn, shard := streamOf(t, e2, "orders")
	recs, _ := records(t, e2, iterator(t, e2, arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(recs) != 2 || streamS(recs[1].Dynamodb.Keys["orderID"]) != "b" || aws.ToString(recs[1].Dynamodb.SequenceNumber) != ddb.FormatSequenceNumber(2) {
		t.Fatalf("records after restart = %+v", recs)
	}
}

// lambdaImage turns an SDK stream image back into the JSON Lambda delivers
// and decodes it as aws-lambda-go does.
func lambdaImage(t *testing.T, img map[string]stypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	var conv func(v stypes.AttributeValue) any
	conv = func(v stypes.AttributeValue) any {
		switch v := v.(type) {
		case *stypes.AttributeValueMemberS:
			return map[string]any{"S": v.Value}
		case *stypes.AttributeValueMemberN:
			return map[string]any{"N": v.Value}
		case *stypes.AttributeValueMemberBOOL:
			return map[string]any{"BOOL": v.Value}
		case *stypes.AttributeValueMemberM:
			m := map[string]any{}
			for k, x := range v.Value {
				m[k] = conv(x)
			}
			return map[string]any{"M": m}
		}
		t.Fatalf("unexpected attribute %T", v)
		return nil
	}
	image := map[string]any{}
	for k, v := range img {
		image[k] = conv(v)
	}
	event, err := json.Marshal(map[string]any{"Records": []any{map[string]any{"eventName": "INSERT", "dynamodb": map[string]any{"NewImage": image}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.Records[0].Change.NewImage
}

// TestIngestOrderThroughStream stores an order as the ingest function does
// (contracts' attributes, attribute_not_exists, duplicate delivery treated as
// success) and decodes its stream record with contracts into the same order.
func TestIngestOrderThroughStream(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	body := `{"schemaVersion":1,"requestID":"c0ffee00-0000-4000-8000-000000000001","idempotencyKey":"order-42","receivedAt":1764230400123,"order":{"item":"latex gloves","customerID":"12345","quantity":3}}`
	order, err := contracts.DecodeQueueMessage(body, "msg-1", "1764230400200")
	if err != nil {
		t.Fatal(err)
	}
	item, err := order.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	for delivery := range 2 {
		_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: item, ConditionExpression: aws.String("attribute_not_exists(orderID)")})
		var ccf *types.ConditionalCheckFailedException
		if err != nil && !(delivery == 1 && errors.As(err, &ccf)) {
			t.Fatalf("delivery %d: %v", delivery, err)
		}
	}
	arn, shard := streamOf(t, e, "orders")
	recs, _ := records(t, e, iterator(t, e, arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(recs) != 1 || recs[0].EventName != stypes.OperationTypeInsert {
		t.Fatalf("records = %+v", recs)
	}
	got, err := contracts.StoredOrderFromStreamImage(lambdaImage(t, recs[0].Dynamodb.NewImage))
	if err != nil {
		t.Fatal(err)
	}
	if !got.ReceivedAt.Equal(order.ReceivedAt) {
		t.Fatalf("receivedAt %v, want %v", got.ReceivedAt, order.ReceivedAt)
	}
	got.ReceivedAt = order.ReceivedAt
	if got != order {
		t.Fatalf("decoded %+v, want %+v", got, order)
	}
}

// TestStreamReenable disables and re-enables a table's stream: the old
// stream is closed but still readable, the new one gets a new ARN and the
// later records.
func TestStreamReenable(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	mustCreate(t, e.DB, ordersTable("orders"))
	put := func(id string) {
		if _, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"orderID": str(id)}}); err != nil {
			t.Fatal(err)
		}
	}
	put("before")
	oldArn, oldShard := streamOf(t, e, "orders")
	for _, enabled := range []bool{false, true} {
		spec := &types.StreamSpecification{StreamEnabled: aws.Bool(enabled)}
		if enabled {
			spec.StreamViewType = types.StreamViewTypeKeysOnly
		}
		if _, err := e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"), StreamSpecification: spec}); err != nil {
			t.Fatal(err)
		}
		if !enabled {
			put("while-disabled")
		}
	}
	put("after")
	ls, err := e.Streams.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("orders")})
	if err != nil || len(ls.Streams) != 2 {
		t.Fatalf("ListStreams = %+v, %v", ls, err)
	}
	d, err := e.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	newArn := aws.ToString(d.Table.LatestStreamArn)
	if newArn == oldArn {
		t.Fatal("re-enabled stream kept its ARN")
	}
	old, next := records(t, e, iterator(t, e, oldArn, oldShard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(old) != 1 || streamS(old[0].Dynamodb.Keys["orderID"]) != "before" || next != nil {
		t.Fatalf("old stream = %+v, next %v", old, next)
	}
	ds, err := e.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(newArn)})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := records(t, e, iterator(t, e, newArn, aws.ToString(ds.StreamDescription.Shards[0].ShardId), stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(recs) != 1 || streamS(recs[0].Dynamodb.Keys["orderID"]) != "after" || recs[0].Dynamodb.NewImage != nil {
		t.Fatalf("new stream = %+v", recs)
	}
}
