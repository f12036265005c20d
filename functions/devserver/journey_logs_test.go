package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// minSecretFragment is the shortest piece of a mail body that counts as leaked when it shows in
// the logs: long enough that it cannot be an ID or a word the logs name for a reason.
const minSecretFragment = 24

// TestNoSecretsInLogs runs a full journey through the HTTP API of the real local server, with its
// logger writing JSON at debug level into a buffer and its dispatcher delivering the mail, and
// collects every secret that passed through: each bearer token used (and a forged one), the raw
// invitation and relationship-link tokens, the evidence's canonical forms, and every delivered
// mail's text and HTML bodies. None of them, nor any distinctive line of a mail body, may appear in
// the logs; and the logs must be JSON lines that hold the request lines of the routes called (so an
// empty or unwired logger cannot pass).
func TestNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	var logs testenv.LogBuffer
	s := startServer(t, serverOptions{log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	secrets := map[string]string{} // what it is → the secret
	keep := func(what, v string) {
		t.Helper()
		if strings.TrimSpace(v) == "" {
			t.Fatalf("secret %s is empty: the journey did not go as planned", what)
		}
		secrets[what] = v
	}
	reviewer := s.token(onboard.RoleEligibilityReviewer, "")
	admin := mintWithEmail(t, s.data, onboard.RoleAdminAgent, partnerTenant, "agent@contoso.example")
	sales := s.token(onboard.RoleSalesAgent, partnerTenant)
	keep("reviewer token", reviewer)
	keep("admin token", admin)
	keep("sales token", sales)

	// Intake: a partner (with a marker that only the evidence holds) and its customer.
	const evidenceMarker = "Suite 4417, evidence-only marker Q7ZK"
	partnerBody := partnerIntake(partnerTenant, partnerEmail)
	partnerBody["address"].(map[string]any)["line2"] = evidenceMarker
	var partnerReq, customerReq receipt
	s.ok("POST", "/v1/eligibility/partner", "", partnerBody, http.StatusCreated, &partnerReq)
	keep("evidence marker", evidenceMarker)
	// A refused intake and a forged token: the error paths log too.
	bad := customerIntake(partnerTenant, "not-an-email")
	s.do("POST", "/v1/eligibility/customer", "", bad).problem(t, http.StatusUnprocessableEntity, onboard.ErrValidationFailed)
	const forged = "eyJhbGciOiJFUzI1NiJ9.forged-token-payload-QX81.c2lnbmF0dXJl"
	keep("forged token", forged)
	s.do("GET", "/v1/eligibility/requests", forged, nil).problem(t, http.StatusUnauthorized, onboard.ErrUnauthorized)

	// Decisions: the partner is approved, then its customer (a validation code, one create).
	s.ok("POST", "/v1/eligibility/requests/"+partnerReq.ID+"/decision", reviewer, map[string]any{"decision": "Approved"}, http.StatusOK, nil)
	s.ok("POST", "/v1/eligibility/customer", "", flatten(customerIntake(partnerTenant, "ben@fairfaxva.example")),
		http.StatusCreated, &customerReq)
	var decision struct {
		Validation struct {
			ValidationID string `json:"validationId"`
		} `json:"validation"`
	}
	s.ok("POST", "/v1/eligibility/requests/"+customerReq.ID+"/decision", reviewer,
		map[string]any{"decision": "Approved", "maxCreates": 1}, http.StatusOK, &decision)
	for _, id := range []string{partnerReq.ID, customerReq.ID} {
		var ev struct {
			CanonicalForm string `json:"canonicalForm"`
		}
		s.ok("GET", "/v1/eligibility/requests/"+id+"/evidence", reviewer, nil, http.StatusOK, &ev)
		keep("canonical form of "+id, ev.CanonicalForm)
	}
	if !strings.Contains(secrets["canonical form of "+partnerReq.ID], evidenceMarker) {
		t.Errorf("the partner's canonical form lacks the marker %q", evidenceMarker)
	}

	// Customer creation with the code.
	var gcc struct {
		ID string `json:"id"`
	}
	s.ok("POST", "/v1/customers", admin, map[string]any{
		"companyProfile": map[string]any{"companyName": "City of Fairfax", "domain": "fairfaxva.example",
			"tenantId": "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f"},
		"billingProfile": map[string]any{"email": "billing@fairfaxva.example", "firstName": "Ben", "lastName": "Ortiz",
			"defaultAddress": map[string]any{"line1": "10455 Armstrong St", "city": "Fairfax", "state": "VA", "postalCode": "22030", "country": "US"}},
		"qualification": "GovernmentCommunityCloud", "validationId": decision.Validation.ValidationID,
	}, http.StatusCreated, &gcc)

	// Invitation: created and sent, opened, accepted, then the used link tried again; and the
	// partner's reusable relationship link.
	const invitedEmail = "it@fairfaxcounty.example"
	var inv struct {
		URL   string `json:"url"`
		Email struct {
			Text string `json:"text"`
		} `json:"email"`
	}
	s.ok("POST", "/v1/invitations", sales, map[string]any{"customerEmail": invitedEmail, "customerName": "Fairfax County IT",
		"message": "Hello Cy,\n\nplease accept Contoso Gov Solutions as your reseller here: {{link}}\n\nAna", "send": true},
		http.StatusCreated, &inv)
	raw := path.Base(inv.URL)
	keep("invitation token", raw)
	keep("invitation email text (API answer)", inv.Email.Text)
	s.waitMail("the invitation", to(invitedEmail, "invites you"))
	if res := s.do("GET", "/invitations/"+raw, "", nil, "Accept", "text/html"); res.status != http.StatusOK {
		t.Fatalf("GET the invitation page: %d %s", res.status, res.body)
	}
	s.ok("POST", "/invitations/"+raw+"/accept", "", map[string]any{"companyName": "Fairfax County", "domain": "fairfaxcounty.example",
		"tenantId": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "adminName": "Cy Park", "adminEmail": invitedEmail, "agree": true},
		http.StatusCreated, nil)
	s.do("POST", "/invitations/"+raw+"/accept", "", map[string]any{"companyName": "Fairfax County", "domain": "fairfaxcounty.example",
		"tenantId": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "adminName": "Cy Park", "adminEmail": invitedEmail, "agree": true}).
		problem(t, http.StatusGone, onboard.ErrInvitationNotValid)
	var link struct {
		URL string `json:"url"`
	}
	s.ok("GET", "/v1/customers/relationshiprequests", admin, nil, http.StatusOK, &link)
	keep("relationship link token", path.Base(link.URL))
	wantRoutes := []string{"POST /v1/eligibility/partner", "POST /v1/eligibility/customer", "GET /v1/eligibility/requests",
		"POST /v1/eligibility/requests/{id}/decision", "GET /v1/eligibility/requests/{id}/evidence", "POST /v1/customers",
		"POST /v1/invitations", "GET /invitations/{token}", "POST /invitations/{token}/accept", "GET /v1/customers/relationshiprequests"}

	// Cart and checkout, when the orders step is there.
	t.Run("Order", func(t *testing.T) {
		if missing := ordersMissing(); missing != "" {
			t.Skipf("the orders step has not landed (the route table lacks %s); the rest of the journey runs", missing)
		}
		placeGovernmentOrder(t, s.reportTo(t), admin, gcc.ID)
		wantRoutes = append(wantRoutes, ordersRoutes...)
	})

	// Let every mail go out, then stop the server so that nothing more is logged.
	deadline := time.Now().Add(mailWait)
	for s.count("/v1/notifications?status=Pending", reviewer) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("mail still pending after %v", mailWait)
		}
		time.Sleep(25 * time.Millisecond)
	}
	mails := s.mail()
	if len(mails) < 6 {
		t.Fatalf("only %d mails delivered: %v", len(mails), subjects(mails))
	}
	for _, m := range mails {
		keep("text of mail "+m.Subject, m.Text)
		keep("html of mail "+m.Subject, m.HTML)
	}
	s.stop()
	captured := logs.String()

	// The logs are JSON lines, with a request line for each route called and the mail delivery.
	lines := strings.Split(strings.TrimSpace(captured), "\n")
	if strings.TrimSpace(captured) == "" {
		t.Fatal("nothing was logged: the logger is not wired, so this test proves nothing")
	}
	var decoded strings.Builder // every string in the logs, JSON escapes undone
	routesSeen := map[string]bool{}
	sent := 0
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line %d is not JSON (%v): %s", i+1, err, line)
			continue
		}
		if _, ok := rec["time"]; !ok || rec["level"] == nil || rec["msg"] == nil {
			t.Errorf("log line %d lacks time, level or msg: %s", i+1, line)
		}
		if rec["msg"] == "request" {
			if r, ok := rec["route"].(string); ok {
				routesSeen[r] = true
			}
		}
		if rec["msg"] == "mail sent" {
			sent++
		}
		strs(&decoded, rec)
	}
	for _, r := range wantRoutes {
		if !routesSeen[r] {
			t.Errorf("no request line for route %q; seen %v", r, routesSeen)
		}
	}
	if sent < len(mails) {
		t.Errorf("%d \"mail sent\" lines for %d delivered mails: the dispatcher does not log through this logger", sent, len(mails))
	}
	t.Logf("%d log lines, %d routes, %d mails, %d secrets checked", len(lines), len(routesSeen), len(mails), len(secrets))

	haystack := captured + "\n" + decoded.String()
	for _, what := range slices.Sorted(maps.Keys(secrets)) {
		secret := secrets[what]
		if !strings.Contains(haystack, secret) {
			continue
		}
		where := "a decoded log value"
		for _, line := range lines {
			if strings.Contains(line, secret) || strings.Contains(unescape(line), secret) {
				where = line
				break
			}
		}
		t.Errorf("the logs hold the %s (%q) in: %s", what, clip(secret), where)
	}

	// Nor any part of a mail body: every 24-character piece of each line of prose (a piece with a
	// space, so that an ID the logs name for a reason, like a request ID, does not count).
	for _, m := range mails {
		for i, line := range strings.Split(m.Text, "\n") {
			if piece := leakedPiece(strings.TrimSpace(line), haystack); piece != "" {
				t.Errorf("the logs hold part of line %d of mail %q: %q (line %q)", i+1, m.Subject, piece, line)
			}
		}
	}
}

// leakedPiece returns the first minSecretFragment-byte piece of line holding a space that occurs in
// haystack, or "".
func leakedPiece(line, haystack string) string {
	for k := 0; k+minSecretFragment <= len(line); k++ {
		if piece := line[k : k+minSecretFragment]; strings.Contains(piece, " ") && strings.Contains(haystack, piece) {
			return piece
		}
	}
	return ""
}

// mintWithEmail mints a token whose principal carries an email, as Cognito's do.
func mintWithEmail(t *testing.T, data string, role onboard.Role, partner, email string) string {
	t.Helper()
	var out bytes.Buffer
	if err := token([]string{"-data", data, "-role", string(role), "-partner", partner, "-email", email}, &out); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// flatten turns a nested JSON body into form fields as API.md names them (contact.email,
// attestation.agree=on, a list as repeated values).
func flatten(body map[string]any) url.Values {
	v := url.Values{}
	var walk func(prefix string, x any)
	walk = func(prefix string, x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				if prefix != "" {
					k = prefix + "." + k
				}
				walk(k, e)
			}
		case []string:
			for _, e := range x {
				v.Add(prefix, e)
			}
		case bool:
			if x {
				v.Set(prefix, "on")
			}
		default:
			v.Set(prefix, fmt.Sprint(x))
		}
	}
	walk("", body)
	return v
}

// strs writes every string (keys and values) of a decoded JSON value to b, one a line.
func strs(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(v)
		b.WriteByte('\n')
	case map[string]any:
		for k, e := range v {
			b.WriteString(k)
			b.WriteByte('\n')
			strs(b, e)
		}
	case []any:
		for _, e := range v {
			strs(b, e)
		}
	}
}

// unescape returns a JSON log line with its string escapes undone (as well as a line allows).
func unescape(line string) string {
	var rec map[string]any
	if json.Unmarshal([]byte(line), &rec) != nil {
		return line
	}
	var b strings.Builder
	strs(&b, rec)
	return b.String()
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
