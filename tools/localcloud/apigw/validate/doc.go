// Package validate performs API Gateway's request validation for REST APIs:
// the request body against a Model's JSON Schema (draft 4, which API Gateway
// uses) and the presence of required request parameters.
//
// Failures carry what API Gateway reports: the gateway response message
// ("Invalid request body", "Missing required request parameters: [...]")
// and, for bodies, the $context.error.validationErrorString detail worded
// as the Java json-schema-validator behind API Gateway words it, e.g.
// [object has missing required properties (["customerID"])].
//
// A schema is compiled once with [Compile] and is then immutable and safe
// for concurrent use by any number of [Schema.Validate] calls.
package validate
