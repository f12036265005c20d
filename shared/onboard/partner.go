package onboard

import "time"

// GovernmentCommunityCloudQualification is the reseller qualification an approved partner gains.
const GovernmentCommunityCloudQualification = "Government_community_cloud"

// PartnerProfile is a partner's legal business profile as Partner Center shows it.
type PartnerProfile struct {
	TenantID               string      `json:"partnerTenantId"`
	CompanyName            string      `json:"companyName"`
	PartnerType            PartnerType `json:"partnerType"`
	ResellerQualifications []string    `json:"resellerQualifications"`
	ContactEmail           string      `json:"contactEmail,omitempty"`
	QualifiedAt            *time.Time  `json:"qualifiedAt,omitempty"`
	Version                int64       `json:"version"`
}

// GCCQualified reports whether the partner may sell GCC: an approved indirect provider or
// direct-bill partner.
func (p *PartnerProfile) GCCQualified() bool {
	if p == nil || (p.PartnerType != DirectBill && p.PartnerType != IndirectProvider) {
		return false
	}
	for _, q := range p.ResellerQualifications {
		if q == GovernmentCommunityCloudQualification {
			return true
		}
	}
	return false
}

// ValidationCode is what approving a customer's eligibility issues to its transacting partner: the
// partner quotes its ID to create that customer with the GCC qualification, up to MaxCreates times.
type ValidationCode struct {
	ValidationID     string    `json:"validationId"`
	PartnerID        string    `json:"partnerId"`
	OrganizationName string    `json:"organizationName"`
	MaxCreates       int       `json:"maxCreates"`
	RemainingCreates int       `json:"remainingCreates"`
	CustomerTenantID string    `json:"customerTenantId,omitempty"`
	Domain           string    `json:"domain,omitempty"`
	RequestID        string    `json:"requestId"`
	CreatedAt        time.Time `json:"createdAt"`
	Version          int64     `json:"version"`
}

// MaxCreatesLimit bounds how many customers one validation code may create.
const MaxCreatesLimit = 1000
