package mail

import (
	"fmt"
	"strings"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// CustomerWelcome tells a new customer's billing contact that its account was created.
type CustomerWelcome struct {
	Customer    *onboard.Customer
	PartnerName string // "" says "Your Microsoft partner"
}

// Name is "customer-welcome".
func (CustomerWelcome) Name() string { return "customer-welcome" }

// Subject is the welcome mail's subject line.
func (m CustomerWelcome) Subject() string {
	return "Your customer account for " + m.Customer.CompanyProfile.CompanyName + " was created"
}

// Text is the welcome mail's plain-text body.
func (m CustomerWelcome) Text() string {
	c := m.Customer
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s %s,\n\n", c.BillingProfile.FirstName, c.BillingProfile.LastName)
	fmt.Fprintf(&b, "%s created a customer account for %s (%s), with you as its billing contact. Your partner is its reseller.\n\n",
		m.partner(), c.CompanyProfile.CompanyName, c.CompanyProfile.Domain)
	fmt.Fprintf(&b, "Customer ID: %s\n", c.ID)
	if c.GCC() {
		b.WriteString("Special qualification: Government Community Cloud (GCC)\n")
		fmt.Fprintf(&b, "Validation ID: %s\n\n", c.ValidationID)
		b.WriteString("The account holds the GCC qualification your organization's approved eligibility validation grants; your partner can now order Office 365 GCC (Online Services for Government) for it.\n")
	} else {
		b.WriteString("Special qualification: none (commercial)\n")
	}
	b.WriteString("\nIf you did not expect this account, tell your partner.\n")
	b.WriteString("Questions about GCC eligibility: " + onboard.SupportEmail + "\n")
	return b.String()
}

func (m CustomerWelcome) partner() string {
	if m.PartnerName == "" {
		return "Your Microsoft partner"
	}
	return m.PartnerName
}

// OrderConfirmation confirms a checkout's orders to the partner.
type OrderConfirmation struct {
	Orders      []*onboard.Order // at least one
	Customer    *onboard.Customer
	PartnerName string // "" says "Your partner account"
}

// Name is "order-confirmation".
func (OrderConfirmation) Name() string { return "order-confirmation" }

// Subject is the confirmation's subject line.
func (m OrderConfirmation) Subject() string {
	ids := make([]string, len(m.Orders))
	for i, o := range m.Orders {
		ids[i] = o.ID
	}
	noun := "Orders"
	if len(m.Orders) == 1 {
		noun = "Order"
	}
	return noun + " " + strings.Join(ids, ", ") + " received for " + m.Customer.CompanyProfile.CompanyName
}

// Text is the confirmation's plain-text body.
func (m OrderConfirmation) Text() string {
	c := m.Customer
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	fmt.Fprintf(&b, "%s placed %s for %s (customer %s).\n", m.partner(), m.count(), c.CompanyProfile.CompanyName, c.ID)
	for _, o := range m.Orders {
		fmt.Fprintf(&b, "\nOrder %s (%s billing), status %s, from cart %s:\n", o.ID, o.BillingCycle, o.Status, o.CartID)
		for _, l := range o.LineItems {
			fmt.Fprintf(&b, "  %d. %s (%s): %d license(s), term %s, %s billing\n",
				l.LineItemNumber, l.FriendlyName, l.CatalogItemID, l.Quantity, l.TermDuration, l.BillingCycle)
		}
	}
	fmt.Fprintf(&b, "\nThe order is pending until it is fulfilled; then its status becomes completed and each line shows its subscription. Follow it at %s.\n",
		m.ordersRoute())
	b.WriteString("Questions about GCC eligibility: " + onboard.SupportEmail + "\n")
	return b.String()
}

func (m OrderConfirmation) partner() string {
	if m.PartnerName == "" {
		return "Your partner account"
	}
	return m.PartnerName
}

// count is "an order" or "2 orders".
func (m OrderConfirmation) count() string {
	if len(m.Orders) == 1 {
		return "an order"
	}
	return fmt.Sprintf("%d orders", len(m.Orders))
}

func (m OrderConfirmation) ordersRoute() string {
	return "GET /v1/customers/" + m.Customer.ID + "/orders"
}
