// Package localcloudtest starts an in-process localcloud for tests, like
// net/http/httptest does for handlers: a real store in a temporary data
// directory, a manual clock, and aws.Config values wired to it with the
// root test credentials.
package localcloudtest
