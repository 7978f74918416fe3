module github.com/orderflow/orderflow/contracts

go 1.26.0

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/aws/aws-sdk-go-v2/service/dynamodb v1.74.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
)

require (
	github.com/aws/smithy-go v1.28.9 // indirect
	golang.org/x/text v0.14.0 // indirect
)
