package store

import (
	"context"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// AuditRecords lists audit records from the first to the last day (inclusive, UTC dates), oldest
// first. A partnerID other than "" lists only that partner's records, through the index.
func (s *Store) AuditRecords(ctx context.Context, partnerID string, first, last time.Time) ([]onboard.AuditRecord, error) {
	var out []onboard.AuditRecord
	if partnerID != "" {
		end := last.AddDate(0, 0, 1).UTC().Format(time.DateOnly)
		var all []onboard.AuditRecord
		if err := s.b.Query(ctx, Query{Index: IndexGSI1, PK: partnerAuditPK(partnerID), SKMax: "AUDIT#" + end}, &all); err != nil {
			return nil, err
		}
		from := first.UTC().Format(time.DateOnly)
		for _, a := range all {
			if a.At.UTC().Format(time.DateOnly) >= from {
				out = append(out, a)
			}
		}
		return out, nil
	}
	for d := first.UTC(); !d.After(last); d = d.AddDate(0, 0, 1) {
		var day []onboard.AuditRecord
		if err := s.b.Query(ctx, Query{PK: "AUDIT#" + d.Format(time.DateOnly)}, &day); err != nil {
			return nil, err
		}
		out = append(out, day...)
	}
	return out, nil
}

// SaveNotification writes a changed or new outbox item with its audit records in one transaction:
// a changed one only if nobody changed it since it was read.
func (s *Store) SaveNotification(ctx context.Context, n *onboard.Notification, fx Effects) error {
	var op Op
	prev := n.Version
	if prev > 0 {
		n.Version++
		op = PutIfVersion(notificationItem(n), prev)
	} else {
		n.Version = 1
		op = PutNew(notificationItem(n))
	}
	if _, err := s.transact(ctx, []Op{op}, fx); err != nil {
		n.Version = prev
		if _, ok := FailedOp(err); ok {
			return conflict("The notification")
		}
		return err
	}
	return nil
}
