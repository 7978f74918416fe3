package expr

import (
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// PathElem is one step of a document path: a top-level attribute or map
// member Name, or a list Index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path such as a.b[2].c, with placeholders resolved. The
// first element is always a name.
type Path []PathElem

// String formats p as DynamoDB does in messages: "[a, b, [2], c]".
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.IsIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.Name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// Get returns the value at p in item, or the zero Value when any step is
// missing or of the wrong type.
func (p Path) Get(item attr.Item) attr.Value {
	if len(p) == 0 {
		return attr.Value{}
	}
	v, ok := item[p[0].Name]
	if !ok {
		return attr.Value{}
	}
	for _, e := range p[1:] {
		v = child(v, e)
		if !v.Exists() {
			break
		}
	}
	return v
}

func child(v attr.Value, e PathElem) attr.Value {
	if e.IsIndex {
		if v.Type() == attr.TypeL && e.Index < len(v.List()) {
			return v.List()[e.Index]
		}
		return attr.Value{}
	}
	if v.Type() == attr.TypeM {
		return v.Map()[e.Name]
	}
	return attr.Value{}
}

// relation classifies two paths for the overlap rules of update and
// projection expressions.
func relation(a, b Path) (overlap, conflict bool) {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] == b[i] {
			continue
		}
		// A list index and a map key at the same step cannot both be valid.
		return false, a[i].IsIndex != b[i].IsIndex
	}
	return true, false
}

// checkPaths rejects paths that overlap (one is a prefix of, or equal to,
// the other) or conflict, in DynamoDB's order: overlaps first, pairs in
// textual order.
func checkPaths(kind Kind, paths []Path) error {
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			if o, _ := relation(paths[i], paths[j]); o {
				return invalid(kind, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "+
					paths[i].String()+", path two: "+paths[j].String())
			}
		}
	}
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			if _, c := relation(paths[i], paths[j]); c {
				return invalid(kind, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "+
					paths[i].String()+", path two: "+paths[j].String())
			}
		}
	}
	return nil
}
