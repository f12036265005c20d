package web

import (
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/onboard"
)

// TestPagesEscapeHostileValues renders every page in every state with a hostile value in each
// field the page shows (kept form values, error messages, error field names, the receipt, the
// offer, the accepted customer, the form's action and the mailto address) and checks that each
// value shows as text: no markup of its own, no script URL.
func TestPagesEscapeHostileValues(t *testing.T) {
	payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `'><svg onload=alert(1)>`,
		`javascript:alert(1)`, ` JavaScript:alert(1)`, `</textarea><script>alert(1)</script>`, `{{.V}}`}
	scriptURL := regexp.MustCompile(`(?i)\b(href|action|src|formaction)\s*=\s*["']?\s*javascript:`)
	for _, payload := range payloads {
		for name, page := range hostilePages(payload) {
			w := httptest.NewRecorder()
			(&Server{}).renderPage(w, httptest.NewRequest("GET", "/", nil), 200, page)
			body := w.Body.String()
			switch {
			case w.Code != 200:
				t.Errorf("%s with %q: status %d", name, payload, w.Code)
			case strings.ContainsAny(payload, `<>"'`) && strings.Contains(body, payload):
				t.Errorf("%s shows %q unescaped", name, payload)
			case strings.Contains(strings.ToLower(body), "<script"):
				t.Errorf("%s with %q carries a script element", name, payload)
			case scriptURL.MatchString(body):
				t.Errorf("%s with %q carries a javascript: URL: %s", name, payload, scriptURL.FindString(body))
			case !strings.Contains(body, html.EscapeString(payload)) && !strings.Contains(body, payload):
				t.Errorf("%s does not show %q at all", name, payload)
			}
		}
	}
}

// hostilePages is every page, in each of its states, with payload in every value it shows.
func hostilePages(payload string) map[string]templ.Component {
	fresh := func() *formPage {
		p := newFormPage(url.Values{"validationOption": {onboard.CustomerValidationOption}})
		p.Key = payload
		return p
	}
	refused := func() *formPage {
		v := url.Values{}
		for _, name := range []string{"organizationName", "partnerTenantId", "mpnId", "domain", "customerTenantId",
			"contact.name", "contact.title", "contact.email", "contact.phone", "address.line1", "address.line2",
			"address.city", "address.state", "address.postalCode", "address.country", "attestation.signerName",
			"attestation.signerTitle", "attestation.termsVersion", "companyName", "tenantId", "adminName", "adminEmail",
			"partnerType", "governmentEntityType", "idempotencyKey"} {
			v.Set(name, payload)
		}
		v["governmentSegments"] = []string{"federal", payload}
		for _, box := range []string{"cspEnrolled", "attestation.agree", "agree"} {
			v.Set(box, payload)
		}
		p := newFormPage(v).withProblem(Problem{Detail: payload, Errors: []onboard.FieldError{
			{Field: "organizationName", Message: payload}, {Field: "partnerType", Message: payload},
			{Field: "governmentEntityType", Message: payload}, {Field: "companyName", Message: payload},
			{Field: "agree", Message: payload}, {Field: payload, Message: payload}}})
		p.Key = payload
		return p
	}
	receipt := func(verification string) *onboard.Receipt {
		return &onboard.Receipt{ID: payload, OrganizationName: payload, ResponseDueBy: onboard.Date(payload),
			TenantVerification: verification, SupportEmail: payload}
	}
	offer := &invitations.Offer{PartnerName: payload, CustomerName: payload, ExpiresAt: time.Now()}
	unnamed := &invitations.Offer{PartnerName: payload, ExpiresAt: time.Now()}
	done := &invitations.Accepted{ID: payload, PartnerName: payload, SpecialQualifications: []string{payload},
		CompanyProfile: onboard.CompanyProfile{CompanyName: payload, Domain: payload, TenantID: payload}}
	return map[string]templ.Component{
		"partner form":                           partnerPage(fresh()),
		"refused partner form":                   partnerPage(refused()),
		"customer form":                          customerPage(fresh()),
		"refused customer form":                  customerPage(refused()),
		"confirmation":                           receivedPage(receipt("Verified")),
		"confirmation, tenant unverified":        receivedPage(receipt("Unverified")),
		"problem":                                problemPage(payload, payload),
		"invitation":                             invitationOfferPage(offer, fresh(), payload),
		"invitation, no customer name":           invitationOfferPage(unnamed, fresh(), "/invitations/"+payload+"/accept"),
		"refused invitation":                     invitationOfferPage(offer, refused(), "accept"),
		"invitation accepted":                    invitationAcceptedPage(done),
		"invitation accepted, no qualifications": invitationAcceptedPage(&invitations.Accepted{ID: payload}),
	}
}

// TestRenderFailureIsA500: a page that fails half way is not sent; the answer is a plain 500.
func TestRenderFailureIsA500(t *testing.T) {
	broken := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		io.WriteString(w, "<!doctype html><p>half a page")
		return errors.New("broken")
	})
	w := httptest.NewRecorder()
	(&Server{Log: slog.New(slog.DiscardHandler)}).renderPage(w, httptest.NewRequest("GET", "/", nil), 200, broken)
	if w.Code != 500 || strings.Contains(w.Body.String(), "half a page") {
		t.Errorf("broken page: %d %q", w.Code, w.Body)
	}
}
