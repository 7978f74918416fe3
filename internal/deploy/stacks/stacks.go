package stacks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/orderflow/orderflow/internal/deploy"
)

// Module names, as used in stack names, template file names and artifact prefixes.
const (
	Bootstrap = "bootstrap"
	Ingest    = "ingest"
	Notifier  = "notifier"
)

// Zips are the paths of the packaged function zips.
type Zips struct {
	Ingest   string
	Notifier string
}

// App deploys and destroys orderflow's stacks for one Config.
type App struct {
	D   *deploy.Deployer
	Cfg Config
}

// Bootstrap deploys the bootstrap stack (unless Cfg.ArtifactBucket is set) and returns
// the artifact bucket's name.
func (a App) Bootstrap(ctx context.Context) (string, error) {
	if a.Cfg.ArtifactBucket != "" {
		return a.Cfg.ArtifactBucket, nil
	}
	res, err := a.deploy(ctx, Bootstrap, map[string]string{
		"Stage":                      a.Cfg.Stage,
		"ConfigureApiGatewayLogging": strconv.FormatBool(a.Cfg.ConfigureAPIGatewayLogging),
	})
	if err != nil {
		return "", err
	}
	bucket := res.Outputs["ArtifactBucketName"]
	if bucket == "" {
		return "", fmt.Errorf("stack %s has no ArtifactBucketName output", res.StackName)
	}
	return bucket, nil
}

// Function deploys the stack of a function module, Ingest or Notifier, with the
// function zip at zip. The notifier stack needs the ingest stack of its stage (it
// imports the table and stream).
func (a App) Function(ctx context.Context, module, zip string) (deploy.Result, error) {
	bucket, err := a.Bootstrap(ctx)
	if err != nil {
		return deploy.Result{}, err
	}
	return a.function(ctx, bucket, module, zip)
}

// All deploys bootstrap, ingest and notifier in that order and returns the results of
// the last two.
func (a App) All(ctx context.Context, z Zips) ([]deploy.Result, error) {
	bucket, err := a.Bootstrap(ctx)
	if err != nil {
		return nil, err
	}
	in, err := a.function(ctx, bucket, Ingest, z.Ingest)
	if err != nil {
		return []deploy.Result{in}, err
	}
	no, err := a.function(ctx, bucket, Notifier, z.Notifier)
	return []deploy.Result{in, no}, err
}

// Destroy deletes module's stack. Deleting ingest while the notifier stack still
// imports its exports fails; [App.DestroyAll] deletes in the right order.
func (a App) Destroy(ctx context.Context, module string) error {
	if err := a.D.Destroy(ctx, StackName(a.Cfg.Stage, module)); err != nil {
		return fmt.Errorf("destroy %s: %w", module, err)
	}
	return nil
}

// DestroyAll deletes the notifier stack, then the ingest stack. The bootstrap stack
// (and its retained artifact bucket) is left for [App.Destroy] of Bootstrap.
func (a App) DestroyAll(ctx context.Context) error {
	for _, m := range []string{Notifier, Ingest} {
		if err := a.Destroy(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (a App) function(ctx context.Context, bucket, module, zip string) (deploy.Result, error) {
	params := map[string]string{"Stage": a.Cfg.Stage, "Architecture": a.Cfg.Arch, "ArtifactBucket": bucket}
	codeKey := ""
	switch module {
	case Ingest:
		codeKey = "IngestCodeKey"
	case Notifier:
		codeKey = "NotifierCodeKey"
		params["NotificationEmail"] = a.Cfg.Email
	default:
		return deploy.Result{}, fmt.Errorf("deploy %s: not a function module (want %s or %s)", module, Ingest, Notifier)
	}
	key, err := a.D.Upload(ctx, bucket, module, zip)
	if err != nil {
		return deploy.Result{}, err
	}
	params[codeKey] = key
	return a.deploy(ctx, module, params)
}

func (a App) deploy(ctx context.Context, module string, params map[string]string) (deploy.Result, error) {
	if err := a.Cfg.Validate(); err != nil {
		return deploy.Result{}, fmt.Errorf("deploy %s: %w", module, err)
	}
	file := filepath.Join(a.Cfg.TemplateDir, module+".yaml")
	body, err := os.ReadFile(file)
	if err != nil {
		return deploy.Result{}, fmt.Errorf("deploy %s: %w", module, err)
	}
	return a.D.Deploy(ctx, deploy.Stack{
		Name:       StackName(a.Cfg.Stage, module),
		Template:   body,
		Parameters: params,
		Tags:       map[string]string{"orderflow:stage": a.Cfg.Stage, "orderflow:module": module},
	})
}
