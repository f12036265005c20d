// Package customers runs the partner's customer accounts: creating a customer, commercial or with
// the Government Community Cloud (GCC) special qualification under a validation code, the account
// view, and adding GCC to an existing customer, the only way a qualification changes.
package customers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// DefaultAttempts bounds how often a write that lost an optimistic-locking race is read again and
// retried. Losing means another write used the same validation code (or changed the customer or
// the partner) first; each retry re-reads, so an exhausted code then gives a clean refusal.
const DefaultAttempts = 10

// WelcomeTemplate names the mail sent to a new customer's billing contact.
var WelcomeTemplate = mail.CustomerWelcome{}.Name()

// Service is the partner's customer accounts.
type Service struct {
	Store *store.Store
	Now   func() time.Time
	Log   *slog.Logger
	// Attempts overrides DefaultAttempts when above 0.
	Attempts int
}

// View is a customer as the API shows it, in lists and on its own.
type View struct {
	ID             string                 `json:"id"`
	CompanyProfile onboard.CompanyProfile `json:"companyProfile"`
	BillingProfile onboard.BillingProfile `json:"billingProfile"`
	Relationship   string                 `json:"relationship"`
	Qualification  onboard.Qualification  `json:"qualification"`
	// SpecialQualifications is Partner Center's Special Qualifications row: never null.
	SpecialQualifications []string  `json:"specialQualifications"`
	ValidationID          string    `json:"validationId,omitempty"`
	CreatedAt             time.Time `json:"createdAt"`
}

// ViewOf returns the API's view of c.
func ViewOf(c *onboard.Customer) View {
	q := c.Qualification
	if q == "" {
		q = onboard.QualificationNone
	}
	return View{ID: c.ID, CompanyProfile: c.CompanyProfile, BillingProfile: c.BillingProfile, Relationship: c.Relationship,
		Qualification: q, SpecialQualifications: c.SpecialQualifications(), ValidationID: c.ValidationID, CreatedAt: c.CreatedAt}
}

// QualificationView is one of a customer's special qualifications as the API shows it.
type QualificationView struct {
	Qualification      onboard.Qualification `json:"qualification"`
	VettingStatus      string                `json:"vettingStatus"`
	VettingReason      string                `json:"vettingReason"`
	VettingCreatedDate time.Time             `json:"vettingCreatedDate"`
	ValidationID       string                `json:"validationId"`
}

// VettingApproved is the vetting status of every qualification granted here: GCC is only granted
// under a validation code, which the eligibility team issues on approval.
const VettingApproved = "Approved"

// Create creates one of who's partner's customers. For a GCC customer the partner must be
// GCC-qualified and quote one of its validation codes with creates left; one of them is used up in
// the same transaction that writes the customer, its welcome mail and audit records (and idem,
// when the request carried an Idempotency-Key). The checks run in API.md's order: the partner's
// qualification, then the code (the record's state), then the body's fields.
func (s *Service) Create(ctx context.Context, who onboard.Principal, in CreateInput, idem *store.Idempotency) (*View, error) {
	in.Normalize()
	now := s.Now().UTC()
	// The customer and its effects keep their IDs across attempts, so an attempt that committed
	// although its answer was lost is recognised (ErrAlreadyWritten), never repeated.
	c := &onboard.Customer{ID: onboard.NewID("cu"), PartnerID: who.PartnerID, CompanyProfile: in.CompanyProfile,
		BillingProfile: in.BillingProfile, Relationship: onboard.RelationshipReseller, Qualification: in.Qualification,
		Origin: "created", CreatedAt: now, UpdatedAt: now}
	if in.Qualification == onboard.QualificationGCC {
		c.ValidationID = in.ValidationID
	}
	view := ViewOf(c)
	mailID, auditIDs := onboard.NewID("ml"), []string{onboard.NewID("au"), onboard.NewID("au")}
	err := s.retry(ctx, func() error {
		partner, err := s.Store.PartnerProfile(ctx, who.PartnerID)
		if err != nil {
			return err
		}
		var grant *store.GCCGrant
		if in.Qualification == onboard.QualificationGCC {
			if !partner.GCCQualified() {
				return notQualified("create a GovernmentCommunityCloud customer")
			}
			code, err := s.usableCode(ctx, who.PartnerID, in.ValidationID)
			if err != nil {
				return err
			}
			grant = newGrant(code, partner, c, who, now)
		}
		if err := in.Validate(); err != nil {
			return err
		}
		fx, err := s.createEffects(c, partner, grant, who, now, mailID, auditIDs)
		if err != nil {
			return err
		}
		if idem != nil {
			if fx.Idempotency, err = replayable(idem, view, "/v1/customers/"+c.ID, now); err != nil {
				return err
			}
		}
		return s.Store.CreateCustomer(ctx, c, grant, fx)
	})
	if errors.Is(err, store.ErrAlreadyWritten) {
		stored, rerr := s.Store.Customer(ctx, who.PartnerID, c.ID)
		if rerr != nil {
			return nil, rerr
		}
		v := ViewOf(stored)
		return &v, nil
	}
	if err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "customer created", "partner", who.PartnerID, "customer", c.ID,
		"qualification", c.Qualification, "validation", c.ValidationID, "agent", who.Subject)
	return &view, nil
}

// createEffects is what a creation causes besides the customer: the billing contact's welcome
// mail and the audit records of the creation and, for GCC, of the code's use.
func (s *Service) createEffects(c *onboard.Customer, partner *onboard.PartnerProfile, grant *store.GCCGrant,
	who onboard.Principal, now time.Time, mailID string, auditIDs []string) (store.Effects, error) {
	welcome := mail.CustomerWelcome{Customer: c}
	if partner != nil {
		welcome.PartnerName = partner.CompanyName
	}
	m, err := mail.NewNotification(welcome, []string{c.BillingProfile.Email}, c.PartnerID, c.ID, now)
	if err != nil {
		return store.Effects{}, err
	}
	m.ID = mailID
	fx := store.Effects{Mail: []*onboard.Notification{m}, Audit: []*onboard.AuditRecord{
		audit(who, now, auditIDs[0], "customer.create", "Customer", c.ID, "", qualificationState(c))}}
	if grant != nil {
		fx.Audit = append(fx.Audit, useAudit(who, now, auditIDs[1], grant.Validation))
	}
	return fx, nil
}

// Qualify adds the GCC qualification to one of who's partner's customers under validation code
// code: the only way a customer's qualification changes after its creation. The customer must
// have none (GCC is irreversible); the code is used up in the same transaction that saves the
// customer and its audit records.
func (s *Service) Qualify(ctx context.Context, who onboard.Principal, customerID, code string, in QualifyInput,
	idem *store.Idempotency) (*QualificationView, error) {
	code = strings.TrimSpace(code)
	now := s.Now().UTC()
	auditIDs := []string{onboard.NewID("au"), onboard.NewID("au")}
	var view QualificationView
	err := s.retry(ctx, func() error {
		partner, err := s.Store.PartnerProfile(ctx, who.PartnerID)
		if err != nil {
			return err
		}
		if !partner.GCCQualified() {
			return notQualified("set the GovernmentCommunityCloud qualification")
		}
		c, err := s.Store.Customer(ctx, who.PartnerID, customerID)
		if err != nil {
			return err
		}
		if c.Qualification != "" && c.Qualification != onboard.QualificationNone {
			return &onboard.Error{Code: onboard.ErrQualificationImmutable,
				Message: fmt.Sprintf("Customer %s already has the %s qualification. It is irreversible: it cannot be removed, replaced or granted again.", c.ID, c.Qualification)}
		}
		v, err := s.usableCode(ctx, who.PartnerID, code)
		if err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		before := qualificationState(c)
		c.Qualification, c.ValidationID, c.UpdatedAt = onboard.QualificationGCC, v.ValidationID, now
		grant := newGrant(v, partner, c, who, now)
		view = qualificationViewOf(grant.Qualification)
		fx := store.Effects{Audit: []*onboard.AuditRecord{
			audit(who, now, auditIDs[0], "customer.qualify", "Customer", c.ID, before, qualificationState(c)),
			useAudit(who, now, auditIDs[1], v)}}
		if idem != nil {
			if fx.Idempotency, err = replayable(idem, view, "/v1/customers/"+c.ID+"/qualifications", now); err != nil {
				return err
			}
		}
		return s.Store.QualifyCustomer(ctx, c, *grant, fx)
	})
	if err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "customer qualified", "partner", who.PartnerID, "customer", customerID,
		"validation", view.ValidationID, "agent", who.Subject)
	return &view, nil
}

// Customer returns one of partner's customers; another partner's is not found.
func (s *Service) Customer(ctx context.Context, partner, id string) (*View, error) {
	c, err := s.Store.Customer(ctx, partner, id)
	if err != nil {
		return nil, err
	}
	v := ViewOf(c)
	return &v, nil
}

// Customers lists partner's customers, created and inherited, oldest first.
func (s *Service) Customers(ctx context.Context, partner string) ([]View, error) {
	cs, err := s.Store.Customers(ctx, partner)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(cs, func(a, b onboard.Customer) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]View, len(cs))
	for i := range cs {
		out[i] = ViewOf(&cs[i])
	}
	return out, nil
}

// Qualifications lists one of partner's customers' special qualifications ([] for None).
func (s *Service) Qualifications(ctx context.Context, partner, id string) ([]QualificationView, error) {
	c, err := s.Store.Customer(ctx, partner, id)
	if err != nil {
		return nil, err
	}
	recs, err := s.Store.CustomerQualifications(ctx, partner, id)
	if err != nil {
		return nil, err
	}
	out := []QualificationView{}
	for i := range recs {
		out = append(out, qualificationViewOf(&recs[i]))
	}
	if len(out) == 0 && c.GCC() {
		// Inherited through an invitation: the tenant held an approved GCC validation already.
		out = append(out, QualificationView{Qualification: onboard.QualificationGCC, VettingStatus: VettingApproved,
			VettingReason:      "The customer's tenant holds an approved GCC eligibility validation.",
			VettingCreatedDate: c.CreatedAt, ValidationID: c.ValidationID})
	}
	return out, nil
}

// Validations lists the validation code one of partner's customers was created or qualified
// under ([] if none of the partner's codes was used).
func (s *Service) Validations(ctx context.Context, partner, id string) ([]onboard.ValidationCode, error) {
	c, err := s.Store.Customer(ctx, partner, id)
	if err != nil {
		return nil, err
	}
	if c.ValidationID == "" {
		return []onboard.ValidationCode{}, nil
	}
	v, err := s.Store.ValidationCode(ctx, partner, c.ValidationID)
	if onboard.ErrorCode(err) == onboard.ErrNotFound {
		return []onboard.ValidationCode{}, nil
	}
	if err != nil {
		return nil, err
	}
	return []onboard.ValidationCode{*v}, nil
}

// usableCode returns partner's validation code id if it has creates left, refusing in API.md's
// order: no ID, an ID that is not the partner's, an exhausted code.
func (s *Service) usableCode(ctx context.Context, partner, id string) (*onboard.ValidationCode, error) {
	if id == "" {
		return nil, &onboard.Error{Code: onboard.ErrValidationIDRequired,
			Message: "A GovernmentCommunityCloud customer needs the validation ID issued when the US Government Cloud Eligibility team approved the customer. " +
				"Stop here: have the customer contact " + onboard.SupportEmail + " to have its GCC eligibility validated, then use the validation ID you receive.",
			Fields: []onboard.FieldError{{Field: "validationId", Message: "is required for a GovernmentCommunityCloud customer"}}}
	}
	invalid := &onboard.Error{Code: onboard.ErrInvalidValidationID,
		Message: "This validation ID is not one of yours. Check it against GET /v1/customers/all/validations: a validation ID is issued to the transacting partner named on the customer's eligibility request.",
		Fields:  []onboard.FieldError{{Field: "validationId", Message: "is not one of your validation IDs"}}}
	if len(id) > 100 || !onboard.SingleLine(id) {
		return nil, invalid
	}
	v, err := s.Store.ValidationCode(ctx, partner, id)
	if onboard.ErrorCode(err) == onboard.ErrNotFound {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if v.RemainingCreates <= 0 {
		return nil, &onboard.Error{Code: onboard.ErrValidationCodeExhausted,
			Message: fmt.Sprintf("Validation ID %s has been used for all %d of its customer creations. Have the customer contact %s for a new validation.",
				v.ValidationID, v.MaxCreates, onboard.SupportEmail)}
	}
	return v, nil
}

// newGrant uses up one of v's creates for customer c and records the qualification it grants.
func newGrant(v *onboard.ValidationCode, partner *onboard.PartnerProfile, c *onboard.Customer, who onboard.Principal, now time.Time) *store.GCCGrant {
	v.RemainingCreates--
	reason := "Approved by the US Government Cloud Eligibility team"
	if v.RequestID != "" {
		reason += " (eligibility request " + v.RequestID + ")"
	}
	return &store.GCCGrant{Validation: v, Partner: partner, Qualification: &store.CustomerQualification{
		PartnerID: c.PartnerID, CustomerID: c.ID, Qualification: onboard.QualificationGCC, VettingStatus: VettingApproved,
		VettingReason: reason + ".", VettingCreatedDate: now, ValidationID: v.ValidationID, GrantedBy: who.Subject}}
}

func qualificationViewOf(q *store.CustomerQualification) QualificationView {
	return QualificationView{Qualification: q.Qualification, VettingStatus: q.VettingStatus, VettingReason: q.VettingReason,
		VettingCreatedDate: q.VettingCreatedDate, ValidationID: q.ValidationID}
}

func notQualified(what string) error {
	return &onboard.Error{Code: onboard.ErrPartnerNotGccQualified,
		Message: "Only a partner with the Government_community_cloud reseller qualification may " + what +
			". Apply through the partner GCC eligibility form, or contact " + onboard.SupportEmail + "."}
}

// replayable fills idem with the response the request is about to get, so a retry with the same
// Idempotency-Key gets exactly these bytes (writeJSON's encoding: JSON plus a newline).
func replayable(idem *store.Idempotency, view any, location string, now time.Time) (*store.Idempotency, error) {
	body, err := json.Marshal(view)
	if err != nil {
		return nil, err
	}
	idem.Status, idem.ContentType, idem.Body, idem.Location, idem.CreatedAt = 201, "application/json", append(body, '\n'), location, now
	return idem, nil
}

func audit(who onboard.Principal, now time.Time, id, action, recordType, recordID, before, after string) *onboard.AuditRecord {
	return &onboard.AuditRecord{ID: id, At: now, Actor: who.Subject, Role: string(who.Role), PartnerID: who.PartnerID,
		Action: action, RecordType: recordType, RecordID: recordID, Before: before, After: after}
}

// useAudit records that one of v's creates was used; v is the code as it will be written.
func useAudit(who onboard.Principal, now time.Time, id string, v *onboard.ValidationCode) *onboard.AuditRecord {
	return audit(who, now, id, "validation.use", "ValidationCode", v.ValidationID,
		fmt.Sprintf("remainingCreates=%d", v.RemainingCreates+1), fmt.Sprintf("remainingCreates=%d", v.RemainingCreates))
}

func qualificationState(c *onboard.Customer) string {
	q := c.Qualification
	if q == "" {
		q = onboard.QualificationNone
	}
	if c.ValidationID == "" {
		return "qualification=" + string(q)
	}
	return "qualification=" + string(q) + " validationId=" + c.ValidationID
}

// retry runs attempt until it does not lose a write race (store.RetryRaces), at most Attempts times.
func (s *Service) retry(ctx context.Context, attempt func() error) error {
	n := s.Attempts
	if n <= 0 {
		n = DefaultAttempts
	}
	return store.RetryRaces(ctx, n, s.log(), attempt)
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
