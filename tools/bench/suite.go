package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Plan is what the suite needs from whoever deployed the stacks (`mage bench`): a
// localcloud binary and the data dir it deployed to (localcloud stopped), the deployed
// names, and the deploy-side figures it measured.
type Plan struct {
	Localcloud string `json:"localcloud"`
	// Listen is the loopback address the stacks were deployed on; APIURL, QueueURL
	// name it, so the suite serves the data dir on the same address.
	Listen  string `json:"listen"`
	DataDir string `json:"dataDir"`
	APIURL  string `json:"apiURL"`
	APIKey  string `json:"apiKey"`
	Table   string `json:"table"`
	// QueueURL is the orders queue.
	QueueURL string `json:"queueURL"`
	// Functions maps "ingest" and "notifier" to their deployed function names.
	Functions map[string]string `json:"functions"`
	// ZipBytes maps each function to its deployment zip's size.
	ZipBytes map[string]int64 `json:"zipBytes"`
	// Redeploys are the no-change redeploy times; RedeployChanged counts redeploys
	// that changed something (should be 0).
	Redeploys       []time.Duration `json:"redeploys"`
	RedeployChanged int             `json:"redeployChanged"`
	// OutDir receives REPORT.md and the plots.
	OutDir string `json:"outDir"`
	// Tmp is a scratch directory for fresh data dirs.
	Tmp string `json:"tmp"`
	Knobs
}

// Knobs size the suite; zero values take the defaults, which keep the whole suite well
// under five minutes.
type Knobs struct {
	Rate           float64       `json:"rate"`           // fixed rate, orders/s (200)
	RateFor        time.Duration `json:"rateFor"`        // (15 s)
	Clients        int           `json:"clients"`        // saturation clients (32)
	SaturateFor    time.Duration `json:"saturateFor"`    // (15 s)
	SaturateMax    int           `json:"saturateMax"`    // orders at most in the saturation run (5000)
	Drain          time.Duration `json:"drain"`          // bound on each drain (90 s)
	StartRuns      int           `json:"startRuns"`      // start-to-ready runs each way (5)
	APIFor         time.Duration `json:"apiFor"`         // per API comparison (3 s)
	APIConcurrency int           `json:"apiConcurrency"` // (8)
	// NotifierParallelization and NotifierBatchSize, when set, change the notifier's
	// stream mapping before the load: what-if runs, never the default report.
	NotifierParallelization int32 `json:"notifierParallelization"`
	NotifierBatchSize       int32 `json:"notifierBatchSize"`
}

func (k *Knobs) defaults() {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if k.Rate <= 0 {
		k.Rate = 200
	}
	def(&k.RateFor, 15*time.Second)
	def(&k.SaturateFor, 15*time.Second)
	def(&k.Drain, 90*time.Second)
	if k.SaturateMax <= 0 {
		k.SaturateMax = 5000
	}
	def(&k.APIFor, 3*time.Second)
	if k.Clients <= 0 {
		k.Clients = 32
	}
	if k.StartRuns <= 0 {
		k.StartRuns = 5
	}
	if k.APIConcurrency <= 0 {
		k.APIConcurrency = 8
	}
}

// Results is everything the suite measured.
type Results struct {
	Plan                       Plan
	Date                       time.Time
	StartEmpty, StartDeployed  []time.Duration
	IdleRSS, PeakRSS           int64
	Fixed                      LoadResult
	FixedStored, FixedMailed   []time.Duration
	FixedMissing               int
	Saturation                 LoadResult
	SatProcessedRate           float64
	SatDrained                 time.Duration
	SatMissingStored           int
	SatMissingMail, SatDupMail int
	StrangerMails              int
	Samples                    []Sample
	LoadStart                  time.Time
	Concurrency                map[string][]float64
	ColdStarts                 []time.Duration
	// Functions summarises each function's invocations during the loads.
	Functions map[string]FunctionStats
	APIRates  []APIRate
	// SatCPU is CPU by process from the start of the saturation load to its drain.
	SatCPU   CPUSplit
	MotoNote string
	LoadAvg  string
}

// Run runs the whole suite and writes the report; progress goes to log.
func Run(ctx context.Context, plan Plan, log io.Writer) (*Results, error) {
	plan.defaults()
	if err := CheckLoopback(plan.APIURL); err != nil {
		return nil, err
	}
	res := &Results{Plan: plan, Date: time.Now().UTC(), Concurrency: map[string][]float64{}, Functions: map[string]FunctionStats{}}
	var err error

	fmt.Fprintf(log, "start to ready, empty data dir, %d runs\n", plan.StartRuns)
	if res.StartEmpty, err = StartToReady(ctx, plan.Localcloud, "127.0.0.1:0", "", plan.Tmp, plan.StartRuns); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "start to ready, deployed stacks, %d runs\n", plan.StartRuns)
	if res.StartDeployed, err = StartToReady(ctx, plan.Localcloud, plan.Listen, plan.DataDir, "", plan.StartRuns); err != nil {
		return nil, err
	}

	cloud, err := StartCloud(ctx, plan.Localcloud, plan.Listen, plan.DataDir)
	if err != nil {
		return nil, err
	}
	loadErr := res.load(ctx, cloud, log)
	if err := cloud.Stop(); err != nil && loadErr == nil {
		loadErr = err
	}
	if loadErr != nil {
		return nil, loadErr
	}

	if err := res.compareAPIs(ctx, log); err != nil {
		return nil, err
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.LoadAvg = string(data)
	}
	return res, res.Write(plan.OutDir, log)
}

// load drives the deployed system: warm-up, fixed rate, saturation, with sampling.
func (res *Results) load(ctx context.Context, cloud *Cloud, log io.Writer) error {
	plan := res.Plan
	cfg := SDKConfig(cloud.URL)
	db := dynamodb.NewFromConfig(cfg)
	queue := sqs.NewFromConfig(cfg)
	mailDir := plan.DataDir + "/mail"
	sampler := Sampler{PID: cloud.PID, Queue: queue, QueueURL: plan.QueueURL}

	if plan.NotifierParallelization > 0 || plan.NotifierBatchSize > 0 {
		fmt.Fprintf(log, "what-if: notifier mapping ParallelizationFactor %d, BatchSize %d\n", plan.NotifierParallelization, plan.NotifierBatchSize)
		if err := tuneMapping(ctx, lambda.NewFromConfig(cfg), plan.Functions["notifier"], plan.NotifierParallelization, plan.NotifierBatchSize); err != nil {
			return err
		}
	}
	time.Sleep(time.Second) // let start-up work settle before reading idle memory
	idle, err := sampler.Take(ctx)
	if err != nil {
		return err
	}
	res.IdleRSS = idle.RSS

	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	phase := func(name string, l Load, withDB bool) (LoadResult, *Tracker, error) {
		l.URL, l.APIKey, l.KeyPrefix = plan.APIURL, plan.APIKey, "bench-"+run+"-"+name+"-"
		var tdb BatchGetItemAPI
		if withDB {
			tdb = db
		}
		// Each phase follows only its own orders, so an e-mail naming one of this phase's
		// keys that was never accepted shows up as a stranger.
		tr := NewTracker(tdb, plan.Table, mailDir, regexp.MustCompile(regexp.QuoteMeta(l.KeyPrefix)+`[0-9]+`))
		if !withDB {
			tr.Every = 20 * time.Millisecond
		}
		l.OnAccepted = tr.Add
		done := make(chan struct{})
		followCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		followed := make(chan error, 1)
		go func() { followed <- tr.Follow(followCtx, done) }()
		lr, err := l.Run(ctx)
		close(done)
		if err != nil {
			return lr, tr, err
		}
		drainTimer := time.AfterFunc(plan.Drain, cancel)
		defer drainTimer.Stop()
		if err := <-followed; err != nil {
			return lr, tr, err
		}
		fmt.Fprintf(log, "  %s: %d accepted, %d refused, %d errors (%s) in %s; %d not e-mailed within the drain bound\n",
			name, len(lr.Accepted), lr.Offered()-len(lr.Accepted)-lr.Errors, lr.Errors, lr.FirstError,
			lr.End.Sub(lr.Start).Round(time.Millisecond), tr.pending())
		return lr, tr, nil
	}

	fmt.Fprintln(log, "warm-up: 50 orders at 50/s")
	if _, _, err := phase("warm", Load{Rate: 50, MaxOrders: 50, Duration: 5 * time.Second}, false); err != nil {
		return err
	}

	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan error, 1)
	res.LoadStart = time.Now()
	go func() {
		var err error
		res.Samples, err = sampler.Run(sampleCtx, 250*time.Millisecond)
		sampled <- err
	}()

	fmt.Fprintf(log, "fixed rate: %.0f orders/s for %s\n", plan.Rate, plan.RateFor)
	fixed, ftr, err := phase("fixed", Load{Rate: plan.Rate, Duration: plan.RateFor, MaxOrders: int(plan.Rate*plan.RateFor.Seconds()) + 1}, true)
	if err != nil {
		stopSampling()
		return err
	}
	res.Fixed = fixed
	res.FixedStored, res.FixedMailed = ftr.Latencies()
	res.FixedMissing = ftr.pending()

	fmt.Fprintf(log, "saturation: %d clients for %s\n", plan.Clients, plan.SaturateFor)
	cpuBefore, t0, cpuErr := res.cpuNow(cloud.PID)
	sat, str, err := phase("sat", Load{Concurrency: plan.Clients, Duration: plan.SaturateFor, MaxOrders: plan.SaturateMax}, false)
	if cpuAfter, t1, cpuErr2 := res.cpuNow(cloud.PID); cpuErr == nil && cpuErr2 == nil {
		res.SatCPU = CPUSplit{Localcloud: cpuAfter.Localcloud - cpuBefore.Localcloud, Functions: cpuAfter.Functions - cpuBefore.Functions,
			Loadgen: cpuAfter.Loadgen - cpuBefore.Loadgen, Elapsed: t1.Sub(t0)}
	}
	stopSampling()
	if serr := <-sampled; err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	res.Saturation = sat
	if last := str.LastMailed(); !last.IsZero() {
		res.SatDrained = last.Sub(sat.End)
		res.SatProcessedRate = Rate(len(sat.Accepted)-str.pending(), last.Sub(sat.Start))
	}
	perOrder, strangers := str.MailCounts()
	res.StrangerMails = strangers
	for _, n := range perOrder {
		switch {
		case n == 0:
			res.SatMissingMail++
		case n > 1:
			res.SatDupMail++
		}
	}
	stored, err := storedIDs(ctx, db, plan.Table, "bench-"+run+"-sat-")
	if err != nil {
		return err
	}
	for _, a := range sat.Accepted {
		if !stored[a.OrderID] {
			res.SatMissingStored++
		}
	}
	for _, s := range res.Samples {
		res.PeakRSS = max(res.PeakRSS, s.RSS)
	}

	logs := cloudwatchlogs.NewFromConfig(cfg)
	end := time.Now()
	for label, fn := range plan.Functions {
		invs, err := Invocations(ctx, logs, fn, res.LoadStart.Add(-time.Minute), end, 2000)
		if err != nil {
			return err
		}
		res.Concurrency[label] = Concurrency(invs, res.LoadStart, end, 250*time.Millisecond)
		res.Functions[label] = Stats(invs, end.Sub(res.LoadStart))
		all, err := Invocations(ctx, logs, fn, time.Unix(0, 0), end, 2000)
		if err != nil {
			return err
		}
		for _, inv := range all {
			if inv.Init > 0 {
				res.ColdStarts = append(res.ColdStarts, inv.Init)
			}
		}
	}
	return nil
}

// storedIDs scans the table (consistently) for the orders whose ID starts with prefix.
func storedIDs(ctx context.Context, db *dynamodb.Client, table, prefix string) (map[string]bool, error) {
	out := map[string]bool{}
	in := &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("orderID"), FilterExpression: aws.String("begins_with(orderID, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: prefix}}}
	for range 10_000 {
		page, err := db.Scan(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		for _, item := range page.Items {
			if id, ok := item["orderID"].(*types.AttributeValueMemberS); ok {
				out[id.Value] = true
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return out, errors.New("scan did not end within 10,000 pages")
}

// compareAPIs measures SQS SendMessage and DynamoDB PutItem against a fresh localcloud,
// the no-op server and moto_server (when installed), in that order.
func (res *Results) compareAPIs(ctx context.Context, log io.Writer) error {
	plan := res.Plan
	type target struct {
		name, url string
		stop      func()
	}
	var targets []target
	cloud, err := StartCloud(ctx, plan.Localcloud, "127.0.0.1:0", plan.Tmp+"/api-rates")
	if err != nil {
		return err
	}
	targets = append(targets, target{"localcloud", cloud.URL, func() { _ = cloud.Stop() }})
	// The no-op server runs as its own process (this executable's `noop` mode), as
	// localcloud and moto do, so every server pays the same process hop.
	noop, err := startNoopProcess(ctx, plan.Tmp)
	if err != nil {
		_ = cloud.Stop()
		return err
	}
	targets = append(targets, target{"no-op server", noop.URL, func() { _ = noop.Stop() }})
	moto, err := StartMoto(ctx)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		res.MotoNote = "moto_server is not installed: no moto comparison"
	case err != nil:
		res.MotoNote = err.Error()
	default:
		targets = append(targets, target{"moto_server", moto.URL, moto.Close})
	}
	if res.MotoNote != "" {
		fmt.Fprintln(log, res.MotoNote)
	}
	// Each server stops as soon as it has been measured, so it takes no CPU from the
	// next; the deferred stops catch the ones an error skipped.
	stops := make([]func(), len(targets))
	for i, t := range targets {
		stops[i] = sync.OnceFunc(t.stop)
		defer stops[i]()
	}
	for i, t := range targets {
		for _, measure := range []func(context.Context, string, string, int, time.Duration) (APIRate, error){SQSSendRate, DynamoDBPutRate} {
			r, err := measure(ctx, t.name, t.url, plan.APIConcurrency, plan.APIFor)
			if err != nil {
				return err
			}
			fmt.Fprintf(log, "  %s via %s: %.0f/s (%d errors)\n", r.Op, r.Target, r.PerSecond(), r.Errors)
			res.APIRates = append(res.APIRates, r)
		}
		stops[i]()
	}
	return nil
}

// CPUSplit is CPU time by process over one phase.
type CPUSplit struct {
	// Localcloud is localcloud's own; Functions its descendants' (the function instances);
	// Loadgen this process's (HTTP clients and the tracker reading the mailbox).
	Localcloud, Functions, Loadgen time.Duration
	// Elapsed is the phase's wall-clock time.
	Elapsed time.Duration
}

// PerOrder divides each share by n orders, in milliseconds.
func (c CPUSplit) PerOrder(n int) (localcloud, functions, loadgen float64) {
	if n <= 0 {
		return 0, 0, 0
	}
	per := func(d time.Duration) float64 { return ms(d) / float64(n) }
	return per(c.Localcloud), per(c.Functions), per(c.Loadgen)
}

// cpuNow reads the CPU used so far by localcloud (pid), its descendants and this process.
func (res *Results) cpuNow(pid int) (CPUSplit, time.Time, error) {
	at := time.Now()
	tree, err := ReadTreeCPU("", pid)
	if err != nil {
		return CPUSplit{}, at, err
	}
	self, err := ProcCPU("/proc/self/stat")
	if err != nil {
		return CPUSplit{}, at, err
	}
	return CPUSplit{Localcloud: tree.Own, Functions: tree.Descendants, Loadgen: self}, at, nil
}

// startNoopProcess runs `<this executable> noop`, which must call ServeNoop.
func startNoopProcess(ctx context.Context, tmp string) (*Cloud, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("no-op server: %w", err)
	}
	logTo, err := os.Create(tmp + "/noop.log")
	if err != nil {
		return nil, fmt.Errorf("no-op server log: %w", err)
	}
	return StartProcess(ctx, exe, []string{"noop"}, NoopReadyPrefix, logTo)
}

// tuneMapping updates function's event source mappings (zero leaves a setting as it is)
// and waits, at most 30 s, until each is Enabled again.
func tuneMapping(ctx context.Context, fns *lambda.Client, function string, parallelization, batchSize int32) error {
	list, err := fns.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(function)})
	if err != nil {
		return fmt.Errorf("mappings of %s: %w", function, err)
	}
	for _, m := range list.EventSourceMappings {
		in := &lambda.UpdateEventSourceMappingInput{UUID: m.UUID}
		if parallelization > 0 {
			in.ParallelizationFactor = aws.Int32(parallelization)
		}
		if batchSize > 0 {
			in.BatchSize = aws.Int32(batchSize)
		}
		if _, err := fns.UpdateEventSourceMapping(ctx, in); err != nil {
			return fmt.Errorf("update mapping %s: %w", aws.ToString(m.UUID), err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			got, err := fns.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID})
			if err != nil {
				return fmt.Errorf("mapping %s: %w", aws.ToString(m.UUID), err)
			}
			if aws.ToString(got.State) == "Enabled" {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("mapping %s still %s after 30s", aws.ToString(m.UUID), aws.ToString(got.State))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
