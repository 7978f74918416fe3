package provision_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/provision"
	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

func TestPhysicalName(t *testing.T) {
	req := &provision.Request{StackName: "orderflow-dev-ingest", LogicalID: "OrdersDeadLetterQueue", Suffix: "ABCDEFGHIJKLM"}
	if got := provision.PhysicalName(req, 80); got != "orderflow-dev-ingest-OrdersDeadLetterQueue-ABCDEFGHIJKLM" {
		t.Fatalf("name = %s", got)
	}
	req.StackName = strings.Repeat("s", 100)
	got := provision.PhysicalName(req, 80)
	if len(got) != 80 || !strings.HasSuffix(got, "-ABCDEFGHIJKLM") || !strings.Contains(got, "-Orders") {
		t.Fatalf("shortened name = %s (%d)", got, len(got))
	}
}

func TestSpecs(t *testing.T) {
	reg := provision.Defaults(provision.Services{})
	q, ok := reg.Lookup("AWS::SQS::Queue")
	if !ok || !q.RequiresReplacement("QueueName") || q.RequiresReplacement("VisibilityTimeout") || !q.HasAttribute("Arn") || q.HasAttribute("Nope") {
		t.Fatalf("queue spec = %+v", q)
	}
	if err := q.CheckProperties(map[string]any{"VisibilityTimeout": 1, "Bogus": 2}); err == nil || !strings.Contains(err.Error(), "[Bogus]") {
		t.Fatalf("CheckProperties = %v", err)
	}
	if q.Provider != nil {
		t.Fatal("a queue provider without a queue service")
	}
	role, _ := reg.Lookup("AWS::IAM::Role")
	if role.Capability != "CAPABILITY_IAM" || role.NamedCapability != "CAPABILITY_NAMED_IAM" {
		t.Fatalf("role spec = %+v", role)
	}
}

// infraTemplates parses the repository's templates, by file name.
func infraTemplates(t *testing.T) map[string]*template.Template {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "..", "infra-cfn", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	out := map[string]*template.Template{}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := template.Parse(body)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = tpl
	}
	return out
}

// Every resource type the repository's templates use is known to the
// registry (provisioned or not yet).
func TestInfraTypesKnown(t *testing.T) {
	reg := provision.Defaults(provision.Services{})
	for file, tpl := range infraTemplates(t) {
		for name, r := range tpl.Resources {
			if _, ok := reg.Lookup(r.Type); !ok {
				t.Errorf("%s: %s has unknown type %s", file, name, r.Type)
			}
		}
		for _, ref := range tpl.AttributeReferences() {
			spec, _ := reg.Lookup(tpl.Resources[ref[0]].Type)
			if !spec.HasAttribute(ref[1]) {
				t.Errorf("%s: %s.%s is not an attribute of %s", file, ref[0], ref[1], spec.Type)
			}
		}
	}
}

func newTables(t *testing.T) *dynamodb.Service {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc, err := dynamodb.New(dynamodb.Config{Store: st, Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		IDs: ids.New(rand.NewChaCha8([32]byte{3})), Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestTableProvider(t *testing.T) {
	tables := newTables(t)
	spec, _ := provision.Defaults(provision.Services{Tables: tables}).Lookup("AWS::DynamoDB::Table")
	ctx := context.Background()
	props := map[string]any{
		"TableName":                        "orders",
		"BillingMode":                      "PAY_PER_REQUEST",
		"AttributeDefinitions":             []any{map[string]any{"AttributeName": "orderID", "AttributeType": "S"}},
		"KeySchema":                        []any{map[string]any{"AttributeName": "orderID", "KeyType": "HASH"}},
		"StreamSpecification":              map[string]any{"StreamViewType": "NEW_IMAGE"},
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
		"SSESpecification":                 map[string]any{"SSEEnabled": true, "SSEType": "KMS"},
		"DeletionProtectionEnabled":        false,
		"Tags":                             []any{map[string]any{"Key": "stage", "Value": "dev"}},
	}
	req := &provision.Request{StackName: "s", LogicalID: "Orders", Region: "us-east-1", Account: "000000000000", Properties: props, Suffix: "ABCDEFGHIJKLM"}
	res, err := spec.Provider.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.PhysicalID != "orders" || res.Attributes["Arn"] != "arn:aws:dynamodb:us-east-1:000000000000:table/orders" ||
		!strings.HasPrefix(res.Attributes["StreamArn"].(string), "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/") {
		t.Fatalf("result = %+v", res)
	}
	backups, err := tables.DescribeContinuousBackups(ctx, &dynamodb.TableNameInput{TableName: "orders"})
	if err != nil ||
		backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != "ENABLED" {
		t.Fatalf("PITR = %+v, %v", backups, err)
	}

	// In place: a new stream view type gives a new stream; deletion
	// protection turns on.
	next := map[string]any{}
	for k, v := range props {
		next[k] = v
	}
	next["StreamSpecification"] = map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"}
	next["DeletionProtectionEnabled"] = true
	upd, err := spec.Provider.Update(ctx, &provision.Request{PhysicalID: "orders", Properties: next, OldProperties: props, Attributes: res.Attributes})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Attributes["StreamArn"] == res.Attributes["StreamArn"] {
		t.Fatal("stream ARN unchanged after a new view type")
	}
	desc, err := tables.DescribeTable(ctx, &dynamodb.TableNameInput{TableName: "orders"})
	if err != nil || desc.Table.StreamSpecification == nil || desc.Table.StreamSpecification.StreamViewType != "NEW_AND_OLD_IMAGES" {
		t.Fatalf("table = %+v, %v", desc, err)
	}
	// Deletion protection refuses the delete, as DynamoDB does.
	if err := spec.Provider.Delete(ctx, &provision.Request{PhysicalID: "orders", OldProperties: next}); err == nil {
		t.Fatal("deleted a protected table")
	}
	if _, err := spec.Provider.Update(ctx, &provision.Request{PhysicalID: "orders", Properties: props, OldProperties: next, Attributes: upd.Attributes}); err != nil {
		t.Fatal(err)
	}
	if err := spec.Provider.Delete(ctx, &provision.Request{PhysicalID: "orders", OldProperties: props}); err != nil {
		t.Fatal(err)
	}
	if err := spec.Provider.Delete(ctx, &provision.Request{PhysicalID: "orders", OldProperties: props}); err != nil {
		t.Fatalf("deleting a deleted table: %v", err)
	}
}
