package server

import (
	"context"
	"net"
	"net/http"
	"reflect"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/sigv4"
)

// Permission is one question IAM answers before an operation runs: may the
// caller perform Action on Resource?
type Permission struct {
	// Action is the IAM action as the Service Authorization Reference
	// spells it ("dynamodb:PutItem").
	Action string
	// Resource is the target's ARN, or "*" for operations that name none
	// (ListTables, ListQueues).
	Resource string
	// ResourcePolicy is the target's resource-based policy (queue or topic
	// Policy attribute); empty for none.
	ResourcePolicy string
	// Context holds service-specific condition keys; the front door adds
	// the global ones (aws:SecureTransport, aws:SourceIp,
	// aws:RequestedRegion).
	Context map[string][]string
}

// PermissionsFunc maps an operation's decoded input to the permissions AWS
// checks for it; all must be allowed. An error is answered as the
// operation's error (a malformed request), before IAM is asked.
type PermissionsFunc func(ctx context.Context, operation string, in any) ([]Permission, error)

// Authorizer decides one permission for a principal; iamapi's
// AuthorizeCall is one, and logs the deciding statement.
type Authorizer func(ctx context.Context, p iam.Principal, perm Permission) policy.Decision

// Authz is what a service tells the front door about enforcing IAM on its
// operations.
type Authz struct {
	// Permissions maps an operation to what IAM must allow.
	Permissions PermissionsFunc
	// DeniedCode is the service's error code for a denial on awsQuery
	// (SNS says "AuthorizationError"); default "AccessDenied". awsJson
	// services answer AccessDeniedException.
	DeniedCode string
}

// RegisterAuthorized adds a service whose operations the front door
// authorizes with a's permissions and the Config's Authorizer, for every
// caller other than the root user. It is kept by descriptor, not by
// signing name: DynamoDB Streams signs as "dynamodb" too.
func (s *Server) RegisterAuthorized(svc *Service, a Authz) {
	s.Register(svc)
	if s.authz == nil {
		s.authz = map[*Service]Authz{}
	}
	s.authz[svc] = a
}

// authorize answers AWS's AccessDenied error when IAM does not allow the
// caller every permission the operation needs; nil when it does, for the
// root user, and for services that enforce nothing at the front door.
func (s *Server) authorize(ctx context.Context, x *exchange, in any) error {
	p, ok := iam.PrincipalFrom(ctx)
	if !ok || p.Root || s.cfg.Authorizer == nil || x.svc == nil {
		return nil
	}
	a, ok := s.authz[x.svc]
	if !ok || a.Permissions == nil {
		return nil
	}
	perms, err := a.Permissions(ctx, x.action, in)
	if err != nil {
		return err
	}
	global := globalContext(x.r)
	for _, perm := range perms {
		keys := make(map[string][]string, len(global)+len(perm.Context))
		for k, v := range global {
			keys[k] = v
		}
		for k, v := range perm.Context {
			keys[k] = v
		}
		perm.Context = keys
		if perm.Resource == "" {
			perm.Resource = "*"
		}
		if d := s.cfg.Authorizer(ctx, p, perm); !d.Allowed() {
			return accessDenied(x, a.DeniedCode, d.Message())
		}
	}
	return nil
}

// globalContext is the request's global condition keys. Loopback
// connections count as secure transport: they never leave the machine,
// which is what TLS protects (see iam/DECISIONS.md).
func globalContext(r *http.Request) map[string][]string {
	keys := map[string][]string{"aws:SecureTransport": {"false"}}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil {
		keys["aws:SourceIp"] = []string{ip.String()}
		if ip.IsLoopback() || r.TLS != nil {
			keys["aws:SecureTransport"] = []string{"true"}
		}
	}
	if scope, ok := sigv4.SigningScope(r); ok && scope.Region != "" {
		keys["aws:RequestedRegion"] = []string{scope.Region}
	}
	return keys
}

// accessDenied words a denial as the request's protocol does: awsJson's
// AccessDeniedException (with AccessDenied for query-compatible clients),
// awsQuery's 403 Sender error.
func accessDenied(x *exchange, queryCode, msg string) *protocol.Error {
	if queryCode == "" {
		queryCode = "AccessDenied"
	}
	if x.proto == protoJSON || x.proto == protoREST {
		pe := &protocol.Error{Code: "AccessDeniedException", Namespace: protocol.CoralNamespace, Message: msg,
			Status: http.StatusBadRequest, Fault: protocol.Sender}
		if x.proto == protoREST {
			pe.Status = http.StatusForbidden
		}
		if x.svc.QueryCompatible {
			pe.QueryCode = queryCode
		}
		return pe
	}
	return &protocol.Error{Code: queryCode, Message: msg, Status: http.StatusForbidden, Fault: protocol.Sender}
}

// InputString returns the string (or *string) field name of a decoded
// input struct, "" when it has none: the member a resource mapping reads
// (TableName, QueueUrl, TopicArn) whatever the operation's input type.
func InputString(in any, name string) string {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return ""
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}
