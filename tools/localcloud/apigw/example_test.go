package apigw_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"os"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/apigw"
	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// The operation methods are the Go API for in-process callers such as the
// CloudFormation provider: create the API, its resources and methods,
// deploy it, and the data plane serves the stage.
func Example() {
	dir, _ := os.MkdirTemp("", "apigw-example")
	defer os.RemoveAll(dir)
	st, _ := store.Open(dir, store.Options{NoFsync: true})
	defer st.Close()
	svc, _ := apigw.New(apigw.Config{Store: st, Clock: clock.NewManual(time.Unix(1_800_000_000, 0)), IDs: ids.New(rand.Reader),
		Account: "000000000000", Region: "us-east-1"})
	ctx := context.Background()

	api, _ := svc.CreateRestAPI(ctx, &apigw.CreateRestAPIInput{Name: "hello"})
	res, _ := svc.CreateResource(ctx, &apigw.CreateResourceInput{RestAPIID: api.ID, ParentID: api.RootResourceID, PathPart: "{name}"})
	_, _ = svc.PutMethod(ctx, &apigw.PutMethodInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "GET", AuthorizationType: "NONE"})
	_, _ = svc.PutIntegration(ctx, &apigw.PutIntegrationInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "GET", Type: "MOCK",
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	_, _ = svc.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "GET",
		StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `{"hello":"$input.params('name')"}`}})
	_, _ = svc.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestAPIID: api.ID, StageName: "dev"})

	req := httptest.NewRequest("GET", "http://127.0.0.1:4566/restapis/"+api.ID+"/dev/_user_request_/world", nil)
	rec := httptest.NewRecorder()
	if svc.Matches(req) {
		svc.ServeHTTP(rec, req)
	}
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 {"hello":"world"}
}
