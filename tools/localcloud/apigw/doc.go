// Package apigw is localcloud's API Gateway for REST APIs.
//
// The control plane speaks restJson1 under the apigateway signing name
// (/restapis, /apikeys, /usageplans, ...): REST APIs with their resources,
// methods, integrations, integration and method responses, models, request
// validators and gateway responses; deployments (a frozen snapshot of the
// API, which is what stages serve); stages with method settings, variables
// and access log settings; API keys, usage plans and their keys; and
// TestInvokeMethod. Everything is kept in the store as one document per
// API, key and usage plan, and survives a restart. The operation methods
// are also the Go API in-process callers (the CloudFormation provider) use.
//
// The data plane ([Service.ServeHTTP], selected by [Service.Matches])
// serves each deployed stage at
// /restapis/{apiId}/{stage}/_user_request_/{path} and on the host
// {apiId}.execute-api.localhost. A request goes through resource and
// method matching, the API key and its usage plan (throttle and quota),
// the stage's method throttling, the request validator (models through
// the validate package), the integration request (parameter mappings and
// mapping templates through the vtl package, passthrough behaviour), the
// integration — MOCK, or an AWS service integration with SQS called in
// process as the integration role's session so that IAM and the queue
// policy decide — and the integration response selected by its pattern.
// Failures answer API Gateway's gateway responses, customisable per API.
// Each request writes an access log line to CloudWatch Logs when the stage
// asks for one.
//
// DECISIONS.md in this folder records where the documentation left a
// choice.
package apigw
