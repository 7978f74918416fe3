package provision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/cfn/template"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

// Request is one resource operation handed to a provider.
type Request struct {
	StackName, StackID, LogicalID, Type string
	// Region and Account are the stack's, for ARNs the provider builds.
	Region, Account string
	// PhysicalID is the resource's current physical ID (Update, Delete).
	PhysicalID string
	// Properties are the desired, fully resolved properties (Create,
	// Update); OldProperties the current ones (Update, Delete).
	Properties, OldProperties map[string]any
	// Attributes are the current GetAtt attributes (Update, Delete).
	Attributes map[string]any
	// Suffix is a random 13-character suffix for generated physical names.
	Suffix string
	// StackTags are the stack's tags, which CloudFormation propagates to
	// every resource that takes tags; OldStackTags are the ones the
	// resource got before (Update).
	StackTags, OldStackTags map[string]string
}

// Tags returns the tags the resource should carry: the stack's, overridden
// by the resource's own Tags property.
func (r *Request) Tags() map[string]string {
	return mergeTags(r.StackTags, tagMap(r.Properties["Tags"]))
}

// TagChanges returns the tags to set and the keys to remove for an update.
func (r *Request) TagChanges() (set map[string]string, removed []string) {
	return tagDiff(mergeTags(r.OldStackTags, tagMap(r.OldProperties["Tags"])), r.Tags())
}

func mergeTags(stack, own map[string]string) map[string]string {
	out := make(map[string]string, len(stack)+len(own))
	maps.Copy(out, stack)
	maps.Copy(out, own)
	return out
}

// Result is a provider's answer to Create or Update.
type Result struct {
	// PhysicalID identifies the resource; it is also its Ref value.
	PhysicalID string
	// Attributes are the values Fn::GetAtt returns.
	Attributes map[string]any
}

// Provider creates, updates and deletes one resource type through a
// service's in-process Go API, with the caller's principal in ctx.
type Provider interface {
	Create(ctx context.Context, req *Request) (Result, error)
	// Update changes the resource in place; properties that need
	// replacement never reach it (see Spec.Replacement).
	Update(ctx context.Context, req *Request) (Result, error)
	// Delete removes the resource; a resource that is already gone is
	// not an error.
	Delete(ctx context.Context, req *Request) error
}

// Spec describes a resource type.
type Spec struct {
	Type string
	// Provider is nil for a type that is known but not provisioned yet.
	Provider Provider
	// Properties lists the accepted properties; others are rejected as
	// CloudFormation rejects them. Nil accepts anything.
	Properties []string
	// Replacement lists the properties whose change needs a new physical
	// resource ("Update requires: Replacement" in the AWS resource
	// reference).
	Replacement []string
	// NameProperty is the property that names the resource, if any: a
	// resource with a custom name cannot be replaced.
	NameProperty string
	// Attributes lists what Fn::GetAtt may ask for.
	Attributes []string
	// Capability is the capability a template with this type needs
	// ("CAPABILITY_IAM"); NamedCapability applies when NameProperty is set.
	Capability, NamedCapability string
}

// RequiresReplacement reports whether changing prop replaces the resource.
func (s *Spec) RequiresReplacement(prop string) bool {
	for _, p := range s.Replacement {
		if p == prop {
			return true
		}
	}
	return false
}

// TakesTags reports whether the type has a Tags property, and so receives
// the stack's tags.
func (s *Spec) TakesTags() bool { return slices.Contains(s.Properties, "Tags") }

// HasAttribute reports whether Fn::GetAtt may name attr.
func (s *Spec) HasAttribute(attr string) bool {
	if s.Attributes == nil {
		return true
	}
	for _, a := range s.Attributes {
		if a == attr {
			return true
		}
	}
	return false
}

// CheckProperties rejects properties the type does not have.
func (s *Spec) CheckProperties(props map[string]any) error {
	if s.Properties == nil {
		return nil
	}
	allowed := map[string]bool{}
	for _, p := range s.Properties {
		allowed[p] = true
	}
	var bad []string
	for k := range props {
		if !allowed[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("Encountered unsupported properties in {%s}: [%s]", s.Type, strings.Join(bad, ", "))
	}
	return nil
}

// Registry holds the known resource types.
type Registry struct {
	specs map[string]*Spec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{specs: map[string]*Spec{}} }

// Register adds or replaces a type.
func (r *Registry) Register(s Spec) {
	c := s
	r.specs[s.Type] = &c
}

// Lookup returns the spec of a type.
func (r *Registry) Lookup(typ string) (*Spec, bool) {
	s, ok := r.specs[typ]
	return s, ok
}

// Types lists the registered types in order.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.specs))
	for t := range r.specs {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// PhysicalName builds a name as CloudFormation generates one for a resource
// without a custom name: stack-logical-SUFFIX, shortened to max bytes.
func PhysicalName(req *Request, max int) string {
	stack, logical := req.StackName, req.LogicalID
	suffix := req.Suffix
	budget := max - len(suffix) - 2
	if budget < 2 {
		return suffix[:min(len(suffix), max)]
	}
	for len(stack)+len(logical) > budget {
		if len(stack) >= len(logical) {
			stack = stack[:len(stack)-1]
		} else {
			logical = logical[:len(logical)-1]
		}
	}
	return stack + "-" + logical + "-" + suffix
}

// str returns a property as a string ("" when absent).
func str(props map[string]any, key string) string {
	s, _ := template.String(props[key])
	return s
}

// scalarOrJSON renders a property as the string an API attribute takes:
// scalars as text, objects and lists as JSON.
func scalarOrJSON(v any) (string, error) {
	if s, ok := template.String(v); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode property: %w", err)
	}
	return string(b), nil
}

func boolProp(props map[string]any, key string) (bool, bool) {
	v, ok := props[key]
	if !ok {
		return false, false
	}
	s, _ := template.String(v)
	return strings.EqualFold(s, "true"), true
}

func intProp(props map[string]any, key string) (int64, bool, error) {
	v, ok := props[key]
	if !ok {
		return 0, false, nil
	}
	s, _ := template.String(v)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("Value of property %s must be of type Integer", key)
	}
	return n, true, nil
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := template.String(e); ok {
			out = append(out, s)
		}
	}
	return out
}

// tagMap reads a CloudFormation Tags list ([{Key, Value}]).
func tagMap(v any) map[string]string {
	l, _ := v.([]any)
	out := map[string]string{}
	for _, e := range l {
		m, _ := e.(map[string]any)
		k, _ := template.String(m["Key"])
		val, _ := template.String(m["Value"])
		if k != "" {
			out[k] = val
		}
	}
	return out
}

// changed reports whether a property differs between two property maps.
func changed(a, b map[string]any, key string) bool {
	x, _ := json.Marshal(a[key])
	y, _ := json.Marshal(b[key])
	return string(x) != string(y)
}

// isCode reports whether err is an API error with one of codes.
func isCode(err error, codes ...string) bool {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return false
	}
	for _, c := range codes {
		if pe.Code == c || pe.QueryCode == c {
			return true
		}
	}
	return false
}

// handlerError is a service error worded for a stack event; it unwraps to
// the service's error so callers can still inspect its code.
type handlerError struct {
	msg string
	err error
}

func (e *handlerError) Error() string { return e.msg }
func (e *handlerError) Unwrap() error { return e.err }

// apiMessage words a service error for a stack event: the API's own
// message and code, as CloudFormation shows them.
func apiMessage(service string, err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return &handlerError{err: err, msg: fmt.Sprintf("Resource handler returned message: \"%s\" (Service: %s, Status Code: %d, Error Code: %s)",
			pe.Message, service, pe.Status, pe.WireCode())}
	}
	return err
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func tagDiff(oldTags, newTags map[string]string) (set map[string]string, removed []string) {
	set = map[string]string{}
	for k, v := range newTags {
		if ov, ok := oldTags[k]; !ok || ov != v {
			set[k] = v
		}
	}
	for k := range oldTags {
		if _, ok := newTags[k]; !ok {
			removed = append(removed, k)
		}
	}
	sort.Strings(removed)
	return set, removed
}
