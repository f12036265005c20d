package customers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

func validInput() CreateInput {
	return CreateInput{
		CompanyProfile: onboard.CompanyProfile{CompanyName: " City of Olympia ", Domain: "Olympia.Example.Gov.", TenantID: "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9"},
		BillingProfile: onboard.BillingProfile{Email: "IT@Olympia.Example.Gov", FirstName: "Dana", LastName: "Reyes",
			DefaultAddress: onboard.Address{Line1: "100 Capitol Way", City: "Olympia", State: "wa", PostalCode: "98501-1234", Country: "us"}},
		Qualification: onboard.QualificationGCC, ValidationID: " val_x ",
	}
}

func TestNormalize(t *testing.T) {
	in := validInput()
	in.Normalize()
	got := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", in.CompanyProfile.CompanyName, in.CompanyProfile.Domain, in.CompanyProfile.TenantID,
		in.BillingProfile.Email, in.BillingProfile.DefaultAddress.State, in.BillingProfile.DefaultAddress.Country, in.ValidationID)
	want := "City of Olympia|olympia.example.gov|5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9|it@olympia.example.gov|WA|US|val_x"
	if got != want {
		t.Errorf("normalized = %s, want %s", got, want)
	}
}

func TestCreateInputValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *CreateInput)
		fields []string
	}{
		{"OK", func(in *CreateInput) {}, nil},
		{"OKNoTenant", func(in *CreateInput) { in.CompanyProfile.TenantID = "" }, nil},
		{"OKCommercialAbroad", func(in *CreateInput) {
			in.Qualification, in.ValidationID = onboard.QualificationNone, ""
			in.BillingProfile.DefaultAddress = onboard.Address{Line1: "1 King St W", City: "Toronto", State: "ON", PostalCode: "M5H 1A1", Country: "CA"}
		}, nil},
		{"ErrCompanyNameRequired", func(in *CreateInput) { in.CompanyProfile.CompanyName = "" }, []string{"companyProfile.companyName"}},
		{"ErrCompanyNameTooLong", func(in *CreateInput) { in.CompanyProfile.CompanyName = strings.Repeat("a", 201) }, []string{"companyProfile.companyName"}},
		{"ErrDomain", func(in *CreateInput) { in.CompanyProfile.Domain = "olympia" }, []string{"companyProfile.domain"}},
		{"ErrDomainRequired", func(in *CreateInput) { in.CompanyProfile.Domain = "" }, []string{"companyProfile.domain"}},
		{"ErrTenantID", func(in *CreateInput) { in.CompanyProfile.TenantID = "5e6f7a8b" }, []string{"companyProfile.tenantId"}},
		{"ErrEmail", func(in *CreateInput) { in.BillingProfile.Email = "Dana <it@olympia.example.gov>" }, []string{"billingProfile.email"}},
		{"ErrNames", func(in *CreateInput) { in.BillingProfile.FirstName, in.BillingProfile.LastName = "", "a\nb" },
			[]string{"billingProfile.firstName", "billingProfile.lastName"}},
		{"ErrZIP", func(in *CreateInput) { in.BillingProfile.DefaultAddress.PostalCode = "ABCDE" }, []string{"billingProfile.defaultAddress.postalCode"}},
		{"ErrCountry", func(in *CreateInput) { in.BillingProfile.DefaultAddress.Country = "USA" }, []string{"billingProfile.defaultAddress.country"}},
		{"ErrGCCAbroad", func(in *CreateInput) {
			in.BillingProfile.DefaultAddress.Country, in.BillingProfile.DefaultAddress.PostalCode = "CA", "M5H 1A1"
		}, []string{"billingProfile.defaultAddress.country"}},
		{"ErrNoneWithValidationID", func(in *CreateInput) { in.Qualification = onboard.QualificationNone }, []string{"validationId"}},
		{"ErrQualification", func(in *CreateInput) { in.Qualification = "GCC" }, []string{"qualification"}},
		{"ErrQualificationRequired", func(in *CreateInput) { in.Qualification = "" }, []string{"qualification"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.change(&in)
			in.Normalize()
			err := in.Validate()
			var got []string
			var e *onboard.Error
			if errors.As(err, &e) {
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
				if e.Code != onboard.ErrValidationFailed {
					t.Errorf("code = %s", e.Code)
				}
			} else if err != nil {
				t.Fatalf("err = %v", err)
			}
			if want := tt.fields; !slices.Equal(got, want) {
				t.Errorf("field errors = %v, want %v", got, want)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	busy := &onboard.Error{Code: onboard.ErrUnavailable}
	tests := []struct {
		name  string
		errs  []error // what each attempt returns; the last repeats
		calls int
		want  onboard.Code
	}{
		{"OK", []error{nil}, 1, ""},
		{"RefusalNotRetried", []error{onboard.Errorf(onboard.ErrValidationCodeExhausted, "x")}, 1, onboard.ErrValidationCodeExhausted},
		{"ConflictThenOK", []error{onboard.Errorf(onboard.ErrConflict, "x"), busy, nil}, 3, ""},
		{"ConflictThenRefusal", []error{onboard.Errorf(onboard.ErrConflict, "x"), onboard.Errorf(onboard.ErrValidationCodeExhausted, "x")}, 2, onboard.ErrValidationCodeExhausted},
		{"Bounded", []error{onboard.Errorf(onboard.ErrConflict, "x")}, 4, onboard.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Service{Attempts: 4, Log: slog.New(slog.DiscardHandler)}
			calls := 0
			err := s.retry(context.Background(), func() error {
				calls++
				return tt.errs[min(calls, len(tt.errs))-1]
			})
			if got := onboard.ErrorCode(err); got != tt.want || calls != tt.calls {
				t.Errorf("got %s after %d calls, want %s after %d", got, calls, tt.want, tt.calls)
			}
		})
	}
}

// loseOnce commits the n-th transaction but answers as if DynamoDB had not answered: the
// commit happened, the caller only hears a retryable failure.
type loseOnce struct {
	store.Backend
	n, seen atomic.Int32
}

func (b *loseOnce) Transact(ctx context.Context, ops ...store.Op) error {
	err := b.Backend.Transact(ctx, ops...)
	if b.seen.Add(1) == b.n.Load() && err == nil {
		return fmt.Errorf("lost answer: %w", store.ErrTransient)
	}
	return err
}

// TestCreateLostAnswer: when a creation committed but its answer was lost, the retry recognises
// its own customer instead of creating a second one with a second use of the code.
func TestCreateLostAnswer(t *testing.T) {
	b, err := bolt.Open(filepath.Join(t.TempDir(), "gcc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	lossy := &loseOnce{Backend: b}
	st := store.New(lossy)
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	quiet := slog.New(slog.DiscardHandler)
	const partner = "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6"
	code := seed(t, st, partner, now, quiet)

	lossy.n.Store(lossy.seen.Load() + 1) // the next transaction: the creation's first attempt
	s := &Service{Store: st, Now: now, Log: quiet}
	agent := onboard.Principal{Subject: "agent", Role: onboard.RoleAdminAgent, PartnerID: partner}
	in := validInput()
	in.ValidationID = code.ValidationID
	v, err := s.Create(ctx, agent, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lossy.seen.Load() <= lossy.n.Load() {
		t.Fatal("the lost answer was never retried")
	}
	cs, _ := st.Customers(ctx, partner)
	got, _ := st.ValidationCode(ctx, partner, code.ValidationID)
	if len(cs) != 1 || cs[0].ID != v.ID || got.RemainingCreates != code.RemainingCreates-1 {
		t.Errorf("customers %d (answered %s), remainingCreates %d: want 1 customer, %d left", len(cs), v.ID, got.RemainingCreates, code.RemainingCreates-1)
	}
}

// seed makes partner GCC-qualified and issues it a validation code with 2 creates, through the
// real intake and review steps.
func seed(t *testing.T, st *store.Store, partner string, now func() time.Time, log *slog.Logger) onboard.ValidationCode {
	t.Helper()
	ctx := context.Background()
	in := &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: now, Log: log}
	rv := &eligibility.Review{Store: st, Now: now, Log: log}
	reviewer := onboard.Principal{Subject: "reviewer", Role: onboard.RoleEligibilityReviewer}
	contact := onboard.Contact{Name: "Ana Li", Title: "CEO", Email: "ana@contoso.example", Phone: "+1 202 555 0100"}
	addr := onboard.Address{Line1: "1 Main St", City: "Arlington", State: "VA", PostalCode: "22201", Country: "US"}
	att := onboard.Attestation{SignerName: "Ana Li", SignerTitle: "CEO", Agree: true, TermsVersion: "2025-01"}
	who := eligibility.Submitter{IP: "203.0.113.10", UserAgent: "test"}
	r, err := in.SubmitPartner(ctx, &onboard.PartnerForm{OrganizationName: "Contoso Gov Solutions", PartnerTenantID: partner,
		PartnerType: onboard.DirectBill, CspEnrolled: true, GovernmentSegments: []string{"state"}, Contact: contact, Address: addr, Attestation: att}, who, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rv.Decide(ctx, reviewer, r.ID, eligibility.DecisionInput{Decision: onboard.StatusApproved}); err != nil {
		t.Fatal(err)
	}
	r, err = in.SubmitCustomer(ctx, &onboard.CustomerForm{OrganizationName: "City of Olympia", Domain: "olympia.example.gov",
		GovernmentEntityType: "local", ValidationOption: onboard.CustomerValidationOption, PartnerTenantID: partner,
		Contact: contact, Address: addr, Attestation: att}, who, nil)
	if err != nil {
		t.Fatal(err)
	}
	two := 2
	res, err := rv.Decide(ctx, reviewer, r.ID, eligibility.DecisionInput{Decision: onboard.StatusApproved, MaxCreates: &two})
	if err != nil {
		t.Fatal(err)
	}
	return *res.Validation
}
