package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// Two more partners: cuRivalPartner is GCC-qualified too (to show partners never see or use each
// other's customers and codes), cuPlainPartner never applied.
const (
	cuRivalPartner = "2b4d6f80-1a3c-4e5f-8a7b-9c0d1e2f3a4b"
	cuPlainPartner = "3c5e7a91-2b4d-4f60-9b8c-0d1e2f3a4b5c"
)

// gccPartner runs the review issue's flow for tenant through HTTP: the partner applies and the
// review team approves it. It returns admin and sales agent Authorization headers for it.
func gccPartner(t *testing.T, e *env, tenant string) (admin, sales string) {
	t.Helper()
	form := partnerIntake()
	form["partnerTenantId"] = tenant
	var receipt onboard.Receipt
	if res := e.do("POST", "/v1/eligibility/partner", form); res.status != 201 {
		t.Fatalf("partner intake: %d %s", res.status, res.body)
	} else {
		res.json(t, &receipt)
	}
	res := e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Approved"},
		"Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, ""))
	if res.status != 200 {
		t.Fatalf("approve partner: %d %s", res.status, res.body)
	}
	return "Bearer " + e.token(onboard.RoleAdminAgent, tenant), "Bearer " + e.token(onboard.RoleSalesAgent, tenant)
}

// customerTenants numbers the customer tenants issueCode makes up, so each has its own request.
var customerTenants atomic.Int64

// issueCode has a customer (its own tenant) apply naming partner, and the review team approve it
// with maxCreates: the partner gets a validation code.
func issueCode(t *testing.T, e *env, partner string, maxCreates int) onboard.ValidationCode {
	t.Helper()
	tenant := fmt.Sprintf("4d6f8a02-3c5e-4071-8c9d-%012x", customerTenants.Add(1))
	body := map[string]any{"organizationName": "City of Olympia", "customerTenantId": tenant, "domain": "olympia.example.gov",
		"governmentEntityType": "local", "validationOption": onboard.CustomerValidationOption, "partnerTenantId": partner,
		"contact":     map[string]any{"name": "Dana Reyes", "title": "CIO", "email": "dana@olympia.example.gov", "phone": "+1 360 555 0100"},
		"address":     map[string]any{"line1": "100 Capitol Way", "city": "Olympia", "state": "WA", "postalCode": "98501", "country": "US"},
		"attestation": map[string]any{"signerName": "Dana Reyes", "signerTitle": "CIO", "agree": true, "termsVersion": "2025-01"}}
	res := e.do("POST", "/v1/eligibility/customer", body)
	if res.status != 201 {
		t.Fatalf("customer intake: %d %s", res.status, res.body)
	}
	var receipt onboard.Receipt
	res.json(t, &receipt)
	res = e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Approved", "maxCreates": maxCreates},
		"Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, ""))
	var decided eligibility.Result
	res.json(t, &decided)
	if res.status != 200 || decided.Validation == nil {
		t.Fatalf("approve customer: %d %s", res.status, res.body)
	}
	return *decided.Validation
}

// newCustomer is a valid create body; validationID "" leaves the member out.
func newCustomer(q onboard.Qualification, validationID string) map[string]any {
	b := map[string]any{
		"companyProfile": map[string]any{"companyName": "City of Olympia", "domain": "Olympia.Example.Gov",
			"tenantId": "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9"},
		"billingProfile": map[string]any{"email": "IT-Billing@olympia.example.gov", "firstName": "Dana", "lastName": "Reyes",
			"defaultAddress": map[string]any{"line1": "100 Capitol Way", "city": "Olympia", "state": "wa", "postalCode": "98501", "country": "US"}},
		"qualification": string(q),
	}
	if validationID != "" {
		b["validationId"] = validationID
	}
	return b
}

// withField returns a copy of b with the value at a dotted path set (nil deletes it).
func withField(b map[string]any, path string, v any) map[string]any {
	data, _ := json.Marshal(b)
	var out map[string]any
	json.Unmarshal(data, &out)
	m := out
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		m = m[p].(map[string]any)
	}
	if v == nil {
		delete(m, parts[len(parts)-1])
	} else {
		m[parts[len(parts)-1]] = v
	}
	return out
}

// customerState is everything a customer write could change, as JSON: the partner's whole partition
// (customers, qualifications, codes, profile, with versions), pending mail and the day's audit.
func (e *env) customerState(t *testing.T, partners ...string) string {
	t.Helper()
	var all []any
	add := func(q store.Query) {
		var items []map[string]any
		if err := e.store.Backend().Query(context.Background(), q, &items); err != nil {
			t.Fatal(err)
		}
		all = append(all, items)
	}
	for _, p := range partners {
		add(store.Query{PK: "PARTNER#" + p})
	}
	add(store.Query{Index: store.IndexGSI1, PK: "MAIL#Pending"})
	add(store.Query{PK: "AUDIT#" + e.now.Format(time.DateOnly)})
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// remaining reads a code's remainingCreates through the partner's own list.
func (e *env) remaining(t *testing.T, agent, id string) int {
	t.Helper()
	var codes List[onboard.ValidationCode]
	res := e.do("GET", "/v1/customers/all/validations", nil, "Authorization", agent)
	res.json(t, &codes)
	for _, c := range codes.Items {
		if c.ValidationID == id {
			return c.RemainingCreates
		}
	}
	t.Fatalf("code %s not in the partner's list %s", id, res.body)
	return -1
}

func (e *env) countCustomers(partner string) int {
	return e.count(store.Query{PK: "PARTNER#" + partner, SKPrefix: "CUSTOMER#"})
}

func TestCustomerGCCFlow(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		admin, sales := gccPartner(t, e, partnerTenant)
		code := issueCode(t, e, partnerTenant, 2)

		var codes List[onboard.ValidationCode]
		e.do("GET", "/v1/customers/all/validations", nil, "Authorization", sales).json(t, &codes)
		if codes.TotalCount != 1 || codes.Items[0].ValidationID != code.ValidationID || codes.Items[0].RemainingCreates != 2 {
			t.Fatalf("partner's codes = %+v", codes)
		}

		res := e.do("POST", "/v1/customers", newCustomer(onboard.QualificationGCC, code.ValidationID), "Authorization", sales)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		var created customers.View
		res.json(t, &created)
		if got, want := res.header.Get("Location"), "/v1/customers/"+created.ID; got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if !strings.HasPrefix(created.ID, "cu_") || created.Relationship != "Reseller" || created.Qualification != onboard.QualificationGCC ||
			created.ValidationID != code.ValidationID || !created.CreatedAt.Equal(e.now) ||
			fmt.Sprint(created.SpecialQualifications) != "[GovernmentCommunityCloud]" {
			t.Errorf("created = %s", res.body)
		}
		cp, bp := created.CompanyProfile, created.BillingProfile
		if cp.Domain != "olympia.example.gov" || cp.TenantID != "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9" ||
			bp.Email != "it-billing@olympia.example.gov" || bp.DefaultAddress.State != "WA" {
			t.Errorf("not normalized: %+v %+v", cp, bp)
		}
		if got := e.remaining(t, sales, code.ValidationID); got != 1 {
			t.Errorf("remainingCreates after one creation = %d, want 1", got)
		}

		t.Run("List", func(t *testing.T) {
			var list List[map[string]any]
			res := e.do("GET", "/v1/customers", nil, "Authorization", sales)
			res.json(t, &list)
			if list.TotalCount != 1 || list.Items[0]["id"] != created.ID ||
				fmt.Sprint(list.Items[0]["specialQualifications"]) != "[GovernmentCommunityCloud]" {
				t.Errorf("list = %d %s", res.status, res.body)
			}
		})
		t.Run("Get", func(t *testing.T) {
			got := e.do("GET", "/v1/customers/"+created.ID, nil, "Authorization", admin)
			if got.status != 200 || string(got.body) != string(res.body) {
				t.Errorf("GET = %d %s, want the 201 body %s", got.status, got.body, res.body)
			}
		})
		t.Run("Qualifications", func(t *testing.T) {
			var qs List[customers.QualificationView]
			e.do("GET", "/v1/customers/"+created.ID+"/qualifications", nil, "Authorization", sales).json(t, &qs)
			if qs.TotalCount != 1 || qs.Items[0].Qualification != onboard.QualificationGCC || qs.Items[0].VettingStatus != "Approved" ||
				qs.Items[0].ValidationID != code.ValidationID || !qs.Items[0].VettingCreatedDate.Equal(e.now) ||
				!strings.Contains(qs.Items[0].VettingReason, code.RequestID) {
				t.Errorf("qualifications = %+v", qs)
			}
		})
		t.Run("Validations", func(t *testing.T) {
			var vs List[onboard.ValidationCode]
			e.do("GET", "/v1/customers/"+created.ID+"/validations", nil, "Authorization", sales).json(t, &vs)
			if vs.TotalCount != 1 || vs.Items[0].ValidationID != code.ValidationID || vs.Items[0].RemainingCreates != 1 {
				t.Errorf("validations = %+v", vs)
			}
		})
		t.Run("WelcomeMail", func(t *testing.T) {
			mails, err := e.store.Notifications(t.Context(), onboard.MailPending, partnerTenant)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, m := range mails {
				if m.Template == customers.WelcomeTemplate {
					n++
					if m.To[0] != "it-billing@olympia.example.gov" || m.RecordID != created.ID || !strings.Contains(m.Text, code.ValidationID) ||
						!strings.Contains(m.Text, "Contoso Gov Solutions") || !strings.Contains(m.Subject, "City of Olympia") {
						t.Errorf("welcome mail = %+v", m)
					}
				}
			}
			if n != 1 {
				t.Errorf("welcome mails = %d, want 1", n)
			}
		})
		t.Run("Audited", func(t *testing.T) {
			var recs List[onboard.AuditRecord]
			e.do("GET", "/v1/auditrecords?startDate=2026-12-03&endDate=2026-12-03", nil, "Authorization", admin).json(t, &recs)
			found := map[string]onboard.AuditRecord{}
			for _, a := range recs.Items {
				found[a.Action] = a
			}
			if a := found["customer.create"]; a.RecordID != created.ID || a.After != "qualification=GovernmentCommunityCloud validationId="+code.ValidationID {
				t.Errorf("customer.create audit = %+v", a)
			}
			if a := found["validation.use"]; a.RecordID != code.ValidationID || a.Before != "remainingCreates=2" || a.After != "remainingCreates=1" {
				t.Errorf("validation.use audit = %+v", a)
			}
		})
		t.Run("OtherPartnerSeesNothing", func(t *testing.T) {
			rivalAdmin, _ := gccPartner(t, e, cuRivalPartner)
			for _, path := range []string{"/v1/customers/" + created.ID, "/v1/customers/" + created.ID + "/qualifications",
				"/v1/customers/" + created.ID + "/validations"} {
				e.do("GET", path, nil, "Authorization", rivalAdmin).problem(t, 404, onboard.ErrNotFound)
			}
			var list List[customers.View]
			e.do("GET", "/v1/customers", nil, "Authorization", rivalAdmin).json(t, &list)
			if list.TotalCount != 0 {
				t.Errorf("rival lists %+v", list)
			}
			rivalCode := issueCode(t, e, cuRivalPartner, 1)
			before := e.customerState(t, partnerTenant, cuRivalPartner)
			e.do("POST", "/v1/customers/"+created.ID+"/qualifications?code="+rivalCode.ValidationID,
				map[string]any{"qualification": "GovernmentCommunityCloud"}, "Authorization", rivalAdmin).problem(t, 404, onboard.ErrNotFound)
			// The first partner's code is not the rival's to use: the same answer as an unknown one.
			e.do("POST", "/v1/customers", newCustomer(onboard.QualificationGCC, code.ValidationID), "Authorization", rivalAdmin).
				problem(t, 422, onboard.ErrInvalidValidationID)
			if after := e.customerState(t, partnerTenant, cuRivalPartner); after != before {
				t.Errorf("refusals wrote something:\n%s\n%s", before, after)
			}
		})
		t.Run("LastCreateThenExhausted", func(t *testing.T) {
			body := withField(newCustomer(onboard.QualificationGCC, code.ValidationID), "companyProfile.companyName", "Olympia Parks")
			if res := e.do("POST", "/v1/customers", body, "Authorization", admin); res.status != 201 {
				t.Fatalf("second creation: %d %s", res.status, res.body)
			}
			before := e.customerState(t, partnerTenant)
			p := e.do("POST", "/v1/customers", newCustomer(onboard.QualificationGCC, code.ValidationID), "Authorization", admin).
				problem(t, 409, onboard.ErrValidationCodeExhausted)
			if !strings.Contains(p.Detail, code.ValidationID) {
				t.Errorf("detail %q does not name the code", p.Detail)
			}
			if after := e.customerState(t, partnerTenant); after != before {
				t.Errorf("refusal wrote something")
			}
			if got := e.remaining(t, admin, code.ValidationID); got != 0 {
				t.Errorf("remainingCreates = %d, want 0", got)
			}
		})
	})
}

func TestCreateCustomerRefusals(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		admin, _ := gccPartner(t, e, partnerTenant)
		gccPartner(t, e, cuRivalPartner)
		plain := "Bearer " + e.token(onboard.RoleAdminAgent, cuPlainPartner)
		code := issueCode(t, e, partnerTenant, 5)
		rivalCode := issueCode(t, e, cuRivalPartner, 5)
		spent := issueCode(t, e, partnerTenant, 1)
		if res := e.do("POST", "/v1/customers", newCustomer(onboard.QualificationGCC, spent.ValidationID), "Authorization", admin); res.status != 201 {
			t.Fatalf("use up the spent code: %d %s", res.status, res.body)
		}
		gcc := func(id string) map[string]any { return newCustomer(onboard.QualificationGCC, id) }
		broken := func(b map[string]any) map[string]any { // several field errors at once
			return withField(withField(b, "companyProfile.domain", "not a domain"), "billingProfile.email", "nobody")
		}
		tests := []struct {
			name   string
			agent  string
			body   any
			status int
			code   onboard.Code
			fields []string // the field errors expected, in any order
		}{
			{"PartnerNotGccQualified", plain, gcc(code.ValidationID), 403, onboard.ErrPartnerNotGccQualified, nil},
			{"PartnerNotGccQualifiedBeforeAll", plain, broken(gcc("")), 403, onboard.ErrPartnerNotGccQualified, nil},
			{"ValidationIdRequired", admin, gcc(""), 422, onboard.ErrValidationIDRequired, []string{"validationId"}},
			{"ValidationIdRequiredBeforeFields", admin, broken(gcc("")), 422, onboard.ErrValidationIDRequired, []string{"validationId"}},
			{"UnknownValidationId", admin, gcc("val_doesnotexist00"), 422, onboard.ErrInvalidValidationID, []string{"validationId"}},
			{"OtherPartnersValidationId", admin, gcc(rivalCode.ValidationID), 422, onboard.ErrInvalidValidationID, []string{"validationId"}},
			{"OverlongValidationId", admin, gcc(strings.Repeat("v", 300)), 422, onboard.ErrInvalidValidationID, []string{"validationId"}},
			{"Exhausted", admin, gcc(spent.ValidationID), 409, onboard.ErrValidationCodeExhausted, nil},
			{"ExhaustedBeforeFields", admin, broken(gcc(spent.ValidationID)), 409, onboard.ErrValidationCodeExhausted, nil},
			{"Fields", admin, broken(gcc(code.ValidationID)), 422, onboard.ErrValidationFailed,
				[]string{"companyProfile.domain", "billingProfile.email"}},
			{"Required", admin, map[string]any{"qualification": "GovernmentCommunityCloud", "validationId": code.ValidationID}, 422, onboard.ErrValidationFailed,
				[]string{"companyProfile.companyName", "companyProfile.domain", "billingProfile.email", "billingProfile.firstName",
					"billingProfile.lastName", "billingProfile.defaultAddress.line1", "billingProfile.defaultAddress.city",
					"billingProfile.defaultAddress.state", "billingProfile.defaultAddress.postalCode", "billingProfile.defaultAddress.country"}},
			{"TenantID", admin, withField(gcc(code.ValidationID), "companyProfile.tenantId", "not-a-guid"), 422, onboard.ErrValidationFailed,
				[]string{"companyProfile.tenantId"}},
			{"ZIP", admin, withField(gcc(code.ValidationID), "billingProfile.defaultAddress.postalCode", "9850"), 422, onboard.ErrValidationFailed,
				[]string{"billingProfile.defaultAddress.postalCode"}},
			{"GCCOutsideUS", admin, withField(gcc(code.ValidationID), "billingProfile.defaultAddress.country", "CA"), 422, onboard.ErrValidationFailed,
				[]string{"billingProfile.defaultAddress.country"}},
			{"ControlCharacter", admin, withField(gcc(code.ValidationID), "billingProfile.lastName", "Reyes\r\nBcc: x@y.example"), 422, onboard.ErrValidationFailed,
				[]string{"billingProfile.lastName"}},
			{"NoneWithValidationId", admin, newCustomer(onboard.QualificationNone, code.ValidationID), 422, onboard.ErrValidationFailed,
				[]string{"validationId"}},
			{"MissingQualification", admin, withField(gcc(""), "qualification", nil), 422, onboard.ErrValidationFailed, []string{"qualification"}},
			{"UnknownQualification", admin, withField(gcc(""), "qualification", "Gcc"), 422, onboard.ErrValidationFailed, []string{"qualification"}},
			{"MalformedJSON", admin, `{"qualification": `, 400, onboard.ErrMalformedBody, nil},
			{"WrongType", admin, withField(gcc(""), "companyProfile", "Olympia"), 400, onboard.ErrMalformedBody, nil},
		}
		// A refusal must leave every partner's partition, the outbox and the audit trail as they were.
		before := e.customerState(t, partnerTenant, cuRivalPartner, cuPlainPartner)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := e.do("POST", "/v1/customers", tt.body, "Authorization", tt.agent).problem(t, tt.status, tt.code)
				got := map[string]bool{}
				for _, f := range p.Errors {
					got[f.Field] = true
				}
				for _, f := range tt.fields {
					if !got[f] {
						t.Errorf("errors %+v do not name %s", p.Errors, f)
					}
				}
				if len(tt.fields) > 0 && len(p.Errors) != len(tt.fields) {
					t.Errorf("errors = %+v, want exactly %v", p.Errors, tt.fields)
				}
				if tt.code == onboard.ErrValidationIDRequired && (!strings.Contains(p.Detail, "usgcce@microsoft.com") || !strings.Contains(p.Detail, "Stop")) {
					t.Errorf("detail %q must tell them to stop and have the customer contact usgcce@microsoft.com", p.Detail)
				}
				if after := e.customerState(t, partnerTenant, cuRivalPartner, cuPlainPartner); after != before {
					t.Errorf("refusal wrote something:\n%s\n%s", before, after)
				}
			})
		}
		t.Run("UnsupportedMediaType", func(t *testing.T) {
			e.do("POST", "/v1/customers", "qualification=None", "Authorization", admin, "Content-Type", "text/plain").
				problem(t, 415, onboard.ErrUnsupportedMediaType)
		})
		t.Run("CommercialNeedsNoQualification", func(t *testing.T) {
			res := e.do("POST", "/v1/customers", withField(newCustomer(onboard.QualificationNone, ""), "billingProfile.defaultAddress",
				map[string]any{"line1": "1 King St W", "city": "Toronto", "state": "ON", "postalCode": "M5H 1A1", "country": "ca"}), "Authorization", plain)
			var v customers.View
			res.json(t, &v)
			if res.status != 201 || v.Qualification != onboard.QualificationNone || v.SpecialQualifications == nil ||
				len(v.SpecialQualifications) != 0 || v.ValidationID != "" || !strings.Contains(string(res.body), `"specialQualifications":[]`) {
				t.Fatalf("commercial = %d %s", res.status, res.body)
			}
			var qs List[customers.QualificationView]
			e.do("GET", "/v1/customers/"+v.ID+"/qualifications", nil, "Authorization", plain).json(t, &qs)
			var vs List[onboard.ValidationCode]
			e.do("GET", "/v1/customers/"+v.ID+"/validations", nil, "Authorization", plain).json(t, &vs)
			if qs.TotalCount != 0 || qs.Items == nil || vs.TotalCount != 0 || vs.Items == nil {
				t.Errorf("qualifications %+v, validations %+v: want empty lists", qs, vs)
			}
		})
	})
}

// TestCustomerConcurrentCreations races 20 creations against a code with 3 creates: exactly 3
// customers are created, the other 17 are told the code is exhausted, and the code ends at 0.
func TestRaceValidationCodeUse(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		admin, sales := gccPartner(t, e, partnerTenant)
		code := issueCode(t, e, partnerTenant, 3)
		mailBefore := e.count(store.Query{Index: store.IndexGSI1, PK: "MAIL#Pending"})
		const n = 20
		var wg sync.WaitGroup
		results := make([]response, n)
		for i := range n {
			agent := admin
			if i%2 == 1 {
				agent = sales
			}
			body := withField(newCustomer(onboard.QualificationGCC, code.ValidationID), "companyProfile.companyName", fmt.Sprintf("Olympia Dept %d", i))
			wg.Go(func() { results[i] = e.do("POST", "/v1/customers", body, "Authorization", agent) })
		}
		wg.Wait()
		created, exhausted := 0, 0
		for _, r := range results {
			var p Problem
			switch {
			case r.status == 201:
				created++
			case r.status == 409 && json.Unmarshal(r.body, &p) == nil && p.Code == onboard.ErrValidationCodeExhausted:
				exhausted++
			default:
				t.Errorf("got %d %s", r.status, r.body)
			}
		}
		if created != 3 || exhausted != n-3 {
			t.Errorf("%d concurrent creations: %d created, %d exhausted; want 3 and %d", n, created, exhausted, n-3)
		}
		if got := e.countCustomers(partnerTenant); got != 3 {
			t.Errorf("customers stored = %d, want 3", got)
		}
		if got := e.remaining(t, admin, code.ValidationID); got != 0 {
			t.Errorf("remainingCreates = %d, want 0", got)
		}
		if got := e.count(store.Query{Index: store.IndexGSI1, PK: "MAIL#Pending"}) - mailBefore; got != 3 {
			t.Errorf("welcome mails = %d, want 3", got)
		}
	})
}

func TestCustomerIdempotency(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		admin, _ := gccPartner(t, e, partnerTenant)
		code := issueCode(t, e, partnerTenant, 3)
		body := newCustomer(onboard.QualificationGCC, code.ValidationID)
		first := e.do("POST", "/v1/customers", body, "Authorization", admin, "Idempotency-Key", "create-1")
		if first.status != 201 {
			t.Fatalf("first: %d %s", first.status, first.body)
		}
		after := e.customerState(t, partnerTenant)
		t.Run("SameBodyReplays", func(t *testing.T) {
			again := e.do("POST", "/v1/customers", body, "Authorization", admin, "Idempotency-Key", "create-1")
			if again.status != 201 || string(again.body) != string(first.body) || again.header.Get("Location") != first.header.Get("Location") {
				t.Errorf("replay = %d %s %s, want 201 %s %s", again.status, again.header.Get("Location"), again.body,
					first.header.Get("Location"), first.body)
			}
		})
		t.Run("OtherBodyRefused", func(t *testing.T) {
			e.do("POST", "/v1/customers", withField(body, "companyProfile.companyName", "Other"), "Authorization", admin, "Idempotency-Key", "create-1").
				problem(t, 422, onboard.ErrIdempotencyKeyReused)
		})
		t.Run("ConcurrentSameKey", func(t *testing.T) {
			other := withField(body, "companyProfile.companyName", "Olympia Parks")
			var wg sync.WaitGroup
			results := make([]response, 10)
			for i := range results {
				wg.Go(func() {
					results[i] = e.do("POST", "/v1/customers", other, "Authorization", admin, "Idempotency-Key", "create-2")
				})
			}
			wg.Wait()
			var won string
			for _, r := range results {
				switch {
				case r.status == 201 && (won == "" || won == string(r.body)):
					won = string(r.body)
				case r.status == 409 && r.header.Get("Retry-After") != "":
				default:
					t.Errorf("got %d %s", r.status, r.body)
				}
			}
		})
		if got := e.customerState(t, partnerTenant); got == after {
			t.Fatal("the second key created nothing")
		}
		if got := e.countCustomers(partnerTenant); got != 2 {
			t.Errorf("customers = %d, want 2 (one per key)", got)
		}
		if got := e.remaining(t, admin, code.ValidationID); got != 1 {
			t.Errorf("remainingCreates = %d, want 1", got)
		}
		t.Run("ScopedToPartner", func(t *testing.T) {
			// Another partner's agent with the same key and body gets its own answer, not the first partner's.
			plain := "Bearer " + e.token(onboard.RoleAdminAgent, cuPlainPartner)
			res := e.do("POST", "/v1/customers", newCustomer(onboard.QualificationGCC, code.ValidationID), "Authorization", plain,
				"Idempotency-Key", "create-1")
			res.problem(t, 403, onboard.ErrPartnerNotGccQualified)
		})
	})
}

func TestQualificationChange(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		admin, sales := gccPartner(t, e, partnerTenant)
		rivalAdmin, _ := gccPartner(t, e, cuRivalPartner)
		plainAdmin := "Bearer " + e.token(onboard.RoleAdminAgent, cuPlainPartner)
		code := issueCode(t, e, partnerTenant, 2)
		spent := issueCode(t, e, partnerTenant, 1)
		rivalCode := issueCode(t, e, cuRivalPartner, 1)
		if res := e.do("POST", "/v1/customers", newCustomer(onboard.QualificationGCC, spent.ValidationID), "Authorization", admin); res.status != 201 {
			t.Fatalf("use up the spent code: %d %s", res.status, res.body)
		}
		var commercial, plainCustomer customers.View
		e.do("POST", "/v1/customers", newCustomer(onboard.QualificationNone, ""), "Authorization", sales).json(t, &commercial)
		e.do("POST", "/v1/customers", newCustomer(onboard.QualificationNone, ""), "Authorization", plainAdmin).json(t, &plainCustomer)
		gccBody := map[string]any{"qualification": "GovernmentCommunityCloud"}
		path := func(id, code string) string { return "/v1/customers/" + id + "/qualifications?code=" + code }

		before := e.customerState(t, partnerTenant, cuRivalPartner, cuPlainPartner)
		refusals := []struct {
			name   string
			agent  string
			path   string
			body   any
			status int
			code   onboard.Code
		}{
			{"SalesAgentForbidden", sales, path(commercial.ID, code.ValidationID), gccBody, 403, onboard.ErrForbidden},
			{"PartnerNotGccQualified", plainAdmin, path(plainCustomer.ID, code.ValidationID), gccBody, 403, onboard.ErrPartnerNotGccQualified},
			{"UnknownCustomer", admin, path("cu_doesnotexist", code.ValidationID), gccBody, 404, onboard.ErrNotFound},
			{"OtherPartnersCustomer", rivalAdmin, path(commercial.ID, rivalCode.ValidationID), gccBody, 404, onboard.ErrNotFound},
			{"ValidationIdRequired", admin, path(commercial.ID, ""), gccBody, 422, onboard.ErrValidationIDRequired},
			{"UnknownValidationId", admin, path(commercial.ID, "val_doesnotexist00"), gccBody, 422, onboard.ErrInvalidValidationID},
			{"OtherPartnersValidationId", admin, path(commercial.ID, rivalCode.ValidationID), gccBody, 422, onboard.ErrInvalidValidationID},
			{"Exhausted", admin, path(commercial.ID, spent.ValidationID), gccBody, 409, onboard.ErrValidationCodeExhausted},
			{"BodyNone", admin, path(commercial.ID, code.ValidationID), map[string]any{"qualification": "None"}, 422, onboard.ErrValidationFailed},
			{"BodyEmpty", admin, path(commercial.ID, code.ValidationID), map[string]any{}, 422, onboard.ErrValidationFailed},
			{"Malformed", admin, path(commercial.ID, code.ValidationID), `{`, 400, onboard.ErrMalformedBody},
		}
		for _, tt := range refusals {
			t.Run(tt.name, func(t *testing.T) {
				p := e.do("POST", tt.path, tt.body, "Authorization", tt.agent).problem(t, tt.status, tt.code)
				if tt.code == onboard.ErrValidationIDRequired && !strings.Contains(p.Detail, "usgcce@microsoft.com") {
					t.Errorf("detail %q lacks the support address", p.Detail)
				}
				if after := e.customerState(t, partnerTenant, cuRivalPartner, cuPlainPartner); after != before {
					t.Errorf("refusal wrote something:\n%s\n%s", before, after)
				}
			})
		}

		res := e.do("POST", path(commercial.ID, code.ValidationID), gccBody, "Authorization", admin)
		if res.status != 201 {
			t.Fatalf("qualify: %d %s", res.status, res.body)
		}
		var q customers.QualificationView
		res.json(t, &q)
		if q.Qualification != onboard.QualificationGCC || q.VettingStatus != "Approved" || q.ValidationID != code.ValidationID ||
			res.header.Get("Location") != "/v1/customers/"+commercial.ID+"/qualifications" {
			t.Errorf("qualify = %s %s", res.header.Get("Location"), res.body)
		}
		var now customers.View
		e.do("GET", "/v1/customers/"+commercial.ID, nil, "Authorization", sales).json(t, &now)
		if fmt.Sprint(now.SpecialQualifications) != "[GovernmentCommunityCloud]" || now.ValidationID != code.ValidationID {
			t.Errorf("after qualifying: %+v", now)
		}
		if got := e.remaining(t, admin, code.ValidationID); got != 1 {
			t.Errorf("remainingCreates = %d, want 1", got)
		}
		var qs List[customers.QualificationView]
		e.do("GET", "/v1/customers/"+commercial.ID+"/qualifications", nil, "Authorization", sales).json(t, &qs)
		var vs List[onboard.ValidationCode]
		e.do("GET", "/v1/customers/"+commercial.ID+"/validations", nil, "Authorization", sales).json(t, &vs)
		if qs.TotalCount != 1 || qs.Items[0] != q || vs.TotalCount != 1 || vs.Items[0].ValidationID != code.ValidationID {
			t.Errorf("qualifications %+v, validations %+v", qs, vs)
		}
		var recs List[onboard.AuditRecord]
		e.do("GET", "/v1/auditrecords?startDate=2026-12-03&endDate=2026-12-03", nil, "Authorization", admin).json(t, &recs)
		audited := false
		for _, a := range recs.Items {
			audited = audited || (a.Action == "customer.qualify" && a.RecordID == commercial.ID && a.Role == "admin_agent" &&
				a.Before == "qualification=None" && a.After == "qualification=GovernmentCommunityCloud validationId="+code.ValidationID)
		}
		if !audited {
			t.Errorf("no customer.qualify audit with before/after in %+v", recs.Items)
		}

		t.Run("Irreversible", func(t *testing.T) {
			before := e.customerState(t, partnerTenant)
			p := e.do("POST", path(commercial.ID, code.ValidationID), gccBody, "Authorization", admin).problem(t, 409, onboard.ErrQualificationImmutable)
			if !strings.Contains(p.Detail, "irreversible") {
				t.Errorf("detail = %q", p.Detail)
			}
			// The state of the record comes before the body: asking for None is the same refusal.
			e.do("POST", path(commercial.ID, code.ValidationID), map[string]any{"qualification": "None"}, "Authorization", admin).
				problem(t, 409, onboard.ErrQualificationImmutable)
			if after := e.customerState(t, partnerTenant); after != before {
				t.Errorf("refusal wrote something")
			}
		})
		t.Run("CreatedGCCIsImmutable", func(t *testing.T) {
			var list List[customers.View]
			e.do("GET", "/v1/customers", nil, "Authorization", admin).json(t, &list)
			for _, c := range list.Items {
				if c.ValidationID == spent.ValidationID {
					e.do("POST", path(c.ID, code.ValidationID), gccBody, "Authorization", admin).problem(t, 409, onboard.ErrQualificationImmutable)
					return
				}
			}
			t.Fatal("the customer created under the spent code is not listed")
		})
		t.Run("Idempotent", func(t *testing.T) {
			var fresh customers.View
			e.do("POST", "/v1/customers", newCustomer(onboard.QualificationNone, ""), "Authorization", admin).json(t, &fresh)
			first := e.do("POST", path(fresh.ID, code.ValidationID), gccBody, "Authorization", admin, "Idempotency-Key", "q-1")
			again := e.do("POST", path(fresh.ID, code.ValidationID), gccBody, "Authorization", admin, "Idempotency-Key", "q-1")
			if first.status != 201 || again.status != 201 || string(again.body) != string(first.body) {
				t.Errorf("first %d %s, again %d %s", first.status, first.body, again.status, again.body)
			}
			if got := e.remaining(t, admin, code.ValidationID); got != 0 {
				t.Errorf("remainingCreates = %d, want 0 (one use for two identical requests)", got)
			}
		})
	})
}
