package localrun

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// withoutPutItem copies the templates in dir to a temporary directory,
// the ingest role's dynamodb:PutItem statement granting dynamodb:GetItem
// instead, and returns that directory.
func withoutPutItem(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("templates in %s: %v %v", dir, paths, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if filepath.Base(p) == "ingest.yaml" {
			const grant = "Action: dynamodb:PutItem"
			if n := strings.Count(text, grant); n != 1 {
				t.Fatalf("ingest.yaml has %d %q lines, want the one StoreOrders grant", n, grant)
			}
			text = strings.Replace(text, grant, "Action: dynamodb:GetItem", 1)
		}
		if err := os.WriteFile(filepath.Join(out, filepath.Base(p)), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestIAMBites is issue 7's acceptance test: with the ingest role's
// dynamodb:PutItem removed, the real function's real PutItem is denied
// with AWS's AccessDenied, the order is not stored and reaches the
// dead-letter queue after maxReceiveCount receives; with the permission
// restored by a redeploy, redriving the dead-letter queue stores it.
func TestIAMBites(t *testing.T) {
	ctx := context.Background()
	cloud := startCloud(t, ctx, t.TempDir())
	templates := filepath.Join("..", "..", "infra-cfn")
	zips := hostZips(t)
	if _, err := DeployAll(ctx, cloud.URL, "orders@example.com", templates, zips, io.Discard); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	dep, err := DeployAll(ctx, cloud.URL, "orders@example.com", withoutPutItem(t, templates), zips, io.Discard)
	if err != nil {
		t.Fatalf("deploy without PutItem: %v", err)
	}
	if dep.NoChanges() {
		t.Fatal("the variant template changed nothing")
	}

	cfg := rootConfig(cloud.URL)
	q := sqs.NewFromConfig(cfg)
	queueURL, dlqURL := dep.Outputs["OrdersQueueUrl"], dep.Outputs["OrdersDeadLetterQueueUrl"]
	// The template's 60 s visibility timeout (6 × the function timeout)
	// would make five failed receives take five minutes; the semantics
	// are the same at one second.
	if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		Attributes: map[string]string{"VisibilityTimeout": "1"}}); err != nil {
		t.Fatal(err)
	}
	api := newOrderAPI(t, ctx, cfg, cloud.URL, dep.Outputs)
	db := dynamodb.NewFromConfig(cfg)
	table := dep.Outputs["OrdersTableName"]
	stored := func(id string) bool {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"orderID": &types.AttributeValueMemberS{Value: id}}})
		if err != nil {
			t.Fatalf("GetItem: %v", err)
		}
		return out.Item != nil
	}
	depth := func(url string) string {
		out, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
		if err != nil {
			t.Fatalf("GetQueueAttributes: %v", err)
		}
		return out.Attributes["ApproximateNumberOfMessages"]
	}

	id := api.order(t, TutorialBody, "")
	eventually(t, "order "+id+" in the dead-letter queue", func() bool { return depth(dlqURL) == "1" })
	if stored(id) {
		t.Fatalf("order %s was stored without dynamodb:PutItem", id)
	}
	logs := cloudwatchlogs.NewFromConfig(cfg)
	group := "/aws/lambda/" + dep.Outputs["IngestFunctionName"]
	tableARN := dep.Outputs["OrdersTableArn"]
	eventually(t, "the ingest function logs its AccessDenied", func() bool {
		out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
		if err != nil {
			t.Fatalf("FilterLogEvents %s: %v", group, err)
		}
		for _, e := range out.Events {
			m := aws.ToString(e.Message)
			if strings.Contains(m, id) && strings.Contains(m, "AccessDeniedException") &&
				strings.Contains(m, "is not authorized to perform: dynamodb:PutItem on resource: "+tableARN) {
				return true
			}
		}
		return false
	})

	restored, err := DeployAll(ctx, cloud.URL, "orders@example.com", templates, zips, io.Discard)
	if err != nil {
		t.Fatalf("restoring deploy: %v", err)
	}
	if restored.NoChanges() {
		t.Fatal("restoring the template changed nothing")
	}
	dlq, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(dlqURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlq.Attributes["QueueArn"])}); err != nil {
		t.Fatalf("redrive: %v", err)
	}
	eventually(t, "redriven order "+id+" stored", func() bool { return stored(id) })
	drained(t, ctx, cfg, queueURL)
	if d := depth(dlqURL); d != "0" {
		t.Errorf("dead-letter queue holds %s messages after the redrive", d)
	}
}
