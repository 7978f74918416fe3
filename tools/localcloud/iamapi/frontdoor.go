package iamapi

import (
	"context"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/iam/policy"
	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// AuthorizeCall is the front door's server.Authorizer: it decides one
// permission of an operation called over the wire, like Authorize (which
// logs the deciding statement).
func (s *Service) AuthorizeCall(ctx context.Context, p iam.Principal, perm server.Permission) policy.Decision {
	return s.Authorize(ctx, Check{Principal: p, Action: perm.Action, Resource: perm.Resource,
		Context: perm.Context, ResourcePolicy: perm.ResourcePolicy})
}
