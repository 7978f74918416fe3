package localrun

import (
	"context"
	"io"

	"github.com/orderflow/orderflow/internal/deploy"
	"github.com/orderflow/orderflow/internal/deploy/stacks"
)

// Deployment is what DeployAll reports: every stack's result and their outputs merged.
type Deployment struct {
	Results []deploy.Result
	// Outputs holds the ingest and notifier stacks' outputs (ApiUrl, ApiKeyId,
	// IngestFunctionName, NotifierFunctionName, ...).
	Outputs map[string]string
}

// NoChanges is true when no stack changed: a redeploy of what is already running.
func (d Deployment) NoChanges() bool {
	for _, r := range d.Results {
		if !r.NoChanges {
			return false
		}
	}
	return len(d.Results) > 0
}

// DeployAll deploys the bootstrap, ingest and notifier stacks to the localcloud at
// endpoint through the same change-set code a deploy to AWS uses: stage "local",
// host-native zips, email subscribed (none when empty), no confirmation prompt, the root
// test credentials. Progress goes to out.
func DeployAll(ctx context.Context, endpoint, email, templateDir string, zips stacks.Zips, out io.Writer) (Deployment, error) {
	d, err := stacks.NewDeployer(ctx, stacks.Target{
		Region: "us-east-1", Endpoint: endpoint, AccessKeyID: "test", SecretAccessKey: "test",
	}, out, nil, true, func(string) string { return "" })
	if err != nil {
		return Deployment{}, err
	}
	app := stacks.App{D: d, Cfg: stacks.Config{
		Stage: "local", Arch: stacks.HostArch(), TemplateDir: templateDir, Email: email,
	}}
	results, err := app.All(ctx, zips)
	if err != nil {
		return Deployment{}, err
	}
	dep := Deployment{Results: results, Outputs: map[string]string{}}
	for _, r := range results {
		for k, v := range r.Outputs {
			dep.Outputs[k] = v
		}
	}
	return dep, nil
}
