package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gcconboard/gcconboard/events/fixture"
	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/store"
)

// The fixtures' partner (custom:partner_id), its GCC customer and that customer's Active cart.
const (
	partnerTenant = "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6"
	gccCustomer   = "cu_fixturegcc000001"
	activeCart    = "ct_fixture000000001"
)

var now = time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)

// seed writes what the fixtures refer to, as the intake, review and customer steps would have:
// the partner's GCC-qualified profile, its GCC customer, and an Active cart holding Office 365 G3 GCC.
func seed(t *testing.T, st *store.Store) {
	t.Helper()
	p := &onboard.PartnerProfile{TenantID: partnerTenant, CompanyName: "Contoso Gov Solutions", PartnerType: onboard.DirectBill,
		ResellerQualifications: []string{onboard.GovernmentCommunityCloudQualification}, ContactEmail: "ana@contoso.example", Version: 1}
	cu := &onboard.Customer{ID: gccCustomer, PartnerID: partnerTenant, Relationship: onboard.RelationshipReseller,
		Qualification: onboard.QualificationGCC, ValidationID: "val_fixture", Origin: "created", CreatedAt: now, UpdatedAt: now, Version: 1,
		CompanyProfile: onboard.CompanyProfile{CompanyName: "City of Olympia", Domain: "olympia.example.gov"}}
	var g3 catalog.Offer
	for _, o := range catalog.Default().Offers {
		if o.FriendlyName == "Office 365 G3 GCC" {
			g3 = o
		}
	}
	cart := &onboard.Cart{ID: activeCart, PartnerID: partnerTenant, CustomerID: gccCustomer, Status: onboard.CartActive,
		LineItems: []onboard.CartLineItem{{CatalogItemID: g3.CatalogItemID, FriendlyName: g3.FriendlyName, Quantity: 25, TermDuration: "P1Y", BillingCycle: "annual"}},
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(orders.DefaultCartLifetime), Version: 1}
	pk := "PARTNER#" + partnerTenant
	err := st.Backend().Transact(context.Background(),
		store.PutNew(store.Item{Key: store.Key{PK: pk, SK: "PROFILE"}, Kind: store.KindPartner, Version: 1, Data: p}),
		store.PutNew(store.Item{Key: store.Key{PK: pk, SK: "CUSTOMER#" + gccCustomer}, Kind: store.KindCustomer, Version: 1, Data: cu}),
		store.PutNew(store.Item{Key: store.Key{PK: pk, SK: "CART#" + gccCustomer + "#" + activeCart}, Kind: store.KindCart, Version: 1, Data: cart}))
	if err != nil {
		t.Fatal(err)
	}
}

// TestReplayEvents sends every events/orders-*.json through the Lambda's own handler, as `sam
// local invoke OrdersFunction -e events/<file>` would: API Gateway events with the claims its JWT
// authorizer puts in the request context, and the schedule's event, which runs fulfilment.
func TestReplayEvents(t *testing.T) {
	want := map[string]struct {
		status int
		has    []string
	}{
		"orders-products-government":                {200, []string{`"totalCount":10`, `"friendlyName":"Office 365 G3 GCC"`, `"segment":"government"`}},
		"orders-products-government-unqualified":    {403, []string{`"code":"PartnerNotGccQualified"`}},
		"orders-products-bad-country":               {422, []string{`"code":"ValidationFailed"`, `"field":"country"`}},
		"orders-cart-create":                        {201, []string{`"status":"Active"`, `"customerId":"` + gccCustomer + `"`, `"friendlyName":"Office 365 G3 GCC"`}},
		"orders-cart-commercial-offer-gcc-customer": {422, []string{`"code":"OfferNotEligible"`, `"field":"lineItems[0]"`}},
		"orders-cart-get":                           {200, []string{`"id":"` + activeCart + `"`, `"status":"Active"`}},
		"orders-checkout":                           {201, []string{`"status":"pending"`, `"orderErrors":[]`, `"cartId":"` + activeCart + `"`}},
		"orders-list":                               {200, []string{`"totalCount":0`, `"items":[]`}},
		"orders-cancel-unknown":                     {404, []string{`"code":"NotFound"`}},
		"orders-schedule":                           {},
	}
	for _, name := range fixture.Files(t, "orders-") {
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("events/%s.json has no expectation here", name)
			}
			st := fixture.Store(t)
			seed(t, st)
			svc := &orders.Service{Store: st, Catalog: catalog.Default(), Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
			h, err := newHandler(svc)
			if err != nil {
				t.Fatal(err)
			}
			if name == "orders-schedule" {
				scheduled(t, h, svc)
				return
			}
			out, err := h(context.Background(), fixture.Raw(t, name))
			if err != nil {
				t.Fatal(err)
			}
			res := out.(events.APIGatewayV2HTTPResponse)
			if res.StatusCode != exp.status {
				t.Errorf("got %d %s, want %d", res.StatusCode, res.Body, exp.status)
			}
			for _, s := range exp.has {
				if !strings.Contains(res.Body, s) {
					t.Errorf("body %s lacks %s", res.Body, s)
				}
			}
			if res.StatusCode == 201 {
				if !strings.HasPrefix(res.Headers["Location"], "/v1/customers/"+gccCustomer+"/") {
					t.Errorf("201 without a Location: %v", res.Headers)
				}
				// The fixture carries an Idempotency-Key: sent again, it gets the same answer.
				again, err := h(context.Background(), fixture.Raw(t, name))
				if err != nil || again.(events.APIGatewayV2HTTPResponse).Body != res.Body {
					t.Errorf("replay: %v, %+v; want the first answer", err, again)
				}
			}
			// Round trip: the fixture decodes into the SDK type without losing fields.
			ev := fixture.Load[events.APIGatewayV2HTTPRequest](t, name)
			var back map[string]any
			data, _ := json.Marshal(ev)
			if err := json.Unmarshal(data, &back); err != nil || back["routeKey"] != ev.RouteKey || back["rawPath"] != ev.RawPath {
				t.Errorf("round trip lost the route: %v", err)
			}
		})
	}
}

// scheduled checks that the schedule's event fulfils the pending order a checkout made.
func scheduled(t *testing.T, h func(context.Context, json.RawMessage) (any, error), svc *orders.Service) {
	t.Helper()
	ctx := context.Background()
	who := onboard.Principal{Subject: "agent", Role: onboard.RoleSalesAgent, PartnerID: partnerTenant}
	res, err := svc.Checkout(ctx, who, gccCustomer, activeCart, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h(ctx, fixture.Raw(t, "orders-schedule"))
	if err != nil {
		t.Fatal(err)
	}
	if got := out.(FulfilmentReport); got.Fulfilled != 1 {
		t.Errorf("report %+v, want 1 fulfilled", got)
	}
	o, err := svc.Order(ctx, partnerTenant, gccCustomer, res.Orders[0].ID)
	if err != nil || o.Status != onboard.OrderCompleted {
		t.Errorf("order %+v, %v; want completed", o, err)
	}
	if _, err := h(ctx, json.RawMessage(`{"source":"aws.s3"}`)); err == nil {
		t.Error("an unknown event was accepted")
	}
}
