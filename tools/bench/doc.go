// Package bench measures the local system the way DESIGN §9 states its targets: orders
// driven through the public API at a fixed rate and at saturation (bounded in count and
// time, loopback only), each accepted order followed until it is stored and e-mailed,
// localcloud's CPU, memory and queue backlog sampled over time, function concurrency
// rebuilt from the functions' REPORT log lines, the SQS and DynamoDB API rates compared
// with a no-op HTTP server and moto_server, start-to-ready times, and a Markdown report
// with SVG plots.
//
// Speed is reported, never asserted: nothing here fails because a number is slow.
package bench
