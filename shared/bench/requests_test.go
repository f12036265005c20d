package bench

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// newCountedJourney returns a Journey over a fresh table on DynamoDB Local whose client counts
// every call.
func newCountedJourney(t *testing.T) *Journey {
	t.Helper()
	endpoint := testenv.DynamoDBEndpoint(t)
	ctx := context.Background()
	counter := NewCounter()
	client, err := dynamo.NewLocalClient(ctx, endpoint, counter.Attach)
	if err != nil {
		t.Fatal(err)
	}
	table := fmt.Sprintf("bench-requests-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dynamo.DeleteTable(context.Background(), client, table) })
	j, err := NewJourney(store.New(dynamo.New(client, table)), counter, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestRequestsPerStep pins how many DynamoDB requests each step of the journey makes. A change
// here changes what every onboarding costs: update BENCHMARKS.md (make bench) with it.
func TestRequestsPerStep(t *testing.T) {
	j := newCountedJourney(t)
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{
		// The idempotency record is read once; the request, its evidence, the open-request lock,
		// both mails, the audit record and the idempotency record are one transaction.
		StepPartnerIntake:   {"GetItem": 1, "TransactWriteItems": 1},
		StepPartnerReview:   {"Query": 2, "GetItem": 2}, // queue: Submitted and NeedsInformation
		StepPartnerDecision: {"GetItem": 2, "TransactWriteItems": 1},
		// The partner's profile (its qualification) and the idempotency record.
		StepCustomerIntake:   {"GetItem": 2, "TransactWriteItems": 1},
		StepCustomerReview:   {"Query": 2, "GetItem": 2},
		StepCustomerDecision: {"GetItem": 1, "TransactWriteItems": 1},
		// The idempotency record, the partner's profile and the validation code.
		StepCustomerCreation: {"GetItem": 3, "TransactWriteItems": 1},
		// The customer and the partner's profile.
		StepCart: {"GetItem": 2, "TransactWriteItems": 1},
		// The idempotency record, the cart, the customer and the partner's profile; the orders,
		// the cart's new state and two confirmation mails in one transaction.
		StepCheckout:   {"GetItem": 4, "TransactWriteItems": 1},
		StepFulfilment: {"Query": 1, "TransactWriteItems": 1},
		// Per mail: read the item, lease it, record it sent (9 mails).
		StepMail: {"GetItem": 9, "TransactWriteItems": 18},
	}
	got := map[string]map[string]int{}
	for _, s := range Totals(j.Counter.Calls()) {
		got[s.Step] = s.Requests
		t.Logf("%-22s %v WRU=%g RRU=%g (DynamoDB Local reported %g)", s.Step, s.Requests, s.WRU, s.RRU, s.Reported)
		if s.Errors > 0 {
			t.Errorf("%s: %d failed calls", s.Step, s.Errors)
		}
	}
	for step, w := range want {
		if !maps.Equal(got[step], w) {
			t.Errorf("%s: got %v, want %v", step, got[step], w)
		}
	}
	for step := range got {
		if _, ok := want[step]; !ok {
			t.Errorf("unexpected step %q: %v", step, got[step])
		}
	}
}

// TestPartnerIntakeRequests pins the target on the common path: a partner intake makes
// exactly one write request (one transaction) and at most one read, with or without an
// Idempotency-Key.
func TestPartnerIntakeRequests(t *testing.T) {
	for _, noKey := range []bool{false, true} {
		t.Run(fmt.Sprintf("noIdempotencyKey=%v", noKey), func(t *testing.T) {
			j := newCountedJourney(t)
			j.NoIdempotencyKey = noKey
			var rc struct{ ID string }
			if err := j.step(context.Background(), StepPartnerIntake, "POST", "/v1/eligibility/partner", "",
				PartnerIntake(NewTenantID()), j.key(), 201, &rc); err != nil {
				t.Fatal(err)
			}
			totals := Totals(j.Counter.Calls())
			if len(totals) != 1 {
				t.Fatalf("steps %+v, want one", totals)
			}
			got := totals[0]
			if got.Requests["TransactWriteItems"] != 1 || got.Writes != 1 {
				t.Errorf("writes %v, want exactly 1 TransactWriteItems", got.Requests)
			}
			if got.Reads > 1 {
				t.Errorf("reads %v, want at most 1", got.Requests)
			}
		})
	}
}
