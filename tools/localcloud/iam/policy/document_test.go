package policy

import (
	"errors"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		want func(*Document) bool
	}{
		{"statement as object", Identity,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}`,
			func(d *Document) bool {
				return len(d.Statements) == 1 && d.Statements[0].Actions[0] == "sqs:SendMessage"
			}},
		{"no version means 2008", Identity,
			`{"Statement":[{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:iam::000000000000:role/x"}]}`,
			func(d *Document) bool {
				st := d.Statements[0]
				return d.Version == Version2008 && st.NotActions && st.NotResources && st.Effect == Deny
			}},
		{"resource policy with account principal", Resource,
			`{"Version":"2008-10-17","Id":"q/SQSDefaultPolicy","Statement":[{"Sid":"a b","Effect":"Allow","Principal":{"AWS":["000000000000","arn:aws:iam::000000000000:root"]},"Action":"SQS:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:q"}]}`,
			func(d *Document) bool { return d.ID == "q/SQSDefaultPolicy" && len(d.Statements[0].Principal.AWS) == 2 }},
		{"trust policy", Trust,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`,
			func(d *Document) bool { return d.Statements[0].Principal.Service[0] == "lambda.amazonaws.com" }},
		{"condition values of every JSON scalar type", Identity,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"StringEquals":{"aws:SourceAccount":["1","2"]}}}]}`,
			func(d *Document) bool {
				return len(d.Statements[0].Conditions) == 3 && d.Statements[0].Conditions[0].Values[0] == "true" && d.Statements[0].Conditions[1].Values[0] == "10"
			}},
		{"principal star", Resource,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*"}]}`,
			func(d *Document) bool { return d.Statements[0].Principal.Any }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.doc, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(d) {
				t.Fatalf("unexpected document %+v", d)
			}
		})
	}
}

func TestParseRejectsWithIAMWording(t *testing.T) {
	tests := []struct {
		name, doc string
		kind      Kind
		want      string
	}{
		{"not JSON", `{"Version":`, Identity, "Syntax errors in policy."},
		{"trailing data", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} {}`, Identity, "Syntax errors in policy."},
		{"array document", `[]`, Identity, "Syntax errors in policy."},
		{"no statement", `{"Version":"2012-10-17"}`, Identity, "Syntax errors in policy."},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, Identity, "Syntax errors in policy."},
		{"unknown element", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Foo":1}}`, Identity, "Syntax errors in policy."},
		{"bad version", `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Identity, "The policy failed legacy parsing"},
		{"principal in identity policy", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, Identity, "Policy document should not specify a principal."},
		{"no principal in resource policy", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Resource, "Missing required field Principal"},
		{"no principal in trust policy", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, Trust, "Missing required field Principal"},
		{"resource in trust policy", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`, Trust, "Has prohibited field Resource"},
		{"no action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`, Identity, "Policy statement must contain actions."},
		{"no resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject"}}`, Identity, "Policy statement must contain resources."},
		{"no effect", `{"Version":"2012-10-17","Statement":{"Action":"s3:GetObject","Resource":"*"}}`, Identity, "Missing required field Effect"},
		{"bad effect", `{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}}`, Identity, "Invalid effect: allow"},
		{"action without vendor", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"SendMessage","Resource":"*"}}`, Identity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"condition key without vendor", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"SecureTransport":"true"}}}}`, Identity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"resource not an ARN", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"orders"}}`, Identity, `Resource orders must be in ARN format or "*".`},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}`, Identity, "Statement IDs (SID) in a single policy must be unique."},
		{"sid not alphanumeric", `{"Version":"2012-10-17","Statement":{"Sid":"a-b","Effect":"Allow","Action":"*","Resource":"*"}}`, Identity, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
		{"unknown operator", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLikeIgnoreCase":{"aws:username":"a"}}}}`, Identity, "Invalid Condition type : StringLikeIgnoreCase"},
		{"null with IfExists", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}}`, Identity, "Invalid Condition type : NullIfExists"},
		{"wildcard in principal ARN", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/*"},"Action":"*","Resource":"*"}}`, Resource, `Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:role/*"`},
		{"principal string other than star", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"000000000000","Action":"*","Resource":"*"}}`, Resource, `Invalid principal in policy: "000000000000"`},
		{"action and notaction", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}`, Identity, "Syntax errors in policy."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc, tt.kind)
			var me *MalformedError
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want MalformedError", err)
			}
			if me.Message != tt.want {
				t.Fatalf("message = %q, want %q", me.Message, tt.want)
			}
		})
	}
}
