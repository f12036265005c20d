package invitations

import (
	"testing"
)

func TestMessageHTML(t *testing.T) {
	got := string(messageHTML("Dear <b>IT</b> & \"team\",\nclick {{link}} now", `<a href="{{link}}">{{link}}</a>`))
	want := "Dear &lt;b&gt;IT&lt;/b&gt; &amp; &#34;team&#34;,<br>\nclick <a href=\"{{link}}\">{{link}}</a> now"
	if got != want {
		t.Errorf("messageHTML = %q, want %q", got, want)
	}
}

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
