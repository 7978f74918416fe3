package sqs

// Wire shapes. `json` tags name awsJson members; `query` tags give the
// awsQuery names (from the service's Query-era model) and list/map layout.

// MessageAttributeValue is a user message attribute.
type MessageAttributeValue struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty" query:"StringListValue,flat"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty" query:"BinaryListValue,flat"`
}

// CreateQueueInput is CreateQueue's input.
type CreateQueueInput struct {
	QueueName  string            `json:"QueueName"`
	Attributes map[string]string `json:"Attributes" query:"Attribute,flat,key=Name,value=Value"`
	Tags       map[string]string `json:"tags" query:"Tag,flat,key=Key,value=Value"`
}

// CreateQueueOutput is CreateQueue's output.
type CreateQueueOutput struct {
	QueueURL string `json:"QueueUrl" query:"QueueUrl"`
}

// GetQueueURLInput is GetQueueUrl's input.
type GetQueueURLInput struct {
	QueueName              string `json:"QueueName"`
	QueueOwnerAWSAccountID string `json:"QueueOwnerAWSAccountId,omitempty" query:"QueueOwnerAWSAccountId"`
}

// GetQueueURLOutput is GetQueueUrl's output.
type GetQueueURLOutput struct {
	QueueURL string `json:"QueueUrl" query:"QueueUrl"`
}

// QueueRef names a queue; several operations take only this.
type QueueRef struct {
	QueueURL string `json:"QueueUrl" query:"QueueUrl"`
}

// ListQueuesInput is ListQueues' input.
type ListQueuesInput struct {
	QueueNamePrefix string `json:"QueueNamePrefix,omitempty"`
	NextToken       string `json:"NextToken,omitempty"`
	MaxResults      *int   `json:"MaxResults,omitempty"`
}

// ListQueuesOutput is ListQueues' output.
type ListQueuesOutput struct {
	QueueURLs []string `json:"QueueUrls,omitempty" query:"QueueUrl,flat"`
	NextToken string   `json:"NextToken,omitempty"`
}

// GetQueueAttributesInput is GetQueueAttributes' input.
type GetQueueAttributesInput struct {
	QueueURL       string   `json:"QueueUrl" query:"QueueUrl"`
	AttributeNames []string `json:"AttributeNames" query:"AttributeName,flat"`
}

// AttributesOutput carries queue attributes.
type AttributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty" query:"Attribute,flat,key=Name,value=Value"`
}

// SetQueueAttributesInput is SetQueueAttributes' input.
type SetQueueAttributesInput struct {
	QueueURL   string            `json:"QueueUrl" query:"QueueUrl"`
	Attributes map[string]string `json:"Attributes" query:"Attribute,flat,key=Name,value=Value"`
}

// TagQueueInput is TagQueue's input.
type TagQueueInput struct {
	QueueURL string            `json:"QueueUrl" query:"QueueUrl"`
	Tags     map[string]string `json:"Tags" query:"Tag,flat,key=Key,value=Value"`
}

// UntagQueueInput is UntagQueue's input.
type UntagQueueInput struct {
	QueueURL string   `json:"QueueUrl" query:"QueueUrl"`
	TagKeys  []string `json:"TagKeys" query:"TagKey,flat"`
}

// ListQueueTagsOutput is ListQueueTags' output.
type ListQueueTagsOutput struct {
	Tags map[string]string `json:"Tags,omitempty" query:"Tag,flat,key=Key,value=Value"`
}

// SendMessageInput is SendMessage's input.
type SendMessageInput struct {
	QueueURL                string                           `json:"QueueUrl" query:"QueueUrl"`
	MessageBody             *string                          `json:"MessageBody"`
	DelaySeconds            *int                             `json:"DelaySeconds,omitempty"`
	MessageAttributes       map[string]MessageAttributeValue `json:"MessageAttributes,omitempty" query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]MessageAttributeValue `json:"MessageSystemAttributes,omitempty" query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationID  string                           `json:"MessageDeduplicationId,omitempty" query:"MessageDeduplicationId"`
	MessageGroupID          string                           `json:"MessageGroupId,omitempty" query:"MessageGroupId"`
}

// SendMessageOutput is SendMessage's output.
type SendMessageOutput struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageID                    string `json:"MessageId" query:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

// SendMessageBatchRequestEntry is one message of a batch.
type SendMessageBatchRequestEntry struct {
	ID                      string                           `json:"Id" query:"Id"`
	MessageBody             *string                          `json:"MessageBody"`
	DelaySeconds            *int                             `json:"DelaySeconds,omitempty"`
	MessageAttributes       map[string]MessageAttributeValue `json:"MessageAttributes,omitempty" query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]MessageAttributeValue `json:"MessageSystemAttributes,omitempty" query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationID  string                           `json:"MessageDeduplicationId,omitempty" query:"MessageDeduplicationId"`
	MessageGroupID          string                           `json:"MessageGroupId,omitempty" query:"MessageGroupId"`
}

// SendMessageBatchInput is SendMessageBatch's input.
type SendMessageBatchInput struct {
	QueueURL string                         `json:"QueueUrl" query:"QueueUrl"`
	Entries  []SendMessageBatchRequestEntry `json:"Entries" query:"SendMessageBatchRequestEntry,flat"`
}

// SendMessageBatchResultEntry is one sent message of a batch.
type SendMessageBatchResultEntry struct {
	ID                           string `json:"Id" query:"Id"`
	MessageID                    string `json:"MessageId" query:"MessageId"`
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

// BatchResultErrorEntry is one failed entry of a batch.
type BatchResultErrorEntry struct {
	ID          string `json:"Id" query:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

// SendMessageBatchOutput is SendMessageBatch's output.
type SendMessageBatchOutput struct {
	Successful []SendMessageBatchResultEntry `json:"Successful" query:"SendMessageBatchResultEntry,flat"`
	Failed     []BatchResultErrorEntry       `json:"Failed" query:"BatchResultErrorEntry,flat"`
}

// ReceiveMessageInput is ReceiveMessage's input.
type ReceiveMessageInput struct {
	QueueURL                    string   `json:"QueueUrl" query:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames,omitempty" query:"AttributeName,flat"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames,omitempty" query:"MessageSystemAttributeName,flat"`
	MessageAttributeNames       []string `json:"MessageAttributeNames,omitempty" query:"MessageAttributeName,flat"`
	MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages,omitempty"`
	VisibilityTimeout           *int     `json:"VisibilityTimeout,omitempty"`
	WaitTimeSeconds             *int     `json:"WaitTimeSeconds,omitempty"`
	ReceiveRequestAttemptID     string   `json:"ReceiveRequestAttemptId,omitempty" query:"ReceiveRequestAttemptId"`
}

// Message is a received message.
type Message struct {
	MessageID              string                           `json:"MessageId" query:"MessageId"`
	ReceiptHandle          string                           `json:"ReceiptHandle"`
	MD5OfBody              string                           `json:"MD5OfBody"`
	Body                   string                           `json:"Body"`
	Attributes             map[string]string                `json:"Attributes,omitempty" query:"Attribute,flat,key=Name,value=Value"`
	MD5OfMessageAttributes string                           `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]MessageAttributeValue `json:"MessageAttributes,omitempty" query:"MessageAttribute,flat,key=Name,value=Value"`
}

// ReceiveMessageOutput is ReceiveMessage's output.
type ReceiveMessageOutput struct {
	Messages []Message `json:"Messages,omitempty" query:"Message,flat"`
}

// DeleteMessageInput is DeleteMessage's input.
type DeleteMessageInput struct {
	QueueURL      string `json:"QueueUrl" query:"QueueUrl"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

// DeleteMessageBatchRequestEntry is one entry of DeleteMessageBatch.
type DeleteMessageBatchRequestEntry struct {
	ID            string `json:"Id" query:"Id"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

// DeleteMessageBatchInput is DeleteMessageBatch's input.
type DeleteMessageBatchInput struct {
	QueueURL string                           `json:"QueueUrl" query:"QueueUrl"`
	Entries  []DeleteMessageBatchRequestEntry `json:"Entries" query:"DeleteMessageBatchRequestEntry,flat"`
}

// BatchResultEntry names a successful entry of a delete or
// change-visibility batch.
type BatchResultEntry struct {
	ID string `json:"Id" query:"Id"`
}

// DeleteMessageBatchOutput is DeleteMessageBatch's output.
type DeleteMessageBatchOutput struct {
	Successful []BatchResultEntry      `json:"Successful" query:"DeleteMessageBatchResultEntry,flat"`
	Failed     []BatchResultErrorEntry `json:"Failed" query:"BatchResultErrorEntry,flat"`
}

// ChangeMessageVisibilityInput is ChangeMessageVisibility's input.
type ChangeMessageVisibilityInput struct {
	QueueURL          string `json:"QueueUrl" query:"QueueUrl"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout *int   `json:"VisibilityTimeout"`
}

// ChangeMessageVisibilityBatchRequestEntry is one entry of
// ChangeMessageVisibilityBatch.
type ChangeMessageVisibilityBatchRequestEntry struct {
	ID                string `json:"Id" query:"Id"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout *int   `json:"VisibilityTimeout,omitempty"`
}

// ChangeMessageVisibilityBatchInput is ChangeMessageVisibilityBatch's input.
type ChangeMessageVisibilityBatchInput struct {
	QueueURL string                                     `json:"QueueUrl" query:"QueueUrl"`
	Entries  []ChangeMessageVisibilityBatchRequestEntry `json:"Entries" query:"ChangeMessageVisibilityBatchRequestEntry,flat"`
}

// ChangeMessageVisibilityBatchOutput is ChangeMessageVisibilityBatch's output.
type ChangeMessageVisibilityBatchOutput struct {
	Successful []BatchResultEntry      `json:"Successful" query:"ChangeMessageVisibilityBatchResultEntry,flat"`
	Failed     []BatchResultErrorEntry `json:"Failed" query:"BatchResultErrorEntry,flat"`
}

// ListDeadLetterSourceQueuesInput is ListDeadLetterSourceQueues' input.
type ListDeadLetterSourceQueuesInput struct {
	QueueURL   string `json:"QueueUrl" query:"QueueUrl"`
	NextToken  string `json:"NextToken,omitempty"`
	MaxResults *int   `json:"MaxResults,omitempty"`
}

// ListDeadLetterSourceQueuesOutput is ListDeadLetterSourceQueues' output.
type ListDeadLetterSourceQueuesOutput struct {
	QueueURLs []string `json:"queueUrls" query:"QueueUrl,flat"`
	NextToken string   `json:"NextToken,omitempty"`
}

// StartMessageMoveTaskInput is StartMessageMoveTask's input.
type StartMessageMoveTaskInput struct {
	SourceArn                    string `json:"SourceArn"`
	DestinationArn               string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
}

// StartMessageMoveTaskOutput is StartMessageMoveTask's output.
type StartMessageMoveTaskOutput struct {
	TaskHandle string `json:"TaskHandle"`
}

// CancelMessageMoveTaskInput is CancelMessageMoveTask's input.
type CancelMessageMoveTaskInput struct {
	TaskHandle string `json:"TaskHandle"`
}

// CancelMessageMoveTaskOutput is CancelMessageMoveTask's output.
type CancelMessageMoveTaskOutput struct {
	ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved"`
}

// ListMessageMoveTasksInput is ListMessageMoveTasks' input.
type ListMessageMoveTasksInput struct {
	SourceArn  string `json:"SourceArn"`
	MaxResults *int   `json:"MaxResults,omitempty"`
}

// MessageMoveTask describes a redrive task.
type MessageMoveTask struct {
	TaskHandle                        string `json:"TaskHandle,omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove int64  `json:"ApproximateNumberOfMessagesToMove"`
	FailureReason                     string `json:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

// ListMessageMoveTasksOutput is ListMessageMoveTasks' output.
type ListMessageMoveTasksOutput struct {
	Results []MessageMoveTask `json:"Results,omitempty" query:"ListMessageMoveTasksResultEntry,flat"`
}

// AddPermissionInput is AddPermission's input.
type AddPermissionInput struct {
	QueueURL      string   `json:"QueueUrl" query:"QueueUrl"`
	Label         string   `json:"Label"`
	AWSAccountIDs []string `json:"AWSAccountIds" query:"AWSAccountId,flat"`
	Actions       []string `json:"Actions" query:"ActionName,flat"`
}

// RemovePermissionInput is RemovePermission's input.
type RemovePermissionInput struct {
	QueueURL string `json:"QueueUrl" query:"QueueUrl"`
	Label    string `json:"Label"`
}

// Empty is the output of operations without output members.
type Empty struct{}
