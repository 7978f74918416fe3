// Package server is localcloud's front door: one HTTP handler that verifies
// SigV4, routes each request to a service operation (awsJson by X-Amz-Target,
// awsQuery by Action plus the signing service, restJson1 by method and
// path among the signing service's Routes), decodes the input, encodes the
// output or the error in the protocol the request arrived in, stamps a
// request ID, and recovers from panics with a 500 InternalFailure. Services
// register plain Go functions and never see HTTP.
package server
