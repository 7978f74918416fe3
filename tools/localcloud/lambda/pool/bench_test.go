package pool_test

import (
	"context"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/pool"
)

// BenchmarkColdStart measures an invocation that starts a new execution
// environment: spawn, Runtime API /next, the invocation and its response.
func BenchmarkColdStart(b *testing.B) {
	e := newEnv(b, pool.Config{})
	ctx := context.Background()
	payload := []byte(`{"action":"echo"}`)
	for b.Loop() {
		b.StopTimer()
		// Redeploying retires the warm environment.
		if err := e.engine.Deploy(ctx, pool.Function{Name: "cold", CodeDir: codeDirOf()}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r, err := e.engine.Invoke(ctx, pool.Request{FunctionName: "cold", Payload: payload})
		if err != nil || !r.ColdStart || r.FunctionError != "" {
			b.Fatalf("invoke: %v %+v", err, r)
		}
	}
}

// BenchmarkWarmInvoke measures an invocation on a warm environment.
func BenchmarkWarmInvoke(b *testing.B) {
	e := newEnv(b, pool.Config{})
	ctx := context.Background()
	if err := e.engine.Deploy(ctx, pool.Function{Name: "warm", CodeDir: codeDirOf()}); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"action":"echo"}`)
	if _, err := e.engine.Invoke(ctx, pool.Request{FunctionName: "warm", Payload: payload}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := e.engine.Invoke(ctx, pool.Request{FunctionName: "warm", Payload: payload})
		if err != nil || r.ColdStart || r.FunctionError != "" {
			b.Fatalf("invoke: %v %+v", err, r)
		}
	}
}
