package logs

// Wire shapes of the operations served, with the member names of the
// Logs_20140328 model. Timestamps are Unix milliseconds.

// Empty is an operation output with no members.
type Empty struct{}

// CreateLogGroupInput is the input of CreateLogGroup.
type CreateLogGroupInput struct {
	LogGroupName              string            `json:"logGroupName"`
	KmsKeyID                  string            `json:"kmsKeyId,omitempty"`
	Tags                      map[string]string `json:"tags,omitempty"`
	LogGroupClass             string            `json:"logGroupClass,omitempty"`
	DeletionProtectionEnabled *bool             `json:"deletionProtectionEnabled,omitempty"`
}

// LogGroupNameInput names a log group (DeleteLogGroup, DeleteRetentionPolicy).
type LogGroupNameInput struct {
	LogGroupName string `json:"logGroupName"`
}

// DescribeLogGroupsInput is the input of DescribeLogGroups.
type DescribeLogGroupsInput struct {
	LogGroupNamePrefix  *string  `json:"logGroupNamePrefix,omitempty"`
	LogGroupNamePattern *string  `json:"logGroupNamePattern,omitempty"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers,omitempty"`
	LogGroupClass       string   `json:"logGroupClass,omitempty"`
	NextToken           *string  `json:"nextToken,omitempty"`
	Limit               *int     `json:"limit,omitempty"`
}

// LogGroup describes a log group.
type LogGroup struct {
	LogGroupName              string `json:"logGroupName"`
	CreationTime              int64  `json:"creationTime"`
	RetentionInDays           *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount         int    `json:"metricFilterCount"`
	Arn                       string `json:"arn"`
	LogGroupArn               string `json:"logGroupArn"`
	StoredBytes               int64  `json:"storedBytes"`
	KmsKeyID                  string `json:"kmsKeyId,omitempty"`
	LogGroupClass             string `json:"logGroupClass"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled"`
}

// DescribeLogGroupsOutput is the output of DescribeLogGroups.
type DescribeLogGroupsOutput struct {
	LogGroups []LogGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

// PutRetentionPolicyInput is the input of PutRetentionPolicy.
type PutRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays *int   `json:"retentionInDays"`
}

// LogStreamInput names a log stream (CreateLogStream, DeleteLogStream).
type LogStreamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

// DescribeLogStreamsInput is the input of DescribeLogStreams.
type DescribeLogStreamsInput struct {
	LogGroupName        string  `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string  `json:"logGroupIdentifier,omitempty"`
	LogStreamNamePrefix *string `json:"logStreamNamePrefix,omitempty"`
	OrderBy             string  `json:"orderBy,omitempty"`
	Descending          bool    `json:"descending,omitempty"`
	NextToken           *string `json:"nextToken,omitempty"`
	Limit               *int    `json:"limit,omitempty"`
}

// LogStream describes a log stream.
type LogStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

// DescribeLogStreamsOutput is the output of DescribeLogStreams.
type DescribeLogStreamsOutput struct {
	LogStreams []LogStream `json:"logStreams"`
	NextToken  string      `json:"nextToken,omitempty"`
}

// InputLogEvent is one event of a PutLogEvents batch.
type InputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

// PutLogEventsInput is the input of PutLogEvents.
type PutLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []InputLogEvent `json:"logEvents"`
	SequenceToken string          `json:"sequenceToken,omitempty"`
}

// RejectedLogEventsInfo says which events of a batch were not accepted.
type RejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

// PutLogEventsOutput is the output of PutLogEvents.
type PutLogEventsOutput struct {
	NextSequenceToken     string                 `json:"nextSequenceToken,omitempty"`
	RejectedLogEventsInfo *RejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
}

// GetLogEventsInput is the input of GetLogEvents.
type GetLogEventsInput struct {
	LogGroupName       string  `json:"logGroupName,omitempty"`
	LogGroupIdentifier string  `json:"logGroupIdentifier,omitempty"`
	LogStreamName      string  `json:"logStreamName"`
	StartTime          *int64  `json:"startTime,omitempty"`
	EndTime            *int64  `json:"endTime,omitempty"`
	NextToken          *string `json:"nextToken,omitempty"`
	Limit              *int    `json:"limit,omitempty"`
	StartFromHead      bool    `json:"startFromHead,omitempty"`
	Unmask             bool    `json:"unmask,omitempty"`
}

// OutputLogEvent is an event returned by GetLogEvents.
type OutputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// GetLogEventsOutput is the output of GetLogEvents.
type GetLogEventsOutput struct {
	Events            []OutputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

// FilterLogEventsInput is the input of FilterLogEvents.
type FilterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier,omitempty"`
	LogStreamNames      []string `json:"logStreamNames,omitempty"`
	LogStreamNamePrefix *string  `json:"logStreamNamePrefix,omitempty"`
	StartTime           *int64   `json:"startTime,omitempty"`
	EndTime             *int64   `json:"endTime,omitempty"`
	FilterPattern       string   `json:"filterPattern,omitempty"`
	NextToken           *string  `json:"nextToken,omitempty"`
	Limit               *int     `json:"limit,omitempty"`
	Interleaved         *bool    `json:"interleaved,omitempty"`
	Unmask              bool     `json:"unmask,omitempty"`
}

// FilteredLogEvent is an event returned by FilterLogEvents.
type FilteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// SearchedLogStream reports a stream FilterLogEvents searched.
type SearchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

// FilterLogEventsOutput is the output of FilterLogEvents.
type FilterLogEventsOutput struct {
	Events             []FilteredLogEvent  `json:"events"`
	SearchedLogStreams []SearchedLogStream `json:"searchedLogStreams"`
	NextToken          string              `json:"nextToken,omitempty"`
}

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// ResourceArnInput is the input of ListTagsForResource.
type ResourceArnInput struct {
	ResourceArn string `json:"resourceArn"`
}

// TagLogGroupInput is the input of the legacy TagLogGroup.
type TagLogGroupInput struct {
	LogGroupName string            `json:"logGroupName"`
	Tags         map[string]string `json:"tags"`
}

// UntagLogGroupInput is the input of the legacy UntagLogGroup.
type UntagLogGroupInput struct {
	LogGroupName string   `json:"logGroupName"`
	Tags         []string `json:"tags"`
}

// TagsOutput is the output of ListTagsForResource and ListTagsLogGroup.
type TagsOutput struct {
	Tags map[string]string `json:"tags"`
}
