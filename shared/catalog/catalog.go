// Package catalog is the offers partners may put in carts: the Online Services for Government
// catalog (segment government) and the commercial one, kept as catalog.json in this folder and
// compiled into every binary, so the catalog a function serves is the one its build was tested with.
//
// The catalogItemIds are sample data in Partner Center's productId:skuId:availabilityId shape,
// not Microsoft's IDs; the file's own description says so.
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

//go:embed catalog.json
var embedded []byte

// Offer is one catalog item as GET /v1/products lists it: what it is, which segment it belongs
// to, what it requires of the reseller and of the customer, and what a cart line may ask of it.
type Offer struct {
	CatalogItemID          string                `json:"catalogItemId"`
	FriendlyName           string                `json:"friendlyName"`
	Segment                onboard.Segment       `json:"segment"`
	ResellerQualifications []string              `json:"resellerQualifications"`
	CustomerQualification  onboard.Qualification `json:"customerQualification"`
	TermDurations          []string              `json:"termDurations"`
	BillingCycles          []string              `json:"billingCycles"`
	MinQuantity            int                   `json:"minQuantity"`
	MaxQuantity            int                   `json:"maxQuantity"`
}

// AllowsTerm reports whether a line may buy the offer for term.
func (o *Offer) AllowsTerm(term string) bool { return slices.Contains(o.TermDurations, term) }

// AllowsBillingCycle reports whether a line may be billed on cycle.
func (o *Offer) AllowsBillingCycle(cycle string) bool { return slices.Contains(o.BillingCycles, cycle) }

// Catalog is a validated set of offers, by catalogItemId.
type Catalog struct {
	Description string  `json:"description"`
	Country     string  `json:"country"`
	TargetView  string  `json:"targetView"`
	Offers      []Offer `json:"offers"`

	byID map[string]*Offer
}

// Offer returns the offer with catalogItemId id (IDs are upper case; id is matched as such).
func (c *Catalog) Offer(id string) (*Offer, bool) {
	o, ok := c.byID[strings.ToUpper(strings.TrimSpace(id))]
	return o, ok
}

// Segment returns the offers of segment s in file order; all offers when s is "".
func (c *Catalog) Segment(s onboard.Segment) []Offer {
	out := []Offer{}
	for _, o := range c.Offers {
		if s == "" || o.Segment == s {
			out = append(out, o)
		}
	}
	return out
}

// Parse decodes and validates a catalog file. Unknown members are refused: in a hand-kept data
// file they are typos, and a misspelt "maxQuantity" must not silently lift a limit.
func Parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.byID = make(map[string]*Offer, len(c.Offers))
	for i := range c.Offers {
		c.byID[c.Offers[i].CatalogItemID] = &c.Offers[i]
	}
	return &c, nil
}

var load = sync.OnceValues(func() (*Catalog, error) { return Parse(embedded) })

// Load returns the embedded catalog, parsed and validated once.
func Load() (*Catalog, error) { return load() }

// Default is Load for callers that cannot fail: the embedded catalog is checked by this
// package's tests, so an invalid one never passes `make test`.
func Default() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// isItemID reports whether s has Partner Center's catalog item ID shape,
// productId:skuId:availabilityId, e.g. CFQ7TTC0LF8R:0001:CFQ7TTC0KV4B.
func isItemID(s string) bool {
	product, rest, _ := strings.Cut(s, ":")
	sku, availability, _ := strings.Cut(rest, ":")
	return len(product) == 12 && onboard.IsUpperAlnum(product) && len(sku) == 4 && onboard.IsDigits(sku) &&
		len(availability) == 12 && onboard.IsUpperAlnum(availability)
}

// Segment rules: what each segment requires of the reseller and the customer. A government offer
// is sold only by a GCC-qualified partner to a GCC customer, a commercial one to a customer without
// GCC; the order rules read these fields of each offer, so the file must state them consistently.
var segmentRules = map[onboard.Segment]struct {
	reseller []string
	customer onboard.Qualification
}{
	onboard.SegmentGovernment: {[]string{onboard.GovernmentCommunityCloudQualification}, onboard.QualificationGCC},
	onboard.SegmentCommercial: {[]string{}, onboard.QualificationNone},
}

// Validate checks every offer and returns all problems found, each naming its offer.
func (c *Catalog) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("catalog: "+format, args...)) }
	if !strings.Contains(strings.ToLower(c.Description), "sample") {
		bad("description must say that the IDs are sample data")
	}
	if c.Country != "US" || c.TargetView != "OnlineServices" {
		bad("country %q, targetView %q: want US and OnlineServices", c.Country, c.TargetView)
	}
	if len(c.Offers) == 0 {
		bad("no offers")
	}
	seen := map[string]bool{}
	for i, o := range c.Offers {
		at := fmt.Sprintf("offers[%d] (%s)", i, o.CatalogItemID)
		if !isItemID(o.CatalogItemID) {
			bad("%s: catalogItemId must be productId:skuId:availabilityId, e.g. CFQ7TTC0LF8R:0001:CFQ7TTC0KV4B", at)
		}
		if seen[o.CatalogItemID] {
			bad("%s: catalogItemId appears twice", at)
		}
		seen[o.CatalogItemID] = true
		if strings.TrimSpace(o.FriendlyName) == "" || !onboard.SingleLine(o.FriendlyName) {
			bad("%s: friendlyName must be one non-empty line", at)
		}
		rule, ok := segmentRules[o.Segment]
		if !ok {
			bad("%s: segment %q must be government or commercial", at, o.Segment)
		} else {
			if !slices.Equal(o.ResellerQualifications, rule.reseller) {
				bad("%s: a %s offer requires resellerQualifications %q, not %q", at, o.Segment, rule.reseller, o.ResellerQualifications)
			}
			if o.CustomerQualification != rule.customer {
				bad("%s: a %s offer requires customerQualification %q, not %q", at, o.Segment, rule.customer, o.CustomerQualification)
			}
		}
		if err := subset(o.TermDurations, onboard.TermP1M, onboard.TermP1Y, onboard.TermP3Y); err != nil {
			bad("%s: termDurations %w", at, err)
		}
		if err := subset(o.BillingCycles, onboard.BillingMonthly, onboard.BillingAnnual); err != nil {
			bad("%s: billingCycles %w", at, err)
		}
		// A P1M term is billed monthly; an offer sold only for P1M must allow monthly billing.
		if slices.Equal(o.TermDurations, []string{onboard.TermP1M}) && !o.AllowsBillingCycle(onboard.BillingMonthly) {
			bad("%s: sold only for P1M, it must allow monthly billing", at)
		}
		if o.MinQuantity < 1 || o.MaxQuantity < o.MinQuantity {
			bad("%s: want 1 <= minQuantity (%d) <= maxQuantity (%d)", at, o.MinQuantity, o.MaxQuantity)
		}
	}
	return errors.Join(errs...)
}

// subset checks that vs is a non-empty list of distinct values from allowed.
func subset(vs []string, allowed ...string) error {
	if len(vs) == 0 {
		return errors.New("must not be empty")
	}
	seen := map[string]bool{}
	for _, v := range vs {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("holds %q: want only %s", v, strings.Join(allowed, ", "))
		}
		if seen[v] {
			return fmt.Errorf("holds %q twice", v)
		}
		seen[v] = true
	}
	return nil
}
