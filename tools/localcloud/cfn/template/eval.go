package template

import (
	"encoding/base64"
	"encoding/binary"
	"net"
	"sort"
	"strconv"
	"strings"
)

// Unknown stands for a value that is only known once a resource has been
// provisioned (the physical ID of a resource about to be created or
// replaced). Functions over an Unknown yield an Unknown.
type Unknown struct {
	// Expr names what the value depends on, e.g. "Queue.Arn".
	Expr string
}

// noValue is AWS::NoValue: the property or list element is removed.
type noValue struct{}

// Pseudo holds the values of the pseudo parameters.
type Pseudo struct {
	AccountID, Region, StackName, StackID, Partition, URLSuffix string
	NotificationARNs                                            []string
}

// Resolver answers the parts of an evaluation that depend on the stack's
// resources and on other stacks.
type Resolver interface {
	// Ref returns a resource's Ref value (usually its physical ID) or an
	// Unknown.
	Ref(logicalID string) (any, error)
	// GetAtt returns a resource attribute or an Unknown.
	GetAtt(logicalID, attribute string) (any, error)
	// ImportValue returns the value of another stack's export.
	ImportValue(name string) (any, error)
}

// Evaluator evaluates intrinsic functions for one stack operation.
type Evaluator struct {
	t        *Template
	params   map[string]string
	pseudo   Pseudo
	res      Resolver
	conds    map[string]bool
	visiting map[string]bool
}

// NewEvaluator evaluates the template's conditions with the resolved
// parameters and returns an evaluator for the rest.
func NewEvaluator(t *Template, params map[string]string, pseudo Pseudo, res Resolver) (*Evaluator, error) {
	e := &Evaluator{t: t, params: params, pseudo: pseudo, res: res, conds: map[string]bool{}, visiting: map[string]bool{}}
	for _, name := range sortedKeys(t.Conditions) {
		if _, err := e.condition(name); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Conditions returns every condition's value.
func (e *Evaluator) Conditions() map[string]bool { return e.conds }

// Included reports whether a resource exists under the conditions.
func (e *Evaluator) Included(logicalID string) bool {
	r, ok := e.t.Resources[logicalID]
	return ok && (r.Condition == "" || e.conds[r.Condition])
}

// OutputIncluded reports whether an output exists under the conditions.
func (e *Evaluator) OutputIncluded(name string) bool {
	o, ok := e.t.Outputs[name]
	return ok && (o.Condition == "" || e.conds[o.Condition])
}

// Properties evaluates a resource's properties (AWS::NoValue removed).
func (e *Evaluator) Properties(logicalID string) (map[string]any, error) {
	r := e.t.Resources[logicalID]
	if r == nil || r.Properties == nil {
		return map[string]any{}, nil
	}
	v, err := e.Eval(r.Properties)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func (e *Evaluator) condition(name string) (bool, error) {
	if v, ok := e.conds[name]; ok {
		return v, nil
	}
	expr, ok := e.t.Conditions[name]
	if !ok {
		return false, templateError("unresolved condition dependency %s", name)
	}
	if e.visiting[name] {
		return false, templateError("circular condition dependency involving %s", name)
	}
	e.visiting[name] = true
	defer delete(e.visiting, name)
	v, err := e.Eval(expr)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, templateError("condition %s must evaluate to a boolean (use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)", name)
	}
	e.conds[name] = b
	return b, nil
}

// IsUnknown reports whether v is, or contains, an Unknown.
func IsUnknown(v any) bool {
	switch t := v.(type) {
	case Unknown:
		return true
	case []any:
		for _, e := range t {
			if IsUnknown(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range t {
			if IsUnknown(e) {
				return true
			}
		}
	}
	return false
}

// Eval evaluates every intrinsic function in v.
func (e *Evaluator) Eval(v any) (any, error) { return e.eval(v, 0) }

func (e *Evaluator) eval(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, templateError("template nesting too deep")
	}
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, arg := range t {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") || (k == "Condition" && isString(arg) && e.inCondition(arg)) {
					return e.call(k, arg, depth)
				}
			}
		}
		out := make(map[string]any, len(t))
		for k, ev := range t {
			r, err := e.eval(ev, depth+1)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); drop {
				continue
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for _, ev := range t {
			r, err := e.eval(ev, depth+1)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); drop {
				continue
			}
			out = append(out, r)
		}
		return out, nil
	}
	return v, nil
}

func isString(v any) bool { _, ok := v.(string); return ok }

// inCondition tells a {"Condition": name} function from a property that
// happens to be called Condition (IAM policy statements): only names of
// declared conditions are functions.
func (e *Evaluator) inCondition(arg any) bool {
	s, _ := arg.(string)
	_, ok := e.t.Conditions[s]
	return ok
}

func (e *Evaluator) call(fn string, arg any, depth int) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, templateError("every Ref object must have a single String value.")
		}
		return e.ref(name)
	case "Condition":
		return e.condition(arg.(string))
	case "Fn::If":
		return e.ifFn(arg, depth)
	case "Fn::Sub":
		return e.sub(arg, depth)
	}
	args, err := e.eval(arg, depth+1)
	if err != nil {
		return nil, err
	}
	switch fn {
	case "Fn::GetAtt":
		return e.getAtt(args)
	case "Fn::Join":
		return join(args)
	case "Fn::Select":
		return selectFn(args)
	case "Fn::Split":
		return split(args)
	case "Fn::Equals":
		l, ok := args.([]any)
		if !ok || len(l) != 2 {
			return nil, templateError("every Fn::Equals object requires a list of 2 string parameters.")
		}
		if IsUnknown(l) {
			return nil, templateError("Fn::Equals cannot compare values only known after provisioning")
		}
		return equalValues(l[0], l[1]), nil
	case "Fn::And", "Fn::Or":
		l, ok := args.([]any)
		if !ok || len(l) < 2 || len(l) > 10 {
			return nil, templateError("every %s object requires a list of at least 2 and at most 10 boolean parameters.", fn)
		}
		acc := fn == "Fn::And"
		for _, c := range l {
			b, ok := c.(bool)
			if !ok {
				return nil, templateError("every %s member must be a condition.", fn)
			}
			if fn == "Fn::And" {
				acc = acc && b
			} else {
				acc = acc || b
			}
		}
		return acc, nil
	case "Fn::Not":
		l, ok := args.([]any)
		if !ok || len(l) != 1 {
			return nil, templateError("every Fn::Not object requires a list of 1 boolean parameter.")
		}
		b, ok := l[0].(bool)
		if !ok {
			return nil, templateError("every Fn::Not member must be a condition.")
		}
		return !b, nil
	case "Fn::FindInMap":
		return e.findInMap(args)
	case "Fn::GetAZs":
		region, _ := String(args)
		if region == "" {
			region = e.pseudo.Region
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::ImportValue":
		if IsUnknown(args) {
			return Unknown{Expr: "Fn::ImportValue"}, nil
		}
		name, ok := String(args)
		if !ok {
			return nil, templateError("the Fn::ImportValue function must take a string (or a function returning one).")
		}
		return e.res.ImportValue(name)
	case "Fn::Base64":
		if IsUnknown(args) {
			return Unknown{Expr: "Fn::Base64"}, nil
		}
		s, ok := String(args)
		if !ok {
			return nil, templateError("every Fn::Base64 object must have a String value.")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::Cidr":
		return cidr(args)
	case "Fn::Transform":
		return nil, errorf("Fn::Transform is not supported by localcloud: deploy plain CloudFormation (no macros)")
	}
	return nil, templateError("Encountered unsupported function: %s Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr]", fn)
}

func (e *Evaluator) ref(name string) (any, error) {
	if p, ok := e.t.Parameters[name]; ok {
		v := e.params[name]
		if p.Type == "CommaDelimitedList" || p.Type == "List<Number>" {
			out := []any{}
			if v != "" {
				for _, s := range strings.Split(v, ",") {
					if p.Type == "List<Number>" {
						s = strings.TrimSpace(s)
					}
					out = append(out, s)
				}
			}
			return out, nil
		}
		return v, nil
	}
	switch name {
	case PseudoAccountID:
		return e.pseudo.AccountID, nil
	case PseudoRegion:
		return e.pseudo.Region, nil
	case PseudoStackName:
		return e.pseudo.StackName, nil
	case PseudoStackID:
		return e.pseudo.StackID, nil
	case PseudoPartition:
		return e.pseudo.Partition, nil
	case PseudoURLSuffix:
		return e.pseudo.URLSuffix, nil
	case PseudoNoValue:
		return noValue{}, nil
	case PseudoNotificationARNs:
		out := make([]any, 0, len(e.pseudo.NotificationARNs))
		for _, a := range e.pseudo.NotificationARNs {
			out = append(out, a)
		}
		return out, nil
	}
	if !e.Included(name) {
		return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", name)
	}
	return e.res.Ref(name)
}

func (e *Evaluator) getAtt(args any) (any, error) {
	l, ok := args.([]any)
	if !ok || len(l) != 2 {
		return nil, templateError("every Fn::GetAtt object requires two non-empty parameters.")
	}
	res, ok1 := l[0].(string)
	attr, ok2 := String(l[1])
	if !ok1 || !ok2 || res == "" || attr == "" {
		return nil, templateError("every Fn::GetAtt object requires two non-empty parameters.")
	}
	if _, declared := e.t.Resources[res]; !declared {
		return nil, templateError("instance of Fn::GetAtt references undefined resource %s", res)
	}
	if !e.Included(res) {
		return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", res)
	}
	return e.res.GetAtt(res, attr)
}

func (e *Evaluator) sub(arg any, depth int) (any, error) {
	str, rawVars := subArgs(arg)
	if l, isList := arg.([]any); isList && len(l) != 2 || !isString(arg) && !isList {
		return nil, templateError("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
	}
	if l, isList := arg.([]any); isList {
		if _, ok := l[0].(string); !ok {
			return nil, templateError("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
		if _, ok := l[1].(map[string]any); !ok {
			return nil, templateError("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
	}
	vars := map[string]any{}
	for k, v := range rawVars {
		r, err := e.eval(v, depth+1)
		if err != nil {
			return nil, err
		}
		vars[k] = r
	}
	var b strings.Builder
	unknown := false
	s := str
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var val any
		var err error
		if v, ok := vars[name]; ok {
			val = v
		} else if res, attr, dotted := strings.Cut(name, "."); dotted && !pseudoNames[name] {
			val, err = e.getAtt([]any{res, attr})
		} else {
			if _, declared := e.t.Resources[name]; !declared && !e.t.isParamOrPseudo(name) {
				return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", name)
			}
			val, err = e.ref(name)
		}
		if err != nil {
			return nil, err
		}
		if _, isUnknown := val.(Unknown); isUnknown {
			unknown = true
			continue
		}
		sv, ok := String(val)
		if !ok {
			return nil, templateError("variable %s in Fn::Sub expression does not resolve to a string", name)
		}
		b.WriteString(sv)
	}
	if unknown {
		return Unknown{Expr: "Fn::Sub"}, nil
	}
	return b.String(), nil
}

func (e *Evaluator) ifFn(arg any, depth int) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, templateError("every Fn::If object requires three parameters.")
	}
	name, ok := l[0].(string)
	if !ok {
		return nil, templateError("every Fn::If object requires three parameters.")
	}
	c, err := e.condition(name)
	if err != nil {
		return nil, err
	}
	if c {
		return e.eval(l[1], depth+1)
	}
	return e.eval(l[2], depth+1)
}

func (e *Evaluator) findInMap(args any) (any, error) {
	l, ok := args.([]any)
	if !ok || len(l) < 3 {
		return nil, templateError("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	keys := make([]string, 3)
	for i := range keys {
		s, ok := String(l[i])
		if !ok {
			return nil, templateError("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
		keys[i] = s
	}
	m, ok := e.t.Mappings[keys[0]].(map[string]any)
	if !ok {
		return nil, templateError("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	top, ok := m[keys[1]].(map[string]any)
	if !ok {
		return nil, templateError("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	v, ok := top[keys[2]]
	if !ok {
		return nil, templateError("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	return v, nil
}

func equalValues(a, b any) bool {
	sa, oka := String(a)
	sb, okb := String(b)
	if oka && okb {
		return sa == sb
	}
	return describe(a) == describe(b)
}

func join(args any) (any, error) {
	l, ok := args.([]any)
	if !ok || len(l) != 2 {
		return nil, templateError("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	delim, ok := l[0].(string)
	if !ok {
		return nil, templateError("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	if IsUnknown(l[1]) {
		return Unknown{Expr: "Fn::Join"}, nil
	}
	items, ok := l[1].([]any)
	if !ok {
		return nil, templateError("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := String(it)
		if !ok {
			return nil, templateError("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, delim), nil
}

func selectFn(args any) (any, error) {
	l, ok := args.([]any)
	if !ok || len(l) != 2 {
		return nil, templateError("Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	idxStr, ok := String(l[0])
	idx, err := strconv.Atoi(idxStr)
	if !ok || err != nil {
		return nil, templateError("Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	if _, isUnknown := l[1].(Unknown); isUnknown {
		return Unknown{Expr: "Fn::Select"}, nil
	}
	list, ok := l[1].([]any)
	if !ok {
		return nil, templateError("Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	if idx < 0 || idx >= len(list) {
		return nil, templateError("Fn::Select cannot select nonexistent value at index %d", idx)
	}
	return list[idx], nil
}

func split(args any) (any, error) {
	l, ok := args.([]any)
	if !ok || len(l) != 2 {
		return nil, templateError("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
	}
	delim, ok1 := l[0].(string)
	if IsUnknown(l[1]) {
		return Unknown{Expr: "Fn::Split"}, nil
	}
	s, ok2 := String(l[1])
	if !ok1 || !ok2 || delim == "" {
		return nil, templateError("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
	}
	parts := strings.Split(s, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// cidr implements Fn::Cidr for IPv4 blocks: count subnets of cidrBits host
// bits each, carved from the start of the block.
func cidr(args any) (any, error) {
	bad := templateError("Fn::Cidr requires a list of three parameters: an IPv4 CIDR block, a subnet count (1-256) and the number of subnet bits")
	l, ok := args.([]any)
	if !ok || len(l) != 3 {
		return nil, bad
	}
	block, ok1 := String(l[0])
	countS, ok2 := String(l[1])
	bitsS, ok3 := String(l[2])
	count, err1 := strconv.Atoi(countS)
	bits, err2 := strconv.Atoi(bitsS)
	if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil || count < 1 || count > 256 {
		return nil, bad
	}
	_, network, err := net.ParseCIDR(block)
	if err != nil || network.IP.To4() == nil {
		return nil, bad
	}
	ones, _ := network.Mask.Size()
	prefix := 32 - bits
	if bits < 1 || prefix < ones || count > 1<<(prefix-ones) && prefix-ones < 31 {
		return nil, templateError("Fn::Cidr cannot carve %d subnets of /%d from %s", count, prefix, block)
	}
	base := binary.BigEndian.Uint32(network.IP.To4())
	out := make([]any, 0, count)
	for i := 0; i < count; i++ {
		ip := make(net.IP, 4)
		binary.BigEndian.PutUint32(ip, base+uint32(i)<<uint(bits))
		out = append(out, ip.String()+"/"+strconv.Itoa(prefix))
	}
	return out, nil
}

// ReferencedExports lists the export names a template imports, evaluated
// with ev (names built from parameters resolve); names that cannot be
// evaluated yet are skipped.
func (e *Evaluator) ReferencedExports() []string {
	set := map[string]bool{}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > maxDepth {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, x := range t {
				walk(x, depth+1)
			}
		case map[string]any:
			if arg, ok := t["Fn::ImportValue"]; ok && len(t) == 1 {
				if r, err := e.eval(arg, depth+1); err == nil {
					if s, ok := String(r); ok {
						set[s] = true
					}
				}
				return
			}
			for _, x := range t {
				walk(x, depth+1)
			}
		}
	}
	for name, r := range e.t.Resources {
		if e.Included(name) {
			walk(r.Properties, 0)
		}
	}
	for name, o := range e.t.Outputs {
		if e.OutputIncluded(name) {
			walk(o.Value, 0)
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
