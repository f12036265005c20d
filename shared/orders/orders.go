// Package orders is the ordering step: the catalog a partner may sell from, carts for its
// customers, checkout (the order submission, one transaction with its confirmation mail and
// audit), fulfilment of pending orders and their cancellation.
//
// Who may buy what is decided by each offer's required qualifications: a government offer needs
// a partner with the Government_community_cloud reseller qualification and a customer with the
// GovernmentCommunityCloud special qualification; a commercial offer a customer without it. A
// cart is judged when it is built and again, against the current catalog and qualifications, at
// checkout, whose transaction also asserts that neither the customer nor the partner changed.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// Defaults for the Service's tunables.
const (
	// DefaultCartLifetime is how long a cart stays usable after its last change, as in Partner Center.
	DefaultCartLifetime = 7 * 24 * time.Hour
	// DefaultAttempts bounds how often a write that lost a race is read again and retried.
	DefaultAttempts = 20
	// MaxLineItems bounds one cart (its checkout is one transaction, of at most 100 items).
	MaxLineItems = 50
)

// ConfirmationTemplate names the mail a checkout sends.
var ConfirmationTemplate = mail.OrderConfirmation{}.Name()

// Service is the ordering step.
type Service struct {
	Store *store.Store
	// Catalog is the offers on sale; nil means the embedded catalog (catalog.Default).
	Catalog *catalog.Catalog
	Now     func() time.Time
	Log     *slog.Logger
	// CartLifetime overrides DefaultCartLifetime when above 0.
	CartLifetime time.Duration
	// FulfilAfter is how long an order stays pending (and cancellable) before fulfilment takes it.
	FulfilAfter time.Duration
	// Attempts overrides DefaultAttempts when above 0.
	Attempts int
}

// LineInput is one line of a cart as submitted.
type LineInput struct {
	CatalogItemID string `json:"catalogItemId"`
	Quantity      int    `json:"quantity"`
	TermDuration  string `json:"termDuration"`
	BillingCycle  string `json:"billingCycle"`
}

// CartInput is the body of POST and PUT /v1/customers/{id}/carts.
type CartInput struct {
	LineItems []LineInput `json:"lineItems"`
}

// CartView is a cart as the API shows it.
type CartView struct {
	ID         string                 `json:"id"`
	CustomerID string                 `json:"customerId"`
	Status     onboard.CartStatus     `json:"status"`
	LineItems  []onboard.CartLineItem `json:"lineItems"`
	CreatedAt  time.Time              `json:"createdAt"`
	UpdatedAt  time.Time              `json:"updatedAt"`
	ExpiresAt  time.Time              `json:"expiresAt"`
	OrderIDs   []string               `json:"orderIds,omitempty"`
}

func cartView(c *onboard.Cart) *CartView {
	return &CartView{ID: c.ID, CustomerID: c.CustomerID, Status: c.Status, LineItems: c.LineItems,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ExpiresAt: c.ExpiresAt, OrderIDs: c.OrderIDs}
}

// OrderView is an order as the API shows it.
type OrderView struct {
	ID           string                  `json:"id"`
	CustomerID   string                  `json:"customerId"`
	CartID       string                  `json:"cartId"`
	BillingCycle string                  `json:"billingCycle"`
	Status       onboard.OrderStatus     `json:"status"`
	LineItems    []onboard.OrderLineItem `json:"lineItems"`
	CreatedAt    time.Time               `json:"createdAt"`
	CompletedAt  *time.Time              `json:"completedAt,omitempty"`
	CancelledAt  *time.Time              `json:"cancelledAt,omitempty"`
}

func orderView(o *onboard.Order) OrderView {
	return OrderView{ID: o.ID, CustomerID: o.CustomerID, CartID: o.CartID, BillingCycle: o.BillingCycle, Status: o.Status,
		LineItems: o.LineItems, CreatedAt: o.CreatedAt, CompletedAt: o.CompletedAt, CancelledAt: o.CancelledAt}
}

// OrderError is one entry of a checkout's orderErrors; checkout is all or nothing here, so the
// list is always empty, but Partner Center's clients expect the member.
type OrderError struct {
	OrderGroupID string `json:"orderGroupId"`
	Code         int    `json:"code"`
	Description  string `json:"description"`
}

// CheckoutResult is the answer to a checkout, Partner Center's CartCheckoutResult.
type CheckoutResult struct {
	Orders      []OrderView  `json:"orders"`
	OrderErrors []OrderError `json:"orderErrors"`
}

// ProductQuery is GET /v1/products' query.
type ProductQuery struct {
	Country, TargetView, TargetSegment string
}

// Products lists the offers of the requested segment (all the partner may sell when no segment
// is named). A partner without the GCC reseller qualification asking for the government catalog
// is refused before its other parameters are looked at (API.md's order of checks).
func (s *Service) Products(ctx context.Context, who onboard.Principal, q ProductQuery) ([]catalog.Offer, error) {
	seg := onboard.Segment(strings.ToLower(strings.TrimSpace(q.TargetSegment)))
	partner, err := s.Store.PartnerProfile(ctx, who.PartnerID)
	if err != nil {
		return nil, err
	}
	if seg == onboard.SegmentGovernment && !partner.GCCQualified() {
		return nil, &onboard.Error{Code: onboard.ErrPartnerNotGccQualified,
			Message: "Only a partner with the Government_community_cloud reseller qualification may see the " +
				"Online Services for Government catalog. " +
				"Apply through the partner GCC eligibility form, or contact " + onboard.SupportEmail + "."}
	}
	var p onboard.Problems
	if !strings.EqualFold(strings.TrimSpace(q.Country), "US") {
		p.Add("country", "must be US: the Online Services for Government catalog is sold in the United States only")
	}
	if !strings.EqualFold(strings.TrimSpace(q.TargetView), "OnlineServices") {
		p.Add("targetView", "must be OnlineServices")
	}
	switch seg {
	case "", onboard.SegmentGovernment, onboard.SegmentCommercial:
	default:
		p.Add("targetSegment", "must be government or commercial")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if seg == "" && !partner.GCCQualified() {
		seg = onboard.SegmentCommercial
	}
	return s.catalog().Segment(seg), nil
}

// CreateCart creates a cart for one of who's partner's customers. Each line is checked against
// its offer (ValidationFailed naming the field) and then for eligibility (OfferNotEligible naming
// the line); the cart, its audit record and idem (when the request carried an Idempotency-Key) are
// written in one transaction that also asserts the customer and partner were as judged.
func (s *Service) CreateCart(ctx context.Context, who onboard.Principal, customerID string, in CartInput,
	idem *store.Idempotency) (*CartView, error) {
	now := s.now()
	c := &onboard.Cart{ID: onboard.NewID("ct"), PartnerID: who.PartnerID, CustomerID: customerID, Status: onboard.CartActive,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.cartLifetime()), CreatedBy: who.Subject, UpdatedBy: who.Subject}
	auditID := onboard.NewID("au")
	var view *CartView
	err := s.retry(ctx, func() error {
		cu, partner, err := s.parties(ctx, who.PartnerID, customerID)
		if err != nil {
			return err
		}
		if c.LineItems, err = s.judge(in.LineItems, cu, partner); err != nil {
			return err
		}
		view = cartView(c)
		fx := store.Effects{Audit: []*onboard.AuditRecord{audit(who, now, auditID, "cart.create", "Cart", c.ID, "", linesState(c.LineItems))}}
		if idem != nil {
			if fx.Idempotency, err = replayable(idem, 201, view, cartPath(c), now); err != nil {
				return err
			}
		}
		return s.Store.CreateCart(ctx, store.CartWrite{Cart: c, Customer: cu, Partner: partner}, fx)
	})
	if errors.Is(err, store.ErrAlreadyWritten) { // an earlier attempt committed; its answer was lost
		return s.Cart(ctx, who.PartnerID, customerID, c.ID)
	}
	if err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "cart created", "partner", who.PartnerID, "customer", customerID, "cart", c.ID,
		"lines", len(c.LineItems), "agent", who.Subject)
	return view, nil
}

// Cart returns one of partner's customer's carts.
func (s *Service) Cart(ctx context.Context, partner, customerID, cartID string) (*CartView, error) {
	if _, err := s.Store.Customer(ctx, partner, customerID); err != nil {
		return nil, err
	}
	c, err := s.Store.Cart(ctx, partner, customerID, cartID)
	if err != nil {
		return nil, err
	}
	return cartView(c), nil
}

// ReplaceCart replaces an Active cart's line items, judged as on creation, and restarts its
// lifetime. An Ordered cart is CartAlreadyOrdered, an expired one CartExpired.
func (s *Service) ReplaceCart(ctx context.Context, who onboard.Principal, customerID, cartID string, in CartInput) (*CartView, error) {
	now := s.now()
	auditID := onboard.NewID("au")
	var view *CartView
	err := s.retry(ctx, func() error {
		cu, partner, err := s.parties(ctx, who.PartnerID, customerID)
		if err != nil {
			return err
		}
		c, err := s.Store.Cart(ctx, who.PartnerID, customerID, cartID)
		if err != nil {
			return err
		}
		if err := usable(c, now); err != nil {
			return err
		}
		before := linesState(c.LineItems)
		if c.LineItems, err = s.judge(in.LineItems, cu, partner); err != nil {
			return err
		}
		c.UpdatedAt, c.UpdatedBy, c.ExpiresAt = now, who.Subject, now.Add(s.cartLifetime())
		view = cartView(c)
		fx := store.Effects{Audit: []*onboard.AuditRecord{
			audit(who, now, auditID, "cart.update", "Cart", c.ID, before, linesState(c.LineItems))}}
		return s.Store.SaveCart(ctx, store.CartWrite{Cart: c, Customer: cu, Partner: partner}, fx)
	})
	if err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "cart updated", "partner", who.PartnerID, "customer", customerID, "cart", cartID,
		"lines", len(view.LineItems), "agent", who.Subject)
	return view, nil
}

// Checkout submits a cart: it re-judges every line against the current catalog and the current
// qualifications, then writes the pending orders (one per billing cycle), the Ordered cart, the
// audit records, the confirmation mail to the partner's contact and to the agent, and idem, in one
// transaction that holds only if the cart, the customer and the partner are unchanged since read.
// Of concurrent checkouts of one cart exactly one succeeds; the others get CartAlreadyOrdered.
func (s *Service) Checkout(ctx context.Context, who onboard.Principal, customerID, cartID string,
	idem *store.Idempotency) (*CheckoutResult, error) {
	now := s.now()
	// IDs are fixed across attempts, so an attempt that committed although its answer was lost is
	// recognised by the next one (the cart then names these orders) and never repeated.
	orderIDs := []string{onboard.NewID("od"), onboard.NewID("od")}
	var res *CheckoutResult
	err := s.retry(ctx, func() error {
		cu, partner, err := s.parties(ctx, who.PartnerID, customerID)
		if err != nil {
			return err
		}
		c, err := s.Store.Cart(ctx, who.PartnerID, customerID, cartID)
		if err != nil {
			return err
		}
		if c.Status == onboard.CartOrdered && len(c.OrderIDs) > 0 && c.OrderIDs[0] == orderIDs[0] {
			res, err = s.storedResult(ctx, c)
			return err
		}
		if err := usable(c, now); err != nil {
			return err
		}
		inputs := make([]LineInput, len(c.LineItems))
		for i, l := range c.LineItems {
			inputs[i] = LineInput{CatalogItemID: l.CatalogItemID, Quantity: l.Quantity, TermDuration: l.TermDuration, BillingCycle: l.BillingCycle}
		}
		lines, err := s.judge(inputs, cu, partner)
		if err != nil {
			return err
		}
		orders := split(c, lines, orderIDs, who, now)
		c.Status, c.OrderedAt, c.UpdatedAt, c.UpdatedBy = onboard.CartOrdered, &now, now, who.Subject
		c.OrderIDs = nil
		for _, o := range orders {
			c.OrderIDs = append(c.OrderIDs, o.ID)
		}
		res = &CheckoutResult{OrderErrors: []OrderError{}}
		for _, o := range orders {
			res.Orders = append(res.Orders, orderView(o))
		}
		fx, err := s.checkoutEffects(c, orders, cu, partner, who, now)
		if err != nil {
			return err
		}
		if idem != nil {
			if fx.Idempotency, err = replayable(idem, 201, res, orderPath(orders[0]), now); err != nil {
				return err
			}
		}
		return s.Store.Checkout(ctx, store.Checkout{CartWrite: store.CartWrite{Cart: c, Customer: cu, Partner: partner}, Orders: orders}, fx)
	})
	if err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "cart checked out", "partner", who.PartnerID, "customer", customerID, "cart", cartID,
		"orders", len(res.Orders), "agent", who.Subject)
	return res, nil
}

// storedResult is the answer of a checkout that committed in an earlier attempt.
func (s *Service) storedResult(ctx context.Context, c *onboard.Cart) (*CheckoutResult, error) {
	res := &CheckoutResult{OrderErrors: []OrderError{}}
	for _, id := range c.OrderIDs {
		o, err := s.Store.Order(ctx, c.PartnerID, c.CustomerID, id)
		if err != nil {
			return nil, err
		}
		res.Orders = append(res.Orders, orderView(o))
	}
	return res, nil
}

// CheckoutLocation is where a checkout's answer points: its first order.
func CheckoutLocation(customerID string, res *CheckoutResult) string {
	return "/v1/customers/" + customerID + "/orders/" + res.Orders[0].ID
}

// split turns a cart's judged lines into pending orders, one per billing cycle in the order the
// cycles first appear, as Partner Center does.
func split(c *onboard.Cart, lines []onboard.CartLineItem, ids []string, who onboard.Principal, now time.Time) []*onboard.Order {
	var orders []*onboard.Order
	byCycle := map[string]*onboard.Order{}
	for _, l := range lines {
		o, ok := byCycle[l.BillingCycle]
		if !ok {
			o = &onboard.Order{ID: ids[len(orders)], PartnerID: c.PartnerID, CustomerID: c.CustomerID, CartID: c.ID,
				BillingCycle: l.BillingCycle, Status: onboard.OrderPending, CreatedAt: now, PlacedBy: who.Subject}
			byCycle[l.BillingCycle] = o
			orders = append(orders, o)
		}
		o.LineItems = append(o.LineItems, onboard.OrderLineItem{LineItemNumber: len(o.LineItems), CatalogItemID: l.CatalogItemID,
			FriendlyName: l.FriendlyName, Quantity: l.Quantity, TermDuration: l.TermDuration, BillingCycle: l.BillingCycle})
	}
	return orders
}

// checkoutEffects is the confirmation mail (to the partner's contact and to the agent, each
// their own copy) and the audit records of the cart and of each order.
func (s *Service) checkoutEffects(c *onboard.Cart, orders []*onboard.Order, cu *onboard.Customer, partner *onboard.PartnerProfile,
	who onboard.Principal, now time.Time) (store.Effects, error) {
	fx := store.Effects{Audit: []*onboard.AuditRecord{
		audit(who, now, onboard.NewID("au"), "cart.checkout", "Cart", c.ID, string(onboard.CartActive), string(onboard.CartOrdered))}}
	for _, o := range orders {
		fx.Audit = append(fx.Audit, audit(who, now, onboard.NewID("au"), "order.create", "Order", o.ID, "", string(o.Status)))
	}
	confirmation := mail.OrderConfirmation{Orders: orders, Customer: cu}
	var to []string
	if partner != nil {
		confirmation.PartnerName = partner.CompanyName
		if partner.ContactEmail != "" {
			to = append(to, partner.ContactEmail)
		}
	}
	if who.Email != "" && !slices.ContainsFunc(to, func(a string) bool { return strings.EqualFold(a, who.Email) }) {
		to = append(to, who.Email)
	}
	for _, addr := range to {
		m, err := mail.NewNotification(confirmation, []string{addr}, c.PartnerID, orders[0].ID, now)
		if err != nil {
			return store.Effects{}, err
		}
		fx.Mail = append(fx.Mail, m)
	}
	return fx, nil
}

// Orders lists one of partner's customer's orders, oldest first.
func (s *Service) Orders(ctx context.Context, partner, customerID string) ([]OrderView, error) {
	if _, err := s.Store.Customer(ctx, partner, customerID); err != nil {
		return nil, err
	}
	os, err := s.Store.Orders(ctx, partner, customerID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(os, func(a, b onboard.Order) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]OrderView, len(os))
	for i := range os {
		out[i] = orderView(&os[i])
	}
	return out, nil
}

// Order returns one of partner's customer's orders.
func (s *Service) Order(ctx context.Context, partner, customerID, orderID string) (*OrderView, error) {
	if _, err := s.Store.Customer(ctx, partner, customerID); err != nil {
		return nil, err
	}
	o, err := s.Store.Order(ctx, partner, customerID, orderID)
	if err != nil {
		return nil, err
	}
	v := orderView(o)
	return &v, nil
}

// OrderPatch is the body of PATCH /v1/customers/{id}/orders/{orderId}: as in Partner Center, an
// order's one change is its cancellation, {"status": "cancelled"}.
type OrderPatch struct {
	Status onboard.OrderStatus `json:"status"`
}

// Cancel cancels a pending order. A completed or cancelled order is OrderNotCancellable (the
// record's state is checked before the body, per API.md).
func (s *Service) Cancel(ctx context.Context, who onboard.Principal, customerID, orderID string, in OrderPatch) (*OrderView, error) {
	now := s.now()
	auditID := onboard.NewID("au")
	var view OrderView
	err := s.retry(ctx, func() error {
		if _, err := s.Store.Customer(ctx, who.PartnerID, customerID); err != nil {
			return err
		}
		o, err := s.Store.Order(ctx, who.PartnerID, customerID, orderID)
		if err != nil {
			return err
		}
		if o.Status != onboard.OrderPending {
			return &onboard.Error{Code: onboard.ErrOrderNotCancellable,
				Message: fmt.Sprintf("Order %s is %s; only a pending order can be cancelled.", o.ID, o.Status)}
		}
		if st := onboard.OrderStatus(strings.ToLower(strings.TrimSpace(string(in.Status)))); st != onboard.OrderCancelled {
			return &onboard.Error{Code: onboard.ErrValidationFailed, Message: "An order's only change is its cancellation.",
				Fields: []onboard.FieldError{{Field: "status", Message: "must be cancelled"}}}
		}
		o.Status, o.CancelledAt = onboard.OrderCancelled, &now
		view = orderView(o)
		return s.Store.SaveOrder(ctx, o, store.Effects{Audit: []*onboard.AuditRecord{
			audit(who, now, auditID, "order.cancel", "Order", o.ID, string(onboard.OrderPending), string(onboard.OrderCancelled))}})
	})
	if err != nil {
		return nil, err
	}
	s.log().InfoContext(ctx, "order cancelled", "partner", who.PartnerID, "customer", customerID, "order", orderID, "agent", who.Subject)
	return &view, nil
}

// FulfilmentBatch is how many pending orders one sweep reads at a time.
const FulfilmentBatch = 100

// FulfilPending completes the pending orders that have waited FulfilAfter, oldest first: each
// line gets its subscription, the order completedAt. It is the fulfilment step, run by the
// schedule in AWS and every second by the local server. An order cancelled meanwhile is skipped.
func (s *Service) FulfilPending(ctx context.Context) (int, error) {
	n := 0
	for {
		pending, err := s.Store.PendingOrders(ctx, FulfilmentBatch)
		if err != nil {
			return n, err
		}
		due := s.now().Add(-s.FulfilAfter)
		done := 0
		for i := range pending {
			o := &pending[i]
			if o.CreatedAt.After(due) {
				return n, nil // the rest are newer still
			}
			if err := s.fulfil(ctx, o); err != nil {
				if onboard.ErrorCode(err) == onboard.ErrConflict {
					continue // cancelled or fulfilled by someone else meanwhile
				}
				return n, err
			}
			n++
			done++
		}
		if len(pending) < FulfilmentBatch || done == 0 {
			return n, nil
		}
	}
}

// fulfil completes one pending order.
func (s *Service) fulfil(ctx context.Context, o *onboard.Order) error {
	now := s.now()
	o.Status, o.CompletedAt = onboard.OrderCompleted, &now
	for i := range o.LineItems {
		o.LineItems[i].SubscriptionID = newGUID()
	}
	err := s.Store.SaveOrder(ctx, o, store.Effects{Audit: []*onboard.AuditRecord{{ID: onboard.NewID("au"), At: now, Actor: "system",
		PartnerID: o.PartnerID, Action: "order.complete", RecordType: "Order", RecordID: o.ID,
		Before: string(onboard.OrderPending), After: string(onboard.OrderCompleted)}}})
	if err == nil {
		s.log().InfoContext(ctx, "order fulfilled", "partner", o.PartnerID, "customer", o.CustomerID, "order", o.ID)
	}
	return err
}

// parties reads the customer (NotFound if it is not the partner's) and the partner's profile
// (nil when the partner never applied for GCC).
func (s *Service) parties(ctx context.Context, partnerID, customerID string) (*onboard.Customer, *onboard.PartnerProfile, error) {
	cu, err := s.Store.Customer(ctx, partnerID, customerID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Store.PartnerProfile(ctx, partnerID)
	if err != nil {
		return nil, nil, err
	}
	return cu, p, nil
}

// usable refuses a cart that can no longer change: ordered, or past its expiry.
func usable(c *onboard.Cart, now time.Time) error {
	switch {
	case c.Status == onboard.CartOrdered:
		return &onboard.Error{Code: onboard.ErrCartAlreadyOrdered,
			Message: fmt.Sprintf("Cart %s was already checked out (orders %s); create a new cart.", c.ID, strings.Join(c.OrderIDs, ", "))}
	case c.Expired(now):
		return &onboard.Error{Code: onboard.ErrCartExpired,
			Message: fmt.Sprintf("Cart %s expired at %s, %s after its last change; create a new cart.", c.ID,
				c.ExpiresAt.UTC().Format(time.RFC3339), days(c.ExpiresAt.Sub(c.UpdatedAt)))}
	}
	return nil
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

func cartPath(c *onboard.Cart) string { return "/v1/customers/" + c.CustomerID + "/carts/" + c.ID }

func orderPath(o *onboard.Order) string { return "/v1/customers/" + o.CustomerID + "/orders/" + o.ID }

// replayable fills idem with the response the request is about to get, so a retry with the same
// Idempotency-Key gets exactly these bytes (writeJSON's encoding: JSON plus a newline).
func replayable(idem *store.Idempotency, status int, view any, location string, now time.Time) (*store.Idempotency, error) {
	body, err := json.Marshal(view)
	if err != nil {
		return nil, err
	}
	idem.Status, idem.ContentType, idem.Body, idem.Location, idem.CreatedAt = status, "application/json", append(body, '\n'), location, now
	return idem, nil
}

func audit(who onboard.Principal, now time.Time, id, action, recordType, recordID, before, after string) *onboard.AuditRecord {
	return &onboard.AuditRecord{ID: id, At: now, Actor: who.Subject, Role: string(who.Role), PartnerID: who.PartnerID,
		Action: action, RecordType: recordType, RecordID: recordID, Before: before, After: after}
}

// linesState is a cart's lines for an audit record: "3 x ID P1Y/annual; ...".
func linesState(lines []onboard.CartLineItem) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = fmt.Sprintf("%d x %s %s/%s", l.Quantity, l.CatalogItemID, l.TermDuration, l.BillingCycle)
	}
	return strings.Join(parts, "; ")
}

// newGUID returns a random (version 4) GUID, the shape of Partner Center's subscription IDs.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// retry runs attempt until it does not lose a write race (store.RetryRaces), at most Attempts times.
func (s *Service) retry(ctx context.Context, attempt func() error) error {
	n := s.Attempts
	if n <= 0 {
		n = DefaultAttempts
	}
	return store.RetryRaces(ctx, n, s.log(), attempt)
}

func (s *Service) catalog() *catalog.Catalog {
	if s.Catalog != nil {
		return s.Catalog
	}
	return catalog.Default()
}

func (s *Service) cartLifetime() time.Duration {
	if s.CartLifetime > 0 {
		return s.CartLifetime
	}
	return DefaultCartLifetime
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
