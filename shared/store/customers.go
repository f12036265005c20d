package store

import (
	"context"
	"errors"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// KindCustomer is a partner's customer account.
const KindCustomer = "Customer"

// Customers live in their partner's partition, so a partner can only ever reach its own.
func customerKey(partner, id string) Key { return Key{"PARTNER#" + partner, "CUSTOMER#" + id} }

// customerTenantPK indexes a partner's customers by tenant, so that "is this tenant already the
// partner's customer?" is one small index query rather than a read of every customer.
func customerTenantPK(partner, tenant string) string { return "CUSTOMERTENANT#" + partner + "#" + tenant }

func customerItem(c *onboard.Customer) Item {
	it := Item{Key: customerKey(c.PartnerID, c.ID), Kind: KindCustomer, Version: c.Version, Data: c}
	if t := c.CompanyProfile.TenantID; t != "" {
		it.GSI1PK, it.GSI1SK = customerTenantPK(c.PartnerID, t), c.ID
	}
	return it
}

// Customer reads one of partner's customers. Another partner's customer is simply not found.
func (s *Store) Customer(ctx context.Context, partner, id string) (*onboard.Customer, error) {
	var c onboard.Customer
	if err := s.b.Get(ctx, customerKey(partner, id), &c); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Customer " + id)
		}
		return nil, err
	}
	return &c, nil
}

// Customers lists partner's customers, created and inherited.
func (s *Store) Customers(ctx context.Context, partner string) ([]onboard.Customer, error) {
	var out []onboard.Customer
	err := s.b.Query(ctx, Query{PK: "PARTNER#" + partner, SKPrefix: "CUSTOMER#"}, &out)
	return out, err
}

// HasCustomerWithTenant reports whether one of partner's customers has tenant. On DynamoDB the
// index is eventually consistent: a customer created a moment ago may not show yet.
func (s *Store) HasCustomerWithTenant(ctx context.Context, partner, tenant string) (bool, error) {
	var out []onboard.Customer
	err := s.b.Query(ctx, Query{Index: IndexGSI1, PK: customerTenantPK(partner, tenant), Limit: 1}, &out)
	return len(out) > 0, err
}

// CheckCustomer is a transaction op that fails unless the customer is unchanged since read: it
// lets a write that depends on a customer's qualification (an order, say) catch a change.
func CheckCustomer(c *onboard.Customer) Op {
	return CheckVersion(customerKey(c.PartnerID, c.ID), c.Version)
}

// CheckPartner is CheckCustomer for a partner's profile.
func CheckPartner(p *onboard.PartnerProfile) Op {
	return CheckVersion(partnerKey(p.TenantID), p.Version)
}
