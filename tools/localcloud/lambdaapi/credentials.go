package lambdaapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iamapi"
	"github.com/orderflow/orderflow/tools/localcloud/lambda/runtime"
)

// sessionMargin is how long a cached role session must still be valid to
// be handed to a new execution environment. When that point comes, the
// function's environments are replaced (see RoleCredentials), so no
// running function holds expired credentials.
const sessionMargin = 20 * time.Minute

// sessionLength is the session duration asked for (capped by the role's
// MaxSessionDuration).
const sessionLength = 12 * time.Hour

// RoleCredentials implements pool.CredentialsProvider with IAM role
// sessions: one per function and role, minted by AssumeRole as
// lambda.amazonaws.com. An environment keeps the credentials it started
// with, so sessionMargin before a session expires the provider forgets it
// and calls its expiring hook, which replaces the function's environments;
// new ones start with a new session.
type RoleCredentials struct {
	iam   Identity
	clock clock.Clock
	// expiring is called (in its own goroutine) when a function's session
	// is about to expire.
	expiring func(functionName string)

	mu       sync.Mutex
	sessions map[sessionKey]*cachedSession
}

type sessionKey struct{ role, function string }

type cachedSession struct {
	sess  *iamapi.Session
	timer clock.Timer
}

// NewRoleCredentials returns a provider minting sessions through id.
func NewRoleCredentials(id Identity, clk clock.Clock) *RoleCredentials {
	return &RoleCredentials{iam: id, clock: clk, sessions: map[sessionKey]*cachedSession{}}
}

// FunctionCredentials implements pool.CredentialsProvider.
func (c *RoleCredentials) FunctionCredentials(ctx context.Context, roleARN, functionName string) (runtime.Credentials, error) {
	if c.iam == nil {
		return runtime.Credentials{}, nil
	}
	k := sessionKey{roleARN, functionName}
	c.mu.Lock()
	var sess *iamapi.Session
	if cs := c.sessions[k]; cs != nil && cs.sess.Expiration.Sub(c.clock.Now()) >= sessionMargin {
		sess = cs.sess
	}
	c.mu.Unlock()
	if sess == nil {
		var err error
		if sess, err = c.refresh(ctx, roleARN, functionName); err != nil {
			return runtime.Credentials{}, err
		}
	}
	return runtime.Credentials{AccessKeyID: sess.Credential.AccessKeyID, SecretAccessKey: sess.Credential.SecretAccessKey,
		SessionToken: sess.Credential.SessionToken}, nil
}

// refresh mints a new session for a function's role and caches it.
func (c *RoleCredentials) refresh(ctx context.Context, roleARN, functionName string) (*iamapi.Session, error) {
	// The session is named after the function, as on Lambda; IAM wants
	// at least two characters.
	session := functionName
	if len(session) < 2 {
		session += "_"
	}
	sess, err := c.iam.AssumeRole(ctx, iamapi.AssumeRoleInput{RoleARN: roleARN, Service: "lambda.amazonaws.com",
		SessionName: session, Duration: sessionLength, Ephemeral: true})
	if err != nil {
		return nil, fmt.Errorf("assume role %s for %s: %w", roleARN, functionName, err)
	}
	k := sessionKey{roleARN, functionName}
	cs := &cachedSession{sess: sess}
	c.mu.Lock()
	if old := c.sessions[k]; old != nil {
		old.timer.Stop()
	}
	c.sessions[k] = cs
	cs.timer = c.clock.AfterFunc(max(0, sess.Expiration.Sub(c.clock.Now())-sessionMargin), func() { c.expire(k, cs) })
	c.mu.Unlock()
	return sess, nil
}

// expire forgets a session about to expire and has the function's
// environments replaced.
func (c *RoleCredentials) expire(k sessionKey, cs *cachedSession) {
	c.mu.Lock()
	current := c.sessions[k] == cs
	if current {
		delete(c.sessions, k)
	}
	c.mu.Unlock()
	if current && c.expiring != nil {
		c.expiring(k.function)
	}
}

// forget drops a deleted function's sessions.
func (c *RoleCredentials) forget(functionName string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, cs := range c.sessions {
		if k.function == functionName {
			cs.timer.Stop()
			delete(c.sessions, k)
		}
	}
}

// stop cancels every renewal.
func (c *RoleCredentials) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, cs := range c.sessions {
		cs.timer.Stop()
		delete(c.sessions, k)
	}
}
