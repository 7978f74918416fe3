package localrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Load shape of TestFaultKill9UnderLoad: posters goroutines send perPoster orders
// each, one every interval, while localcloud is killed kills times.
const (
	killPosters   = 4
	killPerPoster = 100
	killInterval  = 100 * time.Millisecond
	killKills     = 3
	// killRetryFor bounds how long one order is retried before the test gives up on it.
	killRetryFor = 30 * time.Second
)

// TestFaultKill9UnderLoad kills the localcloud process with SIGKILL at random moments
// while orders are being posted, restarts it on the same data dir and address, and
// checks that nothing acknowledged was lost or duplicated: every order answered 202 is
// stored exactly once and e-mailed at least once, and nothing else is stored or
// e-mailed. Clients retry failed POSTs with the same Idempotency-Key, as the API's 500
// body asks them to. Set ORDERFLOW_FAULT_SEED to replay a run's kill moments.
func TestFaultKill9UnderLoad(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("ORDERFLOW_FAULT_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("ORDERFLOW_FAULT_SEED: %v", err)
		}
	}
	t.Logf("seed %d (ORDERFLOW_FAULT_SEED=%d replays these kill moments)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	s := newFaultSystem(t)
	// A message in flight when localcloud dies reappears only after the queue's
	// visibility timeout (60 s in the template). The function timeout (10 s) is the
	// lowest value that still never hands a message being processed to a second poller.
	s.setQueueVisibility(s.out["OrdersQueueUrl"], 10)

	loadFor := time.Duration(killPerPoster) * killInterval
	var moments []time.Duration
	for range killKills {
		moments = append(moments, time.Duration(float64(loadFor)*(0.1+0.8*rng.Float64())))
	}
	slices.Sort(moments)
	t.Logf("kill moments after load start: %v", moments)

	prefix := fmt.Sprintf("kill9-%x-", seed&0xffffffff)
	client := &http.Client{Timeout: 5 * time.Second}
	var (
		mu       sync.Mutex
		accepted = map[string]bool{}
		refused  = map[string]string{} // never answered 202: the last answer
		attempts int
		answers  = map[string]int{}
	)
	post := func(id string) {
		body := fmt.Sprintf(`{"item":"fault item %s","customerID":"c-%s","quantity":2}`, id, id[len(id)-1:])
		last := ""
		for deadline := time.Now().Add(killRetryFor); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			status, resp, err := s.api.try(client, body, id)
			mu.Lock()
			attempts++
			if err != nil {
				answers[errorKind(err)]++
			} else {
				answers[strconv.Itoa(status)]++
			}
			mu.Unlock()
			switch {
			case err != nil:
				last = err.Error()
				continue
			case status == http.StatusAccepted:
				var out struct {
					OrderID string `json:"orderID"`
				}
				if err := json.Unmarshal([]byte(resp), &out); err != nil || out.OrderID != id {
					t.Errorf("order %s: 202 body %q, want orderID %s", id, resp, id)
				}
				mu.Lock()
				accepted[id] = true
				mu.Unlock()
				return
			case status >= 500 || status == http.StatusTooManyRequests:
				last = fmt.Sprintf("%d %s", status, resp)
				continue
			default:
				t.Errorf("order %s: %d %s, want 202 (or a retryable failure)", id, status, resp)
				last = fmt.Sprintf("%d %s", status, resp)
				mu.Lock()
				refused[id] = last
				mu.Unlock()
				return
			}
		}
		mu.Lock()
		refused[id] = last
		mu.Unlock()
	}

	var orphans []int
	var killErr error
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, at := range moments {
			time.Sleep(time.Until(start.Add(at)))
			kids := s.kill()
			orphans = append(orphans, kids...)
			downAt := time.Now()
			c, err := Start(t.Context(), s.opts)
			if err != nil {
				killErr = fmt.Errorf("restart %d: %w", i+1, err)
				return
			}
			s.cloud = c
			t.Logf("kill %d at %s: %d child processes orphaned; restarted in %s",
				i+1, at.Round(time.Millisecond), len(kids), time.Since(downAt).Round(time.Millisecond))
		}
	})
	for p := range killPosters {
		wg.Go(func() {
			for n := range killPerPoster {
				time.Sleep(time.Until(start.Add(time.Duration(n)*killInterval + time.Duration(p)*killInterval/killPosters)))
				post(fmt.Sprintf("%s%d", prefix, p*killPerPoster+n))
			}
		})
	}
	wg.Wait()
	if killErr != nil {
		t.Fatal(killErr)
	}
	t.Logf("load: %d orders in %s, %d POST attempts %v; %d accepted, %d never accepted",
		killPosters*killPerPoster, time.Since(start).Round(time.Millisecond), attempts, answers, len(accepted), len(refused))
	for id, why := range refused {
		t.Errorf("order %s was never accepted within %s: %s", id, killRetryFor, why)
	}

	// Drain: every accepted order stored and notified, the queue empty, an e-mail each.
	ours := regexp.MustCompile(regexp.QuoteMeta(prefix) + `[0-9]+`)
	var stored map[string]int
	var notified map[string]bool
	waitUntil(t, "accepted orders stored and notified", 90*time.Second, func() (bool, string) {
		stored, notified = s.storedOrders()
		missing, unnotified := 0, 0
		for id := range accepted {
			if stored[id] == 0 {
				missing++
			} else if !notified[id] {
				unnotified++
			}
		}
		return missing == 0 && unnotified == 0, fmt.Sprintf("%d of %d accepted orders not stored, %d not notified", missing, len(accepted), unnotified)
	})
	drained(t, t.Context(), s.cfg, s.out["OrdersQueueUrl"])
	var mailed map[string]int
	waitUntil(t, "an e-mail per accepted order", 30*time.Second, func() (bool, string) {
		mailed = s.mailedOrders(ours)
		missing := 0
		for id := range accepted {
			if mailed[id] == 0 {
				missing++
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d accepted orders have no e-mail", missing, len(accepted))
	})

	stored, _ = s.storedOrders()
	extra := 0
	for id, n := range stored {
		if !accepted[id] {
			t.Errorf("stored order %s was never accepted", id)
		}
		if n != 1 {
			t.Errorf("order %s stored %d times", id, n)
		}
	}
	duplicates := 0
	for id, n := range mailed {
		if !accepted[id] {
			t.Errorf("e-mail for order %s, which was never accepted", id)
		}
		if n > 1 {
			duplicates++
			extra += n - 1
		}
	}
	t.Logf("sent %d, accepted %d, stored %d, e-mailed %d (%d orders e-mailed more than once, %d extra e-mails)",
		killPosters*killPerPoster, len(accepted), len(stored), len(mailed), duplicates, extra)
	// The dead-letter queue stays empty: no order was given up on.
	if n := s.queueDepth(s.out["OrdersDeadLetterQueueUrl"]); n != 0 {
		t.Errorf("%d messages in the dead-letter queue", n)
	}

	// A function process whose localcloud died loses its Runtime API and exits; one in
	// the middle of an invocation finishes it first (bounded by the function timeout).
	var left []string
	waitUntil(t, "function processes of killed localclouds gone", 20*time.Second, func() (bool, string) {
		left = left[:0]
		for _, pid := range orphans {
			if alive(pid) {
				comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
				left = append(left, fmt.Sprintf("%d (%s)", pid, strings.TrimSpace(string(comm))))
			}
		}
		return len(left) == 0, fmt.Sprintf("still running: %v", left)
	})
	t.Logf("%d function processes were orphaned by the kills; all exited", len(orphans))
}

// try posts one order with http.Client c; unlike post it reports transport errors.
func (a orderAPI) try(c *http.Client, body, idempotencyKey string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, a.url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", a.key)
	req.Header.Set("Idempotency-Key", idempotencyKey)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, string(b), nil
}

// errorKind names a transport error for the load summary.
func errorKind(err error) string {
	switch msg := err.Error(); {
	case strings.Contains(msg, "connection refused"):
		return "refused"
	case strings.Contains(msg, "reset by peer"):
		return "reset"
	case strings.Contains(msg, "EOF"):
		return "EOF"
	case errors.Is(err, os.ErrDeadlineExceeded) || strings.Contains(msg, "Timeout"):
		return "timeout"
	default:
		return "other"
	}
}
