package apigw

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/apigw/validate"
	"github.com/orderflow/orderflow/tools/localcloud/apigw/vtl"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
)

// compiledAPI is a deployment ready to serve: its snapshot, the resource
// tree, and caches of parsed templates and compiled models.
type compiledAPI struct {
	snap     *snapshot
	children map[string][]*Resource // by parent ID
	loader   validate.Loader

	mu        sync.Mutex
	templates map[string]*vtl.Template
	tplErrs   map[string]error
	schemas   map[string]*validate.Schema
	schemaErr map[string]error
	patterns  map[string]*regexp.Regexp // nil for a pattern that does not compile
}

func (s *Service) compile(snap *snapshot) *compiledAPI {
	c := &compiledAPI{snap: snap, children: map[string][]*Resource{}, templates: map[string]*vtl.Template{},
		tplErrs: map[string]error{}, schemas: map[string]*validate.Schema{}, schemaErr: map[string]error{},
		patterns: map[string]*regexp.Regexp{}}
	for _, id := range sortedKeys(snap.Resources) {
		r := snap.Resources[id]
		if r.ParentID != "" {
			c.children[r.ParentID] = append(c.children[r.ParentID], r)
		}
	}
	c.loader = s.modelLoader(snap.API.ID, snap.Models)
	return c
}

// template parses src once.
func (c *compiledAPI) template(src string) (*vtl.Template, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.templates[src]; ok {
		return t, nil
	}
	if err, ok := c.tplErrs[src]; ok {
		return nil, err
	}
	t, err := vtl.Parse(src)
	if err != nil {
		c.tplErrs[src] = err
		return nil, fmt.Errorf("parse mapping template: %w", err)
	}
	c.templates[src] = t
	return t, nil
}

// selects reports whether an integration response's selection pattern
// matches the whole of s (Java's String.matches), compiling it once.
func (c *compiledAPI) selects(pattern, s string) bool {
	c.mu.Lock()
	re, ok := c.patterns[pattern]
	if !ok {
		re, _ = regexp.Compile(`^(?:` + pattern + `)$`)
		c.patterns[pattern] = re
	}
	c.mu.Unlock()
	return re != nil && re.MatchString(s)
}

// schema compiles the named model once.
func (c *compiledAPI) schema(name string) (*validate.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sc, ok := c.schemas[name]; ok {
		return sc, nil
	}
	if err, ok := c.schemaErr[name]; ok {
		return nil, err
	}
	m, ok := c.snap.Models[name]
	if !ok {
		err := fmt.Errorf("model %s does not exist", name)
		c.schemaErr[name] = err
		return nil, err
	}
	sc, err := validate.Compile([]byte(m.Schema), c.loader)
	if err != nil {
		c.schemaErr[name] = err
		return nil, fmt.Errorf("compile model %s: %w", name, err)
	}
	c.schemas[name] = sc
	return sc, nil
}

// match finds the resource for path ("/orders/42") and the path
// parameters, preferring literal parts over {param} over {proxy+}.
func (c *compiledAPI) match(path string) (*Resource, map[string]string, bool) {
	root := c.snap.Resources[c.snap.API.RootResourceID]
	if root == nil {
		return nil, nil, false
	}
	trimmed := strings.Trim(path, "/")
	var segs []string
	if trimmed != "" {
		segs = strings.Split(trimmed, "/")
	}
	params := map[string]string{}
	res, ok := c.walk(root, segs, params)
	return res, params, ok
}

func (c *compiledAPI) walk(r *Resource, segs []string, params map[string]string) (*Resource, bool) {
	if len(segs) == 0 {
		return r, true
	}
	kids := c.children[r.ID]
	for _, k := range kids {
		if k.PathPart == segs[0] {
			if res, ok := c.walk(k, segs[1:], params); ok {
				return res, true
			}
		}
	}
	for _, k := range kids {
		if strings.HasPrefix(k.PathPart, "{") && !strings.HasSuffix(k.PathPart, "+}") && segs[0] != "" {
			name := k.PathPart[1 : len(k.PathPart)-1]
			if res, ok := c.walk(k, segs[1:], params); ok {
				params[name] = segs[0]
				return res, true
			}
		}
	}
	for _, k := range kids {
		if strings.HasSuffix(k.PathPart, "+}") {
			params[k.PathPart[1:len(k.PathPart)-2]] = strings.Join(segs, "/")
			return k, true
		}
	}
	return nil, false
}

// runtimeCache holds compiled deployments by ID.
type runtimeCache struct {
	mu      sync.Mutex
	entries map[string]*compiledAPI
}

func (rc *runtimeCache) get(id string, build func() *compiledAPI) *compiledAPI {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if c, ok := rc.entries[id]; ok {
		return c
	}
	c := build()
	rc.entries[id] = c
	return c
}

func (rc *runtimeCache) forget(id string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	delete(rc.entries, id)
}

// limiter keeps the token buckets and quota counters of the data plane in
// memory.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	quotas  map[string]*quotaCount
}

type bucket struct {
	tokens float64
	last   time.Time
}

type quotaCount struct {
	window time.Time
	used   int
}

func newLimiter() *limiter {
	return &limiter{buckets: map[string]*bucket{}, quotas: map[string]*quotaCount{}}
}

// allow takes a token from the bucket named key (rate tokens per second up
// to burst, full at first use).
func (l *limiter) allow(key string, rate float64, burst int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(burst), last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+el*rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// quota counts one request against limit per period window.
func (l *limiter) quota(key string, q *QuotaSettings, now time.Time) bool {
	w := quotaWindow(q, now)
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.quotas[key]
	if !ok || !c.window.Equal(w) {
		c = &quotaCount{window: w}
		l.quotas[key] = c
	}
	if c.used >= q.Limit {
		return false
	}
	c.used++
	return true
}

// quotaWindow is the start of the quota period holding now (UTC): days
// start at midnight, weeks on Sunday plus offset days, months on the first
// plus offset days.
func quotaWindow(q *QuotaSettings, now time.Time) time.Time {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch q.Period {
	case "WEEK":
		start := day.AddDate(0, 0, -int(day.Weekday())+q.Offset)
		if start.After(day) {
			start = start.AddDate(0, 0, -7)
		}
		return start
	case "MONTH":
		start := time.Date(now.Year(), now.Month(), 1+q.Offset, 0, 0, 0, 0, time.UTC)
		if start.After(day) {
			start = start.AddDate(0, -1, 0)
		}
		return start
	}
	return day
}

// credentialCache keeps one integration-role session per role, renewed
// five minutes before it expires, so requests do not mint (and store) a
// session each.
type credentialCache struct {
	mu       sync.Mutex
	sessions map[string]*iamapi.Session
}

func newCredentialCache() *credentialCache {
	return &credentialCache{sessions: map[string]*iamapi.Session{}}
}

func (s *Service) roleSession(ctx context.Context, roleARN string) (iam.Principal, error) {
	cc := s.creds
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if sess, ok := cc.sessions[roleARN]; ok && sess.Expiration.Sub(s.now()) > 5*time.Minute {
		return sess.Credential.Principal, nil
	}
	sess, err := s.cfg.IAM.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: roleARN, Service: "apigateway.amazonaws.com",
		SessionName: "BackplaneAssumeRoleSession"})
	if err != nil {
		return iam.Principal{}, fmt.Errorf("assume integration role %s: %w", roleARN, err)
	}
	cc.sessions[roleARN] = sess
	return sess.Credential.Principal, nil
}
