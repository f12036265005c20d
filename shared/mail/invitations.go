package mail

import (
	"fmt"
	"strings"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Invitation invites a customer to a reseller relationship with a partner.
type Invitation struct {
	Partner      string // the partner's name
	CustomerName string
	// Message, when set, is the partner's own plain text, said instead of the standard wording;
	// onboard.LinkPlaceholder in it marks where the link goes.
	Message string
	// Link is the customer's link; the invitation mail is stored with Placeholder in its place.
	Link      string
	ExpiresAt time.Time
}

// Name is "invitation".
func (Invitation) Name() string { return "invitation" }

// Subject is the invitation's subject line.
func (m Invitation) Subject() string {
	return m.Partner + " invites you to a reseller relationship for Office 365 GCC"
}

// Text is the invitation's plain-text body.
func (m Invitation) Text() string {
	var b strings.Builder
	if m.Message != "" {
		b.WriteString(strings.ReplaceAll(m.Message, onboard.LinkPlaceholder, m.Link) + "\n")
	} else {
		fmt.Fprintf(&b, "Hello %s,\n\n", m.CustomerName)
		fmt.Fprintf(&b, "%s invites your organization to a reseller relationship: %s would become your Cloud Solution Provider (CSP) partner for Microsoft cloud services, including Office 365 Government Community Cloud (GCC).\n\n",
			m.Partner, m.Partner)
		b.WriteString("To accept, open this link and confirm your organization's details:\n" + m.Link + "\n\n")
		b.WriteString("Your subscriptions and your GCC validation stay as they are. If you did not expect this message, ignore it.\n")
	}
	b.WriteString("\n--\n")
	fmt.Fprintf(&b, "The link is for your organization only, works once and expires on %s.\n", m.expiresOn())
	b.WriteString("Questions about GCC eligibility: " + onboard.SupportEmail + "\n")
	return b.String()
}

func (m Invitation) expiresOn() string {
	return m.ExpiresAt.In(onboard.Eastern).Format("January 2, 2006")
}

// messageParts is the partner's message cut at each link placeholder, each part cut into its lines.
func (m Invitation) messageParts() [][]string {
	parts := strings.Split(m.Message, onboard.LinkPlaceholder)
	lines := make([][]string, len(parts))
	for i, p := range parts {
		lines[i] = strings.Split(p, "\n")
	}
	return lines
}

// InvitationAccepted tells the partner that a customer accepted its invitation.
type InvitationAccepted struct {
	Customer   *onboard.Customer // the customer the acceptance created
	Invitation *onboard.Invitation
	AdminName  string // who accepted, as they gave their name
}

// Name is "invitation-accepted".
func (InvitationAccepted) Name() string { return "invitation-accepted" }

// Subject is the acceptance notice's subject line.
func (m InvitationAccepted) Subject() string {
	return m.Customer.CompanyProfile.CompanyName + " accepted your reseller relationship invitation"
}

// Text is the acceptance notice's plain-text body.
func (m InvitationAccepted) Text() string {
	c := m.Customer
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	fmt.Fprintf(&b, "%s accepted %s on %s. It is now in your customer list.\n\n", c.CompanyProfile.CompanyName, m.what(), m.at())
	fmt.Fprintf(&b, "Customer ID: %s\n", c.ID)
	fmt.Fprintf(&b, "Domain: %s\n", c.CompanyProfile.Domain)
	fmt.Fprintf(&b, "Tenant ID: %s\n", c.CompanyProfile.TenantID)
	fmt.Fprintf(&b, "Accepted by: %s <%s>\n", m.AdminName, c.BillingProfile.Email)
	fmt.Fprintf(&b, "Special qualifications: %s\n", m.qualifications())
	if !c.GCC() {
		b.WriteString("\nThis tenant holds no approved GCC validation. Check the customer's Special Qualifications before ordering: GCC offers need the customer's approved GCC eligibility (questions: " +
			onboard.SupportEmail + ").\n")
	}
	return b.String()
}

// what is what was accepted: the reusable link, or the invitation sent to one address.
func (m InvitationAccepted) what() string {
	if m.Invitation.Reusable {
		return "your reseller relationship link"
	}
	return "the reseller relationship invitation you sent to " + m.Invitation.CustomerEmail
}

// at is when, in US Eastern time: the acceptance created the customer.
func (m InvitationAccepted) at() string {
	return m.Customer.CreatedAt.In(onboard.Eastern).Format(submittedFormat)
}

func (m InvitationAccepted) qualifications() string {
	if m.Customer.GCC() {
		return "GovernmentCommunityCloud"
	}
	return "none"
}
