// Package sigv4 verifies AWS Signature Version 4 on incoming requests, in
// both the Authorization-header and the presigned-query forms: credential
// scope, clock skew (15 minutes), presign expiry, session tokens and a
// constant-time signature compare. Errors are typed by Kind so the front
// door can word them as each protocol does.
package sigv4
