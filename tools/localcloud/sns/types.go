package sns

// Wire shapes (awsQuery). Maps are SNS's non-flattened
// `Attributes.entry.N.key/value`; lists are `member` lists.

// MessageAttributeValue is an SNS message attribute.
type MessageAttributeValue struct {
	DataType    string  `query:"DataType"`
	StringValue *string `query:"StringValue"`
	BinaryValue []byte  `query:"BinaryValue"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `query:"Key"`
	Value string `query:"Value"`
}

// CreateTopicInput is CreateTopic's input.
type CreateTopicInput struct {
	Name       string            `query:"Name"`
	Attributes map[string]string `query:"Attributes"`
	Tags       []Tag             `query:"Tags"`
}

// TopicArnOutput carries a topic ARN.
type TopicArnOutput struct {
	TopicArn string `query:"TopicArn"`
}

// TopicRef names a topic.
type TopicRef struct {
	TopicArn string `query:"TopicArn"`
}

// ListInput pages through a listing.
type ListInput struct {
	NextToken string `query:"NextToken"`
}

// TopicEntry is one listed topic.
type TopicEntry struct {
	TopicArn string `query:"TopicArn"`
}

// ListTopicsOutput is ListTopics' output.
type ListTopicsOutput struct {
	Topics    []TopicEntry `query:"Topics"`
	NextToken string       `query:"NextToken"`
}

// AttributesOutput carries attributes.
type AttributesOutput struct {
	Attributes map[string]string `query:"Attributes"`
}

// SetTopicAttributesInput is SetTopicAttributes' input.
type SetTopicAttributesInput struct {
	TopicArn       string  `query:"TopicArn"`
	AttributeName  string  `query:"AttributeName"`
	AttributeValue *string `query:"AttributeValue"`
}

// SubscribeInput is Subscribe's input.
type SubscribeInput struct {
	TopicArn              string            `query:"TopicArn"`
	Protocol              string            `query:"Protocol"`
	Endpoint              string            `query:"Endpoint"`
	Attributes            map[string]string `query:"Attributes"`
	ReturnSubscriptionArn bool              `query:"ReturnSubscriptionArn"`
}

// SubscriptionArnOutput carries a subscription ARN.
type SubscriptionArnOutput struct {
	SubscriptionArn string `query:"SubscriptionArn"`
}

// ConfirmSubscriptionInput is ConfirmSubscription's input.
type ConfirmSubscriptionInput struct {
	TopicArn                  string `query:"TopicArn"`
	Token                     string `query:"Token"`
	AuthenticateOnUnsubscribe string `query:"AuthenticateOnUnsubscribe"`
}

// SubscriptionRef names a subscription.
type SubscriptionRef struct {
	SubscriptionArn string `query:"SubscriptionArn"`
}

// SubscriptionEntry is one listed subscription.
type SubscriptionEntry struct {
	SubscriptionArn string `query:"SubscriptionArn"`
	Owner           string `query:"Owner"`
	Protocol        string `query:"Protocol"`
	Endpoint        string `query:"Endpoint"`
	TopicArn        string `query:"TopicArn"`
}

// ListSubscriptionsOutput is ListSubscriptions' output.
type ListSubscriptionsOutput struct {
	Subscriptions []SubscriptionEntry `query:"Subscriptions"`
	NextToken     string              `query:"NextToken"`
}

// ListSubscriptionsByTopicInput is ListSubscriptionsByTopic's input.
type ListSubscriptionsByTopicInput struct {
	TopicArn  string `query:"TopicArn"`
	NextToken string `query:"NextToken"`
}

// SetSubscriptionAttributesInput is SetSubscriptionAttributes' input.
type SetSubscriptionAttributesInput struct {
	SubscriptionArn string  `query:"SubscriptionArn"`
	AttributeName   string  `query:"AttributeName"`
	AttributeValue  *string `query:"AttributeValue"`
}

// PublishInput is Publish's input.
type PublishInput struct {
	TopicArn               string                           `query:"TopicArn"`
	TargetArn              string                           `query:"TargetArn"`
	PhoneNumber            string                           `query:"PhoneNumber"`
	Message                *string                          `query:"Message"`
	Subject                *string                          `query:"Subject"`
	MessageStructure       string                           `query:"MessageStructure"`
	MessageAttributes      map[string]MessageAttributeValue `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationID string                           `query:"MessageDeduplicationId"`
	MessageGroupID         string                           `query:"MessageGroupId"`
}

// PublishOutput is Publish's output.
type PublishOutput struct {
	MessageID string `query:"MessageId"`
}

// PublishBatchRequestEntry is one entry of PublishBatch.
type PublishBatchRequestEntry struct {
	ID                     string                           `query:"Id"`
	Message                *string                          `query:"Message"`
	Subject                *string                          `query:"Subject"`
	MessageStructure       string                           `query:"MessageStructure"`
	MessageAttributes      map[string]MessageAttributeValue `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationID string                           `query:"MessageDeduplicationId"`
	MessageGroupID         string                           `query:"MessageGroupId"`
}

// PublishBatchInput is PublishBatch's input.
type PublishBatchInput struct {
	TopicArn                   string                     `query:"TopicArn"`
	PublishBatchRequestEntries []PublishBatchRequestEntry `query:"PublishBatchRequestEntries"`
}

// PublishBatchResultEntry is one published entry.
type PublishBatchResultEntry struct {
	ID        string `query:"Id"`
	MessageID string `query:"MessageId"`
}

// BatchResultErrorEntry is one failed entry.
type BatchResultErrorEntry struct {
	ID          string `query:"Id"`
	Code        string `query:"Code"`
	Message     string `query:"Message"`
	SenderFault bool   `query:"SenderFault"`
}

// PublishBatchOutput is PublishBatch's output.
type PublishBatchOutput struct {
	Successful []PublishBatchResultEntry `query:"Successful"`
	Failed     []BatchResultErrorEntry   `query:"Failed"`
}

// TagResourceInput is TagResource's input.
type TagResourceInput struct {
	ResourceArn string `query:"ResourceArn"`
	Tags        []Tag  `query:"Tags"`
}

// UntagResourceInput is UntagResource's input.
type UntagResourceInput struct {
	ResourceArn string   `query:"ResourceArn"`
	TagKeys     []string `query:"TagKeys"`
}

// ResourceRef names a taggable resource.
type ResourceRef struct {
	ResourceArn string `query:"ResourceArn"`
}

// ListTagsOutput is ListTagsForResource's output.
type ListTagsOutput struct {
	Tags []Tag `query:"Tags"`
}

// Empty is the output of operations without output members.
type Empty struct{}

// EmptyResult is the output of operations whose modelled result has no
// members; awsQuery still sends an empty <XResult/> element for them.
type EmptyResult struct{ _ struct{} }
