package contracts

import _ "embed"

// orderRequestSchema is a string so no caller can change the bytes every other
// caller sees.
//
//go:embed schema/order-request.schema.json
var orderRequestSchema string

// OrderRequestSchemaPath is where the schema lives inside this module, for
// tests elsewhere that compare a copy (the API Gateway model in the
// CloudFormation templates) with it.
const OrderRequestSchemaPath = "schema/order-request.schema.json"

// OrderRequestSchema returns the draft-04 JSON Schema of [OrderRequest], as
// API Gateway's request validator needs it. The CloudFormation templates carry
// a copy of these bytes as the API's model; tests keep the schema, the Go type
// and [DecodeOrderRequest] in agreement. Each call returns a fresh copy.
func OrderRequestSchema() []byte { return []byte(orderRequestSchema) }
