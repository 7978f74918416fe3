// Package template parses CloudFormation templates (YAML with the short-form
// tags, or JSON) into a Template, validates their structure with
// CloudFormation's own error wording, resolves parameters, evaluates
// conditions and intrinsic functions against a caller-supplied view of the
// stack, and orders resources by their dependencies.
//
// Values are plain Go data: map[string]any, []any, string, float64, bool and
// nil. Intrinsic functions are kept in their long form ({"Fn::Sub": ...}),
// so a YAML and a JSON template with the same content parse equal.
package template
