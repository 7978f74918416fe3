// Package vtl renders API Gateway REST API mapping templates: the subset of
// the Apache Velocity Template Language 1.7 that API Gateway documents, plus
// the $input, $context, $stageVariables and $util variables it defines.
//
// A template is parsed once with [Parse] and rendered many times with
// [Template.Render] or [Template.Execute]; a parsed template is immutable and
// safe for concurrent use. Rendering is bounded by [Limits] so that a hostile
// template can neither hang nor exhaust the process, and it never panics.
//
// GatewayResponse templates are not Velocity templates: [Substitute]
// performs the simple variable substitution API Gateway applies to them.
//
// The semantics follow Velocity 1.7 as configured by API Gateway: undefined
// references render literally ($nope stays "$nope", $!nope renders ""),
// #set with a null right-hand side leaves the target unchanged, only null and
// false are false, and directive lines swallow their trailing newline the way
// the Velocity 1.7 lexer does. DECISIONS.md in the parent folder lists the
// places where the documented behaviour left a choice.
package vtl
