package store

import (
	"context"
	"errors"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// KindCustomerQualification is the record of a special qualification granted to a customer.
const KindCustomerQualification = "CustomerQualification"

// A customer's qualifications sit beside it in its partner's partition. Their sort keys must not
// start with "CUSTOMER#", or Customers would list them as customers.
func customerQualificationKey(partner, customer string, q onboard.Qualification) Key {
	return Key{"PARTNER#" + partner, "QUALIFICATION#" + customer + "#" + string(q)}
}

// CustomerQualification records a special qualification granted to a customer: when, under
// which validation code and why. It is written once (GCC is irreversible) and never changed.
type CustomerQualification struct {
	PartnerID          string                `json:"partnerId"`
	CustomerID         string                `json:"customerId"`
	Qualification      onboard.Qualification `json:"qualification"`
	VettingStatus      string                `json:"vettingStatus"`
	VettingReason      string                `json:"vettingReason"`
	VettingCreatedDate time.Time             `json:"vettingCreatedDate"`
	ValidationID       string                `json:"validationId"`
	GrantedBy          string                `json:"grantedBy"`
	Version            int64                 `json:"version"`
}

func customerQualificationItem(q *CustomerQualification) Item {
	return Item{Key: customerQualificationKey(q.PartnerID, q.CustomerID, q.Qualification),
		Kind: KindCustomerQualification, Version: 1, Data: q}
}

// CustomerQualifications lists the qualifications granted to one of partner's customers.
func (s *Store) CustomerQualifications(ctx context.Context, partner, customer string) ([]CustomerQualification, error) {
	var out []CustomerQualification
	err := s.b.Query(ctx, Query{PK: "PARTNER#" + partner, SKPrefix: "QUALIFICATION#" + customer + "#"}, &out)
	return out, err
}

// ValidationCode reads one of partner's validation codes. Another partner's is simply not found.
func (s *Store) ValidationCode(ctx context.Context, partner, id string) (*onboard.ValidationCode, error) {
	var v onboard.ValidationCode
	if err := s.b.Get(ctx, validationKey(partner, id), &v); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Validation code " + id)
		}
		return nil, err
	}
	return &v, nil
}

// ErrAlreadyWritten means a write's new record already exists. Its ID is fresh and random, so
// an earlier attempt of the same write committed although its answer was lost.
var ErrAlreadyWritten = errors.New("store: the new record already exists")

// GCCGrant is what granting the GCC qualification uses and checks: the validation code as read
// (RemainingCreates already lowered, Version the one read), the partner's profile as read (it
// must still be unchanged), and the qualification's record.
type GCCGrant struct {
	Validation    *onboard.ValidationCode
	Partner       *onboard.PartnerProfile
	Qualification *CustomerQualification
}

func (g *GCCGrant) ops() (ops []Op, undo func()) {
	v := g.Validation
	read := v.Version
	v.Version++
	g.Qualification.Version = 1
	return []Op{
			PutIfVersion(validationItem(v), read),
			CheckPartner(g.Partner),
			PutNew(customerQualificationItem(g.Qualification)),
		}, func() {
			v.Version = read
			g.Qualification.Version = 0
		}
}

// CreateCustomer writes a new customer with fx in one transaction and, for a GCC customer
// (grant not nil), uses up one of its validation code's creates in the same transaction. A code
// or partner changed since it was read returns Conflict: read them again and retry. A customer
// that already exists returns ErrAlreadyWritten.
func (s *Store) CreateCustomer(ctx context.Context, c *onboard.Customer, grant *GCCGrant, fx Effects) error {
	c.Version = 1
	ops := []Op{PutNew(customerItem(c))}
	undo := func() {}
	if grant != nil {
		var more []Op
		more, undo = grant.ops()
		ops = append(ops, more...)
	}
	failed, err := s.transact(ctx, ops, fx)
	if err == nil {
		return nil
	}
	c.Version = 0
	undo()
	switch {
	case errors.Is(err, ErrIdempotentReplay):
		return err
	case failed == 0:
		return ErrAlreadyWritten
	case failed > 0:
		return conflict("The validation code")
	}
	return err
}

// QualifyCustomer saves c (now GCC; Version the one read) and uses up one of grant's validation
// code's creates in one transaction with fx. A customer, code or partner changed since it was
// read returns Conflict: read them again and retry.
func (s *Store) QualifyCustomer(ctx context.Context, c *onboard.Customer, grant GCCGrant, fx Effects) error {
	read := c.Version
	c.Version++
	more, undo := grant.ops()
	ops := append([]Op{PutIfVersion(customerItem(c), read)}, more...)
	failed, err := s.transact(ctx, ops, fx)
	if err == nil {
		return nil
	}
	c.Version = read
	undo()
	switch {
	case errors.Is(err, ErrIdempotentReplay):
		return err
	case failed == 0:
		return conflict("The customer")
	case failed > 0:
		return conflict("The validation code")
	}
	return err
}
