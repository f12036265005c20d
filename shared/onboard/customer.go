package onboard

import "time"

// Qualification is a customer's special qualification (Partner Center's name for it).
type Qualification string

// Qualification values.
const (
	QualificationNone Qualification = "None"
	QualificationGCC  Qualification = "GovernmentCommunityCloud"
)

// RelationshipReseller is the only relationship a partner has with its customers here.
const RelationshipReseller = "Reseller"

// CompanyProfile is a customer's company.
type CompanyProfile struct {
	CompanyName string `json:"companyName"`
	Domain      string `json:"domain"`
	TenantID    string `json:"tenantId,omitempty"`
}

// BillingProfile is a customer's billing contact and address.
type BillingProfile struct {
	Email          string  `json:"email"`
	FirstName      string  `json:"firstName"`
	LastName       string  `json:"lastName"`
	DefaultAddress Address `json:"defaultAddress"`
}

// Customer is a partner's customer account: created by the partner, or inherited when the
// customer accepted a reseller relationship invitation.
type Customer struct {
	ID             string         `json:"id"`
	PartnerID      string         `json:"partnerId"`
	CompanyProfile CompanyProfile `json:"companyProfile"`
	BillingProfile BillingProfile `json:"billingProfile"`
	Relationship   string         `json:"relationship"`
	// Qualification is the customer's special qualification; GCC is irreversible.
	Qualification Qualification `json:"qualification"`
	// ValidationID is the validation code the GCC qualification was granted under, if any.
	ValidationID string    `json:"validationId,omitempty"`
	Origin       string    `json:"origin"` // "created" or "invitation"
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	Version      int64     `json:"version"`
}

// GCC reports whether the customer holds the Government Community Cloud qualification.
func (c *Customer) GCC() bool { return c.Qualification == QualificationGCC }

// SpecialQualifications is what Partner Center's account page shows in its Special
// Qualifications row: ["GovernmentCommunityCloud"], or [] when the customer has none.
func (c *Customer) SpecialQualifications() []string {
	if c.GCC() {
		return []string{string(QualificationGCC)}
	}
	return []string{}
}
