package template

import (
	"maps"
	"slices"
	"sort"
	"strings"
)

// Pseudo parameter names.
const (
	PseudoAccountID        = "AWS::AccountId"
	PseudoRegion           = "AWS::Region"
	PseudoStackName        = "AWS::StackName"
	PseudoStackID          = "AWS::StackId"
	PseudoPartition        = "AWS::Partition"
	PseudoURLSuffix        = "AWS::URLSuffix"
	PseudoNoValue          = "AWS::NoValue"
	PseudoNotificationARNs = "AWS::NotificationARNs"
)

var pseudoNames = map[string]bool{
	PseudoAccountID: true, PseudoRegion: true, PseudoStackName: true, PseudoStackID: true,
	PseudoPartition: true, PseudoURLSuffix: true, PseudoNoValue: true, PseudoNotificationARNs: true,
}

// reference is one name a value refers to.
type reference struct {
	kind   string // "Ref", "GetAtt", "Sub", "Condition"
	target string
	attr   string
}

// references walks v and reports every Ref, Fn::GetAtt target, Fn::Sub
// variable and condition name it contains. With conds set, only the taken
// branch of each Fn::If is walked.
func references(v any, conds map[string]bool, visit func(reference)) {
	walkRefs(v, conds, visit, 0)
}

func walkRefs(v any, conds map[string]bool, visit func(reference), depth int) {
	if depth > maxDepth {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			walkRefs(e, conds, visit, depth+1)
		}
	case map[string]any:
		if len(t) == 1 {
			for k, arg := range t {
				if handled := walkFunction(k, arg, conds, visit, depth); handled {
					return
				}
			}
		}
		for _, e := range t {
			walkRefs(e, conds, visit, depth+1)
		}
	}
}

func walkFunction(name string, arg any, conds map[string]bool, visit func(reference), depth int) bool {
	switch name {
	case "Ref":
		if s, ok := arg.(string); ok {
			visit(reference{kind: "Ref", target: s})
			return true
		}
	case "Fn::GetAtt":
		if l, ok := arg.([]any); ok && len(l) == 2 {
			if s, ok := l[0].(string); ok {
				attr, _ := l[1].(string)
				visit(reference{kind: "GetAtt", target: s, attr: attr})
				walkRefs(l[1], conds, visit, depth+1)
				return true
			}
		}
	case "Fn::Sub":
		str, vars := subArgs(arg)
		for _, name := range subVariables(str) {
			if _, local := vars[name]; local {
				continue
			}
			res, attr, dotted := strings.Cut(name, ".")
			if dotted {
				visit(reference{kind: "GetAtt", target: res, attr: attr})
			} else {
				visit(reference{kind: "Sub", target: name})
			}
		}
		for _, e := range vars {
			walkRefs(e, conds, visit, depth+1)
		}
		return true
	case "Condition":
		if s, ok := arg.(string); ok {
			visit(reference{kind: "Condition", target: s})
			return true
		}
	case "Fn::If":
		if l, ok := arg.([]any); ok && len(l) == 3 {
			if c, ok := l[0].(string); ok {
				visit(reference{kind: "Condition", target: c})
				if conds != nil {
					if conds[c] {
						walkRefs(l[1], conds, visit, depth+1)
					} else {
						walkRefs(l[2], conds, visit, depth+1)
					}
					return true
				}
				walkRefs(l[1], conds, visit, depth+1)
				walkRefs(l[2], conds, visit, depth+1)
				return true
			}
		}
	}
	return false
}

func subArgs(arg any) (string, map[string]any) {
	switch t := arg.(type) {
	case string:
		return t, nil
	case []any:
		if len(t) == 2 {
			s, _ := t[0].(string)
			vars, _ := t[1].(map[string]any)
			return s, vars
		}
	}
	return "", nil
}

// subVariables lists the ${Name} variables of a Fn::Sub string, skipping
// ${!Literal} escapes.
func subVariables(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		name := s[i+2 : i+j]
		if !strings.HasPrefix(name, "!") {
			out = append(out, strings.TrimSpace(name))
		}
		s = s[i+j+1:]
	}
}

func (t *Template) isParamOrPseudo(name string) bool {
	_, ok := t.Parameters[name]
	return ok || pseudoNames[name]
}

// check verifies every reference names something declared, and that the
// full resource graph has no cycle.
func (t *Template) check() error {
	for _, name := range sortedKeys(t.Conditions) {
		var bad []string
		var err error
		references(t.Conditions[name], nil, func(r reference) {
			switch r.kind {
			case "Ref":
				if !t.isParamOrPseudo(r.target) {
					bad = append(bad, r.target)
				}
			case "Condition":
				if _, ok := t.Conditions[r.target]; !ok && err == nil {
					err = formatError("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", r.target)
				}
			default:
				bad = append(bad, r.target)
			}
		})
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return formatError("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", strings.Join(uniq(bad), ", "))
		}
	}
	for _, name := range t.SortedResources() {
		r := t.Resources[name]
		if r.Condition != "" {
			if _, ok := t.Conditions[r.Condition]; !ok {
				return formatError("Unresolved condition dependencies [%s] in the Resources block of the template", r.Condition)
			}
		}
		if err := t.checkRefs(r.Properties, "Resources"); err != nil {
			return err
		}
		if err := t.checkRefs(r.Metadata, "Resources"); err != nil {
			return err
		}
		var missing []string
		for _, d := range r.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				missing = append(missing, d)
			}
		}
		if len(missing) > 0 {
			return formatError("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(missing, ", "))
		}
	}
	for _, name := range sortedKeys(t.Outputs) {
		o := t.Outputs[name]
		if o.Condition != "" {
			if _, ok := t.Conditions[o.Condition]; !ok {
				return formatError("Unresolved condition dependencies [%s] in the Outputs block of the template", o.Condition)
			}
		}
		for _, v := range []any{o.Value, o.Export, o.Description} {
			if err := t.checkRefs(v, "Outputs"); err != nil {
				return err
			}
		}
		if t.exportNameDependsOnResources(o.Export) {
			return formatError("Output %s is malformed. The Name field of Export must not depend on any resources, imported values, or Fn::GetAZs.", name)
		}
	}
	_, err := t.Order(nil)
	return err
}

func (t *Template) checkRefs(v any, block string) error {
	var unresolved []string
	var err error
	references(v, nil, func(r reference) {
		if err != nil {
			return
		}
		switch r.kind {
		case "Ref", "Sub":
			if _, ok := t.Resources[r.target]; !ok && !t.isParamOrPseudo(r.target) {
				unresolved = append(unresolved, r.target)
			}
		case "GetAtt":
			if _, ok := t.Resources[r.target]; !ok {
				err = templateError("instance of Fn::GetAtt references undefined resource %s", r.target)
			}
		case "Condition":
			if _, ok := t.Conditions[r.target]; !ok {
				err = templateError("unresolved condition dependency %s in Fn::If", r.target)
			}
		}
	})
	if err != nil {
		return err
	}
	if len(unresolved) > 0 {
		return formatError("Unresolved resource dependencies [%s] in the %s block of the template", strings.Join(uniq(unresolved), ", "), block)
	}
	return nil
}

// Dependencies returns, for each resource included under conds (nil: all
// resources, every Fn::If branch), the resources it depends on through
// Ref, Fn::GetAtt, Fn::Sub and DependsOn. A reference to a resource that
// is excluded by its condition is an unresolved dependency, as in
// CloudFormation.
func (t *Template) Dependencies(conds map[string]bool) (map[string][]string, error) {
	deps := map[string][]string{}
	included := func(name string) bool {
		r, ok := t.Resources[name]
		return ok && (conds == nil || r.Condition == "" || conds[r.Condition])
	}
	for _, name := range t.SortedResources() {
		if !included(name) {
			continue
		}
		r := t.Resources[name]
		set := map[string]bool{}
		var unresolved []string
		visit := func(ref reference) {
			switch ref.kind {
			case "Ref", "Sub", "GetAtt":
				if t.isParamOrPseudo(ref.target) && ref.kind != "GetAtt" {
					return
				}
				if included(ref.target) {
					set[ref.target] = true
				} else {
					unresolved = append(unresolved, ref.target)
				}
			}
		}
		references(r.Properties, conds, visit)
		references(r.Metadata, conds, visit)
		for _, d := range r.DependsOn {
			if included(d) {
				set[d] = true
			} else {
				unresolved = append(unresolved, d)
			}
		}
		if len(unresolved) > 0 {
			return nil, formatError("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(uniq(unresolved), ", "))
		}
		list := make([]string, 0, len(set))
		for d := range set {
			list = append(list, d)
		}
		sort.Strings(list)
		deps[name] = list
	}
	return deps, nil
}

// Order returns the included resources (see Dependencies) in an order where
// every resource comes after those it depends on, or CloudFormation's
// "Circular dependency between resources" error.
func (t *Template) Order(conds map[string]bool) ([]string, error) {
	deps, err := t.Dependencies(conds)
	if err != nil {
		return nil, err
	}
	return TopoSort(deps)
}

// TopoSort orders the nodes of a dependency map (node -> what it needs)
// so that dependencies come first; ties are broken by name.
func TopoSort(deps map[string][]string) ([]string, error) {
	indeg := map[string]int{}
	users := map[string][]string{}
	for n, ds := range deps {
		indeg[n] += 0
		for _, d := range ds {
			if _, ok := deps[d]; !ok {
				continue
			}
			indeg[n]++
			users[d] = append(users[d], n)
		}
	}
	var ready []string
	for n, d := range indeg {
		if d == 0 {
			ready = append(ready, n)
		}
	}
	sort.Strings(ready)
	order := make([]string, 0, len(deps))
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		for _, u := range users[n] {
			indeg[u]--
			if indeg[u] == 0 {
				ready = append(ready, u)
				sort.Strings(ready)
			}
		}
	}
	if len(order) < len(deps) {
		cyc := cycleMembers(deps, indeg)
		return nil, errorf("Circular dependency between resources: [%s]", strings.Join(cyc, ", "))
	}
	return order, nil
}

// cycleMembers narrows the nodes left by the sort to those on a cycle: it
// drops, repeatedly, nodes that no remaining node depends on.
func cycleMembers(deps map[string][]string, indeg map[string]int) []string {
	left := map[string]bool{}
	for n, d := range indeg {
		if d > 0 {
			left[n] = true
		}
	}
	for changed := true; changed; {
		changed = false
		needed := map[string]bool{}
		for n := range left {
			for _, d := range deps[n] {
				needed[d] = true
			}
		}
		for n := range left {
			if !needed[n] {
				delete(left, n)
				changed = true
			}
		}
	}
	return sortedKeys(left)
}

func uniq(l []string) []string {
	seen := map[string]bool{}
	out := l[:0]
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// AttributeReferences lists every (resource, attribute) pair that
// Fn::GetAtt or a dotted Fn::Sub variable names, in resources and outputs.
func (t *Template) AttributeReferences() [][2]string {
	var out [][2]string
	visit := func(r reference) {
		if r.kind == "GetAtt" && r.attr != "" {
			out = append(out, [2]string{r.target, r.attr})
		}
	}
	for _, name := range t.SortedResources() {
		references(t.Resources[name].Properties, nil, visit)
	}
	for _, name := range sortedKeys(t.Outputs) {
		references(t.Outputs[name].Value, nil, visit)
		references(t.Outputs[name].Export, nil, visit)
	}
	return out
}

// exportNameDependsOnResources reports whether an export name refers to a
// resource, an import or Fn::GetAZs, which CloudFormation forbids: export
// names must be known before anything is provisioned.
func (t *Template) exportNameDependsOnResources(v any) bool {
	found := false
	references(v, nil, func(r reference) {
		if r.kind == "GetAtt" || (r.kind == "Ref" || r.kind == "Sub") && !t.isParamOrPseudo(r.target) {
			found = true
		}
	})
	return found || containsFunction(v, "Fn::ImportValue", 0) || containsFunction(v, "Fn::GetAZs", 0)
}

func containsFunction(v any, fn string, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t[fn]; ok && len(t) == 1 {
			return true
		}
		for _, e := range t {
			if containsFunction(e, fn, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if containsFunction(e, fn, depth+1) {
				return true
			}
		}
	}
	return false
}
