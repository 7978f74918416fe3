package validate

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
)

// Loader returns the JSON of the schema document at uri, for $ref values
// that point outside the model (API Gateway lets a model reference another
// as https://apigateway.amazonaws.com/restapis/{api_id}/models/{model_name}).
type Loader func(uri string) ([]byte, error)

// Schema is a compiled model schema. It is immutable and safe for
// concurrent use.
type Schema struct {
	root *node
}

// SchemaError reports a model schema that cannot be used.
type SchemaError struct {
	// Pointer is the JSON Pointer of the offending keyword.
	Pointer string
	Msg     string
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("invalid model schema at %q: %s", e.Pointer, e.Msg)
}

type bound struct {
	val       number
	exclusive bool
}

type patternProperty struct {
	src    string
	re     *regexp.Regexp
	schema *node
}

type dependency struct {
	props  []string // property dependency
	schema *node    // schema dependency
}

// node is one compiled (sub)schema.
type node struct {
	ptr string
	ref *node // draft 4: a $ref replaces the whole schema

	types    []string
	enum     []any
	hasEnum  bool
	format   string
	minimum  *bound
	maximum  *bound
	multiple *bound

	minLength, maxLength int // -1 when absent
	pattern              *regexp.Regexp
	patternSrc           string

	items           *node
	itemsList       []*node
	itemsIsList     bool
	additionalItems *node
	noAddItems      bool
	minItems        int
	maxItems        int
	uniqueItems     bool

	properties     map[string]*node
	patternProps   []patternProperty
	additionalProp *node
	noAddProps     bool
	required       []string
	minProps       int
	maxProps       int
	dependencies   map[string]dependency
	depOrder       []string

	allOf, anyOf, oneOf []*node
	not                 *node
}

type document struct {
	uri  string
	root any
}

type compiler struct {
	load  Loader
	docs  map[string]*document
	nodes map[string]*node // by document URI + "#" + pointer
}

// Compile compiles an API Gateway model schema (JSON Schema draft 4). load
// resolves $ref values to other documents; it may be nil when the model
// only references itself.
func Compile(model []byte, load Loader) (*Schema, error) {
	root, err := decode(model)
	if err != nil {
		return nil, &SchemaError{Pointer: "", Msg: "not JSON: " + err.Error()}
	}
	if _, ok := root.(*object); !ok {
		return nil, &SchemaError{Pointer: "", Msg: "a schema must be a JSON object"}
	}
	c := &compiler{load: load, docs: map[string]*document{}, nodes: map[string]*node{}}
	doc := &document{uri: "", root: root}
	c.docs[""] = doc
	n, err := c.compileAt(doc, "")
	if err != nil {
		return nil, err
	}
	for _, nd := range c.nodes {
		seen := map[*node]bool{}
		for x := nd; x.ref != nil; x = x.ref {
			if seen[x] {
				return nil, &SchemaError{Pointer: nd.ptr, Msg: "$ref loop"}
			}
			seen[x] = true
		}
	}
	return &Schema{root: n}, nil
}

func (c *compiler) compileAt(doc *document, ptr string) (*node, error) {
	key := doc.uri + "#" + ptr
	if n, ok := c.nodes[key]; ok {
		return n, nil
	}
	v, err := resolvePointer(doc.root, ptr)
	if err != nil {
		return nil, &SchemaError{Pointer: ptr, Msg: err.Error()}
	}
	obj, ok := v.(*object)
	if !ok {
		return nil, &SchemaError{Pointer: ptr, Msg: "a schema must be a JSON object"}
	}
	if strings.Count(ptr, "/") > maxDepth {
		return nil, &SchemaError{Pointer: ptr, Msg: "schema nested too deeply"}
	}
	n := &node{ptr: ptr, minLength: -1, maxLength: -1, maxItems: -1, maxProps: -1}
	c.nodes[key] = n
	if err := c.fill(doc, n, obj); err != nil {
		return nil, err
	}
	return n, nil
}

func resolvePointer(root any, ptr string) (any, error) {
	if ptr == "" {
		return root, nil
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, fmt.Errorf("bad JSON Pointer %q", ptr)
	}
	cur := root
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := cur.(type) {
		case *object:
			v, ok := x.get(tok)
			if !ok {
				return nil, fmt.Errorf("JSON Pointer %q does not resolve", ptr)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("JSON Pointer %q does not resolve", ptr)
			}
			cur = x[i]
		default:
			return nil, fmt.Errorf("JSON Pointer %q does not resolve", ptr)
		}
	}
	return cur, nil
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (c *compiler) fill(doc *document, n *node, obj *object) error {
	fail := func(kw, format string, args ...any) error {
		return &SchemaError{Pointer: n.ptr + "/" + escapeToken(kw), Msg: fmt.Sprintf(format, args...)}
	}
	sub := func(kw string, v any, path string) (*node, error) {
		if _, ok := v.(*object); !ok {
			return nil, fail(kw, "must be a schema (a JSON object)")
		}
		return c.compileAt(doc, n.ptr+"/"+path)
	}
	if r, ok := obj.get("$ref"); ok {
		s, ok := r.(string)
		if !ok {
			return fail("$ref", "must be a string")
		}
		target, err := c.resolveRef(doc, s)
		if err != nil {
			return fail("$ref", "%v", err)
		}
		n.ref = target
		return nil
	}
	nonNegInt := func(kw string) (int, bool, error) {
		v, ok := obj.get(kw)
		if !ok {
			return 0, false, nil
		}
		num, isNum := v.(number)
		if !isNum || !num.isInteger() {
			return 0, false, fail(kw, "must be a non-negative integer")
		}
		i, err := strconv.Atoi(string(num))
		if err != nil || i < 0 {
			return 0, false, fail(kw, "must be a non-negative integer")
		}
		return i, true, nil
	}
	var err error
	if v, ok := obj.get("type"); ok {
		var names []string
		switch t := v.(type) {
		case string:
			names = []string{t}
		case []any:
			for _, x := range t {
				s, ok := x.(string)
				if !ok {
					return fail("type", "must be a string or an array of strings")
				}
				names = append(names, s)
			}
		default:
			return fail("type", "must be a string or an array of strings")
		}
		set := map[string]bool{}
		for _, s := range names {
			switch s {
			case "array", "boolean", "integer", "null", "number", "object", "string":
				set[s] = true
			default:
				return fail("type", "unknown type %q", s)
			}
		}
		if set["number"] {
			set["integer"] = true // a number schema accepts integers
		}
		for s := range set {
			n.types = append(n.types, s)
		}
		sort.Strings(n.types)
	}
	if v, ok := obj.get("enum"); ok {
		arr, isArr := v.([]any)
		if !isArr || len(arr) == 0 {
			return fail("enum", "must be a non-empty array")
		}
		n.enum, n.hasEnum = arr, true
	}
	if v, ok := obj.get("format"); ok {
		s, isStr := v.(string)
		if !isStr {
			return fail("format", "must be a string")
		}
		n.format = s
	}
	numBound := func(kw, excl string) (*bound, error) {
		v, ok := obj.get(kw)
		if !ok {
			if _, has := obj.get(excl); has {
				return nil, fail(excl, "requires %s", kw)
			}
			return nil, nil
		}
		num, isNum := v.(number)
		if !isNum {
			return nil, fail(kw, "must be a number")
		}
		b := &bound{val: num}
		if e, has := obj.get(excl); has {
			eb, isBool := e.(bool)
			if !isBool {
				return nil, fail(excl, "must be a boolean")
			}
			b.exclusive = eb
		}
		return b, nil
	}
	if n.minimum, err = numBound("minimum", "exclusiveMinimum"); err != nil {
		return err
	}
	if n.maximum, err = numBound("maximum", "exclusiveMaximum"); err != nil {
		return err
	}
	if v, ok := obj.get("multipleOf"); ok {
		num, isNum := v.(number)
		if d := num.decimal(); !isNum || d.neg || d.digits == "" {
			return fail("multipleOf", "must be a number greater than 0")
		}
		n.multiple = &bound{val: num}
	}
	if i, ok, err := nonNegInt("minLength"); err != nil {
		return err
	} else if ok {
		n.minLength = i
	}
	if i, ok, err := nonNegInt("maxLength"); err != nil {
		return err
	} else if ok {
		n.maxLength = i
	}
	if v, ok := obj.get("pattern"); ok {
		s, isStr := v.(string)
		if !isStr {
			return fail("pattern", "must be a string")
		}
		re, err := compileECMA(s)
		if err != nil {
			return fail("pattern", "%v", err)
		}
		n.pattern, n.patternSrc = re, s
	}
	if v, ok := obj.get("items"); ok {
		switch t := v.(type) {
		case *object:
			if n.items, err = sub("items", t, "items"); err != nil {
				return err
			}
		case []any:
			n.itemsIsList = true
			for i, it := range t {
				s, err := sub("items", it, "items/"+strconv.Itoa(i))
				if err != nil {
					return err
				}
				n.itemsList = append(n.itemsList, s)
			}
		default:
			return fail("items", "must be a schema or an array of schemas")
		}
	}
	if v, ok := obj.get("additionalItems"); ok {
		switch t := v.(type) {
		case bool:
			n.noAddItems = !t
		case *object:
			if n.additionalItems, err = sub("additionalItems", t, "additionalItems"); err != nil {
				return err
			}
		default:
			return fail("additionalItems", "must be a boolean or a schema")
		}
	}
	if i, ok, err := nonNegInt("minItems"); err != nil {
		return err
	} else if ok {
		n.minItems = i
	}
	if i, ok, err := nonNegInt("maxItems"); err != nil {
		return err
	} else if ok {
		n.maxItems = i
	}
	if v, ok := obj.get("uniqueItems"); ok {
		b, isBool := v.(bool)
		if !isBool {
			return fail("uniqueItems", "must be a boolean")
		}
		n.uniqueItems = b
	}
	if v, ok := obj.get("properties"); ok {
		props, isObj := v.(*object)
		if !isObj {
			return fail("properties", "must be an object")
		}
		n.properties = map[string]*node{}
		for _, k := range props.keys {
			s, err := sub("properties", props.vals[k], "properties/"+escapeToken(k))
			if err != nil {
				return err
			}
			n.properties[k] = s
		}
	}
	if v, ok := obj.get("patternProperties"); ok {
		props, isObj := v.(*object)
		if !isObj {
			return fail("patternProperties", "must be an object")
		}
		for _, k := range props.keys {
			re, err := compileECMA(k)
			if err != nil {
				return fail("patternProperties", "%v", err)
			}
			s, err := sub("patternProperties", props.vals[k], "patternProperties/"+escapeToken(k))
			if err != nil {
				return err
			}
			n.patternProps = append(n.patternProps, patternProperty{src: k, re: re, schema: s})
		}
	}
	if v, ok := obj.get("additionalProperties"); ok {
		switch t := v.(type) {
		case bool:
			n.noAddProps = !t
		case *object:
			if n.additionalProp, err = sub("additionalProperties", t, "additionalProperties"); err != nil {
				return err
			}
		default:
			return fail("additionalProperties", "must be a boolean or a schema")
		}
	}
	if v, ok := obj.get("required"); ok {
		arr, isArr := v.([]any)
		if !isArr || len(arr) == 0 {
			return fail("required", "must be a non-empty array of strings")
		}
		seen := map[string]bool{}
		for _, x := range arr {
			s, isStr := x.(string)
			if !isStr {
				return fail("required", "must be a non-empty array of strings")
			}
			if !seen[s] {
				seen[s] = true
				n.required = append(n.required, s)
			}
		}
		// The validator normalises the list (its schema digester sorts it).
		n.required = sortJava(n.required)
	}
	if i, ok, err := nonNegInt("minProperties"); err != nil {
		return err
	} else if ok {
		n.minProps = i
	}
	if i, ok, err := nonNegInt("maxProperties"); err != nil {
		return err
	} else if ok {
		n.maxProps = i
	}
	if v, ok := obj.get("dependencies"); ok {
		deps, isObj := v.(*object)
		if !isObj {
			return fail("dependencies", "must be an object")
		}
		n.dependencies = map[string]dependency{}
		for _, k := range deps.keys {
			switch t := deps.vals[k].(type) {
			case []any:
				var props []string
				for _, x := range t {
					s, isStr := x.(string)
					if !isStr {
						return fail("dependencies", "property dependencies must be strings")
					}
					props = append(props, s)
				}
				n.dependencies[k] = dependency{props: props}
			case *object:
				s, err := sub("dependencies", t, "dependencies/"+escapeToken(k))
				if err != nil {
					return err
				}
				n.dependencies[k] = dependency{schema: s}
			default:
				return fail("dependencies", "must map to an array or a schema")
			}
			n.depOrder = append(n.depOrder, k)
		}
		n.depOrder = sortJava(n.depOrder)
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		v, ok := obj.get(kw)
		if !ok {
			continue
		}
		arr, isArr := v.([]any)
		if !isArr || len(arr) == 0 {
			return fail(kw, "must be a non-empty array of schemas")
		}
		var list []*node
		for i, it := range arr {
			s, err := sub(kw, it, kw+"/"+strconv.Itoa(i))
			if err != nil {
				return err
			}
			list = append(list, s)
		}
		switch kw {
		case "allOf":
			n.allOf = list
		case "anyOf":
			n.anyOf = list
		default:
			n.oneOf = list
		}
	}
	if v, ok := obj.get("not"); ok {
		if n.not, err = sub("not", v, "not"); err != nil {
			return err
		}
	}
	return nil
}

// resolveRef resolves a $ref against the document it appears in.
func (c *compiler) resolveRef(doc *document, ref string) (*node, error) {
	uri, frag, _ := strings.Cut(ref, "#")
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	target := doc
	if uri != "" && uri != doc.uri {
		if d, ok := c.docs[uri]; ok {
			target = d
		} else {
			if c.load == nil {
				return nil, fmt.Errorf("cannot resolve %q: no loader for other documents", ref)
			}
			data, err := c.load(uri)
			if err != nil {
				return nil, fmt.Errorf("cannot load %q: %w", uri, err)
			}
			root, err := decode(data)
			if err != nil {
				return nil, fmt.Errorf("%q is not JSON: %w", uri, err)
			}
			target = &document{uri: uri, root: root}
			c.docs[uri] = target
		}
	}
	return c.compileAt(target, frag)
}

// compileECMA compiles an ECMA 262 pattern with Go's RE2, which accepts the
// common subset; look-around and back-references are rejected.
func compileECMA(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(p)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("regular expression %q is not supported: %s", p, se.Code)
		}
		return nil, err
	}
	return re, nil
}
