package policy

import (
	"fmt"
	"testing"
	"time"
)

// condDoc builds an identity policy allowing everything under one condition.
func condDoc(t *testing.T, operator, key, values string) *Document {
	t.Helper()
	d, err := Parse(fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{%q:{%q:%s}}}}`,
		operator, key, values), Identity)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConditionOperators(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	principal := Principal{ARN: "arn:aws:sts::000000000000:assumed-role/api/s", PrincipalARN: "arn:aws:iam::000000000000:role/api", Account: "000000000000"}
	type ctx = map[string][]string
	tests := []struct {
		name, op, key, values string
		context               ctx
		want                  bool
	}{
		{"StringEquals match", "StringEquals", "aws:SourceAccount", `"000000000000"`, ctx{"aws:SourceAccount": {"000000000000"}}, true},
		{"StringEquals is case-sensitive", "StringEquals", "aws:username", `"Alice"`, ctx{"aws:username": {"alice"}}, false},
		{"StringEquals values are ORed", "StringEquals", "aws:RequestedRegion", `["eu-west-1","us-east-1"]`, ctx{"aws:RequestedRegion": {"us-east-1"}}, true},
		{"StringEquals missing key", "StringEquals", "aws:SourceAccount", `"000000000000"`, nil, false},
		{"keys are case-insensitive", "StringEquals", "AWS:SOURCEACCOUNT", `"1"`, ctx{"aws:sourceaccount": {"1"}}, true},
		{"StringNotEquals other value", "StringNotEquals", "aws:RequestedRegion", `"us-east-1"`, ctx{"aws:RequestedRegion": {"eu-west-1"}}, true},
		{"StringNotEquals values are NORed", "StringNotEquals", "aws:RequestedRegion", `["eu-west-1","us-east-1"]`, ctx{"aws:RequestedRegion": {"us-east-1"}}, false},
		{"StringNotEquals missing key is true", "StringNotEquals", "aws:SourceAccount", `"1"`, nil, true},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase", "aws:username", `"ALICE"`, ctx{"aws:username": {"alice"}}, true},
		{"StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "aws:username", `"ALICE"`, ctx{"aws:username": {"alice"}}, false},
		{"StringLike wildcard", "StringLike", "s3:prefix", `"home/*"`, ctx{"s3:prefix": {"home/alice/x"}}, true},
		{"StringLike single char", "StringLike", "s3:prefix", `"v?"`, ctx{"s3:prefix": {"v10"}}, false},
		{"StringNotLike", "StringNotLike", "s3:prefix", `"home/*"`, ctx{"s3:prefix": {"tmp/x"}}, true},
		{"StringLike with a variable", "StringLike", "s3:prefix", `"home/${aws:PrincipalAccount}/*"`, ctx{"s3:prefix": {"home/000000000000/a"}}, true},
		{"StringEquals with an unresolved variable", "StringEquals", "s3:prefix", `"${aws:username}"`, ctx{"s3:prefix": {""}}, false},
		{"NumericLessThan", "NumericLessThan", "s3:max-keys", `10`, ctx{"s3:max-keys": {"9"}}, true},
		{"NumericLessThan equal", "NumericLessThan", "s3:max-keys", `"10"`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericLessThanEquals", "NumericLessThanEquals", "s3:max-keys", `"10"`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericGreaterThan", "NumericGreaterThan", "s3:max-keys", `"10"`, ctx{"s3:max-keys": {"10.5"}}, true},
		{"NumericGreaterThanEquals", "NumericGreaterThanEquals", "s3:max-keys", `"10"`, ctx{"s3:max-keys": {"9"}}, false},
		{"NumericEquals", "NumericEquals", "s3:max-keys", `"10"`, ctx{"s3:max-keys": {"10.0"}}, true},
		{"NumericNotEquals", "NumericNotEquals", "s3:max-keys", `"10"`, ctx{"s3:max-keys": {"10"}}, false},
		{"Numeric unparsable request value", "NumericEquals", "s3:max-keys", `"10"`, ctx{"s3:max-keys": {"ten"}}, false},
		{"DateLessThan aws:CurrentTime", "DateLessThan", "aws:CurrentTime", `"2026-12-31T00:00:00Z"`, nil, true},
		{"DateGreaterThan aws:CurrentTime", "DateGreaterThan", "aws:CurrentTime", `"2026-12-31T00:00:00Z"`, nil, false},
		{"DateGreaterThan epoch seconds", "DateGreaterThan", "aws:CurrentTime", `"1700000000"`, nil, true},
		{"DateLessThanEquals aws:EpochTime", "DateLessThanEquals", "aws:EpochTime", fmt.Sprintf(`"%d"`, now.Unix()), nil, true},
		{"DateEquals", "DateEquals", "aws:CurrentTime", `"2026-11-27T10:00:00Z"`, nil, true},
		{"DateNotEquals", "DateNotEquals", "aws:CurrentTime", `"2026-11-27T10:00:00Z"`, nil, false},
		{"Bool true", "Bool", "aws:SecureTransport", `"true"`, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON boolean", "Bool", "aws:SecureTransport", `false`, ctx{"aws:SecureTransport": {"false"}}, true},
		{"Bool mismatch", "Bool", "aws:SecureTransport", `"false"`, ctx{"aws:SecureTransport": {"true"}}, false},
		{"Bool missing key", "Bool", "aws:SecureTransport", `"false"`, nil, false},
		{"BinaryEquals", "BinaryEquals", "s3:x", `"QmluYXJ5"`, ctx{"s3:x": {"QmluYXJ5"}}, true},
		{"IpAddress in CIDR", "IpAddress", "aws:SourceIp", `"203.0.113.0/24"`, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress single address", "IpAddress", "aws:SourceIp", `"127.0.0.1"`, ctx{"aws:SourceIp": {"127.0.0.1"}}, true},
		{"IpAddress outside", "IpAddress", "aws:SourceIp", `["10.0.0.0/8","192.168.0.0/16"]`, ctx{"aws:SourceIp": {"203.0.113.7"}}, false},
		{"IpAddress IPv6", "IpAddress", "aws:SourceIp", `"2001:db8::/32"`, ctx{"aws:SourceIp": {"2001:db8::1"}}, true},
		{"NotIpAddress", "NotIpAddress", "aws:SourceIp", `"10.0.0.0/8"`, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"ArnEquals aws:PrincipalArn", "ArnEquals", "aws:PrincipalArn", `"arn:aws:iam::000000000000:role/api"`, nil, true},
		{"ArnLike aws:SourceArn", "ArnLike", "aws:SourceArn", `"arn:aws:sns:us-east-1:000000000000:*"`, ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:000000000000:topic"}}, true},
		{"ArnEquals allows wildcards too", "ArnEquals", "aws:SourceArn", `"arn:aws:sns:*:000000000000:topic"`, ctx{"aws:SourceArn": {"arn:aws:sns:eu-west-1:000000000000:topic"}}, true},
		{"ArnNotEquals same role", "ArnNotEquals", "aws:PrincipalArn", `"arn:aws:iam::000000000000:role/api"`, nil, false},
		{"ArnNotLike other", "ArnNotLike", "aws:SourceArn", `"arn:aws:sns:*:*:a"`, ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:0:b"}}, true},
		{"ArnLike lambda:FunctionArn", "ArnLike", "lambda:FunctionArn", `"arn:aws:lambda:us-east-1:000000000000:function:orderflow-*"`, ctx{"lambda:FunctionArn": {"arn:aws:lambda:us-east-1:000000000000:function:orderflow-dev-ingest"}}, true},
		{"Null true on missing key", "Null", "aws:SourceArn", `"true"`, nil, true},
		{"Null true on present key", "Null", "aws:SourceArn", `"true"`, ctx{"aws:SourceArn": {"x"}}, false},
		{"Null false on present key", "Null", "aws:SourceArn", `"false"`, ctx{"aws:SourceArn": {"x"}}, true},
		{"IfExists missing key", "StringEqualsIfExists", "aws:SourceAccount", `"1"`, nil, true},
		{"IfExists present mismatch", "StringEqualsIfExists", "aws:SourceAccount", `"1"`, ctx{"aws:SourceAccount": {"2"}}, false},
		{"ArnLikeIfExists present match", "ArnLikeIfExists", "aws:SourceArn", `"arn:aws:sqs:*:*:q"`, ctx{"aws:SourceArn": {"arn:aws:sqs:us-east-1:0:q"}}, true},
		{"BoolIfExists missing", "BoolIfExists", "aws:MultiFactorAuthPresent", `"false"`, nil, true},
		{"ForAnyValue one matches", "ForAnyValue:StringEquals", "aws:TagKeys", `["env","team"]`, ctx{"aws:TagKeys": {"cost", "team"}}, true},
		{"ForAnyValue none match", "ForAnyValue:StringEquals", "aws:TagKeys", `["env"]`, ctx{"aws:TagKeys": {"cost", "team"}}, false},
		{"ForAnyValue missing key", "ForAnyValue:StringEquals", "aws:TagKeys", `["env"]`, nil, false},
		{"ForAllValues all match", "ForAllValues:StringLike", "aws:TagKeys", `["env","team*"]`, ctx{"aws:TagKeys": {"env", "team-a"}}, true},
		{"ForAllValues one does not", "ForAllValues:StringEquals", "aws:TagKeys", `["env","team"]`, ctx{"aws:TagKeys": {"env", "cost"}}, false},
		{"ForAllValues missing key is true", "ForAllValues:StringEquals", "aws:TagKeys", `["env"]`, nil, true},
		{"ForAllValues empty key is true", "ForAllValues:StringEquals", "aws:TagKeys", `["env"]`, ctx{"aws:TagKeys": {}}, true},
		{"ForAnyValue negated", "ForAnyValue:StringNotEquals", "aws:TagKeys", `["env"]`, ctx{"aws:TagKeys": {"env", "team"}}, true},
		{"ForAllValues negated", "ForAllValues:StringNotEquals", "aws:TagKeys", `["env"]`, ctx{"aws:TagKeys": {"env", "team"}}, false},
		{"ForAnyValue IfExists missing", "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", `["env"]`, nil, true},
		{"multivalued key without qualifier", "StringEquals", "aws:TagKeys", `"team"`, ctx{"aws:TagKeys": {"env", "team"}}, true},
		{"operator names are case-insensitive", "stringequals", "aws:SourceAccount", `"1"`, ctx{"aws:SourceAccount": {"1"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := condDoc(t, tt.op, tt.key, tt.values)
			dec := Evaluate(Input{
				Request:  Request{Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Time: now, Context: tt.context},
				Identity: []Policy{{Type: IdentityBased, Name: "p", Document: d}},
			})
			if dec.Allowed() != tt.want {
				t.Fatalf("allowed = %v, want %v (%s)", dec.Allowed(), tt.want, dec)
			}
		})
	}
}

func TestConditionsAreANDed(t *testing.T) {
	d, err := Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
		"StringEquals":{"aws:SourceAccount":"000000000000","aws:RequestedRegion":"us-east-1"},
		"Bool":{"aws:SecureTransport":"true"}}}}`, Identity)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string][]string{"aws:SourceAccount": {"000000000000"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"true"}}
	in := func(ctx map[string][]string) Input {
		return Input{Request: Request{Principal: Principal{ARN: "arn:aws:iam::000000000000:user/u", Account: "000000000000"},
			Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:000000000000:q", Context: ctx},
			Identity: []Policy{{Type: IdentityBased, Name: "p", Document: d}}}
	}
	if !Evaluate(in(base)).Allowed() {
		t.Fatal("all conditions hold but the request was denied")
	}
	for k := range base {
		ctx := map[string][]string{}
		for k2, v := range base {
			if k2 != k {
				ctx[k2] = v
			}
		}
		if Evaluate(in(ctx)).Allowed() {
			t.Errorf("allowed without %s", k)
		}
	}
}
