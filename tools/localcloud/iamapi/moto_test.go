package iamapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// TestDifferentialMoto runs one scripted IAM session against localcloud and
// moto_server and compares what a client sees: success or error code, and
// the fields that do not depend on generated IDs or times.
func TestDifferentialMoto(t *testing.T) {
	// moto loads AWS managed policies only when asked.
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	motoURL := localcloudtest.StartMoto(t)
	e := startEnv(t, "")
	ours := e.client()
	theirs := awsiam.NewFromConfig(localcloudtest.Config(motoURL, "test", "test"))

	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`
	basic := "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	// moto's default account is 123456789012; ARNs are compared with the
	// account masked.
	steps := []struct {
		name string
		call func(c *awsiam.Client, acct string) (string, error)
	}{
		{"CreateRole", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("diff-role"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
			if err != nil {
				return "", err
			}
			d, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
			return fmt.Sprint(aws.ToString(out.Role.Arn), aws.ToString(out.Role.Path), d == lambdaTrust), nil
		}},
		{"CreateRole again", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("diff-role"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
			return "", err
		}},
		{"GetRole missing", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("nobody")})
			return "", err
		}},
		{"PutRolePolicy", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("diff-role"), PolicyName: aws.String("send"), PolicyDocument: aws.String(doc)})
			return "", err
		}},
		{"GetRolePolicy", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("diff-role"), PolicyName: aws.String("send")})
			if err != nil {
				return "", err
			}
			d, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument))
			return fmt.Sprint(aws.ToString(out.PolicyName), d == doc), nil
		}},
		{"GetRolePolicy missing", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("diff-role"), PolicyName: aws.String("nope")})
			return "", err
		}},
		{"ListRolePolicies", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("diff-role")})
			if err != nil {
				return "", err
			}
			return strings.Join(out.PolicyNames, ","), nil
		}},
		{"DeleteRole with inline policy", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("diff-role")})
			return "", err
		}},
		{"CreatePolicy", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("diff-policy"), PolicyDocument: aws.String(doc)})
			if err != nil {
				return "", err
			}
			return fmt.Sprint(aws.ToString(out.Policy.Arn), aws.ToString(out.Policy.DefaultVersionId)), nil
		}},
		{"CreatePolicy again", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("diff-policy"), PolicyDocument: aws.String(doc)})
			return "", err
		}},
		{"CreatePolicyVersion x4", func(c *awsiam.Client, acct string) (string, error) {
			var ids []string
			for i := 0; i < 4; i++ {
				out, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/diff-policy"),
					PolicyDocument: aws.String(doc), SetAsDefault: i == 1})
				if err != nil {
					return "", err
				}
				ids = append(ids, fmt.Sprint(aws.ToString(out.PolicyVersion.VersionId), out.PolicyVersion.IsDefaultVersion))
			}
			return strings.Join(ids, ","), nil
		}},
		{"CreatePolicyVersion beyond five", func(c *awsiam.Client, acct string) (string, error) {
			_, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/diff-policy"), PolicyDocument: aws.String(doc)})
			return "", err
		}},
		{"DeletePolicyVersion default", func(c *awsiam.Client, acct string) (string, error) {
			_, err := c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/diff-policy"), VersionId: aws.String("v3")})
			return "", err
		}},
		{"ListPolicyVersions", func(c *awsiam.Client, acct string) (string, error) {
			out, err := c.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/diff-policy")})
			if err != nil {
				return "", err
			}
			var ids []string
			for _, v := range out.Versions {
				ids = append(ids, fmt.Sprint(aws.ToString(v.VersionId), v.IsDefaultVersion))
			}
			return fmt.Sprint(len(ids), strings.Contains(strings.Join(ids, ","), "v3 true")), nil
		}},
		{"AttachRolePolicy AWS managed", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("diff-role"), PolicyArn: aws.String(basic)})
			return "", err
		}},
		{"AttachRolePolicy missing role", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("nobody"), PolicyArn: aws.String(basic)})
			return "", err
		}},
		{"ListAttachedRolePolicies", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("diff-role")})
			if err != nil {
				return "", err
			}
			var names []string
			for _, p := range out.AttachedPolicies {
				names = append(names, aws.ToString(p.PolicyName)+"="+aws.ToString(p.PolicyArn))
			}
			return strings.Join(names, ","), nil
		}},
		{"GetPolicy AWS managed", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(basic)})
			if err != nil {
				return "", err
			}
			return fmt.Sprint(aws.ToString(out.Policy.PolicyName), aws.ToString(out.Policy.Path), aws.ToString(out.Policy.DefaultVersionId)), nil
		}},
		{"GetPolicyVersion AWS managed", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(basic), VersionId: aws.String("v1")})
			if err != nil {
				return "", err
			}
			d, _ := url.QueryUnescape(aws.ToString(out.PolicyVersion.Document))
			var v any
			if err := json.Unmarshal([]byte(d), &v); err != nil {
				return "", err
			}
			canonical, err := json.Marshal(v) // sorted keys: moto reorders them
			return string(canonical), err
		}},
		{"ListPolicies Local", func(c *awsiam.Client, _ string) (string, error) {
			out, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
			if err != nil {
				return "", err
			}
			var names []string
			for _, p := range out.Policies {
				names = append(names, aws.ToString(p.PolicyName))
			}
			return strings.Join(names, ","), nil
		}},
		{"DetachRolePolicy not attached", func(c *awsiam.Client, acct string) (string, error) {
			_, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("diff-role"), PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/diff-policy")})
			return "", err
		}},
		{"DeleteRolePolicy", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("diff-role"), PolicyName: aws.String("send")})
			return "", err
		}},
		{"DeleteRole with attached policy", func(c *awsiam.Client, _ string) (string, error) {
			_, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("diff-role")})
			return "", err
		}},
		{"TagRole and ListRoleTags", func(c *awsiam.Client, _ string) (string, error) {
			if _, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("diff-role"), Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}}); err != nil {
				return "", err
			}
			out, err := c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("diff-role")})
			if err != nil {
				return "", err
			}
			m := map[string]string{}
			for _, tag := range out.Tags {
				m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			return fmt.Sprint(m), nil
		}},
	}
	for _, st := range steps {
		a, errA := st.call(ours, account)
		b, errB := st.call(theirs, "123456789012")
		b = strings.ReplaceAll(b, "123456789012", account)
		if code(errA) != code(errB) || a != b {
			t.Errorf("%s: localcloud %q %s, moto %q %s", st.name, a, code(errA), b, code(errB))
		}
	}
}

func code(err error) string {
	if err == nil {
		return "ok"
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}
