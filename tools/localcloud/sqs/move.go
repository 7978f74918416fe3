package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

// StartMessageMoveTask redrives messages from a dead-letter queue back to
// their source queues (or to DestinationArn). localcloud moves every
// available message at once, so the task is COMPLETED when this returns.
func (s *Service) StartMessageMoveTask(ctx context.Context, in *StartMessageMoveTaskInput) (*StartMessageMoveTaskOutput, error) {
	src := s.byARN(in.SourceArn)
	if src == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if len(s.sourcesOf(in.SourceArn)) == 0 {
		return nil, errInvalidParameter("Source queue must be configured as a Dead Letter Queue.")
	}
	var dest *queue
	if in.DestinationArn != "" {
		if dest = s.byARN(in.DestinationArn); dest == nil {
			return nil, errResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
	}
	// Snapshot ARN → queue before locking src: the service lock is always
	// taken before a queue lock, never after.
	s.mu.RLock()
	byArn := make(map[string]*queue, len(s.queues))
	for _, q := range s.queues {
		byArn[q.arn] = q
	}
	s.mu.RUnlock()
	now := s.now()
	src.mu.Lock()
	byDest := map[*queue][]*message{}
	var delKeys [][]byte
	seqs := make([]uint64, 0, len(src.msgs))
	for seq := range src.msgs {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	for _, seq := range seqs {
		m := src.msgs[seq]
		if m.VisibleAt > now {
			continue
		}
		target := dest
		if target == nil {
			target = byArn[m.DLQSourceArn]
		}
		if target == nil || target == src {
			continue
		}
		src.removeLocked(seq)
		delKeys = append(delKeys, msgKey(src.rec.Name, seq))
		mv := *m
		mv.Seq, mv.ReceiveCount, mv.FirstReceiveAt, mv.Nonce, mv.VisibleAt, mv.DLQSourceArn = s.seq.Add(1), 0, 0, "", now, ""
		byDest[target] = append(byDest[target], &mv)
	}
	type put struct{ k, v []byte }
	var puts []put
	moved := 0
	for t, msgs := range byDest {
		for _, m := range msgs {
			puts = append(puts, put{msgKey(t.rec.Name, m.Seq), encode(m)})
			moved++
		}
	}
	wait := s.cfg.Store.Enqueue(func(tx store.Tx) error {
		for _, k := range delKeys {
			if err := tx.Delete(bucketMessages, k); err != nil {
				return err
			}
		}
		for _, p := range puts {
			if err := tx.Put(bucketMessages, p.k, p.v); err != nil {
				return err
			}
		}
		return nil
	})
	src.mu.Unlock()
	if err := <-wait; err != nil {
		return nil, fmt.Errorf("move messages: %w", err)
	}
	for t, msgs := range byDest {
		t.mu.Lock()
		if !t.deleted {
			for _, m := range msgs {
				t.insertLocked(m)
			}
			t.notifyLocked()
		}
		t.mu.Unlock()
	}
	handle, _ := json.Marshal(map[string]string{"taskId": s.cfg.IDs.UUID(), "sourceArn": in.SourceArn})
	task := &MessageMoveTask{
		TaskHandle: base64.StdEncoding.EncodeToString(handle), Status: "COMPLETED", SourceArn: in.SourceArn,
		DestinationArn: in.DestinationArn, MaxNumberOfMessagesPerSecond: in.MaxNumberOfMessagesPerSecond,
		ApproximateNumberOfMessagesMoved: int64(moved), ApproximateNumberOfMessagesToMove: int64(moved), StartedTimestamp: now,
	}
	s.tasksMu.Lock()
	s.tasks = append(s.tasks, task)
	s.tasksMu.Unlock()
	return &StartMessageMoveTaskOutput{TaskHandle: task.TaskHandle}, nil
}

// ListMessageMoveTasks lists the most recent move tasks of a source queue.
func (s *Service) ListMessageMoveTasks(_ context.Context, in *ListMessageMoveTasksInput) (*ListMessageMoveTasksOutput, error) {
	if s.byARN(in.SourceArn) == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return nil, errInvalidParameter("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	s.tasksMu.Lock()
	defer s.tasksMu.Unlock()
	var out []MessageMoveTask
	for i := len(s.tasks) - 1; i >= 0 && len(out) < limit; i-- {
		if t := s.tasks[i]; t.SourceArn == in.SourceArn {
			out = append(out, *t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedTimestamp > out[j].StartedTimestamp })
	return &ListMessageMoveTasksOutput{Results: out}, nil
}

// CancelMessageMoveTask cancels a running task; localcloud's tasks finish
// synchronously, so only unknown or finished tasks can be named.
func (s *Service) CancelMessageMoveTask(_ context.Context, in *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error) {
	s.tasksMu.Lock()
	defer s.tasksMu.Unlock()
	for _, t := range s.tasks {
		if t.TaskHandle == in.TaskHandle {
			return nil, errUnsupported("Task with handle %s is already %s.", in.TaskHandle, t.Status)
		}
	}
	return nil, errResourceNotFound("Task does not exist.")
}
