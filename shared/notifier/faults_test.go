package notifier_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/notifier"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/ses"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// faultySES is a proxy in front of the SES v2 emulator that answers the next `fail` sends with
// throttling or a server error, as SES does under load, and passes the rest through.
func faultySES(t *testing.T, target string, fail *atomic.Int32) *ses.Sender {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Add(-1) >= 0 {
			w.Header().Set("Content-Type", "application/json")
			if n.Add(1)%2 == 1 {
				w.Header().Set("x-amzn-ErrorType", "TooManyRequestsException")
				w.WriteHeader(http.StatusTooManyRequests)
			} else {
				w.Header().Set("x-amzn-ErrorType", "InternalFailure")
				w.WriteHeader(http.StatusInternalServerError)
			}
			w.Write([]byte(`{"message":"injected"}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	client := sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	return ses.New(client, "")
}

// TestSESFaultsRetryFailAndResend: SES throttling and 5xx make the notifier back off and retry;
// after the bounded attempts the mail is Failed and listed; a resend then delivers it exactly once.
func TestSESFaultsRetryFailAndResend(t *testing.T) {
	endpoint := testenv.SESEndpoint(t)
	b, err := bolt.Open(t.TempDir() + "/gcc.db")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st := store.New(b)
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	quiet := slog.New(slog.DiscardHandler)
	contact := "faults-" + now.Format("150405.000000000") + "@contoso.example"
	f := partnerFormFor(contact)
	in := &eligibility.Intake{Store: st, ReviewTeam: "review@example.gov", Now: clock, Log: quiet}
	if _, err := in.SubmitPartner(ctx, f, eligibility.Submitter{}, nil); err != nil {
		t.Fatal(err)
	}
	var fail atomic.Int32
	fail.Store(1 << 20) // every send fails until told otherwise
	d := &outbox.Deliverer{Outbox: st, Sender: faultySES(t, endpoint, &fail), From: "no-reply@gcconboard.example", Now: clock, Log: quiet}
	for i := range onboard.MaxMailAttempts {
		if _, err := d.SweepDue(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(outbox.Backoff(i + 1))
	}
	failed, _ := st.Notifications(ctx, onboard.MailFailed, "")
	if len(failed) != 2 || failed[0].Attempts != onboard.MaxMailAttempts || failed[0].LastError == "" {
		t.Fatalf("after %d failing attempts: %+v", onboard.MaxMailAttempts, failed)
	}
	if got := sentTo(t, endpoint, contact); got != 0 {
		t.Fatalf("%d mails got through the failing proxy", got)
	}
	fail.Store(0) // SES recovers; a person resends
	for i := range failed {
		outbox.Resend(&failed[i], now)
		if err := st.UpdateNotification(ctx, &failed[i]); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 { // a sweep and two redeliveries
		if _, err := d.SweepDue(ctx); err != nil {
			t.Fatal(err)
		}
		for _, n := range failed {
			if err := d.Deliver(ctx, n.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := sentTo(t, endpoint, contact); got != 1 {
		t.Errorf("after resend the contact got %d mails, want exactly 1", got)
	}
}

// TestPoisonRecordReported: a stream record the notifier cannot decode is reported in
// BatchItemFailures (so Lambda retries it, bisects, and finally sends it to the DLQ) while the
// rest of the batch is delivered.
func TestPoisonRecordReported(t *testing.T) {
	var sent atomic.Int32
	h := &notifier.Handler{Log: slog.New(slog.DiscardHandler), Mail: deliveryFunc(func(ctx context.Context, id string) error {
		sent.Add(1)
		return nil
	})}
	good := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "1",
		NewImage: map[string]events.DynamoDBAttributeValue{"kind": events.NewStringAttribute("Outbox"),
			"id": events.NewStringAttribute("ml_1"), "status": events.NewStringAttribute("Pending")}}}
	poison := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "2",
		NewImage: map[string]events.DynamoDBAttributeValue{"kind": events.NewStringAttribute("Outbox"),
			"id": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"x": events.NewStringAttribute("y")}), "status": events.NewStringAttribute("Pending")}}}
	resp, err := h.HandleStream(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{good, poison}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "2" || sent.Load() != 1 {
		t.Errorf("failures %v, delivered %d; want only record 2 reported and record 1 delivered", resp.BatchItemFailures, sent.Load())
	}
}

// deliveryFunc is a function-field fake of notifier.Delivery.
type deliveryFunc func(ctx context.Context, id string) error

func (f deliveryFunc) Deliver(ctx context.Context, id string) error { return f(ctx, id) }
func (f deliveryFunc) SweepDue(context.Context) (int, error)        { return 0, nil }

func partnerFormFor(contact string) *onboard.PartnerForm {
	return &onboard.PartnerForm{OrganizationName: "Contoso", PartnerTenantID: "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6",
		PartnerType: onboard.DirectBill, CspEnrolled: true, GovernmentSegments: []string{"federal"},
		Contact:     onboard.Contact{Name: "Ana Li", Email: contact, Phone: "+1 202 555 0100"},
		Address:     onboard.Address{Line1: "1 Main St", City: "Arlington", State: "VA", PostalCode: "22201", Country: "US"},
		Attestation: onboard.Attestation{SignerName: "Ana Li", SignerTitle: "CEO", Agree: true, TermsVersion: "2025-01"}}
}
