package store

import (
	"context"
	"errors"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Item kinds of the ordering step.
const (
	KindCart  = "Cart"
	KindOrder = "Order"
)

// CartRetention is how long the table keeps an Active cart after it expired, so that using it
// still says CartExpired rather than NotFound; then the table's TTL deletes it. Ordered carts are
// kept: they are part of their orders' history.
const CartRetention = 30 * 24 * time.Hour

// Carts and orders live in their partner's partition, beside its customers, so another partner
// can never reach them. Their sort keys start with the customer's ID, so a customer's orders are
// one query; they must not start with "CUSTOMER#", or Customers would list them.
func cartKey(partner, customer, id string) Key {
	return Key{"PARTNER#" + partner, "CART#" + customer + "#" + id}
}

func orderKey(partner, customer, id string) Key {
	return Key{"PARTNER#" + partner, "ORDER#" + customer + "#" + id}
}

func customerOrdersPrefix(customer string) string { return "ORDER#" + customer + "#" }

// pendingOrdersPK is the index partition of orders waiting for fulfilment, oldest first. Only
// pending orders are in it (a sparse index), so the fulfilment sweep reads nothing else.
const pendingOrdersPK = "ORDERS#" + string(onboard.OrderPending)

func cartItem(c *onboard.Cart) Item {
	it := Item{Key: cartKey(c.PartnerID, c.CustomerID, c.ID), Kind: KindCart, Version: c.Version, Data: c}
	if c.Status == onboard.CartActive {
		it.TTL = c.ExpiresAt.Add(CartRetention).Unix()
	}
	return it
}

func orderItem(o *onboard.Order) Item {
	it := Item{Key: orderKey(o.PartnerID, o.CustomerID, o.ID), Kind: KindOrder, Version: o.Version, Data: o}
	if o.Status == onboard.OrderPending {
		it.GSI1PK, it.GSI1SK = pendingOrdersPK, o.CreatedAt.UTC().Format(time.RFC3339Nano)+"#"+o.ID
	}
	return it
}

// checkPartner asserts the partner's profile is as read; a partner without one (nil) must still
// have none, so a qualification granted meanwhile is caught too.
func checkPartner(partnerID string, p *onboard.PartnerProfile) Op {
	if p == nil {
		return CheckNotExists(partnerKey(partnerID))
	}
	return CheckPartner(p)
}

// CartWrite is a new or changed cart with what its eligibility was judged on: the customer and the
// partner's profile as read (nil if the partner has none). The write fails if either changed.
type CartWrite struct {
	Cart     *onboard.Cart // a changed cart carries the Version it was read with
	Customer *onboard.Customer
	Partner  *onboard.PartnerProfile
}

func (w CartWrite) checks() []Op {
	return []Op{CheckCustomer(w.Customer), checkPartner(w.Cart.PartnerID, w.Partner)}
}

// CreateCart writes a new cart with fx in one transaction. A customer or partner changed since it
// was read returns Conflict (read again and retry); a cart that already exists ErrAlreadyWritten.
func (s *Store) CreateCart(ctx context.Context, w CartWrite, fx Effects) error {
	c := w.Cart
	c.Version = 1
	failed, err := s.transact(ctx, append([]Op{PutNew(cartItem(c))}, w.checks()...), fx)
	if err == nil {
		return nil
	}
	c.Version = 0
	switch {
	case errors.Is(err, ErrIdempotentReplay):
		return err
	case failed == 0:
		return ErrAlreadyWritten
	case failed > 0:
		return conflict("The customer or your partner profile")
	}
	return err
}

// SaveCart replaces a cart (Version the one read) with fx in one transaction. A cart, customer or
// partner changed since it was read returns Conflict: read them again and retry.
func (s *Store) SaveCart(ctx context.Context, w CartWrite, fx Effects) error {
	c := w.Cart
	read := c.Version
	c.Version++
	failed, err := s.transact(ctx, append([]Op{PutIfVersion(cartItem(c), read)}, w.checks()...), fx)
	if err == nil {
		return nil
	}
	c.Version = read
	switch {
	case errors.Is(err, ErrIdempotentReplay):
		return err
	case failed == 0:
		return conflict("The cart")
	case failed > 0:
		return conflict("The customer or your partner profile")
	}
	return err
}

// Checkout is a checkout's whole write: the cart as ordered (Version the one read), its new
// orders, and the customer and partner profile its eligibility was judged on.
type Checkout struct {
	CartWrite
	Orders []*onboard.Order
}

// Checkout writes the orders and the Ordered cart with fx in one transaction, and only if the
// cart, the customer and the partner's profile are all as read: of concurrent checkouts of one
// cart exactly one commits; the others get Conflict and, reading again, find the cart Ordered.
func (s *Store) Checkout(ctx context.Context, co Checkout, fx Effects) error {
	c := co.Cart
	read := c.Version
	c.Version++
	ops := []Op{PutIfVersion(cartItem(c), read)}
	for _, o := range co.Orders {
		o.Version = 1
		ops = append(ops, PutNew(orderItem(o)))
	}
	ops = append(ops, co.checks()...)
	failed, err := s.transact(ctx, ops, fx)
	if err == nil {
		return nil
	}
	c.Version = read
	for _, o := range co.Orders {
		o.Version = 0
	}
	switch {
	case errors.Is(err, ErrIdempotentReplay):
		return err
	case failed == 0:
		return conflict("The cart")
	case failed > 0 && failed <= len(co.Orders):
		return ErrAlreadyWritten
	case failed > 0:
		return conflict("The customer or your partner profile")
	}
	return err
}

// Cart reads one of a partner's customer's carts. Another partner's or customer's is not found.
func (s *Store) Cart(ctx context.Context, partner, customer, id string) (*onboard.Cart, error) {
	var c onboard.Cart
	if err := s.b.Get(ctx, cartKey(partner, customer, id), &c); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Cart " + id)
		}
		return nil, err
	}
	return &c, nil
}

// Order reads one of a partner's customer's orders. Another partner's or customer's is not found.
func (s *Store) Order(ctx context.Context, partner, customer, id string) (*onboard.Order, error) {
	var o onboard.Order
	if err := s.b.Get(ctx, orderKey(partner, customer, id), &o); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound("Order " + id)
		}
		return nil, err
	}
	return &o, nil
}

// Orders lists a partner's customer's orders, in no particular order.
func (s *Store) Orders(ctx context.Context, partner, customer string) ([]onboard.Order, error) {
	var out []onboard.Order
	err := s.b.Query(ctx, Query{PK: "PARTNER#" + partner, SKPrefix: customerOrdersPrefix(customer)}, &out)
	return out, err
}

// PendingOrders lists up to limit orders waiting for fulfilment (every partner's), oldest first.
func (s *Store) PendingOrders(ctx context.Context, limit int) ([]onboard.Order, error) {
	var out []onboard.Order
	err := s.b.Query(ctx, Query{Index: IndexGSI1, PK: pendingOrdersPK, Limit: limit}, &out)
	return out, err
}

// SaveOrder writes a changed order (Version the one read) with fx in one transaction; an order
// changed meanwhile (fulfilled or cancelled by someone else) returns Conflict.
func (s *Store) SaveOrder(ctx context.Context, o *onboard.Order, fx Effects) error {
	read := o.Version
	o.Version++
	_, err := s.transact(ctx, []Op{PutIfVersion(orderItem(o), read)}, fx)
	if err == nil {
		return nil
	}
	o.Version = read
	if _, ok := FailedOp(err); ok {
		return conflict("The order")
	}
	return err
}
