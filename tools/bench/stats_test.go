package bench

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, ms(i))
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", []time.Duration{ms(7)}, 99, ms(7)},
		{"p50 of 1..100", hundred, 50, ms(50)},
		{"p90 of 1..100", hundred, 90, ms(90)},
		{"p99 of 1..100", hundred, 99, ms(99)},
		{"p100 is the max", hundred, 100, ms(100)},
		{"nearest rank rounds up", []time.Duration{ms(1), ms(2), ms(3)}, 50, ms(2)},
		{"tiny p is the min", []time.Duration{ms(1), ms(2), ms(3)}, 0.1, ms(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("Percentile(%v) = %s, want %s", tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarizeDoesNotReorderInput(t *testing.T) {
	in := []time.Duration{3, 1, 2}
	s := Summarize(in)
	if s.N != 3 || s.P50 != 2 || s.Max != 3 {
		t.Errorf("Summarize = %+v", s)
	}
	if in[0] != 3 || in[1] != 1 {
		t.Errorf("input reordered: %v", in)
	}
}

func TestRateAndMedian(t *testing.T) {
	if got := Rate(500, 250*time.Millisecond); got != 2000 {
		t.Errorf("Rate = %v, want 2000", got)
	}
	if got := Rate(5, 0); got != 0 {
		t.Errorf("Rate over no time = %v, want 0", got)
	}
	if got := Median([]time.Duration{40, 10, 30, 20}); got != 20 {
		t.Errorf("Median = %v, want the lower middle 20", got)
	}
	if got := Median(nil); got != 0 {
		t.Errorf("Median(nil) = %v", got)
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:4566/restapis/x/local/_user_request_/orders", true},
		{"http://127.8.9.10:80/", true},
		{"http://localhost:4566/", true},
		{"http://[::1]:4566/", true},
		{"https://abc.execute-api.us-east-1.amazonaws.com/local/orders", false},
		{"http://10.0.0.5:4566/", false},
		{"http://0.0.0.0:4566/", false},
		{"http://localhost.example.com/", false},
		{"ftp://127.0.0.1/", false},
		{"://bad", false},
	} {
		err := CheckLoopback(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}
