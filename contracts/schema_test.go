package contracts

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaDoc is the part of the schema file the agreement test inspects.
type schemaDoc struct {
	Schema               string                    `json:"$schema"`
	Title                string                    `json:"title"`
	Type                 string                    `json:"type"`
	Properties           map[string]schemaProperty `json:"properties"`
	Required             []string                  `json:"required"`
	AdditionalProperties *bool                     `json:"additionalProperties"`
}

type schemaProperty struct {
	Type      string `json:"type"`
	MinLength *int   `json:"minLength"`
	MaxLength *int   `json:"maxLength"`
	Minimum   *int   `json:"minimum"`
	Maximum   *int   `json:"maximum"`
	Default   *int   `json:"default"`
}

func loadSchemaDoc(t *testing.T) schemaDoc {
	t.Helper()
	var doc schemaDoc
	dec := json.NewDecoder(bytes.NewReader(OrderRequestSchema()))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return doc
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(OrderRequestSchema()))
	if err != nil {
		t.Fatalf("unmarshal schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("order-request.schema.json", doc); err != nil {
		t.Fatalf("add schema: %v", err)
	}
	// Compile also validates the schema against the draft-04 meta-schema.
	sch, err := c.Compile("order-request.schema.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

func TestSchemaFileIsStable(t *testing.T) {
	fromDisk, err := os.ReadFile(OrderRequestSchemaPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromDisk, OrderRequestSchema()) {
		t.Fatal("embedded schema differs from the file")
	}
	// Copies elsewhere compare bytes, so the file stays in one canonical
	// layout: 2-space indented, trailing newline.
	var compact, canonical bytes.Buffer
	if err := json.Compact(&compact, fromDisk); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&canonical, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	canonical.WriteByte('\n')
	if !bytes.Equal(canonical.Bytes(), fromDisk) {
		t.Errorf("schema file is not 2-space indented JSON with a trailing newline; want:\n%s", canonical.String())
	}
	doc := loadSchemaDoc(t)
	if doc.Schema != "http://json-schema.org/draft-04/schema#" {
		t.Errorf("$schema = %q, API Gateway models need draft-04", doc.Schema)
	}
	if doc.Title != "OrderRequest" {
		t.Errorf("title = %q, want OrderRequest", doc.Title)
	}
}

// TestSchemaMatchesGoType walks OrderRequest's fields and compares each with
// the schema's property of the same JSON name: type, limits, default and
// whether it is required.
func TestSchemaMatchesGoType(t *testing.T) {
	doc := loadSchemaDoc(t)
	compileSchema(t) // the schema must itself be valid draft-04
	if doc.Type != "object" {
		t.Errorf("schema type = %q, want object", doc.Type)
	}
	if doc.AdditionalProperties == nil || *doc.AdditionalProperties {
		t.Error("schema must set additionalProperties: false, as DecodeOrderRequest rejects unknown fields")
	}

	typ := reflect.TypeFor[OrderRequest]()
	var goFields []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		goFields = append(goFields, name)
		prop, ok := doc.Properties[name]
		if !ok {
			t.Errorf("Go field %s (json %q) has no schema property", f.Name, name)
			continue
		}
		switch f.Type.Kind() {
		case reflect.String:
			if prop.Type != "string" {
				t.Errorf("%s: schema type %q, Go string", name, prop.Type)
			}
		case reflect.Int:
			if prop.Type != "integer" {
				t.Errorf("%s: schema type %q, Go int", name, prop.Type)
			}
		default:
			t.Errorf("%s: Go kind %s has no schema mapping in this test; extend it", name, f.Type.Kind())
		}
	}
	var schemaFields []string
	for name := range doc.Properties {
		schemaFields = append(schemaFields, name)
	}
	slices.Sort(goFields)
	slices.Sort(schemaFields)
	if !slices.Equal(goFields, schemaFields) {
		t.Errorf("Go fields %v, schema properties %v", goFields, schemaFields)
	}

	limits := []struct {
		name     string
		got      *int
		want     int
		property string
	}{
		{"item minLength", doc.Properties[FieldItem].MinLength, 1, FieldItem},
		{"item maxLength", doc.Properties[FieldItem].MaxLength, MaxItemLength, FieldItem},
		{"customerID minLength", doc.Properties[FieldCustomerID].MinLength, 1, FieldCustomerID},
		{"customerID maxLength", doc.Properties[FieldCustomerID].MaxLength, MaxCustomerIDLength, FieldCustomerID},
		{"quantity minimum", doc.Properties[FieldQuantity].Minimum, MinQuantity, FieldQuantity},
		{"quantity maximum", doc.Properties[FieldQuantity].Maximum, MaxQuantity, FieldQuantity},
		{"quantity default", doc.Properties[FieldQuantity].Default, DefaultQuantity, FieldQuantity},
	}
	for _, l := range limits {
		if l.got == nil || *l.got != l.want {
			t.Errorf("%s: schema %v, Go %d", l.name, deref(l.got), l.want)
		}
	}

	// Required-ness is behaviour: a body without the field must fail in Go
	// exactly when the schema lists it as required.
	full := map[string]any{FieldItem: "x", FieldCustomerID: "y", FieldQuantity: 2}
	for _, name := range goFields {
		body := map[string]any{}
		for k, v := range full {
			if k != name {
				body[k] = v
			}
		}
		raw, _ := json.Marshal(body)
		_, err := DecodeOrderRequest(raw)
		goRequired := err != nil
		if goRequired != slices.Contains(doc.Required, name) {
			t.Errorf("%s: Go required=%v (err %v), schema required=%v", name, goRequired, err, doc.Required)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return "absent"
	}
	return *p
}

// agreementCases are bodies that the Go decoder and the schema must judge
// alike. wantFields are the fields the Go error must name.
var agreementCases = []struct {
	name       string
	body       string
	valid      bool
	wantFields []string
}{
	{name: "tutorial body", body: `{"item": "latex gloves","customerID":"12345"}`, valid: true},
	{name: "with quantity", body: `{"item":"latex gloves","customerID":"12345","quantity":3}`, valid: true},
	{name: "quantity at minimum", body: `{"item":"a","customerID":"b","quantity":1}`, valid: true},
	{name: "quantity at maximum", body: `{"item":"a","customerID":"b","quantity":1000}`, valid: true},
	{name: "integral float quantity", body: `{"item":"a","customerID":"b","quantity":2.0}`, valid: true},
	{name: "item at max length", body: `{"item":"` + strings.Repeat("x", 200) + `","customerID":"b"}`, valid: true},
	{name: "multibyte item at max length", body: `{"item":"` + strings.Repeat("é", 200) + `","customerID":"b"}`, valid: true},
	{name: "customerID at max length", body: `{"item":"a","customerID":"` + strings.Repeat("9", 64) + `"}`, valid: true},
	{name: "whitespace inside", body: "{ \"item\" : \"a\" ,\n\t\"customerID\":\"b\", \"quantity\" : 7 }", valid: true},
	{name: "surrounding whitespace", body: " \n{\"item\":\"a\",\"customerID\":\"b\"}\n", valid: true},

	{name: "empty object", body: `{}`, wantFields: []string{"item", "customerID"}},
	{name: "missing item", body: `{"customerID":"12345"}`, wantFields: []string{"item"}},
	{name: "missing customerID", body: `{"item":"latex gloves"}`, wantFields: []string{"customerID"}},
	{name: "empty item", body: `{"item":"","customerID":"12345"}`, wantFields: []string{"item"}},
	{name: "item too long", body: `{"item":"` + strings.Repeat("x", 201) + `","customerID":"b"}`, wantFields: []string{"item"}},
	{name: "multibyte item too long", body: `{"item":"` + strings.Repeat("é", 201) + `","customerID":"b"}`, wantFields: []string{"item"}},
	{name: "customerID too long", body: `{"item":"a","customerID":"` + strings.Repeat("9", 65) + `"}`, wantFields: []string{"customerID"}},
	{name: "numeric customerID", body: `{"item":"a","customerID":12345}`, wantFields: []string{"customerID"}},
	{name: "null item", body: `{"item":null,"customerID":"b"}`, wantFields: []string{"item"}},
	{name: "quantity zero", body: `{"item":"a","customerID":"b","quantity":0}`, wantFields: []string{"quantity"}},
	{name: "quantity negative", body: `{"item":"a","customerID":"b","quantity":-1}`, wantFields: []string{"quantity"}},
	{name: "quantity above maximum", body: `{"item":"a","customerID":"b","quantity":1001}`, wantFields: []string{"quantity"}},
	{name: "quantity beyond int64", body: `{"item":"a","customerID":"b","quantity":99999999999999999999}`, wantFields: []string{"quantity"}},
	{name: "fractional quantity", body: `{"item":"a","customerID":"b","quantity":1.5}`, wantFields: []string{"quantity"}},
	{name: "string quantity", body: `{"item":"a","customerID":"b","quantity":"2"}`, wantFields: []string{"quantity"}},
	{name: "null quantity", body: `{"item":"a","customerID":"b","quantity":null}`, wantFields: []string{"quantity"}},
	{name: "boolean quantity", body: `{"item":"a","customerID":"b","quantity":true}`, wantFields: []string{"quantity"}},
	{name: "unknown field", body: `{"item":"a","customerID":"b","color":"blue"}`, wantFields: []string{"color"}},
	{name: "field name in other case", body: `{"Item":"a","customerID":"b"}`, wantFields: []string{"item", "Item"}},
}

// TestSchemaAndDecoderAgree runs every case through a real draft-04
// validator and through DecodeOrderRequest.
func TestSchemaAndDecoderAgree(t *testing.T) {
	sch := compileSchema(t)
	for _, tc := range agreementCases {
		t.Run(tc.name, func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.body))
			if err != nil {
				t.Fatalf("case body is not JSON: %v", err)
			}
			schemaErr := sch.Validate(inst)
			_, goErr := DecodeOrderRequest([]byte(tc.body))
			if (schemaErr == nil) != tc.valid {
				t.Errorf("schema: valid=%v, want %v (%v)", schemaErr == nil, tc.valid, schemaErr)
			}
			if (goErr == nil) != tc.valid {
				t.Errorf("Go: valid=%v, want %v (%v)", goErr == nil, tc.valid, goErr)
			}
			if tc.valid {
				return
			}
			assertFields(t, goErr, tc.wantFields)
		})
	}
}
