package dynamodb

import (
	"encoding/json"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// Wire shapes of the DynamoDB API (botocore's dynamodb 2012-08-10 model).
// Members that carry AttributeValues are kept raw on input and parsed by the
// operation, so that an invalid value gets DynamoDB's ValidationException
// rather than a generic decoding error.

// KeySchemaElement is one key attribute of a table or index.
type KeySchemaElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

// AttributeDefinition declares a key attribute's type.
type AttributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

// ProvisionedThroughput is a table's or index's capacity.
type ProvisionedThroughput struct {
	ReadCapacityUnits  *int64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits *int64 `json:"WriteCapacityUnits,omitempty"`
}

// Projection says which attributes an index holds.
type Projection struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

// SecondaryIndex is a GSI or LSI as CreateTable takes it.
type SecondaryIndex struct {
	IndexName             string                 `json:"IndexName"`
	KeySchema             []KeySchemaElement     `json:"KeySchema"`
	Projection            *Projection            `json:"Projection"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
}

// StreamSpecification enables a table's stream.
type StreamSpecification struct {
	StreamEnabled  *bool  `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

// SSESpecification is stored and described back.
type SSESpecification struct {
	Enabled        *bool  `json:"Enabled,omitempty"`
	SSEType        string `json:"SSEType,omitempty"`
	KMSMasterKeyID string `json:"KMSMasterKeyId,omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// CreateTableInput is CreateTable's request.
type CreateTableInput struct {
	TableName                 string                 `json:"TableName"`
	AttributeDefinitions      []AttributeDefinition  `json:"AttributeDefinitions"`
	KeySchema                 []KeySchemaElement     `json:"KeySchema"`
	LocalSecondaryIndexes     []SecondaryIndex       `json:"LocalSecondaryIndexes"`
	GlobalSecondaryIndexes    []SecondaryIndex       `json:"GlobalSecondaryIndexes"`
	BillingMode               string                 `json:"BillingMode"`
	ProvisionedThroughput     *ProvisionedThroughput `json:"ProvisionedThroughput"`
	StreamSpecification       *StreamSpecification   `json:"StreamSpecification"`
	SSESpecification          *SSESpecification      `json:"SSESpecification"`
	Tags                      []Tag                  `json:"Tags"`
	TableClass                string                 `json:"TableClass"`
	DeletionProtectionEnabled *bool                  `json:"DeletionProtectionEnabled"`
}

// TableNameInput names a table (DescribeTable, DeleteTable, DescribeTimeToLive,
// DescribeContinuousBackups).
type TableNameInput struct {
	TableName string `json:"TableName"`
}

// BillingModeSummary describes the billing mode.
type BillingModeSummary struct {
	BillingMode                       string  `json:"BillingMode"`
	LastUpdateToPayPerRequestDateTime float64 `json:"LastUpdateToPayPerRequestDateTime,omitempty"`
}

// ThroughputDescription describes provisioned capacity.
type ThroughputDescription struct {
	NumberOfDecreasesToday int64 `json:"NumberOfDecreasesToday"`
	ReadCapacityUnits      int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64 `json:"WriteCapacityUnits"`
}

// IndexDescription describes a GSI or LSI.
type IndexDescription struct {
	IndexName             string                 `json:"IndexName"`
	KeySchema             []KeySchemaElement     `json:"KeySchema"`
	Projection            Projection             `json:"Projection"`
	IndexStatus           string                 `json:"IndexStatus,omitempty"`
	ProvisionedThroughput *ThroughputDescription `json:"ProvisionedThroughput,omitempty"`
	IndexSizeBytes        int64                  `json:"IndexSizeBytes"`
	ItemCount             int64                  `json:"ItemCount"`
	IndexArn              string                 `json:"IndexArn"`
}

// SSEDescription describes encryption at rest.
type SSEDescription struct {
	Status          string `json:"Status"`
	SSEType         string `json:"SSEType,omitempty"`
	KMSMasterKeyArn string `json:"KMSMasterKeyArn,omitempty"`
}

// TableClassSummary describes the table class.
type TableClassSummary struct {
	TableClass string `json:"TableClass"`
}

// TableDescription is DescribeTable's table.
type TableDescription struct {
	AttributeDefinitions      []AttributeDefinition `json:"AttributeDefinitions"`
	TableName                 string                `json:"TableName"`
	KeySchema                 []KeySchemaElement    `json:"KeySchema"`
	TableStatus               string                `json:"TableStatus"`
	CreationDateTime          float64               `json:"CreationDateTime"`
	ProvisionedThroughput     ThroughputDescription `json:"ProvisionedThroughput"`
	TableSizeBytes            int64                 `json:"TableSizeBytes"`
	ItemCount                 int64                 `json:"ItemCount"`
	TableArn                  string                `json:"TableArn"`
	TableID                   string                `json:"TableId"`
	BillingModeSummary        *BillingModeSummary   `json:"BillingModeSummary,omitempty"`
	LocalSecondaryIndexes     []IndexDescription    `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes    []IndexDescription    `json:"GlobalSecondaryIndexes,omitempty"`
	StreamSpecification       *StreamSpecification  `json:"StreamSpecification,omitempty"`
	LatestStreamLabel         string                `json:"LatestStreamLabel,omitempty"`
	LatestStreamArn           string                `json:"LatestStreamArn,omitempty"`
	SSEDescription            *SSEDescription       `json:"SSEDescription,omitempty"`
	TableClassSummary         *TableClassSummary    `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled bool                  `json:"DeletionProtectionEnabled"`
}

// TableOutput carries a TableDescription (CreateTable, UpdateTable, DeleteTable).
type TableOutput struct {
	TableDescription *TableDescription `json:"TableDescription"`
}

// DescribeTableOutput is DescribeTable's response.
type DescribeTableOutput struct {
	Table *TableDescription `json:"Table"`
}

// ListTablesInput is ListTables' request.
type ListTablesInput struct {
	ExclusiveStartTableName string `json:"ExclusiveStartTableName"`
	Limit                   *int   `json:"Limit"`
}

// ListTablesOutput is ListTables' response.
type ListTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

// UpdateTableInput is UpdateTable's request.
type UpdateTableInput struct {
	TableName                   string                       `json:"TableName"`
	AttributeDefinitions        []AttributeDefinition        `json:"AttributeDefinitions"`
	BillingMode                 string                       `json:"BillingMode"`
	ProvisionedThroughput       *ProvisionedThroughput       `json:"ProvisionedThroughput"`
	StreamSpecification         *StreamSpecification         `json:"StreamSpecification"`
	SSESpecification            *SSESpecification            `json:"SSESpecification"`
	TableClass                  string                       `json:"TableClass"`
	DeletionProtectionEnabled   *bool                        `json:"DeletionProtectionEnabled"`
	GlobalSecondaryIndexUpdates []GlobalSecondaryIndexUpdate `json:"GlobalSecondaryIndexUpdates"`
}

// GlobalSecondaryIndexUpdate creates, updates or deletes one GSI.
type GlobalSecondaryIndexUpdate struct {
	Create *SecondaryIndex `json:"Create"`
	Update *struct {
		IndexName             string                 `json:"IndexName"`
		ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput"`
	} `json:"Update"`
	Delete *struct {
		IndexName string `json:"IndexName"`
	} `json:"Delete"`
}

// TimeToLiveSpecification is UpdateTimeToLive's setting.
type TimeToLiveSpecification struct {
	Enabled       *bool  `json:"Enabled"`
	AttributeName string `json:"AttributeName"`
}

// UpdateTimeToLiveInput is UpdateTimeToLive's request.
type UpdateTimeToLiveInput struct {
	TableName               string                   `json:"TableName"`
	TimeToLiveSpecification *TimeToLiveSpecification `json:"TimeToLiveSpecification"`
}

// UpdateTimeToLiveOutput is UpdateTimeToLive's response.
type UpdateTimeToLiveOutput struct {
	TimeToLiveSpecification *TimeToLiveSpecification `json:"TimeToLiveSpecification"`
}

// TimeToLiveDescription describes a table's TTL.
type TimeToLiveDescription struct {
	TimeToLiveStatus string `json:"TimeToLiveStatus"`
	AttributeName    string `json:"AttributeName,omitempty"`
}

// DescribeTimeToLiveOutput is DescribeTimeToLive's response.
type DescribeTimeToLiveOutput struct {
	TimeToLiveDescription TimeToLiveDescription `json:"TimeToLiveDescription"`
}

// PointInTimeRecoverySpecification is UpdateContinuousBackups' setting.
type PointInTimeRecoverySpecification struct {
	PointInTimeRecoveryEnabled *bool `json:"PointInTimeRecoveryEnabled"`
	RecoveryPeriodInDays       *int  `json:"RecoveryPeriodInDays,omitempty"`
}

// UpdateContinuousBackupsInput is UpdateContinuousBackups' request.
type UpdateContinuousBackupsInput struct {
	TableName                        string                            `json:"TableName"`
	PointInTimeRecoverySpecification *PointInTimeRecoverySpecification `json:"PointInTimeRecoverySpecification"`
}

// PointInTimeRecoveryDescription describes PITR.
type PointInTimeRecoveryDescription struct {
	PointInTimeRecoveryStatus  string  `json:"PointInTimeRecoveryStatus"`
	RecoveryPeriodInDays       int     `json:"RecoveryPeriodInDays,omitempty"`
	EarliestRestorableDateTime float64 `json:"EarliestRestorableDateTime,omitempty"`
	LatestRestorableDateTime   float64 `json:"LatestRestorableDateTime,omitempty"`
}

// ContinuousBackupsDescription describes backups.
type ContinuousBackupsDescription struct {
	ContinuousBackupsStatus        string                         `json:"ContinuousBackupsStatus"`
	PointInTimeRecoveryDescription PointInTimeRecoveryDescription `json:"PointInTimeRecoveryDescription"`
}

// ContinuousBackupsOutput is the response of both continuous-backup operations.
type ContinuousBackupsOutput struct {
	ContinuousBackupsDescription ContinuousBackupsDescription `json:"ContinuousBackupsDescription"`
}

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []Tag  `json:"Tags"`
}

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

// ListTagsInput is ListTagsOfResource's request.
type ListTagsInput struct {
	ResourceArn string `json:"ResourceArn"`
	NextToken   string `json:"NextToken"`
}

// ListTagsOutput is ListTagsOfResource's response.
type ListTagsOutput struct {
	Tags      []Tag  `json:"Tags"`
	NextToken string `json:"NextToken,omitempty"`
}

// Empty is an empty response.
type Empty struct{}

// exprParams are the expression members many requests share.
type exprParams struct {
	ExpressionAttributeNames  map[string]string          `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues map[string]json.RawMessage `json:"ExpressionAttributeValues"`
}

// PutItemInput is PutItem's request.
type PutItemInput struct {
	TableName                           string          `json:"TableName"`
	Item                                json.RawMessage `json:"Item"`
	ConditionExpression                 *string         `json:"ConditionExpression"`
	ReturnValues                        string          `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string          `json:"ReturnValuesOnConditionCheckFailure"`
	ReturnConsumedCapacity              string          `json:"ReturnConsumedCapacity"`
	Expected                            json.RawMessage `json:"Expected"`
	exprParams
}

// ConsumedCapacity reports capacity used.
type ConsumedCapacity struct {
	TableName     string  `json:"TableName"`
	CapacityUnits float64 `json:"CapacityUnits"`
}

// ItemOutput carries Attributes (PutItem, UpdateItem, DeleteItem).
type ItemOutput struct {
	Attributes       attr.Item         `json:"Attributes,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// GetItemInput is GetItem's request.
type GetItemInput struct {
	TableName                string            `json:"TableName"`
	Key                      json.RawMessage   `json:"Key"`
	ConsistentRead           *bool             `json:"ConsistentRead"`
	ProjectionExpression     *string           `json:"ProjectionExpression"`
	AttributesToGet          []string          `json:"AttributesToGet"`
	ReturnConsumedCapacity   string            `json:"ReturnConsumedCapacity"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
}

// GetItemOutput is GetItem's response.
type GetItemOutput struct {
	Item             attr.Item         `json:"Item,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// DeleteItemInput is DeleteItem's request.
type DeleteItemInput struct {
	TableName                           string          `json:"TableName"`
	Key                                 json.RawMessage `json:"Key"`
	ConditionExpression                 *string         `json:"ConditionExpression"`
	ReturnValues                        string          `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string          `json:"ReturnValuesOnConditionCheckFailure"`
	ReturnConsumedCapacity              string          `json:"ReturnConsumedCapacity"`
	Expected                            json.RawMessage `json:"Expected"`
	exprParams
}

// UpdateItemInput is UpdateItem's request.
type UpdateItemInput struct {
	TableName                           string          `json:"TableName"`
	Key                                 json.RawMessage `json:"Key"`
	UpdateExpression                    *string         `json:"UpdateExpression"`
	ConditionExpression                 *string         `json:"ConditionExpression"`
	ReturnValues                        string          `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string          `json:"ReturnValuesOnConditionCheckFailure"`
	ReturnConsumedCapacity              string          `json:"ReturnConsumedCapacity"`
	AttributeUpdates                    json.RawMessage `json:"AttributeUpdates"`
	Expected                            json.RawMessage `json:"Expected"`
	exprParams
}

// QueryInput is Query's request; Scan uses the same shape.
type QueryInput struct {
	TableName              string          `json:"TableName"`
	IndexName              *string         `json:"IndexName"`
	Select                 string          `json:"Select"`
	Limit                  *int            `json:"Limit"`
	ConsistentRead         *bool           `json:"ConsistentRead"`
	ScanIndexForward       *bool           `json:"ScanIndexForward"`
	ExclusiveStartKey      json.RawMessage `json:"ExclusiveStartKey"`
	KeyConditionExpression *string         `json:"KeyConditionExpression"`
	FilterExpression       *string         `json:"FilterExpression"`
	ProjectionExpression   *string         `json:"ProjectionExpression"`
	AttributesToGet        []string        `json:"AttributesToGet"`
	ReturnConsumedCapacity string          `json:"ReturnConsumedCapacity"`
	Segment                *int            `json:"Segment"`
	TotalSegments          *int            `json:"TotalSegments"`
	KeyConditions          json.RawMessage `json:"KeyConditions"`
	QueryFilter            json.RawMessage `json:"QueryFilter"`
	ScanFilter             json.RawMessage `json:"ScanFilter"`
	exprParams
}

// QueryOutput is Query's and Scan's response.
type QueryOutput struct {
	Items            []attr.Item       `json:"Items,omitempty"`
	Count            int               `json:"Count"`
	ScannedCount     int               `json:"ScannedCount"`
	LastEvaluatedKey attr.Item         `json:"LastEvaluatedKey,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// WriteRequest is one BatchWriteItem request.
type WriteRequest struct {
	PutRequest *struct {
		Item json.RawMessage `json:"Item"`
	} `json:"PutRequest,omitempty"`
	DeleteRequest *struct {
		Key json.RawMessage `json:"Key"`
	} `json:"DeleteRequest,omitempty"`
}

// BatchWriteItemInput is BatchWriteItem's request.
type BatchWriteItemInput struct {
	RequestItems           map[string][]WriteRequest `json:"RequestItems"`
	ReturnConsumedCapacity string                    `json:"ReturnConsumedCapacity"`
}

// BatchWriteItemOutput is BatchWriteItem's response.
type BatchWriteItemOutput struct {
	UnprocessedItems map[string][]json.RawMessage `json:"UnprocessedItems"`
}

// KeysAndAttributes is one table's part of BatchGetItem.
type KeysAndAttributes struct {
	Keys                     []json.RawMessage `json:"Keys"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
	ConsistentRead           *bool             `json:"ConsistentRead,omitempty"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
}

// BatchGetItemInput is BatchGetItem's request.
type BatchGetItemInput struct {
	RequestItems           map[string]*KeysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                        `json:"ReturnConsumedCapacity"`
}

// BatchGetItemOutput is BatchGetItem's response.
type BatchGetItemOutput struct {
	Responses       map[string][]attr.Item        `json:"Responses"`
	UnprocessedKeys map[string]*KeysAndAttributes `json:"UnprocessedKeys"`
}

// TransactWriteAction is one action of TransactWriteItems: ConditionCheck,
// Put, Delete or Update, all of which share these members.
type TransactWriteAction struct {
	TableName                           string          `json:"TableName"`
	Key                                 json.RawMessage `json:"Key"`
	Item                                json.RawMessage `json:"Item"`
	UpdateExpression                    *string         `json:"UpdateExpression"`
	ConditionExpression                 *string         `json:"ConditionExpression"`
	ReturnValuesOnConditionCheckFailure string          `json:"ReturnValuesOnConditionCheckFailure"`
	exprParams
}

// TransactWriteItem holds exactly one action.
type TransactWriteItem struct {
	ConditionCheck *TransactWriteAction `json:"ConditionCheck"`
	Put            *TransactWriteAction `json:"Put"`
	Delete         *TransactWriteAction `json:"Delete"`
	Update         *TransactWriteAction `json:"Update"`
}

// TransactWriteItemsInput is TransactWriteItems' request.
type TransactWriteItemsInput struct {
	TransactItems          []TransactWriteItem `json:"TransactItems"`
	ClientRequestToken     string              `json:"ClientRequestToken"`
	ReturnConsumedCapacity string              `json:"ReturnConsumedCapacity"`
}

// TransactGetItem is one TransactGetItems action.
type TransactGetItem struct {
	Get *struct {
		TableName                string            `json:"TableName"`
		Key                      json.RawMessage   `json:"Key"`
		ProjectionExpression     *string           `json:"ProjectionExpression"`
		ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
	} `json:"Get"`
}

// TransactGetItemsInput is TransactGetItems' request.
type TransactGetItemsInput struct {
	TransactItems          []TransactGetItem `json:"TransactItems"`
	ReturnConsumedCapacity string            `json:"ReturnConsumedCapacity"`
}

// ItemResponse is one TransactGetItems result.
type ItemResponse struct {
	Item attr.Item `json:"Item,omitempty"`
}

// TransactGetItemsOutput is TransactGetItems' response.
type TransactGetItemsOutput struct {
	Responses []ItemResponse `json:"Responses"`
}
