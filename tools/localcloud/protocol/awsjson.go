package protocol

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// DecodeJSON decodes an awsJson request body into v. An empty body is an
// empty object. Malformed JSON is a SerializationException, as AWS answers.
func DecodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Code: "SerializationException", Namespace: CoralNamespace,
			Message: "Start of structure or map found where not expected.", Status: http.StatusBadRequest, Fault: Sender}
	}
	return nil
}

// EncodeJSON encodes an awsJson response body.
func EncodeJSON(v any) ([]byte, error) {
	if v == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(v)
}

// JSONError is the awsJson error body and headers for e. namespace is the
// service's error namespace (e.g. "com.amazonaws.sqs"); queryCompatible adds
// the x-amzn-query-error header that awsQueryCompatible services send.
func JSONError(e *Error, namespace string, queryCompatible bool) (body []byte, header http.Header) {
	ns := namespace
	if e.Namespace != "" {
		ns = e.Namespace
	}
	typ := e.Code
	if ns != "" {
		typ = ns + "#" + e.Code
	}
	body = e.jsonBody("__type", typ)
	header = http.Header{}
	if queryCompatible {
		fault := e.Fault
		if fault == "" {
			fault = Sender
		}
		header.Set("X-Amzn-Query-Error", e.WireCode()+";"+string(fault))
	}
	return body, header
}
