package dynamodb_test

import (
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// newCLI runs the AWS CLI against one endpoint with test credentials and an
// empty configuration.
func newCLI(t *testing.T, endpoint string) *localcloudtest.CLI {
	return localcloudtest.NewCLI(t, endpoint, "test", "test")
}

func TestAWSCLI(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := newCLI(t, e.URL)
	var created struct {
		TableDescription struct {
			TableName       string
			LatestStreamArn string
		}
	}
	c.OK(&created, "dynamodb", "create-table", "--table-name", "orders",
		"--attribute-definitions", "AttributeName=orderID,AttributeType=S",
		"--key-schema", "AttributeName=orderID,KeyType=HASH",
		"--billing-mode", "PAY_PER_REQUEST",
		"--stream-specification", "StreamEnabled=true,StreamViewType=NEW_IMAGE")
	if created.TableDescription.TableName != "orders" || created.TableDescription.LatestStreamArn == "" {
		t.Fatalf("create-table = %+v", created)
	}
	var batch struct{ UnprocessedItems map[string]any }
	c.OK(&batch, "dynamodb", "batch-write-item", "--request-items", `{"orders":[`+
		`{"PutRequest":{"Item":{"orderID":{"S":"a"},"quantity":{"N":"1"}}}},{"PutRequest":{"Item":{"orderID":{"S":"b"}}}},`+
		`{"PutRequest":{"Item":{"orderID":{"S":"c"}}}},{"PutRequest":{"Item":{"orderID":{"S":"d"}}}}]}`)
	if len(batch.UnprocessedItems) != 0 {
		t.Fatalf("batch-write-item left %v", batch.UnprocessedItems)
	}
	c.OK(nil, "dynamodb", "put-item", "--table-name", "orders", "--item", `{"orderID":{"S":"e"}}`,
		"--condition-expression", "attribute_not_exists(orderID)")
	c.Fails("ConditionalCheckFailedException", "dynamodb", "put-item", "--table-name", "orders",
		"--item", `{"orderID":{"S":"a"}}`, "--condition-expression", "attribute_not_exists(orderID)")
	var upd struct{ Attributes map[string]map[string]string }
	c.OK(&upd, "dynamodb", "update-item", "--table-name", "orders", "--key", `{"orderID":{"S":"a"}}`,
		"--update-expression", "ADD quantity :n", "--expression-attribute-values", `{":n":{"N":"2"}}`, "--return-values", "UPDATED_NEW")
	if upd.Attributes["quantity"]["N"] != "3" {
		t.Fatalf("update-item = %+v", upd)
	}
	var got struct{ Item map[string]map[string]string }
	c.OK(&got, "dynamodb", "get-item", "--table-name", "orders", "--key", `{"orderID":{"S":"a"}}`, "--consistent-read")
	if got.Item["quantity"]["N"] != "3" {
		t.Fatalf("get-item = %+v", got)
	}
	// The CLI follows LastEvaluatedKey itself: a page size of 2 takes 3 pages.
	var scan struct{ Count, ScannedCount int }
	c.OK(&scan, "dynamodb", "scan", "--table-name", "orders", "--page-size", "2")
	if scan.Count != 5 {
		t.Fatalf("scan = %+v", scan)
	}
	c.OK(nil, "dynamodb", "delete-item", "--table-name", "orders", "--key", `{"orderID":{"S":"e"}}`)
	c.Fails("ResourceNotFoundException", "dynamodb", "get-item", "--table-name", "nope", "--key", `{"orderID":{"S":"a"}}`)

	var ls struct{ Streams []struct{ StreamArn string } }
	c.OK(&ls, "dynamodbstreams", "list-streams", "--table-name", "orders")
	if len(ls.Streams) != 1 || ls.Streams[0].StreamArn != created.TableDescription.LatestStreamArn {
		t.Fatalf("list-streams = %+v", ls)
	}
	var ds struct {
		StreamDescription struct{ Shards []struct{ ShardId string } }
	}
	c.OK(&ds, "dynamodbstreams", "describe-stream", "--stream-arn", ls.Streams[0].StreamArn)
	var it struct{ ShardIterator string }
	c.OK(&it, "dynamodbstreams", "get-shard-iterator", "--stream-arn", ls.Streams[0].StreamArn,
		"--shard-id", ds.StreamDescription.Shards[0].ShardId, "--shard-iterator-type", "TRIM_HORIZON")
	var recs struct {
		Records []struct {
			EventName string `json:"eventName"`
		}
		NextShardIterator string
	}
	c.OK(&recs, "dynamodbstreams", "get-records", "--shard-iterator", it.ShardIterator)
	var names []string
	for _, r := range recs.Records {
		names = append(names, r.EventName)
	}
	if strings.Join(names, ",") != "INSERT,INSERT,INSERT,INSERT,INSERT,MODIFY,REMOVE" || recs.NextShardIterator == "" {
		t.Fatalf("get-records = %v, next %q", names, recs.NextShardIterator)
	}
	c.OK(nil, "dynamodb", "delete-table", "--table-name", "orders")
}
