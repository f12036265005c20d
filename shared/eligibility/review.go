package eligibility

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// Review is the eligibility team's work: the queue, one request with its evidence, and decisions.
type Review struct {
	Store *store.Store
	Now   func() time.Time
	Log   *slog.Logger
}

// QueueItem is a request as the queue shows it.
type QueueItem struct {
	onboard.EligibilityRequest
	Overdue bool `json:"overdue"`
}

// Queue lists requests, oldest reply-by date first. With no status, it lists the open ones
// (Submitted and NeedsInformation); typ filters by request type when set.
func (rv *Review) Queue(ctx context.Context, status onboard.Status, typ onboard.RequestType) ([]QueueItem, error) {
	statuses := []onboard.Status{onboard.StatusSubmitted, onboard.StatusNeedsInformation}
	if status != "" {
		statuses = []onboard.Status{status}
	}
	now := rv.Now()
	var out []QueueItem
	for _, st := range statuses {
		reqs, err := rv.Store.Requests(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, r := range reqs {
			if typ == "" || r.Type == typ {
				out = append(out, QueueItem{EligibilityRequest: r, Overdue: r.Overdue(now)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b QueueItem) int {
		if c := compare(a.ResponseDueBy, b.ResponseDueBy); c != 0 {
			return c
		}
		return a.SubmittedAt.Compare(b.SubmittedAt)
	})
	return out, nil
}

func compare(a, b onboard.Date) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Request returns one request as the queue shows it.
func (rv *Review) Request(ctx context.Context, id string) (*QueueItem, error) {
	r, err := rv.Store.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	return &QueueItem{EligibilityRequest: *r, Overdue: r.Overdue(rv.Now())}, nil
}

// CheckedEvidence is the evidence with the result of recomputing its hash.
type CheckedEvidence struct {
	onboard.Evidence
	RecomputedSHA256 string `json:"recomputedSha256"`
	Intact           bool   `json:"intact"`
}

// Evidence returns a request's evidence, its SHA-256 recomputed and compared.
func (rv *Review) Evidence(ctx context.Context, id string) (*CheckedEvidence, error) {
	e, err := rv.Store.Evidence(ctx, id)
	if err != nil {
		return nil, err
	}
	sum := onboard.EvidenceDigest(e)
	return &CheckedEvidence{Evidence: *e, RecomputedSHA256: sum, Intact: sum == e.SHA256}, nil
}

// DecisionInput is a reviewer's decision as submitted.
type DecisionInput struct {
	Decision   onboard.Status `json:"decision"`
	Reason     string         `json:"reason"`
	MaxCreates *int           `json:"maxCreates"`
}

// Result is what a decision produced.
type Result struct {
	Request    *onboard.EligibilityRequest `json:"request"`
	Validation *onboard.ValidationCode     `json:"validation,omitempty"`
}

// Decide records a decision. It checks the request's state before the body's fields (API.md's
// order), then writes the request, the partner's qualification or the customer's validation code,
// the contact's mail and the audit record in one transaction.
func (rv *Review) Decide(ctx context.Context, who onboard.Principal, id string, in DecisionInput) (*Result, error) {
	r, err := rv.Store.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status.Final() {
		return nil, store.AlreadyDecided(r)
	}
	if err := in.validate(r); err != nil {
		return nil, err
	}
	now := rv.Now().UTC()
	before := r.Status
	d := store.DecisionWrite{Request: r, ReleaseLock: in.Decision.Final()}
	r.Status, r.UpdatedAt = in.Decision, now
	r.Decision = &onboard.Decision{Decision: in.Decision, Reason: in.Reason, DecidedBy: who.Subject, DecidedAt: now}
	res := &Result{Request: r}
	if in.Decision == onboard.StatusApproved {
		switch r.Type {
		case onboard.TypePartner:
			if d.Partner, err = rv.qualify(ctx, r, now); err != nil {
				return nil, err
			}
		case onboard.TypeCustomer:
			n := 1
			if in.MaxCreates != nil {
				n = *in.MaxCreates
			}
			r.Decision.MaxCreates = n
			d.Validation = &onboard.ValidationCode{ValidationID: onboard.NewID("val"), PartnerID: r.PartnerID,
				OrganizationName: r.OrganizationName, MaxCreates: n, RemainingCreates: n, CustomerTenantID: r.TenantID,
				Domain: r.Customer.Domain, RequestID: r.ID, CreatedAt: now}
			res.Validation = d.Validation
		}
	}
	m, err := Notify(mail.Decision{Request: r, Contact: contactName(r), Decision: in.Decision, Reason: in.Reason,
		Validation: d.Validation}, []string{r.ContactEmail}, r, now)
	if err != nil {
		return nil, err
	}
	fx := store.Effects{Mail: []*onboard.Notification{m}, Audit: []*onboard.AuditRecord{{ID: onboard.NewID("au"), At: now,
		Actor: who.Subject, Role: string(who.Role), PartnerID: r.PartnerID, Action: "eligibility.decide",
		RecordType: "EligibilityRequest", RecordID: r.ID, Before: string(before), After: string(in.Decision)}}}
	if err := rv.Store.Decide(ctx, d, fx); err != nil {
		return nil, err
	}
	rv.log().Info("eligibility decision", "request", r.ID, "decision", in.Decision, "reviewer", who.Subject)
	return res, nil
}

// qualify returns the partner's profile with the GCC reseller qualification added.
func (rv *Review) qualify(ctx context.Context, r *onboard.EligibilityRequest, now time.Time) (*onboard.PartnerProfile, error) {
	p, err := rv.Store.PartnerProfile(ctx, r.PartnerID)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = &onboard.PartnerProfile{TenantID: r.PartnerID}
	}
	p.CompanyName, p.PartnerType, p.ContactEmail = r.OrganizationName, r.Partner.PartnerType, r.ContactEmail
	if !slices.Contains(p.ResellerQualifications, onboard.GovernmentCommunityCloudQualification) {
		p.ResellerQualifications = append(p.ResellerQualifications, onboard.GovernmentCommunityCloudQualification)
	}
	p.QualifiedAt = &now
	return p, nil
}

func (in DecisionInput) validate(r *onboard.EligibilityRequest) error {
	var p onboard.Problems
	switch in.Decision {
	case onboard.StatusApproved, onboard.StatusDenied, onboard.StatusNeedsInformation:
	case "":
		p.Add("decision", "is required")
	default:
		p.Add("decision", "must be Approved, Denied or NeedsInformation")
	}
	if (in.Decision == onboard.StatusDenied || in.Decision == onboard.StatusNeedsInformation) && in.Reason == "" {
		p.Add("reason", "is required when the decision is %s", in.Decision)
	}
	if len(in.Reason) > 2000 {
		p.Add("reason", "must be at most 2000 characters")
	}
	if in.MaxCreates != nil {
		switch {
		case r.Type != onboard.TypeCustomer || in.Decision != onboard.StatusApproved:
			p.Add("maxCreates", "applies only when approving a customer request")
		case *in.MaxCreates < 1 || *in.MaxCreates > onboard.MaxCreatesLimit:
			p.Add("maxCreates", "must be between 1 and %d", onboard.MaxCreatesLimit)
		}
	}
	return p.Err()
}

func (rv *Review) log() *slog.Logger {
	if rv.Log != nil {
		return rv.Log
	}
	return slog.Default()
}
