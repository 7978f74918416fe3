package apigw

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// TestInvokeMethod runs a method of the API as it is now (not as deployed)
// without API key, usage plan or throttling checks, and returns the method
// response with an execution log, as the console's Test button does.
func (s *Service) TestInvokeMethod(ctx context.Context, in *TestInvokeMethodInput) (*TestInvokeMethodOutput, error) {
	var snap *snapshot
	var resource *Resource
	err := s.readAPI(in.RestAPIID, func(r *apiRecord) error {
		res, _, err := methodIn(r, in.ResourceID, in.HTTPMethod)
		if err != nil {
			return err
		}
		resource = res
		snap = clone(&r.snapshot)
		return nil
	})
	if err != nil {
		return nil, err
	}
	api := s.compile(snap)
	rawPath, rawQuery, _ := strings.Cut(in.PathWithQueryString, "?")
	if rawPath == "" {
		rawPath = resource.Path
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, badRequest("Invalid query string specified: %s", rawQuery)
	}
	header := http.Header{}
	for k, vs := range in.MultiValueHeaders {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	for k, v := range in.Headers {
		header.Set(k, v)
	}
	start := s.now()
	inv := &invocation{api: api, stage: &Stage{StageName: "test-invoke-stage", Variables: in.StageVariables}, method: strings.ToUpper(in.HTTPMethod),
		path: rawPath, query: query, header: header, body: []byte(in.Body), srcIP: "test-invoke-source-ip",
		agent: header.Get("User-Agent"), testRun: true, start: start}
	s.initVars(inv, in.RestAPIID, "test-invoke-stage")
	c := &inv.vars.Context
	c.Identity.APIKey, c.Identity.APIKeyID = "test-invoke-api-key", "test-invoke-api-key-id"
	c.Identity.Caller, c.Identity.User = "test-invoke-caller", "test-invoke-user"
	inv.vars.StageVariables = in.StageVariables
	// The request goes to the method asked for; the path fills its path
	// parameters when it matches the resource.
	params := map[string]string{}
	if res, p, ok := api.match(rawPath); ok && res.ID == resource.ID {
		params = p
	}
	resp := s.runMethod(ctx, inv, api.snap.Resources[resource.ID], api.snap.Resources[resource.ID].ResourceMethods[inv.method], params)
	latency := s.now().Sub(start).Milliseconds()
	var log strings.Builder
	ts := start.UTC().Format("Mon Jan 02 15:04:05 UTC 2006")
	fmt.Fprintf(&log, "Execution log for request %s\n", c.RequestID)
	fmt.Fprintf(&log, "%s : Starting execution for request: %s\n", ts, c.RequestID)
	for _, line := range inv.trace {
		fmt.Fprintf(&log, "%s : %s\n", ts, line)
	}
	out := &TestInvokeMethodOutput{Status: resp.status, Body: string(resp.body), Log: log.String(), Latency: latency,
		Headers: map[string]string{}, MultiValueHeaders: map[string][]string{}}
	for k, vs := range resp.header {
		out.Headers[k] = strings.Join(vs, ",")
		out.MultiValueHeaders[k] = vs
	}
	out.Headers["X-Amzn-Trace-Id"] = "Root=1-" + s.cfg.IDs.Hex(4) + "-" + s.cfg.IDs.Hex(12)
	return out, nil
}
