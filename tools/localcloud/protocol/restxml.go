package protocol

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// MaxXMLPayload bounds a restXml payload that is decoded rather than
// streamed (bucket configurations, DeleteObjects, CompleteMultipartUpload).
const MaxXMLPayload = 2 << 20

var (
	readerType     = reflect.TypeFor[io.Reader]()
	readCloserType = reflect.TypeFor[io.ReadCloser]()
	timeType       = reflect.TypeFor[time.Time]()
)

// DecodeRESTXML binds a restXml request into the struct v points to. Fields
// tagged `location:"uri|querystring|header"` come from the route's labels,
// the query string and headers; `location:"headers"` collects every header
// starting with locationName into a map keyed by the lower-cased rest of the
// name (x-amz-meta-*). The `location:"payload"` field gets the body: an
// io.Reader field the stream itself, []byte or string the whole body, a
// struct the body decoded as XML (an empty body leaves it zero).
func DecodeRESTXML(req RESTRequest, body io.Reader, v any) error {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := restFieldTag(f)
		fv := rv.Field(i)
		if bound, err := bindRESTScalar(req, tag, fv); bound || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		switch tag.location {
		case "headers":
			prefix := strings.ToLower(tag.name)
			m := map[string]string{}
			for k, vs := range req.Header {
				if lk := strings.ToLower(k); strings.HasPrefix(lk, prefix) && len(vs) > 0 {
					m[lk[len(prefix):]] = strings.Join(vs, ",")
				}
			}
			if len(m) > 0 {
				fv.Set(reflect.ValueOf(m))
			}
		case "payload":
			if err := decodeXMLPayload(fv, body); err != nil {
				return err
			}
		}
	}
	return nil
}

// bindRESTScalar binds a uri, querystring or header field (a []string
// querystring field takes every value); bound is false for other locations.
func bindRESTScalar(req RESTRequest, tag restTag, fv reflect.Value) (bound bool, err error) {
	var s string
	switch tag.location {
	case "uri":
		s = req.PathParams[tag.name]
	case "querystring":
		vals := req.Query[tag.name]
		if len(vals) == 0 {
			return true, nil
		}
		if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String {
			fv.Set(reflect.ValueOf(append([]string(nil), vals...)))
			return true, nil
		}
		s = vals[0]
	case "header":
		s = req.Header.Get(tag.name)
	default:
		return false, nil
	}
	if s == "" {
		return true, nil
	}
	return true, setScalar(fv, tag.name, s)
}

func decodeXMLPayload(fv reflect.Value, body io.Reader) error {
	if body == nil {
		body = http.NoBody
	}
	switch fv.Type() {
	case readerType:
		fv.Set(reflect.ValueOf(&body).Elem())
		return nil
	case readCloserType:
		rc, ok := body.(io.ReadCloser)
		if !ok {
			rc = io.NopCloser(body)
		}
		fv.Set(reflect.ValueOf(&rc).Elem())
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(body, MaxXMLPayload+1))
	if err != nil {
		return fmt.Errorf("read payload: %w", err)
	}
	if len(b) > MaxXMLPayload {
		return &Error{Code: "MaxMessageLengthExceeded", Message: "Your request was too big.", Status: http.StatusBadRequest, Fault: Sender}
	}
	switch {
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
		fv.SetBytes(b)
		return nil
	case fv.Kind() == reflect.String:
		fv.SetString(string(b))
		return nil
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	target := fv
	if fv.Kind() == reflect.Pointer {
		fv.Set(reflect.New(fv.Type().Elem()))
		target = fv.Elem()
	}
	if err := xml.Unmarshal(b, target.Addr().Interface()); err != nil {
		return &Error{Code: "MalformedXML", Message: "The XML you provided was not well-formed or did not validate against our published schema",
			Status: http.StatusBadRequest, Fault: Sender}
	}
	return nil
}

// RESTXMLResponse is an encoded restXml response. Body is nil for an empty
// body; the caller closes it after copying.
type RESTXMLResponse struct {
	Status int
	Header http.Header
	Body   io.ReadCloser
}

// EncodeRESTXML encodes out: `location:"header"` fields become headers
// (time.Time as an HTTP date), `location:"headers"` maps prefixed headers,
// a `location:"statusCode"` field the status and a `location:"payload"`
// field the body (an io.ReadCloser streamed, []byte raw, a struct as XML).
// Without a payload field, a struct with an XMLName field is the XML body
// itself (its header fields carry `xml:"-"`). status is the default
// success status.
func EncodeRESTXML(out any, status int) (RESTXMLResponse, error) {
	resp := RESTXMLResponse{Status: status, Header: http.Header{}}
	if out == nil {
		return resp, nil
	}
	rv := reflect.ValueOf(out)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return resp, nil
		}
		rv = rv.Elem()
	}
	rt := rv.Type()
	payload, hasXMLName := -1, false
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if f.Name == "XMLName" {
			hasXMLName = true
		}
		if !f.IsExported() {
			continue
		}
		tag := restFieldTag(f)
		fv := rv.Field(i)
		switch tag.location {
		case "header":
			if fv.Type() == timeType {
				if t := fv.Interface().(time.Time); !t.IsZero() {
					resp.Header.Set(tag.name, t.UTC().Format(http.TimeFormat))
				}
			} else if s, ok := scalarString(fv); ok {
				resp.Header.Set(tag.name, s)
			}
		case "headers":
			if m, ok := fv.Interface().(map[string]string); ok {
				for k, v := range m {
					resp.Header[http.CanonicalHeaderKey(tag.name+k)] = []string{v}
				}
			}
		case "statusCode":
			if n := fv.Int(); n != 0 {
				resp.Status = int(n)
			}
		case "payload":
			payload = i
		}
	}
	var doc any
	switch {
	case payload >= 0:
		fv := rv.Field(payload)
		switch {
		case fv.Type() == readCloserType:
			if !fv.IsNil() {
				resp.Body = fv.Interface().(io.ReadCloser)
			}
			return resp, nil
		case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
			resp.Body = io.NopCloser(bytes.NewReader(fv.Bytes()))
			return resp, nil
		case fv.Kind() == reflect.Pointer && fv.IsNil():
			return resp, nil
		}
		doc = fv.Interface()
	case hasXMLName:
		doc = out
	default:
		return resp, nil
	}
	b, err := xml.Marshal(doc)
	if err != nil {
		return resp, fmt.Errorf("encode XML body: %w", err)
	}
	resp.Header.Set("Content-Type", "application/xml")
	resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(xml.Header), bytes.NewReader(b)))
	resp.Header.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(b)))
	return resp, nil
}

// RESTXMLError is S3's error body: an unwrapped <Error> with Code, Message,
// the resource when known, RequestId and HostId.
func RESTXMLError(e *Error, resource, requestID string) []byte {
	b, err := xml.Marshal(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		Resource  string   `xml:"Resource,omitempty"`
		RequestID string   `xml:"RequestId"`
		HostID    string   `xml:"HostId"`
	}{Code: e.WireCode(), Message: e.Message, Resource: resource, RequestID: requestID, HostID: requestID})
	if err != nil {
		return nil
	}
	return append([]byte(xml.Header), b...)
}
