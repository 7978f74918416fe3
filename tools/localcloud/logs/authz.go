package logs

import (
	"context"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// streamOps act on one log stream; IAM checks them against the stream's
// ARN.
var streamOps = map[string]bool{"CreateLogStream": true, "DeleteLogStream": true, "PutLogEvents": true, "GetLogEvents": true}

// Authz tells the front door which IAM permission each operation needs:
// logs:<Operation> on the resource AWS evaluates. Stream operations check
// the stream's ARN (log-group:G:log-stream:S); other log group operations
// check log-group:G:log-stream: (empty stream) and DescribeLogGroups
// log-group::log-stream:, which is why AWS documents granting them on
// "log-group:G:*"; the tagging operations check the group's ARN without
// the suffix.
func (s *Service) Authz() server.Authz {
	return server.Authz{Permissions: s.permissions}
}

func (s *Service) permissions(_ context.Context, op string, in any) ([]server.Permission, error) {
	action := "logs:" + op
	prefix := "arn:aws:logs:" + s.cfg.Region + ":" + s.cfg.Account + ":log-group:"
	switch op {
	case "TagResource", "UntagResource", "ListTagsForResource":
		return []server.Permission{{Action: action, Resource: server.InputString(in, "ResourceArn")}}, nil
	case "DescribeLogGroups":
		return []server.Permission{{Action: action, Resource: prefix + ":log-stream:"}}, nil
	}
	group := server.InputString(in, "LogGroupName")
	if group == "" {
		id := server.InputString(in, "LogGroupIdentifier")
		group = strings.TrimSuffix(strings.TrimPrefix(id, prefix), ":*")
	}
	stream := ""
	if streamOps[op] {
		stream = server.InputString(in, "LogStreamName")
	}
	return []server.Permission{{Action: action, Resource: prefix + group + ":log-stream:" + stream}}, nil
}
