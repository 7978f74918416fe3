// Command loadgen sends orders to the local system's public API, bounded in time and
// count, loopback only, and prints throughput and latency percentiles.
//
//	loadgen --url URL --api-key KEY [--rate 200 | --concurrency 32] [--duration 15s] [--max-orders N]
//	loadgen suite --plan plan.json
//	loadgen noop
//
// The first form is for a person at a terminal (the URL and key are what `mage local`
// prints). The second is what `go run mage.go bench` runs after deploying: the whole
// measured suite, writing bench/REPORT.md and its plots. The third serves the no-op
// reference server the suite compares the SQS and DynamoDB API rates with.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/orderflow/orderflow/tools/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "suite" {
		return suite(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "noop" {
		return bench.ServeNoop(ctx, stdout)
	}
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "orders endpoint (POST), on loopback")
	key := fs.String("api-key", "", "API key (x-api-key)")
	rate := fs.Float64("rate", 0, "orders per second (0: as fast as --concurrency clients can)")
	conc := fs.Int("concurrency", 0, "requests in flight at most (default 64 at a fixed rate, 16 otherwise)")
	dur := fs.Duration("duration", 15*time.Second, "how long to send (capped at "+bench.MaxDuration.String()+")")
	maxOrders := fs.Int("max-orders", 0, "stop after this many orders (capped at "+strconv.Itoa(bench.MaxOrders)+")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *url == "" || *key == "" {
		return errors.New("--url and --api-key are required")
	}
	l := bench.Load{URL: *url, APIKey: *key, Rate: *rate, Concurrency: *conc, Duration: *dur, MaxOrders: *maxOrders,
		KeyPrefix: "loadgen-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"}
	res, err := l.Run(ctx)
	if err != nil {
		return err
	}
	bench.PrintLoad(stdout, res)
	return nil
}

func suite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen suite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planPath := fs.String("plan", "", "the suite's plan (JSON, written by `mage bench`)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*planPath)
	if err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	var plan bench.Plan
	if err := json.Unmarshal(data, &plan); err != nil {
		return fmt.Errorf("plan %s: %w", *planPath, err)
	}
	_, err = bench.Run(ctx, plan, stdout)
	return err
}
