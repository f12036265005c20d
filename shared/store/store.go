package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Store is GCC Onboard's persistence: every domain write is one all-or-nothing transaction that
// also carries the outbox mail and audit records the change causes.
type Store struct {
	b Backend
}

// New returns a Store over b.
func New(b Backend) *Store { return &Store{b: b} }

// Backend returns the backend, for adapters that need raw access (tests, the stream handler).
func (s *Store) Backend() Backend { return s.b }

// Item kinds, stored in the `kind` attribute; the CDK stream filter selects KindNotification.
const (
	KindRequest      = "EligibilityRequest"
	KindEvidence     = "Evidence"
	KindOpenLock     = "OpenRequestLock"
	KindNotification = "Outbox"
	KindAudit        = "Audit"
	KindIdempotency  = "Idempotency"
	KindPartner      = "PartnerProfile"
	KindValidation   = "ValidationCode"
)

// Named key builders: the one place that knows how the single table is laid out.
func requestKey(id string) Key  { return Key{"REQUEST#" + id, "REQUEST"} }
func evidenceKey(id string) Key { return Key{"REQUEST#" + id, "EVIDENCE"} }
func openLockKey(t onboard.RequestType, subject string) Key {
	return Key{"OPEN#" + string(t) + "#" + subject, "LOCK"}
}
func notificationKey(id string) Key { return Key{"MAIL#" + id, "MAIL"} }
func auditKey(a *onboard.AuditRecord) Key {
	return Key{"AUDIT#" + a.At.UTC().Format(time.DateOnly), a.At.UTC().Format(time.RFC3339Nano) + "#" + a.ID}
}
func idempotencyKey(scope, key string) Key { return Key{"IDEM#" + scope + "#" + key, "IDEM"} }
func partnerKey(tenant string) Key         { return Key{"PARTNER#" + tenant, "PROFILE"} }

// Index partitions of gsi1.
func requestQueuePK(s onboard.Status) string     { return "REQUESTS#" + string(s) }
func notificationPK(s onboard.MailStatus) string { return "MAIL#" + string(s) }
func partnerAuditPK(p string) string             { return "AUDIT#PARTNER#" + p }

func requestItem(r *onboard.EligibilityRequest) Item {
	return Item{Key: requestKey(r.ID), Kind: KindRequest, Version: r.Version, Data: r,
		GSI1PK: requestQueuePK(r.Status),
		GSI1SK: string(r.ResponseDueBy) + "#" + r.SubmittedAt.UTC().Format(time.RFC3339Nano) + "#" + r.ID}
}

func notificationItem(n *onboard.Notification) Item {
	return Item{Key: notificationKey(n.ID), Kind: KindNotification, Version: n.Version, Data: n,
		GSI1PK: notificationPK(n.Status),
		GSI1SK: n.NextAttemptAt.UTC().Format(time.RFC3339Nano) + "#" + n.ID}
}

func auditItem(a *onboard.AuditRecord) Item {
	it := Item{Key: auditKey(a), Kind: KindAudit, Version: 1, Data: a}
	if a.PartnerID != "" {
		it.GSI1PK, it.GSI1SK = partnerAuditPK(a.PartnerID), it.SK
	}
	return it
}

// Effects are what a state change causes besides itself: mail to send, audit records, and the
// idempotency record that lets a retried request get the first answer. They join its transaction.
type Effects struct {
	Mail        []*onboard.Notification
	Audit       []*onboard.AuditRecord
	Idempotency *Idempotency
}

func (e Effects) ops() []Op {
	var ops []Op
	for _, n := range e.Mail {
		n.Version = 1
		ops = append(ops, PutNew(notificationItem(n)))
	}
	for _, a := range e.Audit {
		ops = append(ops, PutNew(auditItem(a)))
	}
	if e.Idempotency != nil {
		ops = append(ops, PutNew(e.Idempotency.item()))
	}
	return ops
}

// ErrIdempotentReplay means the transaction lost to an earlier request with the same
// Idempotency-Key: the caller should answer with that request's stored response.
var ErrIdempotentReplay = errors.New("store: idempotency key already used")

// transact runs ops plus effects; it maps a failed idempotency condition to ErrIdempotentReplay,
// a transient failure to a retryable domain error, and returns the index of any other failed op.
func (s *Store) transact(ctx context.Context, ops []Op, fx Effects) (failed int, err error) {
	all := append(ops, fx.ops()...)
	err = s.b.Transact(ctx, all...)
	if err == nil {
		return -1, nil
	}
	if i, ok := FailedOp(err); ok {
		if fx.Idempotency != nil && i == len(all)-1 {
			return i, ErrIdempotentReplay
		}
		return i, err
	}
	if errors.Is(err, ErrTransient) {
		return -1, &onboard.Error{Code: onboard.ErrUnavailable, Message: "The service is busy; retry shortly.", RetryAfter: 1}
	}
	return -1, fmt.Errorf("store: transaction: %w", err)
}

// conflict is the domain error for losing an optimistic-locking race.
func conflict(what string) error {
	return &onboard.Error{Code: onboard.ErrConflict, Message: what + " was changed by someone else at the same time; reload and retry.", RetryAfter: 1}
}

func notFound(what string) error {
	return &onboard.Error{Code: onboard.ErrNotFound, Message: what + " was not found."}
}
