package provision

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
)

// Property readers for the nested shapes of the newer providers. Values
// arrive resolved: numbers are float64 or, through parameters, strings.

// object returns a property as an object (nil when absent or not one).
func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// intValue reads an integer property value; name words the error.
func intValue(v any, name string) (int, error) {
	s, ok := template.String(v)
	if !ok {
		return 0, fmt.Errorf("Value of property %s must be of type Integer", name)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("Value of property %s must be of type Integer", name)
	}
	return n, nil
}

// intPtr reads an optional integer property.
func intPtr(props map[string]any, key string) (*int, error) {
	v, ok := props[key]
	if !ok {
		return nil, nil
	}
	n, err := intValue(v, key)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// floatPtr reads an optional number property.
func floatPtr(props map[string]any, key string) (*float64, error) {
	v, ok := props[key]
	if !ok {
		return nil, nil
	}
	s, _ := template.String(v)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("Value of property %s must be of type Number", key)
	}
	return &f, nil
}

// boolValue reads a Boolean property value ("true"/"false" in any case).
func boolValue(v any, name string) (bool, error) {
	s, _ := template.String(v)
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("Value of property %s must be of type Boolean", name)
}

// boolPtr reads an optional Boolean property.
func boolPtr(props map[string]any, key string) (*bool, error) {
	v, ok := props[key]
	if !ok {
		return nil, nil
	}
	b, err := boolValue(v, key)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// stringMap reads a map of strings (objects and lists become JSON).
func stringMap(v any, name string) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Value of property %s must be an object", name)
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, err := scalarOrJSON(e)
		if err != nil {
			return nil, err
		}
		out[k] = s
	}
	return out, nil
}

// boolMap reads a map of Booleans.
func boolMap(v any, name string) (map[string]bool, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Value of property %s must be an object", name)
	}
	out := make(map[string]bool, len(m))
	for k, e := range m {
		b, err := boolValue(e, name+"."+k)
		if err != nil {
			return nil, err
		}
		out[k] = b
	}
	return out, nil
}

// objectList reads a list of objects.
func objectList(v any, name string) ([]map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("Value of property %s must be of type List", name)
	}
	out := make([]map[string]any, 0, len(l))
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Value of property %s must be a list of objects", name)
		}
		out = append(out, m)
	}
	return out, nil
}

// checkKeys rejects members of a nested property the provider does not
// know, as CloudFormation's schema validation does.
func checkKeys(m map[string]any, name string, allowed ...string) error {
	var bad []string
	for k := range m {
		found := false
		for _, a := range allowed {
			found = found || a == k
		}
		if !found {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("Properties validation failed: #/%s: extraneous key [%s] is not permitted", name, strings.Join(sortedStrings(bad), ", "))
	}
	return nil
}

func sortedStrings(l []string) []string {
	m := make(map[string]bool, len(l))
	for _, s := range l {
		m[s] = true
	}
	return sortedKeys(m)
}
