package logs_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/logs"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// BenchmarkAppend measures durable in-process appends of a Lambda-sized
// batch (START, two lines, END, REPORT) from many environments at once.
func BenchmarkAppend(b *testing.B) {
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc, err := logs.New(logs.Config{Store: st, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	var n atomic.Int64
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		stream := fmt.Sprint("2026/01/01/[$LATEST]", n.Add(1))
		for pb.Next() {
			now := time.Now().UnixMilli()
			batch := []logs.Event{{now, "START RequestId: x Version: $LATEST\n"}, {now, `{"level":"INFO","msg":"stored order"}` + "\n"},
				{now, "line two\n"}, {now, "END RequestId: x\n"}, {now, "REPORT RequestId: x\tDuration: 1.00 ms\n"}}
			if err := svc.Append(context.Background(), "/aws/lambda/bench", stream, batch); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
