// Package eligibility runs the first two steps of the process: intake of the partner and customer
// GCC eligibility forms, and their review by the US Government Cloud Eligibility team.
package eligibility

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// Intake accepts intake forms: validates them, checks the tenant's cloud, and records the request,
// its evidence, the acknowledgement and the review team's notice in one transaction.
type Intake struct {
	Store      *store.Store
	Tenants    onboard.TenantCloudChecker // nil: every request is recorded as unverified
	ReviewTeam string                     // the review team's mailbox
	Now        func() time.Time
	Log        *slog.Logger
}

// Submitter is where a form came from, recorded as evidence.
type Submitter struct {
	IP        string
	UserAgent string
}

// SubmitPartner records a partner intake form.
func (in *Intake) SubmitPartner(ctx context.Context, f *onboard.PartnerForm, who Submitter, idem *store.Idempotency) (*onboard.Receipt, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return nil, err
	}
	r := &onboard.EligibilityRequest{Type: onboard.TypePartner, OrganizationName: f.OrganizationName,
		TenantID: f.PartnerTenantID, PartnerID: f.PartnerTenantID, ContactEmail: f.Contact.Email, Partner: f}
	return in.submit(ctx, r, f, f.Contact, f.Attestation, who, idem, nil)
}

// SubmitCustomer records a customer intake form. Its transacting partner must be GCC-qualified,
// both when the form is read and when it is written.
func (in *Intake) SubmitCustomer(ctx context.Context, f *onboard.CustomerForm, who Submitter, idem *store.Idempotency) (*onboard.Receipt, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return nil, err
	}
	partner, err := in.Store.PartnerProfile(ctx, f.PartnerTenantID)
	if err != nil {
		return nil, err
	}
	if !partner.GCCQualified() {
		return nil, &onboard.Error{Code: onboard.ErrPartnerNotGccQualified,
			Message: "The partner tenant ID does not belong to a GCC-qualified indirect provider or direct-bill partner. Ask your partner for its tenant ID, or contact " + onboard.SupportEmail + ".",
			Fields:  []onboard.FieldError{{Field: "partnerTenantId", Message: "must be a GCC-qualified indirect provider or direct-bill partner"}}}
	}
	r := &onboard.EligibilityRequest{Type: onboard.TypeCustomer, OrganizationName: f.OrganizationName,
		TenantID: f.CustomerTenantID, PartnerID: f.PartnerTenantID, ContactEmail: f.Contact.Email, Customer: f}
	return in.submit(ctx, r, f, f.Contact, f.Attestation, who, idem, partner)
}

// submit is the one path both intake forms take after their own validation.
func (in *Intake) submit(ctx context.Context, r *onboard.EligibilityRequest, form any, contact onboard.Contact,
	att onboard.Attestation, who Submitter, idem *store.Idempotency, partner *onboard.PartnerProfile) (*onboard.Receipt, error) {
	if err := in.checkTenant(ctx, r); err != nil {
		return nil, err
	}
	now := in.Now().UTC()
	r.ID = onboard.NewID("er")
	r.Status = onboard.StatusSubmitted
	r.SubmittedAt, r.UpdatedAt = now, now
	r.ResponseDueBy = onboard.ResponseDueBy(now, onboard.ReviewBusinessDays)

	canonical, err := json.Marshal(form)
	if err != nil {
		return nil, err
	}
	ev := &onboard.Evidence{RequestID: r.ID, CanonicalForm: string(canonical), Attestation: att,
		IP: who.IP, UserAgent: who.UserAgent, SubmittedAt: now}
	ev.SHA256 = onboard.EvidenceDigest(ev)

	ack, err := Notify(mail.IntakeAck{Request: r, Contact: contact.Name}, []string{contact.Email}, r, now)
	if err != nil {
		return nil, err
	}
	// The review team's own mail, not the partner's.
	notice, err := mail.NewNotification(mail.IntakeReview{Request: r}, []string{in.ReviewTeam}, "", r.ID, now)
	if err != nil {
		return nil, err
	}
	receipt := r.Receipt()
	fx := store.Effects{Mail: []*onboard.Notification{ack, notice},
		Audit: []*onboard.AuditRecord{{ID: onboard.NewID("au"), At: now, Actor: "public:" + contact.Email,
			PartnerID: r.PartnerID, Action: "eligibility.submit", RecordType: "EligibilityRequest", RecordID: r.ID,
			After: string(onboard.StatusSubmitted)}}}
	if idem != nil {
		body, err := json.Marshal(receipt)
		if err != nil {
			return nil, err
		}
		idem.Status, idem.ContentType, idem.Body, idem.CreatedAt = 201, "application/json", append(body, '\n'), now
		fx.Idempotency = idem
	}
	if err := in.Store.Submit(ctx, store.Submission{Request: r, Evidence: ev, RequirePartner: partner}, fx); err != nil {
		return nil, err
	}
	in.log().Info("eligibility request submitted", "request", r.ID, "type", r.Type, "dueBy", r.ResponseDueBy, "tenantVerified", r.TenantVerified)
	return &receipt, nil
}

// checkTenant records the applicant tenant's cloud. An Azure Government tenant is refused; a lookup
// that fails leaves the request unverified for a reviewer, never refused nor silently accepted.
func (in *Intake) checkTenant(ctx context.Context, r *onboard.EligibilityRequest) error {
	r.TenantCloud = onboard.CloudUnknown
	if r.TenantID == "" || in.Tenants == nil {
		return nil
	}
	cloud, err := in.Tenants.TenantCloud(ctx, r.TenantID)
	if err != nil {
		in.log().Warn("tenant cloud lookup failed; request will be unverified", "error", err)
		return nil
	}
	if cloud == onboard.CloudAzureGovernment {
		field := "partnerTenantId"
		if r.Type == onboard.TypeCustomer {
			field = "customerTenantId"
		}
		return &onboard.Error{Code: onboard.ErrAzureGovernmentTenant,
			Message: "This tenant ID belongs to Azure Government. Give your commercial (global) tenant ID: the Microsoft ID in Partner Center's organization profile.",
			Fields:  []onboard.FieldError{{Field: field, Message: "is an Azure Government tenant; a commercial tenant ID is required"}}}
	}
	r.TenantCloud, r.TenantVerified = cloud, cloud != onboard.CloudUnknown
	return nil
}

// Notify renders t for recipients as a pending outbox item about request r, which its partner sees.
func Notify(t mail.Template, to []string, r *onboard.EligibilityRequest, now time.Time) (*onboard.Notification, error) {
	return mail.NewNotification(t, to, r.PartnerID, r.ID, now)
}

func (in *Intake) log() *slog.Logger {
	if in.Log != nil {
		return in.Log
	}
	return slog.Default()
}
