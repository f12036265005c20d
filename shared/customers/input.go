package customers

import (
	"strings"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// CreateInput is the body of POST /v1/customers.
type CreateInput struct {
	CompanyProfile onboard.CompanyProfile `json:"companyProfile"`
	BillingProfile onboard.BillingProfile `json:"billingProfile"`
	Qualification  onboard.Qualification  `json:"qualification"`
	ValidationID   string                 `json:"validationId"`
}

// QualifyInput is the body of POST /v1/customers/{id}/qualifications.
type QualifyInput struct {
	Qualification onboard.Qualification `json:"qualification"`
}

// Normalize trims every field and puts identifiers in their stored case, so that what is stored
// and compared does not depend on incidental spacing or case.
func (in *CreateInput) Normalize() {
	cp, bp, a := &in.CompanyProfile, &in.BillingProfile, &in.BillingProfile.DefaultAddress
	trim(&cp.CompanyName, &cp.Domain, &cp.TenantID, &bp.Email, &bp.FirstName, &bp.LastName,
		&a.Line1, &a.Line2, &a.City, &a.State, &a.PostalCode, &a.Country, (*string)(&in.Qualification), &in.ValidationID)
	cp.Domain = strings.ToLower(strings.TrimSuffix(cp.Domain, "."))
	cp.TenantID = strings.ToLower(cp.TenantID)
	bp.Email = strings.ToLower(bp.Email)
	a.State, a.Country = strings.ToUpper(a.State), strings.ToUpper(a.Country)
}

func trim(fields ...*string) {
	for _, f := range fields {
		*f = strings.TrimSpace(*f)
	}
}

// Validate checks the body's fields. The validation code itself is checked before (Service.Create),
// because a GCC creation without a usable code must stop whatever the other fields say.
func (in *CreateInput) Validate() error {
	var p onboard.Problems
	cp, bp, a := in.CompanyProfile, in.BillingProfile, in.BillingProfile.DefaultAddress
	text(&p, "companyProfile.companyName", cp.CompanyName, 200, true)
	switch {
	case cp.Domain == "":
		p.Add("companyProfile.domain", "is required")
	case !onboard.IsDomain(cp.Domain):
		p.Add("companyProfile.domain", "must be a domain name like agency.gov")
	}
	if cp.TenantID != "" && !onboard.IsTenantID(cp.TenantID) {
		p.Add("companyProfile.tenantId", "must be a tenant ID GUID like 00000000-0000-0000-0000-000000000000")
	}
	onboard.Email(&p, "billingProfile.email", bp.Email, true)
	text(&p, "billingProfile.firstName", bp.FirstName, 100, true)
	text(&p, "billingProfile.lastName", bp.LastName, 100, true)
	const addr = "billingProfile.defaultAddress."
	text(&p, addr+"line1", a.Line1, 200, true)
	text(&p, addr+"line2", a.Line2, 200, false)
	text(&p, addr+"city", a.City, 100, true)
	text(&p, addr+"state", a.State, 100, true)
	text(&p, addr+"postalCode", a.PostalCode, 20, true)
	switch {
	case a.Country == "":
		p.Add(addr+"country", "is required")
	case !onboard.IsCountryCode(a.Country):
		p.Add(addr+"country", "must be a two-letter ISO 3166 country code like US")
	case a.Country != "US" && in.Qualification == onboard.QualificationGCC:
		p.Add(addr+"country", "must be US: GCC serves US government entities")
	}
	if a.Country == "US" && a.PostalCode != "" && !onboard.IsZIP(a.PostalCode) {
		p.Add(addr+"postalCode", "must be a US ZIP code (12345 or 12345-6789)")
	}
	switch in.Qualification {
	case onboard.QualificationGCC:
	case onboard.QualificationNone:
		if in.ValidationID != "" {
			p.Add("validationId", "must be empty when qualification is None: a validation ID is only used to create a GovernmentCommunityCloud customer")
		}
	case "":
		p.Add("qualification", "is required: GovernmentCommunityCloud or None")
	default:
		p.Add("qualification", "must be GovernmentCommunityCloud or None")
	}
	return p.Err()
}

// Validate checks the body of a qualification change: GCC is the one qualification there is to add.
func (in *QualifyInput) Validate() error {
	var p onboard.Problems
	switch strings.TrimSpace(string(in.Qualification)) {
	case string(onboard.QualificationGCC):
	case "":
		p.Add("qualification", "is required: GovernmentCommunityCloud")
	default:
		p.Add("qualification", "must be GovernmentCommunityCloud, the one qualification that can be added")
	}
	return p.Err()
}

func text(p *onboard.Problems, field, v string, max int, required bool) {
	switch {
	case v == "" && required:
		p.Add(field, "is required")
	case !onboard.SingleLine(v):
		p.Add(field, "must be a single line without control characters")
	case len([]rune(v)) > max:
		p.Add(field, "must be at most %d characters", max)
	}
}
