// Package protocol holds the wire codecs localcloud speaks: awsJson 1.0/1.1
// (JSON bodies selected by X-Amz-Target) and awsQuery (form-encoded requests
// with XML responses). Operation inputs and outputs are plain Go structs: the
// `json` tag names the JSON member and the `query` tag names the Query/XML
// member together with its list and map serialization, so one struct serves
// both protocols. restJson1 inputs and outputs bind fields to the path,
// query string, headers, status code or whole body with `location` and
// `locationName` tags (such fields carry `json:"-"`); the other fields are
// JSON body members. The package also defines Error, the typed AWS API error
// every service returns, and its encodings per protocol.
package protocol
