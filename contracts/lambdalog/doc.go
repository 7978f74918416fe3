// Package lambdalog is the log format shared by orderflow's Lambda functions:
// one JSON object per line, with the key names Lambda's own JSON log format
// uses (timestamp, level, message, requestId) and a fixed vocabulary for the
// identifiers that tie a line to an order. Log readers (CloudWatch Logs
// Insights queries, localcloud's log streaming, end-to-end tests) rely on
// these names, which is why they live in the contracts module.
package lambdalog
