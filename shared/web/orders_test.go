package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/store"
)

// Partners of the ordering tests: ordGCC and ordRival are GCC-qualified, ordPlain never applied.
const (
	ordGCC   = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	ordRival = "8c3d4e5f-6a7b-4c8d-ae9f-1a2b3c4d5e6f"
	ordPlain = "7b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"
	// ordContact is the GCC partners' contact from their approved eligibility request.
	ordContact = "orders@contoso.example"
	// ordAgent is the email the test tokens carry (env.token).
	ordAgent = "agent@partner.example"
)

// orderEnv is an env whose server runs the ordering step, on a clock of its own (so a test can
// let a cart expire while tokens stay valid).
type orderEnv struct {
	*env
	svc   *orders.Service
	clock atomic.Int64 // Unix nanoseconds
}

// withOrders serves e's store with the ordering step on a new server that replaces e's.
func withOrders(t *testing.T, e *env) *orderEnv {
	t.Helper()
	oe := &orderEnv{env: e}
	oe.clock.Store(e.now.UnixNano())
	oe.svc = oe.service(catalog.Default())
	e.srv = oe.serve(t, oe.svc)
	return oe
}

func (oe *orderEnv) service(cat *catalog.Catalog) *orders.Service {
	return &orders.Service{Store: oe.store, Catalog: cat, Now: oe.now, Log: oe.log()}
}

func (oe *orderEnv) log() *slog.Logger {
	return slog.New(slog.NewJSONHandler(oe.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (oe *orderEnv) serve(t *testing.T, svc *orders.Service) *httptest.Server {
	t.Helper()
	h, err := (&Server{Store: oe.store, Auth: oe.issuer, Log: oe.log(), Orders: svc}).Handler(AllRoutes()...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// redeployed is another server over the same store whose catalog is cat: what a deployment with
// a changed catalog serves.
func (oe *orderEnv) redeployed(t *testing.T, cat *catalog.Catalog) *env {
	e := *oe.env
	e.srv = oe.serve(t, oe.service(cat))
	return &e
}

func (oe *orderEnv) now() time.Time          { return time.Unix(0, oe.clock.Load()).UTC() }
func (oe *orderEnv) advance(d time.Duration) { oe.clock.Add(int64(d)) }

// agent returns an Authorization header of an admin agent of partner.
func (oe *orderEnv) agent(partner string) string {
	return "Bearer " + oe.token(onboard.RoleAdminAgent, partner)
}

// put writes item as the flows of other issues would have (intake and review for a partner's
// profile, customer creation for a customer): a new one when read is 0, else over version read.
func (oe *orderEnv) put(t *testing.T, it store.Item, read int64) {
	t.Helper()
	op := store.PutNew(it)
	if read > 0 {
		op = store.PutIfVersion(it, read)
	}
	if err := oe.store.Backend().Transact(context.Background(), op); err != nil {
		t.Fatal(err)
	}
}

// partner stores tenant's legal business profile as an approved GCC partner's, or, with gcc
// false, as one without the qualification.
func (oe *orderEnv) partner(t *testing.T, tenant string, gcc bool) *onboard.PartnerProfile {
	t.Helper()
	p := &onboard.PartnerProfile{TenantID: tenant, CompanyName: "Contoso Gov Solutions", PartnerType: onboard.DirectBill,
		ResellerQualifications: []string{}, ContactEmail: ordContact, Version: 1}
	if gcc {
		p.ResellerQualifications = []string{onboard.GovernmentCommunityCloudQualification}
	}
	oe.put(t, store.Item{Key: store.Key{PK: "PARTNER#" + tenant, SK: "PROFILE"}, Kind: store.KindPartner, Version: 1, Data: p}, 0)
	return p
}

// updatePartner saves a changed profile p (Version the one read).
func (oe *orderEnv) updatePartner(t *testing.T, p *onboard.PartnerProfile) {
	t.Helper()
	p.Version++
	oe.put(t, store.Item{Key: store.Key{PK: "PARTNER#" + p.TenantID, SK: "PROFILE"}, Kind: store.KindPartner, Version: p.Version, Data: p}, p.Version-1)
}

// customer stores a new customer of partner with qualification q.
func (oe *orderEnv) customer(t *testing.T, partner string, q onboard.Qualification) *onboard.Customer {
	t.Helper()
	c := &onboard.Customer{ID: onboard.NewID("cu"), PartnerID: partner, Relationship: onboard.RelationshipReseller, Qualification: q,
		CompanyProfile: onboard.CompanyProfile{CompanyName: "City of Olympia", Domain: "olympia.example.gov"},
		BillingProfile: onboard.BillingProfile{Email: "billing@olympia.example.gov", FirstName: "Dana", LastName: "Reyes"},
		Origin:         "created", CreatedAt: oe.now(), UpdatedAt: oe.now(), Version: 1}
	if q == onboard.QualificationGCC {
		c.ValidationID = "val_fixture"
	}
	oe.put(t, oe.customerItem(c), 0)
	return c
}

func (oe *orderEnv) customerItem(c *onboard.Customer) store.Item {
	return store.Item{Key: store.Key{PK: "PARTNER#" + c.PartnerID, SK: "CUSTOMER#" + c.ID}, Kind: store.KindCustomer, Version: c.Version, Data: c}
}

// offer returns the catalogItemId of the embedded catalog's offer named name.
func offer(t *testing.T, name string) string {
	t.Helper()
	for _, o := range catalog.Default().Offers {
		if o.FriendlyName == name {
			return o.CatalogItemID
		}
	}
	t.Fatalf("no offer %q", name)
	return ""
}

func line(id string, quantity int, term, cycle string) map[string]any {
	return map[string]any{"catalogItemId": id, "quantity": quantity, "termDuration": term, "billingCycle": cycle}
}

func cartBody(lines ...map[string]any) map[string]any {
	return map[string]any{"lineItems": lines}
}

// newCart creates a cart that must be accepted.
func (oe *orderEnv) newCart(t *testing.T, auth, customer string, lines ...map[string]any) orders.CartView {
	t.Helper()
	res := oe.do("POST", "/v1/customers/"+customer+"/carts", cartBody(lines...), "Authorization", auth)
	if res.status != http.StatusCreated {
		t.Fatalf("create cart: %d %s", res.status, res.body)
	}
	var c orders.CartView
	res.json(t, &c)
	return c
}

func checkoutPath(c orders.CartView) string {
	return "/v1/customers/" + c.CustomerID + "/carts/" + c.ID + "/checkout"
}

// checkout checks a cart out, which must succeed.
func (oe *orderEnv) checkout(t *testing.T, auth string, c orders.CartView) orders.CheckoutResult {
	t.Helper()
	res := oe.do("POST", checkoutPath(c), nil, "Authorization", auth)
	if res.status != http.StatusCreated {
		t.Fatalf("checkout: %d %s", res.status, res.body)
	}
	var out orders.CheckoutResult
	res.json(t, &out)
	return out
}

// written is everything the ordering step writes for partner: carts, orders (all, and those in
// the pending index), pending mail, the partner's audit records.
func (oe *orderEnv) written(partner string) string {
	return fmt.Sprintf("carts=%d orders=%d pending=%d mail=%d audit=%d",
		oe.count(store.Query{PK: "PARTNER#" + partner, SKPrefix: "CART#"}),
		oe.count(store.Query{PK: "PARTNER#" + partner, SKPrefix: "ORDER#"}),
		oe.count(store.Query{Index: store.IndexGSI1, PK: "ORDERS#pending"}),
		oe.count(store.Query{Index: store.IndexGSI1, PK: "MAIL#Pending"}),
		oe.count(store.Query{Index: store.IndexGSI1, PK: "AUDIT#PARTNER#" + partner}))
}

// confirmations returns the pending order confirmation mails.
func (oe *orderEnv) confirmations(t *testing.T) []onboard.Notification {
	t.Helper()
	var all []onboard.Notification
	if err := oe.store.Backend().Query(context.Background(), store.Query{Index: store.IndexGSI1, PK: "MAIL#Pending"}, &all); err != nil {
		t.Fatal(err)
	}
	var out []onboard.Notification
	for _, n := range all {
		if n.Template == orders.ConfirmationTemplate {
			out = append(out, n)
		}
	}
	return out
}

func fields(p Problem) []string {
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestOrderGCC is the end to end: a GCC partner browses the government catalog, orders
// Office 365 G3 GCC for a GCC customer (cart, review, checkout), the order is pending, fulfilment
// completes it, and the confirmation naming the order is in the outbox for the partner's contact
// and for the agent.
func TestOrderGCC(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth := oe.agent(ordGCC)
		g3 := offer(t, "Office 365 G3 GCC")

		res := oe.do("GET", "/v1/products?country=US&targetView=OnlineServices&targetSegment=government", nil, "Authorization", auth)
		var offers List[catalog.Offer]
		if res.json(t, &offers); res.status != 200 || offers.TotalCount != 10 || !slices.ContainsFunc(offers.Items, func(o catalog.Offer) bool {
			return o.CatalogItemID == g3 && o.Segment == onboard.SegmentGovernment
		}) {
			t.Fatalf("government catalog: %d %s", res.status, res.body)
		}

		res = oe.do("POST", "/v1/customers/"+cu.ID+"/carts", cartBody(line(g3, 25, "P1Y", "annual")), "Authorization", auth)
		if res.status != http.StatusCreated {
			t.Fatalf("create cart: %d %s", res.status, res.body)
		}
		var cart orders.CartView
		res.json(t, &cart)
		if got, want := res.header.Get("Location"), "/v1/customers/"+cu.ID+"/carts/"+cart.ID; got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		wantLine := onboard.CartLineItem{ID: 0, CatalogItemID: g3, FriendlyName: "Office 365 G3 GCC", Quantity: 25, TermDuration: "P1Y", BillingCycle: "annual"}
		if cart.Status != onboard.CartActive || cart.CustomerID != cu.ID || len(cart.LineItems) != 1 || cart.LineItems[0] != wantLine ||
			!cart.CreatedAt.Equal(e.now) || !cart.ExpiresAt.Equal(e.now.Add(7*24*time.Hour)) {
			t.Errorf("cart = %+v", cart)
		}
		var again orders.CartView
		if res = oe.do("GET", "/v1/customers/"+cu.ID+"/carts/"+cart.ID, nil, "Authorization", auth); res.status != 200 {
			t.Fatalf("review cart: %d %s", res.status, res.body)
		}
		if res.json(t, &again); again.ID != cart.ID || again.Status != onboard.CartActive {
			t.Errorf("review cart = %+v", again)
		}

		res = oe.do("POST", checkoutPath(cart), nil, "Authorization", auth)
		if res.status != http.StatusCreated || !bytes.Contains(res.body, []byte(`"orderErrors":[]`)) {
			t.Fatalf("checkout: %d %s", res.status, res.body)
		}
		var out orders.CheckoutResult
		res.json(t, &out)
		if len(out.Orders) != 1 {
			t.Fatalf("checkout made %d orders, want 1: %s", len(out.Orders), res.body)
		}
		o := out.Orders[0]
		if o.Status != onboard.OrderPending || o.CartID != cart.ID || o.BillingCycle != "annual" || len(o.LineItems) != 1 ||
			o.LineItems[0].CatalogItemID != g3 || o.LineItems[0].Quantity != 25 || o.LineItems[0].SubscriptionID != "" {
			t.Errorf("order = %+v", o)
		}
		if got, want := res.header.Get("Location"), "/v1/customers/"+cu.ID+"/orders/"+o.ID; got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		oe.do("GET", "/v1/customers/"+cu.ID+"/carts/"+cart.ID, nil, "Authorization", auth).json(t, &again)
		if again.Status != onboard.CartOrdered || !slices.Equal(again.OrderIDs, []string{o.ID}) {
			t.Errorf("cart after checkout = %+v, want Ordered naming %s", again, o.ID)
		}

		mails := oe.confirmations(t)
		var to []string
		for _, m := range mails {
			to = append(to, m.To...)
			if !strings.Contains(m.Subject, o.ID) || !strings.Contains(m.Text, "Office 365 G3 GCC") || m.PartnerID != ordGCC {
				t.Errorf("confirmation %q to %v: subject must name %s, text the offer", m.Subject, m.To, o.ID)
			}
		}
		if slices.Sort(to); !slices.Equal(to, []string{ordAgent, ordContact}) {
			t.Errorf("confirmations to %v, want one each to %s and %s", to, ordContact, ordAgent)
		}

		var list List[orders.OrderView]
		oe.do("GET", "/v1/customers/"+cu.ID+"/orders", nil, "Authorization", auth).json(t, &list)
		if list.TotalCount != 1 || list.Items[0].Status != onboard.OrderPending {
			t.Errorf("orders = %+v, want the one pending order", list)
		}

		oe.advance(time.Minute)
		if n, err := oe.svc.FulfilPending(context.Background()); err != nil || n != 1 {
			t.Fatalf("FulfilPending = %d, %v; want 1", n, err)
		}
		var done orders.OrderView
		oe.do("GET", "/v1/customers/"+cu.ID+"/orders/"+o.ID, nil, "Authorization", auth).json(t, &done)
		if done.Status != onboard.OrderCompleted || done.CompletedAt == nil || !done.CompletedAt.Equal(oe.now()) ||
			!guidRE.MatchString(done.LineItems[0].SubscriptionID) {
			t.Errorf("fulfilled order = %+v, want completed with a subscription", done)
		}
		if n, _ := oe.svc.FulfilPending(context.Background()); n != 0 {
			t.Errorf("second sweep fulfilled %d, want 0", n)
		}
		if got := oe.count(store.Query{Index: store.IndexGSI1, PK: "ORDERS#pending"}); got != 0 {
			t.Errorf("%d orders still in the pending index", got)
		}

		var actions []string
		recs, err := oe.store.AuditRecords(context.Background(), ordGCC, e.now, e.now)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range recs {
			actions = append(actions, a.Action)
		}
		slices.Sort(actions)
		if want := []string{"cart.checkout", "cart.create", "order.complete", "order.create"}; !slices.Equal(actions, want) {
			t.Errorf("audit actions %v, want %v", actions, want)
		}
	})
}

// TestCartOfferNotEligible: a line the partner may not sell to the customer is 422
// OfferNotEligible naming that line and why, and nothing is written (not even the idempotency record).
func TestCartOfferNotEligible(t *testing.T) {
	g3, e3 := offer(t, "Office 365 G3 GCC"), offer(t, "Office 365 E3")
	tests := []struct {
		name     string
		partner  string
		customer onboard.Qualification
		lines    []map[string]any
		field    string
		why      string
	}{
		{"CommercialOfferForGCCCustomer", ordGCC, onboard.QualificationGCC, []map[string]any{line(e3, 10, "P1Y", "annual")},
			"lineItems[0]", "may only buy government (Online Services for Government) offers"},
		{"GovernmentOfferForCommercialCustomer", ordGCC, onboard.QualificationNone, []map[string]any{line(g3, 10, "P1Y", "annual")},
			"lineItems[0]", "sold only to customers with the GovernmentCommunityCloud qualification"},
		{"GovernmentOfferFromPartnerWithoutGCC", ordPlain, onboard.QualificationNone, []map[string]any{line(g3, 10, "P1Y", "annual")},
			"lineItems[0]", "requires the Government_community_cloud reseller qualification"},
		{"OnlyTheOffendingLine", ordGCC, onboard.QualificationGCC, []map[string]any{line(g3, 10, "P1Y", "annual"), line(e3, 5, "P1M", "monthly")},
			"lineItems[1]", "Office 365 E3 is a commercial offer"},
	}
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cu := oe.customer(t, tt.partner, tt.customer)
				before := oe.written(tt.partner)
				key := "cart-" + tt.name
				res := oe.do("POST", "/v1/customers/"+cu.ID+"/carts", cartBody(tt.lines...), "Authorization", oe.agent(tt.partner), "Idempotency-Key", key)
				p := res.problem(t, http.StatusUnprocessableEntity, onboard.ErrOfferNotEligible)
				if got := fields(p); !slices.Equal(got, []string{tt.field}) || !strings.Contains(p.Errors[0].Message, tt.why) {
					t.Errorf("errors %+v, want only %s: ...%s...", p.Errors, tt.field, tt.why)
				}
				if after := oe.written(tt.partner); after != before {
					t.Errorf("a refused cart wrote something: %s, then %s", before, after)
				}
				if rec, err := oe.store.Idempotent(context.Background(), "orders:cart:"+tt.partner+":"+cu.ID, key); err != nil || rec != nil {
					t.Errorf("idempotency record %v, %v: want none", rec, err)
				}
			})
		}
	})
}

// TestProducts: the catalog by segment; a partner without GCC asking for the government catalog
// is 403 PartnerNotGccQualified (before its other parameters are looked at); bad parameters 422
// naming each.
func TestProducts(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		gcc, plain := oe.agent(ordGCC), oe.agent(ordPlain)
		const q = "/v1/products?country=US&targetView=OnlineServices"
		segments := func(auth, query string) []onboard.Segment {
			t.Helper()
			res := oe.do("GET", query, nil, "Authorization", auth)
			var l List[catalog.Offer]
			if res.json(t, &l); res.status != 200 || l.TotalCount != len(l.Items) {
				t.Fatalf("GET %s: %d %s", query, res.status, res.body)
			}
			var out []onboard.Segment
			for _, o := range l.Items {
				out = append(out, o.Segment)
			}
			return out
		}
		count := func(segs []onboard.Segment, s onboard.Segment) int {
			n := 0
			for _, x := range segs {
				if x == s {
					n++
				}
			}
			return n
		}
		for _, tt := range []struct {
			name, auth, query string
			gov, com          int
		}{
			{"GCCGovernment", gcc, q + "&targetSegment=government", 10, 0},
			{"GCCCommercial", gcc, q + "&targetSegment=commercial", 0, 6},
			{"GCCAll", gcc, q, 10, 6},
			{"PlainCommercial", plain, q + "&targetSegment=commercial", 0, 6},
			{"PlainAll", plain, q, 0, 6},
			{"CaseInsensitive", gcc, "/v1/products?country=us&targetView=onlineservices&targetSegment=Government", 10, 0},
		} {
			t.Run(tt.name, func(t *testing.T) {
				segs := segments(tt.auth, tt.query)
				if g, c := count(segs, onboard.SegmentGovernment), count(segs, onboard.SegmentCommercial); g != tt.gov || c != tt.com || len(segs) != g+c {
					t.Errorf("got %d government, %d commercial offers of %d, want %d and %d", g, c, len(segs), tt.gov, tt.com)
				}
			})
		}
		t.Run("PlainGovernment", func(t *testing.T) {
			oe.do("GET", q+"&targetSegment=government", nil, "Authorization", plain).problem(t, http.StatusForbidden, onboard.ErrPartnerNotGccQualified)
			// Authorization comes before the parameters.
			oe.do("GET", "/v1/products?country=CA&targetSegment=government", nil, "Authorization", plain).problem(t, http.StatusForbidden, onboard.ErrPartnerNotGccQualified)
		})
		t.Run("BadParameters", func(t *testing.T) {
			p := oe.do("GET", "/v1/products?country=CA&targetView=Azure&targetSegment=education", nil, "Authorization", gcc).
				problem(t, http.StatusUnprocessableEntity, onboard.ErrValidationFailed)
			if got, want := fields(p), []string{"country", "targetView", "targetSegment"}; !slices.Equal(got, want) {
				t.Errorf("fields %v, want %v", got, want)
			}
			p = oe.do("GET", "/v1/products", nil, "Authorization", gcc).problem(t, http.StatusUnprocessableEntity, onboard.ErrValidationFailed)
			if got, want := fields(p), []string{"country", "targetView"}; !slices.Equal(got, want) {
				t.Errorf("fields %v, want %v", got, want)
			}
		})
		t.Run("Roles", func(t *testing.T) {
			oe.do("GET", q, nil).problem(t, http.StatusUnauthorized, onboard.ErrUnauthorized)
			oe.do("GET", q, nil, "Authorization", "Bearer "+oe.token(onboard.RoleEligibilityReviewer, "")).problem(t, http.StatusForbidden, onboard.ErrForbidden)
			segments("Bearer "+oe.token(onboard.RoleSalesAgent, ordGCC), q)
		})
	})
}

// TestCheckoutConcurrent: 50 simultaneous checkouts of one cart make exactly one order; the
// other 49 are 409 CartAlreadyOrdered.
func TestRaceCheckouts(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth := oe.agent(ordGCC)
		cart := oe.newCart(t, auth, cu.ID, line(offer(t, "Office 365 G3 GCC"), 25, "P1Y", "annual"))

		const n = 50
		type result struct {
			status int
			body   string
		}
		results := make([]result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				req, _ := http.NewRequest("POST", oe.srv.URL+checkoutPath(cart), nil)
				req.Header.Set("Authorization", auth)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					results[i] = result{0, err.Error()}
					return
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				results[i] = result{res.StatusCode, string(body)}
			})
		}
		close(start)
		wg.Wait()
		created, refused := 0, 0
		for _, r := range results {
			switch {
			case r.status == http.StatusCreated:
				created++
			case r.status == http.StatusConflict && strings.Contains(r.body, `"code":"CartAlreadyOrdered"`):
				refused++
			default:
				t.Errorf("unexpected answer %d %s", r.status, r.body)
			}
		}
		if created != 1 || refused != n-1 {
			t.Errorf("%d created, %d CartAlreadyOrdered; want 1 and %d", created, refused, n-1)
		}
		if got := oe.count(store.Query{PK: "PARTNER#" + ordGCC, SKPrefix: "ORDER#" + cu.ID + "#"}); got != 1 {
			t.Errorf("%d orders, want exactly 1", got)
		}
		if got := len(oe.confirmations(t)); got != 2 {
			t.Errorf("%d confirmation mails, want 2 (contact and agent, once)", got)
		}
	})
}

// TestCheckoutIdempotent: a retried checkout with the same Idempotency-Key gets the first answer
// byte for byte; without it, or with another key, CartAlreadyOrdered; the same key with another
// body IdempotencyKeyReused. A retried cart creation gets the first cart.
func TestCheckoutIdempotent(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth := oe.agent(ordGCC)
		body := cartBody(line(offer(t, "Office 365 G3 GCC"), 25, "P1Y", "annual"))

		first := oe.do("POST", "/v1/customers/"+cu.ID+"/carts", body, "Authorization", auth, "Idempotency-Key", "cart-key")
		again := oe.do("POST", "/v1/customers/"+cu.ID+"/carts", body, "Authorization", auth, "Idempotency-Key", "cart-key")
		if first.status != 201 || again.status != 201 || !bytes.Equal(first.body, again.body) || again.header.Get("Location") != first.header.Get("Location") {
			t.Fatalf("cart replay: %d %s, then %d %s", first.status, first.body, again.status, again.body)
		}
		if got := oe.count(store.Query{PK: "PARTNER#" + ordGCC, SKPrefix: "CART#"}); got != 1 {
			t.Errorf("%d carts, want 1", got)
		}
		var cart orders.CartView
		first.json(t, &cart)

		res1 := oe.do("POST", checkoutPath(cart), nil, "Authorization", auth, "Idempotency-Key", "checkout-key")
		res2 := oe.do("POST", checkoutPath(cart), nil, "Authorization", auth, "Idempotency-Key", "checkout-key")
		if res1.status != 201 || res2.status != 201 || !bytes.Equal(res1.body, res2.body) || res2.header.Get("Idempotent-Replayed") != "true" ||
			res2.header.Get("Location") != res1.header.Get("Location") {
			t.Fatalf("checkout replay: %d %s, then %d %s %v", res1.status, res1.body, res2.status, res2.body, res2.header)
		}
		oe.do("POST", checkoutPath(cart), nil, "Authorization", auth).problem(t, http.StatusConflict, onboard.ErrCartAlreadyOrdered)
		oe.do("POST", checkoutPath(cart), nil, "Authorization", auth, "Idempotency-Key", "other-key").problem(t, http.StatusConflict, onboard.ErrCartAlreadyOrdered)
		oe.do("POST", checkoutPath(cart), "{}", "Authorization", auth, "Idempotency-Key", "checkout-key").problem(t, http.StatusUnprocessableEntity, onboard.ErrIdempotencyKeyReused)
		// The key's scope is the partner's: another partner's same key is its own request.
		rival := oe.agent(ordRival)
		oe.do("POST", checkoutPath(cart), nil, "Authorization", rival, "Idempotency-Key", "checkout-key").problem(t, http.StatusNotFound, onboard.ErrNotFound)
		if got := oe.count(store.Query{PK: "PARTNER#" + ordGCC, SKPrefix: "ORDER#"}); got != 1 {
			t.Errorf("%d orders, want 1", got)
		}
		if got := len(oe.confirmations(t)); got != 2 {
			t.Errorf("%d confirmation mails, want 2", got)
		}
		// A body other than JSON is refused; an empty one is accepted whatever its type (curl -d '').
		oe.do("POST", checkoutPath(cart), "x", "Authorization", auth, "Content-Type", "text/plain").problem(t, http.StatusUnsupportedMediaType, onboard.ErrUnsupportedMediaType)
		another := oe.newCart(t, auth, cu.ID, line(offer(t, "Office 365 G3 GCC"), 1, "P1Y", "annual"))
		if res := oe.do("POST", checkoutPath(another), "", "Authorization", auth, "Content-Type", "application/x-www-form-urlencoded"); res.status != 201 {
			t.Errorf("checkout with an empty form body: %d %s", res.status, res.body)
		}
	})
}

// TestCheckoutRechecks: eligibility is judged again at checkout against the current
// qualifications and catalog; a change since the cart was built is refused, and nothing is
// written: the cart stays Active and can be fixed.
func TestCheckoutRechecks(t *testing.T) {
	g3, e3 := offer(t, "Office 365 G3 GCC"), offer(t, "Office 365 E3")
	// changed returns the embedded catalog with change applied to G3's entry.
	changed := func(t *testing.T, change func(o *catalog.Offer) bool) *catalog.Catalog {
		t.Helper()
		c := *catalog.Default()
		c.Offers = nil
		for _, o := range catalog.Default().Offers {
			o.TermDurations = slices.Clone(o.TermDurations)
			if o.CatalogItemID != g3 || change(&o) {
				c.Offers = append(c.Offers, o)
			}
		}
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		out, err := catalog.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name   string
		gcc    onboard.Qualification
		offer  string
		term   string
		change func(t *testing.T, oe *orderEnv, cu *onboard.Customer, p *onboard.PartnerProfile) *env
		code   onboard.Code
		field  string
	}{
		{"CustomerGainedGCC", onboard.QualificationNone, e3, "P1Y", func(t *testing.T, oe *orderEnv, cu *onboard.Customer, _ *onboard.PartnerProfile) *env {
			cu.Qualification, cu.ValidationID = onboard.QualificationGCC, "val_fixture"
			cu.Version++
			oe.put(t, oe.customerItem(cu), cu.Version-1)
			return oe.env
		}, onboard.ErrOfferNotEligible, "lineItems[0]"},
		{"PartnerLostGCC", onboard.QualificationGCC, g3, "P1Y", func(t *testing.T, oe *orderEnv, _ *onboard.Customer, p *onboard.PartnerProfile) *env {
			p.ResellerQualifications = []string{}
			oe.updatePartner(t, p)
			t.Cleanup(func() { // the other cases share the partner
				p.ResellerQualifications = []string{onboard.GovernmentCommunityCloudQualification}
				oe.updatePartner(t, p)
			})
			return oe.env
		}, onboard.ErrOfferNotEligible, "lineItems[0]"},
		{"OfferWithdrawn", onboard.QualificationGCC, g3, "P1Y", func(t *testing.T, oe *orderEnv, _ *onboard.Customer, _ *onboard.PartnerProfile) *env {
			return oe.redeployed(t, changed(t, func(*catalog.Offer) bool { return false }))
		}, onboard.ErrValidationFailed, "lineItems[0].catalogItemId"},
		{"TermWithdrawn", onboard.QualificationGCC, g3, "P3Y", func(t *testing.T, oe *orderEnv, _ *onboard.Customer, _ *onboard.PartnerProfile) *env {
			return oe.redeployed(t, changed(t, func(o *catalog.Offer) bool { o.TermDurations = []string{"P1M", "P1Y"}; return true }))
		}, onboard.ErrValidationFailed, "lineItems[0].termDuration"},
		{"OfferNowCommercial", onboard.QualificationGCC, g3, "P1Y", func(t *testing.T, oe *orderEnv, _ *onboard.Customer, _ *onboard.PartnerProfile) *env {
			return oe.redeployed(t, changed(t, func(o *catalog.Offer) bool {
				o.Segment, o.ResellerQualifications, o.CustomerQualification = onboard.SegmentCommercial, []string{}, onboard.QualificationNone
				return true
			}))
		}, onboard.ErrOfferNotEligible, "lineItems[0]"},
	}
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		p := oe.partner(t, ordGCC, true)
		auth := oe.agent(ordGCC)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cu := oe.customer(t, ordGCC, tt.gcc)
				cart := oe.newCart(t, auth, cu.ID, line(tt.offer, 10, tt.term, "annual"))
				now := tt.change(t, oe, cu, p)
				before := oe.written(ordGCC)
				res := now.do("POST", checkoutPath(cart), nil, "Authorization", auth, "Idempotency-Key", "k-"+tt.name)
				if pr := res.problem(t, http.StatusUnprocessableEntity, tt.code); !slices.Equal(fields(pr), []string{tt.field}) {
					t.Errorf("errors %+v, want %s", pr.Errors, tt.field)
				}
				if after := oe.written(ordGCC); after != before {
					t.Errorf("a refused checkout wrote something: %s, then %s", before, after)
				}
				var c orders.CartView
				if now.do("GET", "/v1/customers/"+cu.ID+"/carts/"+cart.ID, nil, "Authorization", auth).json(t, &c); c.Status != onboard.CartActive {
					t.Errorf("cart is %s after a refused checkout, want Active", c.Status)
				}
			})
		}
	})
}

// TestCartLines: each line is checked against its offer; a bad one is 422 ValidationFailed naming
// its field, and nothing is written. The bounds themselves are accepted.
func TestCartLines(t *testing.T) {
	g1, g3 := offer(t, "Office 365 G1 GCC"), offer(t, "Office 365 G3 GCC")
	basic := offer(t, "Microsoft 365 Business Basic")
	tests := []struct {
		name   string
		gcc    bool
		body   any
		status int
		code   onboard.Code
		fields []string
	}{
		{"QuantityZero", true, cartBody(line(g3, 0, "P1Y", "annual")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].quantity"}},
		{"QuantityAboveMax", true, cartBody(line(g3, 10001, "P1Y", "annual")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].quantity"}},
		{"BusinessBasicAbove300", false, cartBody(line(basic, 301, "P1M", "monthly")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].quantity"}},
		{"SecondLine", true, cartBody(line(g3, 1, "P1Y", "annual"), line(g1, -1, "P1Y", "annual")), 422, onboard.ErrValidationFailed, []string{"lineItems[1].quantity"}},
		{"TermUnknown", true, cartBody(line(g3, 5, "P2Y", "annual")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].termDuration"}},
		{"TermNotOffered", true, cartBody(line(g1, 5, "P3Y", "annual")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].termDuration"}},
		{"CycleUnknown", true, cartBody(line(g3, 5, "P1Y", "weekly")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].billingCycle"}},
		{"P1MBilledAnnually", true, cartBody(line(g3, 5, "P1M", "annual")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].billingCycle"}},
		{"UnknownOffer", true, cartBody(line("SAMPLEGOV999:0001:SAMPLEAVG999", 5, "P1Y", "annual")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].catalogItemId"}},
		{"Missing", true, cartBody(map[string]any{}), 422, onboard.ErrValidationFailed,
			[]string{"lineItems[0].catalogItemId", "lineItems[0].termDuration", "lineItems[0].billingCycle", "lineItems[0].quantity"}},
		{"NoLines", true, cartBody(), 422, onboard.ErrValidationFailed, []string{"lineItems"}},
		{"TooManyLines", true, map[string]any{"lineItems": slices.Repeat([]any{line(g3, 1, "P1Y", "annual")}, 51)}, 422, onboard.ErrValidationFailed, []string{"lineItems"}},
		{"QuantityNotANumber", true, `{"lineItems":[{"catalogItemId":"x","quantity":"ten"}]}`, 400, onboard.ErrMalformedBody, []string{"lineItems.quantity"}},
		{"FieldsBeforeEligibility", true, cartBody(line(basic, 301, "P1M", "monthly"), line(basic, 1, "P1M", "monthly")), 422, onboard.ErrValidationFailed, []string{"lineItems[0].quantity"}},
	}
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		auth := oe.agent(ordGCC)
		gcc := oe.customer(t, ordGCC, onboard.QualificationGCC)
		plain := oe.customer(t, ordGCC, onboard.QualificationNone)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cu := plain
				if tt.gcc {
					cu = gcc
				}
				before := oe.written(ordGCC)
				p := oe.do("POST", "/v1/customers/"+cu.ID+"/carts", tt.body, "Authorization", auth).problem(t, tt.status, tt.code)
				if got := fields(p); !slices.Equal(got, tt.fields) {
					t.Errorf("fields %v, want %v (%+v)", got, tt.fields, p.Errors)
				}
				if after := oe.written(ordGCC); after != before {
					t.Errorf("a refused cart wrote something: %s, then %s", before, after)
				}
			})
		}
		t.Run("Bounds", func(t *testing.T) {
			c := oe.newCart(t, auth, gcc.ID, line(g3, 1, "P1M", "monthly"), line(g3, 10000, "P3Y", "annual"), line(strings.ToLower(g1), 7, " p1y ", "Monthly"))
			if got := c.LineItems[2]; got.ID != 2 || got.CatalogItemID != g1 || got.TermDuration != "P1Y" || got.BillingCycle != "monthly" {
				t.Errorf("normalised line = %+v", got)
			}
			oe.newCart(t, auth, plain.ID, line(basic, 300, "P1Y", "annual"))
		})
	})
}

// TestCartExpiry: a cart expires 7 days after its last change; then checkout and PUT are 409
// CartExpired and write nothing. A PUT before that restarts the 7 days.
func TestCartExpiry(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth := oe.agent(ordGCC)
		g3 := offer(t, "Office 365 G3 GCC")
		stale := oe.newCart(t, auth, cu.ID, line(g3, 10, "P1Y", "annual"))
		kept := oe.newCart(t, auth, cu.ID, line(g3, 10, "P1Y", "annual"))

		oe.advance(6 * 24 * time.Hour)
		res := oe.do("PUT", "/v1/customers/"+cu.ID+"/carts/"+kept.ID, cartBody(line(g3, 12, "P1Y", "annual")), "Authorization", auth)
		var c orders.CartView
		if res.json(t, &c); res.status != 200 || c.LineItems[0].Quantity != 12 || !c.ExpiresAt.Equal(oe.now().Add(7*24*time.Hour)) {
			t.Fatalf("PUT: %d %s, want the lifetime restarted", res.status, res.body)
		}

		oe.advance(24 * time.Hour) // stale is now exactly 7 days old
		before := oe.written(ordGCC)
		oe.do("POST", checkoutPath(stale), nil, "Authorization", auth, "Idempotency-Key", "late").problem(t, http.StatusConflict, onboard.ErrCartExpired)
		oe.do("PUT", "/v1/customers/"+cu.ID+"/carts/"+stale.ID, cartBody(line(g3, 1, "P1Y", "annual")), "Authorization", auth).
			problem(t, http.StatusConflict, onboard.ErrCartExpired)
		if after := oe.written(ordGCC); after != before {
			t.Errorf("an expired cart's refusal wrote something: %s, then %s", before, after)
		}
		if rec, _ := oe.store.Idempotent(context.Background(), "orders:checkout:"+ordGCC+":"+cu.ID+":"+stale.ID, "late"); rec != nil {
			t.Errorf("the refusal stored an idempotency record")
		}

		oe.advance(5 * 24 * time.Hour) // kept was changed 6 days ago
		if out := oe.checkout(t, auth, kept); out.Orders[0].LineItems[0].Quantity != 12 {
			t.Errorf("order = %+v, want the replaced line", out.Orders[0])
		}
	})
}

// TestCartReplace: PUT replaces an Active cart's lines (renumbered), judged like new ones; an
// Ordered cart is 409 CartAlreadyOrdered.
func TestCartReplace(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth := oe.agent(ordGCC)
		g3, g5, e3 := offer(t, "Office 365 G3 GCC"), offer(t, "Office 365 G5 GCC"), offer(t, "Office 365 E3")
		cart := oe.newCart(t, auth, cu.ID, line(g3, 10, "P1Y", "annual"))
		path := "/v1/customers/" + cu.ID + "/carts/" + cart.ID

		res := oe.do("PUT", path, cartBody(line(g5, 3, "P1Y", "annual"), line(g3, 4, "P1M", "monthly")), "Authorization", auth)
		var c orders.CartView
		if res.json(t, &c); res.status != 200 || len(c.LineItems) != 2 || c.LineItems[0].CatalogItemID != g5 || c.LineItems[1].ID != 1 {
			t.Fatalf("PUT: %d %s", res.status, res.body)
		}
		p := oe.do("PUT", path, cartBody(line(g3, 4, "P1M", "monthly"), line(e3, 1, "P1Y", "annual")), "Authorization", auth).
			problem(t, http.StatusUnprocessableEntity, onboard.ErrOfferNotEligible)
		if got := fields(p); !slices.Equal(got, []string{"lineItems[1]"}) {
			t.Errorf("fields %v", got)
		}
		var unchanged orders.CartView
		if oe.do("GET", path, nil, "Authorization", auth).json(t, &unchanged); len(unchanged.LineItems) != 2 || unchanged.LineItems[0].CatalogItemID != g5 {
			t.Errorf("a refused PUT changed the cart: %+v", unchanged)
		}

		out := oe.checkout(t, auth, cart)
		if len(out.Orders) != 2 || out.Orders[0].BillingCycle != "annual" || out.Orders[1].BillingCycle != "monthly" {
			t.Errorf("orders %+v, want one per billing cycle, annual first", out.Orders)
		}
		oe.do("PUT", path, cartBody(line(g3, 1, "P1Y", "annual")), "Authorization", auth).problem(t, http.StatusConflict, onboard.ErrCartAlreadyOrdered)
		oe.do("PUT", "/v1/customers/"+cu.ID+"/carts/ct_unknown", cartBody(line(g3, 1, "P1Y", "annual")), "Authorization", auth).
			problem(t, http.StatusNotFound, onboard.ErrNotFound)
	})
}

// TestCheckoutSplitsByBillingCycle: as in Partner Center, a cart's annual and monthly lines
// become two orders; the one confirmation per recipient names both.
func TestCheckoutSplitsByBillingCycle(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth := oe.agent(ordGCC)
		cart := oe.newCart(t, auth, cu.ID, line(offer(t, "Office 365 G3 GCC"), 10, "P1Y", "annual"),
			line(offer(t, "Exchange Online (Plan 1) for GCC"), 5, "P1M", "monthly"), line(offer(t, "Power BI Pro for GCC"), 2, "P1Y", "annual"))
		out := oe.checkout(t, auth, cart)
		if len(out.Orders) != 2 {
			t.Fatalf("%d orders, want 2", len(out.Orders))
		}
		annual, monthly := out.Orders[0], out.Orders[1]
		if annual.BillingCycle != "annual" || len(annual.LineItems) != 2 || annual.LineItems[1].LineItemNumber != 1 ||
			annual.LineItems[1].FriendlyName != "Power BI Pro for GCC" || monthly.BillingCycle != "monthly" || len(monthly.LineItems) != 1 {
			t.Errorf("orders %+v", out.Orders)
		}
		mails := oe.confirmations(t)
		if len(mails) != 2 {
			t.Fatalf("%d confirmations, want 2", len(mails))
		}
		for _, m := range mails {
			if !strings.HasPrefix(m.Subject, "Orders "+annual.ID+", "+monthly.ID) {
				t.Errorf("subject %q does not name both orders", m.Subject)
			}
		}
		var list List[orders.OrderView]
		if oe.do("GET", "/v1/customers/"+cu.ID+"/orders", nil, "Authorization", auth).json(t, &list); list.TotalCount != 2 {
			t.Errorf("orders list %+v", list)
		}
	})
}

// TestOrderCancel: PATCH {"status": "cancelled"} cancels a pending order; fulfilment then
// leaves it; a completed or cancelled order is 409 OrderNotCancellable; any other status 422.
func TestOrderCancel(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth := oe.agent(ordGCC)
		g3 := offer(t, "Office 365 G3 GCC")
		order := func() string {
			return oe.checkout(t, auth, oe.newCart(t, auth, cu.ID, line(g3, 10, "P1Y", "annual"))).Orders[0].ID
		}
		path := func(id string) string { return "/v1/customers/" + cu.ID + "/orders/" + id }
		cancel := map[string]any{"status": "cancelled"}

		id := order()
		oe.do("PATCH", path(id), map[string]any{"status": "completed"}, "Authorization", auth).problem(t, http.StatusUnprocessableEntity, onboard.ErrValidationFailed)
		res := oe.do("PATCH", path(id), cancel, "Authorization", auth)
		var o orders.OrderView
		if res.json(t, &o); res.status != 200 || o.Status != onboard.OrderCancelled || o.CancelledAt == nil {
			t.Fatalf("cancel: %d %s", res.status, res.body)
		}
		if n, err := oe.svc.FulfilPending(context.Background()); err != nil || n != 0 {
			t.Errorf("FulfilPending = %d, %v; want nothing to fulfil", n, err)
		}
		oe.do("GET", path(id), nil, "Authorization", auth).json(t, &o)
		if o.Status != onboard.OrderCancelled || o.LineItems[0].SubscriptionID != "" {
			t.Errorf("cancelled order = %+v", o)
		}
		oe.do("PATCH", path(id), cancel, "Authorization", auth).problem(t, http.StatusConflict, onboard.ErrOrderNotCancellable)

		done := order()
		if n, _ := oe.svc.FulfilPending(context.Background()); n != 1 {
			t.Fatalf("fulfilled %d, want 1", n)
		}
		oe.do("PATCH", path(done), cancel, "Authorization", auth).problem(t, http.StatusConflict, onboard.ErrOrderNotCancellable)
		oe.do("PATCH", path("od_unknown"), cancel, "Authorization", auth).problem(t, http.StatusNotFound, onboard.ErrNotFound)
	})
}

// TestOrdersOtherPartner: another partner's customer, its carts and orders are 404 everywhere,
// never 403, and a cart is reachable only through its own customer.
func TestOrdersOtherPartner(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		oe := withOrders(t, e)
		oe.partner(t, ordGCC, true)
		oe.partner(t, ordRival, true)
		cu := oe.customer(t, ordGCC, onboard.QualificationGCC)
		other := oe.customer(t, ordGCC, onboard.QualificationGCC)
		auth, rival := oe.agent(ordGCC), oe.agent(ordRival)
		g3 := offer(t, "Office 365 G3 GCC")
		cart := oe.newCart(t, auth, cu.ID, line(g3, 10, "P1Y", "annual"))
		order := oe.checkout(t, auth, oe.newCart(t, auth, cu.ID, line(g3, 10, "P1Y", "annual"))).Orders[0]
		before := oe.written(ordGCC)
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/v1/customers/" + cu.ID + "/carts", cartBody(line(g3, 1, "P1Y", "annual"))},
			{"GET", "/v1/customers/" + cu.ID + "/carts/" + cart.ID, nil},
			{"PUT", "/v1/customers/" + cu.ID + "/carts/" + cart.ID, cartBody(line(g3, 1, "P1Y", "annual"))},
			{"POST", checkoutPath(cart), nil},
			{"GET", "/v1/customers/" + cu.ID + "/orders", nil},
			{"GET", "/v1/customers/" + cu.ID + "/orders/" + order.ID, nil},
			{"PATCH", "/v1/customers/" + cu.ID + "/orders/" + order.ID, map[string]any{"status": "cancelled"}},
		} {
			oe.do(r.method, r.path, r.body, "Authorization", rival).problem(t, http.StatusNotFound, onboard.ErrNotFound)
		}
		oe.do("GET", "/v1/customers/"+other.ID+"/carts/"+cart.ID, nil, "Authorization", auth).problem(t, http.StatusNotFound, onboard.ErrNotFound)
		oe.do("GET", "/v1/customers/"+other.ID+"/orders/"+order.ID, nil, "Authorization", auth).problem(t, http.StatusNotFound, onboard.ErrNotFound)
		oe.do("POST", "/v1/customers/cu_unknown/carts", cartBody(line(g3, 1, "P1Y", "annual")), "Authorization", auth).problem(t, http.StatusNotFound, onboard.ErrNotFound)
		if after := oe.written(ordGCC); after != before {
			t.Errorf("refusals wrote something: %s, then %s", before, after)
		}
	})
}
