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
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/auth"
	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// The handler benchmarks run the Lambdas' handlers in process over the embedded store (its file
// in b.TempDir()), without HTTP transport, so they measure our code and the store; make bench
// puts their output in BENCHMARKS.md. Names are benchstat-friendly: compare runs with
// `go test -run '^$' -bench . -benchmem -count 10 ./shared/web/ > new.txt; benchstat old.txt new.txt`.

// benchServer is the intake and review functions' routes over a fresh embedded store.
type benchServer struct {
	h        http.Handler
	intake   *eligibility.Intake
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
	issuer, err := auth.OpenLocalIssuer(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	s := &Server{Store: st, Auth: issuer, Log: quiet,
		Intake: &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: time.Now, Log: quiet},
		Review: &eligibility.Review{Store: st, Now: time.Now, Log: quiet}}
	h, err := s.Handler(IntakeRoutes(), ReviewRoutes())
	if err != nil {
		b.Fatal(err)
	}
	reviewer, err := issuer.Mint(onboard.Principal{Subject: "bench:reviewer", Role: onboard.RoleEligibilityReviewer}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return &benchServer{h: h, intake: s.Intake, reviewer: reviewer}
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
