// Package iam holds localcloud's principals and the credential lookup the
// SigV4 verifier uses. Today it knows the account's root credentials; the
// CredentialSource interface is where role-session credentials (access key,
// secret and session token from STS AssumeRole) plug in later, together with
// policy evaluation.
package iam
