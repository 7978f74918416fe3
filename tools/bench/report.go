package bench

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/orderflow/orderflow/tools/bench/svgplot"
)

// Row is one DESIGN §9 target as measured.
type Row struct {
	Target, Goal string
	// Measured and Reference are rendered values; Ratio is Measured over Reference
	// (the goal where there is no reference run).
	Measured, Reference string
	Ratio               float64
	Met                 bool
	// Missing says why the target could not be measured (then Met is false).
	Missing string
}

// Rows evaluates every DESIGN §9 target.
func (res *Results) Rows() []Row {
	var rows []Row
	rate := func(op, target string) (float64, bool) {
		for _, r := range res.APIRates {
			if r.Op == op && r.Target == target && r.Ops > 0 {
				return r.PerSecond(), true
			}
		}
		return 0, false
	}
	for _, op := range []string{"SQS SendMessage", "DynamoDB PutItem"} {
		lc, _ := rate(op, "localcloud")
		noop, ok := rate(op, "no-op server")
		row := Row{Target: op + " vs no-op server", Goal: "≥ 60%", Measured: fmt.Sprintf("%.0f/s", lc), Reference: fmt.Sprintf("%.0f/s", noop)}
		if ok {
			row.Ratio = lc / noop
			row.Met = row.Ratio >= 0.6
		}
		rows = append(rows, row)
		moto, ok := rate(op, "moto_server")
		row = Row{Target: op + " vs moto_server", Goal: "≥ 50×", Measured: fmt.Sprintf("%.0f/s", lc), Reference: fmt.Sprintf("%.0f/s", moto)}
		if ok {
			row.Ratio = lc / moto
			row.Met = row.Ratio >= 50
		} else {
			row.Missing = res.MotoNote
		}
		rows = append(rows, row)
	}
	le := func(target string, goal time.Duration, measured time.Duration) Row {
		return Row{Target: target, Goal: "≤ " + goal.String(), Measured: fmtMS(measured), Reference: fmtMS(goal),
			Ratio: float64(measured) / float64(goal), Met: measured > 0 && measured <= goal}
	}
	rows = append(rows, Row{Target: "End to end sustained (POST → e-mail), durable", Goal: "≥ 2000 orders/s",
		Measured: fmt.Sprintf("%.0f orders/s", res.SatProcessedRate), Reference: "2000 orders/s",
		Ratio: res.SatProcessedRate / 2000, Met: res.SatProcessedRate >= 2000 && res.SatMissingMail == 0 && res.SatMissingStored == 0})
	mailed := Summarize(res.FixedMailed)
	rows = append(rows,
		le(fmt.Sprintf("POST → e-mail p50 at %.0f orders/s", res.Plan.Rate), 15*time.Millisecond, mailed.P50),
		le(fmt.Sprintf("POST → e-mail p99 at %.0f orders/s", res.Plan.Rate), 60*time.Millisecond, mailed.P99),
		le("localcloud start to ready, empty", 30*time.Millisecond, Median(res.StartEmpty)),
		le("localcloud start to ready, two deployed stacks", 300*time.Millisecond, Median(res.StartDeployed)),
		le("Local Lambda cold start p50 (Init Duration)", 20*time.Millisecond, Median(res.ColdStarts)),
		le("No-change redeploy", 300*time.Millisecond, Median(res.Plan.Redeploys)),
	)
	for _, fn := range sortedKeys((res.Plan.ZipBytes)) {
		b := res.Plan.ZipBytes[fn]
		rows = append(rows, Row{Target: "Function zip " + fn, Goal: "≤ 5 MB", Measured: fmtMB(b), Reference: "5 MB",
			Ratio: float64(b) / (5 << 20), Met: b > 0 && b <= 5<<20})
	}
	rows = append(rows,
		Row{Target: "localcloud RSS idle", Goal: "≤ 60 MB", Measured: fmtMB(res.IdleRSS), Reference: "60 MB",
			Ratio: float64(res.IdleRSS) / (60 << 20), Met: res.IdleRSS > 0 && res.IdleRSS <= 60<<20},
		Row{Target: "localcloud RSS peak under load", Goal: "≤ 300 MB", Measured: fmtMB(res.PeakRSS), Reference: "300 MB",
			Ratio: float64(res.PeakRSS) / (300 << 20), Met: res.PeakRSS > 0 && res.PeakRSS <= 300<<20},
	)
	return rows
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.2f ms", ms(d)) }

func fmtMB(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// Table renders rows as a Markdown table.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| DESIGN §9 target | Goal | Measured | Reference | Ratio | Met |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		met := "not met"
		if r.Met {
			met = "**met**"
		}
		ratio := fmt.Sprintf("%.2f", r.Ratio)
		if r.Missing != "" {
			met, ratio = "not measured: "+r.Missing, "–"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.Target, r.Goal, r.Measured, r.Reference, ratio, met)
	}
	return b.String()
}

// Write writes REPORT.md and the plots into dir and prints the table to log.
func (res *Results) Write(dir string, log io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report dir: %w", err)
	}
	table := Table(res.Rows())
	fmt.Fprint(log, "\n"+table)
	for name, chart := range res.Charts() {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("plot %s: %w", name, err)
		}
		werr := chart.WriteSVG(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("plot %s: %w", name, werr)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "REPORT.md"), []byte(res.Markdown(table)), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// Charts are the report's plots by file name.
func (res *Results) Charts() map[string]svgplot.Chart {
	since := func(t time.Time) float64 { return t.Sub(res.LoadStart).Seconds() }
	conc := svgplot.Chart{Title: "Function concurrency (average busy instances per 250 ms)", XLabel: "seconds since the fixed-rate load began", YLabel: "instances", Step: true}
	for _, label := range sortedKeys((res.Concurrency)) {
		s := svgplot.Series{Name: label}
		for i, v := range res.Concurrency[label] {
			s.Points = append(s.Points, svgplot.Point{X: float64(i) * 0.25, Y: v})
		}
		conc.Series = append(conc.Series, s)
	}
	backlog := svgplot.Chart{Title: "Orders queue backlog", XLabel: "seconds since the fixed-rate load began", YLabel: "messages"}
	vis, inflight := svgplot.Series{Name: "visible"}, svgplot.Series{Name: "in flight (not visible)"}
	cpu := svgplot.Chart{Title: "localcloud CPU and memory", XLabel: "seconds since the fixed-rate load began", YLabel: "CPU % of one core / RSS MB"}
	cpuS, rssS := svgplot.Series{Name: "CPU %"}, svgplot.Series{Name: "RSS MB"}
	for i, s := range res.Samples {
		x := since(s.At)
		vis.Points = append(vis.Points, svgplot.Point{X: x, Y: float64(s.Visible)})
		inflight.Points = append(inflight.Points, svgplot.Point{X: x, Y: float64(s.InFlight)})
		rssS.Points = append(rssS.Points, svgplot.Point{X: x, Y: float64(s.RSS) / (1 << 20)})
		if i > 0 {
			prev := res.Samples[i-1]
			cpuS.Points = append(cpuS.Points, svgplot.Point{X: x, Y: 100 * float64(s.CPU-prev.CPU) / float64(s.At.Sub(prev.At))})
		}
	}
	backlog.Series = []svgplot.Series{vis, inflight}
	cpu.Series = []svgplot.Series{cpuS, rssS}
	lat := svgplot.Chart{Title: fmt.Sprintf("Latency at %.0f orders/s (CDF)", res.Plan.Rate), XLabel: "milliseconds after the request was due", YLabel: "fraction of orders"}
	for _, s := range []struct {
		name string
		ds   []time.Duration
	}{{"POST → 202", res.Fixed.AckLatencies}, {"POST → stored", res.FixedStored}, {"POST → e-mail", res.FixedMailed}} {
		lat.Series = append(lat.Series, svgplot.Series{Name: s.name, Points: CDF(s.ds, 200)})
	}
	return map[string]svgplot.Chart{"concurrency.svg": conc, "backlog.svg": backlog, "latency.svg": lat, "resources.svg": cpu}
}

// CDF is the empirical distribution of ds in milliseconds, at most points points.
func CDF(ds []time.Duration, points int) []svgplot.Point {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 || points < 2 {
		return nil
	}
	var out []svgplot.Point
	step := max(1, len(s)/points)
	for i := 0; i < len(s); i += step {
		out = append(out, svgplot.Point{X: ms(s[i]), Y: float64(i+1) / float64(len(s))})
	}
	return append(out, svgplot.Point{X: ms(s[len(s)-1]), Y: 1})
}

// Markdown is the whole report around table.
func (res *Results) Markdown(table string) string {
	var b strings.Builder
	p := res.Plan
	fmt.Fprintf(&b, "# orderflow bench report\n\nWritten by `go run mage.go bench` on %s. Every figure comes from this one run on this machine.\n\n", res.Date.Format(time.RFC1123))
	fmt.Fprintf(&b, "Machine: %d cores (%s/%s), %s; load average at the end of the run: %s. The machine is shared, so figures are noisy.\n\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), strings.TrimSpace(res.LoadAvg))
	if p.NotifierParallelization > 0 || p.NotifierBatchSize > 0 {
		fmt.Fprintf(&b, "**What-if run:** the notifier's stream mapping was changed before the load (ParallelizationFactor %d, BatchSize %d; 0 = as deployed). These are not the deployed system's figures.\n\n",
			p.NotifierParallelization, p.NotifierBatchSize)
	}
	b.WriteString("## DESIGN §9 targets\n\n")
	b.WriteString(table)
	b.WriteString("\nRatio is measured ÷ reference (for absolute targets the reference is the goal itself). localcloud runs durable (`--fsync=true`).\n\n")

	b.WriteString("## End to end through the public API\n\n")
	ack, stored, mailed := Summarize(res.Fixed.AckLatencies), Summarize(res.FixedStored), Summarize(res.FixedMailed)
	fmt.Fprintf(&b, "Fixed rate %.0f orders/s for %s (%d clients at most): %d accepted, %d refused, %d transport errors; %d not e-mailed within %s.\n\n",
		p.Rate, p.RateFor, res.Fixed.Concurrency, len(res.Fixed.Accepted), res.Fixed.Offered()-len(res.Fixed.Accepted)-res.Fixed.Errors, res.Fixed.Errors, res.FixedMissing, p.Drain)
	b.WriteString("| Latency (from the request's due time) | n | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n")
	for _, r := range []struct {
		name string
		s    Summary
	}{{"POST → 202", ack}, {"POST → stored (item readable)", stored}, {"POST → e-mail captured", mailed}} {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", r.name, r.s.N, fmtMS(r.s.P50), fmtMS(r.s.P90), fmtMS(r.s.P99), fmtMS(r.s.Max))
	}
	sat := res.Saturation
	satFor := sat.End.Sub(sat.Start)
	fmt.Fprintf(&b, "\nSaturation: %d clients for %s: %d accepted (%.0f orders/s accepted), %d refused, %d transport errors (%s). "+
		"Fully processed (stored and e-mailed): %.0f orders/s, the pipeline drained %s after the last request.\n\n",
		sat.Concurrency, satFor.Round(time.Millisecond), len(sat.Accepted), Rate(len(sat.Accepted), satFor),
		sat.Offered()-len(sat.Accepted)-sat.Errors, sat.Errors, sat.FirstError, res.SatProcessedRate, res.SatDrained.Round(time.Millisecond))
	fmt.Fprintf(&b, "Every 202 checked after the drain (bounded at %s): %d not stored, %d not yet e-mailed when the bound ended, %d e-mailed more than once, %d e-mails naming an order that was never accepted.\n\n",
		p.Drain, res.SatMissingStored, res.SatMissingMail, res.SatDupMail, res.StrangerMails)
	if c := res.SatCPU; c.Elapsed > 0 && len(sat.Accepted) > 0 {
		lc, fn, lg := c.PerOrder(len(sat.Accepted))
		total := lc + fn + lg
		cores := runtime.NumCPU()
		busy := (c.Localcloud + c.Functions + c.Loadgen).Seconds() / (c.Elapsed.Seconds() * float64(cores))
		fmt.Fprintf(&b, "CPU from the start of the saturation load to the end of its drain (%s on %d cores, %.0f%% busy with these processes): "+
			"localcloud %.1fs, function instances %.1fs, load generator (HTTP clients and mailbox tracking) %.1fs. "+
			"Per accepted order: localcloud %.2f ms, functions %.2f ms, load generator %.2f ms, **%.2f ms in all**: "+
			"at that cost %d cores process at most %.0f orders/s.\n\n",
			c.Elapsed.Round(time.Millisecond), cores, 100*busy, c.Localcloud.Seconds(), c.Functions.Seconds(), c.Loadgen.Seconds(),
			lc, fn, lg, total, cores, float64(cores)*1000/total)
	}
	b.WriteString("| Function (from its REPORT lines, fixed rate to end of drain) | invocations | duration p50 | p99 | average busy instances |\n|---|---|---|---|---|\n")
	for _, fn := range sortedKeys(res.Functions) {
		st := res.Functions[fn]
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %.2f |\n", fn, st.Invocations, fmtMS(st.Durations.P50), fmtMS(st.Durations.P99), st.Busy)
	}
	b.WriteString("\n")

	b.WriteString("![function concurrency](concurrency.svg)\n\n![queue backlog](backlog.svg)\n\n![latency](latency.svg)\n\n![CPU and memory](resources.svg)\n\n")

	b.WriteString("## Start-up, deploy and cold start\n\n")
	fmt.Fprintf(&b, "- start to ready, empty data dir: %s (median of %d)\n", durList(res.StartEmpty), len(res.StartEmpty))
	fmt.Fprintf(&b, "- start to ready, two deployed stacks: %s (median of %d)\n", durList(res.StartDeployed), len(res.StartDeployed))
	fmt.Fprintf(&b, "- no-change redeploy (all three stacks through change sets): %s; redeploys that changed something: %d\n", durList(p.Redeploys), p.RedeployChanged)
	fmt.Fprintf(&b, "- Lambda cold starts seen in REPORT lines: %d, Init Duration p50 %s, max %s\n", len(res.ColdStarts), fmtMS(Median(res.ColdStarts)), fmtMS(Summarize(res.ColdStarts).Max))
	fmt.Fprintf(&b, "- localcloud RSS idle %s, peak under load %s (the functions run as their own processes, not counted)\n", fmtMB(res.IdleRSS), fmtMB(res.PeakRSS))
	avg, peak := CPUUse(res.Samples)
	fmt.Fprintf(&b, "- localcloud CPU from the fixed-rate load to the end of the drain: %.0f%% of one core on average, %.0f%% at the busiest 250 ms\n\n", 100*avg, 100*peak)

	b.WriteString("## API rates (aws-sdk-go-v2, same client and concurrency for every server)\n\n| Operation | Server | ops/s | ops | errors |\n|---|---|---|---|---|\n")
	for _, r := range res.APIRates {
		fmt.Fprintf(&b, "| %s | %s | %.0f | %d | %d |\n", r.Op, r.Target, r.PerSecond(), r.Ops, r.Errors)
	}
	fmt.Fprintf(&b, "\n%d concurrent callers, %s per measurement. localcloud here is a fresh durable instance.\n", p.APIConcurrency, p.APIFor)
	if res.MotoNote != "" {
		fmt.Fprintf(&b, "%s.\n", res.MotoNote)
	}
	for _, c := range res.MotoCeilings() {
		fmt.Fprintf(&b, "\nThe no-op server, the ceiling for any server driven by this client on this machine, reaches %.1f× moto_server for %s", c.Ratio, c.Op)
		if c.Ratio < 50 {
			b.WriteString(": the 50× goal is out of reach for this operation here, whatever the server does")
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// Ceiling is how far above moto_server the no-op server got for one operation.
type Ceiling struct {
	Op    string
	Ratio float64
}

// MotoCeilings gives, for each operation measured against both, the no-op server's rate
// over moto_server's: the highest ratio to moto any server can show with this client.
func (res *Results) MotoCeilings() []Ceiling {
	var out []Ceiling
	for _, op := range []string{"SQS SendMessage", "DynamoDB PutItem"} {
		var noop, moto float64
		for _, r := range res.APIRates {
			if r.Op != op || r.Ops == 0 {
				continue
			}
			switch r.Target {
			case "no-op server":
				noop = r.PerSecond()
			case "moto_server":
				moto = r.PerSecond()
			}
		}
		if noop > 0 && moto > 0 {
			out = append(out, Ceiling{Op: op, Ratio: noop / moto})
		}
	}
	return out
}

func durList(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.1f", ms(d))
	}
	return fmt.Sprintf("**%s** [%s ms]", fmtMS(Median(ds)), strings.Join(parts, ", "))
}

// CPUUse is the average and the highest CPU use (cores busy) between samples.
func CPUUse(samples []Sample) (avg, peak float64) {
	if len(samples) < 2 {
		return 0, 0
	}
	first, last := samples[0], samples[len(samples)-1]
	if wall := last.At.Sub(first.At); wall > 0 {
		avg = float64(last.CPU-first.CPU) / float64(wall)
	}
	for i := 1; i < len(samples); i++ {
		if wall := samples[i].At.Sub(samples[i-1].At); wall > 0 {
			peak = max(peak, float64(samples[i].CPU-samples[i-1].CPU)/float64(wall))
		}
	}
	return avg, peak
}
