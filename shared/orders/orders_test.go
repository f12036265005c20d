package orders

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

const partnerID = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

func offerNamed(t *testing.T, name string) *catalog.Offer {
	t.Helper()
	for i, o := range catalog.Default().Offers {
		if o.FriendlyName == name {
			return &catalog.Default().Offers[i]
		}
	}
	t.Fatalf("no offer %q", name)
	return nil
}

func TestIneligible(t *testing.T) {
	gov, com := offerNamed(t, "Office 365 G3 GCC"), offerNamed(t, "Office 365 E3")
	gccPartner := &onboard.PartnerProfile{PartnerType: onboard.DirectBill, ResellerQualifications: []string{onboard.GovernmentCommunityCloudQualification}}
	// An indirect reseller never holds GCC itself, whatever its profile lists (GCCQualified).
	reseller := &onboard.PartnerProfile{PartnerType: onboard.IndirectReseller, ResellerQualifications: gccPartner.ResellerQualifications}
	gccCustomer := &onboard.Customer{ID: "cu_gcc", Qualification: onboard.QualificationGCC}
	plainCustomer := &onboard.Customer{ID: "cu_plain", Qualification: onboard.QualificationNone}
	legacyCustomer := &onboard.Customer{ID: "cu_legacy"} // no qualification recorded: None
	tests := []struct {
		name     string
		offer    *catalog.Offer
		partner  *onboard.PartnerProfile
		customer *onboard.Customer
		want     []string // substrings of the reason; none means eligible
	}{
		{"GovernmentToGCC", gov, gccPartner, gccCustomer, nil},
		{"CommercialToPlain", com, gccPartner, plainCustomer, nil},
		{"CommercialToPlainByPartnerWithoutProfile", com, nil, plainCustomer, nil},
		{"CommercialToLegacy", com, nil, legacyCustomer, nil},
		{"CommercialToGCC", com, gccPartner, gccCustomer, []string{"cu_gcc holds the GovernmentCommunityCloud qualification"}},
		{"GovernmentToPlain", gov, gccPartner, plainCustomer, []string{"customer cu_plain has none"}},
		{"GovernmentByPartnerWithoutProfile", gov, nil, gccCustomer, []string{"requires the Government_community_cloud reseller qualification"}},
		{"GovernmentByIndirectReseller", gov, reseller, gccCustomer, []string{"requires the Government_community_cloud reseller qualification"}},
		{"BothWrong", gov, nil, plainCustomer, []string{"reseller qualification", "customer cu_plain has none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ineligible(tt.offer, tt.customer, tt.partner)
			if (got == "") != (len(tt.want) == 0) {
				t.Fatalf("ineligible = %q, want %q", got, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("ineligible = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

// lossy commits the first transaction that writes an item of kind, then reports a transient
// failure: what a response lost on its way back from DynamoDB looks like to the caller.
type lossy struct {
	store.Backend
	kind string
	lost atomic.Bool
}

func (l *lossy) Transact(ctx context.Context, ops ...store.Op) error {
	err := l.Backend.Transact(ctx, ops...)
	if err == nil && slices.ContainsFunc(ops, func(op store.Op) bool { return op.Kind == store.OpPut && op.Item.Kind == l.kind }) &&
		l.lost.CompareAndSwap(false, true) {
		return fmt.Errorf("response lost: %w", store.ErrTransient)
	}
	return err
}

// setup returns a service over an embedded store (through lossy when kind is set) with a GCC
// partner, one GCC customer, and a clock at now.
func setup(t *testing.T, kind string, now *time.Time) (*Service, *onboard.Customer) {
	t.Helper()
	b, err := bolt.Open(filepath.Join(t.TempDir(), "gcc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	var backend store.Backend = b
	if kind != "" {
		backend = &lossy{Backend: b, kind: kind}
	}
	p := &onboard.PartnerProfile{TenantID: partnerID, CompanyName: "Contoso Gov Solutions", PartnerType: onboard.DirectBill,
		ResellerQualifications: []string{onboard.GovernmentCommunityCloudQualification}, ContactEmail: "orders@contoso.example", Version: 1}
	cu := &onboard.Customer{ID: onboard.NewID("cu"), PartnerID: partnerID, Qualification: onboard.QualificationGCC, Version: 1,
		CompanyProfile: onboard.CompanyProfile{CompanyName: "City of Olympia", Domain: "olympia.example.gov"}}
	err = b.Transact(context.Background(),
		store.PutNew(store.Item{Key: store.Key{PK: "PARTNER#" + partnerID, SK: "PROFILE"}, Kind: store.KindPartner, Version: 1, Data: p}),
		store.PutNew(store.Item{Key: store.Key{PK: "PARTNER#" + partnerID, SK: "CUSTOMER#" + cu.ID}, Kind: store.KindCustomer, Version: 1, Data: cu}))
	if err != nil {
		t.Fatal(err)
	}
	return &Service{Store: store.New(backend), Now: func() time.Time { return *now }, Log: slog.New(slog.DiscardHandler)}, cu
}

var agent = onboard.Principal{Subject: "agent-1", Role: onboard.RoleSalesAgent, PartnerID: partnerID, Email: "agent@contoso.example"}

func g3Cart(t *testing.T) CartInput {
	return CartInput{LineItems: []LineInput{{CatalogItemID: offerNamed(t, "Office 365 G3 GCC").CatalogItemID, Quantity: 5, TermDuration: "P1Y", BillingCycle: "annual"}}}
}

func countMail(t *testing.T, s *Service) int {
	t.Helper()
	var items []onboard.Notification
	if err := s.Store.Backend().Query(context.Background(), store.Query{Index: store.IndexGSI1, PK: "MAIL#Pending"}, &items); err != nil {
		t.Fatal(err)
	}
	return len(items)
}

// TestCheckoutLostAnswer: when a checkout committed but its answer was lost, the retry finds the
// cart naming its own orders and answers with them: one set of orders, one set of mail.
func TestCheckoutLostAnswer(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	s, cu := setup(t, store.KindOrder, &now)
	ctx := context.Background()
	cart, err := s.CreateCart(ctx, agent, cu.ID, g3Cart(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Checkout(ctx, agent, cu.ID, cart.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	orders, err := s.Orders(ctx, partnerID, cu.ID)
	if err != nil || len(orders) != 1 || len(res.Orders) != 1 || res.Orders[0].ID != orders[0].ID {
		t.Fatalf("answer %+v, stored %+v, %v: want the one stored order", res, orders, err)
	}
	if got := countMail(t, s); got != 2 {
		t.Errorf("%d mails, want 2 (contact and agent, once)", got)
	}
	if _, err := s.Checkout(ctx, agent, cu.ID, cart.ID, nil); onboard.ErrorCode(err) != onboard.ErrCartAlreadyOrdered {
		t.Errorf("another checkout: %v, want CartAlreadyOrdered", err)
	}
}

// TestCreateCartLostAnswer: the retry of a cart creation that committed returns that cart.
func TestCreateCartLostAnswer(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	s, cu := setup(t, store.KindCart, &now)
	cart, err := s.CreateCart(context.Background(), agent, cu.ID, g3Cart(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var items []onboard.Cart
	if err := s.Store.Backend().Query(context.Background(), store.Query{PK: "PARTNER#" + partnerID, SKPrefix: "CART#"}, &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != cart.ID {
		t.Errorf("carts %+v, want only %s", items, cart.ID)
	}
}

// TestFulfilAfter: fulfilment leaves an order pending (and cancellable) for FulfilAfter.
func TestFulfilAfter(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	s, cu := setup(t, "", &now)
	s.FulfilAfter = 10 * time.Minute
	ctx := context.Background()
	cart, err := s.CreateCart(ctx, agent, cu.ID, g3Cart(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Checkout(ctx, agent, cu.ID, cart.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		after time.Duration
		want  int
	}{{9 * time.Minute, 0}, {10 * time.Minute, 1}, {11 * time.Minute, 0}} {
		now = res.Orders[0].CreatedAt.Add(tt.after)
		if n, err := s.FulfilPending(ctx); err != nil || n != tt.want {
			t.Errorf("after %v: FulfilPending = %d, %v; want %d", tt.after, n, err, tt.want)
		}
	}
	o, err := s.Order(ctx, partnerID, cu.ID, res.Orders[0].ID)
	if err != nil || o.Status != onboard.OrderCompleted || !o.CompletedAt.Equal(res.Orders[0].CreatedAt.Add(10*time.Minute)) {
		t.Errorf("order %+v, %v", o, err)
	}
}

// TestConfirmationRecipients: the confirmation goes to the partner's contact and to the agent,
// once to an address that is both, and to nobody when neither is known.
func TestConfirmationRecipients(t *testing.T) {
	now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		email string
		want  int
	}{{"ContactAndAgent", "agent@contoso.example", 2}, {"SameAddress", "Orders@Contoso.example", 1}, {"AgentWithoutEmail", "", 1}} {
		t.Run(tt.name, func(t *testing.T) {
			s, cu := setup(t, "", &now)
			who := agent
			who.Email = tt.email
			cart, err := s.CreateCart(context.Background(), who, cu.ID, g3Cart(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Checkout(context.Background(), who, cu.ID, cart.ID, nil); err != nil {
				t.Fatal(err)
			}
			if got := countMail(t, s); got != tt.want {
				t.Errorf("%d mails, want %d", got, tt.want)
			}
		})
	}
}
