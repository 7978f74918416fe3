package templates_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// orderSchemaFile is the contracts module's order request schema, which the API model
// must copy exactly.
var orderSchemaFile = filepath.Join("..", "..", "contracts", "schema", "order-request.schema.json")

func TestAPIModelIsTheContractsSchema(t *testing.T) {
	raw, err := os.ReadFile(orderSchemaFile)
	if err != nil {
		t.Fatalf("the order request schema from contracts is missing (%v); the API model must equal it", err)
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("%s: %v", orderSchemaFile, err)
	}
	tpl := parse(t, filepath.Join(templateDir, "ingest.yaml"))
	model, ok := tpl.Resource("OrderRequestModel")
	if !ok || model.Type != "AWS::ApiGateway::Model" {
		t.Fatal("ingest.yaml has no AWS::ApiGateway::Model OrderRequestModel")
	}
	if model.Properties["ContentType"] != "application/json" {
		t.Errorf("model content type = %v, want application/json", model.Properties["ContentType"])
	}
	got := normalize(t, model.Properties["Schema"])
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("ingest.yaml OrderRequestModel schema differs from %s\ntemplate:\n%s\ncontracts:\n%s", orderSchemaFile, g, w)
	}
}

// normalize gives a YAML-decoded value the shape encoding/json decodes to.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
