package eligibility_test

import (
	"context"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

func partnerForm(tenant string) *onboard.PartnerForm {
	return &onboard.PartnerForm{OrganizationName: "Contoso", PartnerTenantID: tenant, PartnerType: onboard.DirectBill,
		CspEnrolled: true, GovernmentSegments: []string{"federal"},
		Contact:     onboard.Contact{Name: "Ana Li", Email: "ana@contoso.example", Phone: "+1 202 555 0100"},
		Address:     onboard.Address{Line1: "1 Main St", City: "Arlington", State: "VA", PostalCode: "22201", Country: "US"},
		Attestation: onboard.Attestation{SignerName: "Ana Li", SignerTitle: "CEO", Agree: true, TermsVersion: "2025-01"}}
}

func TestSLA(t *testing.T) {
	b, err := bolt.Open(t.TempDir() + "/gcc.db")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st := store.New(b)
	ctx := context.Background()
	submitted := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) // Thursday; due Monday 7
	in := &eligibility.Intake{Store: st, ReviewTeam: "review@example.gov", Now: func() time.Time { return submitted }}
	first, err := in.SubmitPartner(ctx, partnerForm("11111111-1111-4111-8111-111111111111"), eligibility.Submitter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := in.SubmitPartner(ctx, partnerForm("22222222-2222-4222-8222-222222222222"), eligibility.Submitter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sla := &eligibility.SLA{Store: st, ReviewTeam: "review@example.gov"}
	pending := func() int {
		n, _ := st.Notifications(ctx, onboard.MailPending, "")
		return len(n)
	}
	base := pending()

	t.Run("NotYetDue", func(t *testing.T) {
		rep, err := sla.Run(ctx, time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC))
		if err != nil || rep.Overdue != 0 || pending() != base {
			t.Fatalf("on the due date: %+v, %v, mail %d", rep, err, pending()-base)
		}
	})
	t.Run("WeekendSkipped", func(t *testing.T) {
		rep, err := sla.Run(ctx, time.Date(2026, 12, 12, 14, 0, 0, 0, time.UTC))
		if err != nil || rep.BusinessDay || pending() != base {
			t.Fatalf("Saturday: %+v, %v", rep, err)
		}
	})
	// One request is decided before the check: it must not be reported.
	rv := &eligibility.Review{Store: st, Now: func() time.Time { return submitted.Add(time.Hour) }}
	if _, err := rv.Decide(ctx, onboard.Principal{Subject: "r", Role: onboard.RoleEligibilityReviewer}, second.ID,
		eligibility.DecisionInput{Decision: onboard.StatusDenied, Reason: "not a CSP partner"}); err != nil {
		t.Fatal(err)
	}
	base = pending()
	overdueDay := time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC)
	t.Run("DigestAndContactOnce", func(t *testing.T) {
		rep, err := sla.Run(ctx, overdueDay)
		if err != nil || rep.Overdue != 1 || !rep.DigestSent || rep.ContactsNotified != 1 || pending()-base != 2 {
			t.Fatalf("first run: %+v, %v, new mail %d", rep, err, pending()-base)
		}
		rep, err = sla.Run(ctx, overdueDay.Add(2*time.Hour))
		if err != nil || rep.DigestSent || rep.ContactsNotified != 0 || pending()-base != 2 {
			t.Fatalf("second run the same day sent again: %+v, %v", rep, err)
		}
		r, _ := st.Request(ctx, first.ID)
		if r.OverdueNotifiedAt == nil {
			t.Errorf("request not marked as notified")
		}
	})
	t.Run("NextDayDigestOnly", func(t *testing.T) {
		rep, err := sla.Run(ctx, overdueDay.AddDate(0, 0, 1))
		if err != nil || !rep.DigestSent || rep.ContactsNotified != 0 || pending()-base != 3 {
			t.Fatalf("next day: %+v, %v, new mail %d", rep, err, pending()-base)
		}
	})
}
