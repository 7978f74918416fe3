package iamapi_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func decodeDoc(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", aws.ToString(s), err)
	}
	return d
}

func TestRoles(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	trust := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName: aws.String("ingest-role"), Path: aws.String("/service/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("ingest execution role"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("orders")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.Arn) != "arn:aws:iam::000000000000:role/service/ingest-role" {
		t.Fatalf("Arn = %s", aws.ToString(r.Arn))
	}
	if !regexp.MustCompile(`^AROA[A-Z2-7]{17}$`).MatchString(aws.ToString(r.RoleId)) {
		t.Fatalf("RoleId = %s", aws.ToString(r.RoleId))
	}
	if r.CreateDate == nil || r.CreateDate.IsZero() || aws.ToInt32(r.MaxSessionDuration) != 3600 {
		t.Fatalf("CreateDate %v MaxSessionDuration %v", r.CreateDate, r.MaxSessionDuration)
	}
	if got := decodeDoc(t, r.AssumeRolePolicyDocument); got != trust {
		t.Fatalf("trust policy = %q", got)
	}
	if strings.Contains(aws.ToString(r.AssumeRolePolicyDocument), "+") {
		t.Fatal("spaces encoded as '+', which botocore would not decode")
	}

	got, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("INGEST-ROLE")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.RoleId) != aws.ToString(r.RoleId) || aws.ToString(got.Role.Description) != "ingest execution role" ||
		len(got.Role.Tags) != 1 || got.Role.RoleLastUsed == nil {
		t.Fatalf("GetRole = %+v", got.Role)
	}

	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("Ingest-Role"), AssumeRolePolicyDocument: aws.String(trust)})
	wantCode(t, err, "EntityAlreadyExists", "Role with name Ingest-Role already exists.")

	_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("missing")})
	wantCode(t, err, "NoSuchEntity", "The role with name missing cannot be found.")

	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
	wantCode(t, err, "MalformedPolicyDocument", "Missing required field Principal")

	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{not json`)})
	wantCode(t, err, "MalformedPolicyDocument", "Syntax errors in policy.")

	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad name"), AssumeRolePolicyDocument: aws.String(trust)})
	wantCode(t, err, "ValidationError", `1 validation error detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)

	for _, name := range []string{"a-role", "b-role", "c-role"} {
		createRole(t, c, name, trust)
	}
	var names []string
	p := awsiam.NewListRolesPaginator(c, &awsiam.ListRolesInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range pg.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if strings.Join(names, ",") != "a-role,b-role,c-role,ingest-role" || pages != 2 {
		t.Fatalf("ListRoles = %v in %d pages", names, pages)
	}
	under, err := c.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String("/service/")})
	if err != nil || len(under.Roles) != 1 {
		t.Fatalf("ListRoles PathPrefix = %v, %v", under, err)
	}

	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("a-role"), PolicyDocument: aws.String(newTrust)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("a-role")})
	if err != nil || decodeDoc(t, got.Role.AssumeRolePolicyDocument) != newTrust {
		t.Fatalf("after UpdateAssumeRolePolicy: %v %v", got, err)
	}
	_, err = c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("a-role"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`)})
	wantCode(t, err, "MalformedPolicyDocument", "Has prohibited field Resource")

	if _, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("ingest-role"), Tags: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("ingest-role")})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "env" || aws.ToString(tags.Tags[1].Value) != "platform" {
		t.Fatalf("ListRoleTags = %+v", tags.Tags)
	}
	if _, err := c.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("ingest-role"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("ingest-role")})
	if len(tags.Tags) != 1 {
		t.Fatalf("after UntagRole: %+v", tags.Tags)
	}
	_, err = c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("missing")})
	wantCode(t, err, "NoSuchEntity", "The role with name missing cannot be found.")

	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("c-role")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("c-role")})
	wantCode(t, err, "NoSuchEntity", "The role with name c-role cannot be found.")
}

func TestInlinePolicies(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	createRole(t, c, "fn", lambdaTrust)
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"StoreOrders","Effect":"Allow","Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:us-east-1:000000000000:table/orders"}]}`
	for _, name := range []string{"store", "logs"} {
		if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("store")})
	if err != nil {
		t.Fatal(err)
	}
	if decodeDoc(t, got.PolicyDocument) != doc || aws.ToString(got.RoleName) != "fn" || aws.ToString(got.PolicyName) != "store" {
		t.Fatalf("GetRolePolicy = %+v", got)
	}
	list, err := c.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil || strings.Join(list.PolicyNames, ",") != "logs,store" || list.IsTruncated {
		t.Fatalf("ListRolePolicies = %+v, %v", list, err)
	}

	_, err = c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("nope")})
	wantCode(t, err, "NoSuchEntity", "The role policy with name nope cannot be found.")
	_, err = c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}}`)})
	wantCode(t, err, "MalformedPolicyDocument", "Policy document should not specify a principal.")
	_, err = c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage"}}`)})
	wantCode(t, err, "MalformedPolicyDocument", "Policy statement must contain resources.")
	_, err = c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("nobody"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	wantCode(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":[` +
		strings.Repeat(`"arn:aws:sqs:us-east-1:000000000000:queue-with-a-long-name",`, 200) + `"*"]}}`
	_, err = c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, err, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role fn")

	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("fn")})
	wantCode(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	for _, name := range []string{"store", "logs"} {
		if _, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("store")})
	wantCode(t, err, "NoSuchEntity", "The role policy with name store cannot be found.")
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
}

func TestManagedPolicies(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	v1 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`
	out, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("send"), Path: aws.String("/app/"),
		PolicyDocument: aws.String(v1), Description: aws.String("send to queues")})
	if err != nil {
		t.Fatal(err)
	}
	pol := out.Policy
	arn := aws.ToString(pol.Arn)
	if arn != "arn:aws:iam::000000000000:policy/app/send" || aws.ToString(pol.DefaultVersionId) != "v1" || !pol.IsAttachable ||
		!regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`).MatchString(aws.ToString(pol.PolicyId)) {
		t.Fatalf("CreatePolicy = %+v", pol)
	}
	_, err = c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("send"), PolicyDocument: aws.String(v1)})
	wantCode(t, err, "EntityAlreadyExists", "A policy called send already exists. Duplicate names are not allowed.")
	_, err = c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"SendMessage","Resource":"*"}}`)})
	wantCode(t, err, "MalformedPolicyDocument", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")

	got, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToString(got.Policy.Description) != "send to queues" {
		t.Fatalf("GetPolicy = %+v, %v", got, err)
	}
	_, err = c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/none")})
	wantCode(t, err, "NoSuchEntity", "Policy arn:aws:iam::000000000000:policy/none was not found.")

	// Versions: v2..v5, then the limit.
	for i := 2; i <= 5; i++ {
		doc := strings.Replace(v1, "sqs:SendMessage", "sqs:SendMessage"+strings.Repeat("*", i-1), 1)
		v, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc), SetAsDefault: i == 3})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(v.PolicyVersion.VersionId) != "v"+string(rune('0'+i)) || v.PolicyVersion.IsDefaultVersion != (i == 3) {
			t.Fatalf("CreatePolicyVersion %d = %+v", i, v.PolicyVersion)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v1)})
	wantCode(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	versions, err := c.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(versions.Versions) != 5 || aws.ToString(versions.Versions[0].VersionId) != "v5" || !versions.Versions[2].IsDefaultVersion {
		t.Fatalf("ListPolicyVersions = %+v, %v", versions, err)
	}
	pv, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	if err != nil || !strings.Contains(decodeDoc(t, pv.PolicyVersion.Document), `"sqs:SendMessage**"`) {
		t.Fatalf("GetPolicyVersion = %+v, %v", pv, err)
	}
	_, err = c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	wantCode(t, err, "NoSuchEntity", "")
	_, err = c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	wantCode(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
	if _, err := c.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}

	// Attachments.
	createRole(t, c, "fn", lambdaTrust)
	basic := "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	for _, p := range []string{arn, basic} {
		if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")})
	wantCode(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")
	att, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil || len(att.AttachedPolicies) != 2 {
		t.Fatalf("ListAttachedRolePolicies = %+v, %v", att, err)
	}
	got, _ = c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if aws.ToInt32(got.Policy.AttachmentCount) != 1 {
		t.Fatalf("AttachmentCount = %v", got.Policy.AttachmentCount)
	}
	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("fn")})
	wantCode(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")

	local, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil || len(local.Policies) != 1 || aws.ToString(local.Policies[0].Arn) != arn {
		t.Fatalf("ListPolicies Local = %+v, %v", local, err)
	}
	attached, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})
	if err != nil || len(attached.Policies) != 1 || aws.ToString(attached.Policies[0].Arn) != basic {
		t.Fatalf("ListPolicies AWS attached = %+v, %v", attached, err)
	}

	for _, p := range []string{arn, basic} {
		if _, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(basic)})
	wantCode(t, err, "NoSuchEntity", "Policy "+basic+" was not found.")

	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v2", "v3", "v4", "v5"} {
		if _, err := c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(basic)})
	wantCode(t, err, "AccessDenied", "")
}

func TestAWSManagedPolicies(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	want := map[string][]string{
		"AWSLambdaBasicExecutionRole":          {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
		"AWSLambdaSQSQueueExecutionRole":       {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:PutLogEvents"},
		"AWSLambdaDynamoDBExecutionRole":       {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"},
		"AmazonAPIGatewayPushToCloudWatchLogs": {"logs:DescribeLogGroups", "logs:GetLogEvents", "logs:FilterLogEvents"},
	}
	for name, actions := range want {
		arn := "arn:aws:iam::aws:policy/service-role/" + name
		p, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc := decodeDoc(t, v.PolicyVersion.Document)
		var parsed struct {
			Version   string
			Statement []struct {
				Effect   string
				Action   []string
				Resource string
			}
		}
		if err := json.Unmarshal([]byte(doc), &parsed); err != nil || parsed.Version != "2012-10-17" || len(parsed.Statement) != 1 ||
			parsed.Statement[0].Effect != "Allow" || parsed.Statement[0].Resource != "*" {
			t.Fatalf("%s document %s: %v", name, doc, err)
		}
		for _, a := range actions {
			if !strings.Contains(doc, `"`+a+`"`) {
				t.Errorf("%s lacks %s: %s", name, a, doc)
			}
		}
	}
	all, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/service-role/")})
	if err != nil || len(all.Policies) < len(want) {
		t.Fatalf("ListPolicies AWS = %+v, %v", all, err)
	}
	_, err = c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)})
	wantCode(t, err, "AccessDenied", "")
}

func TestListPoliciesPagination(t *testing.T) {
	e := startEnv(t, "")
	c := e.client()
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}`
	for i := 0; i < 7; i++ {
		if _, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p" + string(rune('a'+i))), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	pages := 0
	p := awsiam.NewListPoliciesPaginator(c, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, pol := range pg.Policies {
			if seen[aws.ToString(pol.Arn)] {
				t.Fatalf("%s listed twice", aws.ToString(pol.Arn))
			}
			seen[aws.ToString(pol.Arn)] = true
		}
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("listed %d policies in %d pages", len(seen), pages)
	}
	_, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Marker: aws.String("!!not-a-marker")})
	wantCode(t, err, "InvalidInput", "")
}

func TestGetUserRoot(t *testing.T) {
	e := startEnv(t, "")
	out, err := e.client().GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.User.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(out.User.UserId) != account {
		t.Fatalf("GetUser = %+v", out.User)
	}
	_, err = e.client().GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
	wantCode(t, err, "NoSuchEntity", "The user with name bob cannot be found.")
}

func TestStatePersists(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	c := e.client()
	createRole(t, c, "fn", lambdaTrust)
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	pol, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("m"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.Close(); err != nil {
		t.Fatal(err)
	}

	e2 := startEnv(t, dir)
	c2 := e2.client()
	if _, err := c2.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	att, err := c2.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil || len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyName) != "m" {
		t.Fatalf("after restart: %+v, %v", att, err)
	}
}
