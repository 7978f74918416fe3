package sns

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/tools/localcloud/store"
)

const bucketDeliveries = "sns.deliveries"

// delivery is a pending http(s) POST. It is stored before Publish (or
// Subscribe) answers and removed once the endpoint accepts it or the retry
// policy gives up, so acknowledged notifications survive a restart.
type delivery struct {
	ID        string    `json:"id"`
	Sub       subRecord `json:"sub"`
	Kind      string    `json:"kind"`
	MessageID string    `json:"messageId"`
	Body      []byte    `json:"body"`
	Raw       bool      `json:"raw,omitempty"`
	Attempt   int       `json:"attempt"`
	NotBefore int64     `json:"notBefore"`
}

func (s *Service) putDelivery(d *delivery) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode delivery: %w", err)
	}
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketDeliveries, []byte(d.ID), data) }); err != nil {
		return fmt.Errorf("store delivery %s: %w", d.ID, err)
	}
	return nil
}

func (s *Service) dropDelivery(d *delivery) {
	if err := s.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketDeliveries, []byte(d.ID)) }); err != nil {
		s.cfg.Logger.Error("sns delivery record not removed", "delivery", d.ID, "err", err)
	}
}

// enqueueHTTP stores a delivery durably and starts it.
func (s *Service) enqueueHTTP(sub subRecord, kind, id string, body []byte, raw bool) error {
	d := &delivery{ID: s.cfg.IDs.UUID(), Sub: sub, Kind: kind, MessageID: id, Body: body, Raw: raw,
		NotBefore: s.cfg.Clock.Now().UnixMilli()}
	if err := s.putDelivery(d); err != nil {
		return err
	}
	s.run(d)
	return nil
}

// resumeDeliveries restarts the deliveries a previous run left pending.
func (s *Service) resumeDeliveries() error {
	var pending []*delivery
	err := s.cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(bucketDeliveries, nil, func(k, v []byte) error {
			var d delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("delivery %s: %w", k, err)
			}
			pending = append(pending, &d)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load sns deliveries: %w", err)
	}
	for _, d := range pending {
		s.run(d)
	}
	return nil
}

// run POSTs the delivery to its subscription's endpoint (and only there),
// retrying per the delivery policy on the injected clock. Close stops it
// with its record kept, to resume on the next start.
func (s *Service) run(d *delivery) {
	policy := s.retryPolicyFor(d.Sub)
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		for {
			if wait := time.Duration(d.NotBefore-s.cfg.Clock.Now().UnixMilli()) * time.Millisecond; wait > 0 {
				wake := make(chan struct{})
				timer := s.cfg.Clock.AfterFunc(wait, func() { close(wake) })
				select {
				case <-wake:
				case <-s.ctx.Done():
					timer.Stop()
					return
				}
			}
			s.mu.RLock()
			_, subscribed := s.subs[d.Sub.Arn]
			s.mu.RUnlock()
			if !subscribed {
				// Unsubscribed (or topic deleted) while pending.
				s.dropDelivery(d)
				return
			}
			err := s.post(d.Sub, d.Kind, d.MessageID, d.Body, d.Raw)
			if s.ctx.Err() != nil {
				return
			}
			if err == nil {
				s.dropDelivery(d)
				return
			}
			if d.Attempt >= policy.NumRetries {
				s.cfg.Logger.Error("sns http delivery gave up", "subscription", d.Sub.Arn, "attempts", d.Attempt+1, "err", err)
				if d.Kind == "Notification" {
					s.deadLetter(d.Sub, d.Body, err)
				}
				s.dropDelivery(d)
				return
			}
			d.NotBefore = s.cfg.Clock.Now().Add(policy.delay(d.Attempt)).UnixMilli()
			d.Attempt++
			if perr := s.putDelivery(d); perr != nil {
				s.cfg.Logger.Error("sns delivery retry not stored", "delivery", d.ID, "err", perr)
			}
		}
	}()
}

// delay is the wait before retry number attempt+1: immediate for the
// no-delay retries, then linear from minDelayTarget to maxDelayTarget.
func (p retryPolicy) delay(attempt int) time.Duration {
	if attempt < p.NumNoDelayRetries {
		return 0
	}
	d := time.Duration(p.MinDelayTarget) * time.Second
	if span := p.MaxDelayTarget - p.MinDelayTarget; span > 0 && p.NumRetries > 1 {
		d += time.Duration(span*attempt/(p.NumRetries-1)) * time.Second
	}
	return d
}

// deadLetter sends a message SNS could not deliver to the subscription's
// dead-letter queue (RedrivePolicy deadLetterTargetArn), if it has one.
func (s *Service) deadLetter(sub subRecord, body []byte, cause error) {
	var rp struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if raw := sub.Attributes["RedrivePolicy"]; raw == "" || json.Unmarshal([]byte(raw), &rp) != nil || rp.DeadLetterTargetArn == "" {
		return
	}
	if _, err := s.cfg.Queues.SendToARN(context.Background(), rp.DeadLetterTargetArn, string(body), nil); err != nil {
		s.cfg.Logger.Error("sns dead-letter delivery failed", "subscription", sub.Arn, "dlq", rp.DeadLetterTargetArn, "cause", cause, "err", err)
	}
}
