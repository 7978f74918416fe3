package validate_test

import (
	"errors"
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/apigw/validate"
)

func ExampleSchema_Validate() {
	schema, err := validate.Compile([]byte(`{
	  "$schema": "http://json-schema.org/draft-04/schema#",
	  "type": "object",
	  "properties": {"item": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}},
	  "required": ["item", "customerID"]
	}`), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(schema.Validate([]byte(`{"item": "latex gloves", "customerID": "12345"}`)))

	err = schema.Validate([]byte(`{"item": "latex gloves", "quantity": 0}`))
	var bad *validate.BodyError
	if errors.As(err, &bad) {
		fmt.Println(bad.StatusCode(), string(validate.ResponseBody(bad.Error())))
		fmt.Println(bad.ValidationErrorString())
	}
	// Output:
	// <nil>
	// 400 {"message":"Invalid request body"}
	// [object has missing required properties (["customerID"])]
}

func ExampleParameterRules_Validate() {
	rules, _ := validate.ParseRequestParameters(map[string]bool{
		"method.request.header.Idempotency-Key": true,
	})
	err := rules.Validate(validate.Request{Header: map[string][]string{"Content-Type": {"application/json"}}})
	fmt.Println(err)
	// Output:
	// Missing required request parameters: [Idempotency-Key]
}
