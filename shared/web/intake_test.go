package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

func TestPartnerIntake(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		t.Run("OK", func(t *testing.T) {
			res := e.do("POST", "/v1/eligibility/partner", partnerIntake())
			if res.status != http.StatusCreated {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			var got onboard.Receipt
			res.json(t, &got)
			if got.Type != onboard.TypePartner || got.Status != onboard.StatusSubmitted || got.ResponseDueBy != "2026-12-07" ||
				!strings.HasPrefix(got.ID, "er_") || got.SupportEmail != "usgcce@microsoft.com" || got.TenantVerification != "Unverified" {
				t.Errorf("receipt = %+v", got)
			}
			req, err := e.store.Request(context.Background(), got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if req.TenantID != partnerTenant {
				t.Errorf("tenant stored as %q, want lower-case %q", req.TenantID, partnerTenant)
			}
			ev, err := e.store.Evidence(context.Background(), got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ev.SHA256 != onboard.EvidenceDigest(ev) || len(ev.SHA256) != 64 || ev.IP != "127.0.0.1" || ev.UserAgent == "" ||
				!strings.Contains(ev.CanonicalForm, `"partnerTenantId":"`+partnerTenant+`"`) || !ev.Attestation.Agree {
				t.Errorf("evidence = %+v", ev)
			}
			mails, err := e.store.Notifications(context.Background(), onboard.MailPending, "")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(mails), 2; got != want {
				t.Fatalf("pending mail = %d, want %d", got, want)
			}
			var ack, notice bool
			for _, m := range mails {
				ack = ack || (m.To[0] == "ana@contoso.example" && strings.Contains(m.Text, "Monday, December 7, 2026") && strings.Contains(m.Text, "usgcce@microsoft.com"))
				notice = notice || m.To[0] == "review@gcconboard.example"
			}
			if !ack || !notice {
				t.Errorf("want an acknowledgement with the reply-by date and a review notice, got %+v", mails)
			}
		})
		t.Run("DuplicateRequest", func(t *testing.T) {
			before := e.written()
			e.do("POST", "/v1/eligibility/partner", partnerIntake()).problem(t, http.StatusConflict, onboard.ErrDuplicateRequest)
			if after := e.written(); after != before {
				t.Errorf("refusal wrote something: %s → %s", before, after)
			}
		})
	})
}

func TestPartnerIntakeRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(m map[string]any)
		status int
		code   onboard.Code
		field  string
	}{
		{"IndirectReseller", func(m map[string]any) { m["partnerType"] = "indirect_reseller" }, 422, onboard.ErrIndirectReseller, "partnerType"},
		{"CspEnrollmentRequired", func(m map[string]any) { m["cspEnrolled"] = false }, 422, onboard.ErrCspEnrollmentRequired, "cspEnrolled"},
		{"AttestationRequired", func(m map[string]any) { m["attestation"].(map[string]any)["agree"] = false }, 422, onboard.ErrAttestationRequired, "attestation.agree"},
		{"TenantNotGUID", func(m map[string]any) { m["partnerTenantId"] = "contoso.onmicrosoft.com" }, 422, onboard.ErrValidationFailed, "partnerTenantId"},
		{"OrganizationMissing", func(m map[string]any) { delete(m, "organizationName") }, 422, onboard.ErrValidationFailed, "organizationName"},
		{"PartnerTypeUnknown", func(m map[string]any) { m["partnerType"] = "distributor" }, 422, onboard.ErrValidationFailed, "partnerType"},
		{"NoSegment", func(m map[string]any) { m["governmentSegments"] = []string{} }, 422, onboard.ErrValidationFailed, "governmentSegments"},
		{"UnknownSegment", func(m map[string]any) { m["governmentSegments"] = []string{"military"} }, 422, onboard.ErrValidationFailed, "governmentSegments"},
		{"BadEmail", func(m map[string]any) { m["contact"].(map[string]any)["email"] = "ana at contoso" }, 422, onboard.ErrValidationFailed, "contact.email"},
		{"HeaderInjection", func(m map[string]any) { m["contact"].(map[string]any)["name"] = "Ana\r\nBcc: x@evil.example" }, 422, onboard.ErrValidationFailed, "contact.name"},
		{"BadPhone", func(m map[string]any) { m["contact"].(map[string]any)["phone"] = "call me" }, 422, onboard.ErrValidationFailed, "contact.phone"},
		{"BadZip", func(m map[string]any) { m["address"].(map[string]any)["postalCode"] = "2220" }, 422, onboard.ErrValidationFailed, "address.postalCode"},
		{"NotUS", func(m map[string]any) { m["address"].(map[string]any)["country"] = "CA" }, 422, onboard.ErrValidationFailed, "address.country"},
		{"SignerMissing", func(m map[string]any) { m["attestation"].(map[string]any)["signerName"] = " " }, 422, onboard.ErrValidationFailed, "attestation.signerName"},
		{"WrongType", func(m map[string]any) { m["cspEnrolled"] = "yes" }, 400, onboard.ErrMalformedBody, "cspEnrolled"},
	}
	backends(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body := partnerIntake()
				tt.change(body)
				p := e.do("POST", "/v1/eligibility/partner", body).problem(t, tt.status, tt.code)
				if len(p.Errors) == 0 || p.Errors[0].Field != tt.field || p.Errors[0].Message == "" {
					t.Errorf("errors = %+v, want first naming %s", p.Errors, tt.field)
				}
				if got, want := e.written(), "requests=0 mail=0 audit=0"; got != want {
					t.Errorf("refusal wrote %s", got)
				}
			})
		}
		t.Run("MalformedBody", func(t *testing.T) {
			p := e.do("POST", "/v1/eligibility/partner", `{"organizationName": "x",`).problem(t, 400, onboard.ErrMalformedBody)
			if !strings.Contains(p.Detail, "JSON") {
				t.Errorf("detail %q does not name the problem", p.Detail)
			}
		})
		t.Run("UnsupportedMediaType", func(t *testing.T) {
			e.do("POST", "/v1/eligibility/partner", "<xml/>", "Content-Type", "application/xml").problem(t, 415, onboard.ErrUnsupportedMediaType)
		})
		t.Run("BodyTooLarge", func(t *testing.T) {
			big := `{"organizationName":"` + strings.Repeat("a", MaxBody) + `"}`
			e.do("POST", "/v1/eligibility/partner", big).problem(t, 413, onboard.ErrBodyTooLarge)
		})
	})
}

func TestIntakeIdempotency(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		first := e.do("POST", "/v1/eligibility/partner", partnerIntake(), "Idempotency-Key", "k-1")
		if first.status != 201 {
			t.Fatalf("first: %d %s", first.status, first.body)
		}
		t.Run("SameBodyReplays", func(t *testing.T) {
			again := e.do("POST", "/v1/eligibility/partner", partnerIntake(), "Idempotency-Key", "k-1")
			if again.status != 201 || string(again.body) != string(first.body) {
				t.Errorf("replay = %d %s, want 201 %s", again.status, again.body, first.body)
			}
		})
		t.Run("OtherBodyRefused", func(t *testing.T) {
			other := partnerIntake()
			other["organizationName"] = "Fabrikam"
			e.do("POST", "/v1/eligibility/partner", other, "Idempotency-Key", "k-1").problem(t, 422, onboard.ErrIdempotencyKeyReused)
		})
		if got, want := e.written(), "requests=1 mail=2 audit=1"; got != want {
			t.Errorf("after retries: %s, want %s", got, want)
		}
	})
}

func TestRaceIntakeSameKey(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		const n = 100
		var wg sync.WaitGroup
		results := make([]response, n)
		for i := range n {
			wg.Go(func() {
				results[i] = e.do("POST", "/v1/eligibility/partner", partnerIntake(), "Idempotency-Key", "same")
			})
		}
		wg.Wait()
		var body string
		for _, r := range results {
			switch {
			case r.status == 201 && (body == "" || body == string(r.body)):
				body = string(r.body)
			case r.status == 409 && r.header.Get("Retry-After") != "":
			default:
				t.Errorf("got %d %s", r.status, r.body)
			}
		}
		if got, want := e.written(), "requests=1 mail=2 audit=1"; got != want {
			t.Errorf("%d concurrent submissions with one key wrote %s, want %s", n, got, want)
		}
		if got := e.count(store.Query{PK: "REQUEST#" + firstID(t, results)}); got != 2 { // the request and its evidence
			t.Errorf("the request's partition holds %d items, want the request and one evidence record", got)
		}
	})
}

func TestIntakeBrowserForm(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		form := url.Values{"organizationName": {"Contoso <b>Gov</b>"}, "partnerTenantId": {partnerTenant}, "partnerType": {"indirect_provider"},
			"cspEnrolled": {"on"}, "governmentSegments": {"federal", "tribal"}, "contact.name": {"Ana Li"}, "contact.email": {"not-an-email"},
			"contact.phone": {"+1 202 555 0100"}, "address.line1": {"1 Main St"}, "address.city": {"Arlington"}, "address.state": {"VA"},
			"address.postalCode": {"22201"}, "address.country": {"US"}, "attestation.signerName": {"Ana Li"},
			"attestation.signerTitle": {"CEO"}, "attestation.termsVersion": {"2025-01"}, "attestation.agree": {"on"}, "idempotencyKey": {"form-1"}}
		res := e.do("POST", "/v1/eligibility/partner", form, "Accept", "text/html")
		page := string(res.body)
		if res.status != 422 || !strings.Contains(page, `id="contact.email-err"`) || !strings.Contains(page, `value="not-an-email"`) ||
			!strings.Contains(page, `value="Contoso &lt;b&gt;Gov&lt;/b&gt;"`) || !strings.Contains(page, `value="tribal" checked`) {
			t.Fatalf("invalid form: want 422 with the error beside contact.email and values kept, got %d\n%s", res.status, page)
		}
		if got := e.written(); got != "requests=0 mail=0 audit=0" {
			t.Errorf("invalid form wrote %s", got)
		}
		form.Set("contact.email", "ana@contoso.example")
		res = e.do("POST", "/v1/eligibility/partner", form, "Accept", "text/html")
		page = string(res.body)
		if res.status != 201 || !strings.Contains(page, "Monday, December 7, 2026") || !strings.Contains(page, "usgcce@microsoft.com") {
			t.Fatalf("valid form: got %d\n%s", res.status, page)
		}
		if res.header.Get("Content-Security-Policy") == "" || res.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("page lacks security headers: %v", res.header)
		}
		again := e.do("POST", "/v1/eligibility/partner", form, "Accept", "text/html") // a double submit
		if again.status != 201 || e.count(store.Query{Index: store.IndexGSI1, PK: "REQUESTS#Submitted"}) != 1 {
			t.Errorf("double submit: %d, %s", again.status, e.written())
		}
	})
}

func TestPages(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		for path, want := range map[string]string{
			"/":                          `href="/forms/partner-eligibility"`,
			"/forms/partner-eligibility": `name="partnerTenantId"`,
			"/healthz":                   `{"status":"ok"}`,
			"/openapi.yaml":              "openapi: 3.1",
		} {
			res := e.do("GET", path, nil)
			if res.status != 200 || !strings.Contains(string(res.body), want) {
				t.Errorf("GET %s = %d, want 200 containing %q", path, res.status, want)
			}
		}
		e.do("GET", "/nope", nil).problem(t, 404, onboard.ErrNotFound)
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		e.do("POST", "/v1/eligibility/partner", partnerIntake(), "Sec-Fetch-Site", "cross-site").problem(t, 403, onboard.ErrForbidden)
		if got := e.written(); got != "requests=0 mail=0 audit=0" {
			t.Errorf("cross-origin post wrote %s", got)
		}
	})
}

// firstID is the request ID of the first 201 among results.
func firstID(t *testing.T, results []response) string {
	for _, r := range results {
		if r.status == 201 {
			var rc onboard.Receipt
			r.json(t, &rc)
			return rc.ID
		}
	}
	t.Fatal("no 201")
	return ""
}
