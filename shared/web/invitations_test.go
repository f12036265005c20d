package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/seal"
	"github.com/gcconboard/gcconboard/shared/store"
)

// testBaseURL is the configured public base URL; the test server itself listens elsewhere, which
// is how a test tells a link built from configuration from one built from the Host header.
const testBaseURL = "https://onboard.example.gov"

// Tenants of customers that accept invitations: one holds an approved GCC validation.
const (
	gccTenant   = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
	plainTenant = "3b4c5d6e-7f8a-4b9c-8d0e-2f3a4b5c6d7e"
	otherTenant = "99999999-9999-4999-8999-999999999999"
)

// newInvitations is the env's invitation service, with a throwaway local sealer.
func newInvitations(t *testing.T, st *store.Store, clock func() time.Time, log *slog.Logger) *invitations.Service {
	t.Helper()
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	sealer, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return &invitations.Service{Store: st, Sealer: sealer, BaseURL: testBaseURL, Now: clock, Log: log}
}

// mailbox is a fake outbox.Sender that keeps what it is given to send.
type mailbox struct {
	mu   sync.Mutex
	sent []outbox.Message
}

func (m *mailbox) Send(_ context.Context, msg outbox.Message) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return fmt.Sprintf("msg-%d", len(m.sent)), nil
}

// to returns the messages sent to addr.
func (m *mailbox) to(addr string) []outbox.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []outbox.Message
	for _, msg := range m.sent {
		if slices.Contains(msg.To, addr) {
			out = append(out, msg)
		}
	}
	return out
}

// deliver sends every due outbox item as the notifier would, with the env's sealer.
func (e *env) deliver(t *testing.T, box *mailbox) {
	t.Helper()
	d := &outbox.Deliverer{Outbox: e.store, Sender: box, From: "no-reply@gcconboard.example", Sealer: e.inv.Sealer,
		Now: func() time.Time { return e.now }, Log: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if _, err := d.SweepDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// qualify has the review team approve partnerTenant (contact ana@contoso.example) and returns
// an admin agent's Authorization header for it.
func qualify(t *testing.T, e *env) string {
	t.Helper()
	var receipt onboard.Receipt
	e.do("POST", "/v1/eligibility/partner", partnerIntake()).json(t, &receipt)
	res := e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Approved"},
		"Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, ""))
	if res.status != 200 {
		t.Fatalf("approve partner: %d %s", res.status, res.body)
	}
	return "Bearer " + e.token(onboard.RoleAdminAgent, partnerTenant)
}

// validate has the review team approve a customer intake for tenant, so it holds a GCC validation.
func validate(t *testing.T, e *env, tenant string) {
	t.Helper()
	body := map[string]any{"organizationName": "Fabrikam County", "customerTenantId": tenant, "domain": "fabrikam.gov",
		"governmentEntityType": "local", "validationOption": onboard.CustomerValidationOption, "partnerTenantId": partnerTenant,
		"contact":     map[string]any{"name": "Sam Roe", "title": "CIO", "email": "sam@fabrikam.gov", "phone": "+1 703 555 0199"},
		"address":     map[string]any{"line1": "2 Oak Ave", "city": "Reston", "state": "VA", "postalCode": "20190", "country": "US"},
		"attestation": map[string]any{"signerName": "Sam Roe", "signerTitle": "CIO", "agree": true, "termsVersion": "2025-01"}}
	var receipt onboard.Receipt
	e.do("POST", "/v1/eligibility/customer", body).json(t, &receipt)
	res := e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Approved"},
		"Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, ""))
	if res.status != 200 {
		t.Fatalf("approve customer: %d %s", res.status, res.body)
	}
}

func inviteBody(send bool) map[string]any {
	return map[string]any{"customerEmail": "it@fabrikam.gov", "customerName": "Fabrikam County IT", "send": send}
}

// invite creates an invitation and returns it with its token.
func (e *env) invite(t *testing.T, agent string, body map[string]any, header ...string) (invitations.Created, string) {
	t.Helper()
	res := e.do("POST", "/v1/invitations", body, append([]string{"Authorization", agent}, header...)...)
	if res.status != 201 {
		t.Fatalf("create invitation: %d %s", res.status, res.body)
	}
	var c invitations.Created
	res.json(t, &c)
	token, ok := strings.CutPrefix(c.URL, testBaseURL+"/invitations/")
	if !ok || !onboard.WellFormedInvitationToken(token) {
		t.Fatalf("url %q is not the configured base URL plus a token", c.URL)
	}
	return c, token
}

func acceptBody(tenant string) map[string]any {
	return map[string]any{"companyName": "Fabrikam County", "domain": "fabrikam.gov", "tenantId": strings.ToUpper(tenant),
		"adminName": "Sam Q Roe", "adminEmail": "sam@fabrikam.gov", "agree": true}
}

func acceptForm(tenant string) url.Values {
	return url.Values{"companyName": {"Fabrikam County"}, "domain": {"fabrikam.gov"}, "tenantId": {tenant},
		"adminName": {"Sam Roe"}, "adminEmail": {"sam@fabrikam.gov"}, "agree": {"on"}}
}

// customersOf lists partner's customers through GET /v1/customers where that route is served,
// else from the store that route reads.
func (e *env) customersOf(t *testing.T, agent string) []map[string]any {
	t.Helper()
	var list List[map[string]any]
	res := e.do("GET", "/v1/customers", nil, "Authorization", agent)
	res.json(t, &list)
	if res.status != 200 {
		t.Fatalf("GET /v1/customers: %d %s", res.status, res.body)
	}
	return list.Items
}

// dump returns every item of the partitions invitations touch, as JSON: the partner's partition,
// every token pointer, all mail, the day's audit records and the given idempotency keys' records.
func (e *env) dump(t *testing.T, idemKeys ...string) string {
	t.Helper()
	ctx := context.Background()
	var all []map[string]any
	add := func(q store.Query) {
		var items []map[string]any
		if err := e.store.Backend().Query(ctx, q, &items); err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
	}
	add(store.Query{PK: "PARTNER#" + partnerTenant})
	invs, err := e.store.Invitations(ctx, partnerTenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		add(store.Query{PK: "INVITE#" + inv.TokenSHA256})
	}
	for _, st := range []string{"Pending", "Sent", "Failed"} {
		add(store.Query{Index: store.IndexGSI1, PK: "MAIL#" + st})
	}
	add(store.Query{PK: "AUDIT#" + e.now.Format(time.DateOnly)})
	for _, k := range idemKeys {
		add(store.Query{PK: "IDEM#invitations:" + partnerTenant + "#" + k})
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInvitationFlow(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		agent := qualify(t, e)
		validate(t, e, gccTenant)
		box := &mailbox{}
		e.deliver(t, box) // the intake and decision mail, out of the way

		created, token := e.invite(t, agent, inviteBody(true))
		link := created.URL
		page := strings.TrimPrefix(link, testBaseURL)

		t.Run("Created", func(t *testing.T) {
			if created.Status != onboard.InvitationPending || !created.ExpiresAt.Equal(e.now.Add(14*24*time.Hour)) ||
				!strings.HasPrefix(created.ID, "inv_") || len(token) < 22 {
				t.Errorf("created = %+v", created)
			}
			if !strings.Contains(created.Email.Subject, "Contoso Gov Solutions") || !strings.Contains(created.Email.Text, link) ||
				strings.Contains(created.Email.Text, onboard.LinkPlaceholder) {
				t.Errorf("email = %+v, want the partner in the subject and the link in the text", created.Email)
			}
		})
		t.Run("LinkFromConfigurationNotHost", func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/v1/invitations", strings.NewReader(`{"customerEmail":"a@b.gov","customerName":"A"}`))
			req.Host = "attacker.example"
			req.Header.Set("X-Forwarded-Host", "attacker.example")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", agent)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var c invitations.Created
			json.NewDecoder(res.Body).Decode(&c)
			if res.StatusCode != 201 || !strings.HasPrefix(c.URL, testBaseURL+"/invitations/") {
				t.Errorf("url = %q (%d), want it on %s", c.URL, res.StatusCode, testBaseURL)
			}
		})
		t.Run("OutboxHoldsNoToken", func(t *testing.T) {
			mails, err := e.store.Notifications(ctx, onboard.MailPending, partnerTenant)
			if err != nil {
				t.Fatal(err)
			}
			var n *onboard.Notification
			for i := range mails {
				if mails[i].Template == "invitation" && mails[i].RecordID == created.ID {
					n = &mails[i]
				}
			}
			if n == nil || n.To[0] != "it@fabrikam.gov" || n.Sealed["link"] == "" || !strings.Contains(n.Text, onboard.LinkPlaceholder) {
				t.Fatalf("invitation mail = %+v", n)
			}
			all := e.dump(t)
			if strings.Contains(all, token) {
				t.Errorf("a stored item holds the raw token")
			}
			if !strings.Contains(all, onboard.InvitationTokenHash(token)) {
				t.Errorf("the token's hash is not stored (is the dump reading the right partitions?)")
			}
		})
		t.Run("DeliveredWithWorkingLink", func(t *testing.T) {
			e.deliver(t, box)
			got := box.to("it@fabrikam.gov")
			if len(got) != 1 {
				t.Fatalf("sent %d invitation mails, want 1", len(got))
			}
			m := got[0]
			if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `<a href="`+link+`">`) || strings.Contains(m.Text+m.HTML, "{{") {
				t.Errorf("delivered mail lacks the link:\n%s\n%s", m.Text, m.HTML)
			}
			if all := e.dump(t); strings.Contains(all, token) {
				t.Errorf("delivery wrote the token back to the outbox")
			}
		})
		t.Run("PageShowsPartnerAndChangesNothing", func(t *testing.T) {
			before := e.dump(t)
			for range 2 {
				res := e.do("GET", page, nil, "Accept", "text/html")
				body := string(res.body)
				if res.status != 200 || !strings.Contains(body, "Contoso Gov Solutions") || !strings.Contains(body, `name="tenantId"`) ||
					!strings.Contains(body, `action="/invitations/`+token+`/accept"`) {
					t.Fatalf("page = %d\n%s", res.status, body)
				}
				for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"} {
					if got := res.header.Get(h); got != want {
						t.Errorf("%s = %q, want %q", h, got, want)
					}
				}
			}
			if after := e.dump(t); after != before {
				t.Errorf("GET changed stored state")
			}
		})
		t.Run("InvalidFieldsWriteNothing", func(t *testing.T) {
			before := e.dump(t)
			form := acceptForm("not-a-guid")
			form.Del("agree")
			form.Set("companyName", "")
			res := e.do("POST", page+"/accept", form, "Accept", "text/html")
			body := string(res.body)
			if res.status != 422 || !strings.Contains(body, `id="tenantId-err"`) || !strings.Contains(body, `id="companyName-err"`) ||
				!strings.Contains(body, `value="not-a-guid"`) || !strings.Contains(body, `value="sam@fabrikam.gov"`) ||
				!strings.Contains(body, "Contoso Gov Solutions") || !strings.Contains(body, `action="accept"`) || strings.Contains(body, token) {
				t.Errorf("form with errors: %d\n%s", res.status, body)
			}
			p := e.do("POST", page+"/accept", map[string]any{"tenantId": gccTenant, "adminEmail": "a\r\nb@x.gov"}).
				problem(t, 422, onboard.ErrValidationFailed)
			fields := map[string]bool{}
			for _, fe := range p.Errors {
				fields[fe.Field] = true
			}
			for _, f := range []string{"companyName", "domain", "adminName", "adminEmail", "agree"} {
				if !fields[f] {
					t.Errorf("no error for %s: %+v", f, p.Errors)
				}
			}
			e.do("POST", page+"/accept", `{"companyName": `).problem(t, 400, onboard.ErrMalformedBody)
			if after := e.dump(t); after != before {
				t.Errorf("a refused acceptance wrote something")
			}
		})
		t.Run("AcceptGCCTenant", func(t *testing.T) {
			res := e.do("POST", page+"/accept", acceptBody(gccTenant))
			var got invitations.Accepted
			res.json(t, &got)
			if res.status != 201 || got.Relationship != "Reseller" || !slices.Equal(got.SpecialQualifications, []string{"GovernmentCommunityCloud"}) ||
				got.CompanyProfile.TenantID != gccTenant || got.PartnerName != "Contoso Gov Solutions" {
				t.Fatalf("accept = %d %s", res.status, res.body)
			}
			cs := e.customersOf(t, agent)
			if len(cs) != 1 || cs[0]["id"] != got.ID || fmt.Sprint(cs[0]["specialQualifications"]) != "[GovernmentCommunityCloud]" ||
				cs[0]["relationship"] != "Reseller" {
				t.Errorf("partner's customers = %v", cs)
			}
			c, err := e.store.Customer(ctx, partnerTenant, got.ID)
			if err != nil || c.Origin != "invitation" || c.BillingProfile.FirstName != "Sam Q" || c.BillingProfile.LastName != "Roe" ||
				c.ValidationID == "" {
				t.Errorf("stored customer = %+v, %v", c, err)
			}
			var list List[invitations.View]
			e.do("GET", "/v1/invitations", nil, "Authorization", agent).json(t, &list)
			for _, v := range list.Items {
				if v.ID == created.ID && (v.Status != onboard.InvitationAccepted || v.CustomerID != got.ID) {
					t.Errorf("listed invitation = %+v", v)
				}
			}
			e.deliver(t, box)
			for _, to := range []string{"ana@contoso.example", "agent@partner.example"} {
				m := box.to(to)
				if len(m) == 0 || !strings.Contains(m[len(m)-1].Subject, "Fabrikam County accepted") ||
					!strings.Contains(m[len(m)-1].Text, "GovernmentCommunityCloud") {
					t.Errorf("mail to %s = %+v", to, m)
				}
			}
			var audit List[onboard.AuditRecord]
			e.do("GET", "/v1/auditrecords", nil, "Authorization", agent).json(t, &audit)
			actions := map[string]bool{}
			for _, a := range audit.Items {
				actions[a.Action] = true
			}
			for _, want := range []string{"invitation.create", "invitation.accept", "customer.create"} {
				if !actions[want] {
					t.Errorf("no audit record %s: %+v", want, audit.Items)
				}
			}
		})
		t.Run("SecondAcceptGone", func(t *testing.T) {
			e.do("POST", page+"/accept", acceptBody(otherTenant)).problem(t, 410, onboard.ErrInvitationNotValid)
			res := e.do("GET", page, nil, "Accept", "text/html")
			if res.status != 410 || !strings.Contains(string(res.body), "not valid") {
				t.Errorf("page of a used link = %d", res.status)
			}
		})
		t.Run("AcceptTenantWithoutValidation", func(t *testing.T) {
			_, token := e.invite(t, agent, inviteBody(false))
			res := e.do("POST", "/invitations/"+token+"/accept", acceptForm(plainTenant), "Accept", "text/html")
			body := string(res.body)
			if res.status != 201 || !strings.Contains(body, "Invitation accepted") || !strings.Contains(body, `<dd id="qualifications">none</dd>`) {
				t.Fatalf("accept = %d\n%s", res.status, body)
			}
			for _, c := range e.customersOf(t, agent) {
				cp, _ := json.Marshal(c["companyProfile"])
				if strings.Contains(string(cp), plainTenant) && fmt.Sprint(c["specialQualifications"]) != "[]" {
					t.Errorf("customer without validation = %v", c)
				}
			}
		})
		t.Run("SameTenantAgain", func(t *testing.T) {
			_, token := e.invite(t, agent, inviteBody(false))
			e.do("POST", "/invitations/"+token+"/accept", acceptBody(plainTenant)).problem(t, 409, onboard.ErrRelationshipExists)
			if n := len(e.customersOf(t, agent)); n != 2 {
				t.Errorf("customers = %d, want 2", n)
			}
		})
		t.Run("TenantThePartnerCreated", func(t *testing.T) {
			// A customer the partner created with POST /v1/customers is found through the index
			// of its customers by tenant, in either case.
			const created = "4c5d6e7f-8a9b-4c0d-9e1f-3a4b5c6d7e8f"
			body := withField(newCustomer(onboard.QualificationNone, ""), "companyProfile.tenantId", strings.ToUpper(created))
			if res := e.do("POST", "/v1/customers", body, "Authorization", agent); res.status != 201 {
				t.Fatalf("create customer: %d %s", res.status, res.body)
			}
			_, token := e.invite(t, agent, inviteBody(false))
			e.do("POST", "/invitations/"+token+"/accept", acceptBody(created)).problem(t, 409, onboard.ErrRelationshipExists)
			if n := len(e.customersOf(t, agent)); n != 3 {
				t.Errorf("customers = %d, want 3", n)
			}
		})
	})
}

func TestRaceInvitationAccepts(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		agent := qualify(t, e)
		_, token := e.invite(t, agent, inviteBody(false))
		const n = 50
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				// Each racer is another tenant, so only the invitation's own state can stop them.
				statuses[i] = e.do("POST", "/invitations/"+token+"/accept", acceptBody(fmt.Sprintf("%08x-0000-4000-8000-000000000000", i))).status
			})
		}
		wg.Wait()
		counts := map[int]int{}
		for _, s := range statuses {
			counts[s]++
		}
		if counts[201] != 1 || counts[410] != n-1 {
			t.Errorf("statuses = %v, want one 201 and %d 410", counts, n-1)
		}
		cs, err := e.store.Customers(context.Background(), partnerTenant)
		if err != nil || len(cs) != 1 {
			t.Errorf("customers = %d (%v), want exactly 1", len(cs), err)
		}
	})
}

func TestInvitationNotValid(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		agent := qualify(t, e)
		_, used := e.invite(t, agent, inviteBody(false))
		e.do("POST", "/invitations/"+used+"/accept", acceptBody(plainTenant))
		revokedInv, revoked := e.invite(t, agent, inviteBody(false))
		if res := e.do("DELETE", "/v1/invitations/"+revokedInv.ID, nil, "Authorization", agent); res.status != 204 {
			t.Fatalf("revoke: %d %s", res.status, res.body)
		}
		_, expired := e.invite(t, agent, inviteBody(false))
		e.now = e.now.Add(14*24*time.Hour + time.Second)
		unknown, _, _ := onboard.NewInvitationToken()
		tokens := map[string]string{"used": used, "revoked": revoked, "expired": expired, "unknown": unknown,
			"malformed": "not-a-token", "tooLong": unknown + "A", "badChars": strings.Repeat("~", len(unknown))}

		var jsonGet, jsonPost, htmlGet, htmlPost string
		for name, tok := range tokens {
			t.Run(name, func(t *testing.T) {
				check := func(what string, res response, want *string) {
					t.Helper()
					if res.status != 410 {
						t.Errorf("%s: status %d, want 410: %s", what, res.status, res.body)
					}
					if res.header.Get("X-Robots-Tag") == "" {
						t.Errorf("%s: no X-Robots-Tag", what)
					}
					if *want == "" {
						*want = string(res.body)
					} else if string(res.body) != *want {
						t.Errorf("%s: body differs from the others:\n%s\nvs\n%s", what, res.body, *want)
					}
				}
				check("GET json", e.do("GET", "/invitations/"+tok, nil, "Accept", "application/json"), &jsonGet)
				check("POST json", e.do("POST", "/invitations/"+tok+"/accept", acceptBody(otherTenant)), &jsonPost)
				check("GET html", e.do("GET", "/invitations/"+tok, nil, "Accept", "text/html"), &htmlGet)
				check("POST html", e.do("POST", "/invitations/"+tok+"/accept", acceptForm(otherTenant), "Accept", "text/html"), &htmlPost)
				e.do("POST", "/invitations/"+tok+"/accept", map[string]any{}).problem(t, 410, onboard.ErrInvitationNotValid)
			})
		}
		if jsonGet != jsonPost {
			t.Errorf("GET and POST problems differ:\n%s\n%s", jsonGet, jsonPost)
		}
		if htmlGet != htmlPost {
			t.Errorf("GET and POST pages differ")
		}
		if cs, _ := e.store.Customers(context.Background(), partnerTenant); len(cs) != 1 {
			t.Errorf("customers = %d, want only the used invitation's", len(cs))
		}
	})
}

func TestInvitationRefusals(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		agent := qualify(t, e)
		count := func() int { return e.count(store.Query{PK: "PARTNER#" + partnerTenant, SKPrefix: "INVITATION#"}) }

		t.Run("NotGCCQualified", func(t *testing.T) {
			other := "Bearer " + e.token(onboard.RoleAdminAgent, otherTenant)
			e.do("POST", "/v1/invitations", inviteBody(true), "Authorization", other).problem(t, 403, onboard.ErrPartnerNotGccQualified)
			e.do("POST", "/v1/invitations", `{"customerEmail": `, "Authorization", other).problem(t, 403, onboard.ErrPartnerNotGccQualified)
			e.do("GET", "/v1/customers/relationshiprequests", nil, "Authorization", other).problem(t, 403, onboard.ErrPartnerNotGccQualified)
			e.do("POST", "/v1/invitations", inviteBody(true), "Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, "")).
				problem(t, 403, onboard.ErrForbidden)
		})
		t.Run("SalesAgentMayInvite", func(t *testing.T) {
			e.invite(t, "Bearer "+e.token(onboard.RoleSalesAgent, partnerTenant), inviteBody(false))
		})
		before := count()
		t.Run("LinkMissing", func(t *testing.T) {
			body := inviteBody(true)
			body["message"] = "Hello, please accept our invitation: {{ link }}"
			e.do("POST", "/v1/invitations", body, "Authorization", agent).problem(t, 422, onboard.ErrInvitationLinkMissing)
		})
		t.Run("LineBreaksInNameAndEmail", func(t *testing.T) {
			body := map[string]any{"customerEmail": "it@fabrikam.gov\r\nBcc: x@evil.example", "customerName": "Fabrikam\r\nBcc: x@evil.example"}
			p := e.do("POST", "/v1/invitations", body, "Authorization", agent).problem(t, 422, onboard.ErrValidationFailed)
			if len(p.Errors) != 2 || p.Errors[0].Field != "customerEmail" || p.Errors[1].Field != "customerName" {
				t.Errorf("errors = %+v", p.Errors)
			}
		})
		t.Run("Malformed", func(t *testing.T) {
			e.do("POST", "/v1/invitations", `{"send": "yes"}`, "Authorization", agent).problem(t, 400, onboard.ErrMalformedBody)
			e.do("POST", "/v1/invitations", "customerEmail=a", "Authorization", agent, "Content-Type", "application/x-www-form-urlencoded").
				problem(t, 415, onboard.ErrUnsupportedMediaType)
		})
		if got := count(); got != before {
			t.Errorf("refusals wrote %d invitations", got-before)
		}
		t.Run("MessageMarkupEscaped", func(t *testing.T) {
			body := inviteBody(true)
			body["message"] = "Dear <b>IT</b> & team,\n\nplease accept: {{link}}\n<script>alert(1)</script>"
			created, _ := e.invite(t, agent, body)
			if !strings.Contains(created.Email.Text, "Dear <b>IT</b> & team") || !strings.Contains(created.Email.Text, "please accept: "+created.URL) {
				t.Errorf("text = %s", created.Email.Text)
			}
			box := &mailbox{}
			e.deliver(t, box)
			m := box.to("it@fabrikam.gov")
			if len(m) != 1 {
				t.Fatalf("sent %d", len(m))
			}
			if !strings.Contains(m[0].HTML, "Dear &lt;b&gt;IT&lt;/b&gt; &amp; team,") || strings.Contains(m[0].HTML, "<script>") ||
				!strings.Contains(m[0].HTML, `please accept: <a href="`+created.URL+`">`) {
				t.Errorf("html = %s", m[0].HTML)
			}
		})
		t.Run("Revoke", func(t *testing.T) {
			inv, token := e.invite(t, agent, inviteBody(false))
			other := "Bearer " + e.token(onboard.RoleAdminAgent, otherTenant)
			e.do("DELETE", "/v1/invitations/"+inv.ID, nil, "Authorization", other).problem(t, 404, onboard.ErrNotFound)
			e.do("DELETE", "/v1/invitations/inv_unknown", nil, "Authorization", agent).problem(t, 404, onboard.ErrNotFound)
			for range 2 { // revoking twice is fine
				if res := e.do("DELETE", "/v1/invitations/"+inv.ID, nil, "Authorization", agent); res.status != 204 {
					t.Fatalf("revoke: %d %s", res.status, res.body)
				}
			}
			e.do("POST", "/invitations/"+token+"/accept", acceptBody(gccTenant)).problem(t, 410, onboard.ErrInvitationNotValid)
			if e.count(store.Query{PK: "INVITE#" + onboard.InvitationTokenHash(token)}) != 0 {
				t.Error("revoking left the token's pointer")
			}
			accepted, token2 := e.invite(t, agent, inviteBody(false))
			e.do("POST", "/invitations/"+token2+"/accept", acceptBody(gccTenant))
			e.do("DELETE", "/v1/invitations/"+accepted.ID, nil, "Authorization", agent).problem(t, 409, onboard.ErrInvitationAccepted)
			var list List[invitations.View]
			res := e.do("GET", "/v1/invitations", nil, "Authorization", agent)
			res.json(t, &list)
			statuses := map[string]onboard.InvitationStatus{}
			for _, v := range list.Items {
				statuses[v.ID] = v.Status
			}
			if statuses[inv.ID] != onboard.InvitationRevoked || statuses[accepted.ID] != onboard.InvitationAccepted {
				t.Errorf("statuses = %v", statuses)
			}
			if strings.Contains(string(res.body), token) || strings.Contains(string(res.body), onboard.InvitationTokenHash(token)) ||
				strings.Contains(string(res.body), "/invitations/") {
				t.Errorf("the list shows a token, hash or link: %s", res.body)
			}
			var other2 List[invitations.View]
			e.do("GET", "/v1/invitations", nil, "Authorization", other).json(t, &other2)
			if other2.TotalCount != 0 {
				t.Errorf("another partner sees %d invitations", other2.TotalCount)
			}
		})
		t.Run("ExpiredListed", func(t *testing.T) {
			inv, _ := e.invite(t, agent, inviteBody(false))
			e.now = e.now.Add(15 * 24 * time.Hour)
			defer func() { e.now = e.now.Add(-15 * 24 * time.Hour) }()
			var list List[invitations.View]
			e.do("GET", "/v1/invitations", nil, "Authorization", agent).json(t, &list)
			for _, v := range list.Items {
				if v.ID == inv.ID && v.Status != onboard.InvitationExpired {
					t.Errorf("status = %s, want Expired", v.Status)
				}
			}
		})
		t.Run("Idempotency", func(t *testing.T) {
			first := e.do("POST", "/v1/invitations", inviteBody(true), "Authorization", agent, "Idempotency-Key", "inv-key-1")
			again := e.do("POST", "/v1/invitations", inviteBody(true), "Authorization", agent, "Idempotency-Key", "inv-key-1")
			if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("replay: %d %d\n%s\n%s", first.status, again.status, first.body, again.body)
			}
			var c invitations.Created
			first.json(t, &c)
			token := strings.TrimPrefix(c.URL, testBaseURL+"/invitations/")
			rec, err := e.store.Idempotent(context.Background(), "invitations:"+partnerTenant, "inv-key-1")
			if err != nil || rec == nil || !rec.Sealed || strings.Contains(string(rec.Body), token) {
				t.Errorf("stored answer: %+v, %v; want it sealed", rec, err)
			}
			if strings.Contains(e.dump(t, "inv-key-1"), token) {
				t.Error("a stored item holds the token")
			}
			changed := inviteBody(false)
			e.do("POST", "/v1/invitations", changed, "Authorization", agent, "Idempotency-Key", "inv-key-1").
				problem(t, 422, onboard.ErrIdempotencyKeyReused)
		})
	})
}

func TestRelationshipLink(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		agent := qualify(t, e)
		get := func() string {
			t.Helper()
			var v struct{ URL string }
			res := e.do("GET", "/v1/customers/relationshiprequests", nil, "Authorization", "Bearer "+e.token(onboard.RoleAdminAgent, partnerTenant))
			res.json(t, &v)
			if res.status != 200 || !strings.HasPrefix(v.URL, testBaseURL+"/invitations/") {
				t.Fatalf("relationship request = %d %s", res.status, res.body)
			}
			return v.URL
		}
		link := get()
		if again := get(); again != link {
			t.Errorf("second call gave another link: %s vs %s", again, link)
		}
		page := strings.TrimPrefix(link, testBaseURL)
		for _, tenant := range []string{gccTenant, plainTenant} { // reusable: each customer once
			if res := e.do("POST", page+"/accept", acceptBody(tenant)); res.status != 201 {
				t.Errorf("accept by %s: %d %s", tenant, res.status, res.body)
			}
		}
		e.do("POST", page+"/accept", acceptBody(gccTenant)).problem(t, 409, onboard.ErrRelationshipExists)
		if cs, _ := e.store.Customers(context.Background(), partnerTenant); len(cs) != 2 {
			t.Errorf("customers = %d, want 2", len(cs))
		}
		var list List[invitations.View]
		e.do("GET", "/v1/invitations", nil, "Authorization", agent).json(t, &list)
		if list.TotalCount != 1 || !list.Items[0].Reusable || list.Items[0].Status != onboard.InvitationPending {
			t.Fatalf("invitations = %+v", list.Items)
		}
		t.Run("ReissuedWhenRevoked", func(t *testing.T) {
			if res := e.do("DELETE", "/v1/invitations/"+list.Items[0].ID, nil, "Authorization", agent); res.status != 204 {
				t.Fatalf("revoke: %d", res.status)
			}
			e.do("GET", page, nil, "Accept", "application/json").problem(t, 410, onboard.ErrInvitationNotValid)
			fresh := get()
			if fresh == link {
				t.Error("a revoked link was handed out again")
			}
			link = fresh
		})
		t.Run("ReissuedBeforeExpiry", func(t *testing.T) {
			e.now = e.now.Add(invitations.RelationshipLinkExpiry - 13*24*time.Hour)
			if fresh := get(); fresh == link {
				t.Error("a link expiring within the single-use expiry was handed out again")
			}
			if res := e.do("GET", strings.TrimPrefix(link, testBaseURL), nil); res.status != 200 {
				t.Errorf("the previous link stopped working before its expiry: %d", res.status)
			}
		})
		t.Run("ConcurrentFirstCalls", func(t *testing.T) {
			other := "99999999-0000-4999-8999-999999999999"
			body := partnerIntake()
			body["partnerTenantId"] = other
			var receipt onboard.Receipt
			e.do("POST", "/v1/eligibility/partner", body).json(t, &receipt)
			e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Approved"},
				"Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, ""))
			auth := "Bearer " + e.token(onboard.RoleAdminAgent, other)
			urls := make([]string, 8)
			var wg sync.WaitGroup
			for i := range urls {
				wg.Go(func() {
					var v struct{ URL string }
					e.do("GET", "/v1/customers/relationshiprequests", nil, "Authorization", auth).json(t, &v)
					urls[i] = v.URL
				})
			}
			wg.Wait()
			if urls[0] == "" || slices.ContainsFunc(urls, func(u string) bool { return u != urls[0] }) {
				t.Errorf("concurrent first calls gave different links: %v", urls)
			}
		})
	})
}

// TestInvitationSecretsNeverLogged runs the whole flow with every log at debug level kept, and
// searches the logs, the audit records, every error body and the stored items for the raw tokens.
func TestInvitationSecretsNeverLogged(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		agent := qualify(t, e)
		validate(t, e, gccTenant)
		var tokens, bodies []string
		record := func(res response) response {
			if res.status >= 400 {
				bodies = append(bodies, string(res.body))
			}
			return res
		}
		created, token := e.invite(t, agent, inviteBody(true), "Idempotency-Key", "log-key")
		tokens = append(tokens, token)
		record(e.do("POST", "/v1/invitations", inviteBody(true), "Authorization", agent, "Idempotency-Key", "log-key"))
		record(e.do("POST", "/v1/invitations", inviteBody(false), "Authorization", agent, "Idempotency-Key", "log-key"))
		e.deliver(t, &mailbox{})
		page := strings.TrimPrefix(created.URL, testBaseURL)
		record(e.do("GET", page, nil, "Accept", "text/html"))
		record(e.do("POST", page+"/accept", url.Values{"tenantId": {"x"}}, "Accept", "text/html"))
		record(e.do("POST", page+"/accept", map[string]any{"tenantId": "x"}))
		record(e.do("POST", page+"/accept", `{"x": `))
		record(e.do("POST", page+"/accept", "a=b", "Content-Type", "text/plain"))
		record(e.do("POST", page+"/accept", acceptBody(gccTenant)))
		record(e.do("POST", page+"/accept", acceptBody(plainTenant)))
		record(e.do("GET", page, nil))
		revoke, token2 := e.invite(t, agent, inviteBody(true))
		tokens = append(tokens, token2)
		record(e.do("DELETE", "/v1/invitations/"+revoke.ID, nil, "Authorization", agent))
		record(e.do("POST", "/invitations/"+token2+"/accept", acceptBody(plainTenant)))
		var rel struct{ URL string }
		record(e.do("GET", "/v1/customers/relationshiprequests", nil, "Authorization", agent)).json(t, &rel)
		tokens = append(tokens, strings.TrimPrefix(rel.URL, testBaseURL+"/invitations/"))
		record(e.do("POST", strings.TrimPrefix(rel.URL, testBaseURL)+"/accept", acceptBody(plainTenant)))
		record(e.do("GET", "/v1/invitations", nil, "Authorization", agent))
		e.deliver(t, &mailbox{})
		audit := record(e.do("GET", "/v1/auditrecords", nil, "Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, "")))

		logs := e.logs.String()
		if !strings.Contains(logs, "invitation accepted") || !strings.Contains(logs, `"route":"POST /invitations/{token}/accept"`) {
			t.Fatalf("the logs were not captured:\n%s", logs)
		}
		if len(bodies) < 6 {
			t.Fatalf("only %d error bodies recorded", len(bodies))
		}
		stored := e.dump(t, "log-key")
		for i, tok := range tokens {
			for where, text := range map[string]string{"logs": logs, "audit records": string(audit.body),
				"error bodies": strings.Join(bodies, "\n"), "stored items": stored} {
				if strings.Contains(text, tok) {
					t.Errorf("token %d appears in the %s", i, where)
				}
			}
		}
	})
}

// TestInvitationTokenNotInBoltFile searches the embedded store's file itself, every byte of it,
// after the flow: it holds hashes and sealed values, never a token.
func TestInvitationTokenNotInBoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gcc.db")
	b, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	e := newEnv(t, b)
	agent := qualify(t, e)
	_, token := e.invite(t, agent, inviteBody(true), "Idempotency-Key", "file-key")
	e.deliver(t, &mailbox{})
	e.do("POST", "/invitations/"+token+"/accept", acceptBody(plainTenant))
	var rel struct{ URL string }
	e.do("GET", "/v1/customers/relationshiprequests", nil, "Authorization", agent).json(t, &rel)
	reusable := strings.TrimPrefix(rel.URL, testBaseURL+"/invitations/")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), onboard.InvitationTokenHash(token)) {
		t.Fatal("the file does not hold the token's hash: is this the store's file?")
	}
	for _, tok := range []string{token, reusable} {
		if strings.Contains(string(data), tok) {
			t.Errorf("the store's file holds a raw token")
		}
	}
}
