//go:build mage

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/orderflow/orderflow/internal/deploy/stacks"
	"github.com/orderflow/orderflow/internal/localrun"
)

// Bench deploys the system to a fresh durable localcloud, measures it against DESIGN §9 (loads bounded, loopback only) and writes bench/REPORT.md with its plots.
//
// What-if runs: BENCH_NOTIFIER_PARALLELIZATION and BENCH_NOTIFIER_BATCH_SIZE change the
// notifier's stream mapping before the load; BENCH_OUT writes the report elsewhere.
func Bench(ctx context.Context) error {
	os.Setenv("ARCH", "host")
	start := time.Now()
	bin, loadgen := filepath.Join("dist", "localcloud"), filepath.Join("dist", "loadgen")
	for cmd, out := range map[string]string{"./cmd/localcloud": bin, "./cmd/loadgen": loadgen} {
		if err := goQuietIn(ctx, "tools", "build", "-o", filepath.Join("..", out), cmd); err != nil {
			return fmt.Errorf("build %s: %w", cmd, err)
		}
	}
	zips := stacks.Zips{}
	sizes := map[string]int64{}
	for module, path := range map[string]*string{stacks.Ingest: &zips.Ingest, stacks.Notifier: &zips.Notifier} {
		z, err := packageFunction(module)
		if err != nil {
			return fmt.Errorf("package %s: %w", module, err)
		}
		st, err := os.Stat(z)
		if err != nil {
			return fmt.Errorf("package %s: %w", module, err)
		}
		*path, sizes[module] = z, st.Size()
	}

	tmp, err := os.MkdirTemp("", "orderflow-bench-")
	if err != nil {
		return fmt.Errorf("bench scratch dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	listen, err := freeLoopback()
	if err != nil {
		return err
	}
	dataDir := filepath.Join(tmp, "deployed")
	cloud, err := localrun.Start(ctx, localrun.Options{Binary: bin, Listen: listen, DataDir: dataDir})
	if err != nil {
		return err
	}
	plan, err := benchDeploy(ctx, cloud.URL, dataDir, zips)
	if stopErr := cloud.Stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return err
	}
	plan["localcloud"], plan["listen"], plan["dataDir"], plan["zipBytes"] = bin, listen, dataDir, sizes
	plan["outDir"], plan["tmp"] = envOr("BENCH_OUT", "bench"), tmp
	for env, key := range map[string]string{"BENCH_NOTIFIER_PARALLELIZATION": "notifierParallelization", "BENCH_NOTIFIER_BATCH_SIZE": "notifierBatchSize"} {
		if v := os.Getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("%s=%q: want a positive number", env, v)
			}
			plan[key] = n
		}
	}
	data, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	planPath := filepath.Join(tmp, "plan.json")
	if err := os.WriteFile(planPath, data, 0o600); err != nil {
		return fmt.Errorf("write bench plan: %w", err)
	}
	fmt.Printf("deployed in %s; running the suite\n", time.Since(start).Round(time.Millisecond))
	cmd := exec.CommandContext(ctx, loadgen, "suite", "--plan", planPath)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench suite: %w", err)
	}
	fmt.Printf("\nwrote %s and its plots in %s\n", filepath.Join(envOr("BENCH_OUT", "bench"), "REPORT.md"), time.Since(start).Round(time.Second))
	return nil
}

// benchDeploy deploys every stack to the localcloud at endpoint, confirms the e-mail
// subscription, reads the API key and times three no-change redeploys: the deploy half
// of the bench plan.
func benchDeploy(ctx context.Context, endpoint, dataDir string, zips stacks.Zips) (map[string]any, error) {
	dep, err := localrun.DeployAll(ctx, endpoint, "orders@example.com", templateDir, zips, io.Discard)
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	if _, err := localrun.ConfirmSubscriptions(ctx, http.DefaultClient, filepath.Join(dataDir, "mail"), endpoint); err != nil {
		return nil, err
	}
	key, err := apigateway.NewFromConfig(localcloudConfig(endpoint)).GetApiKey(ctx, &apigateway.GetApiKeyInput{
		ApiKey: aws.String(dep.Outputs["ApiKeyId"]), IncludeValue: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the API key: %w", err)
	}
	apiURL, err := localrun.LocalAPIURL(endpoint, dep.Outputs["ApiUrl"])
	if err != nil {
		return nil, err
	}
	var redeploys []time.Duration
	changed := 0
	for range 3 {
		t := time.Now()
		again, err := localrun.DeployAll(ctx, endpoint, "orders@example.com", templateDir, zips, io.Discard)
		if err != nil {
			return nil, fmt.Errorf("redeploy: %w", err)
		}
		redeploys = append(redeploys, time.Since(t))
		if !again.NoChanges() {
			changed++
		}
	}
	if err := raiseThrottle(ctx, endpoint); err != nil {
		return nil, err
	}
	return map[string]any{
		"apiURL": apiURL, "apiKey": aws.ToString(key.Value), "table": dep.Outputs["OrdersTableName"],
		"queueURL": dep.Outputs["OrdersQueueUrl"], "redeploys": redeploys, "redeployChanged": changed,
		"functions": map[string]string{"ingest": dep.Outputs["IngestFunctionName"], "notifier": dep.Outputs["NotifierFunctionName"]},
	}, nil
}

// benchThrottle is the API stage and usage plan throttle (requests/s, burst) the bench
// deploys with: the templates' defaults (100/s, burst 200) are a per-key policy for AWS
// that would refuse most of a 200 orders/s load, let alone a saturation run.
func benchThrottle() map[string]string {
	return map[string]string{"ApiThrottleRateLimit": "20000", "ApiThrottleBurstLimit": "5000"}
}

// raiseThrottle updates the deployed ingest stack through a change set that keeps its
// template and every other parameter, setting only benchThrottle.
func raiseThrottle(ctx context.Context, endpoint string) error {
	cf := cloudformation.NewFromConfig(localcloudConfig(endpoint))
	stack := stacks.StackName("local", stacks.Ingest)
	desc, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil || len(desc.Stacks) != 1 {
		return fmt.Errorf("describe %s: %w", stack, err)
	}
	var params []cftypes.Parameter
	throttle := benchThrottle()
	for _, p := range desc.Stacks[0].Parameters {
		if v, ok := throttle[aws.ToString(p.ParameterKey)]; ok {
			params = append(params, cftypes.Parameter{ParameterKey: p.ParameterKey, ParameterValue: aws.String(v)})
		} else {
			params = append(params, cftypes.Parameter{ParameterKey: p.ParameterKey, UsePreviousValue: aws.Bool(true)})
		}
	}
	cs, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String(stack),
		ChangeSetName: aws.String("bench-throttle"), ChangeSetType: cftypes.ChangeSetTypeUpdate, UsePreviousTemplate: aws.Bool(true),
		Parameters: params, Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}})
	if err != nil {
		return fmt.Errorf("bench throttle change set: %w", err)
	}
	if err := cloudformation.NewChangeSetCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeChangeSetInput{
		ChangeSetName: cs.Id, StackName: aws.String(stack)}, 2*time.Minute); err != nil {
		return fmt.Errorf("bench throttle change set: %w", err)
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id, StackName: aws.String(stack)}); err != nil {
		return fmt.Errorf("bench throttle update: %w", err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)}, 2*time.Minute); err != nil {
		return fmt.Errorf("bench throttle update: %w", err)
	}
	return nil
}

// freeLoopback picks a free 127.0.0.1 port.
func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pick a port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
