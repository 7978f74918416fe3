package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Principal is who makes a request.
type Principal struct {
	// ARN names the caller in AccessDenied messages: an IAM user, the root
	// user or an assumed-role session (arn:aws:sts::...:assumed-role/R/S).
	ARN string
	// PrincipalARN is aws:PrincipalArn: for a role session the role's ARN
	// (with its path), which is what a policy's Principal element names.
	// It defaults to ARN.
	PrincipalARN string
	// Account is the principal's 12-digit account ID.
	Account string
	// UserID is aws:userid (RoleId:SessionName for a role session).
	UserID string
	// Root is the account's root user, which is allowed everything.
	Root bool
	// Service names a service principal ("sns.amazonaws.com") acting on
	// its own behalf; ARN is then empty.
	Service string
}

// Request is what is being authorized.
type Request struct {
	Principal Principal
	// Action is "service:Operation", e.g. "sqs:SendMessage".
	Action string
	// Resource is the target's ARN.
	Resource string
	// Time is the request time (aws:CurrentTime, aws:EpochTime).
	Time time.Time
	// Context holds further condition keys, e.g. aws:SourceArn,
	// aws:SourceAccount, aws:SecureTransport, aws:SourceIp,
	// aws:RequestedRegion or service keys such as lambda:FunctionArn.
	// Keys compare case-insensitively and override the keys derived from
	// the principal and time.
	Context map[string][]string
}

// PolicyType says what role a policy plays in an evaluation.
type PolicyType int

// Policy types.
const (
	IdentityBased PolicyType = iota + 1
	ResourceBased
	PermissionsBoundary
)

// String is the policy type as AccessDenied messages name it.
func (t PolicyType) String() string {
	switch t {
	case IdentityBased:
		return "identity-based policy"
	case ResourceBased:
		return "resource-based policy"
	case PermissionsBoundary:
		return "permissions boundary"
	}
	return "policy"
}

// Policy is a document with the name it is known by.
type Policy struct {
	Type PolicyType
	// Name is the inline policy's or managed policy's name.
	Name string
	// ARN is set for managed policies.
	ARN      string
	Document *Document
}

// Input is everything one evaluation looks at.
type Input struct {
	Request Request
	// Identity holds the principal's identity-based policies (inline and
	// attached managed policies).
	Identity []Policy
	// Resource is the target's resource-based policy, if any.
	Resource *Policy
	// Boundary is the principal's permissions boundary, if any.
	Boundary *Policy
	// ResourceMustAllow marks the resource policy as one that must allow
	// even within the account: role trust policies (and KMS key policies)
	// are AWS's documented exceptions to "an allow in either suffices".
	// A trust policy naming the caller's account then also needs an
	// identity-based allow.
	ResourceMustAllow bool
}

// Outcome is the result of an evaluation.
type Outcome int

// Outcomes.
const (
	Allowed Outcome = iota + 1
	ExplicitDeny
	ImplicitDeny
)

// String names the outcome.
func (o Outcome) String() string {
	switch o {
	case Allowed:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	case ImplicitDeny:
		return "ImplicitDeny"
	}
	return "Unknown"
}

// StatementRef names the statement that decided.
type StatementRef struct {
	PolicyType PolicyType
	PolicyName string
	PolicyARN  string
	Sid        string
	// Index is the statement's position in its policy, from 0.
	Index  int
	Effect Effect
}

// String names the policy, the statement (Sid, or #index) and its effect.
func (r StatementRef) String() string {
	name := r.PolicyName
	if r.PolicyARN != "" {
		name = r.PolicyARN
	}
	if name == "" {
		name = "(unnamed)"
	}
	sid := r.Sid
	if sid == "" {
		sid = "#" + strconv.Itoa(r.Index)
	}
	return fmt.Sprintf("%s %s statement %s (%s)", r.PolicyType, name, sid, r.Effect)
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Outcome Outcome
	// Statement is the statement that decided: the matching Deny, or the
	// Allow that granted access. It is nil for the root user and for
	// implicit denies.
	Statement *StatementRef
	// Missing is the policy type whose lack of an Allow caused an implicit
	// deny.
	Missing PolicyType
	Request Request
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Outcome == Allowed }

// Message is AWS's AccessDenied message for a denied request, e.g.
// "User: arn:aws:sts::000000000000:assumed-role/R/S is not authorized to
// perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:q
// because no identity-based policy allows the sqs:SendMessage action".
// It is empty when the request is allowed.
func (d Decision) Message() string {
	who := d.Request.Principal.ARN
	if who == "" {
		who = d.Request.Principal.Service
	}
	head := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", who, d.Request.Action, d.Request.Resource)
	switch d.Outcome {
	case ExplicitDeny:
		article := "a "
		if d.Statement.PolicyType == IdentityBased {
			article = "an "
		}
		msg := head + " with an explicit deny in " + article + d.Statement.PolicyType.String()
		// AWS names the denying policy's ARN for managed identity-based
		// policies and boundaries in the same account (2025 change); inline
		// and resource-based policies have no ARN to name.
		if d.Statement.PolicyARN != "" && d.Statement.PolicyType != ResourceBased {
			msg += ": " + d.Statement.PolicyARN
		}
		return msg
	case ImplicitDeny:
		return fmt.Sprintf("%s because no %s allows the %s action", head, d.Missing, d.Request.Action)
	}
	return ""
}

// String explains the decision for a log line.
func (d Decision) String() string {
	switch {
	case d.Outcome == Allowed && d.Statement == nil:
		return "Allow: root user"
	case d.Statement != nil:
		return d.Outcome.String() + " by " + d.Statement.String()
	default:
		return fmt.Sprintf("ImplicitDeny: no %s allows %s on %s", d.Missing, d.Request.Action, d.Request.Resource)
	}
}

// principalMatch says how a Principal element matched the caller.
type principalMatch int

const (
	noMatch principalMatch = iota
	// byAccount: the caller's account is named; within that account this
	// delegates to identity-based policies rather than granting.
	byAccount
	// byRole: the caller's role (not the session) is named.
	byRole
	// byAny: "*" or a NotPrincipal that excludes someone else.
	byAny
	// byService: the caller is the named service principal.
	byService
	// direct: the caller's own ARN (user or role session) is named.
	direct
)

type hit struct {
	ref   StatementRef
	match principalMatch
}

// Evaluate decides in as AWS's policy evaluation logic does.
func Evaluate(in Input) Decision {
	req := in.Request
	d := Decision{Request: req}
	if req.Principal.Root {
		d.Outcome = Allowed
		return d
	}
	ctx := newRequestContext(req)
	var idAllow, bAllow, resAllow *hit
	check := func(p *Policy) *hit {
		deny, allow := p.scan(req, ctx)
		if deny != nil {
			d.Outcome, d.Statement = ExplicitDeny, &deny.ref
			return nil
		}
		return allow
	}
	for i := range in.Identity {
		h := check(&in.Identity[i])
		if d.Outcome == ExplicitDeny {
			return d
		}
		if idAllow == nil {
			idAllow = h
		}
	}
	if in.Boundary != nil {
		bAllow = check(in.Boundary)
		if d.Outcome == ExplicitDeny {
			return d
		}
	}
	if in.Resource != nil {
		resAllow = check(in.Resource)
		if d.Outcome == ExplicitDeny {
			return d
		}
	}
	cross := crossAccount(req)
	boundaryOK := in.Boundary == nil || bAllow != nil
	identityOK := idAllow != nil && boundaryOK
	// Naming one's own account in a resource policy delegates to the
	// identity-based policies instead of granting.
	delegates := resAllow != nil && resAllow.match == byAccount && !cross
	// A resource policy naming the session or user itself is not limited
	// by the boundary; one naming the role or everyone is.
	resourceOK := resAllow != nil && !delegates && (boundaryOK || resAllow.match == direct)
	switch {
	case in.ResourceMustAllow && !cross && resourceOK:
		d.Outcome, d.Statement = Allowed, &resAllow.ref
	case in.ResourceMustAllow && !cross && delegates && identityOK:
		d.Outcome, d.Statement = Allowed, &idAllow.ref
	case in.ResourceMustAllow && !cross:
		d.Outcome = ImplicitDeny
		d.Missing = ResourceBased
		if delegates {
			d.Missing = IdentityBased
		}
	case cross && identityOK && resAllow != nil:
		d.Outcome, d.Statement = Allowed, &idAllow.ref
	case !cross && identityOK:
		d.Outcome, d.Statement = Allowed, &idAllow.ref
	case !cross && resourceOK:
		d.Outcome, d.Statement = Allowed, &resAllow.ref
	default:
		d.Outcome = ImplicitDeny
		switch {
		case req.Principal.Service != "":
			d.Missing = ResourceBased
		case !boundaryOK && (idAllow != nil || resAllow != nil):
			d.Missing = PermissionsBoundary
		case cross && idAllow != nil:
			d.Missing = ResourceBased
		default:
			d.Missing = IdentityBased
		}
	}
	return d
}

func crossAccount(req Request) bool {
	account := arnPart(req.Resource, 4)
	return account != "" && req.Principal.Account != "" && account != req.Principal.Account
}

// arnPart returns the i-th colon-separated part of an ARN (0-4), or "".
func arnPart(arn string, i int) string {
	for ; i > 0; i-- {
		j := strings.IndexByte(arn, ':')
		if j < 0 {
			return ""
		}
		arn = arn[j+1:]
	}
	if j := strings.IndexByte(arn, ':'); j >= 0 {
		return arn[:j]
	}
	return ""
}

// scan returns the first applicable Deny and the first applicable Allow.
func (p *Policy) scan(req Request, ctx *requestContext) (deny, allow *hit) {
	if p.Document == nil {
		return nil, nil
	}
	vars := p.Document.Version == Version2012
	for i := range p.Document.Statements {
		st := &p.Document.Statements[i]
		m, ok := st.applies(req, ctx, vars, p.Type == ResourceBased)
		if !ok {
			continue
		}
		h := &hit{match: m, ref: StatementRef{PolicyType: p.Type, PolicyName: p.Name, PolicyARN: p.ARN, Sid: st.Sid, Index: i, Effect: st.Effect}}
		if st.Effect == Deny {
			return h, nil
		}
		// Prefer an allow that grants by itself over one naming the
		// caller's own account, which only delegates to identity policies.
		if allow == nil || (allow.match == byAccount && m != byAccount) {
			allow = h
		}
	}
	return nil, allow
}

func (st *Statement) applies(req Request, ctx *requestContext, vars, checkPrincipal bool) (principalMatch, bool) {
	m := direct
	if checkPrincipal {
		switch {
		case st.Principal != nil:
			m = st.Principal.match(req.Principal)
		case st.NotPrincipal != nil:
			if st.NotPrincipal.match(req.Principal) == noMatch {
				m = byAny
			} else {
				m = noMatch
			}
		default:
			m = noMatch
		}
		if m == noMatch {
			return noMatch, false
		}
	}
	if !st.matchesAction(req.Action) || !st.matchesResource(req.Resource, ctx, vars) {
		return noMatch, false
	}
	for i := range st.Conditions {
		if !st.Conditions[i].eval(ctx, vars) {
			return noMatch, false
		}
	}
	return m, true
}

func (st *Statement) matchesAction(action string) bool {
	found := false
	for _, a := range st.Actions {
		if actionMatch(a, action) {
			found = true
			break
		}
	}
	return found != st.NotActions
}

func (st *Statement) matchesResource(resource string, ctx *requestContext, vars bool) bool {
	if len(st.Resources) == 0 {
		return true // trust policies name no resource
	}
	found := false
	for _, r := range st.Resources {
		pat, ok := expand(r, vars, ctx)
		if ok && arnMatch(pat, resource) {
			found = true
			break
		}
	}
	return found != st.NotResources
}

func (p *Principals) match(who Principal) principalMatch {
	if p.Any {
		return byAny
	}
	if who.Service != "" {
		for _, s := range p.Service {
			if strings.EqualFold(s, who.Service) {
				return byService
			}
		}
		return noMatch
	}
	best := noMatch
	principalARN := who.PrincipalARN
	if principalARN == "" {
		principalARN = who.ARN
	}
	for _, a := range p.AWS {
		var m principalMatch
		switch {
		case a == who.ARN && who.ARN != "":
			m = direct
		case a == principalARN && principalARN != "":
			m = byRole
		case who.Account != "" && (a == who.Account || a == "arn:aws:iam::"+who.Account+":root"):
			m = byAccount
		}
		if m > best {
			best = m
		}
	}
	return best
}

// requestContext answers condition keys for one request: the caller's keys
// first, then the keys derived from the principal and the time. It is lazy
// because most statements have no conditions or variables.
type requestContext struct {
	req *Request
}

func newRequestContext(req Request) *requestContext { return &requestContext{req: &req} }

func (c *requestContext) get(key string) ([]string, bool) {
	for k, v := range c.req.Context {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	v, ok := c.derived(strings.ToLower(key))
	if !ok {
		return nil, false
	}
	return []string{v}, true
}

// derived returns the global condition keys the request itself defines.
func (c *requestContext) derived(key string) (string, bool) {
	p := c.req.Principal
	principalARN := p.PrincipalARN
	if principalARN == "" {
		principalARN = p.ARN
	}
	service := p.Service != ""
	switch key {
	case "aws:principalservicename":
		return p.Service, service
	case "aws:principalisawsservice":
		return strconv.FormatBool(service), true
	case "aws:principalarn":
		return principalARN, !service && principalARN != ""
	case "aws:principalaccount":
		return p.Account, !service && p.Account != ""
	case "aws:userid":
		return p.UserID, !service && p.UserID != ""
	case "aws:username":
		kind, name := arnKind(p.ARN)
		return name, !service && kind == "user"
	case "aws:principaltype":
		switch kind, _ := arnKind(p.ARN); {
		case service:
			return "", false
		case kind == "user":
			return "User", true
		case kind == "assumed-role":
			return "AssumedRole", true
		case kind == "federated-user":
			return "FederatedUser", true
		case kind == "root":
			return "Account", true
		}
	case "aws:currenttime":
		return c.req.Time.UTC().Format(time.RFC3339), !c.req.Time.IsZero()
	case "aws:epochtime":
		return strconv.FormatInt(c.req.Time.Unix(), 10), !c.req.Time.IsZero()
	}
	return "", false
}

// arnKind returns the principal kind of an IAM/STS ARN ("user",
// "assumed-role", "root", ...) and the user name for users.
func arnKind(arn string) (kind, name string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return "", ""
	}
	res := parts[5]
	if res == "root" {
		return "root", ""
	}
	kind, rest, _ := strings.Cut(res, "/")
	if kind == "user" {
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			rest = rest[i+1:]
		}
		return kind, rest
	}
	return kind, ""
}
