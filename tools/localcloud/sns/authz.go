package sns

import (
	"context"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// Authz tells the front door which IAM permission each operation needs, as
// the Service Authorization Reference lists them: sns:<Operation>
// (PublishBatch needs sns:Publish) on the topic's ARN, with the topic's
// Policy attribute (or the default policy) as the resource policy, and "*"
// for the List operations. SNS words a denial as AuthorizationError.
func (s *Service) Authz() server.Authz {
	return server.Authz{Permissions: s.permissions, DeniedCode: "AuthorizationError"}
}

func (s *Service) permissions(_ context.Context, op string, in any) ([]server.Permission, error) {
	action := "sns:" + op
	var arn string
	switch op {
	case "PublishBatch":
		action, arn = "sns:Publish", server.InputString(in, "TopicArn")
	case "ListTopics", "ListSubscriptions":
		return []server.Permission{{Action: action, Resource: "*"}}, nil
	case "CreateTopic":
		arn = s.topicArn(server.InputString(in, "Name"))
	case "TagResource", "UntagResource", "ListTagsForResource":
		arn = server.InputString(in, "ResourceArn")
	case "Publish":
		arn = server.InputString(in, "TopicArn")
		if arn == "" {
			arn = server.InputString(in, "TargetArn")
		}
	default:
		arn = server.InputString(in, "TopicArn")
		if sub := server.InputString(in, "SubscriptionArn"); arn == "" && sub != "" {
			// A subscription's ARN is its topic's ARN and an ID.
			if i := strings.LastIndexByte(sub, ':'); i > 0 {
				arn = sub[:i]
			}
		}
	}
	return []server.Permission{{Action: action, Resource: arn, ResourcePolicy: s.topicPolicy(arn)}}, nil
}

// topicPolicy is a topic's access policy: its Policy attribute, or the
// default policy SNS gives every topic; "" for no such topic.
func (s *Service) topicPolicy(arn string) string {
	s.mu.RLock()
	t := s.topics[arn]
	var p string
	if t != nil {
		p = t.Attributes["Policy"]
	}
	s.mu.RUnlock()
	if t == nil {
		return ""
	}
	if p == "" {
		p = s.defaultPolicy(arn)
	}
	return p
}
