package sts

import (
	"context"

	"github.com/orderflow/orderflow/tools/localcloud/iam"
	"github.com/orderflow/orderflow/tools/localcloud/protocol"
	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// GetCallerIdentityInput has no members.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput names the caller.
type GetCallerIdentityOutput struct {
	UserID  string `json:"UserId" query:"UserId"`
	Account string `json:"Account"`
	Arn     string `json:"Arn"`
}

// Service is the STS service.
type Service struct{}

// New returns the STS service.
func New() *Service { return &Service{} }

// GetCallerIdentity returns the principal that signed the request.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	p, ok := iam.PrincipalFrom(ctx)
	if !ok {
		return nil, protocol.Errorf("MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	return &GetCallerIdentityOutput{UserID: p.UserID, Account: p.Account, Arn: p.ARN}, nil
}

// Descriptor describes STS's wire identity and operations for the server.
func (s *Service) Descriptor() *server.Service {
	return &server.Service{
		Name:         "sts",
		Query:        true,
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Operations: map[string]server.Operation{
			"GetCallerIdentity": server.Op(s.GetCallerIdentity),
		},
	}
}
