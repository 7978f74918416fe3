package stacks

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
)

// Config is what a deploy needs beyond the AWS target (which the SDK's own
// configuration chooses: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL).
type Config struct {
	// Stage names the environment: stacks are orderflow-<stage>-<module>.
	Stage string
	// Arch is the functions' architecture: arm64 or x86_64.
	Arch string
	// Email, if set, is subscribed to the order-events topic.
	Email string
	// TemplateDir holds bootstrap.yaml, ingest.yaml and notifier.yaml.
	TemplateDir string
	// ArtifactBucket, if set, is used instead of the bootstrap stack's bucket.
	ArtifactBucket string
	// ConfigureAPIGatewayLogging lets the bootstrap stack set this region's API Gateway
	// CloudWatch role (needed once per account and region for access logs).
	ConfigureAPIGatewayLogging bool
}

// Environment variables read by [ConfigFromEnv].
const (
	EnvStage          = "ORDERFLOW_STAGE"
	EnvEmail          = "ORDERFLOW_EMAIL"
	EnvArtifactBucket = "ORDERFLOW_ARTIFACT_BUCKET"
	EnvAPIGWLogging   = "ORDERFLOW_APIGW_ACCOUNT_LOGGING"
	EnvArch           = "ARCH"
	EnvYes            = "ORDERFLOW_YES"
	EnvCI             = "CI"
)

var stagePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

// ConfigFromEnv reads the deploy configuration from the environment: ORDERFLOW_STAGE
// (default dev), ORDERFLOW_EMAIL, ARCH (x86_64, arm64 or host; default arm64),
// ORDERFLOW_ARTIFACT_BUCKET and
// ORDERFLOW_APIGW_ACCOUNT_LOGGING (default true). templateDir is where the templates are.
func ConfigFromEnv(getenv func(string) string, templateDir string) (Config, error) {
	c := Config{
		Stage:                      getenv(EnvStage),
		Arch:                       getenv(EnvArch),
		Email:                      getenv(EnvEmail),
		TemplateDir:                templateDir,
		ArtifactBucket:             getenv(EnvArtifactBucket),
		ConfigureAPIGatewayLogging: getenv(EnvAPIGWLogging) != "false",
	}
	if c.Stage == "" {
		c.Stage = "dev"
	}
	switch c.Arch {
	case "":
		c.Arch = "arm64"
	case "host":
		c.Arch = HostArch()
	}
	return c, c.Validate()
}

// HostArch is this machine's architecture in Lambda's words (x86_64 or arm64), what
// ARCH=host builds for.
func HostArch() string {
	if runtime.GOARCH == "amd64" {
		return "x86_64"
	}
	return runtime.GOARCH
}

// Validate reports a stage, architecture or e-mail the templates would reject, before
// any AWS call is made.
func (c Config) Validate() error {
	if !stagePattern.MatchString(c.Stage) {
		return fmt.Errorf("stage %q: want lower-case letters, digits and '-', starting with a letter, at most 20 characters", c.Stage)
	}
	if c.Arch != "arm64" && c.Arch != "x86_64" {
		return fmt.Errorf("architecture %q: want arm64 or x86_64", c.Arch)
	}
	if c.Email != "" && (strings.Count(c.Email, "@") != 1 || strings.ContainsAny(c.Email, " \t")) {
		return fmt.Errorf("e-mail %q does not look like an address", c.Email)
	}
	return nil
}

// AutoApprove reports whether change sets run without asking: when CI is set (and not
// "false" or "0") or ORDERFLOW_YES=1.
func AutoApprove(getenv func(string) string) bool {
	ci := strings.ToLower(getenv(EnvCI))
	return (ci != "" && ci != "false" && ci != "0") || getenv(EnvYes) == "1"
}

// StackName is the name of module's stack in stage.
func StackName(stage, module string) string { return "orderflow-" + stage + "-" + module }
