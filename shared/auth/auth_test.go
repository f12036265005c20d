package auth

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

func TestAPIGatewayClaims(t *testing.T) {
	claims := map[string]string{"sub": "u1", "token_use": "id", "cognito:groups": "[sales_agent admin_agent]",
		"custom:partner_id": "1F3C6E1A-8B2D-4C5E-9F70-A1B2C3D4E5F6", "email": "s@contoso.example"}
	withClaims := func(c map[string]string) *http.Request {
		rc := events.APIGatewayV2HTTPRequestContext{}
		if c != nil {
			rc.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: c}}
		}
		r, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), events.APIGatewayV2HTTPRequest{
			RawPath: "/v1/x", RequestContext: rc, Headers: map[string]string{"authorization": "Bearer forged"}}) // the header is never read
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	got, err := APIGateway{}.Authenticate(withClaims(claims))
	// Several groups: the most restricted role wins.
	if want := (onboard.Principal{Subject: "u1", Role: onboard.RoleSalesAgent, PartnerID: "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6", Email: "s@contoso.example"}); err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	access := map[string]string{"sub": "u1", "token_use": "access", "cognito:groups": "[admin_agent]"}
	for name, r := range map[string]*http.Request{"NoAuthorizer": withClaims(nil), "AccessToken": withClaims(access)} {
		if _, err := (APIGateway{}).Authenticate(r); onboard.ErrorCode(err) != onboard.ErrUnauthorized {
			t.Errorf("%s: err = %v, want Unauthorized", name, err)
		}
	}
}
