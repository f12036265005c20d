package web

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/store"
)

func (s *Server) orderHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /v1/products":                                s.products,
		"POST /v1/customers/{id}/carts":                   s.createCart,
		"GET /v1/customers/{id}/carts/{cartId}":           s.getCart,
		"PUT /v1/customers/{id}/carts/{cartId}":           s.replaceCart,
		"POST /v1/customers/{id}/carts/{cartId}/checkout": s.checkout,
		"GET /v1/customers/{id}/orders":                   s.listOrders,
		"GET /v1/customers/{id}/orders/{orderId}":         s.getOrder,
		"PATCH /v1/customers/{id}/orders/{orderId}":       s.patchOrder,
	}
}

func (s *Server) products(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offers, err := s.Orders.Products(r.Context(), principal(r), orders.ProductQuery{Country: q.Get("country"),
		TargetView: q.Get("targetView"), TargetSegment: q.Get("targetSegment")})
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(offers))
}

func (s *Server) createCart(w http.ResponseWriter, r *http.Request) {
	who, id := principal(r), r.PathValue("id")
	// The scope names the partner and the customer: a key never answers for another's cart.
	s.createOnce(w, r, "orders:cart:"+who.PartnerID+":"+id, func(b *body, idem *store.Idempotency) (any, string, error) {
		var in orders.CartInput
		if err := decodeJSON(b.raw, &in); err != nil {
			return nil, "", err
		}
		v, err := s.Orders.CreateCart(r.Context(), who, id, in, idem)
		if err != nil {
			return nil, "", err
		}
		return v, "/v1/customers/" + id + "/carts/" + v.ID, nil
	})
}

func (s *Server) getCart(w http.ResponseWriter, r *http.Request) {
	v, err := s.Orders.Cart(r.Context(), principal(r).PartnerID, r.PathValue("id"), r.PathValue("cartId"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) replaceCart(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(w, r, false)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	var in orders.CartInput
	if err := decodeJSON(b.raw, &in); err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	v, err := s.Orders.ReplaceCart(r.Context(), principal(r), r.PathValue("id"), r.PathValue("cartId"), in)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// checkout submits a cart. Like Partner Center's, it takes no body (a JSON one is accepted and
// ignored); the Idempotency-Key's scope names partner, customer and cart, so a retry gets the
// first answer byte for byte, and a second checkout without the key gets CartAlreadyOrdered.
func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	who, id, cartID := principal(r), r.PathValue("id"), r.PathValue("cartId")
	b, err := optionalBody(w, r)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	fresh, replay, err := s.claimIdempotency(r, b, "orders:checkout:"+who.PartnerID+":"+id+":"+cartID)
	if err == nil && replay == nil {
		var res *orders.CheckoutResult
		res, err = s.Orders.Checkout(r.Context(), who, id, cartID, fresh)
		if err == nil {
			w.Header().Set("Location", orders.CheckoutLocation(id, res))
			writeJSON(w, http.StatusCreated, res)
			return
		}
		if fresh != nil {
			replay, err = s.afterLostRace(r, fresh, err)
		}
	}
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeReplay(w, replay)
}

// optionalBody reads the body of a POST that needs none: an empty body is accepted whatever its
// Content-Type (curl sends a form type for an empty -d); one with bytes must be JSON, as for
// every other POST.
func optionalBody(w http.ResponseWriter, r *http.Request) (*body, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, onboard.Errorf(onboard.ErrBodyTooLarge, "The body is larger than %d bytes.", MaxBody)
	case err != nil:
		return nil, onboard.Errorf(onboard.ErrMalformedBody, "The body could not be read.")
	case len(raw) == 0:
		return &body{}, nil
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/json" {
		return nil, onboard.Errorf(onboard.ErrUnsupportedMediaType, "Send no body, or a JSON one as application/json.")
	}
	return &body{raw: raw}, nil
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	items, err := s.Orders.Orders(r.Context(), principal(r).PartnerID, r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	v, err := s.Orders.Order(r.Context(), principal(r).PartnerID, r.PathValue("id"), r.PathValue("orderId"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// patchOrder is Partner Center's way to cancel an order: PATCH it with {"status": "cancelled"}.
func (s *Server) patchOrder(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(w, r, false)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	var in orders.OrderPatch
	if err := decodeJSON(b.raw, &in); err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	v, err := s.Orders.Cancel(r.Context(), principal(r), r.PathValue("id"), r.PathValue("orderId"), in)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, v)
}
