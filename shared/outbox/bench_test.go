package outbox_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/store"
)

// BenchmarkDeliver is the notifier's work for one outbox item, in process over the embedded
// store with a sender that only counts: read the item, take the lease, send, record it Sent.
func BenchmarkDeliver(b *testing.B) {
	db, err := bolt.Open(b.TempDir() + "/gcc.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	st := store.New(db)
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	r := &onboard.EligibilityRequest{ID: "er_1", Type: onboard.TypePartner, OrganizationName: "Contoso Gov Solutions",
		SubmittedAt: now, ResponseDueBy: "2026-12-07"}
	ids := make([]string, b.N) // each iteration delivers an item of its own
	for i := range ids {
		n, err := mail.NewNotification(mail.IntakeAck{Request: r, Contact: "Ana Li"}, []string{"ana@contoso.example"}, "", r.ID, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.SaveNotification(context.Background(), n, store.Effects{}); err != nil {
			b.Fatal(err)
		}
		ids[i] = n.ID
	}
	sent := 0
	d := &outbox.Deliverer{Outbox: st, From: "no-reply@example.gov", Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler),
		Sender: senderFunc(func(context.Context, outbox.Message) (string, error) { sent++; return "id", nil })}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := d.Deliver(context.Background(), ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if sent != b.N {
		b.Fatalf("sent %d of %d", sent, b.N)
	}
}
