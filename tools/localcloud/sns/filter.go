package sns

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// filterPolicy is a parsed SNS subscription filter policy.
type filterPolicy struct {
	// keys maps an attribute (or body) key to either conditions (leaf)
	// or a nested policy (body scope).
	keys map[string]filterNode
	ors  [][]*filterPolicy
}

type filterNode struct {
	conds  []condition
	nested *filterPolicy
}

type condition struct {
	kind    string // exact, number, null, prefix, suffix, ignorecase, anything-but, numeric, exists, cidr
	str     string
	num     float64
	exists  bool
	ranges  []numericBound
	not     []condition
	network netip.Prefix
}

type numericBound struct {
	op  string
	val float64
}

func parseFilterPolicy(s string) (*filterPolicy, error) {
	var raw map[string]any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("failed to parse JSON")
	}
	return parsePolicyObject(raw, 0)
}

func parsePolicyObject(raw map[string]any, depth int) (*filterPolicy, error) {
	if depth > 5 {
		return nil, fmt.Errorf("filter policy nested too deeply")
	}
	p := &filterPolicy{keys: map[string]filterNode{}}
	for k, v := range raw {
		if k == "$or" {
			arr, ok := v.([]any)
			if !ok || len(arr) < 2 {
				return nil, fmt.Errorf("$or must be an array of at least two policies")
			}
			var alts []*filterPolicy
			for _, a := range arr {
				obj, ok := a.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("$or members must be objects")
				}
				sub, err := parsePolicyObject(obj, depth+1)
				if err != nil {
					return nil, err
				}
				alts = append(alts, sub)
			}
			p.ors = append(p.ors, alts)
			continue
		}
		switch val := v.(type) {
		case []any:
			conds, err := parseConditions(k, val)
			if err != nil {
				return nil, err
			}
			p.keys[k] = filterNode{conds: conds}
		case map[string]any:
			sub, err := parsePolicyObject(val, depth+1)
			if err != nil {
				return nil, err
			}
			p.keys[k] = filterNode{nested: sub}
		default:
			return nil, fmt.Errorf("\"%s\" must be an object or an array", k)
		}
	}
	return p, nil
}

func parseConditions(key string, arr []any) ([]condition, error) {
	if len(arr) == 0 {
		return nil, fmt.Errorf("empty arrays are not allowed")
	}
	var out []condition
	for _, v := range arr {
		c, err := parseCondition(key, v)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parseCondition(key string, v any) (condition, error) {
	switch val := v.(type) {
	case string:
		return condition{kind: "exact", str: val}, nil
	case json.Number:
		f, err := val.Float64()
		if err != nil {
			return condition{}, fmt.Errorf("invalid number for %s", key)
		}
		return condition{kind: "number", num: f}, nil
	case nil:
		return condition{kind: "null"}, nil
	case bool:
		return condition{kind: "exact", str: strconv.FormatBool(val)}, nil
	case map[string]any:
		if len(val) != 1 {
			return condition{}, fmt.Errorf("match operators must be objects with one key")
		}
		for op, arg := range val {
			switch op {
			case "prefix", "suffix", "equals-ignore-case":
				s, ok := arg.(string)
				if !ok {
					return condition{}, fmt.Errorf("%s match pattern must be a string", op)
				}
				kind := op
				if op == "equals-ignore-case" {
					kind = "ignorecase"
				}
				return condition{kind: kind, str: s}, nil
			case "exists":
				b, ok := arg.(bool)
				if !ok {
					return condition{}, fmt.Errorf("exists match pattern must be either true or false")
				}
				return condition{kind: "exists", exists: b}, nil
			case "anything-but":
				var not []condition
				switch a := arg.(type) {
				case []any:
					for _, x := range a {
						c, err := parseCondition(key, x)
						if err != nil {
							return condition{}, err
						}
						not = append(not, c)
					}
				default:
					c, err := parseCondition(key, a)
					if err != nil {
						return condition{}, err
					}
					not = append(not, c)
				}
				return condition{kind: "anything-but", not: not}, nil
			case "numeric":
				a, ok := arg.([]any)
				if !ok || len(a) == 0 || len(a)%2 != 0 || len(a) > 4 {
					return condition{}, fmt.Errorf("value of numeric must be an array with one or two comparisons")
				}
				var bounds []numericBound
				for i := 0; i < len(a); i += 2 {
					opStr, ok1 := a[i].(string)
					n, ok2 := a[i+1].(json.Number)
					if !ok1 || !ok2 {
						return condition{}, fmt.Errorf("invalid numeric comparison")
					}
					f, err := n.Float64()
					if err != nil {
						return condition{}, fmt.Errorf("invalid numeric comparison")
					}
					switch opStr {
					case "=", "<", "<=", ">", ">=":
					default:
						return condition{}, fmt.Errorf("unrecognized numeric range operator: %s", opStr)
					}
					bounds = append(bounds, numericBound{opStr, f})
				}
				return condition{kind: "numeric", ranges: bounds}, nil
			case "cidr":
				s, _ := arg.(string)
				pfx, err := netip.ParsePrefix(s)
				if err != nil {
					return condition{}, fmt.Errorf("malformed CIDR, one '/' required")
				}
				return condition{kind: "cidr", network: pfx}, nil
			default:
				return condition{}, fmt.Errorf("unrecognized match type %s", op)
			}
		}
	}
	return condition{}, fmt.Errorf("match value must be String, number, true, false, or null")
}

// value is one candidate value found in a message.
type value struct {
	str     string
	num     float64
	isNum   bool
	isNull  bool
	present bool
}

func (c condition) match(vals []value) bool {
	switch c.kind {
	case "exists":
		return (len(vals) > 0) == c.exists
	case "anything-but":
		if len(vals) == 0 {
			return false
		}
		for _, v := range vals {
			for _, n := range c.not {
				if n.matchOne(v) {
					return false
				}
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchOne(v) {
			return true
		}
	}
	return false
}

func (c condition) matchOne(v value) bool {
	switch c.kind {
	case "exact":
		return !v.isNum && !v.isNull && v.str == c.str
	case "number":
		return v.isNum && v.num == c.num
	case "null":
		return v.isNull
	case "prefix":
		return !v.isNum && strings.HasPrefix(v.str, c.str)
	case "suffix":
		return !v.isNum && strings.HasSuffix(v.str, c.str)
	case "ignorecase":
		return !v.isNum && strings.EqualFold(v.str, c.str)
	case "numeric":
		if !v.isNum {
			return false
		}
		for _, b := range c.ranges {
			ok := false
			switch b.op {
			case "=":
				ok = v.num == b.val
			case "<":
				ok = v.num < b.val
			case "<=":
				ok = v.num <= b.val
			case ">":
				ok = v.num > b.val
			case ">=":
				ok = v.num >= b.val
			}
			if !ok {
				return false
			}
		}
		return true
	case "cidr":
		a, err := netip.ParseAddr(v.str)
		return err == nil && c.network.Contains(a)
	}
	return false
}

// matchAttributes applies the policy to message attributes.
func (p *filterPolicy) matchAttributes(attrs map[string]MessageAttributeValue) bool {
	for k, node := range p.keys {
		if node.nested != nil {
			return false
		}
		var vals []value
		if a, ok := attrs[k]; ok {
			vals = attributeValues(a)
		}
		if !anyMatch(node.conds, vals) {
			return false
		}
	}
	for _, alts := range p.ors {
		ok := false
		for _, alt := range alts {
			if alt.matchAttributes(attrs) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func anyMatch(conds []condition, vals []value) bool {
	for _, c := range conds {
		if c.match(vals) {
			return true
		}
	}
	return false
}

func attributeValues(a MessageAttributeValue) []value {
	s := ""
	if a.StringValue != nil {
		s = *a.StringValue
	}
	switch {
	case strings.HasPrefix(a.DataType, "Number"):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return []value{{str: s, present: true}}
		}
		return []value{{num: f, isNum: true, present: true}}
	case a.DataType == "String.Array":
		var arr []any
		if err := json.Unmarshal([]byte(s), &arr); err != nil {
			return []value{{str: s, present: true}}
		}
		return jsonValues(arr)
	case strings.HasPrefix(a.DataType, "Binary"):
		return nil
	}
	return []value{{str: s, present: true}}
}

func jsonValues(v any) []value {
	switch x := v.(type) {
	case []any:
		var out []value
		for _, e := range x {
			out = append(out, jsonValues(e)...)
		}
		return out
	case string:
		return []value{{str: x, present: true}}
	case float64:
		return []value{{num: x, isNum: true, present: true}}
	case bool:
		return []value{{str: strconv.FormatBool(x), present: true}}
	case nil:
		return []value{{isNull: true, present: true}}
	}
	return nil
}

// matchBody applies the policy to a JSON message body.
func (p *filterPolicy) matchBody(body string) bool {
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return false
	}
	return p.matchObject(doc)
}

func (p *filterPolicy) matchObject(doc map[string]any) bool {
	keys := make([]string, 0, len(p.keys))
	for k := range p.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		node := p.keys[k]
		v, present := doc[k]
		if node.nested != nil {
			obj, ok := v.(map[string]any)
			if !ok || !node.nested.matchObject(obj) {
				return false
			}
			continue
		}
		var vals []value
		if present {
			vals = jsonValues(v)
		}
		if !anyMatch(node.conds, vals) {
			return false
		}
	}
	for _, alts := range p.ors {
		ok := false
		for _, alt := range alts {
			if alt.matchObject(doc) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
