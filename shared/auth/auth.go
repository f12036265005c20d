// Package auth turns verified credentials into an onboard.Principal: from the claims API
// Gateway's JWT authorizer verified (Lambda); shared/auth/localauth does it for the tokens the
// local server signs itself, so no Lambda links token signing or verification.
package auth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Unauthorized is the answer to a request without valid credentials.
var Unauthorized = onboard.Errorf(onboard.ErrUnauthorized, "A valid bearer token is required.")

// Roles in the order a principal's role is chosen when a user is in several groups: the most
// restricted wins, so membership in an extra group never widens what a token may do.
var rolePrecedence = []onboard.Role{onboard.RoleEligibilityReviewer, onboard.RoleSalesAgent, onboard.RoleAdminAgent}

// PrincipalFrom maps verified claims to a principal. groups are the user's roles.
func PrincipalFrom(subject string, groups []string, partner, email string) (onboard.Principal, error) {
	if subject == "" {
		return onboard.Principal{}, Unauthorized
	}
	p := onboard.Principal{Subject: subject, PartnerID: strings.ToLower(partner), Email: email}
	for _, r := range rolePrecedence {
		if slices.Contains(groups, string(r)) {
			p.Role = r
			break
		}
	}
	return p, nil
}

// APIGateway reads the claims API Gateway's JWT authorizer has already verified, from the Lambda
// request context. It never looks at the Authorization header itself.
type APIGateway struct{}

// Authenticate implements web.Authenticator.
func (APIGateway) Authenticate(r *http.Request) (onboard.Principal, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return onboard.Principal{}, Unauthorized
	}
	c := rc.Authorizer.JWT.Claims
	if c["token_use"] != "id" { // see the stack: staff present Cognito ID tokens
		return onboard.Principal{}, Unauthorized
	}
	return PrincipalFrom(c["sub"], parseGroups(c["cognito:groups"]), c["custom:partner_id"], c["email"])
}

// parseGroups reads cognito:groups as HTTP API passes array claims: "[a b]" (or JSON-ish "[\"a\",\"b\"]").
func parseGroups(v string) []string {
	v = strings.Trim(v, "[]")
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '"' })
}
