package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// mailWait is how soon API.md promises that mail caused by a request shows at /dev/mail.
const mailWait = 5 * time.Second

// reviewTeam is the review team's mailbox in these tests.
const reviewTeam = "review@example.gov"

// devServer is the real local server: build() on a data folder, app.handler behind an HTTP server
// on 127.0.0.1, and (unless turned off) its mail dispatcher running.
type devServer struct {
	t    *testing.T
	url  string
	data string
	app  *app
	stop func() // closes the server, stops the dispatcher and closes the store; idempotent
}

type serverOptions struct {
	data       string       // "" means a new temp folder
	noDispatch bool         // do not start the dispatcher: outbox items stay pending
	rateLimit  float64      // per client IP on public routes; 0 turns the limit off
	log        *slog.Logger // the server's logger; nil discards
}

func startServer(t *testing.T, o serverOptions) *devServer {
	t.Helper()
	if o.data == "" {
		o.data = t.TempDir()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := build(ctx, config{addr: addr, data: o.data, baseURL: "http://" + addr, reviewTeam: reviewTeam,
		rateLimit: o.rateLimit}, o.log)
	if err != nil {
		cancel()
		l.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.handler)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	dispatched := make(chan struct{})
	if o.noDispatch {
		close(dispatched)
	} else {
		go func() {
			defer close(dispatched)
			a.dispatch(ctx)
		}()
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			cancel()
			<-dispatched // the dispatcher must be done with the store before it closes
			a.close()
		})
	}
	t.Cleanup(stop)
	return &devServer{t: t, url: srv.URL, data: o.data, app: a, stop: stop}
}

// response is one HTTP answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
}

// problem checks that r is an RFC 9457 problem with this status and code, and returns it.
func (r response) problem(t *testing.T, status int, code onboard.Code) problem {
	t.Helper()
	var p problem
	if r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("got %d %s, want %d problem %s: %s", r.status, r.header.Get("Content-Type"), status, code, r.body)
	}
	r.json(t, &p)
	if p.Code != code || p.Status != status {
		t.Fatalf("got problem %d %s, want %d %s: %s", p.Status, p.Code, status, code, r.body)
	}
	return p
}

type problem struct {
	Status int          `json:"status"`
	Code   onboard.Code `json:"code"`
	Detail string       `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// do sends a request; body is JSON-encoded unless it is url.Values (a form post) or nil. header
// holds name, value pairs.
func (s *devServer) do(method, path, token string, body any, header ...string) response {
	s.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// ok sends a request that must answer want, and decodes its JSON body into v (when v is not nil).
func (s *devServer) ok(method, path, token string, body any, want int, v any) {
	s.t.Helper()
	res := s.do(method, path, token, body)
	if res.status != want {
		s.t.Fatalf("%s %s: got %d, want %d: %s", method, path, res.status, want, res.body)
	}
	if v != nil {
		res.json(s.t, v)
	}
}

// token mints a bearer token with the devserver's own token subcommand, on this server's data folder.
func (s *devServer) token(role onboard.Role, partner string) string {
	s.t.Helper()
	return mintToken(s.t, s.data, role, partner)
}

func mintToken(t *testing.T, data string, role onboard.Role, partner string) string {
	t.Helper()
	args := []string{"-data", data, "-role", string(role)}
	if partner != "" {
		args = append(args, "-partner", partner)
	}
	var out bytes.Buffer
	if err := token(args, &out); err != nil {
		t.Fatalf("token %v: %v", args, err)
	}
	return strings.TrimSpace(out.String())
}

// mailItem is one entry of GET /dev/mail.json.
type mailItem struct {
	ID      string    `json:"id"`
	To      []string  `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	HTML    string    `json:"html"`
	SentAt  time.Time `json:"sentAt"`
}

// mail returns what GET /dev/mail.json lists, checking the list's shape and order on the way.
func (s *devServer) mail() []mailItem {
	s.t.Helper()
	res := s.do("GET", "/dev/mail.json", "", nil)
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		s.t.Fatalf("GET /dev/mail.json: %d %s: %s", res.status, res.header.Get("Content-Type"), res.body)
	}
	var list struct {
		TotalCount *int       `json:"totalCount"`
		Items      []mailItem `json:"items"`
	}
	res.json(s.t, &list)
	if list.TotalCount == nil || list.Items == nil || *list.TotalCount != len(list.Items) {
		s.t.Fatalf("GET /dev/mail.json is not {totalCount, items}: %s", res.body)
	}
	if !slices.IsSortedFunc(list.Items, func(a, b mailItem) int { return b.SentAt.Compare(a.SentAt) }) {
		s.t.Errorf("GET /dev/mail.json is not newest first: %s", res.body)
	}
	return list.Items
}

// waitMail polls /dev/mail.json until a mail matches, failing after mailWait.
func (s *devServer) waitMail(what string, match func(mailItem) bool) mailItem {
	s.t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		items := s.mail()
		for _, m := range items {
			if match(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no %s at /dev/mail.json within %v; it holds %d: %+v", what, mailWait, len(items), subjects(items))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func subjects(items []mailItem) []string {
	var out []string
	for _, m := range items {
		out = append(out, strings.Join(m.To, ",")+": "+m.Subject)
	}
	return out
}

// to matches a mail to exactly this one address whose subject contains every word of about.
func to(addr string, about ...string) func(mailItem) bool {
	return func(m mailItem) bool {
		if !slices.Equal(m.To, []string{addr}) {
			return false
		}
		for _, s := range about {
			if !strings.Contains(m.Subject, s) {
				return false
			}
		}
		return true
	}
}

// count returns a list endpoint's totalCount.
func (s *devServer) count(path, token string) int {
	s.t.Helper()
	var list struct {
		TotalCount int `json:"totalCount"`
	}
	s.ok("GET", path, token, nil, http.StatusOK, &list)
	return list.TotalCount
}

// receipt is the 201 answer of both intake endpoints.
type receipt struct {
	ID               string       `json:"id"`
	Type             string       `json:"type"`
	Status           string       `json:"status"`
	SubmittedAt      time.Time    `json:"submittedAt"`
	ResponseDueBy    onboard.Date `json:"responseDueBy"`
	OrganizationName string       `json:"organizationName"`
	SupportEmail     string       `json:"supportEmail"`
}

func partnerIntake(tenant, email string) map[string]any {
	return map[string]any{
		"organizationName": "Contoso Gov Solutions", "partnerTenantId": tenant, "partnerType": "direct_bill",
		"mpnId": "1234567", "cspEnrolled": true, "governmentSegments": []string{"federal", "state"},
		"contact":     map[string]any{"name": "Ana Li", "title": "CEO", "email": email, "phone": "+1 202 555 0100"},
		"address":     map[string]any{"line1": "1 Main St", "city": "Arlington", "state": "VA", "postalCode": "22201", "country": "US"},
		"attestation": map[string]any{"signerName": "Ana Li", "signerTitle": "CEO", "agree": true, "termsVersion": "2025-01"},
	}
}

func customerIntake(partner, email string) map[string]any {
	return map[string]any{
		"organizationName": "City of Fairfax", "customerTenantId": "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
		"domain": "fairfaxva.example", "governmentEntityType": "local", "validationOption": onboard.CustomerValidationOption,
		"partnerTenantId": partner,
		"contact":         map[string]any{"name": "Ben Ortiz", "title": "CIO", "email": email, "phone": "+1 703 555 0101"},
		"address":         map[string]any{"line1": "10455 Armstrong St", "city": "Fairfax", "state": "VA", "postalCode": "22030", "country": "US"},
		"attestation":     map[string]any{"signerName": "Ben Ortiz", "signerTitle": "CIO", "agree": true, "termsVersion": "2025-01"},
	}
}
