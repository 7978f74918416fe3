package localcloudtest

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/orderflow/orderflow/tools/localcloud"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
)

// Env is a running in-process localcloud.
type Env struct {
	// URL is the base URL, e.g. http://127.0.0.1:39123.
	URL string
	// Clock is the services' clock; advance it to expire visibility
	// timeouts and delays. Signatures are checked against the wall clock.
	Clock    *clock.Manual
	Instance *localcloud.Instance
	// DataDir is the instance's data directory.
	DataDir string

	stop func()
}

// Stop shuts the instance down gracefully (as on SIGTERM); the test's
// cleanup calls it too. Start a new Env on DataDir to restart.
func (e *Env) Stop() { e.stop() }

// Options adjusts Start.
type Options struct {
	// DataDir reuses a data directory (default: a fresh temporary one).
	DataDir string
	// NoFsync is passed to localcloud.Config.
	NoFsync bool
}

// Start serves a fresh localcloud on a loopback port until the test ends.
func Start(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	clk := clock.NewManual(time.Now())
	inst, err := localcloud.Open(localcloud.Config{
		DataDir:   o.DataDir,
		Clock:     clk,
		AuthClock: clock.Real{},
		Random:    rand.NewChaCha8([32]byte{byte(time.Now().UnixNano())}),
		PublicURL: url,
		NoFsync:   o.NoFsync,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- inst.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			if err := inst.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &Env{URL: url, Clock: clk, Instance: inst, DataDir: o.DataDir, stop: stop}
}

// Config returns an aws.Config for the root credentials test/test in
// us-east-1 with BaseEndpoint pointing at the environment.
func (e *Env) Config() aws.Config {
	return Config(e.URL, "test", "test")
}

// Config returns an aws.Config for endpoint with static credentials.
func Config(endpoint, accessKey, secret string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Timeout: 60 * time.Second},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}
