package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Hard caps on any load, whatever the caller asks for.
const (
	MaxDuration = 2 * time.Minute
	MaxOrders   = 200_000
)

// Load describes one bounded run of orders against the public API.
type Load struct {
	// URL is the orders endpoint (POST); it must be on loopback.
	URL, APIKey string
	// Rate is orders per second; 0 means as fast as Concurrency clients can.
	Rate float64
	// Concurrency is how many requests may be in flight (default 64 at a fixed rate,
	// 16 at saturation).
	Concurrency int
	// Duration and MaxOrders bound the run; both are capped by MaxDuration and MaxOrders.
	Duration  time.Duration
	MaxOrders int
	// KeyPrefix starts every order's Idempotency-Key (and so its orderID); the order's
	// number follows it.
	KeyPrefix string
	// Client sends the requests (default: a client with a 10 s timeout).
	Client *http.Client
	// OnAccepted, when set, sees every accepted order as it is acknowledged.
	OnAccepted func(Accepted)
}

// Accepted is one order the API answered 202 to.
type Accepted struct {
	OrderID string
	// Sent is when the request was due (at a fixed rate, its slot in the schedule, so a
	// slow server cannot hide its queueing delay); Acked is when the 202 arrived.
	Sent, Acked time.Time
}

// LoadResult is what a run did.
type LoadResult struct {
	Accepted []Accepted
	// Refused counts answers other than 202 by status; Errors counts failed requests.
	Refused map[int]int
	Errors  int
	// FirstError is the first transport error or refusal, for the operator.
	FirstError   string
	Start, End   time.Time
	Rate         float64
	Concurrency  int
	AckLatencies []time.Duration
}

// Offered is how many orders were attempted.
func (r LoadResult) Offered() int {
	n := len(r.Accepted) + r.Errors
	for _, c := range r.Refused {
		n += c
	}
	return n
}

// Run sends orders until Duration or MaxOrders is reached (whichever is first) and
// waits for every request in flight. It stops early when ctx ends.
func (l Load) Run(ctx context.Context) (LoadResult, error) {
	if err := CheckLoopback(l.URL); err != nil {
		return LoadResult{}, err
	}
	if l.Duration <= 0 && l.MaxOrders <= 0 {
		return LoadResult{}, errors.New("a load needs a duration or an order count")
	}
	if l.Duration <= 0 || l.Duration > MaxDuration {
		l.Duration = MaxDuration
	}
	if l.MaxOrders <= 0 || l.MaxOrders > MaxOrders {
		l.MaxOrders = MaxOrders
	}
	if l.Concurrency <= 0 {
		l.Concurrency = 16
		if l.Rate > 0 {
			l.Concurrency = 64
		}
	}
	if l.Client == nil {
		l.Client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: l.Concurrency}}
	}
	ctx, cancel := context.WithTimeout(ctx, l.Duration)
	defer cancel()

	res := LoadResult{Refused: map[int]int{}, Rate: l.Rate, Concurrency: l.Concurrency}
	var mu sync.Mutex
	record := func(i int, due time.Time) {
		id, status, err := l.post(ctx, i)
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return // cut off by the end of the run: neither sent nor refused
			}
			res.Errors++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
		case status != http.StatusAccepted:
			res.Refused[status]++
			if res.FirstError == "" {
				res.FirstError = "HTTP " + strconv.Itoa(status)
			}
		default:
			a := Accepted{OrderID: id, Sent: due, Acked: now}
			res.Accepted = append(res.Accepted, a)
			res.AckLatencies = append(res.AckLatencies, now.Sub(due))
			if l.OnAccepted != nil {
				l.OnAccepted(a)
			}
		}
	}

	res.Start = time.Now()
	slots := make(chan slot, l.Concurrency)
	var wg sync.WaitGroup
	for range l.Concurrency {
		wg.Go(func() {
			for s := range slots {
				if s.due.IsZero() {
					s.due = time.Now()
				}
				record(s.n, s.due)
			}
		})
	}
	schedule(ctx, slots, l.Rate, l.MaxOrders, res.Start)
	close(slots)
	wg.Wait()
	res.End = time.Now()
	return res, nil
}

type slot struct {
	n   int
	due time.Time
}

// schedule hands out order numbers: at rate per second from start (each slot carrying
// its due time), or as fast as the workers take them when rate is 0.
func schedule(ctx context.Context, slots chan<- slot, rate float64, count int, start time.Time) {
	for i := range count {
		var s slot
		s.n = i
		if rate > 0 {
			s.due = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if wait := time.Until(s.due); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case slots <- s:
		}
	}
}

// post sends order i and returns the orderID of a 202.
func (l Load) post(ctx context.Context, i int) (string, int, error) {
	body := fmt.Appendf(nil, `{"item":"latex gloves","customerID":"bench-%d","quantity":%d}`, i%1000, 1+i%5)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, bytes.NewReader(body))
	if err != nil {
		return "", 0, fmt.Errorf("order %d: %w", i, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", l.APIKey)
	req.Header.Set("Idempotency-Key", l.KeyPrefix+strconv.Itoa(i))
	resp, err := l.Client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("order %d: %w", i, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", resp.StatusCode, fmt.Errorf("order %d: read answer: %w", i, err)
	}
	if resp.StatusCode != http.StatusAccepted {
		return "", resp.StatusCode, nil
	}
	var out struct {
		OrderID string `json:"orderID"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.OrderID == "" {
		return "", resp.StatusCode, fmt.Errorf("order %d: 202 without an orderID: %q", i, data)
	}
	return out.OrderID, resp.StatusCode, nil
}

// PrintLoad writes a run's throughput and acknowledgement latency percentiles.
func PrintLoad(w io.Writer, r LoadResult) {
	d := r.End.Sub(r.Start)
	s := Summarize(r.AckLatencies)
	fmt.Fprintf(w, "%d orders in %s: %d accepted (%.1f/s), %d refused %v, %d errors\n",
		r.Offered(), d.Round(time.Millisecond), len(r.Accepted), Rate(len(r.Accepted), d), r.Offered()-len(r.Accepted)-r.Errors, r.Refused, r.Errors)
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
	fmt.Fprintf(w, "POST → 202 latency: p50 %s  p90 %s  p99 %s  max %s\n", fmtMS(s.P50), fmtMS(s.P90), fmtMS(s.P99), fmtMS(s.Max))
}
