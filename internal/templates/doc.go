// Package templates reads orderflow's CloudFormation templates — YAML with the
// short-form intrinsic tags (!Ref, !Sub, !GetAtt, !ImportValue, ...) — into plain Go
// values in their long form, and checks them against the security baseline of the
// design (§5): scoped IAM, encryption at rest, point-in-time recovery, dead-letter
// queues with alarms, visibility timeouts, partial batch responses, log retention and
// the API's access logs, throttling, validation and API keys.
package templates
