package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// backends runs fn on the embedded store and, when it is available, on DynamoDB Local.
func backends(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Run("bolt", func(t *testing.T) {
		b, err := bolt.Open(filepath.Join(t.TempDir(), "gcc.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		fn(t, store.New(b))
	})
	t.Run("dynamodb", func(t *testing.T) {
		ctx := context.Background()
		client, err := dynamo.NewLocalClient(ctx, testenv.DynamoDBEndpoint(t))
		if err != nil {
			t.Fatal(err)
		}
		table := fmt.Sprintf("store-orders-%d", time.Now().UnixNano())
		if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dynamo.DeleteTable(context.Background(), client, table) })
		fn(t, store.New(dynamo.New(client, table)))
	})
}

const partner = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

var now = time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)

// fixture writes what checkout reads, as the other steps would: the partner's profile and a customer.
func fixture(t *testing.T, s *store.Store) (*onboard.PartnerProfile, *onboard.Customer) {
	t.Helper()
	p := &onboard.PartnerProfile{TenantID: partner, PartnerType: onboard.DirectBill,
		ResellerQualifications: []string{onboard.GovernmentCommunityCloudQualification}, Version: 1}
	c := &onboard.Customer{ID: onboard.NewID("cu"), PartnerID: partner, Qualification: onboard.QualificationGCC, Version: 1}
	err := s.Backend().Transact(context.Background(),
		store.PutNew(store.Item{Key: store.Key{PK: "PARTNER#" + partner, SK: "PROFILE"}, Kind: store.KindPartner, Version: 1, Data: p}),
		store.PutNew(store.Item{Key: store.Key{PK: "PARTNER#" + partner, SK: "CUSTOMER#" + c.ID}, Kind: store.KindCustomer, Version: 1, Data: c}))
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func newCart(c *onboard.Customer) *onboard.Cart {
	return &onboard.Cart{ID: onboard.NewID("ct"), PartnerID: c.PartnerID, CustomerID: c.ID, Status: onboard.CartActive,
		LineItems: []onboard.CartLineItem{{CatalogItemID: "SAMPLEGOV002:0001:SAMPLEAVG002", Quantity: 5, TermDuration: "P1Y", BillingCycle: "annual"}},
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour)}
}

// ordered returns the cart as checked out into one new order.
func ordered(c *onboard.Cart) (*onboard.Cart, *onboard.Order) {
	o := &onboard.Order{ID: onboard.NewID("od"), PartnerID: c.PartnerID, CustomerID: c.CustomerID, CartID: c.ID,
		BillingCycle: "annual", Status: onboard.OrderPending, CreatedAt: now,
		LineItems: []onboard.OrderLineItem{{CatalogItemID: c.LineItems[0].CatalogItemID, Quantity: 5, TermDuration: "P1Y", BillingCycle: "annual"}}}
	cp := *c
	cp.Status, cp.OrderIDs = onboard.CartOrdered, []string{o.ID}
	return &cp, o
}

func wantCode(t *testing.T, err error, code onboard.Code) {
	t.Helper()
	if got := onboard.ErrorCode(err); got != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// TestCheckout: a checkout commits once; a second one from the same read of the cart is a
// Conflict and writes nothing. The customer's orders, the pending index and the customers list
// each show what they should.
func TestCheckout(t *testing.T) {
	backends(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, cu := fixture(t, s)
		cart := newCart(cu)
		if err := s.CreateCart(ctx, store.CartWrite{Cart: cart, Customer: cu, Partner: p}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateCart(ctx, store.CartWrite{Cart: cart, Customer: cu, Partner: p}, store.Effects{}); err != store.ErrAlreadyWritten {
			t.Errorf("second CreateCart = %v, want ErrAlreadyWritten", err)
		}
		read, err := s.Cart(ctx, partner, cu.ID, cart.ID)
		if err != nil || read.Version != 1 {
			t.Fatalf("Cart = %+v, %v", read, err)
		}

		first, o1 := ordered(read)
		if err := s.Checkout(ctx, store.Checkout{CartWrite: store.CartWrite{Cart: first, Customer: cu, Partner: p}, Orders: []*onboard.Order{o1}}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		if first.Version != 2 || o1.Version != 1 {
			t.Errorf("versions cart %d order %d, want 2 and 1", first.Version, o1.Version)
		}
		second, o2 := ordered(read)
		err = s.Checkout(ctx, store.Checkout{CartWrite: store.CartWrite{Cart: second, Customer: cu, Partner: p}, Orders: []*onboard.Order{o2}}, store.Effects{})
		wantCode(t, err, onboard.ErrConflict)
		if second.Version != 1 || o2.Version != 0 {
			t.Errorf("a failed checkout left versions cart %d order %d, want 1 and 0", second.Version, o2.Version)
		}

		orders, err := s.Orders(ctx, partner, cu.ID)
		if err != nil || len(orders) != 1 || orders[0].ID != o1.ID {
			t.Errorf("Orders = %+v, %v; want only %s", orders, err, o1.ID)
		}
		pending, err := s.PendingOrders(ctx, 10)
		if err != nil || len(pending) != 1 || pending[0].ID != o1.ID {
			t.Errorf("PendingOrders = %+v, %v", pending, err)
		}
		customers, err := s.Customers(ctx, partner)
		if err != nil || len(customers) != 1 || customers[0].ID != cu.ID {
			t.Errorf("Customers = %+v, %v; carts and orders must not be listed as customers", customers, err)
		}
		if _, err := s.Order(ctx, partner, "cu_other", o1.ID); onboard.ErrorCode(err) != onboard.ErrNotFound {
			t.Errorf("another customer's order: %v, want NotFound", err)
		}
		if _, err := s.Cart(ctx, "2b4d6f80-1a3c-4e5f-8a7b-9c0d1e2f3a4b", cu.ID, cart.ID); onboard.ErrorCode(err) != onboard.ErrNotFound {
			t.Errorf("another partner's cart: %v, want NotFound", err)
		}
	})
}

// TestCheckoutChecks: a checkout fails with Conflict, writing nothing, when the customer or the
// partner's profile changed since they were read, or when a partner read without a profile has
// one now.
func TestCheckoutChecks(t *testing.T) {
	backends(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, cu := fixture(t, s)
		for _, tt := range []struct {
			name     string
			customer onboard.Customer
			partner  *onboard.PartnerProfile
		}{
			{"CustomerChanged", func() onboard.Customer { c := *cu; c.Version = 0; return c }(), p},
			{"PartnerChanged", *cu, &onboard.PartnerProfile{TenantID: partner, Version: 7}},
			{"PartnerAppeared", *cu, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				cart := newCart(cu)
				if err := s.CreateCart(ctx, store.CartWrite{Cart: cart, Customer: cu, Partner: p}, store.Effects{}); err != nil {
					t.Fatal(err)
				}
				c, o := ordered(cart)
				err := s.Checkout(ctx, store.Checkout{CartWrite: store.CartWrite{Cart: c, Customer: &tt.customer, Partner: tt.partner},
					Orders: []*onboard.Order{o}}, store.Effects{})
				wantCode(t, err, onboard.ErrConflict)
				if _, err := s.Order(ctx, partner, cu.ID, o.ID); onboard.ErrorCode(err) != onboard.ErrNotFound {
					t.Errorf("the order was written: %v", err)
				}
				if got, _ := s.Cart(ctx, partner, cu.ID, cart.ID); got.Status != onboard.CartActive || got.Version != 1 {
					t.Errorf("cart = %+v, want unchanged", got)
				}
			})
		}
	})
}

// TestCartTTL: an Active cart carries a TTL (its expiry plus CartRetention) so the table deletes
// abandoned carts; an Ordered one does not, being part of its orders' history.
func TestCartTTL(t *testing.T) {
	backends(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, cu := fixture(t, s)
		cart := newCart(cu)
		if err := s.CreateCart(ctx, store.CartWrite{Cart: cart, Customer: cu, Partner: p}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		ttl := func() any {
			var items []map[string]any
			if err := s.Backend().Query(ctx, store.Query{PK: "PARTNER#" + partner, SKPrefix: "CART#"}, &items); err != nil || len(items) != 1 {
				t.Fatalf("query: %v, %d items", err, len(items))
			}
			return items[0]["ttl"]
		}
		if got, want := ttl(), float64(cart.ExpiresAt.Add(store.CartRetention).Unix()); got != want {
			t.Errorf("Active cart ttl = %v, want %v", got, want)
		}
		c, o := ordered(cart)
		if err := s.Checkout(ctx, store.Checkout{CartWrite: store.CartWrite{Cart: c, Customer: cu, Partner: p}, Orders: []*onboard.Order{o}}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		if got := ttl(); got != nil {
			t.Errorf("Ordered cart ttl = %v, want none", got)
		}
	})
}

// TestSaveOrder: a changed order leaves the pending index; a write from a stale read is a Conflict.
func TestSaveOrder(t *testing.T) {
	backends(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, cu := fixture(t, s)
		cart := newCart(cu)
		if err := s.CreateCart(ctx, store.CartWrite{Cart: cart, Customer: cu, Partner: p}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		c, o := ordered(cart)
		if err := s.Checkout(ctx, store.Checkout{CartWrite: store.CartWrite{Cart: c, Customer: cu, Partner: p}, Orders: []*onboard.Order{o}}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		stale := *o
		o.Status = onboard.OrderCompleted
		if err := s.SaveOrder(ctx, o, store.Effects{}); err != nil || o.Version != 2 {
			t.Fatalf("SaveOrder = %v, version %d", err, o.Version)
		}
		if pending, err := s.PendingOrders(ctx, 10); err != nil || len(pending) != 0 {
			t.Errorf("PendingOrders = %+v, %v; want none", pending, err)
		}
		stale.Status = onboard.OrderCancelled
		wantCode(t, s.SaveOrder(ctx, &stale, store.Effects{}), onboard.ErrConflict)
		if stale.Version != 1 {
			t.Errorf("a failed save left version %d, want 1", stale.Version)
		}
		if got, _ := s.Order(ctx, partner, cu.ID, o.ID); got.Status != onboard.OrderCompleted {
			t.Errorf("order = %+v, want completed", got)
		}
	})
}
