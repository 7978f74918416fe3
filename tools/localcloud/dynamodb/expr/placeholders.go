package expr

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// DecodeValues decodes a request's ExpressionAttributeValues member:
// keys are checked first (ValidatePlaceholders), then each value, whose
// validation errors DynamoDB words as "ExpressionAttributeValues contains
// invalid value: <reason> for key :k". A nil raw map gives a nil result.
func DecodeValues(raw map[string]json.RawMessage) (map[string]attr.Value, error) {
	if raw == nil {
		return nil, nil
	}
	keys := make(map[string]attr.Value, len(raw))
	for k := range raw {
		keys[k] = attr.Value{}
	}
	if err := ValidatePlaceholders(nil, keys); err != nil {
		return nil, err
	}
	out := make(map[string]attr.Value, len(raw))
	for _, k := range sortedKeys(raw) {
		v, err := attr.Parse(raw[k])
		if err != nil {
			var e *attr.Error
			if errors.As(err, &e) && e.Code == attr.CodeValidation {
				return nil, attr.Validation("ExpressionAttributeValues contains invalid value: %s for key %s", e.Message, k)
			}
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// ValidatePlaceholders checks the ExpressionAttributeNames and
// ExpressionAttributeValues maps of a request as DynamoDB does before it
// parses any expression: present maps must not be empty and keys must be
// well formed. A nil map means the parameter was absent.
func ValidatePlaceholders(names map[string]string, values map[string]attr.Value) error {
	if names != nil {
		if len(names) == 0 {
			return attr.Validation("ExpressionAttributeNames must not be empty")
		}
		for _, k := range sortedKeys(names) {
			if !validPlaceholder(k, '#') {
				return attr.Validation("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
			}
			if names[k] == "" {
				return attr.Validation("ExpressionAttributeNames contains invalid value: Empty attribute name for key %s", k)
			}
		}
	}
	if values != nil {
		if len(values) == 0 {
			return attr.Validation("ExpressionAttributeValues must not be empty")
		}
		for _, k := range sortedKeys(values) {
			if !validPlaceholder(k, ':') {
				return attr.Validation("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
			}
		}
	}
	return nil
}

func validPlaceholder(k string, prefix byte) bool {
	if len(k) < 2 || k[0] != prefix {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isIdentPart(k[i]) {
			return false
		}
	}
	return true
}

// Placeholders records which ExpressionAttributeNames and
// ExpressionAttributeValues keys an expression uses (nil maps when none).
type Placeholders struct {
	Names  map[string]struct{}
	Values map[string]struct{}
}

// CheckUnused returns DynamoDB's error for names or values that none of the
// request's expressions use. Call it once per request with the placeholders
// of every expression the request carries.
func CheckUnused(names map[string]string, values map[string]attr.Value, used ...Placeholders) error {
	if keys := unusedKeys(names, used, func(p Placeholders) map[string]struct{} { return p.Names }); keys != "" {
		return attr.Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", keys)
	}
	if keys := unusedKeys(values, used, func(p Placeholders) map[string]struct{} { return p.Values }); keys != "" {
		return attr.Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", keys)
	}
	return nil
}

// unusedKeys lists, sorted and comma-separated, the keys of m that no
// expression's set (picked by pick) contains.
func unusedKeys[V any](m map[string]V, used []Placeholders, pick func(Placeholders) map[string]struct{}) string {
	var unused []string
	for _, k := range sortedKeys(m) {
		found := false
		for _, u := range used {
			if _, ok := pick(u)[k]; ok {
				found = true
				break
			}
		}
		if !found {
			unused = append(unused, k)
		}
	}
	return strings.Join(unused, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
