package templates_test

import (
	"reflect"
	"testing"

	"github.com/orderflow/orderflow/internal/templates"
)

func TestParseExpandsShortFormTags(t *testing.T) {
	src := []byte(`
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      Enabled: true
      A: !Ref Stage
      B: !GetAtt Table.StreamArn
      C: !Sub "orderflow-${Stage}"
      D: !If [IsProd, 1, !Ref AWS::NoValue]
      E: !ImportValue
        Fn::Sub: "x-${Stage}"
      F: !GetAtt [Table, Arn]
`)
	tpl, err := templates.Parse("inline", src)
	if err != nil {
		t.Fatal(err)
	}
	q, ok := tpl.Resource("Queue")
	if !ok || q.Type != "AWS::SQS::Queue" {
		t.Fatalf("Queue = %+v, %v", q, ok)
	}
	want := map[string]any{
		"VisibilityTimeout": 60,
		"Enabled":           true,
		"A":                 map[string]any{"Ref": "Stage"},
		"B":                 map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}},
		"C":                 map[string]any{"Fn::Sub": "orderflow-${Stage}"},
		"D":                 map[string]any{"Fn::If": []any{"IsProd", 1, map[string]any{"Ref": "AWS::NoValue"}}},
		"E":                 map[string]any{"Fn::ImportValue": map[string]any{"Fn::Sub": "x-${Stage}"}},
		"F":                 map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}},
	}
	if !reflect.DeepEqual(q.Properties, want) {
		t.Errorf("properties =\n%#v\nwant\n%#v", q.Properties, want)
	}
}

func TestParseRejectsMalformedGetAtt(t *testing.T) {
	if _, err := templates.Parse("inline", []byte("X: !GetAtt NoDot\n")); err == nil {
		t.Fatal("Parse accepted !GetAtt without an attribute")
	}
}
