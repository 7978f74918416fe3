package sqs

import (
	"context"

	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// batchActions are the IAM actions of the batch operations: AWS has no
// separate permission for a batch.
var batchActions = map[string]string{
	"SendMessageBatch":             "sqs:SendMessage",
	"DeleteMessageBatch":           "sqs:DeleteMessage",
	"ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}

// Authz tells the front door which IAM permission each operation needs, as
// the Service Authorization Reference lists them: sqs:<Operation> (the
// batches need their single action) on the queue's ARN, with the queue's
// Policy attribute as the resource policy, and "*" for ListQueues.
func (s *Service) Authz() server.Authz {
	return server.Authz{Permissions: s.permissions}
}

func (s *Service) permissions(ctx context.Context, op string, in any) ([]server.Permission, error) {
	action := "sqs:" + op
	if a, ok := batchActions[op]; ok {
		action = a
	}
	switch op {
	case "ListQueues", "CancelMessageMoveTask":
		// A move task handle names no queue the caller could be checked
		// against before the task is found; AWS lists "*" for neither.
		return []server.Permission{{Action: action, Resource: "*"}}, nil
	case "CreateQueue", "GetQueueUrl":
		return []server.Permission{{Action: action, Resource: s.arn(server.InputString(in, "QueueName"))}}, nil
	case "StartMessageMoveTask", "ListMessageMoveTasks":
		arn := server.InputString(in, "SourceArn")
		return []server.Permission{{Action: action, Resource: arn, ResourcePolicy: s.policyOf(s.byARN(arn))}}, nil
	}
	q, err := s.resolve(ctx, server.InputString(in, "QueueURL"))
	if err != nil {
		// An unknown queue grants nothing and reveals nothing the
		// operation's own answer (AWS.SimpleQueueService.NonExistentQueue)
		// would not.
		return nil, err
	}
	return []server.Permission{{Action: action, Resource: q.arn, ResourcePolicy: s.policyOf(q)}}, nil
}

// policyOf is a queue's Policy attribute; "" for none or no queue.
func (s *Service) policyOf(q *queue) string {
	if q == nil {
		return ""
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.rec.Attributes["Policy"]
}
