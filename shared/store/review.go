package store

import (
	"context"
	"errors"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

func validationKey(partner, id string) Key { return Key{"PARTNER#" + partner, "VALIDATION#" + id} }

// tenantValidationPK indexes validation codes by customer tenant, to tell whether a tenant holds
// an approved GCC validation.
func tenantValidationPK(tenant string) string { return "TENANTVAL#" + tenant }

func validationItem(v *onboard.ValidationCode) Item {
	it := Item{Key: validationKey(v.PartnerID, v.ValidationID), Kind: KindValidation, Version: v.Version, Data: v}
	if v.CustomerTenantID != "" {
		it.GSI1PK, it.GSI1SK = tenantValidationPK(v.CustomerTenantID), v.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return it
}

// DecisionWrite is a reviewer's decision with everything it changes.
type DecisionWrite struct {
	Request     *onboard.EligibilityRequest // the request as decided; its Version is the one read
	ReleaseLock bool                        // a final decision frees the tenant for a new request
	Partner     *onboard.PartnerProfile     // a partner approval's qualified profile; Version as read, 0 if new
	Validation  *onboard.ValidationCode     // a customer approval's new code
}

// Decide writes a decision in one transaction. Losing an optimistic-locking race to another
// decision returns RequestAlreadyDecided if that one was final, else Conflict.
func (s *Store) Decide(ctx context.Context, d DecisionWrite, fx Effects) error {
	r := d.Request
	read := r.Version
	r.Version++
	ops := []Op{PutIfVersion(requestItem(r), read)}
	if d.ReleaseLock {
		ops = append(ops, Delete(openLockKey(r.Type, OpenSubject(r))))
	}
	if p := d.Partner; p != nil {
		prev := p.Version
		p.Version++
		if prev == 0 {
			ops = append(ops, PutNew(partnerItem(p)))
		} else {
			ops = append(ops, PutIfVersion(partnerItem(p), prev))
		}
	}
	if v := d.Validation; v != nil {
		v.Version = 1
		ops = append(ops, PutNew(validationItem(v)))
	}
	failed, err := s.transact(ctx, ops, fx)
	if err == nil || errors.Is(err, ErrIdempotentReplay) {
		return err
	}
	r.Version = read
	if failed < 0 {
		return err
	}
	if failed == 0 {
		if now, rerr := s.Request(ctx, r.ID); rerr == nil && now.Status.Final() {
			return AlreadyDecided(now)
		}
	}
	return conflict("The request")
}

// AlreadyDecided is the error for a decision on a final request.
func AlreadyDecided(r *onboard.EligibilityRequest) error {
	return onboard.Errorf(onboard.ErrRequestAlreadyDecided, "Request %s was already decided: %s.", r.ID, r.Status)
}

// ValidationCodes lists a partner's validation codes.
func (s *Store) ValidationCodes(ctx context.Context, partner string) ([]onboard.ValidationCode, error) {
	var out []onboard.ValidationCode
	err := s.b.Query(ctx, Query{PK: "PARTNER#" + partner, SKPrefix: "VALIDATION#"}, &out)
	return out, err
}

// TenantValidations lists the validation codes issued for a customer tenant.
func (s *Store) TenantValidations(ctx context.Context, tenant string) ([]onboard.ValidationCode, error) {
	var out []onboard.ValidationCode
	err := s.b.Query(ctx, Query{Index: IndexGSI1, PK: tenantValidationPK(tenant)}, &out)
	return out, err
}
