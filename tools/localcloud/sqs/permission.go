package sqs

import (
	"context"
	"encoding/json"
)

type policyDoc struct {
	Version   string           `json:"Version"`
	ID        string           `json:"Id,omitempty"`
	Statement []map[string]any `json:"Statement"`
}

// AddPermission adds a statement labelled Label to the queue policy.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.Label == "" || len(in.AWSAccountIDs) == 0 || len(in.Actions) == 0 {
		return nil, errMissingParameter("Label, AWSAccountIds and Actions")
	}
	return &Empty{}, s.updateRecord(q, func(rec *queueRecord) error {
		doc := policyDoc{Version: "2012-10-17", ID: q.arn + "/SQSDefaultPolicy"}
		if p := rec.Attributes["Policy"]; p != "" {
			_ = json.Unmarshal([]byte(p), &doc)
		}
		for _, st := range doc.Statement {
			if st["Sid"] == in.Label {
				return errInvalidParameter("Value %s for parameter Label is invalid. Reason: Already exists.", in.Label)
			}
		}
		var principals, actions []string
		for _, a := range in.AWSAccountIDs {
			principals = append(principals, "arn:aws:iam::"+a+":root")
		}
		for _, a := range in.Actions {
			actions = append(actions, "SQS:"+a)
		}
		doc.Statement = append(doc.Statement, map[string]any{
			"Sid": in.Label, "Effect": "Allow", "Principal": map[string]any{"AWS": principals},
			"Action": actions, "Resource": q.arn,
		})
		b, _ := json.Marshal(doc)
		rec.Attributes["Policy"] = string(b)
		return nil
	})
}

// RemovePermission removes the statement labelled Label.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*Empty, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.updateRecord(q, func(rec *queueRecord) error {
		var doc policyDoc
		if p := rec.Attributes["Policy"]; p != "" {
			_ = json.Unmarshal([]byte(p), &doc)
		}
		kept := doc.Statement[:0]
		found := false
		for _, st := range doc.Statement {
			if st["Sid"] == in.Label {
				found = true
				continue
			}
			kept = append(kept, st)
		}
		if !found {
			return errInvalidParameter("Value %s for parameter Label is invalid. Reason: can't find label on existing policy.", in.Label)
		}
		doc.Statement = kept
		if len(kept) == 0 {
			delete(rec.Attributes, "Policy")
			return nil
		}
		b, _ := json.Marshal(doc)
		rec.Attributes["Policy"] = string(b)
		return nil
	})
}
