package protocol

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// RESTRequest is what a REST operation's input is bound from.
type RESTRequest struct {
	// PathParams are the route's {labels}, already unescaped.
	PathParams map[string]string
	Query      url.Values
	Header     http.Header
	Body       []byte
}

// restTag is a field's HTTP binding: `location:"uri|querystring|header|headers|payload|statusCode"`
// with `locationName:"..."` (the label, query key, header name or header
// prefix; default: the field's JSON name).
type restTag struct {
	location string
	name     string
}

func restFieldTag(f reflect.StructField) restTag {
	t := restTag{location: f.Tag.Get("location"), name: f.Tag.Get("locationName")}
	if t.name == "" {
		t.name = f.Name
		if j, _, _ := strings.Cut(f.Tag.Get("json"), ","); j != "" && j != "-" {
			t.name = j
		}
	}
	return t
}

// DecodeRESTJSON binds a restJson1 request into the struct v points to:
// fields with a location tag come from the path, query string or headers
// (or are the whole body, for "payload"); the rest are JSON body members.
func DecodeRESTJSON(req RESTRequest, v any) error {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	hasPayload := false
	for i := 0; i < rt.NumField(); i++ {
		if rt.Field(i).Tag.Get("location") == "payload" {
			hasPayload = true
		}
	}
	if !hasPayload {
		if err := DecodeJSON(req.Body, v); err != nil {
			return err
		}
	}
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
			m := map[string]string{}
			for k, vs := range req.Header {
				if strings.HasPrefix(strings.ToLower(k), strings.ToLower(tag.name)) && len(vs) > 0 {
					m[k[len(tag.name):]] = vs[0]
				}
			}
			if len(m) > 0 {
				fv.Set(reflect.ValueOf(m))
			}
		case "payload":
			switch {
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
				fv.SetBytes(append([]byte(nil), req.Body...))
			case fv.Kind() == reflect.String:
				fv.SetString(string(req.Body))
			default:
				if err := DecodeJSON(req.Body, fv.Addr().Interface()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func setScalar(fv reflect.Value, name, s string) error {
	if fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			fv.Set(reflect.New(fv.Type().Elem()))
		}
		fv = fv.Elem()
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return invalidValue(name, s)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return invalidValue(name, s)
		}
		fv.SetInt(n)
	}
	return nil
}

// RESTResponse is an encoded restJson1 response.
type RESTResponse struct {
	Status int
	Header http.Header
	Body   []byte
	// ContentType is "application/json" unless the payload is raw.
	ContentType string
}

// EncodeRESTJSON encodes out: header fields become headers, a statusCode
// field the status, a payload field the whole body; other fields are JSON
// body members. status is the operation's default success status.
func EncodeRESTJSON(out any, status int) (RESTResponse, error) {
	resp := RESTResponse{Status: status, Header: http.Header{}, ContentType: "application/json"}
	if out == nil {
		resp.Body = []byte("{}")
		return resp, nil
	}
	rv := reflect.ValueOf(out)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	rt := rv.Type()
	payload := -1
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := restFieldTag(f)
		fv := rv.Field(i)
		switch tag.location {
		case "header":
			if s, ok := scalarString(fv); ok {
				resp.Header.Set(tag.name, s)
			}
		case "headers":
			for k, v := range fv.Interface().(map[string]string) {
				resp.Header.Set(tag.name+k, v)
			}
		case "statusCode":
			if n := fv.Int(); n != 0 {
				resp.Status = int(n)
			}
		case "payload":
			payload = i
		}
	}
	if payload >= 0 {
		fv := rv.Field(payload)
		switch {
		case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
			resp.Body, resp.ContentType = fv.Bytes(), "application/octet-stream"
		case fv.Kind() == reflect.String:
			resp.Body, resp.ContentType = []byte(fv.String()), "text/plain"
		default:
			b, err := json.Marshal(fv.Interface())
			if err != nil {
				return resp, err
			}
			resp.Body = b
		}
		return resp, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return resp, err
	}
	resp.Body = b
	return resp, nil
}

func scalarString(fv reflect.Value) (string, bool) {
	if fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return "", false
		}
		fv = fv.Elem()
	}
	switch fv.Kind() {
	case reflect.String:
		return fv.String(), fv.Len() > 0
	case reflect.Bool:
		return strconv.FormatBool(fv.Bool()), true
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(fv.Int(), 10), true
	}
	return "", false
}

// RESTJSONError is the restJson1 error body and headers for e: the code in
// X-Amzn-ErrorType and a JSON body with Type and message, as Lambda and API
// Gateway answer.
func RESTJSONError(e *Error) (body []byte, header http.Header) {
	typ := "User"
	if e.Fault == Receiver {
		typ = "Service"
	}
	body = e.jsonBody("Type", typ)
	header = http.Header{}
	header.Set("X-Amzn-ErrorType", e.Code)
	return body, header
}
