package iam

import (
	"context"
	"sync"
)

// Principal is the identity a request acts as.
type Principal struct {
	// Account is the 12-digit account ID.
	Account string
	// ARN is the principal's ARN, e.g. arn:aws:iam::000000000000:root.
	ARN string
	// UserID is what GetCallerIdentity reports as UserId and SQS as SenderId.
	UserID string
	// AccessKeyID is the key the request was signed with.
	AccessKeyID string
	// Root is true for the account's root credentials, which every policy allows.
	Root bool
}

// Credential is a secret that can sign requests, and whom it signs for.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is required on the request when non-empty (temporary
	// credentials); long-term keys have none.
	SessionToken string
	Principal    Principal
}

// CredentialSource finds the credential for an access key ID.
type CredentialSource interface {
	// LookupAccessKey returns the credential and true, or false when the
	// key is unknown.
	LookupAccessKey(ctx context.Context, accessKeyID string) (Credential, bool, error)
}

// RootCredential returns the long-term root credential of account.
func RootCredential(account, accessKeyID, secret string) Credential {
	return Credential{
		AccessKeyID:     accessKeyID,
		SecretAccessKey: secret,
		Principal: Principal{
			Account:     account,
			ARN:         "arn:aws:iam::" + account + ":root",
			UserID:      account,
			AccessKeyID: accessKeyID,
			Root:        true,
		},
	}
}

// StaticCredentials is an in-memory CredentialSource; it is safe for
// concurrent use and can be extended at run time with Add.
type StaticCredentials struct {
	mu    sync.RWMutex
	creds map[string]Credential
}

// NewStaticCredentials returns a source holding creds.
func NewStaticCredentials(creds ...Credential) *StaticCredentials {
	s := &StaticCredentials{creds: map[string]Credential{}}
	for _, c := range creds {
		s.Add(c)
	}
	return s
}

// Add registers c, replacing any credential with the same key.
func (s *StaticCredentials) Add(c Credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[c.AccessKeyID] = c
}

// LookupAccessKey implements CredentialSource.
func (s *StaticCredentials) LookupAccessKey(_ context.Context, id string) (Credential, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.creds[id]
	return c, ok, nil
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p, the caller of an operation.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller carried by ctx.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
