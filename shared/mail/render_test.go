package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
)

var submitted = time.Date(2026, 12, 3, 15, 4, 0, 0, time.UTC) // 10:04 AM EST

func request(org string) *onboard.EligibilityRequest {
	return &onboard.EligibilityRequest{ID: "er_1", Type: onboard.TypeCustomer, OrganizationName: org, TenantID: "t-1",
		TenantCloud: onboard.CloudUnknown, SubmittedAt: submitted, ResponseDueBy: "2026-12-07"}
}

func customer(company string, gcc bool) *onboard.Customer {
	c := &onboard.Customer{ID: "cu_1", CompanyProfile: onboard.CompanyProfile{CompanyName: company, Domain: "olympia.example.gov",
		TenantID: "tt-1"}, BillingProfile: onboard.BillingProfile{Email: "it@olympia.example.gov", FirstName: "Ana", LastName: "Li"},
		Qualification: onboard.QualificationNone, CreatedAt: submitted}
	if gcc {
		c.Qualification, c.ValidationID = onboard.QualificationGCC, "val_9"
	}
	return c
}

func orders(product string) []*onboard.Order {
	return []*onboard.Order{
		{ID: "ord_1", CartID: "cart_1", BillingCycle: "monthly", Status: onboard.OrderStatus("pending"), LineItems: []onboard.OrderLineItem{
			{LineItemNumber: 0, CatalogItemID: "gcc:g3", FriendlyName: product, Quantity: 2, TermDuration: "P1Y", BillingCycle: "monthly"},
			{LineItemNumber: 1, CatalogItemID: "gcc:e3", FriendlyName: "Office 365 E3 GCC", Quantity: 1, TermDuration: "P1M", BillingCycle: "monthly"}}},
		{ID: "ord_2", CartID: "cart_1", BillingCycle: "annual", Status: onboard.OrderStatus("pending"), LineItems: []onboard.OrderLineItem{
			{LineItemNumber: 0, CatalogItemID: "gcc:e5", FriendlyName: "Office 365 E5 GCC", Quantity: 5, TermDuration: "P1Y", BillingCycle: "annual"}}},
	}
}

func render(t *testing.T, m mail.Template) mail.Rendered {
	t.Helper()
	r, err := mail.Render(m)
	if err != nil {
		t.Fatalf("%s: %v", m.Name(), err)
	}
	return r
}

func TestRender(t *testing.T) {
	unverified := request("City of Olympia")
	verified := request("City of Olympia")
	verified.TenantVerified = true
	noTenant := request("City of Olympia")
	noTenant.TenantID = ""
	invitation := mail.Invitation{Partner: "Contoso Gov Solutions", CustomerName: "Fabrikam County IT",
		Link: "https://onboard.example.gov/invitations/tok", ExpiresAt: submitted}
	edited := invitation
	edited.Message = "Hello Cy,\n\nplease accept here: {{link}}\n\nAna"
	tests := []struct {
		name    string
		m       mail.Template
		subject string
		text    string   // the whole text body, when given
		inText  []string // else what it holds
		inHTML  []string
		notIn   []string // what neither body holds
	}{
		{name: "intake-ack", m: mail.IntakeAck{Request: unverified, Contact: "Ana Li"},
			subject: "We received your GCC eligibility request er_1",
			text: `Hello Ana Li,

Thank you. We received the GCC eligibility intake form for City of Olympia on December 3, 2026 at 10:04 AM EST.
Request ID: er_1

The US Government Cloud Eligibility team will reply by email with next steps by Monday, December 7, 2026 (two US business days).

We could not verify the tenant ID automatically; a reviewer will check it by hand.

The form you signed is a legally binding contract; keep this message for your records.
Questions: usgcce@microsoft.com
`,
			inHTML: []string{"<p>Hello Ana Li,</p>", "<strong>City of Olympia</strong> on December 3, 2026 at 10:04 AM EST.<br>",
				"Request ID: <code>er_1</code>", "<strong>Monday, December 7, 2026</strong>", "a reviewer will check it by hand",
				`Questions: <a href="mailto:usgcce@microsoft.com">usgcce@microsoft.com</a>`}},
		{name: "intake-ack verified", m: mail.IntakeAck{Request: verified, Contact: "Ana Li"},
			inText: []string{"(two US business days).\n\nThe form you signed"}, notIn: []string{"by hand"}},
		{name: "intake-review", m: mail.IntakeReview{Request: unverified},
			subject: "New customer eligibility request er_1, reply by 2026-12-07",
			text: `A customer GCC eligibility request is waiting for review.

Organization: City of Olympia
Request ID:   er_1
Tenant ID:    t-1
Tenant check: Unknown (unverified: check by hand)
Reply by:     Monday, December 7, 2026
`,
			inHTML: []string{`<tr><th align="left">Organization</th><td>City of Olympia</td></tr>`, "<td><code>t-1</code></td>",
				"<td>Unknown (unverified: check by hand)</td>", "<td>Monday, December 7, 2026</td>"}},
		{name: "intake-review no tenant", m: mail.IntakeReview{Request: noTenant},
			inText: []string{"Tenant ID:    (none yet)\n"}, inHTML: []string{"<td>(none yet)</td>"}},
		{name: "decision approved customer", m: mail.Decision{Request: verified, Contact: "Ana Li", Decision: onboard.StatusApproved,
			Validation: &onboard.ValidationCode{ValidationID: "val_9", MaxCreates: 2}},
			subject: "Approved: GCC eligibility request er_1",
			text: `Hello Ana Li,

The US Government Cloud Eligibility team approved the GCC eligibility request of City of Olympia (request er_1).

Validation ID: val_9
Your partner uses this validation ID to create your account with the Government Community Cloud qualification (up to 2 customer account(s)).

Questions: usgcce@microsoft.com
`,
			inHTML: []string{"team <strong>approved</strong> the GCC", "Validation ID: <strong><code>val_9</code></strong><br>",
				"(up to 2 customer account(s))"}},
		{name: "decision approved partner", m: mail.Decision{Request: verified, Contact: "Ana Li", Decision: onboard.StatusApproved},
			inText: []string{"Government_community_cloud now appears among your reseller qualifications (Partner Center: Organization profile > Legal info)."},
			inHTML: []string{"<p><code>Government_community_cloud</code> now appears", "Organization profile &gt; Legal info"},
			notIn:  []string{"Validation ID"}},
		{name: "decision denied", m: mail.Decision{Request: verified, Contact: "Ana Li", Decision: onboard.StatusDenied, Reason: "Not a US government entity."},
			subject: "Not approved: GCC eligibility request er_1",
			inText:  []string{"team did not approve the GCC", "\n\nReason: Not a US government entity.\n\nQuestions: usgcce@microsoft.com\n"},
			inHTML:  []string{"<strong>did not approve</strong>", "<p>Reason: Not a US government entity.</p>"}},
		{name: "decision needs information", m: mail.Decision{Request: verified, Contact: "Ana Li", Decision: onboard.StatusNeedsInformation, Reason: "A charter."},
			subject: "More information needed: GCC eligibility request er_1",
			inText:  []string{"What is needed: A charter.\n\nReply to usgcce@microsoft.com quoting the request ID.\n\nQuestions:"},
			inHTML: []string{"needs <strong>more information</strong>", "<p>What is needed: A charter.</p>",
				`<p>Reply to <a href="mailto:usgcce@microsoft.com">usgcce@microsoft.com</a> quoting the request ID.</p>`}},
		{name: "sla-contact", m: mail.SLAContact{Request: verified, Contact: "Ana Li"},
			subject: "Your GCC eligibility request er_1 is taking longer than planned",
			inText:  []string{"Hello Ana Li,\n\nOur reply to the GCC eligibility request of City of Olympia (request er_1) was due by Monday, December 7, 2026, and it is not ready yet."},
			inHTML:  []string{"<strong>City of Olympia</strong> (request <code>er_1</code>) was due by <strong>Monday, December 7, 2026</strong>"}},
		{name: "sla-digest", m: mail.SLADigest{Overdue: []onboard.EligibilityRequest{*verified, *request("Fabrikam")}, More: 3, Today: "2026-12-09"},
			subject: "2 GCC eligibility request(s) past their reply-by date, 2026-12-09",
			text: `These GCC eligibility requests are waiting past their two-business-day reply-by date (oldest first):

- er_1  customer  City of Olympia  due 2026-12-07
- er_1  customer  Fabrikam  due 2026-12-07

…and 3 more. See GET /v1/eligibility/requests.
`,
			inHTML: []string{"<tr><td><code>er_1</code></td><td>customer</td><td>Fabrikam</td><td>2026-12-07</td></tr></table>", "<p>…and 3 more.</p>"}},
		{name: "sla-digest all listed", m: mail.SLADigest{Overdue: []onboard.EligibilityRequest{*verified}, Today: "2026-12-09"},
			notIn: []string{"more"}},
		{name: "customer-welcome gcc", m: mail.CustomerWelcome{Customer: customer("City of Olympia", true), PartnerName: "Contoso Gov Solutions"},
			subject: "Your customer account for City of Olympia was created",
			text: `Hello Ana Li,

Contoso Gov Solutions created a customer account for City of Olympia (olympia.example.gov), with you as its billing contact. Your partner is its reseller.

Customer ID: cu_1
Special qualification: Government Community Cloud (GCC)
Validation ID: val_9

The account holds the GCC qualification your organization's approved eligibility validation grants; your partner can now order Office 365 GCC (Online Services for Government) for it.

If you did not expect this account, tell your partner.
Questions about GCC eligibility: usgcce@microsoft.com
`,
			inHTML: []string{"<p><strong>Contoso Gov Solutions</strong> created a customer account for <strong>City of Olympia</strong> (olympia.example.gov),",
				"Special qualification: <strong>Government Community Cloud (GCC)</strong><br>Validation ID: <code>val_9</code></p>"}},
		{name: "customer-welcome commercial", m: mail.CustomerWelcome{Customer: customer("City of Olympia", false)},
			inText: []string{"Your Microsoft partner created", "Special qualification: none (commercial)\n\nIf you did not expect"},
			inHTML: []string{"<p>Your Microsoft partner created", "Special qualification: none (commercial)</p>"},
			notIn:  []string{"Validation ID", "holds the GCC qualification"}},
		{name: "order-confirmation", m: mail.OrderConfirmation{Orders: orders("Office 365 G3 GCC"), Customer: customer("City of Olympia", true),
			PartnerName: "Contoso Gov Solutions"},
			subject: "Orders ord_1, ord_2 received for City of Olympia",
			text: `Hello,

Contoso Gov Solutions placed 2 orders for City of Olympia (customer cu_1).

Order ord_1 (monthly billing), status pending, from cart cart_1:
  0. Office 365 G3 GCC (gcc:g3): 2 license(s), term P1Y, monthly billing
  1. Office 365 E3 GCC (gcc:e3): 1 license(s), term P1M, monthly billing

Order ord_2 (annual billing), status pending, from cart cart_1:
  0. Office 365 E5 GCC (gcc:e5): 5 license(s), term P1Y, annual billing

The order is pending until it is fulfilled; then its status becomes completed and each line shows its subscription. Follow it at GET /v1/customers/cu_1/orders.
Questions about GCC eligibility: usgcce@microsoft.com
`,
			inHTML: []string{"<strong>Contoso Gov Solutions</strong> placed 2 orders for <strong>City of Olympia</strong>",
				`<ol start="0"><li>Office 365 G3 GCC (<code>gcc:g3</code>): 2 license(s), term P1Y, monthly billing</li>`,
				"<code>GET /v1/customers/cu_1/orders</code>"}},
		{name: "order-confirmation one order", m: mail.OrderConfirmation{Orders: orders("G3")[:1], Customer: customer("City of Olympia", true)},
			subject: "Order ord_1 received for City of Olympia",
			inText:  []string{"Your partner account placed an order for City of Olympia"}, notIn: []string{"ord_2"}},
		{name: "invitation", m: invitation,
			subject: "Contoso Gov Solutions invites you to a reseller relationship for Office 365 GCC",
			text: `Hello Fabrikam County IT,

Contoso Gov Solutions invites your organization to a reseller relationship: Contoso Gov Solutions would become your Cloud Solution Provider (CSP) partner for Microsoft cloud services, including Office 365 Government Community Cloud (GCC).

To accept, open this link and confirm your organization's details:
https://onboard.example.gov/invitations/tok

Your subscriptions and your GCC validation stay as they are. If you did not expect this message, ignore it.

--
The link is for your organization only, works once and expires on December 3, 2026.
Questions about GCC eligibility: usgcce@microsoft.com
`,
			inHTML: []string{"details:<br><a href=\"https://onboard.example.gov/invitations/tok\">https://onboard.example.gov/invitations/tok</a></p>",
				`<p style="color:#555">The link is for your organization only, works once and expires on December 3, 2026.<br>`}},
		{name: "invitation edited", m: edited,
			text: "Hello Cy,\n\nplease accept here: https://onboard.example.gov/invitations/tok\n\nAna\n\n--\n" +
				"The link is for your organization only, works once and expires on December 3, 2026.\nQuestions about GCC eligibility: usgcce@microsoft.com\n",
			inHTML: []string{`<p>Hello Cy,<br><br>please accept here: <a href="https://onboard.example.gov/invitations/tok">https://onboard.example.gov/invitations/tok</a><br><br>Ana</p>`},
			notIn:  []string{"{{link}}", "Fabrikam County IT"}},
		{name: "invitation-accepted", m: mail.InvitationAccepted{Customer: customer("Fabrikam County", false), AdminName: "Cy Park",
			Invitation: &onboard.Invitation{CustomerEmail: "it@fabrikam.gov"}},
			subject: "Fabrikam County accepted your reseller relationship invitation",
			text: `Hello,

Fabrikam County accepted the reseller relationship invitation you sent to it@fabrikam.gov on December 3, 2026 at 10:04 AM EST. It is now in your customer list.

Customer ID: cu_1
Domain: olympia.example.gov
Tenant ID: tt-1
Accepted by: Cy Park <it@olympia.example.gov>
Special qualifications: none

This tenant holds no approved GCC validation. Check the customer's Special Qualifications before ordering: GCC offers need the customer's approved GCC eligibility (questions: usgcce@microsoft.com).
`,
			inHTML: []string{"<p><strong>Fabrikam County</strong> accepted the reseller relationship invitation you sent to it@fabrikam.gov on",
				"Accepted by: Cy Park &lt;it@olympia.example.gov&gt;<br>", "Special qualifications: <strong>none</strong></p>",
				`(questions: <a href="mailto:usgcce@microsoft.com">usgcce@microsoft.com</a>).</p>`}},
		{name: "invitation-accepted link gcc", m: mail.InvitationAccepted{Customer: customer("Fabrikam County", true), AdminName: "Cy Park",
			Invitation: &onboard.Invitation{Reusable: true}},
			inText: []string{"accepted your reseller relationship link on", "Special qualifications: GovernmentCommunityCloud\n"},
			notIn:  []string{"holds no approved GCC validation"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.m)
			if tc.subject != "" && r.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tc.subject)
			}
			if tc.text != "" && r.Text != tc.text {
				t.Errorf("text =\n%s\nwant\n%s", r.Text, tc.text)
			}
			for _, s := range tc.inText {
				if !strings.Contains(r.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, r.Text)
				}
			}
			for _, s := range tc.inHTML {
				if !strings.Contains(r.HTML, s) {
					t.Errorf("html lacks %q:\n%s", s, r.HTML)
				}
			}
			for _, s := range tc.notIn {
				if strings.Contains(r.Text, s) || strings.Contains(r.HTML, s) {
					t.Errorf("holds %q:\n%s\n%s", s, r.Text, r.HTML)
				}
			}
			if !strings.HasSuffix(r.Text, "\n") || strings.HasSuffix(r.Text, "\n\n") {
				t.Errorf("text does not end with exactly one line break: %q", r.Text)
			}
		})
	}
}

// hostile is what a person may type into any field that reaches a mail.
const hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(1)> 'q' & \r\nBcc: x@evil.example"

// TestHostileValues puts hostile into every value a user controls: the HTML shows it as text
// (no markup of it survives, quotes cannot end an attribute), the text keeps it as typed, and
// the subject stays one line.
func TestHostileValues(t *testing.T) {
	r := request(hostile)
	r.TenantID, r.Type, r.TenantCloud = hostile, onboard.RequestType(hostile), onboard.Cloud(hostile)
	c := customer(hostile, true)
	c.ID, c.ValidationID, c.CompanyProfile.Domain, c.CompanyProfile.TenantID = hostile, hostile, hostile, hostile
	c.BillingProfile = onboard.BillingProfile{Email: hostile, FirstName: hostile, LastName: hostile}
	ords := orders(hostile)
	ords[0].ID, ords[0].CartID, ords[0].BillingCycle = hostile, hostile, hostile
	ords[0].LineItems[0].CatalogItemID, ords[0].LineItems[0].TermDuration = hostile, hostile
	all := []mail.Template{
		mail.IntakeAck{Request: r, Contact: hostile},
		mail.IntakeReview{Request: r},
		mail.Decision{Request: r, Contact: hostile, Decision: onboard.StatusApproved, Validation: &onboard.ValidationCode{ValidationID: hostile}},
		mail.Decision{Request: r, Contact: hostile, Decision: onboard.StatusDenied, Reason: hostile},
		mail.Decision{Request: r, Contact: hostile, Decision: onboard.StatusNeedsInformation, Reason: hostile},
		mail.SLAContact{Request: r, Contact: hostile},
		mail.SLADigest{Overdue: []onboard.EligibilityRequest{*r}, Today: onboard.Date(hostile)},
		mail.CustomerWelcome{Customer: c, PartnerName: hostile},
		mail.OrderConfirmation{Orders: ords, Customer: c, PartnerName: hostile},
		mail.Invitation{Partner: hostile, CustomerName: hostile, Link: outbox.Placeholder("link")},
		mail.Invitation{Partner: hostile, CustomerName: hostile, Message: hostile + "\n{{link}}\n" + hostile, Link: outbox.Placeholder("link")},
		mail.InvitationAccepted{Customer: c, Invitation: &onboard.Invitation{CustomerEmail: hostile}, AdminName: hostile},
	}
	for _, m := range all {
		t.Run(m.Name(), func(t *testing.T) {
			got := render(t, m)
			for _, raw := range []string{"<script>", "<img", `"><img`, "'q'", "& \r"} {
				if strings.Contains(got.HTML, raw) {
					t.Errorf("html holds %q unescaped:\n%s", raw, got.HTML)
				}
			}
			if !strings.Contains(got.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt; &#39;q&#39; &amp;") {
				t.Errorf("html does not show the value as text:\n%s", got.HTML)
			}
			if !strings.Contains(got.Text, hostile) {
				t.Errorf("text does not keep the value as typed:\n%s", got.Text)
			}
			if strings.ContainsAny(got.Subject, "\r\n") {
				t.Errorf("subject with a line break: %q", got.Subject)
			}
		})
	}
}

// TestInvitationPlaceholderFill: the invitation is stored with the link's placeholder; filling
// it in (as the notifier does) gives the link as typed in the text and escaped in the HTML, in
// the standard wording and in the partner's own message alike.
func TestInvitationPlaceholderFill(t *testing.T) {
	const link = `https://onboard.example.gov/invitations/AbC?a=1&b="2"`
	for _, message := range []string{"", "Dear <b>IT</b> & \"team\",\nclick {{link}} now"} {
		stored := render(t, mail.Invitation{Partner: "Contoso", CustomerName: "Fabrikam", Message: message,
			Link: outbox.Placeholder("link"), ExpiresAt: submitted})
		if !strings.Contains(stored.Text, "{{link}}") || !strings.Contains(stored.HTML, `<a href="{{link}}">{{link}}</a>`) {
			t.Fatalf("stored mail lacks the placeholder:\n%s\n%s", stored.Text, stored.HTML)
		}
		subject, text, html := outbox.Fill(stored.Subject, stored.Text, stored.HTML, map[string]string{"link": link})
		escaped := `https://onboard.example.gov/invitations/AbC?a=1&amp;b=&#34;2&#34;`
		if subject != stored.Subject || !strings.Contains(text, link) || !strings.Contains(html, `<a href="`+escaped+`">`+escaped+`</a>`) ||
			strings.Contains(text+html, "{{") {
			t.Errorf("filled mail:\n%s\n%s\n%s", subject, text, html)
		}
		if message != "" {
			want := "<p>Dear &lt;b&gt;IT&lt;/b&gt; &amp; &#34;team&#34;,<br>click <a href=\"" + escaped + "\">" + escaped + "</a> now</p>"
			if !strings.Contains(html, want) {
				t.Errorf("message html = %s, want %s", html, want)
			}
		}
	}
}

func TestNewNotification(t *testing.T) {
	r := request("City of Olympia\r\nBcc: x@evil.example")
	n, err := mail.NewNotification(mail.SLAContact{Request: r, Contact: "Ana"}, []string{"ana@olympia.example.gov"}, "p", r.ID, submitted)
	if err != nil {
		t.Fatal(err)
	}
	if n.Template != "sla-contact" || n.Status != onboard.MailPending || !n.NextAttemptAt.Equal(submitted) || n.PartnerID != "p" ||
		n.RecordID != "er_1" || !strings.HasPrefix(n.ID, "ml_") || n.Subject != "Your GCC eligibility request er_1 is taking longer than planned" ||
		!strings.Contains(n.Text, "City of Olympia\r\nBcc") || !strings.Contains(n.HTML, "<strong>City of Olympia\r\nBcc") {
		t.Errorf("notification = %+v", n)
	}
}
