//go:build mage

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/orderflow/orderflow/internal/deploy/stacks"
	"github.com/orderflow/orderflow/internal/localrun"
)

// Deploy namespace: package, upload and deploy stacks through CloudFormation change
// sets to the AWS target the SDK's configuration selects (AWS_PROFILE, AWS_REGION,
// AWS_ENDPOINT_URL). Stage, e-mail and architecture come from ORDERFLOW_STAGE,
// ORDERFLOW_EMAIL and ARCH; CI or ORDERFLOW_YES=1 skips the confirmation prompt.
type Deploy mg.Namespace

// Destroy namespace: delete stacks, waiting until they are gone.
type Destroy mg.Namespace

// templateDir holds the CloudFormation templates, relative to the repository root.
const templateDir = "infra-cfn"

// Bootstrap deploys the artifact bucket stack (done by every other deploy target too).
func (Deploy) Bootstrap(ctx context.Context) error {
	app, err := deployApp(ctx, "", "", nil)
	if err != nil {
		return err
	}
	_, err = app.Bootstrap(ctx)
	return err
}

// Ingest packages the ingest function and deploys the ingest stack (API, queues, table).
func (Deploy) Ingest(ctx context.Context) error { return deployFunction(ctx, stacks.Ingest) }

// Notifier packages the notifier function and deploys the notifier stack (topic, stream mapping).
func (Deploy) Notifier(ctx context.Context) error { return deployFunction(ctx, stacks.Notifier) }

// All packages both functions and deploys the bootstrap, ingest and notifier stacks in order.
func (Deploy) All(ctx context.Context) error {
	app, err := deployApp(ctx, "", "", nil)
	if err != nil {
		return err
	}
	return deployAll(ctx, app)
}

// To deploys every stack to the given stage, region and e-mail ("none" for no subscription).
func (Deploy) To(ctx context.Context, stage, region, email string) error {
	if email == "none" {
		email = ""
	}
	app, err := deployApp(ctx, region, stage, &email)
	if err != nil {
		return err
	}
	return deployAll(ctx, app)
}

// Ingest deletes the ingest stack (delete the notifier stack first: it imports ingest's exports).
func (Destroy) Ingest(ctx context.Context) error { return destroy(ctx, stacks.Ingest) }

// Notifier deletes the notifier stack.
func (Destroy) Notifier(ctx context.Context) error { return destroy(ctx, stacks.Notifier) }

// All deletes the notifier, then the ingest stack; the bootstrap stack and its bucket stay.
func (Destroy) All(ctx context.Context) error {
	app, err := deployApp(ctx, "", "", nil)
	if err != nil {
		return err
	}
	return app.DestroyAll(ctx)
}

// Bootstrap deletes the bootstrap stack; its artifact bucket is retained (see infra-cfn/README.md).
func (Destroy) Bootstrap(ctx context.Context) error { return destroy(ctx, stacks.Bootstrap) }

func deployFunction(ctx context.Context, module string) error {
	app, err := deployApp(ctx, "", "", nil)
	if err != nil {
		return err
	}
	zip, err := packageFunction(module)
	if err != nil {
		return fmt.Errorf("package %s: %w", module, err)
	}
	_, err = app.Function(ctx, module, zip)
	return err
}

func deployAll(ctx context.Context, app stacks.App) error {
	ingest, err := packageFunction(stacks.Ingest)
	if err != nil {
		return fmt.Errorf("package ingest: %w", err)
	}
	notifier, err := packageFunction(stacks.Notifier)
	if err != nil {
		return fmt.Errorf("package notifier: %w", err)
	}
	_, err = app.All(ctx, stacks.Zips{Ingest: ingest, Notifier: notifier})
	return err
}

func destroy(ctx context.Context, module string) error {
	app, err := deployApp(ctx, "", "", nil)
	if err != nil {
		return err
	}
	return app.Destroy(ctx, module)
}

// deployApp reads the deploy configuration from the environment, with stage and e-mail
// overridden when given, and connects to the configured AWS target.
func deployApp(ctx context.Context, region, stage string, email *string) (stacks.App, error) {
	cfg, err := stacks.ConfigFromEnv(os.Getenv, templateDir)
	if err != nil {
		return stacks.App{}, err
	}
	if stage != "" {
		cfg.Stage = stage
	}
	if email != nil {
		cfg.Email = *email
	}
	if err := cfg.Validate(); err != nil {
		return stacks.App{}, err
	}
	d, err := stacks.NewDeployer(ctx, stacks.Target{Region: region}, os.Stdout, os.Stdin, stacks.AutoApprove(os.Getenv), os.Getenv)
	if err != nil {
		return stacks.App{}, err
	}
	return stacks.App{D: d, Cfg: cfg}, nil
}

// deployLocalStacks packages both functions host-native and deploys every stack to the
// localcloud at endpoint (for `mage local`), returning both stacks' outputs merged.
func deployLocalStacks(ctx context.Context, endpoint, email string) (map[string]string, error) {
	ingest, err := packageFunction(stacks.Ingest)
	if err != nil {
		return nil, fmt.Errorf("package ingest: %w", err)
	}
	notifier, err := packageFunction(stacks.Notifier)
	if err != nil {
		return nil, fmt.Errorf("package notifier: %w", err)
	}
	dep, err := localrun.DeployAll(ctx, endpoint, email, templateDir, stacks.Zips{Ingest: ingest, Notifier: notifier}, os.Stdout)
	if err != nil {
		return nil, err
	}
	return dep.Outputs, nil
}
