package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/events/fixture"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// partnerTenant is the custom:partner_id of every events/customers-*.json token.
const partnerTenant = "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6"

// TestReplayEvents sends every events/customers-*.json through the Lambda's own handler, as
// `sam local invoke CustomersFunction -e events/<file>` would. Their claims are what API Gateway's
// JWT authorizer puts in the request context. qualified seeds the token's partner as
// GCC-qualified first, through the real intake and review steps.
func TestReplayEvents(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	quiet := slog.New(slog.DiscardHandler)
	qualified := func(t *testing.T, st *store.Store) { qualify(t, st, now, quiet) }
	located := func(t *testing.T, res events.APIGatewayV2HTTPResponse) {
		if !strings.HasPrefix(res.Headers["Location"], "/v1/customers/cu_") {
			t.Errorf("201 without a Location: %v", res.Headers)
		}
	}
	fixture.ReplayAPI(t, "customers-", map[string]fixture.Expect{
		"customers-create-commercial": {Status: 201, Check: located, Has: []string{`"qualification":"None"`, `"specialQualifications":[]`,
			`"relationship":"Reseller"`, `"tenantId":"3c9d2e1f-4a5b-4c6d-8e7f-90a1b2c3d4e5"`}},
		"customers-create-gcc-unqualified":      {Status: 403, Has: []string{`"code":"PartnerNotGccQualified"`}},
		"customers-create-gcc-no-validation":    {Status: 422, Seed: qualified, Has: []string{`"code":"ValidationIdRequired"`, "usgcce@microsoft.com"}},
		"customers-list":                        {Status: 200, Has: []string{`"totalCount":0`, `"items":[]`}},
		"customers-get-unknown":                 {Status: 404, Has: []string{`"code":"NotFound"`}},
		"customers-qualify-sales-agent":         {Status: 403, Seed: qualified, Has: []string{`"code":"Forbidden"`}},
		"customers-qualify-unqualified-partner": {Status: 403, Has: []string{`"code":"PartnerNotGccQualified"`}},
	}, func(t *testing.T, st *store.Store) *httpadapter.HandlerAdapterV2 {
		h, err := newHandler(st, now, quiet)
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
}

// qualify makes the fixtures' partner GCC-qualified the way production does: its intake form is
// submitted and a reviewer approves it.
func qualify(t *testing.T, st *store.Store, now func() time.Time, log *slog.Logger) {
	t.Helper()
	ctx := context.Background()
	in := &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: now, Log: log}
	receipt, err := in.SubmitPartner(ctx, &onboard.PartnerForm{OrganizationName: "Contoso Gov Solutions",
		PartnerTenantID: partnerTenant, PartnerType: onboard.DirectBill, CspEnrolled: true, GovernmentSegments: []string{"state"},
		Contact:     onboard.Contact{Name: "Ana Li", Title: "CEO", Email: "ana@contoso.example", Phone: "+1 202 555 0100"},
		Address:     onboard.Address{Line1: "1 Main St", City: "Arlington", State: "VA", PostalCode: "22201", Country: "US"},
		Attestation: onboard.Attestation{SignerName: "Ana Li", SignerTitle: "CEO", Agree: true, TermsVersion: "2025-01"}},
		eligibility.Submitter{IP: "203.0.113.10", UserAgent: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rv := &eligibility.Review{Store: st, Now: now, Log: log}
	reviewer := onboard.Principal{Subject: "reviewer", Role: onboard.RoleEligibilityReviewer}
	if _, err := rv.Decide(ctx, reviewer, receipt.ID, eligibility.DecisionInput{Decision: onboard.StatusApproved}); err != nil {
		t.Fatal(err)
	}
}
