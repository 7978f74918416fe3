package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits that keep a hostile template from exhausting memory or the stack.
const (
	maxDepth = 200
	maxNodes = 1_000_000
	// MaxBodyBytes is CloudFormation's limit for a template fetched from S3;
	// an inline TemplateBody is limited to 51,200 bytes by the API.
	MaxBodyBytes = 1 << 20
)

// shortTags maps a YAML short-form tag to its long-form function name.
var shortTags = map[string]string{
	"!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!FindInMap": "Fn::FindInMap",
	"!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue", "!Join": "Fn::Join",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!Sub": "Fn::Sub",
	"!Transform": "Fn::Transform", "!And": "Fn::And", "!Equals": "Fn::Equals",
	"!If": "Fn::If", "!Not": "Fn::Not", "!Or": "Fn::Or", "!GetAtt": "Fn::GetAtt",
	"!Ref": "Ref", "!Condition": "Condition", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

// Decode turns a template body (JSON or YAML) into plain Go values with
// short-form tags rewritten to their long form. It never panics.
func Decode(body []byte) (map[string]any, error) {
	if len(body) > MaxBodyBytes {
		return nil, formatError("template is %d bytes; the maximum is %d", len(body), MaxBodyBytes)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, formatError("At least one Resources member must be defined.")
	}
	if trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, formatError("JSON not well-formed. (%s)", err)
		}
		if dec.More() {
			return nil, formatError("JSON not well-formed. (extra data after the template)")
		}
		m, ok := normalizeJSON(v).(map[string]any)
		if !ok {
			return nil, formatError("not a JSON object")
		}
		return m, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, formatError("YAML not well-formed. (%s)", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, formatError("At least one Resources member must be defined.")
	}
	c := converter{}
	v, err := c.convert(doc.Content[0], 0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatError("YAML not well-formed. (the template is not a mapping)")
	}
	return m, nil
}

func normalizeJSON(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return t.String()
		}
		return f
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeJSON(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = normalizeJSON(e)
		}
		return t
	}
	return v
}

type converter struct {
	nodes int
}

func (c *converter) convert(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if depth > maxDepth || c.nodes > maxNodes {
		return nil, formatError("YAML not well-formed. (template nesting or aliasing too deep)")
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, formatError("YAML not well-formed. (unknown alias)")
		}
		return c.convert(n.Alias, depth+1)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return c.convertTagged(n, depth)
	}
	return c.convertPlain(n, depth)
}

func (c *converter) convertPlain(n *yaml.Node, depth int) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			if kn.Kind == yaml.AliasNode && kn.Alias != nil {
				kn = kn.Alias
			}
			if kn.Kind != yaml.ScalarNode {
				return nil, formatError("YAML not well-formed. (line %d, column %d: mapping keys must be scalars)", kn.Line, kn.Column)
			}
			if _, dup := m[kn.Value]; dup {
				return nil, formatError("YAML not well-formed. (line %d, column %d: duplicate key %s)", kn.Line, kn.Column, kn.Value)
			}
			v, err := c.convert(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[kn.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, formatError("YAML not well-formed. (line %d, column %d)", n.Line, n.Column)
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil && math.Abs(float64(i)) < 1<<53 {
			return float64(i)
		}
		return n.Value
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value
		}
		return f
	}
	return n.Value
}

func (c *converter) convertTagged(n *yaml.Node, depth int) (any, error) {
	fn, ok := shortTags[n.Tag]
	if !ok {
		return nil, formatError("YAML not well-formed. (line %d, column %d: unknown tag %s)", n.Line, n.Column, n.Tag)
	}
	plain := *n
	plain.Tag = ""
	switch n.Kind {
	case yaml.ScalarNode:
		plain.Tag = "!!str"
	case yaml.MappingNode:
		plain.Tag = "!!map"
	case yaml.SequenceNode:
		plain.Tag = "!!seq"
	}
	v, err := c.convertPlain(&plain, depth+1)
	if err != nil {
		return nil, err
	}
	if fn == "Fn::GetAtt" {
		if s, ok := v.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, templateError("Fn::GetAtt requires the form ResourceName.AttributeName, got %q", s)
			}
			v = []any{res, attr}
		}
	}
	return map[string]any{fn: v}, nil
}

// String renders a scalar value as CloudFormation does when a string is
// needed: numbers without a trailing ".0", booleans as "true"/"false".
func String(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	case int:
		return strconv.Itoa(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	}
	return "", false
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
