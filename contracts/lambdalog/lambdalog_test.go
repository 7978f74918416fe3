package lambdalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/orderflow/orderflow/contracts/lambdalog"
)

func TestNewLevels(t *testing.T) {
	tests := []struct {
		level     string
		wantDebug bool
		wantInfo  bool
	}{
		{"", false, true},
		{"DEBUG", true, true},
		{"debug", true, true},
		{"INFO", false, true},
		{"WARN", false, false},
		{"ERROR", false, false},
		{"TRACE", false, true},
		{"nonsense", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.level, func(t *testing.T) {
			var buf bytes.Buffer
			log := lambdalog.New(&buf, tc.level)
			log.Debug("d")
			gotDebug := buf.Len() > 0
			buf.Reset()
			log.Info("i")
			gotInfo := buf.Len() > 0
			if gotDebug != tc.wantDebug || gotInfo != tc.wantInfo {
				t.Errorf("level %q: debug=%v info=%v, want %v %v", tc.level, gotDebug, gotInfo, tc.wantDebug, tc.wantInfo)
			}
		})
	}
}

func TestLineFormat(t *testing.T) {
	tests := []struct {
		name          string
		ctx           context.Context
		wantRequestID any
	}{
		{"inside an invocation", lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"}), "req-1"},
		{"outside an invocation", context.Background(), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			lambdalog.ForInvocation(tc.ctx, lambdalog.New(&buf, "INFO")).Info("order stored", lambdalog.KeyOrderID, "o-1")
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("not one JSON line: %q", buf.String())
			}
			if line["message"] != "order stored" || line["level"] != "INFO" || line["orderID"] != "o-1" || line["timestamp"] == nil {
				t.Errorf("line = %v, want Lambda's key names", line)
			}
			if line["requestId"] != tc.wantRequestID {
				t.Errorf("requestId = %v, want %v", line["requestId"], tc.wantRequestID)
			}
		})
	}
}
