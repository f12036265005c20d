package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

//go:embed pages/*.html
var pageFiles embed.FS

// TermsVersion is the version of the eligibility terms the forms ask people to sign.
const TermsVersion = "2025-01"

// pageNames are the HTML pages; each is pages/<name>.html rendered inside pages/layout.html.
var pageNames = []string{"home", "partner", "customer", "received", "problem",
	"invitation", "invitation-accepted", "invitation-invalid"}

// parsePages parses the layout once and every page onto a clone of it. Handler calls it when it
// mounts a public route (the only ones that answer with pages), so a JSON-only Lambda pays
// nothing for templates at cold start.
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"field": func(name, label, typ, hint string, page *formPage, required bool) fieldView {
			return fieldView{Name: name, Label: label, Type: typ, Hint: hint, Page: page, Required: required}
		},
		"has": func(v url.Values, name, want string) bool { return slices.Contains(v[name], want) },
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(pageFiles, "pages/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(pageFiles, "pages/"+name+".html"))
	}
	return out
}

// formPage is what an intake form page shows: the values to keep and the errors beside fields.
type formPage struct {
	Title        string
	V            url.Values
	Errs         map[string]string
	Problem      string
	Key          string // idempotency key, so a double submit creates one request
	TermsVersion string
	Segments     []string
	PartnerTypes map[string]string
	Receipt      *onboard.Receipt
}

type fieldView struct {
	Name, Label, Type, Hint string
	Page                    *formPage
	Required                bool
}

func newFormPage(title string, v url.Values) *formPage {
	if v == nil {
		v = url.Values{}
	}
	return &formPage{Title: title, V: v, TermsVersion: TermsVersion, Segments: onboard.GovernmentSegments,
		PartnerTypes: map[string]string{"direct_bill": "Direct-bill partner", "indirect_provider": "Indirect provider",
			"indirect_reseller": "Indirect reseller"}}
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

// securityHeaders are sent with every HTML page: no scripts at all, no framing, no referrer leaks.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// renderPage writes page name with data and status.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	page, ok := s.pages[name]
	if !ok {
		s.log().ErrorContext(r.Context(), "page not parsed: this handler mounts no public route", "page", name)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	if err := page.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log().ErrorContext(r.Context(), "render page", "page", name, "error", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
