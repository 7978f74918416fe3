package template

import (
	"sort"
	"strings"
)

// Template is a parsed CloudFormation template.
type Template struct {
	FormatVersion string
	Description   string
	Metadata      any
	Parameters    map[string]*Parameter
	Mappings      map[string]any
	Conditions    map[string]any
	Resources     map[string]*Resource
	Outputs       map[string]*Output
}

// Parameter is one declared template parameter.
type Parameter struct {
	Type                  string
	Description           string
	Default               *string
	AllowedValues         []string
	AllowedPattern        string
	ConstraintDescription string
	MinLength, MaxLength  *int
	MinValue, MaxValue    *float64
	NoEcho                bool
}

// Resource is one declared resource.
type Resource struct {
	Type                string
	Properties          map[string]any
	DependsOn           []string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Metadata            any
}

// Output is one declared output.
type Output struct {
	Description any
	Value       any
	// Export is the export name expression, nil when not exported.
	Export    any
	Condition string
}

var topLevel = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true,
	"Mappings": true, "Conditions": true, "Transform": true, "Resources": true, "Outputs": true, "Rules": true,
}

var resourceAttributes = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true, "DeletionPolicy": true,
	"UpdateReplacePolicy": true, "Metadata": true, "CreationPolicy": true, "UpdatePolicy": true,
}

// Parse decodes and structurally validates a template body. It checks the
// sections, parameter declarations, resource attributes, and that every
// Ref, Fn::GetAtt, Fn::Sub variable, DependsOn and condition names
// something declared; it does not evaluate anything.
func Parse(body []byte) (*Template, error) {
	raw, err := Decode(body)
	if err != nil {
		return nil, err
	}
	return FromMap(raw)
}

// FromMap builds a Template from decoded values (see Decode).
func FromMap(raw map[string]any) (*Template, error) {
	var unknown []string
	for k := range raw {
		if !topLevel[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, formatError("Invalid template property or properties [%s]", strings.Join(unknown, ", "))
	}
	if tr, ok := raw["Transform"]; ok && tr != nil {
		return nil, errorf("Transform %s is not supported by localcloud: deploy plain CloudFormation (no SAM or macros)", describe(tr))
	}
	t := &Template{Parameters: map[string]*Parameter{}, Mappings: map[string]any{}, Conditions: map[string]any{},
		Resources: map[string]*Resource{}, Outputs: map[string]*Output{}, Metadata: raw["Metadata"]}
	if v, ok := raw["AWSTemplateFormatVersion"]; ok {
		s, _ := String(v)
		if s != "2010-09-09" {
			return nil, formatError("Unsupported template format version: %s", describe(v))
		}
		t.FormatVersion = s
	}
	if v, ok := raw["Description"]; ok {
		s, isStr := v.(string)
		if !isStr {
			return nil, formatError("Every Description member must be a string.")
		}
		if len(s) > 1024 {
			return nil, formatError("Description length is greater than 1024.")
		}
		t.Description = s
	}
	if err := t.parseParameters(raw["Parameters"]); err != nil {
		return nil, err
	}
	if v, ok := raw["Mappings"]; ok {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, formatError("Every Mappings member must be an object.")
		}
		for name, mv := range m {
			if _, isMap := mv.(map[string]any); !isMap {
				return nil, formatError("Every Mappings member %s must be a map", name)
			}
		}
		t.Mappings = m
	}
	if v, ok := raw["Conditions"]; ok {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, formatError("Every Conditions member must be an object.")
		}
		t.Conditions = m
	}
	if err := t.parseResources(raw["Resources"]); err != nil {
		return nil, err
	}
	if err := t.parseOutputs(raw["Outputs"]); err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) parseParameters(v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return formatError("Every Parameters member must be an object.")
	}
	if len(m) > 200 {
		return formatError("Parameter count %d is greater than max value 200", len(m))
	}
	for name, pv := range m {
		if !alnum(name) {
			return formatError("Parameter name %s is non alphanumeric.", name)
		}
		pm, ok := pv.(map[string]any)
		if !ok {
			return formatError("Every Parameters object must contain a Type member.")
		}
		p, err := parseParameter(name, pm)
		if err != nil {
			return err
		}
		t.Parameters[name] = p
	}
	return nil
}

func parseParameter(name string, pm map[string]any) (*Parameter, error) {
	p := &Parameter{}
	typ, ok := pm["Type"].(string)
	if !ok {
		return nil, formatError("Every Parameters object must contain a Type member.")
	}
	switch {
	case typ == "String" || typ == "Number" || typ == "CommaDelimitedList" || typ == "List<Number>":
	case strings.HasPrefix(typ, "AWS::SSM::Parameter::"):
		return nil, errorf("Parameter '%s' has type %s: SSM parameter types are not supported by localcloud", name, typ)
	case strings.HasPrefix(typ, "AWS::") || strings.HasPrefix(typ, "List<AWS::"):
		return nil, errorf("Parameter '%s' has type %s: AWS-specific parameter types are not supported by localcloud; use String", name, typ)
	default:
		return nil, formatError("Unrecognized parameter type: %s", typ)
	}
	p.Type = typ
	for k, v := range pm {
		switch k {
		case "Type":
		case "Description":
			p.Description, _ = String(v)
		case "Default":
			if l, isList := v.([]any); isList {
				parts := make([]string, 0, len(l))
				for _, e := range l {
					s, _ := String(e)
					parts = append(parts, s)
				}
				s := strings.Join(parts, ",")
				p.Default = &s
				continue
			}
			s, ok := String(v)
			if !ok {
				return nil, formatError("Every Default member must be a string.")
			}
			p.Default = &s
		case "AllowedValues":
			l, ok := v.([]any)
			if !ok {
				return nil, formatError("Every AllowedValues member must be a list.")
			}
			for _, e := range l {
				s, ok := String(e)
				if !ok {
					return nil, formatError("Every AllowedValues member must be a list of strings.")
				}
				p.AllowedValues = append(p.AllowedValues, s)
			}
		case "AllowedPattern":
			p.AllowedPattern, _ = String(v)
		case "ConstraintDescription":
			p.ConstraintDescription, _ = String(v)
		case "MinLength", "MaxLength":
			n, ok := number(v)
			if !ok {
				return nil, formatError("Parameter '%s' %s must be an integer.", name, k)
			}
			i := int(n)
			if k == "MinLength" {
				p.MinLength = &i
			} else {
				p.MaxLength = &i
			}
		case "MinValue", "MaxValue":
			n, ok := number(v)
			if !ok {
				return nil, formatError("Parameter '%s' %s must be a number.", name, k)
			}
			if k == "MinValue" {
				p.MinValue = &n
			} else {
				p.MaxValue = &n
			}
		case "NoEcho":
			s, _ := String(v)
			p.NoEcho = strings.EqualFold(s, "true")
		default:
			return nil, formatError("Invalid template parameter property '%s'", k)
		}
	}
	if p.AllowedPattern != "" {
		if _, err := compilePattern(p.AllowedPattern); err != nil {
			return nil, formatError("Parameter '%s' AllowedPattern %s is not a valid regular expression", name, p.AllowedPattern)
		}
	}
	return p, nil
}

func (t *Template) parseResources(v any) error {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return formatError("At least one Resources member must be defined.")
	}
	if len(m) > 500 {
		return formatError("Number of resources, %d, is greater than maximum allowed, 500", len(m))
	}
	for name, rv := range m {
		if !alnum(name) {
			return formatError("Resource name %s is non alphanumeric.", name)
		}
		rm, ok := rv.(map[string]any)
		if !ok {
			return formatError("[/Resources/%s] Every Resources object must contain a Type member.", name)
		}
		r := &Resource{}
		for k := range rm {
			if !resourceAttributes[k] {
				return formatError("Invalid template resource property '%s'", k)
			}
		}
		typ, ok := rm["Type"].(string)
		if !ok || typ == "" {
			return formatError("[/Resources/%s] Every Resources object must contain a Type member.", name)
		}
		r.Type = typ
		if pv, ok := rm["Properties"]; ok && pv != nil {
			pm, ok := pv.(map[string]any)
			if !ok {
				return formatError("[/Resources/%s/Properties] Every Properties member must be an object.", name)
			}
			r.Properties = pm
		}
		switch d := rm["DependsOn"].(type) {
		case nil:
		case string:
			r.DependsOn = []string{d}
		case []any:
			for _, e := range d {
				s, ok := e.(string)
				if !ok {
					return formatError("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings.", name)
				}
				r.DependsOn = append(r.DependsOn, s)
			}
		default:
			return formatError("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings.", name)
		}
		if c, ok := rm["Condition"]; ok {
			s, ok := c.(string)
			if !ok {
				return formatError("[/Resources/%s/Condition] Condition must be a string.", name)
			}
			r.Condition = s
		}
		for _, attr := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
			pv, ok := rm[attr]
			if !ok {
				continue
			}
			s, _ := pv.(string)
			switch s {
			case "Delete", "Retain", "RetainExceptOnCreate", "Snapshot":
			default:
				return formatError("Unrecognized %s %s for resource %s", attr, describe(pv), name)
			}
			if attr == "DeletionPolicy" {
				r.DeletionPolicy = s
			} else {
				r.UpdateReplacePolicy = s
			}
		}
		r.Metadata = rm["Metadata"]
		t.Resources[name] = r
	}
	return nil
}

func (t *Template) parseOutputs(v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return formatError("Every Outputs member must be an object.")
	}
	if len(m) > 200 {
		return formatError("Output count %d is greater than max value 200", len(m))
	}
	for name, ov := range m {
		if !alnum(name) {
			return formatError("Output name %s is non alphanumeric.", name)
		}
		om, ok := ov.(map[string]any)
		if !ok {
			return formatError("Every Outputs member must contain a Value object")
		}
		val, ok := om["Value"]
		if !ok {
			return formatError("Every Outputs member must contain a Value object")
		}
		o := &Output{Value: val, Description: om["Description"]}
		if ev, ok := om["Export"]; ok {
			em, ok := ev.(map[string]any)
			if !ok || em["Name"] == nil {
				return formatError("Output %s is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens.", name)
			}
			o.Export = em["Name"]
		}
		if c, ok := om["Condition"].(string); ok {
			o.Condition = c
		}
		t.Outputs[name] = o
	}
	return nil
}

func alnum(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		letterOrDigit := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !letterOrDigit {
			return false
		}
	}
	return true
}

// SortedResources returns the resource names in lexical order.
func (t *Template) SortedResources() []string { return sortedKeys(t.Resources) }

// SortedParameters returns the parameter names in lexical order.
func (t *Template) SortedParameters() []string { return sortedKeys(t.Parameters) }
