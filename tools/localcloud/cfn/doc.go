// Package cfn is localcloud's CloudFormation: the awsQuery API (change
// sets, stacks, events, resources, templates, exports and imports), and the
// engine that provisions a stack's resources in dependency order with
// bounded parallelism, updates them in place or by replacement, rolls back
// on failure and honours deletion policies.
//
// Templates are handled by package template and resources by the
// providers of package provision, which call the other services' Go APIs in
// process with the principal that started the operation. Stacks, change
// sets and events are persisted, so an operation interrupted by a restart
// is rolled back (or finished) when the service starts again.
package cfn
