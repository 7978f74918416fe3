package policy

import "testing"

func TestActionMatch(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"sqs:SendMessage", "sqs:SendMessage", true},
		{"SQS:sendmessage", "sqs:SendMessage", true},
		{"sqs:*", "sqs:SendMessage", true},
		{"*", "dynamodb:PutItem", true},
		{"sqs:Send*", "sqs:SendMessageBatch", true},
		{"sqs:Send*", "sqs:ReceiveMessage", false},
		{"dynamodb:?etItem", "dynamodb:GetItem", true},
		{"dynamodb:?etItem", "dynamodb:BatchGetItem", false},
		{"sqs:SendMessage", "sns:SendMessage", false},
		{"sqs:SendMessage", "sqs:SendMessageBatch", false},
		{"logs:*Log*", "logs:CreateLogStream", true},
	}
	for _, tt := range tests {
		if got := actionMatch(tt.pattern, tt.action); got != tt.want {
			t.Errorf("actionMatch(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestARNMatch(t *testing.T) {
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"*", "arn:aws:sqs:us-east-1:000000000000:q", true},
		{"arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:sqs:us-east-1:000000000000:q", true},
		{"arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:sqs:us-east-1:000000000000:Q", false},
		{"arn:aws:sqs:*:*:q", "arn:aws:sqs:eu-west-1:111111111111:q", true},
		{"arn:aws:sqs:*:000000000000:orders*", "arn:aws:sqs:us-east-1:000000000000:orders-dlq", true},
		// Wildcards stay inside their segment ...
		{"arn:aws:sqs:us-*", "arn:aws:sqs:us-east-1:000000000000:q", false},
		{"arn:aws:s*:us-east-1:000000000000:q", "arn:aws:sqs:us-east-1:000000000000:q", true},
		// ... except the resource part, which may hold colons and slashes.
		{"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:2026/11/27/[$LATEST]abc", true},
		{"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/g:log-stream:x", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.zip", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"arn:aws:dynamodb:us-east-1:000000000000:table/orders", "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x", false},
		{"arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/*", "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026", true},
		{"arn:aws:iam::000000000000:role/r?", "arn:aws:iam::000000000000:role/r1", true},
		{"arn:aws:iam::000000000000:role/r?", "arn:aws:iam::000000000000:role/r12", false},
	}
	for _, tt := range tests {
		if got := arnMatch(escapeBackslash(tt.pattern), tt.arn); got != tt.want {
			t.Errorf("arnMatch(%q, %q) = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
}

func TestExpandVariables(t *testing.T) {
	ctx := newRequestContext(Request{
		Principal: Principal{ARN: "arn:aws:iam::000000000000:user/team/alice", Account: "000000000000", UserID: "AIDAEXAMPLE"},
		Context:   map[string][]string{"aws:SourceAccount": {"111111111111"}, "aws:TagKeys": {"a", "b"}},
	})
	tests := []struct {
		text, want string
		vars, ok   bool
	}{
		{"arn:aws:s3:::home/${aws:username}/*", `arn:aws:s3:::home/alice/*`, true, true},
		{"${AWS:UserName}", "alice", true, true},
		{"${aws:userid}-${aws:PrincipalAccount}", "AIDAEXAMPLE-000000000000", true, true},
		{"${aws:SourceAccount}", "111111111111", true, true},
		{"${*}${?}${$}", `\*\?$`, true, true},
		{"${aws:PrincipalTag/team, 'none'}", "none", true, true},
		{"${aws:PrincipalTag/team}", "", true, false},
		{"${aws:TagKeys}", "", true, false},
		{"${aws:username}", "${aws:username}", false, true},
		{"unterminated ${aws:username", "unterminated ${aws:username", true, true},
	}
	for _, tt := range tests {
		got, ok := expand(tt.text, tt.vars, ctx)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("expand(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestVariableValuesMatchLiterally(t *testing.T) {
	ctx := newRequestContext(Request{Principal: Principal{ARN: "arn:aws:iam::000000000000:user/a*"}})
	pat, ok := expand("arn:aws:s3:::home/${aws:username}", true, ctx)
	if !ok {
		t.Fatal("no expansion")
	}
	if arnMatch(pat, "arn:aws:s3:::home/anything") {
		t.Fatal("a '*' in a variable value acted as a wildcard")
	}
	if !arnMatch(pat, "arn:aws:s3:::home/a*") {
		t.Fatal("a '*' in a variable value did not match itself")
	}
}
