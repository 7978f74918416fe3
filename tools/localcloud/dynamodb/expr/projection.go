package expr

import (
	"sort"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// Projection is a parsed ProjectionExpression.
type Projection struct {
	paths []Path
	used  Placeholders
}

// ParseProjection parses a ProjectionExpression (a comma-separated list of
// document paths) with the request's ExpressionAttributeNames.
func ParseProjection(expr string, names map[string]string) (*Projection, error) {
	p, err := newParser(KindProjection, expr, names, nil)
	if err != nil {
		return nil, err
	}
	var paths []Path
	for p.fail == nil {
		path := p.parsePath()
		if p.fail != nil {
			break
		}
		paths = append(paths, path)
		if p.cur().kind != tComma {
			if p.cur().kind != tEOF {
				p.syntax()
			}
			break
		}
		p.advance()
	}
	if err := p.result(); err != nil {
		return nil, err
	}
	if err := checkPaths(KindProjection, paths); err != nil {
		return nil, err
	}
	return &Projection{paths: paths, used: p.used}, nil
}

// Placeholders returns the names the expression uses, for CheckUnused.
func (p *Projection) Placeholders() Placeholders { return p.used }

// Paths returns the projected document paths in textual order.
func (p *Projection) Paths() []Path { return p.paths }

// Apply returns a new item holding only the projected paths of item.
func (p *Projection) Apply(item attr.Item) attr.Item { return Project(item, p.paths) }

// projNode is a trie of projected paths.
type projNode struct {
	leaf    bool
	names   map[string]*projNode
	indexes map[int]*projNode
}

func (n *projNode) step(e PathElem) *projNode {
	if e.IsIndex {
		if n.indexes == nil {
			n.indexes = map[int]*projNode{}
		}
		c := n.indexes[e.Index]
		if c == nil {
			c = &projNode{}
			n.indexes[e.Index] = c
		}
		return c
	}
	if n.names == nil {
		n.names = map[string]*projNode{}
	}
	c := n.names[e.Name]
	if c == nil {
		c = &projNode{}
		n.names[e.Name] = c
	}
	return c
}

// Project returns a new item with only the given paths of item, nested as
// they are in item: selected list elements keep their relative order in a
// shorter list. Paths that do not exist are left out. It serves
// ProjectionExpression and ReturnValues UPDATED_OLD/UPDATED_NEW.
func Project(item attr.Item, paths []Path) attr.Item {
	root := &projNode{}
	for _, path := range paths {
		n := root
		for _, e := range path {
			n = n.step(e)
		}
		n.leaf = true
	}
	out := attr.Item{}
	for name, n := range root.names {
		if v, ok := item[name]; ok {
			if pv, ok := project(v, n); ok {
				out[name] = pv
			}
		}
	}
	return out
}

func project(v attr.Value, n *projNode) (attr.Value, bool) {
	if n.leaf {
		return v, true
	}
	switch v.Type() {
	case attr.TypeM:
		m := attr.Item{}
		for name, c := range n.names {
			if cv, ok := v.Map()[name]; ok {
				if pv, ok := project(cv, c); ok {
					m[name] = pv
				}
			}
		}
		if len(m) == 0 {
			return attr.Value{}, false
		}
		return attr.M(m), true
	case attr.TypeL:
		idx := make([]int, 0, len(n.indexes))
		for i := range n.indexes {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		var l []attr.Value
		for _, i := range idx {
			if i < len(v.List()) {
				if pv, ok := project(v.List()[i], n.indexes[i]); ok {
					l = append(l, pv)
				}
			}
		}
		if len(l) == 0 {
			return attr.Value{}, false
		}
		return attr.L(l...), true
	}
	return attr.Value{}, false
}
