package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/iam"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

const (
	amzDateFormat = "20060102T150405Z"
	maxSkew       = 15 * time.Minute
	maxPresign    = 7 * 24 * time.Hour
)

// Kind classifies verification failures.
type Kind int

// Failure kinds, each worded differently by each protocol.
const (
	// Missing: no signature at all.
	Missing Kind = iota + 1
	// Incomplete: a signature with missing or malformed parts.
	Incomplete
	// UnknownKey: the access key (or its session token) is not valid.
	UnknownKey
	// Mismatch: the signature or the credential scope is wrong.
	Mismatch
	// Skewed: the request time is more than 15 minutes from the server's.
	Skewed
	// Expired: a presigned URL is past its X-Amz-Expires.
	Expired
)

// Error is a verification failure.
type Error struct {
	Kind    Kind
	Message string
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

func fail(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Verifier checks signatures against a credential source.
type Verifier struct {
	Credentials iam.CredentialSource
	// Region every credential scope must name.
	Region string
	Clock  clock.Clock

	keysMu sync.Mutex
	keys   map[string][]byte // signing keys by secret, date, region and service
}

// maxCachedKeys bounds the signing-key cache; it starts afresh when full (keys
// change daily and with every new session).
const maxCachedKeys = 1024

// signingKey is SigningKey, remembered: clients sign every request of a day with
// the same key, as the SDKs cache it too.
func (v *Verifier) signingKey(secret, date, region, service string) []byte {
	id := secret + "\x00" + date + "\x00" + region + "\x00" + service
	v.keysMu.Lock()
	defer v.keysMu.Unlock()
	if k, ok := v.keys[id]; ok {
		return k
	}
	if v.keys == nil || len(v.keys) >= maxCachedKeys {
		v.keys = make(map[string][]byte)
	}
	k := SigningKey(secret, date, region, service)
	v.keys[id] = k
	return k
}

// Scope is a parsed credential scope.
type Scope struct {
	AccessKeyID, Date, Region, Service, Terminator string
}

type parsed struct {
	scope         Scope
	rawCredential string
	signedHeaders []string
	signature     string
	amzDate       string
	presigned     bool
	expires       time.Duration
	token         string
}

// SigningScope returns the credential scope a request claims, without
// verifying it; the front door uses its service name to route Query
// requests. ok is false for unsigned requests.
func SigningScope(r *http.Request) (Scope, bool) {
	p, err := parse(r)
	if err != nil {
		return Scope{}, false
	}
	return p.scope, true
}

// IsSigned reports whether the request carries any signature at all.
func IsSigned(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.URL.Query().Get("X-Amz-Signature") != "" ||
		r.URL.Query().Get("X-Amz-Credential") != ""
}

func parse(r *http.Request) (*parsed, *Error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Credential") != "" || q.Get("X-Amz-Signature") != "" {
		return parsePresigned(q)
	}
	return nil, fail(Missing, "Request is missing Authentication Token")
}

func parseHeader(r *http.Request, auth string) (*parsed, *Error) {
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != Algorithm {
		return nil, fail(Incomplete, "Authorization header requires the %s algorithm. Authorization=%s", Algorithm, auth)
	}
	p := &parsed{}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fail(Incomplete, "Authorization header requires each component to be of the form key=value. Authorization=%s", auth)
		}
		fields[k] = v
	}
	for _, need := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[need] == "" {
			return nil, fail(Incomplete, "Authorization header requires '%s' parameter. Authorization=%s", need, auth)
		}
	}
	p.rawCredential = fields["Credential"]
	p.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	p.signature = fields["Signature"]
	p.amzDate = r.Header.Get("X-Amz-Date")
	if p.amzDate == "" {
		if d := r.Header.Get("Date"); d != "" {
			t, err := http.ParseTime(d)
			if err != nil {
				return nil, fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '%s'.", d)
			}
			p.amzDate = t.UTC().Format(amzDateFormat)
		}
	}
	if p.amzDate == "" {
		return nil, fail(Incomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", auth)
	}
	p.token = r.Header.Get("X-Amz-Security-Token")
	return p, p.parseScope()
}

func parsePresigned(q url.Values) (*parsed, *Error) {
	for _, need := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(need) == "" {
			return nil, fail(Incomplete, "AWS query-string parameters must include '%s'. Re-examine the query-string parameters.", need)
		}
	}
	if q.Get("X-Amz-Algorithm") != Algorithm {
		return nil, fail(Incomplete, "X-Amz-Algorithm only supports \"%s\"", Algorithm)
	}
	p := &parsed{presigned: true, rawCredential: q.Get("X-Amz-Credential"),
		signedHeaders: strings.Split(q.Get("X-Amz-SignedHeaders"), ";"),
		signature:     q.Get("X-Amz-Signature"), amzDate: q.Get("X-Amz-Date"), token: q.Get("X-Amz-Security-Token")}
	p.expires = maxSkew
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 0 || time.Duration(n)*time.Second > maxPresign {
			return nil, fail(Incomplete, "X-Amz-Expires must be a non-negative integer no larger than 604800")
		}
		p.expires = time.Duration(n) * time.Second
	}
	return p, p.parseScope()
}

func (p *parsed) parseScope() *Error {
	parts := strings.Split(p.rawCredential, "/")
	if len(parts) != 5 {
		return fail(Incomplete, "Credential should be scoped to a valid region, service and terminator: '%s'", p.rawCredential)
	}
	p.scope = Scope{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}
	return nil
}

// Verify checks the request's signature; body is the full request body.
// On success it returns the credential that signed the request and the
// scope it was signed for.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (iam.Credential, Scope, *Error) {
	return v.verify(ctx, r, body, nil)
}

// verify checks the signature; with a non-nil stream the body is not read
// yet and the payload hash the request declares is trusted here and
// checked by the stream's reader later.
func (v *Verifier) verify(ctx context.Context, r *http.Request, body []byte, stream *streamSeed) (iam.Credential, Scope, *Error) {
	p, perr := parse(r)
	if perr != nil {
		return iam.Credential{}, Scope{}, perr
	}
	reqTime, err := time.Parse(amzDateFormat, p.amzDate)
	if err != nil {
		return iam.Credential{}, p.scope, fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", p.amzDate)
	}
	cred, ok, lerr := v.Credentials.LookupAccessKey(ctx, p.scope.AccessKeyID)
	if lerr != nil || !ok {
		return iam.Credential{}, p.scope, fail(UnknownKey, "The security token included in the request is invalid.")
	}
	if cred.SessionToken != "" && !hmac.Equal([]byte(cred.SessionToken), []byte(p.token)) {
		return iam.Credential{}, p.scope, fail(UnknownKey, "The security token included in the request is invalid.")
	}
	now := v.Clock.Now().UTC()
	if p.presigned {
		if now.Before(reqTime.Add(-maxSkew)) {
			return iam.Credential{}, p.scope, fail(Skewed, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
				p.amzDate, now.Add(maxSkew).Format(amzDateFormat), now.Format(amzDateFormat))
		}
		if now.After(reqTime.Add(p.expires)) {
			return iam.Credential{}, p.scope, fail(Expired, "Request has expired")
		}
	} else {
		if reqTime.Before(now.Add(-maxSkew)) {
			return iam.Credential{}, p.scope, fail(Skewed, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
				p.amzDate, now.Add(-maxSkew).Format(amzDateFormat), now.Format(amzDateFormat))
		}
		if reqTime.After(now.Add(maxSkew)) {
			return iam.Credential{}, p.scope, fail(Skewed, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
				p.amzDate, now.Add(maxSkew).Format(amzDateFormat), now.Format(amzDateFormat))
		}
	}
	if p.scope.Date != p.amzDate[:8] {
		return cred, p.scope, fail(Mismatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			p.scope.Date, p.amzDate[:8], p.amzDate)
	}
	if p.scope.Region != v.Region {
		return cred, p.scope, fail(Mismatch, "Credential should be scoped to a valid region. ")
	}
	if p.scope.Terminator != "aws4_request" {
		return cred, p.scope, fail(Mismatch, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", p.scope.Terminator)
	}
	signedHost := false
	for _, h := range p.signedHeaders {
		if h == "host" {
			signedHost = true
		}
	}
	if !signedHost {
		return cred, p.scope, fail(Incomplete, "Signed headers must include 'host'.")
	}

	hashes, herr := payloadHashes(r, p, body, stream != nil)
	if herr != nil {
		return cred, p.scope, herr
	}
	key := v.signingKey(cred.SecretAccessKey, p.scope.Date, p.scope.Region, p.scope.Service)
	scope := strings.Join([]string{p.scope.Date, p.scope.Region, p.scope.Service, p.scope.Terminator}, "/")
	for _, payloadHash := range hashes {
		// S3 signs the path as sent; other services escape it once more.
		canon := canonicalRequest(r, p.signedHeaders, payloadHash, p.presigned, p.scope.Service != "s3")
		sts := Algorithm + "\n" + p.amzDate + "\n" + scope + "\n" + sha256Hex([]byte(canon))
		want := hex.EncodeToString(hmacSHA256(key, []byte(sts)))
		if hmac.Equal([]byte(want), []byte(p.signature)) {
			if stream != nil {
				*stream = streamSeed{key: key, amzDate: p.amzDate, scope: scope, signature: p.signature, payloadHash: payloadHash}
			}
			return cred, p.scope, nil
		}
	}
	return cred, p.scope, fail(Mismatch, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

// SigningKey derives the SigV4 signing key.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

// CanonicalRequest builds the SigV4 canonical request for r.
func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string, presigned bool) string {
	return canonicalRequest(r, signedHeaders, payloadHash, presigned, true)
}

func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string, presigned, escapePath bool) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	// Non-S3 services sign the escaped path escaped once more, as the SDKs do.
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if escapePath {
		path = uriEncode(path, false)
	}
	b.WriteString(path + "\n")
	q, _ := url.ParseQuery(r.URL.RawQuery)
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, kv{uriEncode(k, true), uriEncode(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k == pairs[j].k {
			return pairs[i].v < pairs[j].v
		}
		return pairs[i].k < pairs[j].k
	})
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k + "=" + p.v)
	}
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h + ":" + headerValue(r, h) + "\n")
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";") + "\n")
	b.WriteString(payloadHash)
	return b.String()
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}
