package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// payload would set window.__pwned if any page let it run: it closes the value attribute and the
// input it is echoed into, then opens a script.
const payload = `Contoso "><script>window.__pwned=1</script> Gov`

// TestBrowserPartnerIntake is issue 2's "done when" in a real headless Chromium: from the landing
// page to the partner form, a refused submission (bad email) comes back with the error beside the
// field and every value kept, the corrected one shows the confirmation with the reply-by date and
// the support address, and the acknowledgement is at /dev/mail. A script in a field stays text.
func TestBrowserPartnerIntake(t *testing.T) {
	chromium := testenv.Chromium(t)
	t.Parallel()
	s := startServer(t, serverOptions{rateLimit: 50})
	reviewer := s.token(onboard.RoleEligibilityReviewer, "")
	b := newBrowser(t, chromium)

	// The landing page links to the partner form.
	b.do("open the landing page", chromedp.Navigate(s.url+"/"))
	if res := b.navigate("follow the partner form link", chromedp.Click(chromedp.CSS(`a[href="/forms/partner-eligibility"]`))); res != http.StatusOK {
		t.Fatalf("partner form: HTTP %d", res)
	}
	if loc := run(b, "location", chromedp.Location()); !strings.HasSuffix(loc, "/forms/partner-eligibility") {
		t.Fatalf("the link led to %s", loc)
	}

	// Fill every field, with a bad email.
	const badEmail = "ana.contoso.example"
	typed := map[string]string{
		"organizationName":        payload,
		"partnerTenantId":         partnerTenant,
		"mpnId":                   "1234567",
		"contact.name":            "Ana Li",
		"contact.title":           "CEO",
		"contact.email":           badEmail,
		"contact.phone":           "+1 202 555 0100",
		"address.line1":           "1 Main St",
		"address.line2":           "Suite 200",
		"address.city":            "Arlington",
		"address.state":           "VA",
		"address.postalCode":      "22201",
		"address.country":         "US",
		"attestation.signerName":  "Ana Li",
		"attestation.signerTitle": "CEO",
	}
	for name, v := range typed {
		b.do("type "+name, chromedp.SendKeys(byID(name), v))
	}
	ticked := []string{"cspEnrolled", "seg-federal", "seg-state", "attestation.agree"}
	b.do("choose the partner type", chromedp.SetValue(byID("partnerType"), "direct_bill"))
	for _, id := range ticked {
		b.do("tick "+id, chromedp.Click(byID(id)))
	}

	// Submit: the form comes back with the error beside contact.email, values kept, nothing stored.
	if res := b.navigate("submit with a bad email", chromedp.Click(chromedp.CSS(`button[type=submit]`))); res != http.StatusUnprocessableEntity {
		t.Errorf("bad email: HTTP %d, want 422", res)
	}
	if msg := run(b, "read the email error", chromedp.Text(byID("contact.email-err"))); msg == "" {
		t.Error("no error text beside contact.email")
	}
	if inv := run(b, "read aria-invalid", chromedp.AttributeValue(byID("contact.email"), "aria-invalid")); inv.Value != "true" {
		t.Errorf("contact.email aria-invalid = %q, want true", inv.Value)
	}
	for name, want := range typed {
		if got := run(b, "read "+name, chromedp.Value(byID(name))); got != want {
			t.Errorf("after the error, %s = %q, want %q kept", name, got, want)
		}
	}
	if got := run(b, "read partnerType", chromedp.Value(byID("partnerType"))); got != "direct_bill" {
		t.Errorf("after the error, partnerType = %q, want direct_bill kept", got)
	}
	for _, id := range append(ticked, "seg-local", "seg-tribal") {
		want := !strings.HasSuffix(id, "local") && !strings.HasSuffix(id, "tribal")
		if got := run(b, "read "+id, chromedp.JavascriptAttribute[bool](byID(id), "checked")); got != want {
			t.Errorf("after the error, %s checked = %v, want %v", id, got, want)
		}
	}
	b.inert("the error page")
	if n := s.count("/v1/eligibility/requests", reviewer); n != 0 {
		t.Errorf("the refused form stored %d requests", n)
	}
	if n := s.count("/v1/notifications", reviewer); n != 0 {
		t.Errorf("the refused form queued %d mails", n)
	}

	// Correct the email and submit: the confirmation.
	// (chromedp's SetValue with "" sets "undefined", so the field is emptied by script.)
	b.do("correct the email", chromedp.Evaluate[chromedp.Void](`document.getElementById("contact.email").value = ""`),
		chromedp.SendKeys(byID("contact.email"), partnerEmail))
	if res := b.navigate("submit", chromedp.Click(chromedp.CSS(`button[type=submit]`))); res != http.StatusCreated && res != http.StatusOK {
		t.Errorf("submit: HTTP %d, want 201 (or 200 after a redirect)", res)
	}
	due := onboard.ResponseDueBy(time.Now(), onboard.ReviewBusinessDays)
	page := run(b, "read the confirmation", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"We received your request", due.Long(), onboard.SupportEmail, payload} {
		if !strings.Contains(page, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, page)
		}
	}
	if dueBy := run(b, "read the reply-by date", chromedp.Text(byID("due-by"))); !strings.Contains(dueBy, due.Long()) {
		t.Errorf("reply-by %q, want %s", dueBy, due.Long())
	}
	id := strings.TrimSpace(run(b, "read the request ID", chromedp.Text(byID("request-id"))))
	b.inert("the confirmation")
	if n := s.count("/v1/eligibility/requests", reviewer); n != 1 {
		t.Errorf("%d requests stored, want 1", n)
	}

	// The acknowledgement is at /dev/mail within 5 s.
	subject := "We received your GCC eligibility request " + id
	deadline := time.Now().Add(mailWait)
	for {
		b.do("open /dev/mail", chromedp.Navigate(s.url+"/dev/mail"))
		if strings.Contains(run(b, "read /dev/mail", chromedp.Text(chromedp.CSS("body"))), subject) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q not at /dev/mail within %v", subject, mailWait)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.inert("/dev/mail")
}

// browser is one headless Chromium tab for a test.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts Chromium with a fresh profile; the whole test gets 60 s. When the test fails,
// a screenshot of the tab is saved and its path logged.
func newBrowser(t *testing.T, chromium string) *browser {
	t.Helper()
	root, cancelRoot := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancelRoot)
	alloc, cancelAlloc := chromedp.NewExecAllocator(root,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	b := &browser{t: t, ctx: ctx}
	start := time.Now()
	b.do("start Chromium")
	t.Logf("Chromium started in %v", time.Since(start).Round(time.Millisecond))
	t.Cleanup(b.screenshotIfFailed) // runs before the tab and the browser close
	return b
}

// do runs actions, failing the test with what it was doing.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// navigate runs actions that load a new page and returns its HTTP status.
func (b *browser) navigate(what string, actions ...chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return int(res.Status)
}

// run runs one action that returns a value.
func run[T any](b *browser, what string, action chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, action)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// inert checks that no injected script ran on the current page.
func (b *browser) inert(page string) {
	b.t.Helper()
	if !run(b, "check window.__pwned", chromedp.Evaluate[bool](`window.__pwned === undefined`)) {
		b.t.Errorf("a script injected through a form field ran on %s", page)
	}
}

func (b *browser) screenshotIfFailed() {
	if !b.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("no screenshot: %v", err)
		return
	}
	// Not t.TempDir(): that is removed when the test ends, and the screenshot is for afterwards.
	dir, err := os.MkdirTemp("", "gcc-browser-")
	if err == nil {
		path := filepath.Join(dir, fmt.Sprintf("%s.png", strings.ReplaceAll(b.t.Name(), "/", "_")))
		if err = os.WriteFile(path, img, 0o600); err == nil {
			b.t.Logf("screenshot of the failing page: %s", path)
			return
		}
	}
	b.t.Logf("no screenshot: %v", err)
}

// byID selects an element by its id, which may hold dots ("contact.email"): as an attribute
// selector, since "#contact.email" would mean id contact with class email.
func byID(id string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf("[id=%q]", id))
}
