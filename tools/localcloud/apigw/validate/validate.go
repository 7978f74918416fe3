package validate

import (
	"encoding/json"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Gateway response types and messages API Gateway uses for failed
// validation.
const (
	ResponseTypeBadRequestBody       = "BAD_REQUEST_BODY"
	ResponseTypeBadRequestParameters = "BAD_REQUEST_PARAMETERS"
	MessageInvalidBody               = "Invalid request body"
)

// BodyError is a request body that does not match its model: API Gateway
// answers 400 with MessageInvalidBody.
type BodyError struct {
	// Messages are the validator's findings, in the order it reports them.
	Messages []string
}

func (e *BodyError) Error() string { return MessageInvalidBody }

// ValidationErrorString is $context.error.validationErrorString: the
// findings as a Java list, "[first, second]".
func (e *BodyError) ValidationErrorString() string {
	return "[" + strings.Join(e.Messages, ", ") + "]"
}

// ResponseType is the gateway response type, BAD_REQUEST_BODY.
func (e *BodyError) ResponseType() string { return ResponseTypeBadRequestBody }

// StatusCode is the HTTP status of the gateway response.
func (e *BodyError) StatusCode() int { return 400 }

// ResponseBody is the body API Gateway's default gateway response template,
// {"message":$context.error.messageString}, renders for message.
func ResponseBody(message string) []byte {
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	return b
}

// The work of one validation is bounded by stepsPerValue schema
// applications per JSON value in the body, plus minSteps: combinators over
// recursive schemas can otherwise be exponential in the body's depth.
const (
	stepsPerValue = 64
	minSteps      = 10_000
)

func countValues(v any) int {
	switch x := v.(type) {
	case *object:
		n := 1
		for _, k := range x.keys {
			n += countValues(x.vals[k])
		}
		return n
	case []any:
		n := 1
		for _, it := range x {
			n += countValues(it)
		}
		return n
	}
	return 1
}

// Validate checks a request body against the schema. It returns nil when
// the body is valid and a *BodyError otherwise. An empty body is validated
// as an empty JSON object; content after the first JSON value is ignored,
// as API Gateway's JSON parser does.
func (s *Schema) Validate(body []byte) error {
	var inst any
	if strings.TrimSpace(string(body)) == "" {
		inst = &object{vals: map[string]any{}}
	} else {
		v, err := decode(body)
		if err != nil {
			return &BodyError{Messages: []string{parseErrorMessage(body, err)}}
		}
		inst = v
	}
	b := &budget{left: minSteps + stepsPerValue*countValues(inst)}
	v := &validator{budget: b, active: map[visit]bool{}}
	v.validate(s.root, inst, 0)
	if b.exhausted {
		// Partial results would be arbitrary; report the budget instead.
		return &BodyError{Messages: []string{"validation exceeded its step budget"}}
	}
	if len(v.msgs) == 0 {
		return nil
	}
	return &BodyError{Messages: v.msgs}
}

type visit struct {
	n     *node
	depth int
}

type budget struct {
	left      int
	exhausted bool
}

type validator struct {
	msgs   []string
	budget *budget
	active map[visit]bool // schemas being applied, by instance depth
}

func (v *validator) errorf(format string, args ...any) {
	v.msgs = append(v.msgs, fmt.Sprintf(format, args...))
}

// sub runs a nested validation with its own report (for the combinators).
func (v *validator) sub(n *node, inst any, depth int) bool {
	s := &validator{budget: v.budget, active: v.active}
	s.validate(n, inst, depth)
	return len(s.msgs) == 0
}

// validate applies n to inst. Keywords run in the order of their names
// (the validator keeps them in a sorted map); like the validator, it only
// descends into members and elements while the report is still clean.
func (v *validator) validate(n *node, inst any, depth int) {
	for n.ref != nil {
		n = n.ref
	}
	if v.budget.left <= 0 {
		v.budget.exhausted = true
		return
	}
	v.budget.left--
	key := visit{n, depth}
	if v.active[key] {
		v.errorf(`validation loop: schema "%s" applied again to the same instance`, "#"+n.ptr)
		return
	}
	v.active[key] = true
	defer delete(v.active, key)

	typ := typeName(inst)
	isNum := typ == "integer" || typ == "number"
	arr, _ := inst.([]any)
	obj, _ := inst.(*object)
	str, isStr := inst.(string)

	if typ == "array" && n.itemsIsList && n.noAddItems && len(arr) > len(n.itemsList) {
		v.errorf("schema only allows %d elements in array but instance has %d elements", len(n.itemsList), len(arr))
	}
	if obj != nil && n.noAddProps {
		var unwanted []string
		for _, k := range obj.keys {
			if _, ok := n.properties[k]; ok {
				continue
			}
			matched := false
			for _, pp := range n.patternProps {
				if pp.re.MatchString(k) {
					matched = true
					break
				}
			}
			if !matched {
				unwanted = append(unwanted, k)
			}
		}
		if len(unwanted) > 0 {
			v.errorf("object instance has properties which are not allowed by the schema: %s",
				stringsJSON(sortJava(unwanted)))
		}
	}
	if len(n.allOf) > 0 {
		ok := 0
		for _, s := range n.allOf {
			if v.sub(s, inst, depth) {
				ok++
			}
		}
		if ok != len(n.allOf) {
			v.errorf("instance failed to match all required schemas (matched only %d out of %d)", ok, len(n.allOf))
		}
	}
	if len(n.anyOf) > 0 {
		ok := false
		for _, s := range n.anyOf {
			if v.sub(s, inst, depth) {
				ok = true
				break
			}
		}
		if !ok {
			v.errorf("instance failed to match at least one required schema among %d", len(n.anyOf))
		}
	}
	if obj != nil && len(n.depOrder) > 0 {
		for _, k := range n.depOrder {
			if _, present := obj.get(k); !present {
				continue
			}
			d := n.dependencies[k]
			if d.schema != nil {
				v.validate(d.schema, inst, depth)
				continue
			}
			var missing []string
			for _, p := range d.props {
				if _, ok := obj.get(p); !ok {
					missing = append(missing, p)
				}
			}
			if len(missing) > 0 {
				v.errorf(`property "%s" of object has missing property dependencies (schema requires %s; missing: %s)`,
					k, stringsJSON(d.props), stringsJSON(missing))
			}
		}
	}
	if n.hasEnum {
		found := false
		for _, e := range n.enum {
			if jsonEqual(inst, e) {
				found = true
				break
			}
		}
		if !found {
			v.errorf("instance value (%s) not found in enum (possible values: %s)", jsonText(inst), jsonText(n.enum))
		}
	}
	if isStr && n.format != "" {
		v.checkFormat(n.format, str)
	}
	if typ == "array" && n.maxItems >= 0 && len(arr) > n.maxItems {
		v.errorf("array is too long: must have at most %d elements but instance has %d elements", n.maxItems, len(arr))
	}
	if isStr && n.maxLength >= 0 {
		if l := utf8.RuneCountInString(str); l > n.maxLength {
			v.errorf(`string "%s" is too long (length: %d, maximum allowed: %d)`, str, l, n.maxLength)
		}
	}
	if obj != nil && n.maxProps >= 0 && len(obj.keys) > n.maxProps {
		v.errorf("object has too many properties (found %d but schema requires at most %d)", len(obj.keys), n.maxProps)
	}
	if isNum && n.maximum != nil {
		num := inst.(number)
		switch c := cmpNumbers(num, n.maximum.val); {
		case c > 0:
			v.errorf("numeric instance is greater than the required maximum (maximum: %s, found: %s)", n.maximum.val.digestText(), num)
		case c == 0 && n.maximum.exclusive:
			v.errorf("numeric instance is not strictly lower than the required maximum %s", n.maximum.val.digestText())
		}
	}
	if typ == "array" && len(arr) < n.minItems {
		v.errorf("array is too short: must have at least %d elements but instance has %d elements", n.minItems, len(arr))
	}
	if isStr && n.minLength >= 0 {
		if l := utf8.RuneCountInString(str); l < n.minLength {
			v.errorf(`string "%s" is too short (length: %d, required minimum: %d)`, str, l, n.minLength)
		}
	}
	if obj != nil && len(obj.keys) < n.minProps {
		v.errorf("object has too few properties (found %d but schema requires at least %d)", len(obj.keys), n.minProps)
	}
	if isNum && n.minimum != nil {
		num := inst.(number)
		switch c := cmpNumbers(num, n.minimum.val); {
		case c < 0:
			v.errorf("numeric instance is lower than the required minimum (minimum: %s, found: %s)", n.minimum.val.digestText(), num)
		case c == 0 && n.minimum.exclusive:
			v.errorf("numeric instance is not strictly greater than the required minimum %s", n.minimum.val.digestText())
		}
	}
	if isNum && n.multiple != nil {
		if !isMultiple(inst.(number), n.multiple.val) {
			v.errorf("remainder of division is not zero (%s / %s)", inst.(number), n.multiple.val.digestText())
		}
	}
	if n.not != nil && v.sub(n.not, inst, depth) {
		v.errorf("instance matched a schema which it should not have")
	}
	if len(n.oneOf) > 0 {
		ok := 0
		for _, s := range n.oneOf {
			if v.sub(s, inst, depth) {
				ok++
			}
		}
		if ok != 1 {
			v.errorf("instance failed to match exactly one schema (matched %d out of %d)", ok, len(n.oneOf))
		}
	}
	if isStr && n.pattern != nil && !n.pattern.MatchString(str) {
		v.errorf(`ECMA 262 regex "%s" does not match input string "%s"`, n.patternSrc, str)
	}
	if obj != nil && len(n.required) > 0 {
		var missing []string
		for _, r := range n.required {
			if _, ok := obj.get(r); !ok {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			v.errorf("object has missing required properties (%s)", stringsJSON(missing))
		}
	}
	if len(n.types) > 0 && !containsType(n.types, typ) {
		v.errorf("instance type (%s) does not match any allowed primitive type (allowed: %s)", typ, stringsJSON(n.types))
	}
	if typ == "array" && n.uniqueItems {
		seen := make(map[string]bool, len(arr))
		for _, el := range arr {
			k := canonical(el)
			if seen[k] {
				v.errorf("array must not contain duplicate elements")
				break
			}
			seen[k] = true
		}
	}

	if len(v.msgs) > 0 {
		return
	}
	switch {
	case arr != nil:
		for i, el := range arr {
			switch {
			case n.itemsIsList && i < len(n.itemsList):
				v.validate(n.itemsList[i], el, depth+1)
			case n.itemsIsList && n.additionalItems != nil:
				v.validate(n.additionalItems, el, depth+1)
			case !n.itemsIsList && n.items != nil:
				v.validate(n.items, el, depth+1)
			}
		}
	case obj != nil:
		for _, k := range sortJava(obj.keys) {
			el := obj.vals[k]
			matched := false
			if p, ok := n.properties[k]; ok {
				matched = true
				v.validate(p, el, depth+1)
			}
			for _, pp := range n.patternProps {
				if pp.re.MatchString(k) {
					matched = true
					v.validate(pp.schema, el, depth+1)
				}
			}
			if !matched && n.additionalProp != nil {
				v.validate(n.additionalProp, el, depth+1)
			}
		}
	}
}

func containsType(types []string, t string) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

// checkFormat validates the formats the validator supports by default;
// unknown formats are ignored.
func (v *validator) checkFormat(format, s string) {
	switch format {
	case "date-time":
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			v.errorf(`string "%s" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]`, s)
		}
	case "email":
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
			v.errorf(`string "%s" is not a valid email address`, s)
		}
	case "hostname":
		if !validHostname(s) {
			v.errorf(`string "%s" is not a valid hostname`, s)
		}
	case "ipv4":
		if ip := net.ParseIP(s); ip == nil || ip.To4() == nil || strings.Contains(s, ":") {
			v.errorf(`string "%s" is not a valid IPv4 address`, s)
		}
	case "ipv6":
		if ip := net.ParseIP(s); ip == nil || !strings.Contains(s, ":") {
			v.errorf(`string "%s" is not a valid IPv6 address`, s)
		}
	case "uri":
		if _, err := url.Parse(s); err != nil || strings.ContainsAny(s, " \t\r\n\"<>\\^`{|}") {
			v.errorf(`string "%s" is not a valid URI`, s)
		}
	case "regex":
		if _, err := compileECMA(s); err != nil {
			v.errorf(`string "%s" is not a valid ECMA 262 regular expression`, s)
		}
	}
}

func validHostname(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
