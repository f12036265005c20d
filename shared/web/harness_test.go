package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/auth/localauth"
	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// env is one running server over one backend, with what the tests need to drive and inspect it.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	store  *store.Store
	issuer *localauth.Issuer
	now    time.Time
	inv    *invitations.Service
	logs   *testenv.LogBuffer // every log line of the env's services, JSON, from debug up
}

// backends runs fn against the embedded store and, when it is available, DynamoDB Local.
func backends(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("bolt", func(t *testing.T) { fn(t, newEnv(t, openBolt(t))) })
	t.Run("dynamodb", func(t *testing.T) {
		endpoint := testenv.DynamoDBEndpoint(t)
		ctx := context.Background()
		client, err := dynamo.NewLocalClient(ctx, endpoint)
		if err != nil {
			t.Fatal(err)
		}
		table := fmt.Sprintf("web-%d", time.Now().UnixNano())
		if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dynamo.DeleteTable(context.Background(), client, table) })
		fn(t, newEnv(t, dynamo.New(client, table)))
	})
}

func openBolt(t *testing.T) *bolt.Backend {
	t.Helper()
	b, err := bolt.Open(t.TempDir() + "/gcc.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func newEnv(t *testing.T, b store.Backend) *env {
	t.Helper()
	st := store.New(b)
	issuer, err := localauth.OpenIssuer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, issuer: issuer, now: time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC), logs: &testenv.LogBuffer{}}
	clock := func() time.Time { return e.now }
	issuer.Now = clock
	quiet := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.inv = newInvitations(t, st, clock, quiet)
	s := &Server{Store: st, Auth: issuer, Log: quiet,
		Intake:      &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: clock, Log: quiet},
		Review:      &eligibility.Review{Store: st, Now: clock, Log: quiet},
		Invitations: e.inv,
		Customers:   &customers.Service{Store: st, Now: clock, Log: quiet}}
	h, err := s.Handler(AllRoutes()...)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// token mints a bearer token for role (and partner, for agents).
func (e *env) token(role onboard.Role, partner string) string {
	tok, err := e.issuer.Mint(onboard.Principal{Subject: "test:" + string(role), Role: role, PartnerID: partner, Email: "agent@partner.example"}, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem decodes a problem body and checks its status and code.
func (r response) problem(t *testing.T, status int, code onboard.Code) Problem {
	t.Helper()
	var p Problem
	if r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("got %d %s %s, want %d problem %s", r.status, r.header.Get("Content-Type"), r.body, status, code)
	}
	r.json(t, &p)
	if p.Code != code {
		t.Fatalf("code = %s, want %s (%s)", p.Code, code, r.body)
	}
	return p
}

// do sends a request; body may be a string (sent as is) or a value (sent as JSON).
func (e *env) do(method, path string, body any, header ...string) response {
	e.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(data))
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// count returns how many items a query finds, to check that a refusal wrote nothing.
func (e *env) count(q store.Query) int {
	e.t.Helper()
	var items []map[string]any
	if err := e.store.Backend().Query(context.Background(), q, &items); err != nil {
		e.t.Fatal(err)
	}
	return len(items)
}

// written counts what intake writes: requests of every status, pending mail and audit records.
func (e *env) written() string {
	return fmt.Sprintf("requests=%d mail=%d audit=%d",
		e.count(store.Query{Index: store.IndexGSI1, PK: "REQUESTS#Submitted"}),
		e.count(store.Query{Index: store.IndexGSI1, PK: "MAIL#Pending"}),
		e.count(store.Query{PK: "AUDIT#" + e.now.Format(time.DateOnly)}))
}

const partnerTenant = "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6"

func partnerIntake() map[string]any {
	return map[string]any{
		"organizationName": "Contoso Gov Solutions", "partnerTenantId": strings.ToUpper(partnerTenant), "partnerType": "direct_bill",
		"mpnId": "1234567", "cspEnrolled": true, "governmentSegments": []string{"federal", "state"},
		"contact":     map[string]any{"name": "Ana Li", "title": "CEO", "email": "ana@contoso.example", "phone": "+1 202 555 0100"},
		"address":     map[string]any{"line1": "1 Main St", "city": "Arlington", "state": "VA", "postalCode": "22201", "country": "US"},
		"attestation": map[string]any{"signerName": "Ana Li", "signerTitle": "CEO", "agree": true, "termsVersion": "2025-01"},
	}
}
