package main

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// invitationHref finds the invitation link in a mail's HTML.
var invitationHref = regexp.MustCompile(`href="(http://[^"]+/invitations/[A-Za-z0-9_-]+)"`)

// TestBrowserInvitation is issue 5's "done when" in a real headless Chromium: a GCC-qualified
// partner creates an invitation with send: true; the mail is at /dev/mail; the customer clicks its
// link there, sees who invites, submits the form once with a bad tenant ID (the error beside the
// field, values kept) and then correctly, and sees the confirmation; the partner's customer list
// holds the customer with the GCC qualification its tenant's approved validation gives; the same
// link then shows the not-valid page.
func TestBrowserInvitation(t *testing.T) {
	chromium := testenv.Chromium(t)
	t.Parallel()
	s := startServer(t, serverOptions{rateLimit: 50})
	reviewer := s.token(onboard.RoleEligibilityReviewer, "")
	admin := s.token(onboard.RoleAdminAgent, partnerTenant)

	// The partner is GCC-qualified, and the customer's tenant holds an approved GCC validation.
	var partnerReq, customerReq receipt
	s.ok("POST", "/v1/eligibility/partner", "", partnerIntake(partnerTenant, partnerEmail), http.StatusCreated, &partnerReq)
	s.ok("POST", "/v1/eligibility/requests/"+partnerReq.ID+"/decision", reviewer, map[string]any{"decision": "Approved"}, http.StatusOK, nil)
	s.ok("POST", "/v1/eligibility/customer", "", customerIntake(partnerTenant, "ben@fairfaxva.example"), http.StatusCreated, &customerReq)
	s.ok("POST", "/v1/eligibility/requests/"+customerReq.ID+"/decision", reviewer, map[string]any{"decision": "Approved"}, http.StatusOK, nil)
	const customerTenant = "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f" // customerIntake's

	// The partner invites the customer and the mail goes out.
	const customerEmail = "it@fairfaxva.example"
	var inv struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	s.ok("POST", "/v1/invitations", admin, map[string]any{"customerEmail": customerEmail, "customerName": "City of Fairfax IT",
		"message": "Hello Ben,\n\nplease accept Contoso Gov Solutions as your GCC reseller: {{link}}\n\nAna", "send": true},
		http.StatusCreated, &inv)
	if !strings.HasPrefix(inv.URL, s.url+"/invitations/") {
		t.Fatalf("invitation url %q is not on the server's base URL %s", inv.URL, s.url)
	}
	m := s.waitMail("the invitation", to(customerEmail, "Contoso Gov Solutions invites you"))
	found := invitationHref.FindStringSubmatch(m.HTML)
	if found == nil || found[1] != inv.URL || !strings.Contains(m.Text, inv.URL) {
		t.Fatalf("the mail does not carry the link %s:\n%s\n%s", inv.URL, m.Text, m.HTML)
	}
	link := found[1]

	// The customer reads the mail at /dev/mail and clicks the link.
	b := newBrowser(t, chromium)
	b.do("open /dev/mail", chromedp.Navigate(s.url+"/dev/mail"))
	if res := b.navigate("click the invitation link", chromedp.Click(chromedp.CSS(`a[href="`+link+`"]`))); res != http.StatusOK {
		t.Fatalf("invitation page: HTTP %d", res)
	}
	if got := run(b, "read who invites", chromedp.Text(byID("partner"))); got != "Contoso Gov Solutions" {
		t.Errorf("the page names %q as the inviting partner", got)
	}

	// A bad tenant ID: the form comes back with the error beside it and the values kept.
	typed := map[string]string{"companyName": "City of Fairfax", "domain": "fairfaxva.example", "tenantId": "not-a-tenant",
		"adminName": "Ben Ortiz", "adminEmail": "ben@fairfaxva.example"}
	for name, v := range typed {
		b.do("type "+name, chromedp.SendKeys(byID(name), v))
	}
	b.do("tick agree", chromedp.Click(byID("agree")))
	if res := b.navigate("submit with a bad tenant ID", chromedp.Click(chromedp.CSS(`button[type=submit]`))); res != http.StatusUnprocessableEntity {
		t.Errorf("bad tenant ID: HTTP %d, want 422", res)
	}
	if msg := run(b, "read the tenant ID error", chromedp.Text(byID("tenantId-err"))); msg == "" {
		t.Error("no error text beside tenantId")
	}
	for name, want := range typed {
		if got := run(b, "read "+name, chromedp.Value(byID(name))); got != want {
			t.Errorf("after the error, %s = %q, want %q kept", name, got, want)
		}
	}

	// Corrected: the confirmation.
	b.do("correct the tenant ID", chromedp.Evaluate[chromedp.Void](`document.getElementById("tenantId").value = ""`),
		chromedp.SendKeys(byID("tenantId"), strings.ToUpper(customerTenant)))
	if res := b.navigate("accept", chromedp.Click(chromedp.CSS(`button[type=submit]`))); res != http.StatusCreated {
		t.Errorf("accept: HTTP %d, want 201", res)
	}
	page := run(b, "read the confirmation", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Invitation accepted", "Contoso Gov Solutions", "City of Fairfax", "GovernmentCommunityCloud"} {
		if !strings.Contains(page, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, page)
		}
	}
	customerID := strings.TrimSpace(run(b, "read the customer ID", chromedp.Text(byID("customer-id"))))

	// The partner's customer list shows the customer, with GCC.
	type customer struct {
		ID                    string                 `json:"id"`
		Relationship          string                 `json:"relationship"`
		CompanyProfile        onboard.CompanyProfile `json:"companyProfile"`
		SpecialQualifications []string               `json:"specialQualifications"`
	}
	var customers struct{ Items []customer }
	s.ok("GET", "/v1/customers", admin, nil, http.StatusOK, &customers)
	if i := slices.IndexFunc(customers.Items, func(c customer) bool { return c.ID == customerID }); i < 0 {
		t.Errorf("customer %s not in the partner's list: %+v", customerID, customers.Items)
	} else if c := customers.Items[i]; c.Relationship != "Reseller" || c.CompanyProfile.TenantID != customerTenant ||
		!slices.Equal(c.SpecialQualifications, []string{"GovernmentCommunityCloud"}) {
		t.Errorf("listed customer %+v", c)
	}
	s.waitMail("the partner's acceptance notice", to(partnerEmail, "City of Fairfax accepted"))

	// The same link again: the not-valid page.
	if res := b.navigate("open the link again", chromedp.Navigate(link)); res != http.StatusGone {
		t.Errorf("used link: HTTP %d, want 410", res)
	}
	if page := run(b, "read the page", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(page, "This invitation link is not valid") {
		t.Errorf("used link shows:\n%s", page)
	}
}
