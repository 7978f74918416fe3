package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI answers like the orders API: 202 with the Idempotency-Key as orderID, 403
// without the key, and every tenth order 400, recording what it accepted.
type fakeAPI struct {
	mu   sync.Mutex
	seen map[string]int
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("x-api-key") != "k" {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	id := r.Header.Get("Idempotency-Key")
	if strings.HasSuffix(id, "9") {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.seen[id]++
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"orderID":%q}`, id)
}

func TestLoadSaturationSmoke(t *testing.T) {
	api := &fakeAPI{seen: map[string]int{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	var callbacks int
	var mu sync.Mutex
	res, err := Load{URL: srv.URL, APIKey: "k", Concurrency: 4, Duration: 10 * time.Second, MaxOrders: 100, KeyPrefix: "t-",
		OnAccepted: func(Accepted) { mu.Lock(); callbacks++; mu.Unlock() }}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Offered() != 100 {
		t.Errorf("offered %d orders, want exactly MaxOrders = 100", res.Offered())
	}
	if len(res.Accepted) != 90 || res.Refused[http.StatusBadRequest] != 10 || res.Errors != 0 {
		t.Errorf("accepted %d, refused %v, errors %d; want 90, 10×400, 0", len(res.Accepted), res.Refused, res.Errors)
	}
	if callbacks != 90 || len(res.AckLatencies) != 90 {
		t.Errorf("%d callbacks, %d latencies; want 90 each", callbacks, len(res.AckLatencies))
	}
	for _, a := range res.Accepted {
		if api.seen[a.OrderID] != 1 {
			t.Errorf("order %s reached the server %d times", a.OrderID, api.seen[a.OrderID])
		}
		if a.Acked.Before(a.Sent) {
			t.Errorf("order %s acknowledged before it was sent", a.OrderID)
		}
	}
}

func TestLoadFixedRateStopsAtDuration(t *testing.T) {
	srv := httptest.NewServer(&fakeAPI{seen: map[string]int{}})
	defer srv.Close()
	// 1000 orders at 50/s would take 20 s: the 300 ms duration must end it first.
	res, err := Load{URL: srv.URL, APIKey: "k", Rate: 50, Duration: 300 * time.Millisecond, MaxOrders: 1000}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Offered(); n == 0 || n >= 1000 {
		t.Errorf("offered %d orders; want some, far fewer than 1000", n)
	}
	for i := 1; i < len(res.Accepted); i++ {
		if res.Accepted[i].Sent.Equal(res.Accepted[0].Sent) {
			t.Fatalf("orders 0 and %d share a due time; a fixed rate spaces them", i)
		}
	}
}

func TestLoadRefusesNonLoopback(t *testing.T) {
	_, err := Load{URL: "https://example.com/orders", APIKey: "k", Duration: time.Second}.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Errorf("Run against a public host = %v, want a loopback refusal", err)
	}
}

func TestLoadWrongKeyIsRefusedNotAccepted(t *testing.T) {
	srv := httptest.NewServer(&fakeAPI{seen: map[string]int{}})
	defer srv.Close()
	res, err := Load{URL: srv.URL, APIKey: "wrong", Concurrency: 2, MaxOrders: 5}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accepted) != 0 || res.Refused[http.StatusForbidden] != 5 || res.FirstError != "HTTP 403" {
		t.Errorf("accepted %d, refused %v, first error %q", len(res.Accepted), res.Refused, res.FirstError)
	}
}

func TestTrackerCountsMailsPerOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tr := NewTracker(nil, "orders", dir, regexp.MustCompile(`bench-x-[0-9]+`))
	now := time.Now()
	for _, id := range []string{"bench-x-1", "bench-x-2", "bench-x-3"} {
		tr.Add(Accepted{OrderID: id, Sent: now, Acked: now})
	}
	write("a.eml", "Subject: order bench-x-1\n\nbench-x-1 is on its way")
	write("b.eml", "Subject: order bench-x-2\n\n")
	write("c.eml", "Subject: order bench-x-2 again\n\n")
	write("d.eml", "Subject: order bench-x-77 (never accepted)\n\n")
	write("notes.txt", "bench-x-3")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := tr.Follow(ctx, nil); err != nil {
		t.Fatal(err)
	}
	per, strangers := tr.MailCounts()
	if per["bench-x-1"] != 1 || per["bench-x-2"] != 2 || per["bench-x-3"] != 0 || strangers != 1 {
		t.Errorf("mail counts %v, strangers %d; want 1, 2, 0 and 1 stranger", per, strangers)
	}
	if tr.pending() != 1 {
		t.Errorf("pending = %d, want 1 (bench-x-3 has no .eml)", tr.pending())
	}
	_, mailed := tr.Latencies()
	if len(mailed) != 2 {
		t.Errorf("%d mailed latencies, want 2", len(mailed))
	}
}

// Messages that land while the tracker follows are seen when they land (renamed into
// the mailbox, as localcloud delivers them), and Follow ends once every order is mailed.
func TestTrackerSeesMailAsItLands(t *testing.T) {
	dir := t.TempDir()
	tr := NewTracker(nil, "orders", dir, regexp.MustCompile(`bench-y-[0-9]+`))
	tr.Every = time.Hour // only the watch (or the listing when closing) can find them
	now := time.Now()
	ids := []string{"bench-y-1", "bench-y-2", "bench-y-3"}
	for _, id := range ids {
		tr.Add(Accepted{OrderID: id, Sent: now, Acked: now})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	followed := make(chan error, 1)
	go func() { followed <- tr.Follow(ctx, done) }()
	time.Sleep(50 * time.Millisecond)
	var landed []time.Time
	for i, id := range ids {
		tmp := filepath.Join(dir, fmt.Sprintf(".deliver-%d.eml.tmp", i))
		if err := os.WriteFile(tmp, []byte("Subject: "+id+"\n\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		landed = append(landed, time.Now())
		if err := os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("m%d.eml", i))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(done)
	if err := <-followed; err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("Follow did not end once every order was mailed")
	}
	per, strangers := tr.MailCounts()
	for _, id := range ids {
		if per[id] != 1 {
			t.Errorf("%s mailed %d times, want 1", id, per[id])
		}
	}
	if strangers != 0 {
		t.Errorf("%d strangers (the temporary files were read?)", strangers)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for i, id := range ids {
		if at := tr.mailed[id]; at.Before(landed[i]) {
			t.Errorf("%s seen at %v, before it landed at %v", id, at, landed[i])
		}
	}
}
