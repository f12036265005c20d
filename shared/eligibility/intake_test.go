package eligibility_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// cloudFunc is a function-field fake tenant checker.
type cloudFunc func(context.Context, string) (onboard.Cloud, error)

func (f cloudFunc) TenantCloud(ctx context.Context, id string) (onboard.Cloud, error) {
	return f(ctx, id)
}

func TestTenantCheck(t *testing.T) {
	tests := []struct {
		name         string
		cloud        onboard.Cloud
		err          error
		wantCode     onboard.Code
		wantVerified string
	}{
		{"Commercial", onboard.CloudCommercial, nil, "", "Verified"},
		{"GCCTenant", onboard.CloudGCC, nil, "", "Verified"},
		{"AzureGovernmentRefused", onboard.CloudAzureGovernment, nil, onboard.ErrAzureGovernmentTenant, ""},
		{"LookupFailedStillAccepted", onboard.CloudUnknown, errors.New("timeout"), "", "Unverified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bolt.Open(t.TempDir() + "/gcc.db")
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			st := store.New(b)
			in := &eligibility.Intake{Store: st, ReviewTeam: "review@example.gov", Now: time.Now,
				Tenants: cloudFunc(func(context.Context, string) (onboard.Cloud, error) { return tt.cloud, tt.err })}
			got, err := in.SubmitPartner(context.Background(), partnerForm("11111111-1111-4111-8111-111111111111"), eligibility.Submitter{}, nil)
			if code := onboard.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", code, tt.wantCode, err)
			}
			if tt.wantCode != "" {
				var e *onboard.Error
				errors.As(err, &e)
				if e.Fields[0].Field != "partnerTenantId" {
					t.Errorf("fields = %+v", e.Fields)
				}
				if reqs, _ := st.Requests(context.Background(), onboard.StatusSubmitted); len(reqs) != 0 {
					t.Errorf("refused request was stored")
				}
				return
			}
			if got.TenantVerification != tt.wantVerified {
				t.Errorf("verification = %s, want %s", got.TenantVerification, tt.wantVerified)
			}
		})
	}
}
