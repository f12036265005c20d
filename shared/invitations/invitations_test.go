package invitations

import (
	"testing"
)

func TestSplitName(t *testing.T) {
	tests := []struct{ name, first, last string }{
		{"Ana María Li", "Ana María", "Li"},
		{"Cher", "Cher", ""},
		{"Sam Roe", "Sam", "Roe"},
	}
	for _, tc := range tests {
		if first, last := splitName(tc.name); first != tc.first || last != tc.last {
			t.Errorf("splitName(%q) = %q, %q; want %q, %q", tc.name, first, last, tc.first, tc.last)
		}
	}
}

func TestLink(t *testing.T) {
	for base, want := range map[string]string{
		"https://onboard.example.gov":  "https://onboard.example.gov/invitations/tok",
		"https://onboard.example.gov/": "https://onboard.example.gov/invitations/tok",
		"":                             "",
		"onboard.example.gov":          "",
	} {
		got, err := (&Service{BaseURL: base}).link("tok")
		if got != want || (err != nil) != (want == "") {
			t.Errorf("link with base %q = %q, %v; want %q", base, got, err, want)
		}
	}
}
