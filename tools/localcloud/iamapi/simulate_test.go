package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const ingestPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"ConsumeOrders","Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:ChangeMessageVisibility","sqs:GetQueueAttributes"],"Resource":"` + queueARN + `"},
 {"Sid":"StoreOrders","Effect":"Allow","Action":"dynamodb:PutItem","Resource":"` + tableARN + `"}]}`

func decisions(t *testing.T, out *awsiam.SimulateCustomPolicyOutput, err error) map[string]types.PolicyEvaluationDecisionType {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]types.PolicyEvaluationDecisionType{}
	for _, r := range out.EvaluationResults {
		got[aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName)] = r.EvalDecision
	}
	return got
}

func TestSimulateCustomPolicy(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	out, err := c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{ingestPolicy},
		ActionNames:     []string{"dynamodb:PutItem", "dynamodb:DeleteItem", "sqs:SendMessage"},
		ResourceArns:    []string{tableARN, queueARN},
	})
	got := decisions(t, out, err)
	want := map[string]types.PolicyEvaluationDecisionType{
		"dynamodb:PutItem " + tableARN:    types.PolicyEvaluationDecisionTypeAllowed,
		"dynamodb:PutItem " + queueARN:    types.PolicyEvaluationDecisionTypeImplicitDeny,
		"dynamodb:DeleteItem " + tableARN: types.PolicyEvaluationDecisionTypeImplicitDeny,
		"sqs:SendMessage " + queueARN:     types.PolicyEvaluationDecisionTypeImplicitDeny,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if len(out.EvaluationResults) != 6 {
		t.Fatalf("%d results, want one per action and resource", len(out.EvaluationResults))
	}
	if m := out.EvaluationResults[0].MatchedStatements; len(m) != 1 || aws.ToString(m[0].SourcePolicyId) != "PolicyInputList.1" {
		t.Fatalf("MatchedStatements = %+v", m)
	}

	// The queue policy: the API role may send, the ingest role may not.
	apiRole := "arn:aws:iam::000000000000:role/api"
	ingestRole := "arn:aws:iam::000000000000:role/ingest"
	for caller, want := range map[string]types.PolicyEvaluationDecisionType{
		apiRole: types.PolicyEvaluationDecisionTypeAllowed, ingestRole: types.PolicyEvaluationDecisionTypeExplicitDeny} {
		out, err := c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
			PolicyInputList: []string{ingestPolicy}, ActionNames: []string{"sqs:SendMessage"}, ResourceArns: []string{queueARN},
			ResourcePolicy: aws.String(queuePolicy(apiRole, ingestRole)), CallerArn: aws.String(caller),
			ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:SecureTransport"), ContextKeyValues: []string{"true"}, ContextKeyType: types.ContextKeyTypeEnumBoolean}},
		})
		if got := decisions(t, out, err)["sqs:SendMessage "+queueARN]; got != want {
			t.Errorf("caller %s: %s, want %s", caller, got, want)
		}
	}

	// A boundary that allows only SQS caps the identity policy.
	out, err = c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList:                    []string{ingestPolicy},
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`},
		ActionNames:                        []string{"dynamodb:PutItem"}, ResourceArns: []string{tableARN},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Fatalf("with boundary: %s %+v", r.EvalDecision, r.PermissionsBoundaryDecisionDetail)
	}

	_, err = c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":`}, ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "MalformedPolicyDocument", "Syntax errors in policy.")
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	arn := createRole(t, c, "fn", lambdaTrust)
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("ingest"), PolicyDocument: aws.String(ingestPolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arn),
		ActionNames: []string{"dynamodb:PutItem", "logs:CreateLogGroup", "dynamodb:Scan"}, ResourceArns: []string{tableARN}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range out.EvaluationResults {
		src := ""
		if len(r.MatchedStatements) == 1 {
			src = aws.ToString(r.MatchedStatements[0].SourcePolicyId) + "/" + string(r.MatchedStatements[0].SourcePolicyType)
		}
		got[aws.ToString(r.EvalActionName)] = string(r.EvalDecision) + " " + src
	}
	want := map[string]string{
		"dynamodb:PutItem":    "allowed ingest/role",
		"logs:CreateLogGroup": "allowed AWSLambdaBasicExecutionRole/aws-managed",
		"dynamodb:Scan":       "implicitDeny ",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	_, err = c.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:role/none"), ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "NoSuchEntity", "")
}
