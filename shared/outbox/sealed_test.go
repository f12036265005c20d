package outbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/seal"
	"github.com/gcconboard/gcconboard/shared/store"
)

const secretLink = "https://onboard.example.gov/invitations/AbC-_123?a=1&b=2"

// sealedSetup stores a pending mail whose link is sealed by sealer (nil: stored with a bogus seal).
func sealedSetup(t *testing.T, sealer onboard.Sealer, send senderFunc) (*outbox.Deliverer, *store.Store, string) {
	t.Helper()
	b, err := bolt.Open(t.TempDir() + "/gcc.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	st := store.New(b)
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	sealed := "aes1.bogus"
	if sealer != nil {
		sealed, _ = sealer.Seal(context.Background(), secretLink)
	}
	ph := outbox.Placeholder("link")
	n := &onboard.Notification{ID: "ml_sealed", Template: "invitation", To: []string{"it@fabrikam.gov"},
		Subject: "Your link", Text: "Open " + ph + " now.", HTML: `<p><a href="` + ph + `">` + ph + `</a></p>`,
		Status: onboard.MailPending, NextAttemptAt: now, CreatedAt: now, Sealed: map[string]string{"link": sealed}}
	if err := st.SaveNotification(context.Background(), n, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	d := &outbox.Deliverer{Outbox: st, Sender: send, From: "no-reply@example.gov", Sealer: sealer, Now: func() time.Time { return now }}
	return d, st, n.ID
}

func TestDeliverFillsSealedValues(t *testing.T) {
	sealer, _ := seal.New(make([]byte, seal.KeySize))
	var got outbox.Message
	d, st, id := sealedSetup(t, sealer, func(_ context.Context, m outbox.Message) (string, error) {
		got = m
		return "msg-1", nil
	})
	if err := d.Deliver(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if want := "Open " + secretLink + " now."; !strings.Contains(got.Text, want) {
		t.Errorf("text = %q, want %q", got.Text, want)
	}
	if want := `<a href="https://onboard.example.gov/invitations/AbC-_123?a=1&amp;b=2">`; !strings.Contains(got.HTML, want) {
		t.Errorf("html = %q, want the link escaped: %q", got.HTML, want)
	}
	n, _ := st.Notification(context.Background(), id)
	if n.Status != onboard.MailSent || strings.Contains(n.Text+n.HTML, "AbC-_123") || !strings.Contains(n.Text, "{{link}}") {
		t.Errorf("stored item after sending = %+v; want Sent, still with the placeholder", n)
	}
}

func TestDeliverSealedWithoutSealerOrKey(t *testing.T) {
	other, _ := seal.New(append(make([]byte, seal.KeySize-1), 1))
	for name, tc := range map[string]struct {
		stored, deliverer onboard.Sealer
	}{
		"noSealer": {other, nil},
		"wrongKey": {other, func() onboard.Sealer { s, _ := seal.New(make([]byte, seal.KeySize)); return s }()},
	} {
		t.Run(name, func(t *testing.T) {
			sent := 0
			d, st, id := sealedSetup(t, tc.stored, func(context.Context, outbox.Message) (string, error) {
				sent++
				return "msg", nil
			})
			d.Sealer = tc.deliverer
			if err := d.Deliver(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			n, _ := st.Notification(context.Background(), id)
			if sent != 0 || n.Status != onboard.MailPending || n.Attempts != 1 || n.LastError == "" {
				t.Errorf("sent %d; stored %+v: want nothing sent and a retry scheduled", sent, n)
			}
			if strings.Contains(n.LastError, n.Sealed["link"]) || strings.Contains(n.LastError, "AbC") {
				t.Errorf("LastError reveals the value: %s", n.LastError)
			}
		})
	}
}

func TestFill(t *testing.T) {
	s, text, html := outbox.Fill("A {{link}}\nB", "x {{link}} {{other}}", `<a href="{{link}}">`, map[string]string{"link": `"<&>"`})
	if got, want := s, `A "<&>" B`; got != want {
		t.Errorf("subject = %q, want %q", got, want)
	}
	if got, want := text, `x "<&>" {{other}}`; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got, want := html, `<a href="&#34;&lt;&amp;&gt;&#34;">`; got != want {
		t.Errorf("html = %q, want %q", got, want)
	}
}
