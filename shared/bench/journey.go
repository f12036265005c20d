package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gcconboard/gcconboard/shared/auth/localauth"
	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/web"
)

// Journey step names, in the order Run takes them.
const (
	StepPartnerIntake    = "partner intake"
	StepPartnerReview    = "partner review reads"
	StepPartnerDecision  = "partner decision"
	StepCustomerIntake   = "customer intake"
	StepCustomerReview   = "customer review reads"
	StepCustomerDecision = "customer decision"
	StepCustomerCreation = "customer creation"
	StepCart             = "order: cart"
	StepCheckout         = "order: checkout"
	StepFulfilment       = "order fulfilment"
	StepMail             = "mail delivery"
)

// StepNote says what each step does, for the report.
var StepNote = map[string]string{
	StepPartnerIntake:    "POST /v1/eligibility/partner (form path: with Idempotency-Key)",
	StepPartnerReview:    "reviewer: GET queue, request, evidence",
	StepPartnerDecision:  "POST .../decision Approved (partner qualified)",
	StepCustomerIntake:   "POST /v1/eligibility/customer (with Idempotency-Key)",
	StepCustomerReview:   "reviewer: GET queue, request, evidence",
	StepCustomerDecision: "POST .../decision Approved (validation code)",
	StepCustomerCreation: "POST /v1/customers GCC with the validation ID (with Idempotency-Key)",
	StepCart:             "POST /v1/customers/{id}/carts, one government offer",
	StepCheckout:         "POST .../carts/{cartId}/checkout (with Idempotency-Key)",
	StepFulfilment:       "the orders function's scheduled sweep completing the order",
	StepMail:             "notifier: each outbox item of the journey delivered (stream path)",
}

// Journey drives one complete onboarding through the same handlers the Lambdas mount, in
// process, over st, naming each step on counter so its DynamoDB calls are attributed to it.
type Journey struct {
	Store   *store.Store
	Counter *Counter
	// NoIdempotencyKey sends the JSON API's intakes without an Idempotency-Key.
	NoIdempotencyKey bool

	h        http.Handler
	issuer   *localauth.Issuer
	deliver  *outbox.Deliverer
	orders   *orders.Service
	reviewer string
}

// NewJourney builds the server (intake, review, customers and notifier routes) over st; keyDir
// holds the local signing key its tokens are minted with.
func NewJourney(st *store.Store, counter *Counter, keyDir string) (*Journey, error) {
	issuer, err := localauth.OpenIssuer(keyDir)
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler)
	srv := &web.Server{Store: st, Auth: issuer, Log: quiet,
		Intake:    &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: time.Now, Log: quiet},
		Review:    &eligibility.Review{Store: st, Now: time.Now, Log: quiet},
		Customers: &customers.Service{Store: st, Now: time.Now, Log: quiet}}
	// Fulfilment takes an order at once here; in AWS it waits FulfilAfter.
	srv.Orders = &orders.Service{Store: st, Now: time.Now, Log: quiet}
	h, err := srv.Handler(web.IntakeRoutes(), web.ReviewRoutes(), web.CustomersRoutes(), web.OrdersRoutes())
	if err != nil {
		return nil, err
	}
	j := &Journey{Store: st, Counter: counter, h: h, issuer: issuer, orders: srv.Orders,
		deliver: &outbox.Deliverer{Outbox: st, Sender: discardSender{}, From: "no-reply@gcconboard.example", Now: time.Now, Log: quiet}}
	if j.reviewer, err = j.token(onboard.RoleEligibilityReviewer, ""); err != nil {
		return nil, err
	}
	return j, nil
}

type discardSender struct{}

func (discardSender) Send(ctx context.Context, m outbox.Message) (string, error) { return "bench", nil }

func (j *Journey) token(role onboard.Role, partner string) (string, error) {
	return j.issuer.Mint(onboard.Principal{Subject: "bench:" + string(role), Role: role, PartnerID: partner,
		Email: "agent@partner.example"}, time.Hour)
}

// Run takes one new partner and one new customer of it through the whole process: both intakes,
// their review and approval, the customer's creation with its validation code, and the delivery
// of every mail this caused. It fails on any unexpected answer.
func (j *Journey) Run(ctx context.Context) error {
	partner, customerTenant := NewTenantID(), NewTenantID()
	var rc struct{ ID string }
	if err := j.step(ctx, StepPartnerIntake, "POST", "/v1/eligibility/partner", "", PartnerIntake(partner), j.key(), 201, &rc); err != nil {
		return err
	}
	if err := j.review(ctx, StepPartnerReview, rc.ID); err != nil {
		return err
	}
	if err := j.step(ctx, StepPartnerDecision, "POST", "/v1/eligibility/requests/"+rc.ID+"/decision", j.reviewer,
		map[string]any{"decision": "Approved"}, "", 200, nil); err != nil {
		return err
	}
	if err := j.step(ctx, StepCustomerIntake, "POST", "/v1/eligibility/customer", "", CustomerIntake(partner, customerTenant), j.key(), 201, &rc); err != nil {
		return err
	}
	if err := j.review(ctx, StepCustomerReview, rc.ID); err != nil {
		return err
	}
	var decision struct {
		Validation struct {
			ValidationID string `json:"validationId"`
		} `json:"validation"`
	}
	if err := j.step(ctx, StepCustomerDecision, "POST", "/v1/eligibility/requests/"+rc.ID+"/decision", j.reviewer,
		map[string]any{"decision": "Approved"}, "", 200, &decision); err != nil {
		return err
	}
	admin, err := j.token(onboard.RoleAdminAgent, partner)
	if err != nil {
		return err
	}
	var cu struct{ ID string }
	if err := j.step(ctx, StepCustomerCreation, "POST", "/v1/customers", admin,
		CustomerCreation(customerTenant, decision.Validation.ValidationID), j.key(), 201, &cu); err != nil {
		return err
	}
	if err := j.order(ctx, admin, cu.ID); err != nil {
		return err
	}
	return j.deliverAll(ctx)
}

// QualifyPartner makes tenant a GCC-qualified partner, as the journey's first three steps do
// (intake, then approval), without counting.
func (j *Journey) QualifyPartner(ctx context.Context, tenant string) error {
	var rc struct{ ID string }
	if err := j.step(ctx, "", "POST", "/v1/eligibility/partner", "", PartnerIntake(tenant), "", 201, &rc); err != nil {
		return err
	}
	return j.step(ctx, "", "POST", "/v1/eligibility/requests/"+rc.ID+"/decision", j.reviewer,
		map[string]any{"decision": "Approved"}, "", 200, nil)
}

// order buys the first government offer for the customer and lets fulfilment complete it.
func (j *Journey) order(ctx context.Context, token, customer string) error {
	offers := catalog.Default().Segment(onboard.SegmentGovernment)
	if len(offers) == 0 {
		return fmt.Errorf("%s: the catalog has no government offer", StepCart)
	}
	o := offers[0]
	line := map[string]any{"catalogItemId": o.CatalogItemID, "quantity": max(o.MinQuantity, 1)}
	if len(o.TermDurations) > 0 {
		line["termDuration"] = o.TermDurations[0]
	}
	if len(o.BillingCycles) > 0 {
		line["billingCycle"] = o.BillingCycles[0]
	}
	var cart struct{ ID string }
	if err := j.step(ctx, StepCart, "POST", "/v1/customers/"+customer+"/carts", token,
		map[string]any{"lineItems": []any{line}}, "", 201, &cart); err != nil {
		return err
	}
	if err := j.step(ctx, StepCheckout, "POST", "/v1/customers/"+customer+"/carts/"+cart.ID+"/checkout", token,
		nil, j.key(), 201, nil); err != nil {
		return err
	}
	j.Counter.Step(StepFulfilment)
	n, err := j.orders.FulfilPending(ctx)
	j.Counter.Step("")
	if err != nil || n != 1 {
		return fmt.Errorf("%s: fulfilled %d orders, want 1: %v", StepFulfilment, n, err)
	}
	return nil
}

func (j *Journey) key() string {
	if j.NoIdempotencyKey {
		return ""
	}
	return onboard.NewID("ik")
}

func (j *Journey) review(ctx context.Context, step, id string) error {
	for _, path := range []string{"/v1/eligibility/requests", "/v1/eligibility/requests/" + id, "/v1/eligibility/requests/" + id + "/evidence"} {
		if err := j.step(ctx, step, "GET", path, j.reviewer, nil, "", 200, nil); err != nil {
			return err
		}
	}
	return nil
}

// deliverAll delivers every pending outbox item as the notifier does for a stream record. The
// lookup of what is pending stands in for the stream and is not counted.
func (j *Journey) deliverAll(ctx context.Context) error {
	j.Counter.Step("")
	due, err := j.Store.DueNotifications(ctx, time.Now().Add(time.Minute), 100)
	if err != nil {
		return err
	}
	j.Counter.Step(StepMail)
	defer j.Counter.Step("")
	for _, n := range due {
		if err := j.deliver.Deliver(ctx, n.ID); err != nil {
			return fmt.Errorf("%s: %w", StepMail, err)
		}
	}
	return nil
}

// step sends one request to the handler, with the counter on step.
func (j *Journey) step(ctx context.Context, step, method, path, token string, body any, idemKey string, want int, out any) error {
	var rd *bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequestWithContext(ctx, method, path, rd)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	rec := httptest.NewRecorder()
	j.Counter.Step(step)
	j.h.ServeHTTP(rec, req)
	j.Counter.Step("")
	if rec.Code != want {
		return fmt.Errorf("%s: %s %s answered %d, want %d: %s", step, method, path, rec.Code, want, rec.Body.Bytes())
	}
	if out != nil {
		return json.Unmarshal(rec.Body.Bytes(), out)
	}
	return nil
}

// NewTenantID returns a fresh random tenant ID (a version 4 GUID).
func NewTenantID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// PartnerIntake is a valid partner intake form for tenant.
func PartnerIntake(tenant string) map[string]any {
	return map[string]any{
		"organizationName": "Contoso Gov Solutions", "partnerTenantId": tenant, "partnerType": "direct_bill",
		"mpnId": "1234567", "cspEnrolled": true, "governmentSegments": []string{"federal", "state"},
		"contact":     map[string]any{"name": "Ana Li", "title": "CEO", "email": "ana@contoso.example", "phone": "+1 202 555 0100"},
		"address":     map[string]any{"line1": "1 Main St", "city": "Arlington", "state": "VA", "postalCode": "22201", "country": "US"},
		"attestation": map[string]any{"signerName": "Ana Li", "signerTitle": "CEO", "agree": true, "termsVersion": "2025-01"},
	}
}

// CustomerIntake is a valid customer intake form naming partner as the transacting partner.
func CustomerIntake(partner, tenant string) map[string]any {
	return map[string]any{
		"organizationName": "City of Fairfax", "customerTenantId": tenant,
		"domain": "fairfaxva.example", "governmentEntityType": "local", "validationOption": onboard.CustomerValidationOption,
		"partnerTenantId": partner,
		"contact":         map[string]any{"name": "Ben Ortiz", "title": "CIO", "email": "ben@fairfaxva.example", "phone": "+1 703 555 0101"},
		"address":         map[string]any{"line1": "10455 Armstrong St", "city": "Fairfax", "state": "VA", "postalCode": "22030", "country": "US"},
		"attestation":     map[string]any{"signerName": "Ben Ortiz", "signerTitle": "CIO", "agree": true, "termsVersion": "2025-01"},
	}
}

// CustomerCreation is the body creating the approved customer with the GCC qualification.
func CustomerCreation(tenant, validationID string) map[string]any {
	return map[string]any{
		"companyProfile": map[string]any{"companyName": "City of Fairfax", "domain": "fairfaxva.example", "tenantId": tenant},
		"billingProfile": map[string]any{"email": "billing@fairfaxva.example", "firstName": "Ben", "lastName": "Ortiz",
			"defaultAddress": map[string]any{"line1": "10455 Armstrong St", "city": "Fairfax", "state": "VA", "postalCode": "22030", "country": "US"}},
		"qualification": string(onboard.QualificationGCC), "validationId": validationID,
	}
}

// StepTotals sums recorded calls by step, in first-seen order.
type StepTotals struct {
	Step     string
	Requests map[string]int // by operation
	Reads    int            // GetItem, Query, BatchGetItem, Scan, TransactGetItems
	Writes   int            // every other operation
	WRU, RRU float64
	Reported float64 // DynamoDB Local's own ConsumedCapacity total (-1: none reported)
	Errors   int
}

// Totals groups calls by step.
func Totals(calls []Call) []StepTotals {
	var out []StepTotals
	index := map[string]int{}
	for _, c := range calls {
		i, ok := index[c.Step]
		if !ok {
			i = len(out)
			index[c.Step] = i
			out = append(out, StepTotals{Step: c.Step, Requests: map[string]int{}, Reported: -1})
		}
		t := &out[i]
		t.Requests[c.Op]++
		switch c.Op {
		case "GetItem", "Query", "BatchGetItem", "Scan", "TransactGetItems":
			t.Reads++
		default:
			t.Writes++
		}
		t.WRU += c.WRU
		t.RRU += c.RRU
		if c.Reported >= 0 {
			t.Reported = max(t.Reported, 0) + c.Reported
		}
		if c.Err {
			t.Errors++
		}
	}
	return out
}
