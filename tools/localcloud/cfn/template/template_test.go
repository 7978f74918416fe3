package template_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
)

// fakeResources resolves every resource to a fixed physical ID and
// attributes "<Logical>.<Attr>"; imports come from a map.
type fakeResources struct {
	unknown map[string]bool
	exports map[string]string
}

func (f fakeResources) Ref(l string) (any, error) {
	if f.unknown[l] {
		return template.Unknown{Expr: l}, nil
	}
	return "phys-" + l, nil
}

func (f fakeResources) GetAtt(l, a string) (any, error) {
	if f.unknown[l] {
		return template.Unknown{Expr: l + "." + a}, nil
	}
	return l + "." + a, nil
}

func (f fakeResources) ImportValue(name string) (any, error) {
	if v, ok := f.exports[name]; ok {
		return v, nil
	}
	return nil, errors.New("No export named " + name + " found.")
}

var pseudo = template.Pseudo{AccountID: "000000000000", Region: "us-east-1", StackName: "st",
	StackID: "arn:aws:cloudformation:us-east-1:000000000000:stack/st/1", Partition: "aws", URLSuffix: "amazonaws.com"}

func mustParse(t *testing.T, body string) *template.Template {
	t.Helper()
	tpl, err := template.Parse([]byte(body))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return tpl
}

func evaluator(t *testing.T, tpl *template.Template, params map[string]string) *template.Evaluator {
	t.Helper()
	values := make([]template.ParameterValue, 0, len(params))
	for k, v := range params {
		values = append(values, template.ParameterValue{Key: k, Value: v})
	}
	resolved, err := tpl.ResolveParameters(values, nil)
	if err != nil {
		t.Fatalf("parameters: %v", err)
	}
	ev, err := template.NewEvaluator(tpl, resolved, pseudo, fakeResources{exports: map[string]string{"shared-arn": "arn:x"}})
	if err != nil {
		t.Fatalf("evaluator: %v", err)
	}
	return ev
}

const intrinsics = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage: {Type: String, Default: dev}
  Zones: {Type: CommaDelimitedList, Default: "a,b,c"}
  Count: {Type: Number, Default: 3}
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 1024}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [!Ref Count, "3"]]
  Either: !Or [!Condition IsProd, !Equals ["x", "x"]]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Ref: !Ref Stage
      RefResource: !Ref Other
      GetAttDotted: !GetAtt Other.Arn
      GetAttList: !GetAtt [Other, Arn]
      GetAttNested: !GetAtt Other.Endpoint.Address
      Sub: !Sub "q-${Stage}-${AWS::Region}-${Other.Arn}-${!Literal}-${Other}"
      SubVars: !Sub ["${A}/${B}", {A: !Ref Stage, B: x}]
      Join: !Join [":", [a, !Ref Stage, 3]]
      JoinList: !Join ["|", !Ref Zones]
      Select: !Select [1, !Ref Zones]
      SelectSplit: !Select [2, !Split [",", "x,y,z"]]
      If: !If [IsProd, big, small]
      IfNoValue: !If [IsProd, big, !Ref AWS::NoValue]
      FindInMap: !FindInMap [Sizes, !Ref Stage, Memory]
      AZs: !GetAZs ""
      Import: !ImportValue shared-arn
      B64: !Base64 hello
      Cidr: !Cidr ["10.0.0.0/16", 2, 8]
      Pseudo: [!Ref AWS::AccountId, !Ref AWS::Partition, !Ref AWS::URLSuffix, !Ref AWS::StackName]
      Number: !Ref Count
      List: [a, !Ref AWS::NoValue, b]
      Both: !If [Both, yes, no]
      Either: !If [Either, yes, no]
  Other:
    Type: AWS::SNS::Topic
`

func TestIntrinsics(t *testing.T) {
	tpl := mustParse(t, intrinsics)
	ev := evaluator(t, tpl, nil)
	props, err := ev.Properties("Queue")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Ref":          "dev",
		"RefResource":  "phys-Other",
		"GetAttDotted": "Other.Arn",
		"GetAttList":   "Other.Arn",
		"GetAttNested": "Other.Endpoint.Address",
		"Sub":          "q-dev-us-east-1-Other.Arn-${Literal}-phys-Other",
		"SubVars":      "dev/x",
		"Join":         "a:dev:3",
		"JoinList":     "a|b|c",
		"Select":       "b",
		"SelectSplit":  "z",
		"If":           "small",
		"FindInMap":    float64(128),
		"AZs":          []any{"us-east-1a", "us-east-1b", "us-east-1c"},
		"Import":       "arn:x",
		"B64":          "aGVsbG8=",
		"Cidr":         []any{"10.0.0.0/24", "10.0.1.0/24"},
		"Pseudo":       []any{"000000000000", "aws", "amazonaws.com", "st"},
		"Number":       "3",
		"List":         []any{"a", "b"},
		"Both":         "yes",
		"Either":       "yes",
	}
	for k, w := range want {
		if got := props[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
	if _, ok := props["IfNoValue"]; ok {
		t.Errorf("IfNoValue with AWS::NoValue should be removed, got %#v", props["IfNoValue"])
	}
	conds := ev.Conditions()
	if conds["IsProd"] || !conds["IsDev"] || !conds["Both"] || !conds["Either"] {
		t.Errorf("conditions = %v", conds)
	}
}

func TestJSONAndYAMLParseEqual(t *testing.T) {
	y := mustParse(t, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      N: !Sub '${AWS::Region}'\n      M: !GetAtt R.Arn\n  R:\n    Type: AWS::SNS::Topic\n")
	j := mustParse(t, `{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"N":{"Fn::Sub":"${AWS::Region}"},"M":{"Fn::GetAtt":["R","Arn"]}}},"R":{"Type":"AWS::SNS::Topic"}}}`)
	if !reflect.DeepEqual(y.Resources, j.Resources) {
		t.Fatalf("YAML %#v != JSON %#v", y.Resources["Q"], j.Resources["Q"])
	}
}

func TestUnknownPropagates(t *testing.T) {
	tpl := mustParse(t, intrinsics)
	ev, err := template.NewEvaluator(tpl, map[string]string{"Stage": "dev", "Zones": "a,b,c", "Count": "3"}, pseudo,
		fakeResources{unknown: map[string]bool{"Other": true}, exports: map[string]string{"shared-arn": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	props, err := ev.Properties("Queue")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"RefResource", "GetAttDotted", "Sub"} {
		if !template.IsUnknown(props[k]) {
			t.Errorf("%s = %#v, want Unknown", k, props[k])
		}
	}
	if template.IsUnknown(props["Join"]) {
		t.Errorf("Join does not depend on Other but is unknown")
	}
}

func TestTemplateErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"no resources", "Description: x\n", "Template format error: At least one Resources member must be defined."},
		{"missing type", "Resources:\n  A:\n    Properties: {}\n", "Template format error: [/Resources/A] Every Resources object must contain a Type member."},
		{"unresolved ref", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !Ref Nope\n",
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"unresolved sub", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !Sub '${Nope}'\n",
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"unresolved depends on", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: Nope\n",
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"getatt undefined", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !GetAtt Nope.Arn\n",
			"Template error: instance of Fn::GetAtt references undefined resource Nope"},
		{"output unresolved", "Resources:\n  A:\n    Type: AWS::SQS::Queue\nOutputs:\n  O:\n    Value: !Ref Nope\n",
			"Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template"},
		{"cycle", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !GetAtt B.Arn\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !Ref A\n  C:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !Ref A\n",
			"Circular dependency between resources: [A, B]"},
		{"transform", "Transform: AWS::Serverless-2016-10-31\nResources:\n  A:\n    Type: AWS::SQS::Queue\n", "Transform"},
		{"unknown section", "Resourcez: {}\nResources:\n  A:\n    Type: AWS::SQS::Queue\n", "Template format error: Invalid template property or properties [Resourcez]"},
		{"bad yaml", "Resources: [\n", "Template format error: YAML not well-formed."},
		{"bad json", `{"Resources": }`, "Template format error: JSON not well-formed."},
		{"unknown tag", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !Bogus y\n", "unknown tag !Bogus"},
		{"ssm parameter", "Parameters:\n  P:\n    Type: AWS::SSM::Parameter::Value<String>\nResources:\n  A:\n    Type: AWS::SQS::Queue\n", "SSM parameter types are not supported"},
		{"unknown param type", "Parameters:\n  P:\n    Type: Strin\nResources:\n  A:\n    Type: AWS::SQS::Queue\n", "Template format error: Unrecognized parameter type: Strin"},
		{"condition refs resource", "Conditions:\n  C: !Equals [!Ref A, x]\nResources:\n  A:\n    Type: AWS::SQS::Queue\n", "Cannot reference resources in the Conditions block"},
		{"undefined resource condition", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Condition: Nope\n", "Unresolved condition dependencies [Nope]"},
		{"export name from a resource", "Resources:\n  A:\n    Type: AWS::SQS::Queue\nOutputs:\n  O:\n    Value: x\n    Export: {Name: !Sub '${A}-x'}\n",
			"Template format error: Output O is malformed. The Name field of Export must not depend on any resources, imported values, or Fn::GetAZs."},
		{"bad deletion policy", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Keep\n", "Unrecognized DeletionPolicy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := template.Parse([]byte(c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
			var te *template.Error
			if !errors.As(err, &te) {
				t.Fatalf("err %T is not a *template.Error", err)
			}
		})
	}
}

func TestExcludedResourceReference(t *testing.T) {
	body := `
Parameters:
  On: {Type: String, Default: "no"}
Conditions:
  Enabled: !Equals [!Ref On, "yes"]
Resources:
  Maybe:
    Type: AWS::SQS::Queue
    Condition: Enabled
  Guarded:
    Type: AWS::SQS::Queue
    Properties:
      X: !If [Enabled, !Ref Maybe, none]
  Unguarded:
    Type: AWS::SQS::Queue
    Properties:
      X: !Ref Maybe
`
	tpl := mustParse(t, body)
	ev := evaluator(t, tpl, nil)
	if _, err := tpl.Order(ev.Conditions()); err == nil || !strings.Contains(err.Error(), "Unresolved resource dependencies [Maybe]") {
		t.Fatalf("order = %v, want unresolved Maybe", err)
	}
	props, err := ev.Properties("Guarded")
	if err != nil || props["X"] != "none" {
		t.Fatalf("Guarded = %v, %v", props, err)
	}
}

func TestOrder(t *testing.T) {
	body := `
Resources:
  C:
    Type: AWS::SQS::Queue
    DependsOn: [B]
  B:
    Type: AWS::SQS::Queue
    Properties:
      X: !Sub "${A.Arn}"
  A:
    Type: AWS::SQS::Queue
  D:
    Type: AWS::SQS::Queue
`
	tpl := mustParse(t, body)
	order, err := tpl.Order(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ","); got != "A,B,C,D" && got != "A,D,B,C" && got != "A,B,D,C" {
		t.Fatalf("order = %s", got)
	}
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	if pos["A"] > pos["B"] || pos["B"] > pos["C"] {
		t.Fatalf("order %v breaks dependencies", order)
	}
}

func TestParameterValidation(t *testing.T) {
	body := `
Parameters:
  Stage: {Type: String, AllowedPattern: "^[a-z]+$"}
  Arch: {Type: String, Default: arm64, AllowedValues: [arm64, x86_64]}
  Days: {Type: Number, Default: 30, AllowedValues: [1, 30]}
  Conc: {Type: Number, Default: 5, MinValue: 2, MaxValue: 1000}
  Name: {Type: String, Default: abc, MinLength: 2, MaxLength: 4}
  Nice: {Type: String, Default: ok, AllowedPattern: "ok|fine", ConstraintDescription: must be ok or fine}
  Secret: {Type: String, Default: s, NoEcho: true}
  Nums: {Type: "List<Number>", Default: "1,2"}
Resources:
  A:
    Type: AWS::SQS::Queue
`
	tpl := mustParse(t, body)
	cases := []struct {
		name   string
		given  []template.ParameterValue
		prev   map[string]string
		want   string
		values map[string]string
	}{
		{"missing", nil, nil, "Parameters: [Stage] must have values", nil},
		{"unknown", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Nope", Value: "x"}}, nil, "Parameters: [Nope] do not exist in the template", nil},
		{"pattern", []template.ParameterValue{{Key: "Stage", Value: "A1"}}, nil, "Parameter 'Stage' must match pattern ^[a-z]+$", nil},
		{"allowed", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Arch", Value: "mips"}}, nil, "Parameter 'Arch' must be one of AllowedValues", nil},
		{"number", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Conc", Value: "lots"}}, nil, "Parameter 'Conc' must be a number.", nil},
		{"min value", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Conc", Value: "1"}}, nil, "Parameter 'Conc' must be a number not less than 2", nil},
		{"max value", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Conc", Value: "1001"}}, nil, "Parameter 'Conc' must be a number not greater than 1000", nil},
		{"min length", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Name", Value: "x"}}, nil, "Parameter 'Name' must contain at least 2 characters", nil},
		{"max length", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Name", Value: "xxxxx"}}, nil, "Parameter 'Name' must contain at most 4 characters", nil},
		{"constraint description", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Nice", Value: "bad"}}, nil, "Parameter 'Nice' failed to satisfy constraint: must be ok or fine", nil},
		{"number allowed values", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Days", Value: "7"}}, nil, "Parameter 'Days' must be one of AllowedValues", nil},
		{"list of numbers", []template.ParameterValue{{Key: "Stage", Value: "a"}, {Key: "Nums", Value: "1,x"}}, nil, "Parameter 'Nums' must be a number.", nil},
		{"previous without value", []template.ParameterValue{{Key: "Stage", UsePrevious: true}}, nil, "Cannot specify usePreviousValue", nil},
		{"defaults and previous", []template.ParameterValue{{Key: "Stage", UsePrevious: true}}, map[string]string{"Stage": "old"}, "",
			map[string]string{"Stage": "old", "Arch": "arm64", "Days": "30", "Conc": "5", "Name": "abc", "Nice": "ok", "Secret": "s", "Nums": "1,2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			values, err := tpl.ResolveParameters(c.given, c.prev)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(values, c.values) {
					t.Fatalf("values = %v, want %v", values, c.values)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	cases := []struct{ name, expr, want string }{
		{"select out of range", "!Select [5, [a, b]]", "Fn::Select cannot select nonexistent value at index 5"},
		{"join not list", "!Join [',', abc]", "every Fn::Join object requires two parameters"},
		{"find in map missing", "!FindInMap [M, nope, k]", "Unable to get mapping for M::nope::k"},
		{"import missing", "!ImportValue nope", "No export named nope found."},
		{"sub bad shape", "!Sub [a, b, c]", "Fn::Sub"},
		{"unsupported function", "{'Fn::Nope': x}", "Encountered unsupported function: Fn::Nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := "Mappings:\n  M:\n    k1: {k: v}\nResources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: " + c.expr + "\n"
			tpl := mustParse(t, body)
			ev := evaluator(t, tpl, nil)
			_, err := ev.Properties("A")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// The repository's own templates parse, resolve with sample parameters
// and order without cycles.
func TestInfraTemplates(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "infra-cfn")
	params := map[string]map[string]string{
		"bootstrap.yaml": {"Stage": "dev"},
		"ingest.yaml":    {"Stage": "dev", "ArtifactBucket": "bucket", "IngestCodeKey": "ingest/abc.zip"},
		"notifier.yaml":  {"Stage": "dev", "ArtifactBucket": "bucket", "NotifierCodeKey": "notifier/abc.zip", "NotificationEmail": "a@example.com"},
	}
	exports := map[string]string{
		"orderflow-dev-orders-stream-arn": "arn:aws:dynamodb:us-east-1:000000000000:table/orderflow-dev-orders/stream/x",
		"orderflow-dev-orders-table-arn":  "arn:aws:dynamodb:us-east-1:000000000000:table/orderflow-dev-orders",
		"orderflow-dev-orders-table-name": "orderflow-dev-orders",
	}
	for file, p := range params {
		t.Run(file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			tpl := mustParse(t, string(body))
			values := []template.ParameterValue{}
			for k, v := range p {
				values = append(values, template.ParameterValue{Key: k, Value: v})
			}
			resolved, err := tpl.ResolveParameters(values, nil)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := template.NewEvaluator(tpl, resolved, pseudo, fakeResources{exports: exports})
			if err != nil {
				t.Fatal(err)
			}
			order, err := tpl.Order(ev.Conditions())
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range order {
				if _, err := ev.Properties(name); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			for name, o := range tpl.Outputs {
				if _, err := ev.Eval(o.Value); err != nil {
					t.Errorf("output %s: %v", name, err)
				}
			}
		})
	}
	t.Run("ingest details", func(t *testing.T) {
		body, err := os.ReadFile(filepath.Join(dir, "ingest.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		tpl := mustParse(t, string(body))
		ev := evaluator(t, tpl, map[string]string{"Stage": "dev", "ArtifactBucket": "b", "IngestCodeKey": "k"})
		props, err := ev.Properties("OrdersQueue")
		if err != nil {
			t.Fatal(err)
		}
		if props["QueueName"] != "orderflow-dev-orders" {
			t.Errorf("QueueName = %v", props["QueueName"])
		}
		redrive, _ := props["RedrivePolicy"].(map[string]any)
		if redrive["deadLetterTargetArn"] != "OrdersDeadLetterQueue.Arn" {
			t.Errorf("RedrivePolicy = %v", props["RedrivePolicy"])
		}
		alarm, err := ev.Properties("DeadLetterQueueDepthAlarm")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := alarm["AlarmActions"]; ok {
			t.Errorf("AlarmActions should be removed by AWS::NoValue, got %v", alarm["AlarmActions"])
		}
		deps, err := tpl.Dependencies(ev.Conditions())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(deps["ApiDeploymentV1"], []string{"Api", "BadRequestBodyResponse", "OrdersPostMethod"}) {
			t.Errorf("ApiDeploymentV1 deps = %v", deps["ApiDeploymentV1"])
		}
	})
}

func FuzzParseTemplate(f *testing.F) {
	f.Add([]byte(intrinsics))
	f.Add([]byte(`{"Resources":{"A":{"Type":"AWS::SQS::Queue","Properties":{"X":{"Fn::Sub":["${a}",{"a":{"Ref":"AWS::Region"}}]}}}}}`))
	f.Add([]byte("Resources:\n  A: &a\n    Type: AWS::SQS::Queue\n  B: *a\n"))
	f.Add([]byte("Resources:\n  A:\n    Type: X\n    Properties:\n      P: !GetAtt [A, !Ref B]\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		tpl, err := template.Parse(body)
		if err != nil {
			return
		}
		params := map[string]string{}
		for name, p := range tpl.Parameters {
			if p.Default != nil {
				params[name] = *p.Default
			} else {
				params[name] = "1"
			}
		}
		ev, err := template.NewEvaluator(tpl, params, pseudo, fakeResources{})
		if err != nil {
			return
		}
		if _, err := tpl.Order(ev.Conditions()); err != nil {
			return
		}
		for name := range tpl.Resources {
			_, _ = ev.Properties(name)
		}
		for _, o := range tpl.Outputs {
			_, _ = ev.Eval(o.Value)
		}
	})
}
