package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/events/fixture"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/seal"
	"github.com/gcconboard/gcconboard/shared/store"
)

// qualifiedPartner is the partner of the agent fixtures; unqualified fixtures name another one.
const qualifiedPartner = "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6"

// seed has the review team approve qualifiedPartner, as the intake and review Lambdas would.
func seed(t *testing.T, st *store.Store, now func() time.Time) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	f := &onboard.PartnerForm{OrganizationName: "Contoso Gov Solutions", PartnerTenantID: qualifiedPartner,
		PartnerType: onboard.DirectBill, MpnID: "1234567", CspEnrolled: true, GovernmentSegments: []string{"federal"},
		Contact:     onboard.Contact{Name: "Ana Li", Title: "CEO", Email: "ana@contoso.example", Phone: "+1 202 555 0100"},
		Address:     onboard.Address{Line1: "1 Main St", City: "Arlington", State: "VA", PostalCode: "22201", Country: "US"},
		Attestation: onboard.Attestation{SignerName: "Ana Li", SignerTitle: "CEO", Agree: true, TermsVersion: "2025-01"}}
	receipt, err := (&eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: now, Log: quiet}).
		SubmitPartner(ctx, f, eligibility.Submitter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reviewer := onboard.Principal{Subject: "reviewer", Role: onboard.RoleEligibilityReviewer}
	if _, err := (&eligibility.Review{Store: st, Now: now, Log: quiet}).Decide(ctx, reviewer, receipt.ID,
		eligibility.DecisionInput{Decision: onboard.StatusApproved}); err != nil {
		t.Fatal(err)
	}
}

// TestReplayEvents sends every events/invitations-*.json through the Lambda's own handler, with
// the fixtures' partner approved for GCC.
func TestReplayEvents(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	sealer, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	noIndex := func(t *testing.T, res events.APIGatewayV2HTTPResponse) {
		if res.Headers["X-Robots-Tag"] == "" {
			t.Errorf("public invitation answer without X-Robots-Tag: %v", res.Headers)
		}
	}
	invalidPage := fixture.Expect{Status: 410, Has: []string{"This invitation link is not valid"}, Check: noIndex}
	fixture.ReplayAPI(t, "invitations-", map[string]fixture.Expect{
		"invitations-create":                      {Status: 201, Has: []string{`"url":"https://onboard.example.gov/invitations/`}},
		"invitations-create-unqualified":          {Status: 403, Has: []string{`"code":"PartnerNotGccQualified"`}},
		"invitations-list":                        {Status: 200, Has: []string{`"totalCount":0`}},
		"invitations-relationshiprequests":        {Status: 200, Has: []string{`{"url":"https://onboard.example.gov/invitations/`}},
		"invitations-revoke-unknown":              {Status: 404, Has: []string{`"code":"NotFound"`}},
		"invitations-page-unknown":                invalidPage,
		"invitations-accept-form-unknown":         invalidPage,
		"invitations-accept-json-malformed-token": {Status: 410, Has: []string{`"code":"InvitationNotValid"`}, Check: noIndex},
	}, func(t *testing.T, st *store.Store) *httpadapter.HandlerAdapterV2 {
		seed(t, st, now)
		h, err := newHandler(st, sealer, "https://onboard.example.gov/", 0, now, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
}

func TestConfig(t *testing.T) {
	if _, err := newHandler(nil, nil, "", 0, time.Now, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("no PUBLIC_BASE_URL was accepted")
	}
	tests := []struct {
		env     string
		want    time.Duration
		wantErr bool
	}{
		{"", 0, false},
		{"7", 7 * 24 * time.Hour, false},
		{"0", 0, true},
		{"366", 0, true},
		{"two", 0, true},
	}
	for _, tc := range tests {
		got, err := expiryFromEnv(tc.env)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("expiryFromEnv(%q) = %v, %v; want %v, error %v", tc.env, got, err, tc.want, tc.wantErr)
		}
	}
}
