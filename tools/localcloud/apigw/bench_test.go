package apigw_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// BenchmarkIngestPOST measures the ingest API's POST /orders end to end
// (key, throttle, validation, templates, IAM, durable SQS send, access
// log) from concurrent HTTP clients, with fsync as localcloud runs by
// default.
func BenchmarkIngestPOST(b *testing.B) {
	c := start(b, localcloudtest.Options{NoFsync: os.Getenv("BENCH_NOFSYNC") == "1"})
	_, _, roleARN := queueWithRole(b, c, "bench", true)
	a := buildIngestAPI(b, c, "bench", roleARN)
	// The stage and plan allow 100/s with a burst of 200 on a clock that
	// does not move: lift them for the benchmark.
	ctx := context.Background()
	try(c.gw.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(a.id), StageName: aws.String("dev"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String("1000000000")}}})).get(b)
	try(c.gw.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: aws.String(a.planID), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpRemove, Path: aws.String("/throttle")}}})).get(b)
	url := c.env.URL + "/restapis/" + a.id + "/dev/_user_request_/orders"
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, strings.NewReader(`{"item": "latex gloves","customerID":"12345"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("x-api-key", a.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 202 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
