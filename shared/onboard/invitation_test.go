package onboard

import (
	"strings"
	"testing"
	"time"
)

func TestInvitationToken(t *testing.T) {
	a, hashA, err := NewInvitationToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := NewInvitationToken()
	if a == b {
		t.Error("two tokens are equal")
	}
	if got, want := len(a), 43; got != want { // 256 bits, base64url without padding
		t.Errorf("token length = %d, want %d", got, want)
	}
	if hashA != InvitationTokenHash(a) || len(hashA) != 64 || strings.ToLower(hashA) != hashA || strings.Contains(hashA, a) {
		t.Errorf("hash = %q", hashA)
	}
	tests := []struct {
		token string
		want  bool
	}{
		{a, true},
		{"", false},
		{"not-a-token", false},
		{a + "A", false},
		{a[:42], false},
		{strings.Repeat("~", 43), false},
		{strings.Repeat("A", 42) + "B", false}, // its last character carries bits past the 32 bytes
	}
	for _, tc := range tests {
		if got := WellFormedInvitationToken(tc.token); got != tc.want {
			t.Errorf("WellFormedInvitationToken(%q) = %v, want %v", tc.token, got, tc.want)
		}
	}
}

func TestInvitationStatusAt(t *testing.T) {
	exp := time.Date(2026, 12, 17, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		status InvitationStatus
		at     time.Time
		want   InvitationStatus
	}{
		{InvitationPending, exp.Add(-time.Second), InvitationPending},
		{InvitationPending, exp, InvitationExpired},
		{InvitationAccepted, exp.Add(time.Hour), InvitationAccepted},
		{InvitationRevoked, exp.Add(time.Hour), InvitationRevoked},
	}
	for _, tc := range tests {
		i := &Invitation{Status: tc.status, ExpiresAt: exp}
		if got := i.StatusAt(tc.at); got != tc.want {
			t.Errorf("%s at %s = %s, want %s", tc.status, tc.at, got, tc.want)
		}
	}
}

func TestInvitationInputValidate(t *testing.T) {
	ok := InvitationInput{CustomerEmail: "it@fabrikam.gov", CustomerName: "Fabrikam"}
	tests := map[string]struct {
		edit func(*InvitationInput)
		want Code
	}{
		"OK":                 {func(*InvitationInput) {}, ""},
		"OKMessage":          {func(i *InvitationInput) { i.Message = "Hi,\r\n\tplease: {{link}}" }, ""},
		"LinkMissing":        {func(i *InvitationInput) { i.Message = "Hi, please accept" }, ErrInvitationLinkMissing},
		"NameLineBreak":      {func(i *InvitationInput) { i.CustomerName = "A\r\nBcc: x@y.z" }, ErrValidationFailed},
		"EmailLineBreak":     {func(i *InvitationInput) { i.CustomerEmail = "a@b.gov\nBcc: x@y.z" }, ErrValidationFailed},
		"EmailMissing":       {func(i *InvitationInput) { i.CustomerEmail = "" }, ErrValidationFailed},
		"MessageControl":     {func(i *InvitationInput) { i.Message = "{{link}}\x00" }, ErrValidationFailed},
		"MessageTooLong":     {func(i *InvitationInput) { i.Message = "{{link}}" + strings.Repeat("x", MaxInvitationMessage) }, ErrValidationFailed},
		"FieldsBeforeLink":   {func(i *InvitationInput) { i.CustomerName, i.Message = "", "no link" }, ErrValidationFailed},
		"TrailingSpaceTrims": {func(i *InvitationInput) { i.CustomerName = "  Fabrikam  " }, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			in.Normalize()
			if got := ErrorCode(in.Validate()); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAcceptFormValidate(t *testing.T) {
	f := AcceptForm{CompanyName: " Fabrikam ", Domain: "Fabrikam.GOV", TenantID: "2A3B4C5D-6E7F-4A8B-9C0D-1E2F3A4B5C6D",
		AdminName: "Sam Roe", AdminEmail: "sam@fabrikam.gov", Agree: true}
	f.Normalize()
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.TenantID != "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d" || f.Domain != "fabrikam.gov" || f.CompanyName != "Fabrikam" {
		t.Errorf("normalized = %+v", f)
	}
	var e *Error
	bad := AcceptForm{TenantID: "x", AdminEmail: "sam"}
	err := bad.Validate()
	if ErrorCode(err) != ErrValidationFailed {
		t.Fatalf("err = %v", err)
	}
	e = err.(*Error)
	if got, want := len(e.Fields), 6; got != want {
		t.Errorf("field errors = %d, want %d: %+v", got, want, e.Fields)
	}
}
