package expr

import (
	"fmt"
	"sort"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// Kind names an expression parameter as DynamoDB names it in messages.
type Kind string

// The expression parameters of the DynamoDB API.
const (
	KindCondition    Kind = "ConditionExpression"
	KindFilter       Kind = "FilterExpression"
	KindKeyCondition Kind = "KeyConditionExpression"
	KindUpdate       Kind = "UpdateExpression"
	KindProjection   Kind = "ProjectionExpression"
)

// MaxExpressionLength is DynamoDB's limit on an expression string (4 KB).
const MaxExpressionLength = 4096

// Messages of evaluation-time errors, shared with tests.
const (
	msgIncorrectType   = "An operand in the update expression has an incorrect data type"
	msgMissingAttr     = "The provided expression refers to an attribute that does not exist in the item"
	msgInvalidDocPath  = "The document path provided in the update expression is invalid for update"
	msgKeyNotSupported = "Query key condition not supported"
)

// errorClass orders the semantic errors found while parsing: when an
// expression has several problems DynamoDB reports the first class, so the
// parser records the first error of each class and reports the lowest.
type errorClass int

const (
	errSection      errorClass = iota // a clause used twice
	errParens                         // redundant parentheses
	errUnknownFunc                    // invalid function name
	errMisusedFunc                    // function in the wrong place
	errReserved                       // reserved word as attribute name
	errUndefined                      // undefined #name or :value
	errOperandCount                   // wrong number of function operands
	errDistinct                       // same path on both sides
	errOperandType                    // literal of the wrong type
	errOther                          // other semantic checks
	numErrorClasses
)

type errorSet [numErrorClasses]string

func (e *errorSet) add(c errorClass, format string, args ...any) {
	if e[c] == "" {
		e[c] = fmt.Sprintf(format, args...)
	}
}

func (e *errorSet) first() string {
	for _, m := range e {
		if m != "" {
			return m
		}
	}
	return ""
}

func invalid(kind Kind, msg string) *attr.Error {
	return attr.Validation("Invalid %s: %s", kind, msg)
}

// syntaxError words a parse failure at tok the way DynamoDB does: the
// offending token, and the source text from the token before it to the token
// after it.
func syntaxError(kind Kind, src string, toks []token, i int) *attr.Error {
	tok := toks[i]
	from, to := tok.start, tok.end
	if i > 0 {
		from = toks[i-1].start
	}
	if tok.kind != tEOF && i+1 < len(toks) && toks[i+1].kind != tEOF {
		to = toks[i+1].end
	}
	return invalid(kind, fmt.Sprintf("Syntax error; token: %q, near: %q", tok.text, src[from:to]))
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
// ExpressionAttributeValues keys an expression uses.
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
