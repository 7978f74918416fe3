package provision

// Services are the in-process service APIs providers call; a nil member
// leaves its types registered but not available.
type Services struct {
	Queues    QueueAPI
	Topics    TopicAPI
	LogGroups LogGroupAPI
	Tables    TableAPI
	Identity  IdentityAPI
	// Functions serves Lambda functions, permissions and event source
	// mappings (*lambdaapi.Service).
	Functions FunctionAPI
	// Gateway serves API Gateway REST APIs (*apigw.Service).
	Gateway GatewayAPI
	// Buckets serves S3 buckets and their configuration (*s3.Service).
	Buckets BucketAPI
	// Alarms serves CloudWatch alarms (*cloudwatch.Service).
	Alarms AlarmAPI
}

// Defaults returns a registry with every type localcloud provisions and
// every other type the orderflow templates use (known, not available yet).
func Defaults(s Services) *Registry {
	r := NewRegistry()
	for _, spec := range []Spec{queueSpec(s.Queues), queuePolicySpec(s.Queues), topicSpec(s.Topics), subscriptionSpec(s.Topics),
		topicPolicySpec(s.Topics), logGroupSpec(s.LogGroups), tableSpec(s.Tables),
		roleSpec(s.Identity), policySpec(s.Identity), managedPolicySpec(s.Identity),
		functionSpec(s.Functions), permissionSpec(s.Functions), mappingSpec(s.Functions),
		restAPISpec(s.Gateway), gwResourceSpec(s.Gateway), methodSpec(s.Gateway), modelSpec(s.Gateway), validatorSpec(s.Gateway),
		gatewayResponseSpec(s.Gateway), deploymentSpec(s.Gateway), stageSpec(s.Gateway), apiKeySpec(s.Gateway),
		usagePlanSpec(s.Gateway), usagePlanKeySpec(s.Gateway), accountSpec(s.Gateway != nil),
		bucketSpec(s.Buckets), bucketPolicySpec(s.Buckets), alarmSpec(s.Alarms)} {
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
	{Type: "AWS::Lambda::Version", Attributes: []string{"FunctionArn", "Version"}},
	{Type: "AWS::Lambda::Alias", Replacement: []string{"Name", "FunctionName"}, Attributes: []string{"AliasArn"}},
	{Type: "AWS::KMS::Key", Attributes: []string{"Arn", "KeyId"}},
	{Type: "AWS::KMS::Alias", NameProperty: "AliasName", Replacement: []string{"AliasName"}},
}
