package provision

// Services are the in-process service APIs providers call; a nil member
// leaves its types registered but not available.
type Services struct {
	Queues    QueueAPI
	Topics    TopicAPI
	LogGroups LogGroupAPI
	Tables    TableAPI
	Identity  IdentityAPI
}

// Defaults returns a registry with every type localcloud provisions and
// every other type the orderflow templates use (known, not available yet).
func Defaults(s Services) *Registry {
	r := NewRegistry()
	for _, spec := range []Spec{queueSpec(s.Queues), queuePolicySpec(s.Queues), topicSpec(s.Topics), subscriptionSpec(s.Topics),
		topicPolicySpec(s.Topics), logGroupSpec(s.LogGroups), tableSpec(s.Tables),
		roleSpec(s.Identity), policySpec(s.Identity), managedPolicySpec(s.Identity)} {
		r.Register(spec)
	}
	for _, k := range known {
		r.Register(k)
	}
	return r
}

// known lists types that exist in AWS and in our templates but have no
// provider yet, with what change set creation and validation need.
var known = []Spec{
	{Type: "AWS::IAM::InstanceProfile", NameProperty: "InstanceProfileName", Capability: "CAPABILITY_IAM", NamedCapability: "CAPABILITY_NAMED_IAM", Attributes: []string{"Arn"}},
	{Type: "AWS::IAM::User", NameProperty: "UserName", Capability: "CAPABILITY_IAM", NamedCapability: "CAPABILITY_NAMED_IAM", Attributes: []string{"Arn"}},
	{Type: "AWS::IAM::Group", NameProperty: "GroupName", Capability: "CAPABILITY_IAM", NamedCapability: "CAPABILITY_NAMED_IAM", Attributes: []string{"Arn"}},
	{Type: "AWS::IAM::AccessKey", Capability: "CAPABILITY_IAM", Attributes: []string{"SecretAccessKey"}},
	{Type: "AWS::Lambda::Function", NameProperty: "FunctionName", Replacement: []string{"FunctionName", "PackageType"},
		Attributes: []string{"Arn", "SnapStartResponse", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"}},
	{Type: "AWS::Lambda::EventSourceMapping", Replacement: []string{"EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"},
		Attributes: []string{"Id", "EventSourceMappingArn"}},
	{Type: "AWS::Lambda::Permission", Replacement: []string{"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"}, Attributes: []string{"Id"}},
	{Type: "AWS::Lambda::Version", Attributes: []string{"FunctionArn", "Version"}},
	{Type: "AWS::Lambda::Alias", Replacement: []string{"Name", "FunctionName"}, Attributes: []string{"AliasArn"}},
	{Type: "AWS::ApiGateway::RestApi", Attributes: []string{"RestApiId", "RootResourceId"}},
	{Type: "AWS::ApiGateway::Resource", Replacement: []string{"ParentId", "PathPart", "RestApiId"}, Attributes: []string{"ResourceId"}},
	{Type: "AWS::ApiGateway::Method", Replacement: []string{"HttpMethod", "ResourceId", "RestApiId"}},
	{Type: "AWS::ApiGateway::Model", NameProperty: "Name", Replacement: []string{"ContentType", "Name", "RestApiId"}},
	{Type: "AWS::ApiGateway::RequestValidator", NameProperty: "Name", Replacement: []string{"Name", "RestApiId"}, Attributes: []string{"RequestValidatorId"}},
	{Type: "AWS::ApiGateway::GatewayResponse", Replacement: []string{"ResponseType", "RestApiId"}, Attributes: []string{"Id"}},
	{Type: "AWS::ApiGateway::Deployment", Replacement: []string{"DeploymentCanarySettings", "RestApiId"}, Attributes: []string{"DeploymentId"}},
	{Type: "AWS::ApiGateway::Stage", Replacement: []string{"RestApiId", "StageName"}},
	{Type: "AWS::ApiGateway::ApiKey", NameProperty: "Name", Replacement: []string{"GenerateDistinctId", "Name", "Value"}, Attributes: []string{"APIKeyId"}},
	{Type: "AWS::ApiGateway::UsagePlan", Attributes: []string{"Id"}},
	{Type: "AWS::ApiGateway::UsagePlanKey", Replacement: []string{"KeyId", "KeyType", "UsagePlanId"}, Attributes: []string{"Id"}},
	{Type: "AWS::ApiGateway::Account", Attributes: []string{"Id"}},
	{Type: "AWS::S3::Bucket", NameProperty: "BucketName", Replacement: []string{"BucketName", "ObjectLockEnabled"},
		Attributes: []string{"Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL", "MetadataTableConfiguration.S3TablesDestination.TableArn", "MetadataTableConfiguration.S3TablesDestination.TableNamespace"}},
	{Type: "AWS::S3::BucketPolicy", Replacement: []string{"Bucket"}},
	{Type: "AWS::CloudWatch::Alarm", NameProperty: "AlarmName", Replacement: []string{"AlarmName"}, Attributes: []string{"Arn"}},
	{Type: "AWS::KMS::Key", Attributes: []string{"Arn", "KeyId"}},
	{Type: "AWS::KMS::Alias", NameProperty: "AliasName", Replacement: []string{"AliasName"}},
}
