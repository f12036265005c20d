package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

const (
	partnerTenant = "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6"
	partnerEmail  = "ana@contoso.example"
)

// TestPartnerIntakeMail: a JSON partner intake is 201, and within 5 s /dev/mail.json holds the
// contact's acknowledgement (reply-by date, support address) and the review team's notice.
func TestPartnerIntakeMail(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{rateLimit: 50})
	var rc receipt
	start := time.Now()
	s.ok("POST", "/v1/eligibility/partner", "", partnerIntake(partnerTenant, partnerEmail), http.StatusCreated, &rc)
	due := onboard.ResponseDueBy(time.Now(), onboard.ReviewBusinessDays)
	if rc.ID == "" || rc.Type != "partner" || rc.Status != "Submitted" || rc.ResponseDueBy != due || rc.SupportEmail != onboard.SupportEmail {
		t.Errorf("receipt %+v, want a Submitted partner request due %s", rc, due)
	}

	ack := s.waitMail("acknowledgement", to(partnerEmail, rc.ID))
	notice := s.waitMail("review notice", to(reviewTeam, rc.ID))
	t.Logf("both mails at /dev/mail.json after %v", time.Since(start).Round(time.Millisecond))
	for _, want := range []string{due.Long(), onboard.SupportEmail, rc.ID} {
		if !strings.Contains(ack.Text, want) || !strings.Contains(ack.HTML, want) {
			t.Errorf("acknowledgement lacks %q:\n%s\n%s", want, ack.Text, ack.HTML)
		}
	}
	if !strings.Contains(notice.Subject, string(due)) {
		t.Errorf("review notice subject %q lacks the reply-by date %s", notice.Subject, due)
	}

	// The JSON's exact shape: {"totalCount","items":[{"id","to","subject","text","html","sentAt"}]},
	// `to` holding plain addresses.
	res := s.do("GET", "/dev/mail.json", "", nil)
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	res.json(t, &raw)
	if len(raw.Items) != 2 {
		t.Fatalf("got %d mails, want 2: %s", len(raw.Items), res.body)
	}
	for _, item := range raw.Items {
		if got, want := slices.Sorted(maps.Keys(item)), []string{"html", "id", "sentAt", "subject", "text", "to"}; !slices.Equal(got, want) {
			t.Errorf("mail item members %v, want %v", got, want)
		}
	}
	for _, m := range []mailItem{ack, notice} {
		for _, a := range m.To {
			if p, err := mail.ParseAddress(a); err != nil || p.Name != "" || p.Address != a {
				t.Errorf("to %q is not a plain address", a)
			}
		}
	}

	// The HTML page lists the same mail.
	page := s.do("GET", "/dev/mail", "", nil, "Accept", "text/html")
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(page.body, []byte(ack.Subject)) {
		t.Errorf("GET /dev/mail: %d %s, without %q", page.status, page.header.Get("Content-Type"), ack.Subject)
	}
}

// TestTokenSubcommand: the token subcommand mints tokens this server accepts, refuses bad
// arguments, and a token from another data folder (another signing key) is 401.
func TestTokenSubcommand(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{})
	other := t.TempDir()

	accepted := []struct {
		name       string
		data       string
		role       onboard.Role
		partner    string
		path       string
		wantStatus int
		wantCode   onboard.Code
	}{
		{"reviewer reads the queue", s.data, onboard.RoleEligibilityReviewer, "", "/v1/eligibility/requests", 200, ""},
		{"admin agent reads its profile", s.data, onboard.RoleAdminAgent, partnerTenant, "/v1/profiles/legalbusiness", 200, ""},
		{"sales agent reads its codes", s.data, onboard.RoleSalesAgent, partnerTenant, "/v1/customers/all/validations", 200, ""},
		{"agent may not read the queue", s.data, onboard.RoleAdminAgent, partnerTenant, "/v1/eligibility/requests", 403, onboard.ErrForbidden},
		{"another data folder's key", other, onboard.RoleEligibilityReviewer, "", "/v1/eligibility/requests", 401, onboard.ErrUnauthorized},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			tok := mintToken(t, tt.data, tt.role, tt.partner)
			if strings.ContainsAny(tok, " \n") || strings.Count(tok, ".") != 2 {
				t.Fatalf("token %q is not one JWT", tok)
			}
			res := s.do("GET", tt.path, tok, nil)
			if tt.wantCode != "" {
				res.problem(t, tt.wantStatus, tt.wantCode)
				if tt.wantStatus == 401 && res.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				return
			}
			if res.status != tt.wantStatus {
				t.Fatalf("GET %s: got %d, want %d: %s", tt.path, res.status, tt.wantStatus, res.body)
			}
		})
	}

	refused := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"admin agent without -partner", []string{"-role", "admin_agent"}, "-partner"},
		{"sales agent with a partner that is no GUID", []string{"-role", "sales_agent", "-partner", "contoso"}, "-partner"},
		{"unknown role", []string{"-role", "root"}, "-role"},
		{"no role", nil, "-role"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := token(append([]string{"-data", s.data}, tt.args...), &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("token %v: got error %v, want one naming %s", tt.args, err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("token %v printed %q on error", tt.args, out.String())
			}
		})
	}
}

// TestCrashBetweenWriteAndMail: the request and its outbox items are written together, so a
// server that stops before it sends anything loses no mail: the next one on the same data folder
// sends it, once.
func TestCrashBetweenWriteAndMail(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	first := startServer(t, serverOptions{data: data, noDispatch: true})
	var rc receipt
	first.ok("POST", "/v1/eligibility/partner", "", partnerIntake(partnerTenant, partnerEmail), http.StatusCreated, &rc)
	reviewer := first.token(onboard.RoleEligibilityReviewer, "")
	if got := first.count("/v1/notifications?status=Pending", reviewer); got != 2 {
		t.Errorf("%d pending outbox items before the crash, want 2", got)
	}
	if got := len(first.mail()); got != 0 {
		t.Fatalf("%d mails sent with no dispatcher", got)
	}
	first.stop()

	second := startServer(t, serverOptions{data: data})
	second.waitMail("acknowledgement after the restart", to(partnerEmail, rc.ID))
	second.waitMail("review notice after the restart", to(reviewTeam, rc.ID))
	deadline := time.Now().Add(mailWait)
	for second.count("/v1/notifications?status=Pending", reviewer) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("outbox items still pending after the restart")
		}
		time.Sleep(25 * time.Millisecond)
	}
	if got, want := second.count("/v1/notifications?status=Sent", reviewer), 2; got != want {
		t.Errorf("%d outbox items sent, want %d", got, want)
	}
	if got, want := len(second.mail()), 2; got != want {
		t.Errorf("%d mails at /dev/mail.json, want %d (each once)", got, want)
	}
}

// TestGCCFlow runs issue 3 through the HTTP API: a partner applies and is approved and qualified;
// its customer applies and is approved with a validation code; a customer naming an unqualified
// partner is refused and writes nothing.
func TestGCCFlow(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{rateLimit: 50})
	reviewer := s.token(onboard.RoleEligibilityReviewer, "")
	admin := s.token(onboard.RoleAdminAgent, partnerTenant)

	var partnerReq receipt
	s.ok("POST", "/v1/eligibility/partner", "", partnerIntake(partnerTenant, partnerEmail), http.StatusCreated, &partnerReq)
	var profile struct {
		ResellerQualifications []string `json:"resellerQualifications"`
	}
	s.ok("GET", "/v1/profiles/legalbusiness", admin, nil, http.StatusOK, &profile)
	if len(profile.ResellerQualifications) != 0 {
		t.Fatalf("qualifications %v before approval", profile.ResellerQualifications)
	}
	s.ok("POST", "/v1/eligibility/requests/"+partnerReq.ID+"/decision", reviewer, map[string]any{"decision": "Approved"}, http.StatusOK, nil)
	s.ok("GET", "/v1/profiles/legalbusiness", admin, nil, http.StatusOK, &profile)
	if !slices.Contains(profile.ResellerQualifications, "Government_community_cloud") {
		t.Fatalf("qualifications %v after approval, want Government_community_cloud", profile.ResellerQualifications)
	}
	s.waitMail("partner approval", to(partnerEmail, "Approved", partnerReq.ID))

	const customerEmail = "ben@fairfaxva.example"
	var customerReq receipt
	s.ok("POST", "/v1/eligibility/customer", "", customerIntake(strings.ToUpper(partnerTenant), customerEmail), http.StatusCreated, &customerReq)
	if customerReq.Type != "customer" || customerReq.Status != "Submitted" {
		t.Errorf("customer receipt %+v", customerReq)
	}
	var decision struct {
		Validation struct {
			ValidationID     string `json:"validationId"`
			PartnerID        string `json:"partnerId"`
			MaxCreates       int    `json:"maxCreates"`
			RemainingCreates int    `json:"remainingCreates"`
		} `json:"validation"`
	}
	s.ok("POST", "/v1/eligibility/requests/"+customerReq.ID+"/decision", reviewer,
		map[string]any{"decision": "Approved", "maxCreates": 2}, http.StatusOK, &decision)
	valID := decision.Validation.ValidationID
	if valID == "" || decision.Validation.PartnerID != partnerTenant || decision.Validation.MaxCreates != 2 {
		t.Fatalf("decision's validation %+v", decision.Validation)
	}
	var codes struct {
		TotalCount int `json:"totalCount"`
		Items      []struct {
			ValidationID     string `json:"validationId"`
			PartnerID        string `json:"partnerId"`
			OrganizationName string `json:"organizationName"`
			MaxCreates       int    `json:"maxCreates"`
			RemainingCreates int    `json:"remainingCreates"`
		} `json:"items"`
	}
	s.ok("GET", "/v1/customers/all/validations", admin, nil, http.StatusOK, &codes)
	if codes.TotalCount != 1 || len(codes.Items) != 1 {
		t.Fatalf("validation codes %+v, want one", codes)
	}
	if c := codes.Items[0]; c.ValidationID != valID || c.PartnerID != partnerTenant || c.OrganizationName != "City of Fairfax" ||
		c.MaxCreates != 2 || c.RemainingCreates != 2 {
		t.Errorf("validation code %+v, want %s for City of Fairfax with 2 of 2 creates left", c, valID)
	}
	approval := s.waitMail("customer approval", to(customerEmail, "Approved", customerReq.ID))
	if !strings.Contains(approval.Text, valID) || !strings.Contains(approval.HTML, valID) {
		t.Errorf("customer approval mail lacks validation ID %s:\n%s", valID, approval.Text)
	}

	// A customer naming an unqualified partner: one that never applied, and one whose request
	// is still open. Let the dispatcher drain first, so "no new mail" means something.
	const pendingPartner = "2a4b6c8d-0e1f-4a3b-8c5d-7e9f0a1b2c3d"
	s.ok("POST", "/v1/eligibility/partner", "", partnerIntake(pendingPartner, "pat@pending.example"), http.StatusCreated, nil)
	deadline := time.Now().Add(mailWait)
	for s.count("/v1/notifications?status=Pending", reviewer) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("outbox not drained")
		}
		time.Sleep(25 * time.Millisecond)
	}
	written := func() string {
		return "mail=" + strconv.Itoa(len(s.mail())) +
			" outbox=" + strconv.Itoa(s.count("/v1/notifications", reviewer)) +
			" queue=" + strconv.Itoa(s.count("/v1/eligibility/requests", reviewer)) +
			" customers=" + strconv.Itoa(s.count("/v1/eligibility/requests?status=Submitted&type=customer", reviewer)) +
			" audit=" + strconv.Itoa(s.count("/v1/auditrecords", reviewer))
	}
	before := written()
	for _, partner := range []string{"3b5c7d9e-1f2a-4b4c-9d6e-8f0a1b2c3d4e", pendingPartner} {
		res := s.do("POST", "/v1/eligibility/customer", "", customerIntake(partner, "cy@county.example"))
		p := res.problem(t, http.StatusUnprocessableEntity, onboard.ErrPartnerNotGccQualified)
		if len(p.Errors) != 1 || p.Errors[0].Field != "partnerTenantId" {
			t.Errorf("partner %s: errors %+v, want one on partnerTenantId", partner, p.Errors)
		}
	}
	time.Sleep(100 * time.Millisecond) // a dispatcher woken by a stray commit would have sent by now
	if after := written(); after != before {
		t.Errorf("refused customer intakes wrote something: before %s, after %s", before, after)
	}
}

// TestDevSLARun: POST /dev/sla/run?at= runs the daily SLA check as of that time.
func TestDevSLARun(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{})
	var rc receipt
	s.ok("POST", "/v1/eligibility/partner", "", partnerIntake(partnerTenant, partnerEmail), http.StatusCreated, &rc)

	// The first business day after the reply-by date, at noon in Washington, and the Saturday after.
	day, _ := time.ParseInLocation(time.DateOnly, string(rc.ResponseDueBy), onboard.Eastern)
	day = day.Add(12 * time.Hour)
	for day = day.AddDate(0, 0, 1); !onboard.IsBusinessDay(day); day = day.AddDate(0, 0, 1) {
	}
	saturday := day
	for saturday.Weekday() != time.Saturday {
		saturday = saturday.AddDate(0, 0, 1)
	}
	late := onboard.DateOf(day)

	type report struct {
		Today            onboard.Date `json:"today"`
		BusinessDay      bool         `json:"businessDay"`
		Overdue          int          `json:"overdue"`
		DigestSent       bool         `json:"digestSent"`
		ContactsNotified int          `json:"contactsNotified"`
	}
	at := func(t time.Time) string { return "/dev/sla/run?at=" + url.QueryEscape(t.Format(time.RFC3339)) }
	tests := []struct {
		name string
		path string
		want report
	}{
		{"on the reply-by date nothing is late", at(day.AddDate(0, 0, -1)), report{}},
		{"the day after, the digest and the contact", at(day), report{Today: late, BusinessDay: true, Overdue: 1, DigestSent: true, ContactsNotified: 1}},
		{"again the same day: nothing more", at(day.UTC()), report{Today: late, BusinessDay: true, Overdue: 1}},
		{"no run on a Saturday", at(saturday), report{Today: onboard.DateOf(saturday)}},
	}
	tests[0].want.Today, tests[0].want.BusinessDay = onboard.Today(day.AddDate(0, 0, -1)), onboard.IsBusinessDay(day.AddDate(0, 0, -1))
	for _, tt := range tests {
		var got report
		s.ok("POST", tt.path, "", nil, http.StatusOK, &got)
		if got != tt.want {
			t.Errorf("%s: POST %s = %+v, want %+v", tt.name, tt.path, got, tt.want)
		}
	}
	if res := s.do("POST", "/dev/sla/run?at=tomorrow", "", nil); res.status != http.StatusBadRequest {
		t.Errorf("POST /dev/sla/run?at=tomorrow: got %d, want 400", res.status)
	}
	var now report
	s.ok("POST", "/dev/sla/run", "", nil, http.StatusOK, &now)
	if now.Today != onboard.Today(time.Now()) || now.Overdue != 0 {
		t.Errorf("POST /dev/sla/run (now) = %+v", now)
	}
}

// TestRateLimit: at 50 requests a second (burst 100) per client IP, a quick burst of 150 public
// requests from 127.0.0.1 gets some 429s with Retry-After; token-bearing and /dev/ requests are
// not limited, and after Retry-After the address may ask again.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{rateLimit: 50})
	reviewer := s.token(onboard.RoleEligibilityReviewer, "")

	const n, workers = 150, 10
	statuses := make([]response, n)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				statuses[i] = s.do("GET", "/healthz", "", nil)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	count := map[int]int{}
	retryAfter := 0
	for _, res := range statuses {
		count[res.status]++
		if res.status == http.StatusTooManyRequests {
			res.problem(t, http.StatusTooManyRequests, onboard.ErrTooManyRequests)
			secs, err := strconv.Atoi(res.header.Get("Retry-After"))
			if err != nil || secs < 1 {
				t.Fatalf("429 with Retry-After %q", res.header.Get("Retry-After"))
			}
			retryAfter = secs
		}
	}
	t.Logf("%d GET /healthz in %v: %v", n, took.Round(time.Millisecond), count)
	// The burst passes, plus what 50/s refills while the burst runs.
	maxOK := 100 + int(50*took.Seconds()) + 1
	if count[200] < 100 || count[200] > maxOK || count[429] == 0 || count[200]+count[429] != n {
		t.Fatalf("got %v, want 100 to %d 200s and the rest 429", count, maxOK)
	}

	// A made-up Authorization header does not lift the limit of a public route...
	limited := 0
	for range 20 {
		if s.do("GET", "/healthz", "", nil, "Authorization", "Bearer made-up").status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("right after the burst, 20 GET /healthz with a made-up Authorization header: none limited")
	}
	// ...but the staff API (API Gateway throttles it in AWS) and the local /dev/ pages are not limited.
	if res := s.do("GET", "/v1/eligibility/requests", reviewer, nil); res.status != http.StatusOK {
		t.Errorf("staff route with a token: got %d, want 200", res.status)
	}
	if res := s.do("GET", "/dev/mail.json", "", nil); res.status != http.StatusOK {
		t.Errorf("GET /dev/mail.json: got %d, want 200", res.status)
	}
	time.Sleep(time.Duration(retryAfter) * time.Second)
	if res := s.do("GET", "/healthz", "", nil); res.status != http.StatusOK {
		t.Errorf("after Retry-After: got %d, want 200", res.status)
	}
}

// TestDevSLARunMail: the mail of an SLA run as of another time shows at /dev/mail within 5 s,
// like all mail the local server causes (API.md).
func TestDevSLARunMail(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{})
	var rc receipt
	s.ok("POST", "/v1/eligibility/partner", "", partnerIntake(partnerTenant, partnerEmail), http.StatusCreated, &rc)
	day, _ := time.ParseInLocation(time.DateOnly, string(rc.ResponseDueBy), onboard.Eastern)
	for day = day.Add(36 * time.Hour); !onboard.IsBusinessDay(day); day = day.AddDate(0, 0, 1) {
	}
	s.ok("POST", "/dev/sla/run?at="+url.QueryEscape(day.Format(time.RFC3339)), "", nil, http.StatusOK, nil)
	s.waitMail("SLA digest", to(reviewTeam, "past their reply-by date", string(onboard.DateOf(day))))
	s.waitMail("SLA notice to the contact", to(partnerEmail, rc.ID, "longer than planned"))
}
