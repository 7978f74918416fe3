package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func ordersTable(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("orderID"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("orderID"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
	}
}

// eventsTable has a composite key, a GSI (KEYS_ONLY) and an LSI (ALL).
func eventsTable(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("customer"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("at"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byCustomer"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("customer"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("byTime"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("at"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		BillingMode: types.BillingModePayPerRequest,
	}
}

func mustCreate(t *testing.T, c *dynamodb.Client, in *dynamodb.CreateTableInput) *types.TableDescription {
	t.Helper()
	out, err := c.CreateTable(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", aws.ToString(in.TableName), err)
	}
	return out.TableDescription
}

func TestTableLifecycle(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	d := mustCreate(t, e.DB, ordersTable("orders"))
	if d.TableStatus != types.TableStatusCreating || aws.ToString(d.TableArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/orders" {
		t.Fatalf("create = %s %s", d.TableStatus, aws.ToString(d.TableArn))
	}
	if d.LatestStreamArn == nil || aws.ToString(d.LatestStreamArn) != aws.ToString(d.TableArn)+"/stream/"+aws.ToString(d.LatestStreamLabel) {
		t.Fatalf("stream arn %s label %s", aws.ToString(d.LatestStreamArn), aws.ToString(d.LatestStreamLabel))
	}
	_, err := e.DB.CreateTable(ctx, ordersTable("orders"))
	var inUse *types.ResourceInUseException
	if !errors.As(err, &inUse) {
		t.Fatalf("second create: %v", err)
	}
	wantErr(t, err, "ResourceInUseException", "Table already exists: orders")

	desc, err := e.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	tb := desc.Table
	if tb.TableStatus != types.TableStatusActive || tb.BillingModeSummary.BillingMode != types.BillingModePayPerRequest ||
		aws.ToInt64(tb.ItemCount) != 0 || tb.StreamSpecification == nil || tb.StreamSpecification.StreamViewType != types.StreamViewTypeNewImage {
		t.Fatalf("describe = %+v", tb)
	}
	_, err = e.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("describe missing: %v", err)
	}
	wantErr(t, err, "ResourceNotFoundException", "Requested resource not found: Table: nope not found")

	for i := range 4 {
		mustCreate(t, e.DB, ordersTable(fmt.Sprintf("tbl%d", i)))
	}
	var names []string
	var start *string
	pages := 0
	for {
		out, err := e.DB.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(2), ExclusiveStartTableName: start})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, out.TableNames...)
		if out.LastEvaluatedTableName == nil {
			break
		}
		start = out.LastEvaluatedTableName
	}
	if fmt.Sprint(names) != "[orders tbl0 tbl1 tbl2 tbl3]" || pages != 3 {
		t.Fatalf("ListTables = %v in %d pages", names, pages)
	}
	_, err = e.DB.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(101)})
	wantErr(t, err, "ValidationException", "")

	// UpdateTable: billing and stream.
	up, err := e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("tbl0"), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(7)},
		StreamSpecification:   &types.StreamSpecification{StreamEnabled: aws.Bool(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if up.TableDescription.BillingModeSummary.BillingMode != types.BillingModeProvisioned || aws.ToInt64(up.TableDescription.ProvisionedThroughput.WriteCapacityUnits) != 7 ||
		up.TableDescription.StreamSpecification != nil {
		t.Fatalf("update = %+v", up.TableDescription)
	}
	_, err = e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("tbl0"), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}})
	wantErr(t, err, "ValidationException", "Table already has no enabled stream: TableName: tbl0")

	// TTL, PITR, tags.
	if _, err := e.DB.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("orders"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	ttl, err := e.DB.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("orders")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Fatalf("ttl = %+v, %v", ttl, err)
	}
	pitr, err := e.DB.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("orders"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	if err != nil || pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled {
		t.Fatalf("pitr = %+v, %v", pitr, err)
	}
	_, err = e.DB.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("nope")})
	var tnf *types.TableNotFoundException
	if !errors.As(err, &tnf) {
		t.Fatalf("backups of missing table: %v", err)
	}
	arn := aws.ToString(d.TableArn)
	if _, err := e.DB.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.DB.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}

	// Re-created under a stopped clock, a table still gets a new stream.
	if _, err := e.DB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	again := mustCreate(t, e.DB, ordersTable("orders"))
	if aws.ToString(again.LatestStreamArn) == aws.ToString(d.LatestStreamArn) {
		t.Fatalf("re-created table reuses stream %s", aws.ToString(d.LatestStreamArn))
	}
	lim, err := e.DB.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	if err != nil || aws.ToInt64(lim.TableMaxWriteCapacityUnits) == 0 {
		t.Fatalf("DescribeLimits = %+v, %v", lim, err)
	}

	del, err := e.DB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("tbl1")})
	if err != nil || del.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	_, err = e.DB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("tbl1")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestCreateTableValidation(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	s := func(v string) *string { return aws.String(v) }
	cases := []struct {
		name string
		in   func(*dynamodb.CreateTableInput)
		msg  string
	}{
		{"undefined key", func(in *dynamodb.CreateTableInput) {
			in.KeySchema[0].AttributeName = s("id")
		}, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [orderID]"},
		{"extra definition", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: s("x"), AttributeType: types.ScalarAttributeTypeS})
		}, "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"bad type", func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions[0].AttributeType = "BOOL"
		}, "1 validation error detected: Value 'BOOL' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"},
		{"range first", func(in *dynamodb.CreateTableInput) {
			in.KeySchema[0].KeyType = types.KeyTypeRange
		}, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"provisioned without throughput", func(in *dynamodb.CreateTableInput) {
			in.BillingMode = types.BillingModeProvisioned
		}, "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"short name", func(in *dynamodb.CreateTableInput) {
			in.TableName = s("ab")
		}, "TableName must be at least 3 characters long and at most 255 characters long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ordersTable("valid")
			c.in(in)
			_, err := e.DB.CreateTable(ctx, in)
			wantErr(t, err, "ValidationException", c.msg)
		})
	}
}

// TestTableSettings creates a table as infra-cfn's ingest stack declares it
// (encryption, tags, deletion protection) and reads the settings back.
func TestTableSettings(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	in := ordersTable("orderflow-prod-orders")
	in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms}
	in.Tags = []types.Tag{{Key: aws.String("orderflow:stage"), Value: aws.String("prod")}}
	in.DeletionProtectionEnabled = aws.Bool(true)
	d := mustCreate(t, e.DB, in)
	if d.SSEDescription == nil || d.SSEDescription.Status != types.SSEStatusEnabled || d.SSEDescription.SSEType != types.SSETypeKms ||
		!aws.ToBool(d.DeletionProtectionEnabled) {
		t.Fatalf("create = %+v", d)
	}
	tags, err := e.DB.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "prod" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	_, err = e.DB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: in.TableName})
	wantErr(t, err, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	if _, err := e.DB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: in.TableName, DeletionProtectionEnabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: in.TableName}); err != nil {
		t.Fatal(err)
	}
	_, err = e.DB.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn})
	wantErr(t, err, "ResourceNotFoundException", "")
}
