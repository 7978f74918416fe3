package iamapi_test

import (
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

func TestAWSCLI(t *testing.T) {
	e := startEnv(t, "")
	c := localcloudtest.NewCLI(t, e.URL, "test", "test", "iam")
	run := c.Run
	ok := func(v any, args ...string) { t.Helper(); c.OK(v, args...) }
	fails := func(code, message string, args ...string) {
		t.Helper()
		_, errOut, exit := run(args...)
		if exit == 0 || !strings.Contains(errOut, "("+code+")") || !strings.Contains(errOut, message) {
			t.Fatalf("aws iam %s: exit %d, stderr %q; want (%s) %s", strings.Join(args, " "), exit, errOut, code, message)
		}
	}

	var created struct {
		Role struct {
			Arn, RoleName            string
			AssumeRolePolicyDocument map[string]any
		}
	}
	ok(&created, "create-role", "--role-name", "cli-role", "--assume-role-policy-document", lambdaTrust)
	if created.Role.Arn != "arn:aws:iam::000000000000:role/cli-role" || created.Role.AssumeRolePolicyDocument["Version"] != "2012-10-17" {
		t.Fatalf("create-role = %+v", created.Role)
	}
	fails("EntityAlreadyExists", "Role with name cli-role already exists.", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", lambdaTrust)

	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:000000000000:orders"}]}`
	ok(nil, "put-role-policy", "--role-name", "cli-role", "--policy-name", "send", "--policy-document", doc)
	var inline struct{ PolicyDocument map[string]any }
	ok(&inline, "get-role-policy", "--role-name", "cli-role", "--policy-name", "send")
	st, _ := inline.PolicyDocument["Statement"].([]any)
	if len(st) != 1 || st[0].(map[string]any)["Action"] != "sqs:SendMessage" {
		t.Fatalf("get-role-policy document = %+v", inline.PolicyDocument)
	}

	ok(nil, "attach-role-policy", "--role-name", "cli-role", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	var attached struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	ok(&attached, "list-attached-role-policies", "--role-name", "cli-role")
	if len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyName != "AWSLambdaBasicExecutionRole" {
		t.Fatalf("list-attached-role-policies = %+v", attached)
	}
	fails("DeleteConflict", "Cannot delete entity, must detach all policies first.", "delete-role", "--role-name", "cli-role")

	var listed struct {
		Policies []struct{ PolicyName, Arn string }
	}
	ok(&listed, "list-policies", "--scope", "AWS", "--only-attached")
	if len(listed.Policies) != 1 || listed.Policies[0].Arn != "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" {
		t.Fatalf("list-policies = %+v", listed)
	}

	var pol struct {
		Policy struct{ Arn, DefaultVersionId string }
	}
	ok(&pol, "create-policy", "--policy-name", "cli-policy", "--policy-document", doc)
	var version struct {
		PolicyVersion struct {
			Document         map[string]any
			IsDefaultVersion bool
		}
	}
	ok(&version, "get-policy-version", "--policy-arn", pol.Policy.Arn, "--version-id", pol.Policy.DefaultVersionId)
	if !version.PolicyVersion.IsDefaultVersion || version.PolicyVersion.Document["Version"] != "2012-10-17" {
		t.Fatalf("get-policy-version = %+v", version)
	}
	fails("MalformedPolicyDocument", "Policy document should not specify a principal.", "create-policy", "--policy-name", "bad",
		"--policy-document", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}}`)
	fails("NoSuchEntity", "The role with name ghost cannot be found.", "get-role", "--role-name", "ghost")

	var sim struct {
		EvaluationResults []struct{ EvalActionName, EvalDecision string }
	}
	ok(&sim, "simulate-custom-policy", "--policy-input-list", doc, "--action-names", "sqs:SendMessage", "sqs:DeleteQueue",
		"--resource-arns", "arn:aws:sqs:us-east-1:000000000000:orders")
	if len(sim.EvaluationResults) != 2 || sim.EvaluationResults[0].EvalDecision != "allowed" || sim.EvaluationResults[1].EvalDecision != "implicitDeny" {
		t.Fatalf("simulate-custom-policy = %+v", sim)
	}
}
