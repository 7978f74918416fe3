package dynamodb_test

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/logging"
)

// crcRecorder is a transport that notes, for each response, whether its
// X-Amz-Crc32 header is the CRC32 of the body it carries.
type crcRecorder struct {
	mu  sync.Mutex
	bad []string
	n   int
}

func (c *crcRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if got := resp.Header.Get("X-Amz-Crc32"); got != want {
		c.bad = append(c.bad, target+": X-Amz-Crc32 "+strconv.Quote(got)+", body CRC32 "+want)
	}
	return resp, nil
}

// DynamoDB answers carry the CRC32 of their body, as AWS's do: the SDK
// checks every body against the header (a missing one counts as 0) and
// logs a warning for each mismatch, which functions printed on every call.
func TestResponseCRC32(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	rec := &crcRecorder{}
	var logged bytes.Buffer
	db := dynamodb.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.URL),
		HTTPClient:   &http.Client{Transport: rec, Timeout: 60 * time.Second},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		Logger:       logging.NewStandardLogger(&logged),
	})
	mustCreate(t, db, ordersTable("orders"))
	tbl := aws.String("orders")
	key := map[string]types.AttributeValue{"orderID": str("o-1")}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: map[string]types.AttributeValue{"orderID": str("o-1"), "item": str("gloves")}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || sval(t, got.Item, "item") != "gloves" {
		t.Fatalf("GetItem = %v, %v", got, err)
	}
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: key, UpdateExpression: aws.String("SET notified = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": str("now")}, ReturnValues: types.ReturnValueAllNew}); err != nil {
		t.Fatal(err)
	}
	q, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("orderID = :o"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": str("o-1")}})
	if err != nil || len(q.Items) != 1 {
		t.Fatalf("Query = %v, %v", q, err)
	}
	// Errors carry it too.
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: key, UpdateExpression: aws.String("SET notified = :t"),
		ConditionExpression:       aws.String("attribute_not_exists(notified)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": str("later")}})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("conditional UpdateItem: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.n != 6 || len(rec.bad) != 0 {
		t.Errorf("%d responses; wrong checksums:\n%s", rec.n, strings.Join(rec.bad, "\n"))
	}
	if strings.Contains(logged.String(), "checksum") {
		t.Errorf("SDK logged:\n%s", logged.String())
	}
}
