package lambdaapi

// Wire shapes of the Lambda API (restJson1). Members follow the 2015-03-31
// model's names; `location` tags bind URI labels, query strings and
// headers (see package protocol).

// FunctionCode is CreateFunction's code: an inline zip or an S3 object.
type FunctionCode struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageURI        string `json:"ImageUri,omitempty"`
}

// Environment is a function's environment variables.
type Environment struct {
	Variables map[string]string `json:"Variables"`
}

// EnvironmentResponse is how a function's environment is reported.
type EnvironmentResponse struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// LoggingConfig is a function's logging configuration.
type LoggingConfig struct {
	LogFormat           string `json:"LogFormat,omitempty"`
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	SystemLogLevel      string `json:"SystemLogLevel,omitempty"`
	LogGroup            string `json:"LogGroup,omitempty"`
}

// TracingConfig is accepted and reported; localcloud does not trace.
type TracingConfig struct {
	Mode string `json:"Mode,omitempty"`
}

// EphemeralStorage is the /tmp size, reported as configured.
type EphemeralStorage struct {
	Size int `json:"Size"`
}

// DeadLetterConfig names the asynchronous invocations' dead-letter target.
type DeadLetterConfig struct {
	TargetArn string `json:"TargetArn,omitempty"`
}

// CreateFunctionInput is CreateFunction's request.
type CreateFunctionInput struct {
	FunctionName     string            `json:"FunctionName"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler"`
	Code             *FunctionCode     `json:"Code"`
	Description      string            `json:"Description"`
	Timeout          *int              `json:"Timeout"`
	MemorySize       *int              `json:"MemorySize"`
	Publish          bool              `json:"Publish"`
	PackageType      string            `json:"PackageType"`
	Environment      *Environment      `json:"Environment"`
	Tags             map[string]string `json:"Tags"`
	Architectures    []string          `json:"Architectures"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig"`
	TracingConfig    *TracingConfig    `json:"TracingConfig"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig"`
	Layers           []string          `json:"Layers"`
}

// FunctionConfiguration is a function version's configuration as Lambda
// reports it.
type FunctionConfiguration struct {
	FunctionName               string               `json:"FunctionName"`
	FunctionArn                string               `json:"FunctionArn"`
	Runtime                    string               `json:"Runtime,omitempty"`
	Role                       string               `json:"Role"`
	Handler                    string               `json:"Handler,omitempty"`
	CodeSize                   int64                `json:"CodeSize"`
	Description                string               `json:"Description"`
	Timeout                    int                  `json:"Timeout"`
	MemorySize                 int                  `json:"MemorySize"`
	LastModified               string               `json:"LastModified"`
	CodeSha256                 string               `json:"CodeSha256"`
	Version                    string               `json:"Version"`
	Environment                *EnvironmentResponse `json:"Environment,omitempty"`
	TracingConfig              TracingConfig        `json:"TracingConfig"`
	DeadLetterConfig           *DeadLetterConfig    `json:"DeadLetterConfig,omitempty"`
	RevisionID                 string               `json:"RevisionId"`
	State                      string               `json:"State"`
	StateReason                string               `json:"StateReason,omitempty"`
	StateReasonCode            string               `json:"StateReasonCode,omitempty"`
	LastUpdateStatus           string               `json:"LastUpdateStatus"`
	LastUpdateStatusReason     string               `json:"LastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string               `json:"LastUpdateStatusReasonCode,omitempty"`
	PackageType                string               `json:"PackageType"`
	Architectures              []string             `json:"Architectures"`
	EphemeralStorage           EphemeralStorage     `json:"EphemeralStorage"`
	LoggingConfig              LoggingConfig        `json:"LoggingConfig"`
}

// FunctionNameInput addresses a function (and optionally a version or
// alias) by URI label and Qualifier query parameter.
type FunctionNameInput struct {
	FunctionName string `json:"-" location:"uri"`
	Qualifier    string `json:"-" location:"querystring"`
}

// FunctionCodeLocation is where GetFunction says the code can be fetched.
type FunctionCodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

// GetFunctionOutput is GetFunction's answer.
type GetFunctionOutput struct {
	Configuration FunctionConfiguration `json:"Configuration"`
	Code          FunctionCodeLocation  `json:"Code"`
	Tags          map[string]string     `json:"Tags,omitempty"`
	Concurrency   *Concurrency          `json:"Concurrency,omitempty"`
}

// ListFunctionsInput pages through functions.
type ListFunctionsInput struct {
	FunctionVersion string `json:"-" location:"querystring"`
	Marker          string `json:"-" location:"querystring"`
	MaxItems        *int   `json:"-" location:"querystring"`
	MasterRegion    string `json:"-" location:"querystring"`
}

// ListFunctionsOutput is a page of functions.
type ListFunctionsOutput struct {
	Functions  []FunctionConfiguration `json:"Functions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

// UpdateFunctionCodeInput replaces a function's code.
type UpdateFunctionCodeInput struct {
	FunctionName    string   `json:"-" location:"uri"`
	ZipFile         []byte   `json:"ZipFile"`
	S3Bucket        string   `json:"S3Bucket"`
	S3Key           string   `json:"S3Key"`
	S3ObjectVersion string   `json:"S3ObjectVersion"`
	ImageURI        string   `json:"ImageUri"`
	Publish         bool     `json:"Publish"`
	DryRun          bool     `json:"DryRun"`
	RevisionID      string   `json:"RevisionId"`
	Architectures   []string `json:"Architectures"`
}

// UpdateFunctionConfigurationInput changes a function's settings; absent
// members keep their values.
type UpdateFunctionConfigurationInput struct {
	FunctionName     string            `json:"-" location:"uri"`
	Role             *string           `json:"Role"`
	Handler          *string           `json:"Handler"`
	Description      *string           `json:"Description"`
	Timeout          *int              `json:"Timeout"`
	MemorySize       *int              `json:"MemorySize"`
	Environment      *Environment      `json:"Environment"`
	Runtime          *string           `json:"Runtime"`
	RevisionID       string            `json:"RevisionId"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig"`
	TracingConfig    *TracingConfig    `json:"TracingConfig"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig"`
	Layers           []string          `json:"Layers"`
}

// StatusOutput is an answer with only a status code.
type StatusOutput struct {
	StatusCode int `json:"-" location:"statusCode"`
}

// PublishVersionInput publishes $LATEST as a numbered version.
type PublishVersionInput struct {
	FunctionName string `json:"-" location:"uri"`
	CodeSha256   string `json:"CodeSha256"`
	Description  string `json:"Description"`
	RevisionID   string `json:"RevisionId"`
}

// ListVersionsInput pages through a function's versions.
type ListVersionsInput struct {
	FunctionName string `json:"-" location:"uri"`
	Marker       string `json:"-" location:"querystring"`
	MaxItems     *int   `json:"-" location:"querystring"`
}

// ListVersionsOutput is a page of versions.
type ListVersionsOutput struct {
	Versions   []FunctionConfiguration `json:"Versions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

// AliasRoutingConfiguration is accepted and reported; localcloud invokes
// the alias's primary version only.
type AliasRoutingConfiguration struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

// AliasInput creates or updates an alias.
type AliasInput struct {
	FunctionName    string                     `json:"-" location:"uri"`
	Name            string                     `json:"Name" location:"uri"`
	FunctionVersion *string                    `json:"FunctionVersion"`
	Description     *string                    `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig"`
	RevisionID      string                     `json:"RevisionId"`
}

// AliasNameInput addresses an alias.
type AliasNameInput struct {
	FunctionName string `json:"-" location:"uri"`
	Name         string `json:"-" location:"uri"`
}

// AliasConfiguration is an alias as Lambda reports it.
type AliasConfiguration struct {
	AliasArn        string                     `json:"AliasArn"`
	Name            string                     `json:"Name"`
	FunctionVersion string                     `json:"FunctionVersion"`
	Description     string                     `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig,omitempty"`
	RevisionID      string                     `json:"RevisionId"`
}

// ListAliasesInput pages through a function's aliases.
type ListAliasesInput struct {
	FunctionName    string `json:"-" location:"uri"`
	FunctionVersion string `json:"-" location:"querystring"`
	Marker          string `json:"-" location:"querystring"`
	MaxItems        *int   `json:"-" location:"querystring"`
}

// ListAliasesOutput is a page of aliases.
type ListAliasesOutput struct {
	Aliases    []AliasConfiguration `json:"Aliases"`
	NextMarker string               `json:"NextMarker,omitempty"`
}

// PutConcurrencyInput reserves concurrency for a function.
type PutConcurrencyInput struct {
	FunctionName                 string `json:"-" location:"uri"`
	ReservedConcurrentExecutions *int   `json:"ReservedConcurrentExecutions"`
}

// AddPermissionInput adds a statement to a function's resource policy.
type AddPermissionInput struct {
	FunctionName     string `json:"-" location:"uri"`
	Qualifier        string `json:"-" location:"querystring"`
	StatementID      string `json:"StatementId"`
	Action           string `json:"Action"`
	Principal        string `json:"Principal"`
	SourceArn        string `json:"SourceArn"`
	SourceAccount    string `json:"SourceAccount"`
	EventSourceToken string `json:"EventSourceToken"`
	PrincipalOrgID   string `json:"PrincipalOrgID"`
	RevisionID       string `json:"RevisionId"`
}

// AddPermissionOutput is the added statement, as a JSON string.
type AddPermissionOutput struct {
	Statement string `json:"Statement"`
}

// RemovePermissionInput removes a statement by ID.
type RemovePermissionInput struct {
	FunctionName string `json:"-" location:"uri"`
	StatementID  string `json:"-" location:"uri" locationName:"StatementId"`
	Qualifier    string `json:"-" location:"querystring"`
	RevisionID   string `json:"-" location:"querystring" locationName:"RevisionId"`
}

// GetPolicyOutput is a function's resource policy document.
type GetPolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionID string `json:"RevisionId"`
}

// TagResourceInput adds tags to a function.
type TagResourceInput struct {
	Resource string            `json:"-" location:"uri"`
	Tags     map[string]string `json:"Tags"`
}

// UntagResourceInput removes tags by key.
type UntagResourceInput struct {
	Resource string   `json:"-" location:"uri"`
	TagKeys  []string `json:"-" location:"querystring" locationName:"tagKeys"`
}

// ResourceInput addresses a taggable resource by ARN.
type ResourceInput struct {
	Resource string `json:"-" location:"uri"`
}

// ListTagsOutput is a function's tags.
type ListTagsOutput struct {
	Tags map[string]string `json:"Tags"`
}

// InvokeInput is an invocation request.
type InvokeInput struct {
	FunctionName   string `json:"-" location:"uri"`
	Qualifier      string `json:"-" location:"querystring"`
	InvocationType string `json:"-" location:"header" locationName:"X-Amz-Invocation-Type"`
	LogType        string `json:"-" location:"header" locationName:"X-Amz-Log-Type"`
	ClientContext  string `json:"-" location:"header" locationName:"X-Amz-Client-Context"`
	Payload        []byte `json:"-" location:"payload"`
}

// InvokeOutput is an invocation's answer.
type InvokeOutput struct {
	StatusCode      int    `json:"-" location:"statusCode"`
	FunctionError   string `json:"-" location:"header" locationName:"X-Amz-Function-Error"`
	LogResult       string `json:"-" location:"header" locationName:"X-Amz-Log-Result"`
	ExecutedVersion string `json:"-" location:"header" locationName:"X-Amz-Executed-Version"`
	Payload         []byte `json:"-" location:"payload"`
}

// AccountLimit is GetAccountSettings' limits.
type AccountLimit struct {
	TotalCodeSize                  int64 `json:"TotalCodeSize"`
	CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
	CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
	ConcurrentExecutions           int   `json:"ConcurrentExecutions"`
	UnreservedConcurrentExecutions int   `json:"UnreservedConcurrentExecutions"`
}

// AccountUsage is GetAccountSettings' usage.
type AccountUsage struct {
	TotalCodeSize int64 `json:"TotalCodeSize"`
	FunctionCount int64 `json:"FunctionCount"`
}

// AccountSettingsOutput is GetAccountSettings' answer.
type AccountSettingsOutput struct {
	AccountLimit AccountLimit `json:"AccountLimit"`
	AccountUsage AccountUsage `json:"AccountUsage"`
}

// Empty is an input or output without members.
type Empty struct{}
