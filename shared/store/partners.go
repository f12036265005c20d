package store

import (
	"context"
	"errors"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// PartnerProfile reads a partner's legal business profile; nil, nil if the partner is unknown.
func (s *Store) PartnerProfile(ctx context.Context, tenantID string) (*onboard.PartnerProfile, error) {
	var p onboard.PartnerProfile
	err := s.b.Get(ctx, partnerKey(tenantID), &p)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func partnerItem(p *onboard.PartnerProfile) Item {
	return Item{Key: partnerKey(p.TenantID), Kind: KindPartner, Version: p.Version, Data: p}
}
