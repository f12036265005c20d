package outbox_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/store"
)

// senderFunc is a function-field fake Sender.
type senderFunc func(context.Context, outbox.Message) (string, error)

func (f senderFunc) Send(ctx context.Context, m outbox.Message) (string, error) { return f(ctx, m) }

func setup(t *testing.T, send senderFunc) (*outbox.Deliverer, *store.Store, *time.Time, string) {
	t.Helper()
	b, err := bolt.Open(t.TempDir() + "/gcc.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	st := store.New(b)
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	r := &onboard.EligibilityRequest{ID: "er_1", PartnerID: "p", ResponseDueBy: "2026-12-07"}
	n, err := eligibility.Notify(mail.IntakeReview{Request: r}, []string{"review@example.gov"}, r, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Submit(context.Background(), store.Submission{Request: r, Evidence: &onboard.Evidence{RequestID: "er_1"}},
		store.Effects{Mail: []*onboard.Notification{n}}); err != nil {
		t.Fatal(err)
	}
	d := &outbox.Deliverer{Outbox: st, Sender: send, From: "no-reply@example.gov", Now: func() time.Time { return now }}
	return d, st, &now, n.ID
}

func TestDeliverDuplicateRecordsSendOnce(t *testing.T) {
	var sent atomic.Int32
	d, st, _, id := setup(t, func(context.Context, outbox.Message) (string, error) {
		sent.Add(1)
		return "msg-1", nil
	})
	var wg sync.WaitGroup
	for range 10 { // the stream and the sweep may deliver one record many times, even at once
		wg.Go(func() {
			if err := d.Deliver(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := sent.Load(); got != 1 {
		t.Errorf("sent %d times, want 1", got)
	}
	n, _ := st.Notification(context.Background(), id)
	if n.Status != onboard.MailSent || n.MessageID != "msg-1" || n.SentAt == nil {
		t.Errorf("notification = %+v", n)
	}
}

func TestDeliverRetriesWithBackoffThenFails(t *testing.T) {
	var sent atomic.Int32
	d, st, now, id := setup(t, func(context.Context, outbox.Message) (string, error) {
		sent.Add(1)
		return "", errors.New("throttled")
	})
	ctx := context.Background()
	if err := d.Deliver(ctx, id); err != nil {
		t.Fatal(err)
	}
	n, _ := st.Notification(ctx, id)
	if n.Status != onboard.MailPending || n.Attempts != 1 || !n.NextAttemptAt.Equal(now.Add(30*time.Second)) || n.LastError == "" {
		t.Fatalf("after one failure: %+v", n)
	}
	if tried, _ := d.SweepDue(ctx); tried != 0 || sent.Load() != 1 {
		t.Fatalf("sweep before backoff tried %d, sent %d", tried, sent.Load())
	}
	for i := 2; i <= onboard.MaxMailAttempts; i++ {
		*now = now.Add(outbox.Backoff(i - 1))
		if _, err := d.SweepDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	n, _ = st.Notification(ctx, id)
	if n.Status != onboard.MailFailed || int(sent.Load()) != onboard.MaxMailAttempts {
		t.Fatalf("after %d attempts: status %s, sent %d", onboard.MaxMailAttempts, n.Status, sent.Load())
	}
	failed, _ := st.Notifications(ctx, onboard.MailFailed, "")
	if len(failed) != 1 {
		t.Errorf("Failed list = %d, want 1", len(failed))
	}
	*now = now.Add(time.Hour)
	if tried, _ := d.SweepDue(ctx); tried != 0 {
		t.Errorf("a Failed mail was retried by the sweep")
	}
}

func TestDeliverPermanentFailureStopsAtOnce(t *testing.T) {
	d, st, _, id := setup(t, func(context.Context, outbox.Message) (string, error) {
		return "", errors.Join(outbox.ErrPermanent, errors.New("address rejected"))
	})
	if err := d.Deliver(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	n, _ := st.Notification(context.Background(), id)
	if n.Status != onboard.MailFailed || n.Attempts != 1 {
		t.Errorf("notification = %+v", n)
	}
}

// crashingOutbox fails the write that would mark an item Sent, as a notifier crashing right
// after SES accepted the mail would leave it.
type crashingOutbox struct {
	outbox.Store
	crash bool
}

func (c *crashingOutbox) UpdateNotification(ctx context.Context, n *onboard.Notification) error {
	if c.crash && n.Status == onboard.MailSent {
		return errors.New("process died")
	}
	return c.Store.UpdateNotification(ctx, n)
}

// TestCrashAfterSendDoesNotResendWithinLease: the stream redelivers the record of a mail whose
// sender crashed after sending; within the lease nothing is sent again. After the lease expires
// the sweep sends it once more: the documented at-least-once edge.
func TestCrashAfterSendDoesNotResendWithinLease(t *testing.T) {
	var sent atomic.Int32
	d, st, now, id := setup(t, func(context.Context, outbox.Message) (string, error) {
		sent.Add(1)
		return "msg", nil
	})
	crashing := &crashingOutbox{Store: st, crash: true}
	d.Outbox = crashing
	ctx := context.Background()
	if err := d.Deliver(ctx, id); err == nil {
		t.Fatal("the crash was not reported, so the stream would not retry")
	}
	crashing.crash = false
	for range 3 { // Lambda retries the record; the sweep runs
		d.Deliver(ctx, id)
		d.SweepDue(ctx)
	}
	if got := sent.Load(); got != 1 {
		t.Fatalf("sent %d times within the lease, want 1", got)
	}
	*now = now.Add(3 * time.Minute) // the lease (2 minutes) has expired
	if _, err := d.SweepDue(ctx); err != nil {
		t.Fatal(err)
	}
	n, _ := st.Notification(ctx, id)
	if got := sent.Load(); got != 2 || n.Status != onboard.MailSent {
		t.Errorf("after the lease: sent %d, status %s; want the documented second send and Sent", got, n.Status)
	}
}
