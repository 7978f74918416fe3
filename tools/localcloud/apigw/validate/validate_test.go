package validate

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// orderSchema is contracts/schema/order-request.schema.json, the body model
// of POST /orders (copied into testdata).
func orderSchema(t testing.TB) *Schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "order-request.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Compile(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// briefSchema is the order schema without annotations, as the API model
// is written in the issue.
const briefSchema = `{"$schema":"http://json-schema.org/draft-04/schema#","title":"OrderRequest","type":"object",` +
	`"properties":{"item":{"type":"string","minLength":1,"maxLength":200},"customerID":{"type":"string","minLength":1,"maxLength":64},` +
	`"quantity":{"type":"integer","minimum":1,"maximum":1000}},"required":["item","customerID"],"additionalProperties":false}`

func check(t *testing.T, s *Schema, body, want string) {
	t.Helper()
	err := s.Validate([]byte(body))
	if want == "" {
		if err != nil {
			t.Errorf("Validate(%s) = %v, want valid", body, detail(err))
		}
		return
	}
	var be *BodyError
	if !errors.As(err, &be) {
		t.Fatalf("Validate(%s) = %v, want a *BodyError", body, err)
	}
	if got := be.ValidationErrorString(); got != want {
		t.Errorf("Validate(%s)\n got %s\nwant %s", body, got, want)
	}
	if be.Error() != "Invalid request body" || be.StatusCode() != 400 || be.ResponseType() != "BAD_REQUEST_BODY" {
		t.Errorf("gateway response: %q %d %s", be.Error(), be.StatusCode(), be.ResponseType())
	}
}

func detail(err error) string {
	var be *BodyError
	if errors.As(err, &be) {
		return be.ValidationErrorString()
	}
	return fmt.Sprint(err)
}

func TestOrderSchema(t *testing.T) {
	long := strings.Repeat("x", 201)
	emoji := strings.Repeat("😀", 200)
	tests := []struct{ name, body, want string }{
		{"tutorial body", `{"item": "latex gloves","customerID":"12345"}`, ""},
		{"with quantity", `{"item":"latex gloves","customerID":"12345","quantity":1000}`, ""},
		{"length counts code points", `{"item":"` + emoji + `","customerID":"1"}`, ""},
		{"content after the JSON value is ignored", `{"item":"a","customerID":"1"} trailing`, ""},
		{"missing customerID", `{"item":"latex gloves"}`, `[object has missing required properties (["customerID"])]`},
		{"missing both", `{}`, `[object has missing required properties (["customerID","item"])]`},
		{"empty body", ``, `[object has missing required properties (["customerID","item"])]`},
		{"quantity as string", `{"item":"a","customerID":"1","quantity":"2"}`, `[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]`},
		{"quantity fractional", `{"item":"a","customerID":"1","quantity":1.5}`, `[instance type (number) does not match any allowed primitive type (allowed: ["integer"])]`},
		{"quantity 1.0 is not an integer", `{"item":"a","customerID":"1","quantity":1.0}`, `[instance type (number) does not match any allowed primitive type (allowed: ["integer"])]`},
		{"quantity zero", `{"item":"a","customerID":"1","quantity":0}`, `[numeric instance is lower than the required minimum (minimum: 1, found: 0)]`},
		{"quantity too large", `{"item":"a","customerID":"1","quantity":1001}`, `[numeric instance is greater than the required maximum (maximum: 1000, found: 1001)]`},
		{"empty item", `{"item":"","customerID":"1"}`, `[string "" is too short (length: 0, required minimum: 1)]`},
		{"item too long", `{"item":"` + long + `","customerID":"1"}`, `[string "` + long + `" is too long (length: 201, maximum allowed: 200)]`},
		{"null item", `{"item":null,"customerID":"1"}`, `[instance type (null) does not match any allowed primitive type (allowed: ["string"])]`},
		{"two bad members in name order", `{"item":5,"customerID":true}`, `[instance type (boolean) does not match any allowed primitive type (allowed: ["string"]), instance type (integer) does not match any allowed primitive type (allowed: ["string"])]`},
		{"extra field", `{"item":"a","customerID":"1","price":3}`, `[object instance has properties which are not allowed by the schema: ["price"]]`},
		{"extra fields in name order", `{"item":"a","customerID":"1","zz":1,"a":2,"Z":3}`, `[object instance has properties which are not allowed by the schema: ["Z","a","zz"]]`},
		{"extra and missing; members not checked", `{"item":5,"price":3}`, `[object instance has properties which are not allowed by the schema: ["price"], object has missing required properties (["customerID"])]`},
		{"array body", `[{"item":"a","customerID":"1"}]`, `[instance type (array) does not match any allowed primitive type (allowed: ["object"])]`},
		{"string body", `"order"`, `[instance type (string) does not match any allowed primitive type (allowed: ["object"])]`},
		{"not JSON", `item=latex+gloves`, `[Unexpected character ('i' (code 105)): expected a valid value (number, String, array, object, 'true', 'false' or 'null')]`},
		{"truncated JSON", `{"item":`, `[Unexpected end-of-input]`},
	}
	for _, schema := range []struct {
		name string
		s    *Schema
	}{{"contracts file", orderSchema(t)}, {"issue text", mustCompile(t, briefSchema)}} {
		for _, tc := range tests {
			t.Run(schema.name+"/"+tc.name, func(t *testing.T) { check(t, schema.s, tc.body, tc.want) })
		}
	}
}

func mustCompile(t testing.TB, schema string) *Schema {
	t.Helper()
	s, err := Compile([]byte(schema), nil)
	if err != nil {
		t.Fatalf("Compile(%s): %v", schema, err)
	}
	return s
}

func TestKeywords(t *testing.T) {
	tests := []struct{ name, schema, body, want string }{
		{"number accepts integer", `{"type":"number"}`, `3`, ""},
		{"number type message", `{"type":"number"}`, `"3"`, `[instance type (string) does not match any allowed primitive type (allowed: ["integer","number"])]`},
		{"type list", `{"type":["string","null"]}`, `1`, `[instance type (integer) does not match any allowed primitive type (allowed: ["null","string"])]`},
		{"enum", `{"enum":["a","b",1]}`, `"c"`, `[instance value ("c") not found in enum (possible values: ["a","b",1])]`},
		{"enum numeric equality", `{"enum":[1]}`, `1.0`, ""},
		{"pattern", `{"pattern":"^[0-9]+$"}`, `"12a"`, `[ECMA 262 regex "^[0-9]+$" does not match input string "12a"]`},
		{"pattern is a search", `{"pattern":"[0-9]"}`, `"a1b"`, ""},
		{"integral bounds print as integers", `{"minimum":1.0,"maximum":1e2}`, `0.5`, `[numeric instance is lower than the required minimum (minimum: 1, found: 0.5)]`},
		{"exclusiveMinimum", `{"minimum":1,"exclusiveMinimum":true}`, `1`, `[numeric instance is not strictly greater than the required minimum 1]`},
		{"exclusiveMaximum", `{"maximum":2.5,"exclusiveMaximum":true}`, `2.5`, `[numeric instance is not strictly lower than the required maximum 2.5]`},
		{"multipleOf", `{"multipleOf":0.01}`, `1.005`, `[remainder of division is not zero (1.005 / 0.01)]`},
		{"multipleOf exact decimals", `{"multipleOf":0.01}`, `19.99`, ""},
		{"items", `{"items":{"type":"integer"}}`, `[1,"2",3]`, `[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]`},
		{"minItems", `{"minItems":2}`, `[1]`, `[array is too short: must have at least 2 elements but instance has 1 elements]`},
		{"maxItems", `{"maxItems":1}`, `[1,2]`, `[array is too long: must have at most 1 elements but instance has 2 elements]`},
		{"uniqueItems", `{"uniqueItems":true}`, `[{"a":1},{"a":1.0}]`, `[array must not contain duplicate elements]`},
		{"tuple additionalItems", `{"items":[{"type":"string"}],"additionalItems":false}`, `["a",2]`, `[schema only allows 1 elements in array but instance has 2 elements]`},
		{"additionalProperties schema", `{"properties":{"a":{}},"additionalProperties":{"type":"string"}}`, `{"a":1,"b":2}`, `[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]`},
		{"patternProperties", `{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}`, `{"x-a":"1","y":1}`, `[object instance has properties which are not allowed by the schema: ["y"]]`},
		{"min and max properties", `{"minProperties":2,"maxProperties":0}`, `{"a":1}`, `[object has too many properties (found 1 but schema requires at most 0), object has too few properties (found 1 but schema requires at least 2)]`},
		{"ref to definitions", `{"definitions":{"id":{"type":"string","minLength":2}},"properties":{"id":{"$ref":"#/definitions/id"}}}`, `{"id":"a"}`, `[string "a" is too short (length: 1, required minimum: 2)]`},
		{"recursive ref", `{"properties":{"child":{"$ref":"#"},"n":{"type":"integer"}}}`, `{"child":{"child":{"n":"x"}}}`, `[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]`},
		{"allOf", `{"allOf":[{"type":"string"},{"minLength":3}]}`, `"ab"`, `[instance failed to match all required schemas (matched only 1 out of 2)]`},
		{"anyOf", `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, `true`, `[instance failed to match at least one required schema among 2]`},
		{"anyOf passes", `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, `7`, ""},
		{"oneOf none", `{"oneOf":[{"type":"string"},{"type":"integer"}]}`, `true`, `[instance failed to match exactly one schema (matched 0 out of 2)]`},
		{"oneOf both", `{"oneOf":[{"type":"number"},{"type":"integer"}]}`, `7`, `[instance failed to match exactly one schema (matched 2 out of 2)]`},
		{"not", `{"not":{"type":"string"}}`, `"x"`, `[instance matched a schema which it should not have]`},
		{"property dependencies", `{"dependencies":{"card":["billing","cvv"]}}`, `{"card":1,"cvv":2}`, `[property "card" of object has missing property dependencies (schema requires ["billing","cvv"]; missing: ["billing"])]`},
		{"schema dependencies", `{"dependencies":{"card":{"required":["billing"]}}}`, `{"card":1}`, `[object has missing required properties (["billing"])]`},
		{"format email", `{"format":"email"}`, `"not-an-email"`, `[string "not-an-email" is not a valid email address]`},
		{"format date-time", `{"format":"date-time"}`, `"2024-13-01"`, `[string "2024-13-01" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]]`},
		{"format date-time ok", `{"format":"date-time"}`, `"2024-01-31T10:00:00Z"`, ""},
		{"format ipv4", `{"format":"ipv4"}`, `"300.1.1.1"`, `[string "300.1.1.1" is not a valid IPv4 address]`},
		{"unknown format ignored", `{"format":"color"}`, `"whatever"`, ""},
		{"keywords in name order", `{"type":"string","minLength":5,"pattern":"^a","enum":["bcd"]}`, `"bc"`, `[instance value ("bc") not found in enum (possible values: ["bcd"]), string "bc" is too short (length: 2, required minimum: 5), ECMA 262 regex "^a" does not match input string "bc"]`},
		{"huge exponent compares without blowing up", `{"maximum":10,"multipleOf":3}`, `1e999999999`, `[numeric instance is greater than the required maximum (maximum: 10, found: 1e999999999)]`},
		{"tiny exponent", `{"minimum":0,"exclusiveMinimum":true,"multipleOf":0.5}`, `-1e-999999999`, `[numeric instance is lower than the required minimum (minimum: 0, found: -1e-999999999), remainder of division is not zero (-1e-999999999 / 0.5)]`},
		{"strings are printed raw", `{"maxLength":1}`, `"a\"b"`, `[string "a"b" is too long (length: 3, maximum allowed: 1)]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { check(t, mustCompile(t, tc.schema), tc.body, tc.want) })
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, schema, ptr string }{
		{"not JSON", `{`, ""},
		{"not an object", `[]`, ""},
		{"bad type", `{"type":"int"}`, "/type"},
		{"bad minLength", `{"properties":{"a":{"minLength":-1}}}`, "/properties/a/minLength"},
		{"bad required", `{"required":"a"}`, "/required"},
		{"unresolvable ref", `{"$ref":"#/definitions/nope"}`, "/$ref"},
		{"remote ref without loader", `{"$ref":"https://apigateway.amazonaws.com/restapis/a1/models/Other"}`, "/$ref"},
		{"ref loop", `{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"}`, ""},
		{"unsupported regex", `{"pattern":"(?=a)"}`, "/pattern"},
		{"exclusiveMinimum without minimum", `{"exclusiveMinimum":true}`, "/exclusiveMinimum"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]byte(tc.schema), nil)
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%s) = %v, want a *SchemaError", tc.schema, err)
			}
			if tc.ptr != "" && se.Pointer != tc.ptr {
				t.Errorf("Compile(%s): pointer %q, want %q (%v)", tc.schema, se.Pointer, tc.ptr, se)
			}
		})
	}
}

func TestModelReferences(t *testing.T) {
	const other = "https://apigateway.amazonaws.com/restapis/a1b2c3/models/Customer"
	load := func(uri string) ([]byte, error) {
		if uri == other {
			return []byte(`{"type":"object","required":["id"]}`), nil
		}
		return nil, fmt.Errorf("no model %s", uri)
	}
	s, err := Compile([]byte(`{"properties":{"customer":{"$ref":"`+other+`"}}}`), load)
	if err != nil {
		t.Fatal(err)
	}
	check(t, s, `{"customer":{}}`, `[object has missing required properties (["id"])]`)
	check(t, s, `{"customer":{"id":1}}`, "")
}

func TestValidationLoopAndBudget(t *testing.T) {
	loop := mustCompile(t, `{"allOf":[{"$ref":"#"}]}`)
	if err := loop.Validate([]byte(`{}`)); err == nil {
		t.Errorf("self-applying schema: got %v", detail(err))
	}
	// Both branches of oneOf recurse: exponential without a step budget.
	exp := mustCompile(t, `{"oneOf":[{"items":{"$ref":"#"}},{"items":{"$ref":"#"}}]}`)
	body := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	if err := exp.Validate([]byte(body)); err == nil {
		t.Errorf("exponential schema: want an error")
	}
}

func TestParameters(t *testing.T) {
	rules, err := ParseRequestParameters(map[string]bool{
		"method.request.header.Idempotency-Key": true,
		"method.request.querystring.page":       true,
		"method.request.path.id":                true,
		"method.request.header.X-Optional":      false,
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"all present", Request{
			Path:        map[string]string{"id": "1"},
			QueryString: map[string][]string{"page": {"2"}},
			Header:      http.Header{"Idempotency-Key": {"k"}},
		}, ""},
		{"header case-insensitive", Request{
			Path:        map[string]string{"id": "1"},
			QueryString: map[string][]string{"page": {"2"}},
			Header:      map[string][]string{"idempotency-key": {"k"}},
		}, ""},
		{"header missing", Request{
			Path:        map[string]string{"id": "1"},
			QueryString: map[string][]string{"page": {"2"}},
		}, "Missing required request parameters: [Idempotency-Key]"},
		{"blank values count as missing", Request{
			Path:        map[string]string{"id": " "},
			QueryString: map[string][]string{"page": {""}},
			Header:      http.Header{"Idempotency-Key": {"k"}},
		}, "Missing required request parameters: [id, page]"},
		{"all missing", Request{}, "Missing required request parameters: [id, page, Idempotency-Key]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := rules.Validate(tc.req)
			if tc.want == "" {
				if err != nil {
					t.Errorf("got %v", err)
				}
				return
			}
			var pe *ParameterError
			if !errors.As(err, &pe) || pe.Error() != tc.want || pe.StatusCode() != 400 || pe.ResponseType() != "BAD_REQUEST_PARAMETERS" {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := ParseRequestParameters(map[string]bool{"method.request.cookie.a": true}); err == nil {
		t.Error("unknown location accepted")
	}
}

func TestSelectModel(t *testing.T) {
	models := map[string]string{"application/json": "OrderRequest", "$default": "Anything"}
	for ct, want := range map[string]string{
		"application/json":                "OrderRequest",
		"Application/JSON; charset=utf-8": "OrderRequest",
		"":                                "OrderRequest",
		"text/plain":                      "Anything",
	} {
		if got, ok := SelectModel(models, ct); !ok || got != want {
			t.Errorf("SelectModel(%q) = %q, %v; want %q", ct, got, ok, want)
		}
	}
	if _, ok := SelectModel(map[string]string{"application/json": "M"}, "text/plain"); ok {
		t.Error("text/plain matched an application/json-only method")
	}
}

func TestResponseBody(t *testing.T) {
	if got := string(ResponseBody(MessageInvalidBody)); got != `{"message":"Invalid request body"}` {
		t.Errorf("got %s", got)
	}
	pe := &ParameterError{Missing: []string{"Idempotency-Key"}}
	if got := string(ResponseBody(pe.Error())); got != `{"message":"Missing required request parameters: [Idempotency-Key]"}` {
		t.Errorf("got %s", got)
	}
}

func TestConcurrentValidate(t *testing.T) {
	s := orderSchema(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				body := fmt.Sprintf(`{"item":"x","customerID":"%d","quantity":%d}`, i, j)
				err := s.Validate([]byte(body))
				if (j == 0) != (err != nil) {
					t.Errorf("%s: %v", body, detail(err))
				}
			}
		}(i)
	}
	wg.Wait()
}

func FuzzValidate(f *testing.F) {
	for _, b := range []string{
		`{"item": "latex gloves","customerID":"12345"}`, `{}`, ``, `[1,2]`, `{"quantity":1e400}`,
		`{"item":"` + strings.Repeat("é", 201) + `"}`, `item=x`, `{"a":{"b":[1,{"c":null}]}}`,
	} {
		f.Add([]byte(b))
	}
	order := orderSchema(f)
	rich := mustCompile(f, `{"definitions":{"n":{"type":"number","multipleOf":0.5,"minimum":-10,"exclusiveMaximum":true,"maximum":10}},`+
		`"type":["object","array"],"properties":{"a":{"anyOf":[{"$ref":"#/definitions/n"},{"type":"string","pattern":"^[a-z]+$"}]},`+
		`"b":{"type":"array","items":{"$ref":"#"},"uniqueItems":true,"maxItems":5},"c":{"not":{"enum":[null]}},"d":{"oneOf":[{"format":"email"},{"format":"ipv4"}]}},`+
		`"patternProperties":{"^x":{"minProperties":1}},"dependencies":{"a":["b"]},"items":[{"$ref":"#/definitions/n"}],"additionalItems":{"type":"string"}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range []*Schema{order, rich} {
			err := s.Validate(body)
			if err == nil {
				continue
			}
			var be *BodyError
			if !errors.As(err, &be) || len(be.Messages) == 0 {
				t.Fatalf("Validate returned %v", err)
			}
		}
	})
}

func TestCmpNumbers(t *testing.T) {
	tests := []struct {
		a, b number
		want int
	}{
		{"1", "1.0", 0}, {"10", "1e1", 0}, {"0.1", "1e-1", 0}, {"-0", "0", 0},
		{"2", "10", -1}, {"-2", "-10", 1}, {"0.011", "0.0101", 1}, {"1e999999999", "1e999999998", 1},
		{"-1e-999999999", "0", -1}, {"123.450", "123.45", 0}, {"99999999999999999999", "1e20", -1},
	}
	for _, tc := range tests {
		if got := cmpNumbers(tc.a, tc.b); got != tc.want {
			t.Errorf("cmpNumbers(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func BenchmarkValidateOrder(b *testing.B) {
	s := orderSchema(b)
	body := []byte(`{"item": "latex gloves","customerID":"12345","quantity":3}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(body); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzCompile feeds arbitrary schemas and validates a fixed body with
// whatever compiles: neither step may panic or hang.
func FuzzCompile(f *testing.F) {
	f.Add([]byte(briefSchema))
	f.Add([]byte(`{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"type":"string"}},"items":{"$ref":"#/definitions/a"}}`))
	f.Add([]byte(`{"allOf":[{"$ref":"#"}],"anyOf":[{"not":{}}],"oneOf":[{"enum":[1,"a",null]}]}`))
	f.Add([]byte(`{"patternProperties":{"^a":{"minimum":1e999}},"dependencies":{"a":["b"],"c":{"required":["d"]}}}`))
	body := []byte(`{"a":[1,"x",{"b":null}],"c":1.5,"item":"latex gloves","customerID":"12345"}`)
	f.Fuzz(func(t *testing.T, schema []byte) {
		s, err := Compile(schema, nil)
		if err != nil {
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("Compile returned %T, want *SchemaError", err)
			}
			return
		}
		_ = s.Validate(body)
		_ = s.Validate(schema)
	})
}
