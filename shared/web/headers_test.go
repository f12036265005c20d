package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gcconboard/gcconboard/shared/routes"
)

// TestSecurityHeadersOnEveryPage walks every public GET route of the route table, and the pages
// a refused and an accepted form post show, and checks each HTML answer's security headers.
func TestSecurityHeadersOnEveryPage(t *testing.T) {
	e := newEnv(t, openBolt(t))
	pages := map[string]response{}
	for _, rt := range publicGETs() {
		path := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(rt, "unknown-token-0123456789")
		pages["GET "+path] = e.do("GET", path, nil, "Accept", "text/html")
	}
	bad := url.Values{"organizationName": {"x"}}
	pages["refused form"] = e.do("POST", "/v1/eligibility/partner", bad, "Accept", "text/html")
	good := url.Values{}
	for k, v := range map[string]string{"organizationName": "Contoso", "partnerTenantId": partnerTenant, "partnerType": "direct_bill",
		"cspEnrolled": "on", "governmentSegments": "federal", "contact.name": "Ana", "contact.email": "ana@contoso.example",
		"contact.phone": "+1 202 555 0100", "address.line1": "1 Main St", "address.city": "Arlington", "address.state": "VA",
		"address.postalCode": "22201", "address.country": "US", "attestation.signerName": "Ana", "attestation.signerTitle": "CEO",
		"attestation.termsVersion": "2025-01", "attestation.agree": "on"} {
		good.Set(k, v)
	}
	pages["confirmation"] = e.do("POST", "/v1/eligibility/partner", good, "Accept", "text/html")
	checked := 0
	for name, res := range pages {
		if !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
			continue
		}
		checked++
		csp := res.header.Get("Content-Security-Policy")
		switch {
		case !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-eval"):
			t.Errorf("%s: CSP %q allows scripts", name, csp)
		case !strings.Contains(csp, "frame-ancestors 'none'"):
			t.Errorf("%s: CSP %q allows framing", name, csp)
		case res.header.Get("X-Content-Type-Options") != "nosniff":
			t.Errorf("%s: no nosniff", name)
		case res.header.Get("Referrer-Policy") != "no-referrer":
			t.Errorf("%s: Referrer-Policy %q", name, res.header.Get("Referrer-Policy"))
		case strings.Contains(strings.ToLower(string(res.body)), "<script"):
			t.Errorf("%s: the page carries a script element", name)
		}
	}
	if checked < 5 {
		t.Errorf("only %d HTML pages checked", checked)
	}
}

// publicGETs lists the paths of the public GET routes.
func publicGETs() []string {
	var out []string
	for _, rt := range routes.All {
		if rt.Public() && rt.Method == "GET" {
			out = append(out, rt.Path)
		}
	}
	return out
}
