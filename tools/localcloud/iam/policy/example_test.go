package policy_test

import (
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
)

// The ingest function's role may write orders but nothing else; a denial
// carries AWS's AccessDenied message and the log line names what decided.
func ExampleEvaluate() {
	doc, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Sid":"StoreOrders","Effect":"Allow",
		"Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:us-east-1:000000000000:table/orders"}]}`, policy.Identity)
	if err != nil {
		fmt.Println(err)
		return
	}
	caller := policy.Principal{
		ARN:          "arn:aws:sts::000000000000:assumed-role/ingest-role/ingest",
		PrincipalARN: "arn:aws:iam::000000000000:role/ingest-role",
		Account:      "000000000000",
	}
	for _, action := range []string{"dynamodb:PutItem", "dynamodb:DeleteItem"} {
		d := policy.Evaluate(policy.Input{
			Request:  policy.Request{Principal: caller, Action: action, Resource: "arn:aws:dynamodb:us-east-1:000000000000:table/orders"},
			Identity: []policy.Policy{{Type: policy.IdentityBased, Name: "ingest", Document: doc}},
		})
		fmt.Println(d)
		if !d.Allowed() {
			fmt.Println(d.Message())
		}
	}
	// Output:
	// Allow by identity-based policy ingest statement StoreOrders (Allow)
	// ImplicitDeny: no identity-based policy allows dynamodb:DeleteItem on arn:aws:dynamodb:us-east-1:000000000000:table/orders
	// User: arn:aws:sts::000000000000:assumed-role/ingest-role/ingest is not authorized to perform: dynamodb:DeleteItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/orders because no identity-based policy allows the dynamodb:DeleteItem action
}

// Parse reports what IAM would answer with MalformedPolicyDocument.
func ExampleParse() {
	_, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}}`, policy.Identity)
	fmt.Println(err)
	// Output: Policy document should not specify a principal.
}
