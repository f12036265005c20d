package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
)

// TermsVersion is the version of the eligibility terms the forms ask people to sign.
const TermsVersion = "2025-01"

// formPage is what a form page shows: the values to keep and the errors beside fields.
type formPage struct {
	V       url.Values
	Errs    map[string]string
	Problem string
	Key     string // idempotency key, so a double submit creates one request
}

func newFormPage(v url.Values) *formPage {
	if v == nil {
		v = url.Values{}
	}
	return &formPage{V: v}
}

// withProblem puts the problem's message at the top and each field error beside its field.
func (p *formPage) withProblem(prob Problem) *formPage {
	p.Problem = prob.Detail
	p.Errs = map[string]string{}
	for _, fe := range prob.Errors {
		if _, dup := p.Errs[fe.Field]; !dup {
			p.Errs[fe.Field] = fe.Message
		}
	}
	return p
}

// partnerTypes are the partner form's choices, in the order it lists them.
var partnerTypes = []struct{ value, label string }{
	{"direct_bill", "Direct-bill partner"},
	{"indirect_provider", "Indirect provider"},
	{"indirect_reseller", "Indirect reseller"},
}

// securityHeaders are sent with every HTML page: no scripts at all, no framing, no referrer leaks.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// renderPage writes page with status. It renders into a buffer first, so a failed render is a
// clean 500 rather than half a page.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, page templ.Component) {
	var buf bytes.Buffer
	// Rendering is in memory: a client that has gone away is no render error.
	if err := page.Render(context.WithoutCancel(r.Context()), &buf); err != nil {
		s.log().ErrorContext(r.Context(), "render page", "error", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
