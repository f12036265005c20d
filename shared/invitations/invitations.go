// Package invitations is the reseller relationship step: a GCC-qualified partner invites an
// existing customer with a single-use, expiring link (or hands out its reusable relationship
// link), and the customer accepts it on a public page, which makes it the partner's customer.
//
// A link's token is 256 bits from the CSPRNG and is stored only as its SHA-256. Where the link
// itself must be kept to be shown or sent later (the outbox item of the invitation mail, the
// idempotency record of the creating request, the reusable link), it is sealed by an
// onboard.Sealer: KMS in AWS, a local AES key on the local server.
package invitations

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/store"
)

// DefaultExpiry is how long an invitation link works when the Service sets no Expiry.
const DefaultExpiry = 14 * 24 * time.Hour

// RelationshipLinkExpiry is how long a partner's reusable relationship link works. It is re-issued
// once less than the single-use Expiry is left, so a link just handed out never dies within days.
const RelationshipLinkExpiry = 365 * 24 * time.Hour

// linkName is the placeholder name of the link in mail: LinkPlaceholder is "{{" + linkName + "}}".
const linkName = "link"

// retries bounds the retries of a write that lost a race: DynamoDB cancels a transaction that
// touches an item another transaction holds (transient), and a conditional write fails when
// another request wrote first. The retry re-reads, so an acceptance that lost answers 410 once
// the winner has committed, and a relationship link request shows the winner's link.
const retries = 4

// Service runs invitations.
type Service struct {
	Store  *store.Store
	Sealer onboard.Sealer
	// BaseURL is the public base URL links are built on (e.g. https://onboard.example.gov), from
	// configuration: never from a request's Host header, which a client chooses.
	BaseURL string
	Expiry  time.Duration // 0 means DefaultExpiry
	Now     func() time.Time
	Log     *slog.Logger
}

// Email is the invitation mail as the partner sees it in the response.
type Email struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// Created is the answer to creating an invitation.
type Created struct {
	ID        string                   `json:"id"`
	URL       string                   `json:"url"`
	Status    onboard.InvitationStatus `json:"status"`
	ExpiresAt time.Time                `json:"expiresAt"`
	Email     Email                    `json:"email"`
}

// View is an invitation as the partner lists it: never its token, hash or link.
type View struct {
	ID            string                   `json:"id"`
	Status        onboard.InvitationStatus `json:"status"`
	Reusable      bool                     `json:"reusable"`
	CustomerEmail string                   `json:"customerEmail,omitempty"`
	CustomerName  string                   `json:"customerName,omitempty"`
	Sent          bool                     `json:"sent"`
	CreatedBy     string                   `json:"createdBy"`
	CreatedAt     time.Time                `json:"createdAt"`
	ExpiresAt     time.Time                `json:"expiresAt"`
	AcceptedAt    *time.Time               `json:"acceptedAt,omitempty"`
	CustomerID    string                   `json:"customerId,omitempty"`
	RevokedAt     *time.Time               `json:"revokedAt,omitempty"`
}

// Offer is what the customer's page shows about a valid invitation.
type Offer struct {
	PartnerName  string
	CustomerName string
	ExpiresAt    time.Time
}

// Accepted is the answer to an acceptance: the new customer as the partner will see it.
type Accepted struct {
	ID                    string                 `json:"id"`
	CompanyProfile        onboard.CompanyProfile `json:"companyProfile"`
	Relationship          string                 `json:"relationship"`
	SpecialQualifications []string               `json:"specialQualifications"`
	PartnerName           string                 `json:"partnerCompanyName"`
}

// Submitter is where an acceptance came from, for the audit record.
type Submitter struct {
	IP        string
	UserAgent string
}

// Qualified returns the caller's partner profile if the partner may invite customers (it holds
// Government_community_cloud), else PartnerNotGccQualified.
func (s *Service) Qualified(ctx context.Context, who onboard.Principal) (*onboard.PartnerProfile, error) {
	p, err := s.Store.PartnerProfile(ctx, who.PartnerID)
	if err != nil {
		return nil, err
	}
	if !p.GCCQualified() {
		return nil, &onboard.Error{Code: onboard.ErrPartnerNotGccQualified,
			Message: "Only a GCC-qualified partner (Government_community_cloud among its reseller qualifications) may invite customers; apply with the partner GCC eligibility form."}
	}
	return p, nil
}

// Create records an invitation of partner (as returned by Qualified) and, with in.Send, its mail
// to the customer, in one transaction. idem, when set, stores the answer sealed: it holds the link.
func (s *Service) Create(ctx context.Context, who onboard.Principal, partner *onboard.PartnerProfile,
	in onboard.InvitationInput, idem *store.Idempotency) (*Created, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	token, hash, err := onboard.NewInvitationToken()
	if err != nil {
		return nil, err
	}
	inv := &onboard.Invitation{ID: onboard.NewID("inv"), PartnerID: partner.TenantID, CustomerEmail: in.CustomerEmail,
		CustomerName: in.CustomerName, Status: onboard.InvitationPending, TokenSHA256: hash, Sent: in.Send,
		CreatedBy: who.Subject, CreatedByEmail: who.Email, CreatedAt: now, ExpiresAt: now.Add(s.expiry())}
	link, err := s.link(token)
	if err != nil {
		return nil, err
	}
	// The mail holds the link only as its placeholder: it is stored so, with the link sealed beside it.
	invitation := mail.Invitation{Partner: partnerName(partner), CustomerName: inv.CustomerName, Message: in.Message,
		Link: outbox.Placeholder(linkName), ExpiresAt: inv.ExpiresAt}
	r, err := mail.Render(invitation)
	if err != nil {
		return nil, err
	}
	subject, text, _ := outbox.Fill(r.Subject, r.Text, r.HTML, map[string]string{linkName: link})
	created := &Created{ID: inv.ID, URL: link, Status: onboard.InvitationPending, ExpiresAt: inv.ExpiresAt,
		Email: Email{Subject: subject, Text: text}}

	fx := store.Effects{Audit: []*onboard.AuditRecord{s.audit(who, now, inv, "invitation.create", "", onboard.InvitationPending)}}
	if in.Send {
		n, err := mail.NewNotification(invitation, []string{in.CustomerEmail}, partner.TenantID, inv.ID, now)
		if err != nil {
			return nil, err
		}
		if n.Sealed, err = s.seal(ctx, link); err != nil {
			return nil, err
		}
		fx.Mail = []*onboard.Notification{n}
	}
	if idem != nil {
		body, err := json.Marshal(created)
		if err != nil {
			return nil, err
		}
		sealed, err := s.Sealer.Seal(ctx, string(append(body, '\n')))
		if err != nil {
			return nil, err
		}
		idem.Status, idem.ContentType, idem.Body, idem.Sealed, idem.CreatedAt = 201, "application/json", []byte(sealed), true, now
		fx.Idempotency = idem
	}
	if err := s.Store.CreateInvitation(ctx, inv, nil, fx); err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "invitation created", "invitation", inv.ID, "partner", inv.PartnerID, "sent", in.Send)
	return created, nil
}

// RelationshipLink returns partner's reusable relationship link, as Partner Center's
// relationship request gives it. It is created on first use and re-issued once it is revoked,
// expired or has less than the single-use Expiry left; the previous link keeps working until it
// expires or is revoked.
func (s *Service) RelationshipLink(ctx context.Context, who onboard.Principal) (string, error) {
	partner, err := s.Qualified(ctx, who)
	if err != nil {
		return "", err
	}
	for attempt := 0; ; attempt++ {
		rec, err := s.Store.RelationshipLink(ctx, partner.TenantID)
		if err != nil {
			return "", err
		}
		if rec != nil {
			inv, err := s.Store.Invitation(ctx, partner.TenantID, rec.InvitationID)
			if err != nil && onboard.ErrorCode(err) != onboard.ErrNotFound {
				return "", err
			}
			if inv != nil && inv.StatusAt(s.now().Add(s.expiry())) == onboard.InvitationPending {
				link, err := s.Sealer.Open(ctx, rec.SealedURL)
				if err == nil || onboard.ErrorCode(err) == onboard.ErrUnavailable {
					return link, err
				}
				// Sealed under a key that is gone (a reset local key, say): issue a new link.
				s.log().WarnContext(ctx, "relationship link cannot be opened; issuing a new one", "partner", partner.TenantID, "error", err)
			}
		}
		link, err := s.issueLink(ctx, who, partner, rec)
		if code := onboard.ErrorCode(err); (code == onboard.ErrConflict || code == onboard.ErrUnavailable) && attempt < retries {
			// Another request issued it at the same time: show that one.
			if err := backoff(ctx, attempt); err != nil {
				return "", err
			}
			continue
		}
		return link, err
	}
}

func (s *Service) issueLink(ctx context.Context, who onboard.Principal, partner *onboard.PartnerProfile, rec *store.RelationshipLink) (string, error) {
	now := s.now()
	token, hash, err := onboard.NewInvitationToken()
	if err != nil {
		return "", err
	}
	inv := &onboard.Invitation{ID: onboard.NewID("inv"), PartnerID: partner.TenantID, Reusable: true,
		Status: onboard.InvitationPending, TokenSHA256: hash, CreatedBy: who.Subject, CreatedByEmail: who.Email,
		CreatedAt: now, ExpiresAt: now.Add(RelationshipLinkExpiry)}
	link, err := s.link(token)
	if err != nil {
		return "", err
	}
	sealed, err := s.Sealer.Seal(ctx, link)
	if err != nil {
		return "", err
	}
	if rec == nil {
		rec = &store.RelationshipLink{PartnerID: partner.TenantID}
	}
	rec.InvitationID, rec.SealedURL, rec.UpdatedAt = inv.ID, sealed, now
	fx := store.Effects{Audit: []*onboard.AuditRecord{s.audit(who, now, inv, "invitation.create", "", onboard.InvitationPending)}}
	if err := s.Store.CreateInvitation(ctx, inv, rec, fx); err != nil {
		return "", err
	}
	s.log().InfoContext(ctx, "relationship link issued", "invitation", inv.ID, "partner", inv.PartnerID)
	return link, nil
}

// List returns partner's invitations, newest first, each with its status as of now.
func (s *Service) List(ctx context.Context, partner string) ([]View, error) {
	all, err := s.Store.Invitations(ctx, partner)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]View, 0, len(all))
	for _, i := range all {
		out = append(out, View{ID: i.ID, Status: i.StatusAt(now), Reusable: i.Reusable, CustomerEmail: i.CustomerEmail,
			CustomerName: i.CustomerName, Sent: i.Sent, CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt,
			AcceptedAt: i.AcceptedAt, CustomerID: i.CustomerID, RevokedAt: i.RevokedAt})
	}
	slices.SortStableFunc(out, func(a, b View) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// Revoke revokes one of the caller's partner's invitations: its link stops working at once.
// Revoking a revoked invitation is a no-op; an accepted one cannot be revoked.
func (s *Service) Revoke(ctx context.Context, who onboard.Principal, id string) error {
	for attempt := 0; ; attempt++ {
		inv, err := s.Store.Invitation(ctx, who.PartnerID, id)
		if err != nil {
			return err
		}
		now := s.now()
		before := inv.StatusAt(now)
		switch inv.Status {
		case onboard.InvitationRevoked:
			return nil
		case onboard.InvitationAccepted:
			return onboard.Errorf(onboard.ErrInvitationAccepted, "Invitation %s was already accepted; it can no longer be revoked.", id)
		}
		inv.Status, inv.RevokedAt, inv.RevokedBy = onboard.InvitationRevoked, &now, who.Subject
		fx := store.Effects{Audit: []*onboard.AuditRecord{s.audit(who, now, inv, "invitation.revoke", before, onboard.InvitationRevoked)}}
		err = s.Store.RevokeInvitation(ctx, inv, fx)
		if onboard.ErrorCode(err) == onboard.ErrConflict && attempt < 2 {
			continue // accepted or revoked meanwhile: answer for the state it is in now
		}
		if err == nil {
			s.log().InfoContext(ctx, "invitation revoked", "invitation", inv.ID, "partner", inv.PartnerID)
		}
		return err
	}
}

// Open returns what the customer's page shows for a valid token, and changes nothing (mail
// scanners fetch links before people do). Every invalid token gets InvitationNotValid.
func (s *Service) Open(ctx context.Context, token string) (*Offer, error) {
	inv, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	p, err := s.Store.PartnerProfile(ctx, inv.PartnerID)
	if err != nil {
		return nil, err
	}
	return &Offer{PartnerName: partnerName(p), CustomerName: inv.CustomerName, ExpiresAt: inv.ExpiresAt}, nil
}

// Valid returns InvitationNotValid unless token is a pending invitation's.
func (s *Service) Valid(ctx context.Context, token string) error {
	_, err := s.lookup(ctx, token)
	return err
}

// Accept makes the customer that fills in f the partner's customer, in one transaction with the
// invitation's acceptance, the partner's mail and the audit records. The token's state is checked
// before the form's fields (API.md's order). idem, when set, stores the answer.
func (s *Service) Accept(ctx context.Context, token string, f onboard.AcceptForm, who Submitter, idem *store.Idempotency) (*Accepted, error) {
	for attempt := 0; ; attempt++ {
		res, err := s.accept(ctx, token, f, who, idem)
		if onboard.ErrorCode(err) != onboard.ErrUnavailable || attempt == retries {
			return res, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// backoff waits before retry attempt+1, with jitter so that racing requests do not collide
// again in lockstep.
func backoff(ctx context.Context, attempt int) error {
	wait := time.Duration(attempt+1)*20*time.Millisecond + rand.N(20*time.Millisecond)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}

func (s *Service) accept(ctx context.Context, token string, f onboard.AcceptForm, who Submitter, idem *store.Idempotency) (*Accepted, error) {
	inv, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	f.Normalize()
	if err := f.Validate(); err != nil {
		return nil, err
	}
	partner, err := s.Store.PartnerProfile(ctx, inv.PartnerID)
	if err != nil {
		return nil, err
	}
	// The transaction's relationship marker catches a tenant that accepted an earlier invitation;
	// a customer the partner created itself (POST /v1/customers) is found here, in the index of
	// the partner's customers by tenant (one small query, however many customers it has).
	if exists, err := s.Store.HasCustomerWithTenant(ctx, inv.PartnerID, f.TenantID); err != nil {
		return nil, err
	} else if exists {
		return nil, store.RelationshipExists()
	}
	c, err := s.customer(ctx, inv, f)
	if err != nil {
		return nil, err
	}
	now := c.CreatedAt
	before := inv.Status
	if !inv.Reusable {
		inv.Status, inv.AcceptedAt, inv.CustomerID = onboard.InvitationAccepted, &now, c.ID
	}
	actor := onboard.Principal{Subject: "public:" + f.AdminEmail}
	fx := store.Effects{Audit: []*onboard.AuditRecord{
		s.audit(actor, now, inv, "invitation.accept", before, inv.Status),
		{ID: onboard.NewID("au"), At: now, Actor: actor.Subject, PartnerID: inv.PartnerID, Action: "customer.create",
			RecordType: "Customer", RecordID: c.ID, After: string(c.Qualification)},
	}}
	if to := partnerRecipients(partner, inv); len(to) > 0 {
		n, err := mail.NewNotification(mail.InvitationAccepted{Customer: c, Invitation: inv, AdminName: f.AdminName},
			to, inv.PartnerID, c.ID, now)
		if err != nil {
			return nil, err
		}
		fx.Mail = []*onboard.Notification{n}
	}
	res := &Accepted{ID: c.ID, CompanyProfile: c.CompanyProfile, Relationship: c.Relationship,
		SpecialQualifications: c.SpecialQualifications(), PartnerName: partnerName(partner)}
	if idem != nil {
		body, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		idem.Status, idem.ContentType, idem.Body, idem.CreatedAt = 201, "application/json", append(body, '\n'), now
		fx.Idempotency = idem
	}
	if err := s.Store.AcceptInvitation(ctx, store.Acceptance{Invitation: inv, Customer: c}, fx); err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "invitation accepted", "invitation", inv.ID, "partner", inv.PartnerID, "customer", c.ID,
		"qualification", c.Qualification, "ip", who.IP)
	return res, nil
}

// customer is the customer an acceptance creates. It holds the GCC qualification if its tenant
// already holds an approved GCC validation (a validation code is only issued on approval), with
// whichever partner; the code's ID is kept only when it is this partner's own.
func (s *Service) customer(ctx context.Context, inv *onboard.Invitation, f onboard.AcceptForm) (*onboard.Customer, error) {
	codes, err := s.Store.TenantValidations(ctx, f.TenantID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	first, last := splitName(f.AdminName)
	c := &onboard.Customer{ID: onboard.NewID("cu"), PartnerID: inv.PartnerID,
		CompanyProfile: onboard.CompanyProfile{CompanyName: f.CompanyName, Domain: f.Domain, TenantID: f.TenantID},
		BillingProfile: onboard.BillingProfile{Email: f.AdminEmail, FirstName: first, LastName: last},
		Relationship:   onboard.RelationshipReseller, Qualification: onboard.QualificationNone, Origin: "invitation",
		CreatedAt: now, UpdatedAt: now}
	if len(codes) > 0 {
		c.Qualification = onboard.QualificationGCC
		for _, v := range codes {
			if v.PartnerID == inv.PartnerID {
				c.ValidationID = v.ValidationID
				break
			}
		}
	}
	return c, nil
}

// lookup resolves a token to its pending invitation. Malformed, unknown, used, revoked and
// expired tokens all give the same InvitationNotValid, so an answer says nothing about which
// tokens exist.
func (s *Service) lookup(ctx context.Context, token string) (*onboard.Invitation, error) {
	if !onboard.WellFormedInvitationToken(token) {
		return nil, onboard.InvitationNotValid()
	}
	inv, err := s.Store.InvitationByToken(ctx, onboard.InvitationTokenHash(token))
	if onboard.ErrorCode(err) == onboard.ErrNotFound {
		return nil, onboard.InvitationNotValid()
	}
	if err != nil {
		return nil, err
	}
	if inv.StatusAt(s.now()) != onboard.InvitationPending {
		return nil, onboard.InvitationNotValid()
	}
	return inv, nil
}

// link is the customer's URL for token.
func (s *Service) link(token string) (string, error) {
	base := strings.TrimSuffix(s.BaseURL, "/")
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
		return "", errors.New("invitations: no public base URL configured")
	}
	return base + "/invitations/" + token, nil
}

func (s *Service) seal(ctx context.Context, link string) (map[string]string, error) {
	sealed, err := s.Sealer.Seal(ctx, link)
	if err != nil {
		return nil, err
	}
	return map[string]string{linkName: sealed}, nil
}

func (s *Service) audit(who onboard.Principal, now time.Time, inv *onboard.Invitation, action string, before, after onboard.InvitationStatus) *onboard.AuditRecord {
	return &onboard.AuditRecord{ID: onboard.NewID("au"), At: now, Actor: who.Subject, Role: string(who.Role),
		PartnerID: inv.PartnerID, Action: action, RecordType: "Invitation", RecordID: inv.ID,
		Before: string(before), After: string(after)}
}

// partnerRecipients are who hears of an acceptance: the partner's contact and the agent who
// created the invitation, when its token carried an email.
func partnerRecipients(p *onboard.PartnerProfile, inv *onboard.Invitation) []string {
	var to []string
	for _, a := range []string{contactEmail(p), inv.CreatedByEmail} {
		if a != "" && !slices.Contains(to, a) {
			to = append(to, a)
		}
	}
	return to
}

func contactEmail(p *onboard.PartnerProfile) string {
	if p == nil {
		return ""
	}
	return p.ContactEmail
}

func partnerName(p *onboard.PartnerProfile) string {
	if p == nil || p.CompanyName == "" {
		return "Your partner"
	}
	return p.CompanyName
}

// splitName splits "Ana María Li" into "Ana María" and "Li"; one word is a first name.
func splitName(name string) (first, last string) {
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		return strings.TrimSpace(name[:i]), name[i+1:]
	}
	return name, ""
}

func (s *Service) expiry() time.Duration {
	if s.Expiry > 0 {
		return s.Expiry
	}
	return DefaultExpiry
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
