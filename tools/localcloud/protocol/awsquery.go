package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// maxListMembers bounds how many list or map entries a Query request may
// carry, so a hostile request cannot make the decoder loop for long.
const maxListMembers = 1000

type queryTag struct {
	name   string
	flat   bool
	member string
	key    string
	value  string
	skip   bool
}

func fieldTag(f reflect.StructField) queryTag {
	t := queryTag{name: f.Name, member: "member", key: "key", value: "value"}
	if j := f.Tag.Get("json"); j != "" {
		if n, _, _ := strings.Cut(j, ","); n != "" && n != "-" {
			t.name = n
		}
	}
	q, ok := f.Tag.Lookup("query")
	if !ok {
		return t
	}
	if q == "-" {
		t.skip = true
		return t
	}
	parts := strings.Split(q, ",")
	if parts[0] != "" {
		t.name = parts[0]
	}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		switch k {
		case "flat":
			t.flat = true
		case "member":
			t.member = v
		case "key":
			t.key = v
		case "value":
			t.value = v
		}
	}
	return t
}

// DecodeQuery decodes the parameters of an awsQuery request (already parsed
// from the form body or query string) into the struct pointed to by v.
func DecodeQuery(form url.Values, v any) error {
	d := queryDecoder{form: form, prefixes: map[string]bool{}}
	for k := range form {
		for i := 0; i < len(k); i++ {
			if k[i] == '.' {
				d.prefixes[k[:i]] = true
			}
		}
		d.prefixes[k] = true
	}
	rv := reflect.ValueOf(v).Elem()
	return d.decodeStruct("", rv)
}

type queryDecoder struct {
	form     url.Values
	prefixes map[string]bool
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (d *queryDecoder) decodeStruct(prefix string, rv reflect.Value) error {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := fieldTag(f)
		if tag.skip {
			continue
		}
		if err := d.decode(join(prefix, tag.name), rv.Field(i), tag); err != nil {
			return err
		}
	}
	return nil
}

func invalidValue(path, value string) error {
	return Errorf("InvalidParameterValue", "Value %s for parameter %s is invalid.", value, path)
}

func (d *queryDecoder) decode(path string, rv reflect.Value, tag queryTag) error {
	if !d.prefixes[path] {
		return nil
	}
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		return d.decode(path, rv.Elem(), tag)
	case reflect.String:
		rv.SetString(d.form.Get(path))
	case reflect.Bool:
		s := d.form.Get(path)
		b, err := strconv.ParseBool(s)
		if err != nil {
			return invalidValue(path, s)
		}
		rv.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		s := d.form.Get(path)
		n, err := strconv.ParseInt(s, 10, rv.Type().Bits())
		if err != nil {
			return invalidValue(path, s)
		}
		rv.SetInt(n)
	case reflect.Float64:
		s := d.form.Get(path)
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return invalidValue(path, s)
		}
		rv.SetFloat(n)
	case reflect.Struct:
		return d.decodeStruct(path, rv)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			s := d.form.Get(path)
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return invalidValue(path, s)
			}
			rv.SetBytes(b)
			return nil
		}
		base := path
		if !tag.flat {
			base = join(path, tag.member)
		}
		for i := 1; i <= maxListMembers; i++ {
			p := base + "." + strconv.Itoa(i)
			if !d.prefixes[p] {
				break
			}
			elem := reflect.New(rv.Type().Elem()).Elem()
			if err := d.decode(p, elem, queryTag{member: "member", key: "key", value: "value"}); err != nil {
				return err
			}
			rv.Set(reflect.Append(rv, elem))
		}
	case reflect.Map:
		base := path
		if !tag.flat {
			base = join(path, "entry")
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMap(rv.Type()))
		}
		for i := 1; i <= maxListMembers; i++ {
			p := base + "." + strconv.Itoa(i)
			if !d.prefixes[p] {
				break
			}
			k := d.form.Get(p + "." + tag.key)
			elem := reflect.New(rv.Type().Elem()).Elem()
			if err := d.decode(p+"."+tag.value, elem, queryTag{member: "member", key: "key", value: "value"}); err != nil {
				return err
			}
			rv.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), elem)
		}
	}
	return nil
}

// QueryResponse encodes the awsQuery XML response for action. result may be
// nil for operations without output members.
func QueryResponse(action, xmlns, requestID string, result any) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?>` + "\n")
	b.WriteString("<" + action + "Response")
	if xmlns != "" {
		b.WriteString(` xmlns="` + xmlns + `"`)
	}
	b.WriteString(">")
	if result != nil {
		rv := reflect.ValueOf(result)
		for rv.Kind() == reflect.Pointer && !rv.IsNil() {
			rv = rv.Elem()
		}
		if rv.Kind() == reflect.Struct && rv.NumField() > 0 {
			b.WriteString("<" + action + "Result>")
			encodeFields(&b, rv)
			b.WriteString("</" + action + "Result>")
		}
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	escape(&b, requestID)
	b.WriteString("</RequestId></ResponseMetadata></" + action + "Response>")
	return b.Bytes()
}

// QueryError encodes the awsQuery XML error document for e.
func QueryError(e *Error, xmlns, requestID string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?>` + "\n<ErrorResponse")
	if xmlns != "" {
		b.WriteString(` xmlns="` + xmlns + `"`)
	}
	fault := e.Fault
	if fault == "" {
		fault = Sender
	}
	b.WriteString("><Error><Type>" + string(fault) + "</Type><Code>")
	escape(&b, e.WireCode())
	b.WriteString("</Code><Message>")
	escape(&b, e.Message)
	b.WriteString("</Message><Detail/></Error><RequestId>")
	escape(&b, requestID)
	b.WriteString("</RequestId></ErrorResponse>")
	return b.Bytes()
}

func escape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func encodeFields(b *bytes.Buffer, rv reflect.Value) {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := fieldTag(f)
		if tag.skip {
			continue
		}
		encodeValue(b, tag.name, rv.Field(i), tag)
	}
}

func encodeValue(b *bytes.Buffer, name string, rv reflect.Value, tag queryTag) {
	open, closeTag := "<"+name+">", "</"+name+">"
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return
		}
		encodeValue(b, name, rv.Elem(), tag)
	case reflect.String:
		if rv.Len() == 0 {
			return
		}
		b.WriteString(open)
		escape(b, rv.String())
		b.WriteString(closeTag)
	case reflect.Bool:
		b.WriteString(open + strconv.FormatBool(rv.Bool()) + closeTag)
	case reflect.Int, reflect.Int32, reflect.Int64:
		b.WriteString(open + strconv.FormatInt(rv.Int(), 10) + closeTag)
	case reflect.Float64:
		b.WriteString(open + strconv.FormatFloat(rv.Float(), 'f', -1, 64) + closeTag)
	case reflect.Struct:
		b.WriteString(open)
		encodeFields(b, rv)
		b.WriteString(closeTag)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.Len() == 0 {
				return
			}
			b.WriteString(open + base64.StdEncoding.EncodeToString(rv.Bytes()) + closeTag)
			return
		}
		if rv.Len() == 0 {
			return
		}
		elemTag := queryTag{member: "member", key: "key", value: "value"}
		if tag.flat {
			for i := 0; i < rv.Len(); i++ {
				encodeValue(b, name, rv.Index(i), elemTag)
			}
			return
		}
		b.WriteString(open)
		for i := 0; i < rv.Len(); i++ {
			encodeValue(b, tag.member, rv.Index(i), elemTag)
		}
		b.WriteString(closeTag)
	case reflect.Map:
		if rv.Len() == 0 {
			return
		}
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		elemTag := queryTag{member: "member", key: "key", value: "value"}
		if !tag.flat {
			b.WriteString(open)
		}
		for _, k := range keys {
			if tag.flat {
				b.WriteString(open)
			} else {
				b.WriteString("<entry>")
			}
			b.WriteString("<" + tag.key + ">")
			escape(b, k.String())
			b.WriteString("</" + tag.key + ">")
			if mv := rv.MapIndex(k); mv.Kind() == reflect.String {
				b.WriteString("<" + tag.value + ">")
				escape(b, mv.String())
				b.WriteString("</" + tag.value + ">")
			} else {
				encodeValue(b, tag.value, mv, elemTag)
			}
			if tag.flat {
				b.WriteString(closeTag)
			} else {
				b.WriteString("</entry>")
			}
		}
		if !tag.flat {
			b.WriteString(closeTag)
		}
	}
}
