package policy

import (
	"encoding/json"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Condition is one (operator, key, values) triple of a Condition element.
type Condition struct {
	// Operator is the operator as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator string
	// Key is the condition key as written; keys compare case-insensitively.
	Key    string
	Values []string

	op        operator
	qualifier qualifier
	ifExists  bool
}

type family int

const (
	famString family = iota + 1
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

type comparison int

const (
	cmpEq comparison = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type operator struct {
	family  family
	negated bool
	cmp     comparison
}

type qualifier int

const (
	qualNone qualifier = iota
	qualAnyValue
	qualAllValues
)

// operators is the read-only table of condition operators IAM defines,
// keyed by lower-cased name.
var operators = map[string]operator{
	"stringequals":              {family: famString},
	"stringnotequals":           {family: famString, negated: true},
	"stringequalsignorecase":    {family: famStringIgnoreCase},
	"stringnotequalsignorecase": {family: famStringIgnoreCase, negated: true},
	"stringlike":                {family: famStringLike},
	"stringnotlike":             {family: famStringLike, negated: true},
	"numericequals":             {family: famNumeric},
	"numericnotequals":          {family: famNumeric, negated: true},
	"numericlessthan":           {family: famNumeric, cmp: cmpLT},
	"numericlessthanequals":     {family: famNumeric, cmp: cmpLE},
	"numericgreaterthan":        {family: famNumeric, cmp: cmpGT},
	"numericgreaterthanequals":  {family: famNumeric, cmp: cmpGE},
	"dateequals":                {family: famDate},
	"datenotequals":             {family: famDate, negated: true},
	"datelessthan":              {family: famDate, cmp: cmpLT},
	"datelessthanequals":        {family: famDate, cmp: cmpLE},
	"dategreaterthan":           {family: famDate, cmp: cmpGT},
	"dategreaterthanequals":     {family: famDate, cmp: cmpGE},
	"bool":                      {family: famBool},
	"binaryequals":              {family: famBinary},
	"ipaddress":                 {family: famIP},
	"notipaddress":              {family: famIP, negated: true},
	"arnequals":                 {family: famARN},
	"arnlike":                   {family: famARN},
	"arnnotequals":              {family: famARN, negated: true},
	"arnnotlike":                {family: famARN, negated: true},
	"null":                      {family: famNull},
}

func parseOperator(name string) (operator, qualifier, bool, bool) {
	rest := name
	q := qualNone
	if prefix, after, found := strings.Cut(rest, ":"); found {
		switch strings.ToLower(prefix) {
		case "foranyvalue":
			q = qualAnyValue
		case "forallvalues":
			q = qualAllValues
		default:
			return operator{}, 0, false, false
		}
		rest = after
	}
	lower := strings.ToLower(rest)
	ifExists := false
	if strings.HasSuffix(lower, "ifexists") {
		ifExists = true
		lower = strings.TrimSuffix(lower, "ifexists")
	}
	op, ok := operators[lower]
	if !ok || (op.family == famNull && (ifExists || q != qualNone)) {
		return operator{}, 0, false, false
	}
	return op, q, ifExists, true
}

func parseConditions(v any) ([]Condition, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, malformed(msgSyntax)
	}
	var out []Condition
	for _, opName := range sortedKeys(m) {
		op, q, ifExists, ok := parseOperator(opName)
		if !ok {
			return nil, malformed("Invalid Condition type : %s", opName)
		}
		keys, ok := m[opName].(map[string]any)
		if !ok {
			return nil, malformed(msgSyntax)
		}
		for _, key := range sortedKeys(keys) {
			vendor, name, found := strings.Cut(key, ":")
			if !found || vendor == "" || name == "" {
				return nil, malformed(msgVendor)
			}
			vals, ok := conditionValues(keys[key])
			if !ok {
				return nil, malformed(msgSyntax)
			}
			out = append(out, Condition{Operator: opName, Key: key, Values: vals, op: op, qualifier: q, ifExists: ifExists})
		}
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// conditionValues accepts a scalar (string, number, boolean) or an array of
// scalars; JSON numbers and booleans compare as their text.
func conditionValues(v any) ([]string, bool) {
	scalar := func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			return strconv.FormatBool(t), true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := scalar(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

// eval decides the condition against the request context, following the
// IAM rules: a missing key makes positive operators false and negated ones
// true, except for ...IfExists (true) and Null; ForAnyValue needs one request
// value to satisfy the operator, ForAllValues needs every one (and is true
// for a missing or empty key); several policy values are ORed, and ORed then
// negated for the negated operators.
func (c *Condition) eval(ctx *requestContext, vars bool) bool {
	reqVals, present := ctx.get(c.Key)
	present = present && len(reqVals) > 0
	if c.op.family == famNull {
		for _, p := range c.Values {
			switch strings.ToLower(p) {
			case "true":
				if !present {
					return true
				}
			case "false":
				if present {
					return true
				}
			}
		}
		return false
	}
	if !present {
		switch {
		case c.ifExists, c.qualifier == qualAllValues:
			return true
		case c.qualifier == qualAnyValue:
			return false
		default:
			return c.op.negated
		}
	}
	matchesAny := func(v string) bool {
		for _, p := range c.Values {
			if c.matchOne(p, v, ctx, vars) {
				return true
			}
		}
		return false
	}
	pred := func(v string) bool { return matchesAny(v) != c.op.negated }
	switch c.qualifier {
	case qualAnyValue:
		for _, v := range reqVals {
			if pred(v) {
				return true
			}
		}
		return false
	case qualAllValues:
		for _, v := range reqVals {
			if !pred(v) {
				return false
			}
		}
		return true
	default:
		found := false
		for _, v := range reqVals {
			if matchesAny(v) {
				found = true
				break
			}
		}
		return found != c.op.negated
	}
}

// matchOne is the positive form of the operator for one policy value p and
// one request value v.
func (c *Condition) matchOne(p, v string, ctx *requestContext, vars bool) bool {
	switch c.op.family {
	case famString, famStringIgnoreCase, famStringLike, famARN:
		pat, ok := expand(p, vars, ctx)
		if !ok {
			return false
		}
		switch c.op.family {
		case famString:
			return literal(pat) == v
		case famStringIgnoreCase:
			return strings.EqualFold(literal(pat), v)
		case famStringLike:
			return globMatch(pat, v, false)
		default:
			return arnMatch(pat, v)
		}
	case famNumeric:
		pn, err1 := strconv.ParseFloat(strings.TrimSpace(p), 64)
		vn, err2 := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return compare(cmpFloat(vn, pn), c.op.cmp)
	case famDate:
		pt, ok1 := parseTime(p)
		vt, ok2 := parseTime(v)
		if !ok1 || !ok2 {
			return false
		}
		return compare(vt.Compare(pt), c.op.cmp)
	case famBool:
		pb, err1 := strconv.ParseBool(strings.ToLower(p))
		vb, err2 := strconv.ParseBool(strings.ToLower(v))
		return err1 == nil && err2 == nil && pb == vb
	case famBinary:
		return p == v
	case famIP:
		return ipMatch(p, v)
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c int, want comparison) bool {
	switch want {
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	case cmpGE:
		return c >= 0
	default:
		return c == 0
	}
}

// parseTime accepts the W3C/ISO 8601 forms IAM documents and epoch seconds.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func ipMatch(p, v string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	p = strings.TrimSpace(p)
	if !strings.Contains(p, "/") {
		pa, err := netip.ParseAddr(p)
		return err == nil && pa.Unmap() == addr.Unmap()
	}
	prefix, err := netip.ParsePrefix(p)
	if err != nil {
		return false
	}
	return prefix.Contains(addr.Unmap()) || prefix.Contains(addr)
}
