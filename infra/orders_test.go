package infra

import (
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/routes"
)

// TestOrders checks the ordering function's place in the stack: it serves every orders route
// (and only those) through the JWT authorizer, may read and write the table but send no mail
// (its confirmations are outbox items), and EventBridge invokes it every minute to fulfil pending
// orders.
func TestOrders(t *testing.T) {
	tmpl, js := template(t)
	fn, ok := functionIDs(t, js)[routes.Orders]
	if !ok {
		t.Fatalf("no Lambda for %q", routes.Orders)
	}
	spec := Specs[routes.Orders]
	if !spec.ReadTable || !spec.WriteTable || spec.SendMail || spec.ConsumeOutbox || spec.Seal || spec.Unseal {
		t.Errorf("Specs[orders] = %+v, want table read/write only", spec)
	}
	var keys []string
	for _, r := range routes.For(routes.Orders) {
		keys = append(keys, r.Method+" "+r.Path)
		if !slices.Equal(r.Roles, onboard.Agents) {
			t.Errorf("%s %s: roles %v, want the agents", r.Method, r.Path, r.Roles)
		}
	}
	for _, want := range []string{"GET /v1/products", "POST /v1/customers/{id}/carts", "GET /v1/customers/{id}/carts/{cartId}",
		"PUT /v1/customers/{id}/carts/{cartId}", "POST /v1/customers/{id}/carts/{cartId}/checkout", "GET /v1/customers/{id}/orders",
		"GET /v1/customers/{id}/orders/{orderId}", "PATCH /v1/customers/{id}/orders/{orderId}"} {
		if !slices.Contains(keys, want) {
			t.Errorf("orders routes %v lack %s", keys, want)
		}
		assert(t, "API route "+want, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), like(obj{"RouteKey": want, "AuthorizationType": "JWT"}))
		})
	}
	assert(t, "fulfilment every minute", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), like(obj{
			"ScheduleExpression": "rate(1 minute)",
			"State":              "ENABLED",
			"Targets":            []any{like(obj{"Arn": obj{"Fn::GetAtt": []any{fn, "Arn"}}})},
		}))
	})
	assert(t, "EventBridge may invoke the orders function", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), like(obj{
			"Principal":    "events.amazonaws.com",
			"FunctionName": obj{"Fn::GetAtt": []any{fn, "Arn"}},
		}))
	})
	actions := actionsByFunction(t, js)[routes.Orders]
	for _, a := range []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"} {
		if _, ok := actions[a]; !ok {
			t.Errorf("orders may not %s; checkout's transaction needs it", a)
		}
	}
	for _, a := range []string{"ses:SendEmail", "dynamodb:ListStreams"} {
		if _, ok := actions[a]; ok {
			t.Errorf("orders may %s, want not", a)
		}
	}
}
