//go:build mage

// The project's task runner. Run `go run mage.go` to list targets, `go run mage.go -v
// <target>` to see every command a target runs. Logic worth testing lives in internal/
// packages; this file only wires it to targets.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	"github.com/orderflow/orderflow/internal/artifact"
	"github.com/orderflow/orderflow/internal/deploy/stacks"
	"github.com/orderflow/orderflow/internal/fuzzrun"
	"github.com/orderflow/orderflow/internal/localrun"
	"github.com/orderflow/orderflow/internal/release"
)

// goModules are the workspace's modules in dependency order; "." is the root build module
// (magefile, deploy code, tool pins), which is never released.
func goModules() []string { return []string{".", "contracts", "ingest", "notifier", "tools"} }

// releasable are the modules teams release on their own.
func releasable() []string { return []string{"contracts", "ingest", "notifier", "tools"} }

// functions maps each Lambda function to its module and main package.
func functions() map[string]string {
	return map[string]string{"ingest": "./cmd/ingest", "notifier": "./cmd/notifier"}
}

// Build namespace: compile function executables.
type Build mg.Namespace

// Ingest compiles the ingest function's bootstrap into dist/ (ARCH=x86_64|arm64|host, default arm64).
func (Build) Ingest(ctx context.Context) error { _, err := buildFunction(ctx, "ingest"); return err }

// Notifier compiles the notifier function's bootstrap into dist/ (ARCH=x86_64|arm64|host, default arm64).
func (Build) Notifier(ctx context.Context) error {
	_, err := buildFunction(ctx, "notifier")
	return err
}

// Package namespace: reproducible deployment zips.
type Package mg.Namespace

// Ingest writes the ingest function's reproducible zip to dist/ingest-<arch>.zip.
func (Package) Ingest(ctx context.Context) error { return printPackage(ctx, "ingest") }

// Notifier writes the notifier function's reproducible zip to dist/notifier-<arch>.zip.
func (Package) Notifier(ctx context.Context) error { return printPackage(ctx, "notifier") }

func targetArch() (artifact.Arch, error) { return artifact.ParseArch(os.Getenv("ARCH")) }

func buildFunction(ctx context.Context, module string) (string, error) {
	pkg, ok := functions()[module]
	if !ok {
		return "", fmt.Errorf("%q is not a function module", module)
	}
	arch, err := targetArch()
	if err != nil {
		return "", err
	}
	out := filepath.Join("dist", module+"-"+string(arch), "bootstrap")
	if mg.Verbose() {
		fmt.Printf("building %s for %s\n", module, arch)
	}
	if err := artifact.Build(ctx, artifact.BuildSpec{ModuleDir: module, Package: pkg, Arch: arch, Out: out}); err != nil {
		return "", err
	}
	return out, nil
}

// packageFunction builds module and writes its zip, returning the zip's path. The deploy
// targets call it.
func packageFunction(module string) (string, error) {
	z, err := packageZip(context.Background(), module)
	return z.Path, err
}

func packageZip(ctx context.Context, module string) (artifact.Zip, error) {
	boot, err := buildFunction(ctx, module)
	if err != nil {
		return artifact.Zip{}, err
	}
	arch, _ := targetArch()
	return artifact.WriteBootstrapZip(filepath.Join("dist", module+"-"+string(arch)+".zip"), boot)
}

func printPackage(ctx context.Context, module string) error {
	z, err := packageZip(ctx, module)
	if err != nil {
		return err
	}
	fmt.Printf("%s  %d bytes  sha256 %s\n", z.Path, z.Size, z.SHA256)
	return nil
}

// Test runs everything CI checks: formatting, fresh mocks, tidy go.mod files, vet and
// race-enabled tests of every module with and without the workspace, the linter, and a
// bounded run of every fuzz target (FUZZTIME, default 5s each).
func Test(ctx context.Context) error {
	mg.SerialCtxDeps(ctx, checkFormat, checkMocks, checkTidy)
	var failed []string
	for _, m := range goModules() {
		for _, mode := range []string{"workspace", "GOWORK=off"} {
			env := map[string]string{}
			if mode == "GOWORK=off" {
				env["GOWORK"] = "off"
			}
			fmt.Printf("== %s (%s): vet, test -race\n", m, mode)
			if err := goIn(ctx, m, env, "vet", "./..."); err != nil {
				failed = append(failed, fmt.Sprintf("vet %s (%s)", m, mode))
				continue
			}
			// The workspace pass always runs (-count=1). The module-alone pass may reuse a
			// result only where the test binary is byte-identical, that is where the module's
			// own go.mod resolves the same versions as the workspace; elsewhere it reruns.
			args := []string{"test", "-race", "-timeout=15m"}
			if mode == "workspace" {
				args = append(args, "-count=1")
			}
			if err := goIn(ctx, m, env, append(args, "./...")...); err != nil {
				failed = append(failed, fmt.Sprintf("test %s (%s)", m, mode))
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, "; "))
	}
	mg.SerialCtxDeps(ctx, Lint, Fuzz)
	fmt.Println("all checks passed")
	return nil
}

// Lint runs the linter pinned in the root go.mod (golangci-lint) over every module.
func Lint(ctx context.Context) error {
	for _, m := range goModules() {
		fmt.Printf("== lint %s\n", m)
		if err := goIn(ctx, m, nil, "tool", "golangci-lint", "run", "./..."); err != nil {
			return fmt.Errorf("lint %s: %w", m, err)
		}
	}
	return nil
}

// Fuzz runs every Fuzz target in the workspace for FUZZTIME each (default 5s).
func Fuzz(ctx context.Context) error {
	fuzztime := os.Getenv("FUZZTIME")
	if fuzztime == "" {
		fuzztime = "5s"
	}
	targets, err := fuzzTargets()
	if err != nil {
		return err
	}
	for _, ft := range targets {
		module, rel := moduleOf(ft.dir)
		args := []string{"test", "-run=^$", "-fuzz=^" + ft.name + "$", "-fuzztime=" + fuzztime,
			// Bound the minimisation of newly interesting inputs: left at its 60 s
			// default it can outlast -fuzztime and fail the run although no input failed.
			"-fuzzminimizetime=1s", "./" + rel}
		// Go 1.26's fuzzing coordinator can report its own -fuzztime deadline as a failure
		// (go.dev/issue/75804, fixed in Go 1.27). Such a run wrote no failing input, so it is
		// run again; a failing input or any other failure stops at once.
		const attempts = 3
		for attempt := 1; ; attempt++ {
			fmt.Printf("== fuzz %s %s for %s\n", ft.dir, ft.name, fuzztime)
			var out bytes.Buffer
			err := goInTee(ctx, module, &out, args...)
			outcome := fuzzrun.Classify(out.Bytes(), err)
			if outcome == fuzzrun.Passed {
				break
			}
			if outcome == fuzzrun.ShutdownRace && attempt < attempts {
				fmt.Printf("== fuzz %s: no input failed; the fuzzing coordinator reported its own deadline (go.dev/issue/75804), running again (%d/%d)\n",
					ft.name, attempt+1, attempts)
				continue
			}
			return fmt.Errorf("fuzz %s in %s (%s): %w", ft.name, ft.dir, outcome, err)
		}
	}
	return nil
}

// goInTee is goIn without extra environment that also copies the output to w.
func goInTee(ctx context.Context, dir string, w *bytes.Buffer, args ...string) error {
	cmd := exec.CommandContext(ctx, mg.GoCmd(), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = io.MultiWriter(os.Stdout, w), io.MultiWriter(os.Stderr, w)
	if mg.Verbose() {
		fmt.Printf("(cd %s && go %s)\n", dir, strings.Join(args, " "))
	}
	return cmd.Run()
}

type fuzzTarget struct{ dir, name string }

var fuzzFunc = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(\w+ \*testing\.F\)`)

// fuzzTargets finds every `func FuzzXxx(f *testing.F)` in the workspace's test files.
func fuzzTargets() ([]fuzzTarget, error) {
	var out []fuzzTarget
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllSubmatch(data, -1) {
			out = append(out, fuzzTarget{dir: filepath.Dir(path), name: string(m[1])})
		}
		return nil
	})
	return out, err
}

// moduleOf splits a package directory into its module folder and the path inside it.
func moduleOf(dir string) (module, rel string) {
	for _, m := range goModules()[1:] {
		if dir == m || strings.HasPrefix(dir, m+string(filepath.Separator)) {
			r, _ := filepath.Rel(m, dir)
			return m, filepath.ToSlash(r)
		}
	}
	return ".", filepath.ToSlash(dir)
}

// goIn runs the go command in dir with extra environment, streaming its output.
func goIn(ctx context.Context, dir string, env map[string]string, args ...string) error {
	cmd := exec.CommandContext(ctx, mg.GoCmd(), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if mg.Verbose() {
		fmt.Printf("(cd %s && go %s)\n", dir, strings.Join(args, " "))
	}
	return cmd.Run()
}

// checkFormat fails on any Go file gofmt would change.
func checkFormat() error {
	out, err := sh.Output("gofmt", "-l", ".")
	if err != nil {
		return err
	}
	if out = strings.TrimSpace(out); out != "" {
		return fmt.Errorf("gofmt would change these files (run gofmt -w):\n%s", out)
	}
	return nil
}

// checkTidy fails when a module's go.mod or go.sum is not what `go mod tidy` makes.
func checkTidy(ctx context.Context) error {
	for _, m := range goModules() {
		var buf bytes.Buffer
		cmd := exec.CommandContext(ctx, mg.GoCmd(), "mod", "tidy", "-diff")
		cmd.Dir = m
		cmd.Env = append(os.Environ(), "GOWORK=off")
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s/go.mod is not tidy (run `cd %s && GOWORK=off go mod tidy`):\n%s", m, m, buf.String())
		}
	}
	return nil
}

// Mocks regenerates every module's mockery mocks from its .mockery.yaml.
func Mocks(ctx context.Context) error {
	for _, m := range mockModules() {
		fmt.Printf("== mockery %s\n", m)
		if err := goQuietIn(ctx, m, "tool", "mockery"); err != nil {
			return fmt.Errorf("mockery in %s: %w", m, err)
		}
	}
	return nil
}

func mockModules() []string {
	var ms []string
	for _, m := range goModules() {
		if _, err := os.Stat(filepath.Join(m, ".mockery.yaml")); err == nil {
			ms = append(ms, m)
		}
	}
	return ms
}

// goQuietIn runs the go command in dir and shows its output only when it fails or -v.
func goQuietIn(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, mg.GoCmd(), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || mg.Verbose() {
		os.Stdout.Write(out)
	}
	return err
}

// checkMocks regenerates the mocks and fails if that changed any file: committed mocks must
// match the interfaces they stand in for.
func checkMocks(ctx context.Context) error {
	before, err := mockFiles()
	if err != nil {
		return err
	}
	if err := Mocks(ctx); err != nil {
		return err
	}
	after, err := mockFiles()
	if err != nil {
		return err
	}
	var stale []string
	for p, h := range after {
		if before[p] != h {
			stale = append(stale, p)
		}
	}
	slices.Sort(stale)
	if len(stale) > 0 {
		return fmt.Errorf("generated mocks were stale (now regenerated; review and commit them):\n  %s", strings.Join(stale, "\n  "))
	}
	return nil
}

// mockFiles hashes every Go file carrying mockery's generated-code header.
func mockFiles() (map[string][32]byte, error) {
	files := map[string][32]byte{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		first, _ := bufio.NewReader(f).ReadString('\n')
		if !strings.Contains(first, "Code generated by mockery") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files[path] = sha256.Sum256(data)
		return nil
	})
	return files, err
}

// Release namespace: per-module releases, each by its own team.
type Release mg.Namespace

// Contracts previews (or with RELEASE=apply, makes) release <version> of contracts.
func (Release) Contracts(ctx context.Context, version string) error {
	return releaseModule(ctx, "contracts", version)
}

// Ingest previews (or with RELEASE=apply, makes) release <version> of ingest.
func (Release) Ingest(ctx context.Context, version string) error {
	return releaseModule(ctx, "ingest", version)
}

// Notifier previews (or with RELEASE=apply, makes) release <version> of notifier.
func (Release) Notifier(ctx context.Context, version string) error {
	return releaseModule(ctx, "notifier", version)
}

// Tools previews (or with RELEASE=apply, makes) release <version> of tools.
func (Release) Tools(ctx context.Context, version string) error {
	return releaseModule(ctx, "tools", version)
}

func releaseModule(ctx context.Context, module, version string) error {
	apply := os.Getenv("RELEASE") == "apply"
	repo := release.Repo{Dir: "."}
	plan, err := release.Prepare(ctx, repo, module, version, release.Options{
		Modules: releasable(),
		RunTests: func(ctx context.Context, dir string) error {
			fmt.Printf("running %s tests (GOWORK=off go test -race ./...)\n", module)
			return goIn(ctx, dir, map[string]string{"GOWORK": "off"}, "test", "-race", "./...")
		},
	})
	if err != nil {
		return err
	}
	fmt.Print(plan.Preview())
	if !apply {
		fmt.Printf("\npreview only; to release run: RELEASE=apply go run mage.go release:%s %s\n", module, version)
		return nil
	}
	if err := plan.Apply(ctx, repo); err != nil {
		return err
	}
	fmt.Printf("released %s; publish with: git push origin %s\n", plan.Tag, plan.Tag)
	return nil
}

// Local runs the whole system on this machine: starts localcloud (or reuses one), deploys every stack to it, and follows the functions' logs until Ctrl-C.
func Local(ctx context.Context) error {
	os.Setenv("ARCH", "host")
	listen := envOr("LOCALCLOUD_LISTEN", "127.0.0.1:4566")
	dataDir := envOr("LOCALCLOUD_DATA_DIR", ".localcloud")
	email := envOr(stacks.EnvEmail, "orders@example.com")

	bin := filepath.Join("dist", "localcloud")
	if err := goQuietIn(ctx, "tools", "build", "-o", filepath.Join("..", bin), "./cmd/localcloud"); err != nil {
		return fmt.Errorf("build localcloud: %w", err)
	}
	cloud, err := localrun.Start(ctx, localrun.Options{Binary: bin, Listen: listen, DataDir: dataDir})
	if err != nil {
		return err
	}
	defer func() {
		if err := cloud.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	if cloud.Reused {
		fmt.Printf("using the localcloud already serving on %s\n", cloud.URL)
	} else {
		fmt.Printf("localcloud serving on %s (data in %s, its log in %s)\n", cloud.URL, dataDir, cloud.LogPath)
	}

	outputs, err := deployLocalStacks(ctx, cloud.URL, email)
	if err != nil {
		return err
	}
	confirmed, err := localrun.ConfirmSubscriptions(ctx, http.DefaultClient, filepath.Join(dataDir, "mail"), cloud.URL)
	if err != nil {
		return err
	}
	if confirmed > 0 {
		fmt.Printf("confirmed the e-mail subscription for %s from the local mailbox\n", email)
	}

	cfg := localcloudConfig(cloud.URL)
	key, err := apigateway.NewFromConfig(cfg).GetApiKey(ctx, &apigateway.GetApiKeyInput{
		ApiKey: aws.String(outputs["ApiKeyId"]), IncludeValue: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("read the API key: %w", err)
	}
	apiURL, err := localrun.LocalAPIURL(cloud.URL, outputs["ApiUrl"])
	if err != nil {
		return err
	}
	fmt.Printf("\nready.\n  API:     POST %s\n  API key: %s\n  mailbox: go run ./tools/cmd/localcloud mail list --data-dir %s\n\nsend the tutorial's order:\n\n%s\n\nfollowing the functions' logs (Ctrl-C stops)...\n",
		apiURL, aws.ToString(key.Value), dataDir, localrun.Curl(apiURL, aws.ToString(key.Value)))

	groups := map[string]string{}
	for label, output := range map[string]string{"ingest": "IngestFunctionName", "notifier": "NotifierFunctionName"} {
		if fn := outputs[output]; fn != "" {
			groups[label] = "/aws/lambda/" + fn
		}
	}
	return localrun.FollowLogs(ctx, cloudwatchlogs.NewFromConfig(cfg), groups, time.Now(), 500*time.Millisecond, os.Stdout)
}

// localcloudConfig is an SDK configuration for localcloud's root test credentials.
func localcloudConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
