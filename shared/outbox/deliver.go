// Package outbox delivers outbox items (pending mail, written in the same transaction as the
// change that causes it) through a Sender: SES in AWS (shared/ses), a folder of files on the
// local server (FileSender). It renders nothing: shared/mail does, before the item is written.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Message is one mail as handed to a Sender.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
}

// Sender sends one message and returns the mail service's message ID.
type Sender interface {
	Send(ctx context.Context, m Message) (string, error)
}

// ErrPermanent marks a send failure that retrying cannot fix (a rejected address, say).
var ErrPermanent = errors.New("outbox: rejected permanently")

// Store is the part of the store the Deliverer needs.
type Store interface {
	Notification(ctx context.Context, id string) (*onboard.Notification, error)
	UpdateNotification(ctx context.Context, n *onboard.Notification) error
	DueNotifications(ctx context.Context, now time.Time, limit int) ([]onboard.Notification, error)
}

// Deliverer sends outbox items. Every record may arrive more than once (the stream and the sweep
// are at-least-once); a lease taken with optimistic locking before sending makes the common
// duplicate send nothing. If a deliverer crashes after sending but before marking the item Sent,
// the lease expires and the item is sent again: that is the at-least-once edge.
type Deliverer struct {
	Outbox Store
	Sender Sender
	From   string
	Now    func() time.Time
	Lease  time.Duration // how long one attempt may take; 0 means 2 minutes
	Log    *slog.Logger
	// Sealer opens an item's Sealed values just before sending; nil fails (and retries) any item
	// that has some, rather than sending a mail with its placeholders unfilled.
	Sealer onboard.Sealer
}

// Backoff is the wait before attempt n+1 after n failed attempts: 30 s, 1 m, 2 m, 4 m.
func Backoff(n int) time.Duration { return 30 * time.Second << max(n-1, 0) }

// Deliver sends outbox item id if it is pending and due. It returns an error only when the outbox
// itself could not be read or written: a failed send is recorded on the item and retried later.
func (d *Deliverer) Deliver(ctx context.Context, id string) error {
	n, err := d.Outbox.Notification(ctx, id)
	if onboard.ErrorCode(err) == onboard.ErrNotFound {
		d.log().Warn("outbox item vanished", "notification", id)
		return nil
	}
	if err != nil {
		return err
	}
	return d.deliver(ctx, n)
}

func (d *Deliverer) deliver(ctx context.Context, n *onboard.Notification) error {
	now := d.Now()
	if n.Status != onboard.MailPending || n.NextAttemptAt.After(now) {
		return nil // sent, failed, leased by another attempt, or backing off until the sweep
	}
	lease := now.Add(d.lease())
	n.LeaseUntil, n.NextAttemptAt = &lease, lease
	n.Attempts++
	if err := d.Outbox.UpdateNotification(ctx, n); err != nil {
		if onboard.ErrorCode(err) == onboard.ErrConflict {
			return nil // another deliverer took it
		}
		return err
	}
	msg, sendErr := d.message(ctx, n)
	var id string
	if sendErr == nil {
		id, sendErr = d.Sender.Send(ctx, msg)
	}
	done := d.Now()
	n.LeaseUntil = nil
	switch {
	case sendErr == nil:
		n.Status, n.SentAt, n.MessageID, n.LastError = onboard.MailSent, &done, id, ""
	case errors.Is(sendErr, ErrPermanent) || n.Attempts >= onboard.MaxMailAttempts:
		n.Status, n.LastError = onboard.MailFailed, truncate(sendErr.Error(), 500)
	default:
		n.NextAttemptAt, n.LastError = done.Add(Backoff(n.Attempts)), truncate(sendErr.Error(), 500)
	}
	if err := d.Outbox.UpdateNotification(ctx, n); err != nil {
		return fmt.Errorf("mail: record outcome of %s: %w", n.ID, err)
	}
	if sendErr != nil {
		d.log().Warn("mail not sent", "notification", n.ID, "attempt", n.Attempts, "status", n.Status, "error", sendErr)
	} else {
		d.log().Info("mail sent", "notification", n.ID, "template", n.Template)
	}
	return nil
}

// message is the mail to send for n, its sealed values opened and filled into its placeholders.
// The filled message lives only here, in memory: it is never written back to the outbox item.
func (d *Deliverer) message(ctx context.Context, n *onboard.Notification) (Message, error) {
	m := Message{From: d.From, To: n.To, Subject: n.Subject, Text: n.Text, HTML: n.HTML}
	if len(n.Sealed) == 0 {
		return m, nil
	}
	if d.Sealer == nil {
		return m, errors.New("mail: the item has sealed values but no Sealer is configured")
	}
	values := make(map[string]string, len(n.Sealed))
	for name, sealed := range n.Sealed {
		v, err := d.Sealer.Open(ctx, sealed)
		if err != nil {
			return m, fmt.Errorf("mail: open sealed value %q: %w", name, err)
		}
		values[name] = v
	}
	m.Subject, m.Text, m.HTML = Fill(m.Subject, m.Text, m.HTML, values)
	return m, nil
}

// SweepDue delivers every pending item whose time has come (first attempts whose stream record
// was lost, retries after backoff, expired leases) and returns how many it tried.
func (d *Deliverer) SweepDue(ctx context.Context) (int, error) {
	due, err := d.Outbox.DueNotifications(ctx, d.Now(), 100)
	if err != nil {
		return 0, err
	}
	var errs []error
	for i := range due {
		errs = append(errs, d.deliver(ctx, &due[i]))
	}
	return len(due), errors.Join(errs...)
}

// Resend makes a Failed item Pending again with a fresh attempt budget; a Sent item is copied
// into a new one by the caller instead, so the record of what was sent stays.
func Resend(n *onboard.Notification, now time.Time) {
	n.Status, n.Attempts, n.NextAttemptAt, n.LastError, n.LeaseUntil = onboard.MailPending, 0, now, "", nil
}

func (d *Deliverer) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return 2 * time.Minute
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
