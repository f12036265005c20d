package orders

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/onboard"
)

var (
	terms  = []string{onboard.TermP1M, onboard.TermP1Y, onboard.TermP3Y}
	cycles = []string{onboard.BillingMonthly, onboard.BillingAnnual}
)

// judge checks cart lines against the current catalog, then against who may buy what, and
// returns them as cart lines (IDs in order, the catalog's canonical ID and name). Field errors come
// first, as ValidationFailed naming each field ("lineItems[1].quantity"); only a cart without them
// is judged for eligibility, OfferNotEligible naming each offending line ("lineItems[0]") and why.
func (s *Service) judge(in []LineInput, cu *onboard.Customer, partner *onboard.PartnerProfile) ([]onboard.CartLineItem, error) {
	var p onboard.Problems
	switch {
	case len(in) == 0:
		p.Add("lineItems", "must hold at least one line item")
	case len(in) > MaxLineItems:
		p.Add("lineItems", "must hold at most %d line items", MaxLineItems)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	cat := s.catalog()
	lines := make([]onboard.CartLineItem, len(in))
	offers := make([]*catalog.Offer, len(in))
	for i, l := range in {
		f := fmt.Sprintf("lineItems[%d]", i)
		id := strings.ToUpper(strings.TrimSpace(l.CatalogItemID))
		term := strings.ToUpper(strings.TrimSpace(l.TermDuration))
		cycle := strings.ToLower(strings.TrimSpace(l.BillingCycle))
		o, ok := cat.Offer(id)
		switch {
		case id == "":
			p.Add(f+".catalogItemId", "is required")
		case !ok:
			p.Add(f+".catalogItemId", "is not an offer of the catalog (productId:skuId:availabilityId, see GET /v1/products)")
		}
		switch {
		case term == "":
			p.Add(f+".termDuration", "is required")
		case !slices.Contains(terms, term):
			p.Add(f+".termDuration", "must be P1M, P1Y or P3Y")
		case ok && !o.AllowsTerm(term):
			p.Add(f+".termDuration", "must be one of %s's terms: %s", o.FriendlyName, strings.Join(o.TermDurations, ", "))
		}
		switch {
		case cycle == "":
			p.Add(f+".billingCycle", "is required")
		case !slices.Contains(cycles, cycle):
			p.Add(f+".billingCycle", "must be monthly or annual")
		case ok && !o.AllowsBillingCycle(cycle):
			p.Add(f+".billingCycle", "must be one of %s's billing cycles: %s", o.FriendlyName, strings.Join(o.BillingCycles, ", "))
		case term == onboard.TermP1M && cycle != onboard.BillingMonthly:
			p.Add(f+".billingCycle", "must be monthly for a P1M term")
		}
		switch {
		case ok && (l.Quantity < o.MinQuantity || l.Quantity > o.MaxQuantity):
			p.Add(f+".quantity", "must be between %d and %d for %s", o.MinQuantity, o.MaxQuantity, o.FriendlyName)
		case !ok && l.Quantity < 1:
			p.Add(f+".quantity", "must be at least 1")
		}
		if ok {
			offers[i] = o
			lines[i] = onboard.CartLineItem{ID: i, CatalogItemID: o.CatalogItemID, FriendlyName: o.FriendlyName,
				Quantity: l.Quantity, TermDuration: term, BillingCycle: cycle}
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var not []onboard.FieldError
	for i, o := range offers {
		if why := ineligible(o, cu, partner); why != "" {
			not = append(not, onboard.FieldError{Field: fmt.Sprintf("lineItems[%d]", i), Message: why})
		}
	}
	if len(not) > 0 {
		return nil, &onboard.Error{Code: onboard.ErrOfferNotEligible,
			Message: "Some line items are offers you may not sell to this customer; each is named with the reason. " +
				"A GCC customer buys only government (Online Services for Government) offers, a customer without GCC only commercial ones, " +
				"and only a partner with the Government_community_cloud reseller qualification sells government offers.",
			Fields: not}
	}
	return lines, nil
}

// ineligible says why the partner may not sell offer o to customer cu, or "" if it may. The
// rules are the offer's own: the reseller qualifications it requires and the customer
// qualification it is for.
func ineligible(o *catalog.Offer, cu *onboard.Customer, partner *onboard.PartnerProfile) string {
	var why []string
	for _, q := range o.ResellerQualifications {
		if !holds(partner, q) {
			why = append(why, fmt.Sprintf("%s is a %s offer: it requires the %s reseller qualification, which your partner account does not hold",
				o.FriendlyName, o.Segment, q))
		}
	}
	have := cu.Qualification
	if have == "" {
		have = onboard.QualificationNone
	}
	if have != o.CustomerQualification {
		switch {
		case o.CustomerQualification == onboard.QualificationGCC:
			why = append(why, fmt.Sprintf("%s is a government offer, sold only to customers with the GovernmentCommunityCloud qualification; customer %s has none",
				o.FriendlyName, cu.ID))
		case have == onboard.QualificationGCC:
			why = append(why, fmt.Sprintf("customer %s holds the GovernmentCommunityCloud qualification and may only buy government (Online Services for Government) offers; %s is a %s offer",
				cu.ID, o.FriendlyName, o.Segment))
		default:
			why = append(why, fmt.Sprintf("%s is for customers with qualification %s; customer %s has %s", o.FriendlyName, o.CustomerQualification, cu.ID, have))
		}
	}
	return strings.Join(why, "; ")
}

// holds reports whether the partner holds reseller qualification q. GCC is held only by a partner
// GCCQualified accepts (an approved direct-bill partner or indirect provider).
func holds(p *onboard.PartnerProfile, q string) bool {
	if q == onboard.GovernmentCommunityCloudQualification {
		return p.GCCQualified()
	}
	return p != nil && slices.Contains(p.ResellerQualifications, q)
}
