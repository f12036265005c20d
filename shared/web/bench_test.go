package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/auth/localauth"
	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/seal"
	"github.com/gcconboard/gcconboard/shared/store"
)

// The handler benchmarks run the Lambdas' handlers in process over the embedded store (its file
// in b.TempDir()), without HTTP transport, so they measure our code and the store; make bench
// puts their output in BENCHMARKS.md. Names are benchstat-friendly: compare runs with
// `go test -run '^$' -bench . -benchmem -count 10 ./shared/web/ > new.txt; benchstat old.txt new.txt`.

// benchServer is every function's routes over a fresh embedded store.
type benchServer struct {
	h        http.Handler
	intake   *eligibility.Intake
	issuer   *localauth.Issuer
	reviewer string
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	db, err := bolt.Open(b.TempDir() + "/gcc.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	st := store.New(db)
	issuer, err := localauth.OpenIssuer(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	sealer, err := seal.New(key)
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	s := &Server{Store: st, Auth: issuer, Log: quiet,
		Intake:      &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: time.Now, Log: quiet},
		Review:      &eligibility.Review{Store: st, Now: time.Now, Log: quiet},
		Customers:   &customers.Service{Store: st, Now: time.Now, Log: quiet},
		Invitations: &invitations.Service{Store: st, Sealer: sealer, BaseURL: testBaseURL, Now: time.Now, Log: quiet},
		Orders:      &orders.Service{Store: st, Now: time.Now, Log: quiet}}
	h, err := s.Handler(AllRoutes()...)
	if err != nil {
		b.Fatal(err)
	}
	reviewer, err := issuer.Mint(onboard.Principal{Subject: "bench:reviewer", Role: onboard.RoleEligibilityReviewer}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return &benchServer{h: h, intake: s.Intake, issuer: issuer, reviewer: reviewer}
}

// gccPartner has a partner apply and the review team approve it, and returns a token for one
// of its admin agents.
func (s *benchServer) gccPartner(b *testing.B) string {
	b.Helper()
	tenant := benchTenant()
	var receipt onboard.Receipt
	decode(b, s.serve(b, "POST", "/v1/eligibility/partner", "", benchIntake(tenant), http.StatusCreated), &receipt)
	s.serve(b, "POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", s.reviewer, []byte(`{"decision":"Approved"}`), http.StatusOK)
	admin, err := s.issuer.Mint(onboard.Principal{Subject: "bench:admin", Role: onboard.RoleAdminAgent, PartnerID: tenant,
		Email: "admin@partner.example"}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return admin
}

func decode(b *testing.B, rec *httptest.ResponseRecorder, v any) {
	b.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		b.Fatal(err)
	}
}

// serve runs one request through the handler and fails unless it answers want.
func (s *benchServer) serve(b *testing.B, method, path, token string, body []byte, want int) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: got %d %s, want %d", method, path, rec.Code, rec.Body.Bytes(), want)
	}
	return rec
}

// benchTenant returns a fresh random tenant ID.
func benchTenant() string {
	var x [16]byte
	rand.Read(x[:])
	x[6], x[8] = x[6]&0x0f|0x40, x[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
}

// benchIntakeBody is a partner intake form as JSON with a placeholder tenant, so that each
// iteration's body costs one replace to make (a new tenant: no duplicate-request refusal).
var benchIntakeBody, _ = json.Marshal(map[string]any{
	"organizationName": "Contoso Gov Solutions", "partnerTenantId": "00000000-0000-4000-8000-000000000000", "partnerType": "direct_bill",
	"mpnId": "1234567", "cspEnrolled": true, "governmentSegments": []string{"federal", "state"},
	"contact":     map[string]any{"name": "Ana Li", "title": "CEO", "email": "ana@contoso.example", "phone": "+1 202 555 0100"},
	"address":     map[string]any{"line1": "1 Main St", "city": "Arlington", "state": "VA", "postalCode": "22201", "country": "US"},
	"attestation": map[string]any{"signerName": "Ana Li", "signerTitle": "CEO", "agree": true, "termsVersion": "2025-01"},
})

func benchIntake(tenant string) []byte {
	return bytes.Replace(benchIntakeBody, []byte("00000000-0000-4000-8000-000000000000"), []byte(tenant), 1)
}

// submitted records n partner requests through the intake service and returns their IDs.
func (s *benchServer) submitted(b *testing.B, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		var f onboard.PartnerForm
		if err := json.Unmarshal(benchIntake(benchTenant()), &f); err != nil {
			b.Fatal(err)
		}
		rc, err := s.intake.SubmitPartner(context.Background(), &f, eligibility.Submitter{IP: "192.0.2.1"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = rc.ID
	}
	return ids
}

// BenchmarkPartnerIntake is POST /v1/eligibility/partner (JSON, no Idempotency-Key): decode,
// validate, render both mails, one transaction of seven items.
func BenchmarkPartnerIntake(b *testing.B) {
	s := newBenchServer(b)
	bodies := make([][]byte, 0, 1024)
	for range cap(bodies) {
		bodies = append(bodies, benchIntake(benchTenant()))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		body := bodies[i%len(bodies)]
		if i >= len(bodies) {
			body = benchIntake(benchTenant())
		}
		s.serve(b, "POST", "/v1/eligibility/partner", "", body, http.StatusCreated)
		i++
	}
}

// BenchmarkReviewQueue is GET /v1/eligibility/requests with 50 open requests.
func BenchmarkReviewQueue(b *testing.B) {
	s := newBenchServer(b)
	s.submitted(b, 50)
	b.ReportAllocs()
	for b.Loop() {
		s.serve(b, "GET", "/v1/eligibility/requests", s.reviewer, nil, http.StatusOK)
	}
}

// BenchmarkDecision is POST /v1/eligibility/requests/{id}/decision approving a partner: read the
// request and the partner's profile, render the mail, one transaction.
func BenchmarkDecision(b *testing.B) {
	s := newBenchServer(b)
	ids := s.submitted(b, b.N) // each iteration decides a request of its own
	body := []byte(`{"decision":"Approved"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.serve(b, "POST", "/v1/eligibility/requests/"+ids[i]+"/decision", s.reviewer, body, http.StatusOK)
	}
}

// BenchmarkRenderMail renders the intake acknowledgement (subject, text and HTML), as every
// intake does twice.
func BenchmarkRenderMail(b *testing.B) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	r := &onboard.EligibilityRequest{ID: onboard.NewID("er"), Type: onboard.TypePartner, OrganizationName: "Contoso Gov Solutions",
		TenantID: benchTenant(), Status: onboard.StatusSubmitted, SubmittedAt: now, ResponseDueBy: onboard.ResponseDueBy(now, onboard.ReviewBusinessDays)}
	ack := mail.IntakeAck{Request: r, Contact: "Ana Li"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mail.Render(ack); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPartnerFormPage is GET /forms/partner-eligibility: the intake form page, HTML.
func BenchmarkPartnerFormPage(b *testing.B) {
	s := newBenchServer(b)
	b.ReportAllocs()
	for b.Loop() {
		s.serve(b, "GET", "/forms/partner-eligibility", "", nil, http.StatusOK)
	}
}

// benchCustomer is a commercial customer's create body (no tenant ID, so no two collide).
var benchCustomer, _ = json.Marshal(map[string]any{
	"companyProfile": map[string]any{"companyName": "City of Olympia", "domain": "olympia.example.gov"},
	"billingProfile": map[string]any{"email": "it-billing@olympia.example.gov", "firstName": "Dana", "lastName": "Reyes",
		"defaultAddress": map[string]any{"line1": "100 Capitol Way", "city": "Olympia", "state": "WA", "postalCode": "98501", "country": "US"}},
	"qualification": "None",
})

// BenchmarkCustomerCreate is POST /v1/customers for a commercial customer: the partner's profile
// read, the customer, its welcome mail and the audit record in one transaction.
func BenchmarkCustomerCreate(b *testing.B) {
	s := newBenchServer(b)
	admin := s.gccPartner(b)
	b.ReportAllocs()
	for b.Loop() {
		s.serve(b, "POST", "/v1/customers", admin, benchCustomer, http.StatusCreated)
	}
}

var benchInvitation = []byte(`{"customerEmail":"it@olympia.example.gov","customerName":"City of Olympia","send":true}`)

// BenchmarkInvitationCreate is POST /v1/invitations with send: a 256-bit token, the link sealed
// for the outbox, the invitation mail rendered, one transaction.
func BenchmarkInvitationCreate(b *testing.B) {
	s := newBenchServer(b)
	admin := s.gccPartner(b)
	b.ReportAllocs()
	for b.Loop() {
		s.serve(b, "POST", "/v1/invitations", admin, benchInvitation, http.StatusCreated)
	}
}

// BenchmarkInvitationAccept is POST /invitations/{token}/accept (JSON): the token's hash looked
// up, the tenant's validations read, the customer, the relationship and the partner's mail
// written in one transaction.
func BenchmarkInvitationAccept(b *testing.B) {
	s := newBenchServer(b)
	admin := s.gccPartner(b)
	paths := make([]string, b.N) // each iteration accepts an invitation of its own
	for i := range paths {
		var created invitations.Created
		decode(b, s.serve(b, "POST", "/v1/invitations", admin, benchInvitation, http.StatusCreated), &created)
		paths[i] = strings.TrimPrefix(created.URL, testBaseURL) + "/accept"
	}
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i], _ = json.Marshal(map[string]any{"companyName": "City of Olympia", "domain": "olympia.example.gov",
			"tenantId": benchTenant(), "adminName": "Dana Reyes", "adminEmail": "dana@olympia.example.gov", "agree": true})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.serve(b, "POST", paths[i], "", bodies[i], http.StatusCreated)
	}
}

// benchCart is one commercial line.
var benchCart = []byte(`{"lineItems":[{"catalogItemId":"SAMPLECOM002:0001:SAMPLEAVC002","quantity":25,"termDuration":"P1Y","billingCycle":"monthly"}]}`)

// commercialCustomer creates a commercial customer and returns its carts path.
func (s *benchServer) commercialCustomer(b *testing.B, admin string) string {
	b.Helper()
	var c struct{ ID string }
	decode(b, s.serve(b, "POST", "/v1/customers", admin, benchCustomer, http.StatusCreated), &c)
	return "/v1/customers/" + c.ID + "/carts"
}

// BenchmarkCart is POST /v1/customers/{id}/carts: each line checked against the catalog and the
// partner's and customer's qualifications, one transaction.
func BenchmarkCart(b *testing.B) {
	s := newBenchServer(b)
	admin := s.gccPartner(b)
	carts := s.commercialCustomer(b, admin)
	b.ReportAllocs()
	for b.Loop() {
		s.serve(b, "POST", carts, admin, benchCart, http.StatusCreated)
	}
}

// BenchmarkCheckout is POST .../carts/{cartId}/checkout: the cart, customer and partner read
// and checked again, the order, the cart's new state and the confirmation mail in one
// transaction.
func BenchmarkCheckout(b *testing.B) {
	s := newBenchServer(b)
	admin := s.gccPartner(b)
	carts := s.commercialCustomer(b, admin)
	paths := make([]string, b.N) // each iteration checks out a cart of its own
	for i := range paths {
		var c struct{ ID string }
		decode(b, s.serve(b, "POST", carts, admin, benchCart, http.StatusCreated), &c)
		paths[i] = carts + "/" + c.ID + "/checkout"
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.serve(b, "POST", paths[i], admin, nil, http.StatusCreated)
	}
}
