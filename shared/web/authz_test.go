package web

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/auth/localauth"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/routes"
)

// TestAuthorizationWalk calls every route of the route table with every kind of credential and
// checks the answer: 401 without a valid token, 403 Forbidden for a role the table does not list,
// and neither for a listed role. It is driven by routes.All, so a new route is walked too.
func TestAuthorizationWalk(t *testing.T) {
	b := newEnv(t, openBolt(t))
	other, err := localauth.OpenIssuer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := other.Mint(onboard.Principal{Subject: "x", Role: onboard.RoleAdminAgent, PartnerID: partnerTenant}, time.Hour)
	expired, _ := b.issuer.Mint(onboard.Principal{Subject: "x", Role: onboard.RoleAdminAgent, PartnerID: partnerTenant}, -time.Minute)
	noPartner, _ := b.issuer.Mint(onboard.Principal{Subject: "x", Role: onboard.RoleAdminAgent}, time.Hour)
	noRole, _ := b.issuer.Mint(onboard.Principal{Subject: "x"}, time.Hour)
	bad := map[string]string{
		"none":         "",
		"notBearer":    "Basic " + b.token(onboard.RoleAdminAgent, partnerTenant),
		"malformed":    "Bearer not.a.token",
		"expired":      "Bearer " + expired,
		"otherKey":     "Bearer " + otherKey,
		"noRole":       "Bearer " + noRole,
		"agentNoPartn": "Bearer " + noPartner,
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	checks := 0
	for _, rt := range routes.All {
		path := param.ReplaceAllString(rt.Path, "x0")
		call := func(authz string) response {
			body := any(nil)
			if rt.Method == "POST" || rt.Method == "PUT" {
				body = map[string]any{}
			}
			if authz == "" {
				return b.do(rt.Method, path, body)
			}
			return b.do(rt.Method, path, body, "Authorization", authz)
		}
		if rt.Public() {
			if res := call(""); res.status == 401 || res.status == 403 {
				t.Errorf("%s %s is public but answered %d", rt.Method, rt.Path, res.status)
			}
			checks++
			continue
		}
		for name, authz := range bad {
			res := call(authz)
			want := http.StatusUnauthorized
			if name == "noRole" || name == "agentNoPartn" {
				want = http.StatusForbidden
			}
			if res.status != want {
				t.Errorf("%s %s with %s token: %d, want %d", rt.Method, rt.Path, name, res.status, want)
			}
			checks++
		}
		for _, role := range []onboard.Role{onboard.RoleAdminAgent, onboard.RoleSalesAgent, onboard.RoleEligibilityReviewer} {
			res := call("Bearer " + b.token(role, partnerTenant))
			var p Problem
			if res.status == 403 {
				res.json(t, &p)
			}
			allowed := slices.Contains(rt.Roles, role)
			denied := res.status == 401 || (res.status == 403 && p.Code == onboard.ErrForbidden)
			if allowed == denied {
				t.Errorf("%s %s as %s: %d %s (allowed by the table: %v)", rt.Method, rt.Path, role, res.status, res.body, allowed)
			}
			checks++
		}
	}
	t.Logf("%d routes, %d checks", len(routes.All), checks)
}
