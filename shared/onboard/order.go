package onboard

import "time"

// Segment is the catalog an offer belongs to: the Online Services for Government catalog, or the
// commercial one.
type Segment string

// Catalog segments (the targetSegment of GET /v1/products).
const (
	SegmentGovernment Segment = "government"
	SegmentCommercial Segment = "commercial"
)

// Term durations (ISO 8601) and billing cycles a cart line may ask for, as Partner Center names them.
const (
	TermP1M        = "P1M"
	TermP1Y        = "P1Y"
	TermP3Y        = "P3Y"
	BillingMonthly = "monthly"
	BillingAnnual  = "annual"
)

// CartStatus is a cart's state: Active until checked out, then Ordered for good.
type CartStatus string

// Cart states.
const (
	CartActive  CartStatus = "Active"
	CartOrdered CartStatus = "Ordered"
)

// CartLineItem is one offer in a cart. ID is its index in the cart, as in Partner Center.
type CartLineItem struct {
	ID            int    `json:"id"`
	CatalogItemID string `json:"catalogItemId"`
	FriendlyName  string `json:"friendlyName"`
	Quantity      int    `json:"quantity"`
	TermDuration  string `json:"termDuration"`
	BillingCycle  string `json:"billingCycle"`
}

// Cart is what an agent is about to order for one of the partner's customers. It expires some
// days after its last change (as Partner Center's carts do) unless it was checked out.
type Cart struct {
	ID         string         `json:"id"`
	PartnerID  string         `json:"partnerId"`
	CustomerID string         `json:"customerId"`
	Status     CartStatus     `json:"status"`
	LineItems  []CartLineItem `json:"lineItems"`
	CreatedAt  time.Time      `json:"createdAt"`
	UpdatedAt  time.Time      `json:"updatedAt"`
	ExpiresAt  time.Time      `json:"expiresAt"`
	CreatedBy  string         `json:"createdBy"` // subject of the agent's token
	UpdatedBy  string         `json:"updatedBy"`
	OrderIDs   []string       `json:"orderIds,omitempty"`
	OrderedAt  *time.Time     `json:"orderedAt,omitempty"`
	Version    int64          `json:"version"`
}

// Expired reports whether an Active cart can no longer be changed or checked out at now.
func (c *Cart) Expired(now time.Time) bool {
	return c.Status == CartActive && !now.Before(c.ExpiresAt)
}

// OrderStatus is an order's state: pending → completed (fulfilled) or cancelled.
type OrderStatus string

// Order states, lower-case as Partner Center writes them.
const (
	OrderPending   OrderStatus = "pending"
	OrderCompleted OrderStatus = "completed"
	OrderCancelled OrderStatus = "cancelled"
)

// OrderLineItem is one offer of an order; fulfilment gives it the subscription it created.
type OrderLineItem struct {
	LineItemNumber int    `json:"lineItemNumber"`
	CatalogItemID  string `json:"catalogItemId"`
	FriendlyName   string `json:"friendlyName"`
	Quantity       int    `json:"quantity"`
	TermDuration   string `json:"termDuration"`
	BillingCycle   string `json:"billingCycle"`
	SubscriptionID string `json:"subscriptionId,omitempty"`
}

// Order is what a checkout submitted: the lines of one cart that share a billing cycle (Partner
// Center splits a cart into one order per billing cycle).
type Order struct {
	ID           string          `json:"id"`
	PartnerID    string          `json:"partnerId"`
	CustomerID   string          `json:"customerId"`
	CartID       string          `json:"cartId"`
	BillingCycle string          `json:"billingCycle"`
	Status       OrderStatus     `json:"status"`
	LineItems    []OrderLineItem `json:"lineItems"`
	CreatedAt    time.Time       `json:"createdAt"`
	PlacedBy     string          `json:"placedBy"` // subject of the agent's token
	CompletedAt  *time.Time      `json:"completedAt,omitempty"`
	CancelledAt  *time.Time      `json:"cancelledAt,omitempty"`
	Version      int64           `json:"version"`
}
