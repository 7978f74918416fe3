package vtl

import "strings"

// Substitute renders a GatewayResponse body template. API Gateway does not
// run those through Velocity: it only substitutes $context.* and
// $stageVariables.* references (for example
// {"message":$context.error.messageString}). A reference to a variable
// that does not exist is left as written; everything else is copied as is.
func Substitute(template string, vars *Vars) string {
	if !strings.Contains(template, "$") {
		return template
	}
	if vars == nil {
		vars = &Vars{}
	}
	roots := map[string]*Map{
		"context":        buildContext(&vars.Context, newContextHandle()),
		"stageVariables": mapFromStrings(vars.StageVariables),
	}
	var b strings.Builder
	for i := 0; i < len(template); {
		c := template[i]
		if c != '$' {
			b.WriteByte(c)
			i++
			continue
		}
		// $name(.name)*
		j := i + 1
		var path []string
		for {
			k := j
			for k < len(template) && (isAlpha(template[k]) || isDigit(template[k]) || template[k] == '_') {
				k++
			}
			if k == j || isDigit(template[j]) {
				break
			}
			path = append(path, template[j:k])
			j = k
			if j+1 < len(template) && template[j] == '.' && (isAlpha(template[j+1]) || template[j+1] == '_') {
				j++
				continue
			}
			break
		}
		if v, ok := lookupPath(roots, path); ok {
			b.WriteString(toString(v))
			i = j
			continue
		}
		b.WriteByte('$')
		i++
	}
	return b.String()
}

func lookupPath(roots map[string]*Map, path []string) (any, bool) {
	if len(path) < 2 {
		return nil, false
	}
	root, ok := roots[path[0]]
	if !ok {
		return nil, false
	}
	var cur any = root
	for _, name := range path[1:] {
		m, ok := cur.(*Map)
		if !ok {
			return nil, false
		}
		if cur, ok = m.Get(name); !ok || cur == nil {
			return nil, false
		}
	}
	if _, isMap := cur.(*Map); isMap {
		return nil, false
	}
	return cur, true
}
