package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// TestOrderJourney is the ordering issue's "done when", through the real local server and only
// its HTTP API: a partner approved for GCC creates a GCC customer with its validation code and
// orders Office 365 G3 GCC for it; the order is pending, then the dispatcher fulfils it
// (completed) and the confirmation naming it reaches /dev/mail for the partner's contact and the
// agent. The same partner cannot put a commercial offer in that customer's cart, nor a government
// offer in a commercial customer's cart, and a partner without GCC cannot see the government
// catalog; each refusal names its line and writes nothing.
func TestOrderJourney(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{})
	reviewer := s.token(onboard.RoleEligibilityReviewer, "")
	const agentEmail = "buyer@contoso.example"
	var out bytes.Buffer
	if err := token([]string{"-data", s.data, "-role", "admin_agent", "-partner", partnerTenant, "-email", agentEmail}, &out); err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(out.String())

	// The partner is approved for GCC, and a customer's eligibility gives it a validation code.
	var req receipt
	s.ok("POST", "/v1/eligibility/partner", "", partnerIntake(partnerTenant, partnerEmail), http.StatusCreated, &req)
	s.ok("POST", "/v1/eligibility/requests/"+req.ID+"/decision", reviewer, map[string]any{"decision": "Approved"}, http.StatusOK, nil)
	s.ok("POST", "/v1/eligibility/customer", "", customerIntake(partnerTenant, "ben@fairfaxva.example"), http.StatusCreated, &req)
	var decision struct {
		Validation struct {
			ValidationID string `json:"validationId"`
		} `json:"validation"`
	}
	s.ok("POST", "/v1/eligibility/requests/"+req.ID+"/decision", reviewer, map[string]any{"decision": "Approved"}, http.StatusOK, &decision)

	customer := func(q onboard.Qualification, validationID string) string {
		t.Helper()
		body := map[string]any{
			"companyProfile": map[string]any{"companyName": "City of Fairfax", "domain": "fairfaxva.example"},
			"billingProfile": map[string]any{"email": "it@fairfaxva.example", "firstName": "Ben", "lastName": "Ortiz",
				"defaultAddress": map[string]any{"line1": "10455 Armstrong St", "city": "Fairfax", "state": "VA", "postalCode": "22030", "country": "US"}},
			"qualification": string(q), "validationId": validationID,
		}
		var c struct {
			ID string `json:"id"`
		}
		s.ok("POST", "/v1/customers", admin, body, http.StatusCreated, &c)
		return c.ID
	}
	gcc := customer(onboard.QualificationGCC, decision.Validation.ValidationID)
	commercial := customer(onboard.QualificationNone, "")

	// The government catalog, and Office 365 G3 GCC in it.
	var catalog struct {
		Items []struct {
			CatalogItemID string `json:"catalogItemId"`
			FriendlyName  string `json:"friendlyName"`
		} `json:"items"`
	}
	ids := map[string]string{}
	for _, seg := range []string{"government", "commercial"} {
		s.ok("GET", "/v1/products?country=US&targetView=OnlineServices&targetSegment="+seg, admin, nil, http.StatusOK, &catalog)
		for _, o := range catalog.Items {
			ids[o.FriendlyName] = o.CatalogItemID
		}
	}
	g3, e3 := ids["Office 365 G3 GCC"], ids["Office 365 E3"]
	if g3 == "" || e3 == "" {
		t.Fatalf("catalog lacks Office 365 G3 GCC or E3: %v", ids)
	}
	line := func(id string) map[string]any {
		return map[string]any{"lineItems": []any{map[string]any{"catalogItemId": id, "quantity": 25, "termDuration": "P1Y", "billingCycle": "annual"}}}
	}

	// Cart, checkout: the order is pending.
	var cart struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	s.ok("POST", "/v1/customers/"+gcc+"/carts", admin, line(g3), http.StatusCreated, &cart)
	type order struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		LineItems []struct {
			FriendlyName   string `json:"friendlyName"`
			SubscriptionID string `json:"subscriptionId"`
		} `json:"lineItems"`
	}
	var result struct {
		Orders []order `json:"orders"`
	}
	s.ok("POST", "/v1/customers/"+gcc+"/carts/"+cart.ID+"/checkout", admin, nil, http.StatusCreated, &result)
	if len(result.Orders) != 1 || result.Orders[0].Status != "pending" || result.Orders[0].LineItems[0].FriendlyName != "Office 365 G3 GCC" {
		t.Fatalf("checkout answered %+v, want one pending order of Office 365 G3 GCC", result)
	}
	placed := result.Orders[0]

	// The dispatcher fulfils it.
	var o order
	for deadline := time.Now().Add(mailWait); ; time.Sleep(25 * time.Millisecond) {
		s.ok("GET", "/v1/customers/"+gcc+"/orders/"+placed.ID, admin, nil, http.StatusOK, &o)
		if o.Status == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("order still %s after %v", o.Status, mailWait)
		}
	}
	if o.LineItems[0].SubscriptionID == "" {
		t.Errorf("completed order %+v has no subscription", o)
	}
	for _, addr := range []string{partnerEmail, agentEmail} {
		m := s.waitMail("order confirmation", to(addr, placed.ID))
		if !strings.Contains(m.Text, "Office 365 G3 GCC") || !strings.Contains(m.HTML, placed.ID) {
			t.Errorf("confirmation to %s lacks the offer or the order:\n%s", addr, m.Text)
		}
	}

	// Refusals: each names its line and writes nothing.
	written := func() string {
		return "orders=" + strconv.Itoa(s.count("/v1/customers/"+gcc+"/orders", admin)+s.count("/v1/customers/"+commercial+"/orders", admin)) +
			" outbox=" + strconv.Itoa(s.count("/v1/notifications", reviewer)) +
			" audit=" + strconv.Itoa(s.count("/v1/auditrecords", reviewer))
	}
	before := written()
	for _, tt := range []struct {
		name, customer, offer string
	}{{"CommercialOfferForGCCCustomer", gcc, e3}, {"GovernmentOfferForCommercialCustomer", commercial, g3}} {
		p := s.do("POST", "/v1/customers/"+tt.customer+"/carts", admin, line(tt.offer)).problem(t, http.StatusUnprocessableEntity, onboard.ErrOfferNotEligible)
		if len(p.Errors) != 1 || p.Errors[0].Field != "lineItems[0]" {
			t.Errorf("%s: errors %+v, want one naming lineItems[0]", tt.name, p.Errors)
		}
	}
	plain := s.token(onboard.RoleAdminAgent, "3b5c7d9e-1f2a-4b4c-9d6e-8f0a1b2c3d4e")
	s.do("GET", "/v1/products?country=US&targetView=OnlineServices&targetSegment=government", plain, nil).
		problem(t, http.StatusForbidden, onboard.ErrPartnerNotGccQualified)
	time.Sleep(100 * time.Millisecond) // a dispatcher woken by a stray commit would have run by now
	if after := written(); after != before {
		t.Errorf("refusals wrote something: before %s, after %s", before, after)
	}
}
