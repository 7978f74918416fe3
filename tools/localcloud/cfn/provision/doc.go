// Package provision is CloudFormation's resource-provider framework: a
// Provider creates, updates and deletes one resource type through a
// service's in-process Go API (with the caller's principal in the context,
// so IAM applies as on the wire); a Spec declares a type's properties,
// which of them force replacement, its Fn::GetAtt attributes and the
// capabilities it needs; a Registry holds the known types.
//
// Types localcloud knows but cannot provision yet are registered with a
// nil Provider, so a template using them is rejected by name when its
// change set is created instead of being skipped.
//
// Adding a provider: declare the narrow service interface it calls next to
// it, write a Spec constructor listing the type's properties, the ones the
// AWS resource reference marks "Update requires: Replacement", its GetAtt
// attributes and its naming property, add the interface to Services and
// the spec to Defaults (replacing the entry in the known list).
package provision
