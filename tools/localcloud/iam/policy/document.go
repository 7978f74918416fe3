package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Effect is a statement's effect.
type Effect string

// Effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Kind says where a document is used, which decides the elements it may and
// must carry.
type Kind int

// Kinds of documents.
const (
	// Identity policies (inline, managed, permissions boundaries) must not
	// name a principal and must name resources.
	Identity Kind = iota + 1
	// Resource policies (queue, topic, function policies) must name a
	// principal.
	Resource
	// Trust policies (a role's assume-role policy) must name a principal
	// and must not name resources.
	Trust
)

// Versions of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Document is a parsed policy document.
type Document struct {
	// Version is the policy language version; an absent Version means
	// 2008-10-17, in which policy variables are plain text.
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	Sid    string
	Effect Effect
	// Principal and NotPrincipal are nil when the element is absent.
	Principal    *Principals
	NotPrincipal *Principals
	// Action or NotAction (exactly one is set; NotAction when NotActions).
	Actions    []string
	NotActions bool
	// Resources or NotResource; both empty in trust policies.
	Resources    []string
	NotResources bool
	Conditions   []Condition
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	// Any is "Principal": "*" (or {"AWS": "*"}).
	Any           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// MalformedError is a document that IAM would reject with
// MalformedPolicyDocument; Message is IAM's wording.
type MalformedError struct {
	Message string
}

// Error implements error.
func (e *MalformedError) Error() string { return e.Message }

func malformed(format string, args ...any) *MalformedError {
	return &MalformedError{Message: fmt.Sprintf(format, args...)}
}

// Messages IAM uses for MalformedPolicyDocument (see DECISIONS.md).
const (
	msgSyntax           = "Syntax errors in policy."
	msgLegacy           = "The policy failed legacy parsing"
	msgNoPrincipal      = "Policy document should not specify a principal."
	msgMissingPrincipal = "Missing required field Principal"
	msgNoActions        = "Policy statement must contain actions."
	msgNoResources      = "Policy statement must contain resources."
	msgVendor           = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgSidUnique        = "Statement IDs (SID) in a single policy must be unique."
	msgSidAlnum         = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgProhibitedRes    = "Has prohibited field Resource"
)

var (
	sidRE     = regexp.MustCompile(`^[0-9A-Za-z]*$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	vendorRE  = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

// Parse parses and validates a policy document used as kind.
func Parse(text string, kind Kind) (*Document, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, malformed(msgSyntax)
	}
	if dec.More() {
		return nil, malformed(msgSyntax)
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, malformed(msgSyntax)
	}
	doc := &Document{Version: Version2008}
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok || (s != Version2012 && s != Version2008) {
				return nil, malformed(msgLegacy)
			}
			doc.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, malformed(msgSyntax)
			}
			doc.ID = s
		case "Statement":
		default:
			return nil, malformed(msgSyntax)
		}
	}
	raw, ok := obj["Statement"]
	if !ok {
		return nil, malformed(msgSyntax)
	}
	var list []any
	switch v := raw.(type) {
	case map[string]any:
		list = []any{v}
	case []any:
		list = v
	default:
		return nil, malformed(msgSyntax)
	}
	if len(list) == 0 {
		return nil, malformed(msgSyntax)
	}
	sids := map[string]bool{}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, malformed(msgSyntax)
		}
		st, err := parseStatement(m, kind)
		if err != nil {
			return nil, err
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return nil, malformed(msgSidUnique)
			}
			sids[st.Sid] = true
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

func parseStatement(m map[string]any, kind Kind) (Statement, error) {
	var st Statement
	var hasAction, hasNotAction, hasResource, hasNotResource bool
	for _, k := range sortedKeys(m) {
		v := m[k]
		var err error
		switch k {
		case "Sid":
			s, ok := v.(string)
			if !ok {
				return st, malformed(msgSyntax)
			}
			if kind == Identity && !sidRE.MatchString(s) {
				return st, malformed(msgSidAlnum)
			}
			st.Sid = s
		case "Effect":
			s, ok := v.(string)
			if !ok {
				return st, malformed(msgSyntax)
			}
			if s != string(Allow) && s != string(Deny) {
				return st, malformed("Invalid effect: %s", s)
			}
			st.Effect = Effect(s)
		case "Action", "NotAction":
			hasAction, hasNotAction = hasAction || k == "Action", hasNotAction || k == "NotAction"
			st.Actions, err = parseActions(v)
			st.NotActions = k == "NotAction"
		case "Resource", "NotResource":
			hasResource, hasNotResource = hasResource || k == "Resource", hasNotResource || k == "NotResource"
			st.Resources, err = parseResources(v)
			st.NotResources = k == "NotResource"
		case "Principal":
			st.Principal, err = parsePrincipals(v)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipals(v)
		case "Condition":
			st.Conditions, err = parseConditions(v)
		default:
			return st, malformed(msgSyntax)
		}
		if err != nil {
			return st, err
		}
	}
	if st.Effect == "" {
		return st, malformed("Missing required field Effect")
	}
	if hasAction && hasNotAction || hasResource && hasNotResource || st.Principal != nil && st.NotPrincipal != nil {
		return st, malformed(msgSyntax)
	}
	if !hasAction && !hasNotAction {
		return st, malformed(msgNoActions)
	}
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	switch kind {
	case Identity:
		if hasPrincipal {
			return st, malformed(msgNoPrincipal)
		}
		if !hasResource && !hasNotResource {
			return st, malformed(msgNoResources)
		}
	case Resource:
		if !hasPrincipal {
			return st, malformed(msgMissingPrincipal)
		}
		if !hasResource && !hasNotResource {
			return st, malformed(msgNoResources)
		}
	case Trust:
		if !hasPrincipal {
			return st, malformed(msgMissingPrincipal)
		}
		if hasResource || hasNotResource {
			return st, malformed(msgProhibitedRes)
		}
	}
	return st, nil
}

// stringList accepts a string or a non-empty array of strings.
func stringList(v any) ([]string, bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		if len(t) == 0 {
			return nil, false
		}
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func parseActions(v any) ([]string, error) {
	list, ok := stringList(v)
	if !ok {
		return nil, malformed(msgSyntax)
	}
	for _, a := range list {
		if a == "*" {
			continue
		}
		vendor, name, found := strings.Cut(a, ":")
		if !found || vendor == "" || name == "" {
			return nil, malformed(msgVendor)
		}
		if !vendorRE.MatchString(vendor) {
			return nil, malformed("Action vendor must be fully qualified and cannot contain regexes.")
		}
	}
	return list, nil
}

func parseResources(v any) ([]string, error) {
	list, ok := stringList(v)
	if !ok {
		return nil, malformed(msgSyntax)
	}
	for _, r := range list {
		if r == "*" {
			continue
		}
		parts := strings.SplitN(r, ":", 6)
		if len(parts) < 6 || parts[0] != "arn" || parts[2] == "" {
			return nil, malformed("Resource %s must be in ARN format or \"*\".", r)
		}
	}
	return list, nil
}

func parsePrincipals(v any) (*Principals, error) {
	if s, ok := v.(string); ok {
		if s != "*" {
			return nil, malformed("Invalid principal in policy: %s", quoteJSON(s))
		}
		return &Principals{Any: true}, nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, malformed(msgSyntax)
	}
	p := &Principals{}
	for _, k := range sortedKeys(m) {
		list, ok := stringList(m[k])
		if !ok {
			return nil, malformed(msgSyntax)
		}
		switch k {
		case "AWS":
			for _, a := range list {
				if !validAWSPrincipal(a) {
					return nil, malformed("Invalid principal in policy: \"AWS\":%s", quoteJSON(a))
				}
				if a == "*" {
					p.Any = true
				}
			}
			p.AWS = append(p.AWS, list...)
		case "Service":
			p.Service = append(p.Service, list...)
		case "Federated":
			p.Federated = append(p.Federated, list...)
		case "CanonicalUser":
			p.CanonicalUser = append(p.CanonicalUser, list...)
		default:
			return nil, malformed("Invalid principal in policy: %s", quoteJSON(k))
		}
	}
	return p, nil
}

// validAWSPrincipal accepts "*", an account ID and IAM/STS principal ARNs;
// AWS allows no partial wildcards in principals.
func validAWSPrincipal(a string) bool {
	if a == "*" || accountRE.MatchString(a) {
		return true
	}
	if strings.ContainsAny(a, "*?") {
		return false
	}
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[3] != "" {
		return false
	}
	return (parts[2] == "iam" || parts[2] == "sts") && parts[4] != "" && parts[5] != ""
}

func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
