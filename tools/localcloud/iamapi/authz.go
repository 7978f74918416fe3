package iamapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Check is one authorization question: may Principal perform Action on
// Resource?
type Check struct {
	// Principal is the caller (iam.PrincipalFrom on the request context).
	Principal iam.Principal
	// Service, when set, makes the caller a service principal
	// ("sns.amazonaws.com") instead of Principal.
	Service string
	// Action is "service:Operation", e.g. "sqs:SendMessage".
	Action string
	// Resource is the target's ARN.
	Resource string
	// Context holds request condition keys: aws:SecureTransport,
	// aws:SourceIp, aws:SourceArn, aws:SourceAccount, aws:RequestedRegion
	// and service keys (sqs:..., lambda:FunctionArn).
	Context map[string][]string
	// ResourcePolicy is the target's resource-based policy document (queue
	// Policy attribute, topic Policy, function policy); empty for none.
	ResourcePolicy string
}

// Authorize evaluates c against the caller's role policies (inline and
// attached managed policies' default versions, and its permissions
// boundary) and the resource policy, and logs which statement decided.
// A malformed resource policy is ignored (logged), as it grants nothing.
func (s *Service) Authorize(ctx context.Context, c Check) policy.Decision {
	in := s.input(c)
	if c.ResourcePolicy != "" {
		doc, err := s.docCache.parse(c.ResourcePolicy)
		if err != nil {
			s.cfg.Logger.Warn("iam: ignoring malformed resource policy", "resource", c.Resource, "err", err)
		} else {
			in.Resource = &policy.Policy{Type: policy.ResourceBased, Name: c.Resource, Document: doc}
		}
	}
	return s.decide(ctx, c, in)
}

// input is the evaluation input for c without its resource policy.
func (s *Service) input(c Check) policy.Input {
	in := policy.Input{Request: policy.Request{Action: c.Action, Resource: c.Resource, Time: s.cfg.Clock.Now(), Context: c.Context}}
	if c.Service != "" {
		in.Request.Principal = policy.Principal{Service: c.Service}
		return in
	}
	in.Request.Principal = policy.Principal{ARN: c.Principal.ARN, Account: c.Principal.Account, UserID: c.Principal.UserID, Root: c.Principal.Root}
	if !c.Principal.Root {
		s.identityPolicies(c.Principal, &in)
	}
	return in
}

// decide evaluates and logs the decision (Info for denials, Debug for
// allows).
func (s *Service) decide(ctx context.Context, c Check, in policy.Input) policy.Decision {
	d := policy.Evaluate(in)
	level := slog.LevelDebug
	if !d.Allowed() {
		level = slog.LevelInfo
	}
	if s.cfg.Logger.Enabled(ctx, level) {
		s.cfg.Logger.Log(ctx, level, "iam decision", "principal", principalName(c), "action", c.Action,
			"resource", c.Resource, "decision", d.String())
	}
	return d
}

func principalName(c Check) string {
	if c.Service != "" {
		return c.Service
	}
	return c.Principal.ARN
}

// identityPolicies fills in the role policies of an assumed-role session.
func (s *Service) identityPolicies(p iam.Principal, in *policy.Input) {
	roleName, ok := sessionRole(p.ARN)
	if !ok {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.roles[strings.ToLower(roleName)]
	// A deleted role's sessions keep no permissions, not even when a role
	// of the same name is created again: sessions belong to the role's
	// unique ID (the first part of aws:userid), as in AWS.
	if !ok || (p.UserID != "" && !strings.HasPrefix(p.UserID, r.ID+":")) {
		return
	}
	in.Request.Principal.PrincipalARN = s.roleARN(r)
	for name, doc := range r.inline {
		in.Identity = append(in.Identity, policy.Policy{Type: policy.IdentityBased, Name: name, Document: doc})
	}
	for _, arn := range r.Attached {
		if m, ok := s.policies[arn]; ok {
			in.Identity = append(in.Identity, policy.Policy{Type: policy.IdentityBased, Name: m.Name, ARN: m.ARN, Document: m.defaultDoc})
		}
	}
	if r.Boundary != "" {
		if m, ok := s.policies[r.Boundary]; ok {
			in.Boundary = &policy.Policy{Type: policy.PermissionsBoundary, Name: m.Name, ARN: m.ARN, Document: m.defaultDoc}
		}
	}
}

// sessionRole returns the role name of an assumed-role session ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
func sessionRole(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "sts" {
		return "", false
	}
	rest, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if !ok {
		return "", false
	}
	role, _, ok := strings.Cut(rest, "/")
	return role, ok
}

// AssumeRoleInput asks for session credentials of a role on behalf of a
// service or of an IAM principal.
type AssumeRoleInput struct {
	// RoleARN is the role to assume.
	RoleARN string
	// Service is the service principal assuming it
	// ("lambda.amazonaws.com", "apigateway.amazonaws.com").
	Service string
	// Caller, when set instead of Service, is the IAM principal calling
	// sts:AssumeRole (an STS API request, role chaining): the trust policy
	// and, within the account, the caller's identity policies decide. The
	// root user is allowed, as everywhere in localcloud (AWS refuses it).
	Caller *iam.Principal
	// SessionName names the session (the function name for Lambda).
	SessionName string
	// Duration defaults to one hour and is capped by the role's
	// MaxSessionDuration.
	Duration time.Duration
	// Ephemeral sessions live in memory only and end with this localcloud
	// process. Lambda asks for them: an execution environment does not outlive
	// the localcloud that started it, and one orphaned by a crash must not keep
	// calling (and acting twice on work the restarted localcloud redelivers).
	Ephemeral bool
	// Context carries trust-policy condition keys such as aws:SourceArn and
	// aws:SourceAccount.
	Context map[string][]string
}

// Session is a role session's temporary credentials.
type Session struct {
	Credential iam.Credential
	Expiration time.Time
}

// DeniedError is returned when a policy denies a request; its message is
// AWS's AccessDenied message.
type DeniedError struct {
	Decision policy.Decision
}

// Error implements error.
func (e *DeniedError) Error() string { return e.Decision.Message() }

// ErrNoSuchRole is returned by AssumeRole for an unknown role.
var ErrNoSuchRole = errors.New("no such role")

// AssumeRole mints session credentials (ASIA... key, secret, session token)
// for a role whose trust policy lets in.Service assume it, and stores them so
// that they survive a restart until they expire.
func (s *Service) AssumeRole(ctx context.Context, in AssumeRoleInput) (*Session, error) {
	s.mu.RLock()
	r, ok := s.roleByARN(in.RoleARN)
	var roleName, roleID string
	var trust *policy.Document
	var maxSession int
	if ok {
		roleName, roleID, trust, maxSession = r.Name, r.ID, r.trust, r.MaxSessionDuration
	}
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("assume role %s: %w", in.RoleARN, ErrNoSuchRole)
	}
	c := Check{Service: in.Service, Action: "sts:AssumeRole", Resource: in.RoleARN, Context: in.Context}
	if in.Caller != nil {
		c.Service, c.Principal = "", *in.Caller
	}
	pin := s.input(c)
	pin.Resource = &policy.Policy{Type: policy.ResourceBased, Name: "trust policy of " + roleName, Document: trust}
	pin.ResourceMustAllow = true
	d := s.decide(ctx, c, pin)
	if !d.Allowed() {
		return nil, &DeniedError{Decision: d}
	}
	dur := in.Duration
	if dur <= 0 {
		dur = defaultSessionTime
	}
	if limit := time.Duration(maxSession) * time.Second; limit > 0 && dur > limit {
		dur = limit
	}
	name := in.SessionName
	if name == "" {
		name = "localcloud"
	}
	if len(name) < 2 || len(name) > 64 || !nameRE.MatchString(name) {
		return nil, errValidation(name, "roleSessionName", "Member must satisfy regular expression pattern: "+namePattern)
	}
	now := s.cfg.Clock.Now()
	sess := &sessionRecord{
		AccessKeyID: "ASIA" + base32ID(s.randomBytes(16))[:16],
		Secret:      base64.StdEncoding.EncodeToString(s.randomBytes(30)),
		Token:       base64.StdEncoding.EncodeToString(append([]byte("localcloud-session:"), s.randomBytes(96)...)),
		Expires:     now.Add(dur).UnixMilli(),
		RoleARN:     in.RoleARN, RoleName: roleName, RoleID: roleID, SessionName: name,
	}
	if err := s.storeSession(sess, now, !in.Ephemeral); err != nil {
		return nil, err
	}
	return &Session{Credential: s.sessionCredential(sess), Expiration: time.UnixMilli(sess.Expires).UTC()}, nil
}

// RoleSession is the principal a session of roleARN named session would be (a service
// acting with the role, such as Lambda's event source mappings); ok is false when no
// such role exists.
func (s *Service) RoleSession(roleARN, session string) (p iam.Principal, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.roleByARN(roleARN)
	if !ok {
		return iam.Principal{}, false
	}
	return iam.Principal{Account: s.cfg.Account, ARN: "arn:aws:sts::" + s.cfg.Account + ":assumed-role/" + r.Name + "/" + session,
		UserID: r.ID + ":" + session}, true
}

// roleByARN finds a role by its ARN (path included); the caller holds s.mu.
func (s *Service) roleByARN(arn string) (*roleRecord, bool) {
	i := strings.LastIndexByte(arn, '/')
	if i < 0 {
		return nil, false
	}
	r, ok := s.roles[strings.ToLower(arn[i+1:])]
	if !ok || s.roleARN(r) != arn {
		return nil, false
	}
	return r, true
}

// storeSession keeps sess (persisting it when durable) and forgets sessions that
// have expired.
func (s *Service) storeSession(sess *sessionRecord, now time.Time, durable bool) error {
	data, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	var expired []string
	for id, old := range s.sessions {
		if old.Expires <= now.UnixMilli() {
			expired = append(expired, id)
		}
	}
	if durable || len(expired) > 0 {
		err = s.cfg.Store.Update(func(tx store.Tx) error {
			for _, id := range expired {
				if err := tx.Delete(bucketSessions, []byte(id)); err != nil {
					return err
				}
			}
			if !durable {
				return nil
			}
			return tx.Put(bucketSessions, []byte(sess.AccessKeyID), data)
		})
	}
	if err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	for _, id := range expired {
		delete(s.sessions, id)
	}
	s.sessions[sess.AccessKeyID] = sess
	return nil
}

func (s *Service) sessionCredential(sess *sessionRecord) iam.Credential {
	return iam.Credential{
		AccessKeyID:     sess.AccessKeyID,
		SecretAccessKey: sess.Secret,
		SessionToken:    sess.Token,
		Principal: iam.Principal{
			Account:     s.cfg.Account,
			ARN:         "arn:aws:sts::" + s.cfg.Account + ":assumed-role/" + sess.RoleName + "/" + sess.SessionName,
			UserID:      sess.RoleID + ":" + sess.SessionName,
			AccessKeyID: sess.AccessKeyID,
		},
	}
}

// Credentials is an iam.CredentialSource that knows the long-term keys of
// another source (the root credentials) and the unexpired role sessions
// minted by AssumeRole.
type Credentials struct {
	svc  *Service
	next iam.CredentialSource
}

// CredentialSource returns a source consulting next (may be nil) first and
// then the role sessions.
func (s *Service) CredentialSource(next iam.CredentialSource) *Credentials {
	return &Credentials{svc: s, next: next}
}

// LookupAccessKey implements iam.CredentialSource. Expired sessions are
// unknown keys.
func (c *Credentials) LookupAccessKey(ctx context.Context, id string) (iam.Credential, bool, error) {
	if c.next != nil {
		cred, ok, err := c.next.LookupAccessKey(ctx, id)
		if err != nil || ok {
			return cred, ok, err
		}
	}
	s := c.svc
	s.sessMu.RLock()
	sess, ok := s.sessions[id]
	s.sessMu.RUnlock()
	if !ok || sess.Expires <= s.cfg.Clock.Now().UnixMilli() {
		return iam.Credential{}, false, nil
	}
	return s.sessionCredential(sess), true, nil
}

// docCache keeps parsed resource policies by text so that hot paths (every
// SendMessage checks the queue policy) do not parse JSON each time.
type docCache struct {
	mu   sync.Mutex
	max  int
	docs map[string]cachedDoc
}

type cachedDoc struct {
	doc *policy.Document
	err error
}

func newDocCache(max int) *docCache { return &docCache{max: max, docs: map[string]cachedDoc{}} }

func (c *docCache) parse(text string) (*policy.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.docs[text]; ok {
		return d.doc, d.err
	}
	doc, err := policy.Parse(text, policy.Resource)
	if len(c.docs) >= c.max {
		clear(c.docs) // simple bound; resource policies change rarely
	}
	c.docs[text] = cachedDoc{doc: doc, err: err}
	return doc, err
}
