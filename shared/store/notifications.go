package store

import (
	"context"
	"errors"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Notification reads one outbox item.
func (s *Store) Notification(ctx context.Context, id string) (*onboard.Notification, error) {
	var n onboard.Notification
	if err := s.b.Get(ctx, notificationKey(id), &n); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Notification " + id)
		}
		return nil, err
	}
	return &n, nil
}

// UpdateNotification saves n if nobody changed it since it was read (n.Version), and bumps
// n.Version. A lost race returns a Conflict error.
func (s *Store) UpdateNotification(ctx context.Context, n *onboard.Notification) error {
	prev := n.Version
	n.Version++
	if _, err := s.transact(ctx, []Op{PutIfVersion(notificationItem(n), prev)}, Effects{}); err != nil {
		n.Version = prev
		if _, ok := FailedOp(err); ok {
			return conflict("The notification")
		}
		return err
	}
	return nil
}

// Notifications lists outbox items in status, oldest next attempt first. A partnerID other than
// "" keeps only that partner's mail.
func (s *Store) Notifications(ctx context.Context, status onboard.MailStatus, partnerID string) ([]onboard.Notification, error) {
	var all []onboard.Notification
	if err := s.b.Query(ctx, Query{Index: IndexGSI1, PK: notificationPK(status)}, &all); err != nil {
		return nil, err
	}
	if partnerID == "" {
		return all, nil
	}
	out := all[:0]
	for _, n := range all {
		if n.PartnerID == partnerID {
			out = append(out, n)
		}
	}
	return out, nil
}

// DueNotifications lists pending outbox items whose next attempt is due at now.
func (s *Store) DueNotifications(ctx context.Context, now time.Time, limit int) ([]onboard.Notification, error) {
	var out []onboard.Notification
	err := s.b.Query(ctx, Query{Index: IndexGSI1, PK: notificationPK(onboard.MailPending),
		SKMax: now.UTC().Format(time.RFC3339Nano) + "#~", Limit: limit}, &out)
	return out, err
}
