package onboard

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
)

// SupportEmail is the US Government Cloud Eligibility team's help address, quoted to every applicant.
const SupportEmail = "usgcce@microsoft.com"

// CustomerValidationOption is the one validation option a customer intake may choose.
const CustomerValidationOption = "O365 GCC CSP Customer"

// RequestType says who an eligibility request is for.
type RequestType string

// Request types.
const (
	TypePartner  RequestType = "partner"
	TypeCustomer RequestType = "customer"
)

// Status is an eligibility request's place in review.
type Status string

// Request statuses: Submitted → NeedsInformation → Submitted … → Approved | Denied.
const (
	StatusSubmitted        Status = "Submitted"
	StatusNeedsInformation Status = "NeedsInformation"
	StatusApproved         Status = "Approved"
	StatusDenied           Status = "Denied"
)

// Final reports whether no further decision may be made.
func (s Status) Final() bool { return s == StatusApproved || s == StatusDenied }

// PartnerType is the partner's CSP program role.
type PartnerType string

// Partner types.
const (
	DirectBill       PartnerType = "direct_bill"
	IndirectProvider PartnerType = "indirect_provider"
	IndirectReseller PartnerType = "indirect_reseller"
)

// GovernmentSegments a request may name.
var GovernmentSegments = []string{"federal", "state", "local", "tribal"}

// Contact is the person the review team replies to.
type Contact struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

// Attestation is the signature that makes the intake form legally binding.
type Attestation struct {
	SignerName   string `json:"signerName"`
	SignerTitle  string `json:"signerTitle"`
	Agree        bool   `json:"agree"`
	TermsVersion string `json:"termsVersion"`
}

// PartnerForm is the partner GCC eligibility intake form.
type PartnerForm struct {
	OrganizationName   string      `json:"organizationName"`
	PartnerTenantID    string      `json:"partnerTenantId"`
	PartnerType        PartnerType `json:"partnerType"`
	MpnID              string      `json:"mpnId"`
	CspEnrolled        bool        `json:"cspEnrolled"`
	GovernmentSegments []string    `json:"governmentSegments"`
	Contact            Contact     `json:"contact"`
	Address            Address     `json:"address"`
	Attestation        Attestation `json:"attestation"`
}

// CustomerForm is the government customer's GCC eligibility intake form.
type CustomerForm struct {
	OrganizationName     string      `json:"organizationName"`
	CustomerTenantID     string      `json:"customerTenantId,omitempty"`
	Domain               string      `json:"domain"`
	GovernmentEntityType string      `json:"governmentEntityType"`
	ValidationOption     string      `json:"validationOption"`
	PartnerTenantID      string      `json:"partnerTenantId"`
	Contact              Contact     `json:"contact"`
	Address              Address     `json:"address"`
	Attestation          Attestation `json:"attestation"`
}

// Normalize trims every text field and lower-cases identifiers, so that the stored form, its
// evidence hash and duplicate checks do not depend on incidental spacing or case.
func (f *PartnerForm) Normalize() {
	trim(&f.OrganizationName, &f.PartnerTenantID, &f.MpnID, (*string)(&f.PartnerType))
	f.PartnerTenantID = strings.ToLower(f.PartnerTenantID)
	for i := range f.GovernmentSegments {
		f.GovernmentSegments[i] = strings.ToLower(strings.TrimSpace(f.GovernmentSegments[i]))
	}
	f.Contact.normalize()
	f.Address.normalize()
	f.Attestation.normalize()
}

// Normalize is PartnerForm.Normalize for the customer form.
func (f *CustomerForm) Normalize() {
	trim(&f.OrganizationName, &f.CustomerTenantID, &f.Domain, &f.GovernmentEntityType, &f.ValidationOption, &f.PartnerTenantID)
	f.CustomerTenantID = strings.ToLower(f.CustomerTenantID)
	f.PartnerTenantID = strings.ToLower(f.PartnerTenantID)
	f.Domain = strings.ToLower(strings.TrimSuffix(f.Domain, "."))
	f.GovernmentEntityType = strings.ToLower(f.GovernmentEntityType)
	f.Contact.normalize()
	f.Address.normalize()
	f.Attestation.normalize()
}

func (c *Contact) normalize() {
	trim(&c.Name, &c.Title, &c.Email, &c.Phone)
	c.Email = strings.ToLower(c.Email)
}

func (a *Address) normalize() {
	trim(&a.Line1, &a.Line2, &a.City, &a.State, &a.PostalCode, &a.Country)
	a.State = strings.ToUpper(a.State)
	a.Country = strings.ToUpper(a.Country)
}

func (a *Attestation) normalize() { trim(&a.SignerName, &a.SignerTitle, &a.TermsVersion) }

func trim(fields ...*string) {
	for _, f := range fields {
		*f = strings.TrimSpace(*f)
	}
}

// Validate checks the partner form against the intake rules. Refusals that make the partner
// ineligible whatever else it fixes come first, so nobody corrects fields in vain.
func (f *PartnerForm) Validate() error {
	switch {
	case f.PartnerType == IndirectReseller:
		return &Error{Code: ErrIndirectReseller,
			Message: "Indirect resellers cannot apply for GCC qualification. Work with your indirect provider, which transacts GCC for you.",
			Fields:  []FieldError{{"partnerType", "indirect resellers are not eligible; apply through your indirect provider"}}}
	case !f.CspEnrolled && f.PartnerType != "":
		return &Error{Code: ErrCspEnrollmentRequired,
			Message: "Only partners enrolled in the Cloud Solution Provider (CSP) program may apply.",
			Fields:  []FieldError{{"cspEnrolled", "must be true: enroll in CSP first"}}}
	}
	var p Problems
	required(&p, "organizationName", f.OrganizationName, 200)
	tenantID(&p, "partnerTenantId", f.PartnerTenantID, true)
	switch f.PartnerType {
	case DirectBill, IndirectProvider:
	case "":
		p.Add("partnerType", "is required")
	default:
		p.Add("partnerType", "must be one of direct_bill, indirect_provider, indirect_reseller")
	}
	if f.MpnID != "" && !isMPNID(f.MpnID) {
		p.Add("mpnId", "must be the 6 to 10 digit Partner ID (MPN ID)")
	}
	segments(&p, "governmentSegments", f.GovernmentSegments)
	f.Contact.validate(&p, "contact")
	f.Address.validate(&p, "address")
	f.Attestation.validate(&p, "attestation")
	if err := p.Err(); err != nil {
		return err
	}
	return f.Attestation.agreed()
}

// Validate checks the customer form against the intake rules.
func (f *CustomerForm) Validate() error {
	var p Problems
	required(&p, "organizationName", f.OrganizationName, 200)
	tenantID(&p, "customerTenantId", f.CustomerTenantID, false)
	domain(&p, "domain", f.Domain, true)
	switch {
	case f.GovernmentEntityType == "":
		p.Add("governmentEntityType", "is required")
	case !slices.Contains(GovernmentSegments, f.GovernmentEntityType):
		p.Add("governmentEntityType", "must be one of federal, state, local, tribal")
	}
	if f.ValidationOption != CustomerValidationOption {
		p.Add("validationOption", "must be %q", CustomerValidationOption)
	}
	tenantID(&p, "partnerTenantId", f.PartnerTenantID, true)
	if f.PartnerTenantID != "" && f.PartnerTenantID == f.CustomerTenantID {
		p.Add("partnerTenantId", "is the transacting partner's tenant ID and cannot be the customer's own")
	}
	f.Contact.validate(&p, "contact")
	f.Address.validate(&p, "address")
	f.Attestation.validate(&p, "attestation")
	if err := p.Err(); err != nil {
		return err
	}
	return f.Attestation.agreed()
}

func (c Contact) validate(p *Problems, prefix string) {
	required(p, prefix+".name", c.Name, 200)
	optional(p, prefix+".title", c.Title, 200)
	Email(p, prefix+".email", c.Email, true)
	phone(p, prefix+".phone", c.Phone)
}

func (a Address) validate(p *Problems, prefix string) {
	required(p, prefix+".line1", a.Line1, 200)
	optional(p, prefix+".line2", a.Line2, 200)
	required(p, prefix+".city", a.City, 100)
	required(p, prefix+".state", a.State, 100)
	required(p, prefix+".postalCode", a.PostalCode, 20)
	switch {
	case a.Country == "":
		p.Add(prefix+".country", "is required")
	case a.Country != "US":
		p.Add(prefix+".country", "must be US: GCC serves US government entities")
	}
	if a.Country == "US" && a.PostalCode != "" && !IsZIP(a.PostalCode) {
		p.Add(prefix+".postalCode", "must be a US ZIP code (12345 or 12345-6789)")
	}
}

func (a Attestation) validate(p *Problems, prefix string) {
	required(p, prefix+".signerName", a.SignerName, 200)
	required(p, prefix+".signerTitle", a.SignerTitle, 200)
	required(p, prefix+".termsVersion", a.TermsVersion, 50)
}

func (a Attestation) agreed() error {
	if a.Agree {
		return nil
	}
	return &Error{Code: ErrAttestationRequired,
		Message: "The intake form is a legally binding contract: the signer must agree to its terms.",
		Fields:  []FieldError{{"attestation.agree", "must be true"}}}
}

// SingleLine reports whether s has no control characters (CR, LF, tab, …) nor Unicode line or
// paragraph separators: such values end up in mail headers and one-line fields.
func SingleLine(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	})
}

func required(p *Problems, field, v string, max int) {
	if v == "" {
		p.Add(field, "is required")
		return
	}
	optional(p, field, v, max)
}

func optional(p *Problems, field, v string, max int) {
	switch {
	case !SingleLine(v):
		p.Add(field, "must be a single line without control characters")
	case len([]rune(v)) > max:
		p.Add(field, "must be at most %d characters", max)
	}
}

func tenantID(p *Problems, field, v string, need bool) {
	switch {
	case v == "" && need:
		p.Add(field, "is required")
	case v != "" && !IsTenantID(v):
		p.Add(field, "must be a tenant ID GUID like 00000000-0000-0000-0000-000000000000")
	}
}

// Email records a problem unless v is a plain address (user@example.gov); need says it is required.
func Email(p *Problems, field, v string, need bool) {
	if v == "" {
		if need {
			p.Add(field, "is required")
		}
		return
	}
	a, err := mail.ParseAddress(v)
	at := strings.LastIndexByte(v, '@')
	if err != nil || a.Address != v || !SingleLine(v) || len(v) > 254 || at < 1 || !IsDomain(v[at+1:]) {
		p.Add(field, "must be an email address like name@agency.gov")
	}
}

func domain(p *Problems, field, v string, need bool) {
	switch {
	case v == "" && need:
		p.Add(field, "is required")
	case v != "" && !IsDomain(v):
		p.Add(field, "must be a domain name like agency.gov")
	}
}

// IsDomain reports whether v is a lower-case DNS name with at least two labels.
func IsDomain(v string) bool {
	labels := strings.Split(strings.ToLower(v), ".")
	if len(v) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !isLabel(l) {
			return false
		}
	}
	return true
}

func phone(p *Problems, field, v string) {
	digits := strings.Count(v, "") - 1 - len(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, v))
	switch {
	case v == "":
		p.Add(field, "is required")
	case !isPhoneText(v) || digits < 7 || digits > 15:
		p.Add(field, "must be a phone number like +1 202 555 0100")
	}
}

func segments(p *Problems, field string, v []string) {
	if len(v) == 0 {
		p.Add(field, "must name at least one of federal, state, local, tribal")
		return
	}
	seen := map[string]bool{}
	for i, s := range v {
		if !slices.Contains(GovernmentSegments, s) {
			p.Add(field, "item %d (%q) must be one of federal, state, local, tribal", i, truncate(s, 40))
		} else if seen[s] {
			p.Add(field, "names %q twice", s)
		}
		seen[s] = true
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// EligibilityRequest is a submitted intake form and its review state.
type EligibilityRequest struct {
	ID               string        `json:"id"`
	Type             RequestType   `json:"type"`
	Status           Status        `json:"status"`
	SubmittedAt      time.Time     `json:"submittedAt"`
	ResponseDueBy    Date          `json:"responseDueBy"`
	OrganizationName string        `json:"organizationName"`
	TenantID         string        `json:"tenantId,omitempty"` // the applicant's tenant
	PartnerID        string        `json:"partnerId"`          // the partner applying, or transacting for the customer
	ContactEmail     string        `json:"contactEmail"`
	TenantCloud      Cloud         `json:"tenantCloud"`
	TenantVerified   bool          `json:"tenantVerified"`
	Partner          *PartnerForm  `json:"partnerForm,omitempty"`
	Customer         *CustomerForm `json:"customerForm,omitempty"`
	Decision         *Decision     `json:"decision,omitempty"`
	// OverdueNotifiedAt is when the contact was told the reply is late; they are told once.
	OverdueNotifiedAt *time.Time `json:"overdueNotifiedAt,omitempty"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	Version           int64      `json:"version"`
}

// Decision is a reviewer's decision on a request.
type Decision struct {
	Decision   Status    `json:"decision"`
	Reason     string    `json:"reason,omitempty"`
	MaxCreates int       `json:"maxCreates,omitempty"`
	DecidedBy  string    `json:"decidedBy"`
	DecidedAt  time.Time `json:"decidedAt"`
}

// Overdue reports whether the request still waits for a decision after its reply-by date.
func (r *EligibilityRequest) Overdue(now time.Time) bool {
	return !r.Status.Final() && Today(now) > r.ResponseDueBy
}

// Evidence is the legally binding record of a submission: exactly what was signed, by whom,
// from where and when, with a hash that lets anyone check it was not altered.
type Evidence struct {
	RequestID     string      `json:"requestId"`
	CanonicalForm string      `json:"canonicalForm"` // the normalized form as canonical JSON
	Attestation   Attestation `json:"attestation"`
	IP            string      `json:"ip"`
	UserAgent     string      `json:"userAgent"`
	SubmittedAt   time.Time   `json:"submittedAt"`
	SHA256        string      `json:"sha256"` // lower-case hex of the canonical record (see EvidenceDigest)
}

// Receipt is what an applicant gets back for a submitted intake form.
type Receipt struct {
	ID                 string      `json:"id"`
	Type               RequestType `json:"type"`
	Status             Status      `json:"status"`
	SubmittedAt        time.Time   `json:"submittedAt"`
	ResponseDueBy      Date        `json:"responseDueBy"`
	OrganizationName   string      `json:"organizationName"`
	TenantVerification string      `json:"tenantVerification"` // Verified or Unverified
	SupportEmail       string      `json:"supportEmail"`
}

// Receipt returns the applicant's view of r.
func (r *EligibilityRequest) Receipt() Receipt {
	v := "Unverified"
	if r.TenantVerified {
		v = "Verified"
	}
	return Receipt{ID: r.ID, Type: r.Type, Status: r.Status, SubmittedAt: r.SubmittedAt, ResponseDueBy: r.ResponseDueBy,
		OrganizationName: r.OrganizationName, TenantVerification: v, SupportEmail: SupportEmail}
}
