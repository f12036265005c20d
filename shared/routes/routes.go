// Package routes is the one route table of GCC Onboard: which Lambda function serves each route
// and which roles may call it. The local server, every Lambda and the CDK stack read this list,
// so a route cannot be served by one and forgotten by another.
package routes

import (
	"slices"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Function names; each is a folder functions/<name> with a main.go and a Lambda in the stack.
const (
	Intake   = "intake"
	Review   = "review"
	Notifier = "notifier"
)

// Route is one HTTP route. Roles empty means public (no authorizer); otherwise the caller needs a
// valid token carrying one of Roles.
type Route struct {
	Method   string
	Path     string // net/http pattern syntax, which is also API Gateway's: /v1/x/{id}
	Function string
	Roles    []onboard.Role
}

// Pattern is the route as a net/http ServeMux pattern, e.g. "POST /v1/eligibility/partner".
func (r Route) Pattern() string {
	if r.Path == "/" {
		return r.Method + " /{$}"
	}
	return r.Method + " " + r.Path
}

// Public reports whether the route needs no token.
func (r Route) Public() bool { return len(r.Roles) == 0 }

var (
	reviewer = []onboard.Role{onboard.RoleEligibilityReviewer}
	agents   = onboard.Agents
	staff    = []onboard.Role{onboard.RoleAdminAgent, onboard.RoleSalesAgent, onboard.RoleEligibilityReviewer}
)

// All is every route of API.md that the project serves, one slice per step, each in its own file.
var All = slices.Concat(intake, review, customers, invitations, orders)

// For returns the routes served by function fn.
func For(fn string) []Route {
	var out []Route
	for _, r := range All {
		if r.Function == fn {
			out = append(out, r)
		}
	}
	return out
}

// Functions returns the names of the functions that serve routes, in first-seen order.
func Functions() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range All {
		if !seen[r.Function] {
			seen[r.Function] = true
			out = append(out, r.Function)
		}
	}
	return out
}
