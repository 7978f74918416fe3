package esm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/lambda/esm"
)

// BenchmarkSQSMapping measures messages a second through an SQS mapping:
// send, receive in batches of ten, invoke the real function, delete. It
// reports the peak pollers and in-flight batches it reached.
func BenchmarkSQSMapping(b *testing.B) {
	for _, batch := range []int{1, 10} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			e := newEnv(b)
			e.cfg.TimeScale = 60
			e.deploy(b, "ingest")
			url, arn := e.queue(b, "orders", map[string]string{"VisibilityTimeout": "120"})
			bodies := make([]string, b.N)
			for i := range bodies {
				bodies[i] = fmt.Sprintf(`{"order":%d}`, i)
			}
			m := e.manager(b)
			mp, err := m.Create(context.Background(), esm.CreateInput{EventSourceArn: arn, FunctionName: "ingest", BatchSize: new(batch),
				Enabled: new(false)})
			if err != nil {
				b.Fatal(err)
			}
			e.send(b, url, bodies...)
			b.ResetTimer()
			if _, err := m.Update(context.Background(), esm.UpdateInput{UUID: mp.UUID, Enabled: new(true)}); err != nil {
				b.Fatal(err)
			}
			f := waitFigures(b, context.Background(), m, mp.UUID, "all deleted", func(f esm.Figures) bool { return f.Deleted == uint64(b.N) })
			b.StopTimer()
			b.ReportMetric(float64(f.PeakPollers), "peak-pollers")
			b.ReportMetric(float64(f.PeakConcurrency), "peak-batches")
		})
	}
}
