// Package policy parses IAM policy documents and evaluates requests against
// them as AWS documents it ("Policy evaluation logic", single account):
// an explicit Deny in any applicable policy wins; otherwise an Allow in the
// principal's identity-based policies or in the resource-based policy (for a
// principal of the resource's own account an allow in either suffices)
// grants access, bounded by an optional permissions boundary; everything
// else is implicitly denied. The account's root user is allowed everything.
//
// Parse validates a document and reports problems worded like IAM's
// MalformedPolicyDocument messages. Evaluate returns a Decision naming the
// statement that decided, and the AccessDenied message AWS words for it.
//
// The package is pure: it reads no store and no clock; callers pass the
// request time and context keys.
package policy
