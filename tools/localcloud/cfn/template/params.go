package template

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParameterValue is a parameter given to a stack operation.
type ParameterValue struct {
	Key   string
	Value string
	// UsePrevious keeps the value the stack has now.
	UsePrevious bool
}

// compilePattern compiles an AllowedPattern; CloudFormation matches the
// whole value, as Java's String.matches does.
func compilePattern(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, err
	}
	return re, nil
}

// ResolveParameters merges the given values, the previous values (for
// UsePrevious) and the defaults, and checks each against its declaration
// with CloudFormation's messages. Lists are kept comma-joined.
func (t *Template) ResolveParameters(given []ParameterValue, previous map[string]string) (map[string]string, error) {
	values := map[string]string{}
	var unknown []string
	for _, g := range given {
		if _, ok := t.Parameters[g.Key]; !ok {
			unknown = append(unknown, g.Key)
			continue
		}
		if g.UsePrevious {
			prev, ok := previous[g.Key]
			if !ok {
				return nil, errorf("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", g.Key)
			}
			values[g.Key] = prev
			continue
		}
		values[g.Key] = g.Value
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, errorf("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	var missing []string
	for _, name := range t.SortedParameters() {
		if _, ok := values[name]; ok {
			continue
		}
		if d := t.Parameters[name].Default; d != nil {
			values[name] = *d
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) > 0 {
		return nil, errorf("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	for _, name := range t.SortedParameters() {
		if err := t.Parameters[name].check(name, values[name]); err != nil {
			return nil, err
		}
	}
	return values, nil
}

func (p *Parameter) fail(name, standard string) error {
	if p.ConstraintDescription != "" {
		return errorf("Parameter '%s' failed to satisfy constraint: %s", name, p.ConstraintDescription)
	}
	return errorf("%s", standard)
}

func (p *Parameter) check(name, value string) error {
	items := []string{value}
	if p.Type == "CommaDelimitedList" || p.Type == "List<Number>" {
		items = strings.Split(value, ",")
		if value == "" {
			items = nil
		}
	}
	for _, item := range items {
		if p.Type == "List<Number>" {
			item = strings.TrimSpace(item)
		}
		if err := p.checkOne(name, item); err != nil {
			return err
		}
	}
	return nil
}

func (p *Parameter) checkOne(name, value string) error {
	if p.Type == "Number" || p.Type == "List<Number>" {
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return p.fail(name, "Parameter '"+name+"' must be a number.")
		}
		if p.MinValue != nil && n < *p.MinValue {
			return p.fail(name, "Parameter '"+name+"' must be a number not less than "+fmtNum(*p.MinValue))
		}
		if p.MaxValue != nil && n > *p.MaxValue {
			return p.fail(name, "Parameter '"+name+"' must be a number not greater than "+fmtNum(*p.MaxValue))
		}
	}
	if len(p.AllowedValues) > 0 {
		found := false
		for _, a := range p.AllowedValues {
			if a == value || (p.Type == "Number" && numEqual(a, value)) {
				found = true
				break
			}
		}
		if !found {
			return p.fail(name, "Parameter '"+name+"' must be one of AllowedValues")
		}
	}
	if p.AllowedPattern != "" {
		re, err := compilePattern(p.AllowedPattern)
		if err != nil || !re.MatchString(value) {
			return p.fail(name, "Parameter '"+name+"' must match pattern "+p.AllowedPattern)
		}
	}
	n := utf8.RuneCountInString(value)
	if p.MinLength != nil && n < *p.MinLength {
		return p.fail(name, "Parameter '"+name+"' must contain at least "+strconv.Itoa(*p.MinLength)+" characters")
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		return p.fail(name, "Parameter '"+name+"' must contain at most "+strconv.Itoa(*p.MaxLength)+" characters")
	}
	return nil
}

func numEqual(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	return err1 == nil && err2 == nil && x == y
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case string:
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	return 0, false
}
