package mail

import (
	"fmt"
	"strings"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// submittedFormat is how the acknowledgement dates a submission, in US Eastern time.
const submittedFormat = "January 2, 2006 at 3:04 PM MST"

// IntakeAck acknowledges an intake form to its contact.
type IntakeAck struct {
	Request *onboard.EligibilityRequest
	Contact string // the contact's name
}

// Name is "intake-ack".
func (IntakeAck) Name() string { return "intake-ack" }

// Subject is the acknowledgement's subject line.
func (m IntakeAck) Subject() string {
	return "We received your GCC eligibility request " + m.Request.ID
}

// Text is the acknowledgement's plain-text body.
func (m IntakeAck) Text() string {
	r := m.Request
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", m.Contact)
	fmt.Fprintf(&b, "Thank you. We received the GCC eligibility intake form for %s on %s.\nRequest ID: %s\n\n",
		r.OrganizationName, m.submitted(), r.ID)
	fmt.Fprintf(&b, "The US Government Cloud Eligibility team will reply by email with next steps by %s (two US business days).\n\n",
		r.ResponseDueBy.Long())
	if !r.TenantVerified {
		b.WriteString("We could not verify the tenant ID automatically; a reviewer will check it by hand.\n\n")
	}
	b.WriteString("The form you signed is a legally binding contract; keep this message for your records.\n")
	b.WriteString("Questions: " + onboard.SupportEmail + "\n")
	return b.String()
}

func (m IntakeAck) submitted() string {
	return m.Request.SubmittedAt.In(onboard.Eastern).Format(submittedFormat)
}

// IntakeReview tells the review team that a request waits for them.
type IntakeReview struct {
	Request *onboard.EligibilityRequest
}

// Name is "intake-review".
func (IntakeReview) Name() string { return "intake-review" }

// Subject is the review notice's subject line.
func (m IntakeReview) Subject() string {
	r := m.Request
	return fmt.Sprintf("New %s eligibility request %s, reply by %s", r.Type, r.ID, r.ResponseDueBy)
}

// Text is the review notice's plain-text body.
func (m IntakeReview) Text() string {
	r := m.Request
	var b strings.Builder
	fmt.Fprintf(&b, "A %s GCC eligibility request is waiting for review.\n\n", r.Type)
	fmt.Fprintf(&b, "Organization: %s\n", r.OrganizationName)
	fmt.Fprintf(&b, "Request ID:   %s\n", r.ID)
	fmt.Fprintf(&b, "Tenant ID:    %s\n", m.tenantID())
	fmt.Fprintf(&b, "Tenant check: %s%s\n", r.TenantCloud, m.unverified())
	fmt.Fprintf(&b, "Reply by:     %s\n", r.ResponseDueBy.Long())
	return b.String()
}

func (m IntakeReview) tenantID() string {
	if m.Request.TenantID == "" {
		return "(none yet)"
	}
	return m.Request.TenantID
}

func (m IntakeReview) unverified() string {
	if m.Request.TenantVerified {
		return ""
	}
	return " (unverified: check by hand)"
}

// Decision tells the contact of a request the reviewer's decision.
type Decision struct {
	Request  *onboard.EligibilityRequest
	Contact  string // the contact's name
	Decision onboard.Status
	Reason   string
	// Validation is the code an approved customer request issued; nil for a partner request.
	Validation *onboard.ValidationCode
}

// Name is "decision".
func (Decision) Name() string { return "decision" }

// Subject is the decision mail's subject line.
func (m Decision) Subject() string {
	prefix := "More information needed: "
	switch m.Decision {
	case onboard.StatusApproved:
		prefix = "Approved: "
	case onboard.StatusDenied:
		prefix = "Not approved: "
	}
	return prefix + "GCC eligibility request " + m.Request.ID
}

// Text is the decision mail's plain-text body.
func (m Decision) Text() string {
	r := m.Request
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", m.Contact)
	switch m.Decision {
	case onboard.StatusApproved:
		fmt.Fprintf(&b, "The US Government Cloud Eligibility team approved the GCC eligibility request of %s (request %s).\n\n",
			r.OrganizationName, r.ID)
		if v := m.Validation; v != nil {
			fmt.Fprintf(&b, "Validation ID: %s\n", v.ValidationID)
			fmt.Fprintf(&b, "Your partner uses this validation ID to create your account with the Government Community Cloud qualification (up to %d customer account(s)).\n\n",
				v.MaxCreates)
		} else {
			b.WriteString("Government_community_cloud now appears among your reseller qualifications (Partner Center: Organization profile > Legal info). You may now work with GCC-qualified customers.\n\n")
		}
	case onboard.StatusDenied:
		fmt.Fprintf(&b, "The US Government Cloud Eligibility team did not approve the GCC eligibility request of %s (request %s).\n\n",
			r.OrganizationName, r.ID)
		fmt.Fprintf(&b, "Reason: %s\n\n", m.Reason)
	default:
		fmt.Fprintf(&b, "The US Government Cloud Eligibility team needs more information about the GCC eligibility request of %s (request %s).\n\n",
			r.OrganizationName, r.ID)
		fmt.Fprintf(&b, "What is needed: %s\n\n", m.Reason)
		b.WriteString("Reply to " + onboard.SupportEmail + " quoting the request ID.\n\n")
	}
	b.WriteString("Questions: " + onboard.SupportEmail + "\n")
	return b.String()
}

// SLAContact tells a request's contact that the reply is late.
type SLAContact struct {
	Request *onboard.EligibilityRequest
	Contact string // the contact's name
}

// Name is "sla-contact".
func (SLAContact) Name() string { return "sla-contact" }

// Subject is the late-reply notice's subject line.
func (m SLAContact) Subject() string {
	return "Your GCC eligibility request " + m.Request.ID + " is taking longer than planned"
}

// Text is the late-reply notice's plain-text body.
func (m SLAContact) Text() string {
	r := m.Request
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", m.Contact)
	fmt.Fprintf(&b, "Our reply to the GCC eligibility request of %s (request %s) was due by %s, and it is not ready yet. We are sorry for the delay: the US Government Cloud Eligibility team has been reminded, and you will hear from us as soon as the review is done.\n\n",
		r.OrganizationName, r.ID, r.ResponseDueBy.Long())
	b.WriteString("Questions: " + onboard.SupportEmail + "\n")
	return b.String()
}

// SLADigest lists for the review team the requests past their reply-by date.
type SLADigest struct {
	Overdue []onboard.EligibilityRequest // the ones listed, oldest first
	More    int                          // how many more are overdue but not listed
	Today   onboard.Date
}

// Name is "sla-digest".
func (SLADigest) Name() string { return "sla-digest" }

// Subject is the digest's subject line.
func (m SLADigest) Subject() string {
	return fmt.Sprintf("%d GCC eligibility request(s) past their reply-by date, %s", len(m.Overdue), m.Today)
}

// Text is the digest's plain-text body.
func (m SLADigest) Text() string {
	var b strings.Builder
	b.WriteString("These GCC eligibility requests are waiting past their two-business-day reply-by date (oldest first):\n")
	for _, r := range m.Overdue {
		fmt.Fprintf(&b, "\n- %s  %s  %s  due %s", r.ID, r.Type, r.OrganizationName, r.ResponseDueBy)
	}
	b.WriteString("\n")
	if m.More > 0 {
		fmt.Fprintf(&b, "\n…and %d more. See GET /v1/eligibility/requests.\n", m.More)
	}
	return b.String()
}
