package dynamodbstreams

import (
	"context"

	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// Authz tells the front door which IAM permission each operation needs:
// dynamodb:<Operation> on the stream's ARN (for GetRecords, the stream its
// iterator reads), and on "*" for ListStreams, which has no resource-level
// permissions.
func (s *Service) Authz() server.Authz {
	return server.Authz{Permissions: permissions}
}

func permissions(_ context.Context, op string, in any) ([]server.Permission, error) {
	action := "dynamodb:" + op
	switch v := in.(type) {
	case *ListStreamsInput:
		return []server.Permission{{Action: action, Resource: "*"}}, nil
	case *GetRecordsInput:
		it, ok := parseIterator(v.ShardIterator)
		if !ok {
			// A malformed iterator reads nothing; GetRecords answers its
			// own ValidationException.
			return nil, nil
		}
		return []server.Permission{{Action: action, Resource: it.Arn}}, nil
	}
	return []server.Permission{{Action: action, Resource: server.InputString(in, "StreamArn")}}, nil
}
