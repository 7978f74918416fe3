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
	var unused []string
	for k := range names {
		if !usedBy(used, k, true) {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return attr.Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	for k := range values {
		if !usedBy(used, k, false) {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return attr.Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	return nil
}

func usedBy(used []Placeholders, k string, name bool) bool {
	for _, u := range used {
		m := u.Values
		if name {
			m = u.Names
		}
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
