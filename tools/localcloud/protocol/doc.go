// Package protocol holds the wire codecs localcloud speaks: awsJson 1.0/1.1
// (JSON bodies selected by X-Amz-Target) and awsQuery (form-encoded requests
// with XML responses). Operation inputs and outputs are plain Go structs: the
// `json` tag names the JSON member and the `query` tag names the Query/XML
// member together with its list and map serialization, so one struct serves
// both protocols. The package also defines Error, the typed AWS API error
// every service returns, and its encodings per protocol.
package protocol
