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
// be handed to a new execution environment: longer than the environment's
// idle lifetime plus the longest invocation, so that credentials do not
// expire under a running function.
const sessionMargin = 20 * time.Minute

// sessionLength is the session duration asked for (capped by the role's
// MaxSessionDuration).
const sessionLength = 12 * time.Hour

// RoleCredentials implements pool.CredentialsProvider with IAM role
// sessions: one per function and role, minted by AssumeRole as
// lambda.amazonaws.com and renewed before it expires.
type RoleCredentials struct {
	iam   Identity
	clock clock.Clock

	mu       sync.Mutex
	sessions map[sessionKey]*iamapi.Session
}

type sessionKey struct{ role, function string }

// NewRoleCredentials returns a provider minting sessions through id.
func NewRoleCredentials(id Identity, clk clock.Clock) *RoleCredentials {
	return &RoleCredentials{iam: id, clock: clk, sessions: map[sessionKey]*iamapi.Session{}}
}

// FunctionCredentials implements pool.CredentialsProvider.
func (c *RoleCredentials) FunctionCredentials(ctx context.Context, roleARN, functionName string) (runtime.Credentials, error) {
	if c.iam == nil {
		return runtime.Credentials{}, nil
	}
	k := sessionKey{roleARN, functionName}
	c.mu.Lock()
	sess := c.sessions[k]
	c.mu.Unlock()
	if sess == nil || sess.Expiration.Sub(c.clock.Now()) < sessionMargin {
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
		SessionName: session, Duration: sessionLength})
	if err != nil {
		return nil, fmt.Errorf("assume role %s for %s: %w", roleARN, functionName, err)
	}
	c.mu.Lock()
	c.sessions[sessionKey{roleARN, functionName}] = sess
	c.mu.Unlock()
	return sess, nil
}

// forget drops a deleted function's sessions.
func (c *RoleCredentials) forget(functionName string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.sessions {
		if k.function == functionName {
			delete(c.sessions, k)
		}
	}
}
