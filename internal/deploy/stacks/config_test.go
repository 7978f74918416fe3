package stacks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/internal/deploy"
	"github.com/orderflow/orderflow/internal/deploy/stacks"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    stacks.Config
		wantErr string
	}{
		{
			name: "defaults",
			env:  map[string]string{},
			want: stacks.Config{Stage: "dev", Arch: "arm64", TemplateDir: "infra-cfn", ConfigureAPIGatewayLogging: true},
		},
		{
			name: "everything set",
			env: map[string]string{
				"ORDERFLOW_STAGE": "prod", "ARCH": "x86_64", "ORDERFLOW_EMAIL": "ops@example.com",
				"ORDERFLOW_ARTIFACT_BUCKET": "my-bucket", "ORDERFLOW_APIGW_ACCOUNT_LOGGING": "false",
			},
			want: stacks.Config{Stage: "prod", Arch: "x86_64", Email: "ops@example.com", TemplateDir: "infra-cfn", ArtifactBucket: "my-bucket"},
		},
		{
			name: "host architecture",
			env:  map[string]string{"ARCH": "host"},
			want: stacks.Config{Stage: "dev", Arch: stacks.HostArch(), TemplateDir: "infra-cfn", ConfigureAPIGatewayLogging: true},
		},
		{name: "upper-case stage", env: map[string]string{"ORDERFLOW_STAGE": "Dev"}, wantErr: `stage "Dev"`},
		{name: "stage too long", env: map[string]string{"ORDERFLOW_STAGE": "a23456789012345678901"}, wantErr: "at most 20"},
		{name: "unknown architecture", env: map[string]string{"ARCH": "amd64"}, wantErr: `architecture "amd64"`},
		{name: "not an e-mail", env: map[string]string{"ORDERFLOW_EMAIL": "ops.example.com"}, wantErr: `e-mail "ops.example.com"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stacks.ConfigFromEnv(env(tc.env), "infra-cfn")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("config = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAutoApprove(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"CI": "true"}, true},
		{map[string]string{"CI": "1"}, true},
		{map[string]string{"CI": "false"}, false},
		{map[string]string{"CI": "0"}, false},
		{map[string]string{"ORDERFLOW_YES": "1"}, true},
		{map[string]string{"ORDERFLOW_YES": "yes"}, false},
	} {
		if got := stacks.AutoApprove(env(tc.env)); got != tc.want {
			t.Errorf("AutoApprove(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

func TestStackName(t *testing.T) {
	if got := stacks.StackName("dev", stacks.Ingest); got != "orderflow-dev-ingest" {
		t.Errorf("StackName = %q", got)
	}
}

func TestFunctionRejectsNonFunctionModule(t *testing.T) {
	app := stacks.App{D: &deploy.Deployer{}, Cfg: stacks.Config{Stage: "dev", Arch: "arm64", ArtifactBucket: "b"}}
	_, err := app.Function(context.Background(), stacks.Bootstrap, "x.zip")
	if err == nil || !strings.Contains(err.Error(), "not a function module") {
		t.Fatalf("Function(bootstrap) error = %v, want a not-a-function-module error", err)
	}
}
