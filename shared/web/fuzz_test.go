package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/onboard"
)

// checkAccepted holds for any form the validator accepts: every one-line value is one line and
// the tenant IDs are lower-case GUIDs, whatever the input was.
func checkAccepted(t *testing.T, values []string, tenants ...string) {
	for _, v := range values {
		if !onboard.SingleLine(v) {
			t.Fatalf("accepted a value with a control character: %q", v)
		}
	}
	for _, id := range tenants {
		if id != "" && !onboard.IsTenantID(id) {
			t.Fatalf("accepted tenant ID %q", id)
		}
	}
}

func FuzzPartnerIntakeJSON(f *testing.F) {
	seed, _ := json.Marshal(partnerIntake())
	f.Add(seed)
	f.Add([]byte(`{"organizationName":"a\r\nb","partnerTenantId":"x"}`))
	f.Add([]byte(`{"governmentSegments":"federal"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"contact":{"email":"a@b.c\u2028"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := decodePartnerForm(&body{raw: data})
		if err != nil {
			if onboard.ErrorCode(err) != onboard.ErrMalformedBody {
				t.Fatalf("decode error with code %s: %v", onboard.ErrorCode(err), err)
			}
			return
		}
		form.Normalize()
		if form.Validate() == nil {
			checkAccepted(t, []string{form.OrganizationName, form.Contact.Name, form.Contact.Email, form.Contact.Title,
				form.Address.Line1, form.Address.City, form.Attestation.SignerName}, form.PartnerTenantID)
		}
	})
}

func FuzzCustomerIntakeForm(f *testing.F) {
	f.Add("organizationName=Agency&domain=agency.gov&governmentEntityType=state&validationOption=O365+GCC+CSP+Customer&partnerTenantId=1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6&attestation.agree=on")
	f.Add("domain=..&customerTenantId=%0d%0a&attestation.agree=maybe")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		form, err := decodeCustomerForm(&body{raw: []byte(raw), form: v})
		if err != nil {
			if onboard.ErrorCode(err) != onboard.ErrValidationFailed {
				t.Fatalf("form decode error with code %s", onboard.ErrorCode(err))
			}
			return
		}
		form.Normalize()
		if form.Validate() == nil {
			checkAccepted(t, []string{form.OrganizationName, form.Domain, form.Contact.Email, form.Address.Line1},
				form.CustomerTenantID, form.PartnerTenantID)
			if !onboard.IsDomain(form.Domain) {
				t.Fatalf("accepted domain %q", form.Domain)
			}
		}
	})
}

func FuzzDecisionJSON(f *testing.F) {
	f.Add([]byte(`{"decision":"Approved","maxCreates":2}`))
	f.Add([]byte(`{"decision":"Denied","reason":""}`))
	f.Add([]byte(`{"maxCreates":"many"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			Decision   onboard.Status `json:"decision"`
			MaxCreates *int           `json:"maxCreates"`
		}
		if err := decodeJSON(data, &in); err != nil && onboard.ErrorCode(err) != onboard.ErrMalformedBody {
			t.Fatalf("code %s", onboard.ErrorCode(err))
		}
	})
}

// TestMarkupIsEscaped puts markup in every text field of the partner form and checks that the
// re-rendered form, the confirmation page and the outgoing mail show it as text.
func TestMarkupIsEscaped(t *testing.T) {
	payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `<a href="javascript:alert(1)">x</a>`,
		`{{.Request}}`, `</textarea><svg onload=alert(1)>`}
	fields := []string{"organizationName", "contact.name", "contact.title", "address.line1", "address.line2", "address.city",
		"attestation.signerName", "attestation.signerTitle"}
	e := newEnv(t, openBolt(t))
	for i, payload := range payloads {
		form := url.Values{"partnerTenantId": {partnerTenant[:len(partnerTenant)-1] + string(rune('a'+i))}, "partnerType": {"direct_bill"},
			"cspEnrolled": {"on"}, "governmentSegments": {"federal"}, "contact.email": {"ana@contoso.example"},
			"contact.phone": {"+1 202 555 0100"}, "address.state": {"VA"}, "address.postalCode": {"22201"}, "address.country": {"US"},
			"attestation.termsVersion": {"2025-01"}}
		for _, f := range fields {
			form.Set(f, payload)
		}
		invalid := e.do("POST", "/v1/eligibility/partner", form, "Accept", "text/html") // no attestation.agree → refused
		ok := url.Values{}
		for k, v := range form {
			ok[k] = v
		}
		ok.Set("attestation.agree", "on")
		done := e.do("POST", "/v1/eligibility/partner", ok, "Accept", "text/html")
		if done.status != 201 {
			t.Fatalf("payload %q: %d", payload, done.status)
		}
		for name, page := range map[string]string{"form": string(invalid.body), "confirmation": string(done.body)} {
			if strings.Contains(page, payload) && strings.ContainsAny(payload, "<>\"") {
				t.Errorf("%s page shows %q unescaped", name, payload)
			}
		}
	}
	mails, _ := e.store.Notifications(t.Context(), onboard.MailPending, "")
	for _, m := range mails {
		for _, payload := range payloads {
			if strings.ContainsAny(payload, "<>") && strings.Contains(m.HTML, payload) {
				t.Errorf("mail %s HTML holds %q unescaped", m.Template, payload)
			}
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("subject with a line break: %q", m.Subject)
		}
	}
	if len(mails) != 2*len(payloads) {
		t.Errorf("mails = %d, want %d", len(mails), 2*len(payloads))
	}
}

// FuzzStaffBodies feeds arbitrary bytes to the JSON decoder and validator of every other body:
// customer creation, invitation creation and acceptance (cart lines: shared/orders). Decoding either works or is MalformedBody; what the validators accept is one-line.
func FuzzStaffBodies(f *testing.F) {
	f.Add([]byte(`{"companyProfile":{"companyName":"Olympia","domain":"olympia.gov"},"billingProfile":{"email":"a@olympia.gov","firstName":"A","lastName":"B","defaultAddress":{"line1":"1","city":"O","state":"WA","postalCode":"98501","country":"US"}},"qualification":"None"}`))
	f.Add([]byte(`{"customerEmail":"it@city.gov","customerName":"City\r\nBcc: x","message":"Hi {{link}}","send":true}`))
	f.Add([]byte(`{"companyName":"City","domain":"city.gov","tenantId":"1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6","adminName":"A","adminEmail":"a@city.gov","agree":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		malformedOnly := func(err error) {
			if err != nil && onboard.ErrorCode(err) != onboard.ErrMalformedBody {
				t.Fatalf("decode error with code %s", onboard.ErrorCode(err))
			}
		}
		var c customers.CreateInput
		if err := decodeJSON(data, &c); err == nil {
			c.Normalize()
			if c.Validate() == nil {
				checkAccepted(t, []string{c.CompanyProfile.CompanyName, c.BillingProfile.Email, c.BillingProfile.FirstName,
					c.BillingProfile.DefaultAddress.Line1}, c.CompanyProfile.TenantID)
			}
		} else {
			malformedOnly(err)
		}
		var inv onboard.InvitationInput
		if err := decodeJSON(data, &inv); err == nil {
			inv.Normalize()
			if inv.Validate() == nil {
				checkAccepted(t, []string{inv.CustomerEmail, inv.CustomerName})
			}
		} else {
			malformedOnly(err)
		}
		var acc onboard.AcceptForm
		if err := decodeJSON(data, &acc); err == nil {
			acc.Normalize()
			if acc.Validate() == nil {
				checkAccepted(t, []string{acc.CompanyName, acc.Domain, acc.AdminName, acc.AdminEmail}, acc.TenantID)
			}
		} else {
			malformedOnly(err)
		}
	})
}
