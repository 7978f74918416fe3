package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRunPrintsPercentiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"orderID":%q}`, r.Header.Get("Idempotency-Key"))
	}))
	defer srv.Close()
	var out, errOut strings.Builder
	err := run(context.Background(), []string{"--url", srv.URL, "--api-key", "k", "--concurrency", "2", "--max-orders", "20", "--duration", "10s"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "20 accepted") || !strings.Contains(out.String(), "p99") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestRunRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"public host", []string{"--url", "https://example.com/orders", "--api-key", "k"}, "not loopback"},
		{"no key", []string{"--url", "http://127.0.0.1:1/orders"}, "required"},
		{"suite without a plan file", []string{"suite", "--plan", "no-such-plan.json"}, "read plan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut strings.Builder
			err := run(context.Background(), tc.args, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%v) = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
}
