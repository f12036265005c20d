package store

import (
	"context"
	"errors"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// openLock marks that a tenant (or, for a customer without one yet, a domain) has an open request;
// creating it with the request makes a second open request fail atomically.
type openLock struct {
	RequestID string `json:"requestId"`
}

// OpenSubject is what the duplicate rule is keyed on: the applicant's tenant, else its domain.
func OpenSubject(r *onboard.EligibilityRequest) string {
	if r.TenantID != "" {
		return "tenant#" + r.TenantID
	}
	if r.Customer != nil {
		return "domain#" + r.Customer.Domain
	}
	return "request#" + r.ID
}

// Submission is a new eligibility request with its evidence. RequirePartner, when set, is the
// transacting partner's profile as read: the transaction fails if it changed in the meantime.
type Submission struct {
	Request        *onboard.EligibilityRequest
	Evidence       *onboard.Evidence
	RequirePartner *onboard.PartnerProfile
}

// Submit writes a new request, its evidence, the open-request lock and fx in one transaction.
func (s *Store) Submit(ctx context.Context, sub Submission, fx Effects) error {
	r := sub.Request
	r.Version = 1
	ops := []Op{
		PutNew(requestItem(r)),
		PutNew(Item{Key: evidenceKey(r.ID), Kind: KindEvidence, Version: 1, Data: sub.Evidence}),
		PutNew(Item{Key: openLockKey(r.Type, OpenSubject(r)), Kind: KindOpenLock, Version: 1, Data: openLock{r.ID}}),
	}
	if p := sub.RequirePartner; p != nil {
		ops = append(ops, CheckVersion(partnerKey(p.TenantID), p.Version))
	}
	failed, err := s.transact(ctx, ops, fx)
	switch {
	case err == nil || errors.Is(err, ErrIdempotentReplay):
		return err
	case failed == 2:
		return &onboard.Error{Code: onboard.ErrDuplicateRequest,
			Message: "An eligibility request for this " + subjectWord(r) + " is already open; wait for its decision or contact " + onboard.SupportEmail + "."}
	case failed == 3:
		return &onboard.Error{Code: onboard.ErrPartnerNotGccQualified,
			Message: "The transacting partner's qualification changed while you submitted; check the partner tenant ID and try again."}
	case failed >= 0:
		return conflict("The request")
	}
	return err
}

func subjectWord(r *onboard.EligibilityRequest) string {
	if r.TenantID == "" {
		return "domain"
	}
	return "tenant"
}

// Request reads one eligibility request.
func (s *Store) Request(ctx context.Context, id string) (*onboard.EligibilityRequest, error) {
	var r onboard.EligibilityRequest
	if err := s.b.Get(ctx, requestKey(id), &r); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Eligibility request " + id)
		}
		return nil, err
	}
	return &r, nil
}

// Evidence reads the evidence recorded with request id.
func (s *Store) Evidence(ctx context.Context, id string) (*onboard.Evidence, error) {
	var e onboard.Evidence
	if err := s.b.Get(ctx, evidenceKey(id), &e); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Evidence for request " + id)
		}
		return nil, err
	}
	return &e, nil
}

// Requests lists requests in status, oldest reply-by date first.
func (s *Store) Requests(ctx context.Context, status onboard.Status) ([]onboard.EligibilityRequest, error) {
	var out []onboard.EligibilityRequest
	err := s.b.Query(ctx, Query{Index: IndexGSI1, PK: requestQueuePK(status)}, &out)
	return out, err
}
