package store

import (
	"context"
	"errors"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Item kinds of reseller relationship invitations.
const (
	KindInvitation       = "Invitation"
	KindInvitePointer    = "InvitePointer"
	KindRelationshipLink = "RelationshipLink"
	KindRelationship     = "Relationship"
)

// InvitePointerGrace is how long after its invitation expires a token's pointer stays before the
// table's TTL may delete it: long enough that an expired link still reads as the invitation it
// was (and so answers like any other invalid one) rather than vanishing at the expiry instant.
const InvitePointerGrace = 7 * 24 * time.Hour

// Invitations live in their partner's partition; the token's pointer is its own partition, keyed
// by the token's SHA-256, so a link resolves with one Get and the raw token is never stored.
func invitationKey(partner, id string) Key { return Key{"PARTNER#" + partner, "INVITATION#" + id} }
func invitePointerKey(hash string) Key     { return Key{"INVITE#" + hash, "INVITE"} }
func relationshipLinkKey(partner string) Key {
	return Key{"PARTNER#" + partner, "RELATIONSHIPLINK"}
}

// relationshipKey marks that a customer tenant accepted one of partner's invitations: creating it
// with the customer makes a second relationship for the same tenant fail atomically.
func relationshipKey(partner, tenant string) Key {
	return Key{"PARTNER#" + partner, "RELATIONSHIP#" + tenant}
}

func invitationItem(i *onboard.Invitation) Item {
	return Item{Key: invitationKey(i.PartnerID, i.ID), Kind: KindInvitation, Version: i.Version, Data: i}
}

// invitePointer resolves a token's hash to its invitation.
type invitePointer struct {
	InvitationID string    `json:"invitationId"`
	PartnerID    string    `json:"partnerId"`
	ExpiresAt    time.Time `json:"expiresAt"`
}

func invitePointerItem(i *onboard.Invitation) Item {
	return Item{Key: invitePointerKey(i.TokenSHA256), Kind: KindInvitePointer, Version: 1,
		TTL:  i.ExpiresAt.Add(InvitePointerGrace).Unix(),
		Data: invitePointer{InvitationID: i.ID, PartnerID: i.PartnerID, ExpiresAt: i.ExpiresAt}}
}

// RelationshipLink is a partner's reusable relationship link: the invitation behind it and its
// URL, sealed (the link must be shown again on every request, and the token is never stored in
// the clear).
type RelationshipLink struct {
	PartnerID    string    `json:"partnerId"`
	InvitationID string    `json:"invitationId"`
	SealedURL    string    `json:"sealedUrl"`
	UpdatedAt    time.Time `json:"updatedAt"`
	Version      int64     `json:"version"`
}

func relationshipLinkItem(l *RelationshipLink) Item {
	return Item{Key: relationshipLinkKey(l.PartnerID), Kind: KindRelationshipLink, Version: l.Version, Data: l}
}

// CreateInvitation writes a new invitation and its token's pointer, and, for a partner's reusable
// link, the link record pointing at it (Version as read, 0 if new), with fx in one transaction.
func (s *Store) CreateInvitation(ctx context.Context, inv *onboard.Invitation, link *RelationshipLink, fx Effects) error {
	inv.Version = 1
	ops := []Op{PutNew(invitationItem(inv)), PutNew(invitePointerItem(inv))}
	var prev int64
	if link != nil {
		prev = link.Version
		link.Version++
		if prev == 0 {
			ops = append(ops, PutNew(relationshipLinkItem(link)))
		} else {
			ops = append(ops, PutIfVersion(relationshipLinkItem(link), prev))
		}
	}
	_, err := s.transact(ctx, ops, fx)
	if err == nil || errors.Is(err, ErrIdempotentReplay) {
		return err
	}
	inv.Version = 0
	if link != nil {
		link.Version = prev
	}
	if _, ok := FailedOp(err); ok {
		return conflict("The invitation")
	}
	return err
}

// Invitation reads one of partner's invitations. Another partner's is simply not found.
func (s *Store) Invitation(ctx context.Context, partner, id string) (*onboard.Invitation, error) {
	var inv onboard.Invitation
	if err := s.b.Get(ctx, invitationKey(partner, id), &inv); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Invitation " + id)
		}
		return nil, err
	}
	return &inv, nil
}

// Invitations lists partner's invitations.
func (s *Store) Invitations(ctx context.Context, partner string) ([]onboard.Invitation, error) {
	var out []onboard.Invitation
	err := s.b.Query(ctx, Query{PK: "PARTNER#" + partner, SKPrefix: "INVITATION#"}, &out)
	return out, err
}

// InvitationByToken reads the invitation whose token has SHA-256 hash. A revoked or accepted
// single-use invitation has no pointer any more: NotFound.
func (s *Store) InvitationByToken(ctx context.Context, hash string) (*onboard.Invitation, error) {
	var p invitePointer
	if err := s.b.Get(ctx, invitePointerKey(hash), &p); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Invitation")
		}
		return nil, err
	}
	inv, err := s.Invitation(ctx, p.PartnerID, p.InvitationID)
	if err != nil {
		return nil, err
	}
	if inv.TokenSHA256 != hash { // a pointer left from another invitation: never follow it
		return nil, notFound("Invitation")
	}
	return inv, nil
}

// RevokeInvitation saves inv (now Revoked; Version as read) and deletes its token's pointer in one
// transaction. Losing a race to an acceptance or another revocation returns Conflict.
func (s *Store) RevokeInvitation(ctx context.Context, inv *onboard.Invitation, fx Effects) error {
	read := inv.Version
	inv.Version++
	ops := []Op{PutIfVersion(invitationItem(inv), read), Delete(invitePointerKey(inv.TokenSHA256))}
	if _, err := s.transact(ctx, ops, fx); err != nil {
		inv.Version = read
		if _, ok := FailedOp(err); ok {
			return conflict("The invitation")
		}
		return err
	}
	return nil
}

// RelationshipLink reads partner's reusable link record; nil, nil if it has none yet.
func (s *Store) RelationshipLink(ctx context.Context, partner string) (*RelationshipLink, error) {
	var l RelationshipLink
	err := s.b.Get(ctx, relationshipLinkKey(partner), &l)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// Acceptance is a customer accepting an invitation.
type Acceptance struct {
	// Invitation is the invitation as accepted, its Version the one read. A single-use one is
	// written (Accepted) and its pointer deleted; a reusable one is only checked unchanged, so
	// that customers accepting the same link at once do not conflict with each other.
	Invitation *onboard.Invitation
	Customer   *onboard.Customer // the new customer, in the invitation's partner's partition
}

// AcceptInvitation writes an acceptance in one transaction: the invitation's state, its pointer,
// the tenant's relationship marker, the customer and fx. A token that was used, revoked or
// changed meanwhile returns InvitationNotValid; a tenant that already accepted one of the
// partner's invitations returns RelationshipExists.
func (s *Store) AcceptInvitation(ctx context.Context, a Acceptance, fx Effects) error {
	inv, c := a.Invitation, a.Customer
	read := inv.Version
	ptr := invitePointerKey(inv.TokenSHA256)
	var ops []Op
	if inv.Reusable {
		ops = append(ops, CheckVersion(invitationKey(inv.PartnerID, inv.ID), read), CheckVersion(ptr, 1))
	} else {
		inv.Version++
		ops = append(ops, PutIfVersion(invitationItem(inv), read), DeleteIfVersion(ptr, 1))
	}
	c.Version = 1
	ops = append(ops,
		PutNew(Item{Key: relationshipKey(c.PartnerID, c.CompanyProfile.TenantID), Kind: KindRelationship, Version: 1,
			Data: map[string]string{"customerId": c.ID, "invitationId": inv.ID}}),
		PutNew(customerItem(c)))
	failed, err := s.transact(ctx, ops, fx)
	if err == nil {
		return nil
	}
	inv.Version, c.Version = read, 0
	if errors.Is(err, ErrIdempotentReplay) {
		return err
	}
	switch {
	case failed == 0 || failed == 1:
		return onboard.InvitationNotValid()
	case failed == 2:
		return relationshipExists()
	case failed >= 0:
		return conflict("The customer")
	}
	return err
}

func relationshipExists() error {
	return &onboard.Error{Code: onboard.ErrRelationshipExists,
		Message: "This organization already has a reseller relationship with this partner; there is nothing to accept."}
}

// RelationshipExists is the error for a tenant that already is the partner's customer.
func RelationshipExists() error { return relationshipExists() }
