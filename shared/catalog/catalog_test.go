package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// TestEmbedded checks the catalog every binary carries: it parses, each offer is valid (Validate
// checks shape, unique IDs, segment rules, non-empty terms and cycles, quantity bounds), and it
// holds the offers the issue names, each in its segment.
func TestEmbedded(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[onboard.Segment][]string{
		onboard.SegmentGovernment: {"Office 365 G1 GCC", "Office 365 G3 GCC", "Office 365 G5 GCC", "Microsoft 365 G3 GCC",
			"Microsoft 365 G5 GCC", "Exchange Online (Plan 1) for GCC", "Exchange Online (Plan 2) for GCC",
			"Microsoft 365 F3 GCC", "Power BI Pro for GCC", "Microsoft Teams Phone Standard for GCC"},
		onboard.SegmentCommercial: {"Office 365 E1", "Office 365 E3", "Microsoft 365 Business Basic",
			"Microsoft 365 Business Standard", "Microsoft 365 E3", "Microsoft 365 E5"},
	}
	for seg, names := range want {
		var got []string
		for _, o := range c.Segment(seg) {
			got = append(got, o.FriendlyName)
		}
		if !slices.Equal(got, names) {
			t.Errorf("segment %s = %q, want %q", seg, got, names)
		}
	}
	if got, want := len(c.Segment("")), len(c.Offers); got != want {
		t.Errorf("all segments: %d offers, want %d", got, want)
	}
	seen := map[string]bool{}
	for _, o := range c.Offers {
		if seen[o.CatalogItemID] {
			t.Errorf("%s twice", o.CatalogItemID)
		}
		seen[o.CatalogItemID] = true
		if len(o.TermDurations) == 0 || len(o.BillingCycles) == 0 {
			t.Errorf("%s: no terms or billing cycles", o.CatalogItemID)
		}
		if parts := strings.Split(o.CatalogItemID, ":"); len(parts) != 3 {
			t.Errorf("%s is not productId:skuId:availabilityId", o.CatalogItemID)
		}
		if got, ok := c.Offer(strings.ToLower(o.CatalogItemID)); !ok || got.CatalogItemID != o.CatalogItemID {
			t.Errorf("Offer(%s) in lower case not found", o.CatalogItemID)
		}
	}
	if !strings.Contains(c.Description, "SAMPLE DATA") {
		t.Errorf("description %q does not say the IDs are sample data", c.Description)
	}
}

// valid is a one-offer catalog that passes; each error case changes one thing.
func valid() map[string]any {
	return map[string]any{
		"description": "Sample data", "country": "US", "targetView": "OnlineServices",
		"offers": []any{map[string]any{
			"catalogItemId": "SAMPLEGOV001:0001:SAMPLEAVG001", "friendlyName": "Office 365 G3 GCC", "segment": "government",
			"resellerQualifications": []string{"Government_community_cloud"}, "customerQualification": "GovernmentCommunityCloud",
			"termDurations": []string{"P1M", "P1Y"}, "billingCycles": []string{"monthly", "annual"}, "minQuantity": 1, "maxQuantity": 100,
		}},
	}
}

func TestParse(t *testing.T) {
	data, _ := json.Marshal(valid())
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := c.Offer(" samplegov001:0001:sampleavg001 ")
	if !ok || !o.AllowsTerm("P1Y") || o.AllowsTerm("P3Y") || !o.AllowsBillingCycle("annual") {
		t.Errorf("Offer = %+v, %v", o, ok)
	}
}

func TestParse_Err(t *testing.T) {
	offer := func(k string, v any) func(map[string]any) {
		return func(m map[string]any) { m["offers"].([]any)[0].(map[string]any)[k] = v }
	}
	tests := []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"IDShape", offer("catalogItemId", "CFQ7TTC0LF8R:1:X"), "productId:skuId:availabilityId"},
		{"IDLowerCase", offer("catalogItemId", "samplegov001:0001:sampleavg001"), "productId:skuId:availabilityId"},
		{"DuplicateID", func(m map[string]any) { m["offers"] = append(m["offers"].([]any), m["offers"].([]any)[0]) }, "appears twice"},
		{"NameMissing", offer("friendlyName", " "), "friendlyName"},
		{"Segment", offer("segment", "education"), "government or commercial"},
		{"GovernmentWithoutResellerQualification", offer("resellerQualifications", []string{}), "resellerQualifications"},
		{"GovernmentForCommercialCustomers", offer("customerQualification", "None"), "customerQualification"},
		{"TermsEmpty", offer("termDurations", []string{}), "termDurations must not be empty"},
		{"TermUnknown", offer("termDurations", []string{"P2Y"}), `"P2Y"`},
		{"TermTwice", offer("termDurations", []string{"P1Y", "P1Y"}), "twice"},
		{"CyclesEmpty", offer("billingCycles", nil), "billingCycles must not be empty"},
		{"CycleUnknown", offer("billingCycles", []string{"weekly"}), `"weekly"`},
		{"P1MOnlyAnnual", func(m map[string]any) {
			offer("termDurations", []string{"P1M"})(m)
			offer("billingCycles", []string{"annual"})(m)
		}, "monthly billing"},
		{"MinZero", offer("minQuantity", 0), "minQuantity"},
		{"MaxBelowMin", offer("maxQuantity", 0), "maxQuantity"},
		{"UnknownMember", offer("maxQuanity", 5), "unknown field"},
		{"NotSample", func(m map[string]any) { m["description"] = "The catalog" }, "sample data"},
		{"Country", func(m map[string]any) { m["country"] = "CA" }, "country"},
		{"NoOffers", func(m map[string]any) { m["offers"] = []any{} }, "no offers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(m)
			data, _ := json.Marshal(m)
			_, err := Parse(data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
