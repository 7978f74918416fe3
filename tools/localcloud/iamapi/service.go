package iamapi

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/ids"
	"github.com/orderflow/orderflow/tools/localcloud/server"
	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// Config wires the IAM service.
type Config struct {
	Store store.Store
	Clock clock.Clock
	// IDs draws role and policy IDs and session credentials.
	IDs *ids.Source
	// Account is the 12-digit account ID.
	Account string
	Logger  *slog.Logger
}

const (
	bucketRoles    = "iam.roles"
	bucketPolicies = "iam.policies"
	bucketSessions = "iam.sessions"

	defaultMaxItems     = 100
	maxPolicyVersions   = 5
	maxAttachedPolicies = 10
	maxTagsPerRole      = 50
	// Quotas on policy size, counted without whitespace.
	maxRoleInlineChars = 10240
	maxManagedChars    = 6144
	defaultSessionTime = time.Hour
)

type tagRecord struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

type roleRecord struct {
	Name               string            `json:"name"`
	Path               string            `json:"path"`
	ID                 string            `json:"id"`
	Created            int64             `json:"created"`
	AssumeRolePolicy   string            `json:"trust"`
	Description        string            `json:"description,omitempty"`
	MaxSessionDuration int               `json:"maxSession"`
	Boundary           string            `json:"boundary,omitempty"`
	Tags               []tagRecord       `json:"tags,omitempty"`
	Inline             map[string]string `json:"inline,omitempty"`
	Attached           []string          `json:"attached,omitempty"`

	trust  *policy.Document
	inline map[string]*policy.Document
}

type versionRecord struct {
	ID       string `json:"id"`
	Document string `json:"document"`
	Created  int64  `json:"created"`
}

type policyRecord struct {
	Name           string          `json:"name"`
	Path           string          `json:"path"`
	ID             string          `json:"id"`
	ARN            string          `json:"arn"`
	Description    string          `json:"description,omitempty"`
	Created        int64           `json:"created"`
	Updated        int64           `json:"updated"`
	DefaultVersion string          `json:"defaultVersion"`
	Versions       []versionRecord `json:"versions"`
	NextVersion    int             `json:"nextVersion"`
	Tags           []tagRecord     `json:"tags,omitempty"`

	awsManaged bool
	defaultDoc *policy.Document
}

type sessionRecord struct {
	AccessKeyID string `json:"accessKeyId"`
	Secret      string `json:"secret"`
	Token       string `json:"token"`
	Expires     int64  `json:"expires"`
	RoleARN     string `json:"roleArn"`
	RoleName    string `json:"roleName"`
	RoleID      string `json:"roleId"`
	SessionName string `json:"sessionName"`
}

// Service is the IAM service: the wire API and the in-process
// authorization and role-session API other services use.
type Service struct {
	cfg Config

	mu       sync.RWMutex
	roles    map[string]*roleRecord   // by lower-cased name: IAM names are case-insensitive
	policies map[string]*policyRecord // by ARN, customer managed and AWS managed

	sessMu   sync.RWMutex
	sessions map[string]*sessionRecord // by access key ID

	docCache *docCache
}

// New loads roles, policies and role sessions from the store.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	managed, err := awsManagedRecords()
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, roles: map[string]*roleRecord{}, policies: managed,
		sessions: map[string]*sessionRecord{}, docCache: newDocCache(256)}
	now := cfg.Clock.Now().UnixMilli()
	err = cfg.Store.View(func(tx store.Tx) error {
		if err := tx.ForEach(bucketRoles, nil, func(k, v []byte) error {
			var r roleRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("role %s: %w", k, err)
			}
			if err := r.parse(); err != nil {
				return fmt.Errorf("role %s: %w", k, err)
			}
			s.roles[strings.ToLower(r.Name)] = &r
			return nil
		}); err != nil {
			return err
		}
		if err := tx.ForEach(bucketPolicies, nil, func(k, v []byte) error {
			var p policyRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("policy %s: %w", k, err)
			}
			if err := p.parse(); err != nil {
				return fmt.Errorf("policy %s: %w", k, err)
			}
			s.policies[p.ARN] = &p
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEach(bucketSessions, nil, func(k, v []byte) error {
			var sess sessionRecord
			if err := json.Unmarshal(v, &sess); err != nil {
				return fmt.Errorf("session %s: %w", k, err)
			}
			if sess.Expires > now {
				s.sessions[sess.AccessKeyID] = &sess
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load iam state: %w", err)
	}
	return s, nil
}

// Descriptor describes IAM's wire identity and operations for the server.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:         "iam",
		Query:        true,
		XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		Operations: map[string]server.Operation{
			"CreateRole":               server.Op(s.CreateRole),
			"GetRole":                  server.Op(s.GetRole),
			"ListRoles":                server.Op(s.ListRoles),
			"DeleteRole":               server.Op(s.DeleteRole),
			"UpdateRole":               server.Op(s.UpdateRole),
			"UpdateAssumeRolePolicy":   server.Op(s.UpdateAssumeRolePolicy),
			"TagRole":                  server.Op(s.TagRole),
			"UntagRole":                server.Op(s.UntagRole),
			"ListRoleTags":             server.Op(s.ListRoleTags),
			"PutRolePolicy":            server.Op(s.PutRolePolicy),
			"GetRolePolicy":            server.Op(s.GetRolePolicy),
			"ListRolePolicies":         server.Op(s.ListRolePolicies),
			"DeleteRolePolicy":         server.Op(s.DeleteRolePolicy),
			"CreatePolicy":             server.Op(s.CreatePolicy),
			"GetPolicy":                server.Op(s.GetPolicy),
			"ListPolicies":             server.Op(s.ListPolicies),
			"DeletePolicy":             server.Op(s.DeletePolicy),
			"CreatePolicyVersion":      server.Op(s.CreatePolicyVersion),
			"GetPolicyVersion":         server.Op(s.GetPolicyVersion),
			"ListPolicyVersions":       server.Op(s.ListPolicyVersions),
			"DeletePolicyVersion":      server.Op(s.DeletePolicyVersion),
			"SetDefaultPolicyVersion":  server.Op(s.SetDefaultPolicyVersion),
			"AttachRolePolicy":         server.Op(s.AttachRolePolicy),
			"DetachRolePolicy":         server.Op(s.DetachRolePolicy),
			"ListAttachedRolePolicies": server.Op(s.ListAttachedRolePolicies),
			"GetUser":                  server.Op(s.GetUser),
			"SimulateCustomPolicy":     server.Op(s.SimulateCustomPolicy),
			"SimulatePrincipalPolicy":  server.Op(s.SimulatePrincipalPolicy),
		},
	}
}

func (r *roleRecord) parse() error {
	trust, err := policy.Parse(r.AssumeRolePolicy, policy.Trust)
	if err != nil {
		return fmt.Errorf("trust policy: %w", err)
	}
	r.trust = trust
	r.inline = make(map[string]*policy.Document, len(r.Inline))
	for name, text := range r.Inline {
		d, err := policy.Parse(text, policy.Identity)
		if err != nil {
			return fmt.Errorf("inline policy %s: %w", name, err)
		}
		r.inline[name] = d
	}
	return nil
}

func (p *policyRecord) parse() error {
	v := p.version(p.DefaultVersion)
	if v == nil {
		return fmt.Errorf("default version %s missing", p.DefaultVersion)
	}
	d, err := policy.Parse(v.Document, policy.Identity)
	if err != nil {
		return fmt.Errorf("version %s: %w", v.ID, err)
	}
	p.defaultDoc = d
	return nil
}

func (p *policyRecord) version(id string) *versionRecord {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}

// clone returns a deep copy for copy-on-write updates: a failed store write
// leaves the in-memory record untouched.
func (r *roleRecord) clone() *roleRecord {
	c := *r
	c.Tags = append([]tagRecord(nil), r.Tags...)
	c.Attached = append([]string(nil), r.Attached...)
	c.Inline = make(map[string]string, len(r.Inline))
	for k, v := range r.Inline {
		c.Inline[k] = v
	}
	c.inline = make(map[string]*policy.Document, len(r.inline))
	for k, v := range r.inline {
		c.inline[k] = v
	}
	return &c
}

func (p *policyRecord) clone() *policyRecord {
	c := *p
	c.Versions = append([]versionRecord(nil), p.Versions...)
	c.Tags = append([]tagRecord(nil), p.Tags...)
	return &c
}

func (s *Service) putRole(r *roleRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode role: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error {
		return tx.Put(bucketRoles, []byte(strings.ToLower(r.Name)), data)
	}); err != nil {
		return fmt.Errorf("store role %s: %w", r.Name, err)
	}
	s.roles[strings.ToLower(r.Name)] = r
	return nil
}

func (s *Service) putPolicy(p *policyRecord) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode policy: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketPolicies, []byte(p.ARN), data) }); err != nil {
		return fmt.Errorf("store policy %s: %w", p.ARN, err)
	}
	s.policies[p.ARN] = p
	return nil
}

// now returns the service clock's time, truncated to seconds as IAM reports.
func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Second) }

func isoTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z")
}

// base32ID maps bytes to IAM's unique-ID alphabet (A-Z, 2-7), 17 characters.
func base32ID(b []byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	out := make([]byte, 17)
	for i := range out {
		out[i] = alphabet[b[i%len(b)]%32]
	}
	return string(out)
}

func (s *Service) randomBytes(n int) []byte {
	b, _ := hex.DecodeString(s.cfg.IDs.Hex(n))
	return b
}

func (s *Service) uniqueID(prefix string) string { return prefix + base32ID(s.randomBytes(17)) }

// urlEncode encodes a policy document as IAM returns it: every byte outside
// RFC 3986's unreserved set is percent-encoded (spaces as %20, never '+').
func urlEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// policyChars counts a document's characters without whitespace, as IAM's
// size quotas do.
func policyChars(doc string) int {
	n := 0
	for _, r := range doc {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			n++
		}
	}
	return n
}

// underPath reports whether path lies under a PathPrefix filter ("/" when
// empty).
func underPath(path, prefix string) bool {
	if prefix == "" {
		prefix = "/"
	}
	return strings.HasPrefix(path, prefix)
}

// page sorts keys and returns those after marker (an opaque token encoding
// the last key returned) and the next marker.
func page(keys []string, marker string, maxItems int) (out []string, truncated bool, next string, err error) {
	sort.Strings(keys)
	if maxItems < 0 || maxItems > 1000 {
		return nil, false, "", errValidation(maxItems, "maxItems", "Member must have value less than or equal to 1000")
	}
	if maxItems == 0 {
		maxItems = defaultMaxItems
	}
	start := 0
	if marker != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(marker)
		if derr != nil {
			return nil, false, "", errInvalidInput("Invalid Marker.")
		}
		after := string(raw)
		start = sort.SearchStrings(keys, after)
		if start < len(keys) && keys[start] == after {
			start++
		}
	}
	end := start + maxItems
	if end >= len(keys) {
		return keys[start:], false, "", nil
	}
	return keys[start:end], true, base64.RawURLEncoding.EncodeToString([]byte(keys[end-1])), nil
}

func toTags(in []tagRecord) []Tag {
	if len(in) == 0 {
		return nil
	}
	out := make([]Tag, len(in))
	for i, t := range in {
		out[i] = Tag(t)
	}
	return out
}
