package templates

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a parsed CloudFormation template; short-form tags are turned into their
// long form ({"Ref": x}, {"Fn::GetAtt": [r, a]}, {"Fn::Sub": s}, ...).
type Template struct {
	// Name identifies the template in messages, usually its file name.
	Name string
	Body map[string]any
}

// Resource is one entry of a template's Resources section.
type Resource struct {
	ID         string
	Type       string
	Properties map[string]any
}

// ParseFile reads and parses the template at path.
func ParseFile(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return Parse(path, b)
}

// Parse parses a YAML (or JSON) template.
func Parse(name string, b []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	v, err := convert(&doc)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	body, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse %s: top level is not a mapping", name)
	}
	return &Template{Name: name, Body: body}, nil
}

// Resources returns the template's resources sorted by logical ID.
func (t *Template) Resources() []Resource {
	raw, _ := t.Body["Resources"].(map[string]any)
	ids := make([]string, 0, len(raw))
	for id := range raw {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]Resource, 0, len(ids))
	for _, id := range ids {
		r, _ := raw[id].(map[string]any)
		typ, _ := r["Type"].(string)
		props, _ := r["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		out = append(out, Resource{ID: id, Type: typ, Properties: props})
	}
	return out
}

// Resource returns the resource with logical ID id.
func (t *Template) Resource(id string) (Resource, bool) {
	for _, r := range t.Resources() {
		if r.ID == id {
			return r, true
		}
	}
	return Resource{}, false
}

// OfType returns the resources of CloudFormation type typ.
func (t *Template) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range t.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// convert turns a YAML node into maps, slices and scalars, expanding short-form tags.
func convert(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := convert(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		if isIntrinsicTag(n.Tag) {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	}
	if !isIntrinsicTag(n.Tag) {
		return v, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q is not Resource.Attribute", n.Line, s)
			}
			v = []any{res, attr}
		}
	}
	return map[string]any{"Fn::" + name: v}, nil
}

// isIntrinsicTag reports a local tag such as !Ref (not a YAML core tag such as !!str).
func isIntrinsicTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}
