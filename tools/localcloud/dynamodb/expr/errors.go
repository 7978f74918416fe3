package expr

import (
	"fmt"

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
	errOperators                      // too many operators (counted to the end)
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
