package onboard

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
)

// InvitationStatus is a reseller relationship invitation's state.
type InvitationStatus string

// Invitation statuses: Pending → Accepted | Revoked. Expired is never stored: a Pending invitation
// past its ExpiresAt reads as Expired (StatusAt), so no sweep is needed to expire anything.
const (
	InvitationPending  InvitationStatus = "Pending"
	InvitationAccepted InvitationStatus = "Accepted"
	InvitationRevoked  InvitationStatus = "Revoked"
	InvitationExpired  InvitationStatus = "Expired"
)

// LinkPlaceholder is where the invitation link goes in a partner's edited message; mail keeps it
// (the link itself is sealed beside the mail) until the moment of sending.
const LinkPlaceholder = "{{link}}"

// MaxInvitationMessage bounds a partner's edited message, in characters.
const MaxInvitationMessage = 5000

// Invitation is a partner's reseller relationship invitation. Its token is never stored: only
// the token's SHA-256 (TokenSHA256), which a link's holder proves knowledge of by presenting it.
type Invitation struct {
	ID            string `json:"id"`
	PartnerID     string `json:"partnerId"`
	CustomerEmail string `json:"customerEmail,omitempty"`
	CustomerName  string `json:"customerName,omitempty"`
	// Reusable marks the partner's relationship link (GET /v1/customers/relationshiprequests): any
	// number of customers may accept it, each once, until it expires or is revoked.
	Reusable       bool             `json:"reusable,omitempty"`
	Status         InvitationStatus `json:"status"`
	TokenSHA256    string           `json:"tokenSha256"`
	Sent           bool             `json:"sent"`
	CreatedBy      string           `json:"createdBy"`
	CreatedByEmail string           `json:"createdByEmail,omitempty"`
	CreatedAt      time.Time        `json:"createdAt"`
	ExpiresAt      time.Time        `json:"expiresAt"`
	AcceptedAt     *time.Time       `json:"acceptedAt,omitempty"`
	CustomerID     string           `json:"customerId,omitempty"`
	RevokedAt      *time.Time       `json:"revokedAt,omitempty"`
	RevokedBy      string           `json:"revokedBy,omitempty"`
	Version        int64            `json:"version"`
}

// StatusAt is the invitation's status as of now: a Pending invitation past its expiry is Expired.
func (i *Invitation) StatusAt(now time.Time) InvitationStatus {
	if i.Status == InvitationPending && !now.Before(i.ExpiresAt) {
		return InvitationExpired
	}
	return i.Status
}

// invitationTokenBytes is the token's entropy: 256 bits, twice API.md's minimum of 128.
const invitationTokenBytes = 32

// NewInvitationToken returns a fresh token from the CSPRNG (base64url, no padding) and its hash.
func NewInvitationToken() (token, hash string, err error) {
	var b [invitationTokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, InvitationTokenHash(token), nil
}

// InvitationTokenHash is the stored form of a token: its SHA-256, lower-case hex.
func InvitationTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// WellFormedInvitationToken reports whether token could have been issued by NewInvitationToken,
// so a malformed one is refused without a lookup (and with the same answer as an unknown one).
func WellFormedInvitationToken(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(invitationTokenBytes) {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil && len(b) == invitationTokenBytes
}

// InvitationNotValid is the one answer for a used, revoked, expired, unknown or malformed
// token: telling them apart would tell a guesser which tokens exist.
func InvitationNotValid() error {
	return &Error{Code: ErrInvitationNotValid,
		Message: "This invitation link is not valid: it may have been used, revoked or have expired. Ask your partner for a new one."}
}

// InvitationInput is a partner's request to invite a customer.
type InvitationInput struct {
	CustomerEmail string `json:"customerEmail"`
	CustomerName  string `json:"customerName"`
	// Message, when set, is the partner's edited mail text; LinkPlaceholder marks where the link goes.
	Message string `json:"message,omitempty"`
	Send    bool   `json:"send"`
}

// Normalize trims the one-line fields and the message's surrounding blank space.
func (in *InvitationInput) Normalize() {
	trim(&in.CustomerEmail, &in.CustomerName)
	in.Message = strings.TrimSpace(strings.ReplaceAll(in.Message, "\r\n", "\n"))
}

// Validate checks the fields, then that an edited message keeps the link's placeholder.
func (in *InvitationInput) Validate() error {
	var p Problems
	Email(&p, "customerEmail", in.CustomerEmail, true)
	required(&p, "customerName", in.CustomerName, 200)
	switch {
	case strings.ContainsFunc(in.Message, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		p.Add("message", "must be text without control characters other than line breaks and tabs")
	case len([]rune(in.Message)) > MaxInvitationMessage:
		p.Add("message", "must be at most %d characters", MaxInvitationMessage)
	}
	if err := p.Err(); err != nil {
		return err
	}
	if in.Message != "" && !strings.Contains(in.Message, LinkPlaceholder) {
		return &Error{Code: ErrInvitationLinkMissing,
			Message: "Your message must contain the placeholder " + LinkPlaceholder + " where the invitation link goes.",
			Fields:  []FieldError{{Field: "message", Message: "must contain " + LinkPlaceholder}}}
	}
	return nil
}

// AcceptForm is what a customer fills in to accept an invitation.
type AcceptForm struct {
	CompanyName string `json:"companyName"`
	Domain      string `json:"domain"`
	TenantID    string `json:"tenantId"`
	AdminName   string `json:"adminName"`
	AdminEmail  string `json:"adminEmail"`
	Agree       bool   `json:"agree"`
}

// Normalize trims every field and lower-cases the domain and tenant ID.
func (f *AcceptForm) Normalize() {
	trim(&f.CompanyName, &f.Domain, &f.TenantID, &f.AdminName, &f.AdminEmail)
	f.Domain, f.TenantID = strings.ToLower(f.Domain), strings.ToLower(f.TenantID)
}

// Validate checks every field: an existing customer has a tenant, so its ID is required.
func (f *AcceptForm) Validate() error {
	var p Problems
	required(&p, "companyName", f.CompanyName, 200)
	domain(&p, "domain", f.Domain, true)
	tenantID(&p, "tenantId", f.TenantID, true)
	required(&p, "adminName", f.AdminName, 200)
	Email(&p, "adminEmail", f.AdminEmail, true)
	if !f.Agree {
		p.Add("agree", "must be accepted to create the reseller relationship")
	}
	return p.Err()
}
