package orders

import (
	"encoding/json"
	"testing"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// FuzzJudgeCart judges arbitrary cart lines: it never panics, and what it accepts is within the
// offer's bounds and eligible for a GCC customer of a GCC partner.
func FuzzJudgeCart(f *testing.F) {
	f.Add([]byte(`{"lineItems":[{"catalogItemId":"SAMPLEGOV002:0001:SAMPLEAVG002","quantity":25,"termDuration":"P1Y","billingCycle":"annual"}]}`))
	f.Add([]byte(`{"lineItems":[{"catalogItemId":"SAMPLEGOV002:0001:SAMPLEAVG002","quantity":-1,"termDuration":"P9Y","billingCycle":"annual"}]}`))
	f.Add([]byte(`{"lineItems":[{"catalogItemId":"::","quantity":1e9}]}`))
	s := &Service{}
	cu := &onboard.Customer{Qualification: onboard.QualificationGCC}
	partner := &onboard.PartnerProfile{PartnerType: onboard.DirectBill, ResellerQualifications: []string{onboard.GovernmentCommunityCloudQualification}}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in CartInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		lines, err := s.judge(in.LineItems, cu, partner)
		if err != nil {
			if c := onboard.ErrorCode(err); c != onboard.ErrValidationFailed && c != onboard.ErrOfferNotEligible {
				t.Fatalf("judge error with code %s: %v", c, err)
			}
			return
		}
		for _, l := range lines {
			offer, ok := s.catalog().Offer(l.CatalogItemID)
			if !ok || l.Quantity < offer.MinQuantity || l.Quantity > offer.MaxQuantity || offer.Segment != "government" {
				t.Fatalf("accepted line %+v (offer %+v, found %v)", l, offer, ok)
			}
		}
	})
}
