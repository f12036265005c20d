package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

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
	want := map[string]struct {
		qualified bool
		status    int
		has       []string
	}{
		"customers-create-commercial":           {false, 201, []string{`"qualification":"None"`, `"specialQualifications":[]`, `"relationship":"Reseller"`, `"tenantId":"3c9d2e1f-4a5b-4c6d-8e7f-90a1b2c3d4e5"`}},
		"customers-create-gcc-unqualified":      {false, 403, []string{`"code":"PartnerNotGccQualified"`}},
		"customers-create-gcc-no-validation":    {true, 422, []string{`"code":"ValidationIdRequired"`, "usgcce@microsoft.com"}},
		"customers-list":                        {false, 200, []string{`"totalCount":0`, `"items":[]`}},
		"customers-get-unknown":                 {false, 404, []string{`"code":"NotFound"`}},
		"customers-qualify-sales-agent":         {true, 403, []string{`"code":"Forbidden"`}},
		"customers-qualify-unqualified-partner": {false, 403, []string{`"code":"PartnerNotGccQualified"`}},
	}
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	quiet := slog.New(slog.DiscardHandler)
	for _, name := range fixture.Files(t, "customers-") {
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("events/%s.json has no expectation here", name)
			}
			st := fixture.Store(t)
			if exp.qualified {
				qualify(t, st, now, quiet)
			}
			h, err := newHandler(st, now, quiet)
			if err != nil {
				t.Fatal(err)
			}
			ev := fixture.Load[events.APIGatewayV2HTTPRequest](t, name)
			res, err := h.ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != exp.status {
				t.Errorf("got %d %s, want %d", res.StatusCode, res.Body, exp.status)
			}
			for _, s := range exp.has {
				if !strings.Contains(res.Body, s) {
					t.Errorf("body %s lacks %s", res.Body, s)
				}
			}
			if res.StatusCode == 201 && !strings.HasPrefix(res.Headers["Location"], "/v1/customers/cu_") {
				t.Errorf("201 without a Location: %v", res.Headers)
			}
			// Round trip: the fixture decodes into the SDK type without losing fields.
			var again map[string]any
			data, _ := json.Marshal(ev)
			if err := json.Unmarshal(data, &again); err != nil || again["routeKey"] != ev.RouteKey {
				t.Errorf("round trip lost the route key: %v", err)
			}
		})
	}
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
