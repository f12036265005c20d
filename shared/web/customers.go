package web

import (
	"net/http"

	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/store"
)

func (s *Server) customerHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST /v1/customers":                     s.createCustomer,
		"GET /v1/customers":                      s.listCustomers,
		"GET /v1/customers/{id}":                 s.getCustomer,
		"GET /v1/customers/{id}/qualifications":  s.customerQualifications,
		"POST /v1/customers/{id}/qualifications": s.qualifyCustomer,
		"GET /v1/customers/{id}/validations":     s.customerValidations,
	}
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) {
	who := principal(r)
	// The scope names the partner, so two partners' agents never share a key's answer.
	s.createOnce(w, r, "customers:create:"+who.PartnerID, func(b *body, idem *store.Idempotency) (any, string, error) {
		var in customers.CreateInput
		if err := decodeJSON(b.raw, &in); err != nil {
			return nil, "", err
		}
		v, err := s.Customers.Create(r.Context(), who, in, idem)
		if err != nil {
			return nil, "", err
		}
		return v, "/v1/customers/" + v.ID, nil
	})
}

func (s *Server) qualifyCustomer(w http.ResponseWriter, r *http.Request) {
	who, id := principal(r), r.PathValue("id")
	s.createOnce(w, r, "customers:qualify:"+who.PartnerID+":"+id, func(b *body, idem *store.Idempotency) (any, string, error) {
		var in customers.QualifyInput
		if err := decodeJSON(b.raw, &in); err != nil {
			return nil, "", err
		}
		v, err := s.Customers.Qualify(r.Context(), who, id, r.URL.Query().Get("code"), in, idem)
		if err != nil {
			return nil, "", err
		}
		return v, "/v1/customers/" + id + "/qualifications", nil
	})
}

// createFunc creates something with idem (nil without an Idempotency-Key) joining its write, and
// returns what to answer and where the new thing lives.
type createFunc func(b *body, idem *store.Idempotency) (view any, location string, err error)

// createOnce is the HTTP path of an agent's JSON POST that creates something: read the body, honour
// the Idempotency-Key within scope (a retry gets the first answer byte for byte), create, and
// answer 201 with a Location.
func (s *Server) createOnce(w http.ResponseWriter, r *http.Request, scope string, create createFunc) {
	b, err := readBody(w, r, false)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	fresh, replay, err := s.claimIdempotency(r, b, scope)
	if err == nil && replay == nil {
		var view any
		var location string
		view, location, err = create(b, fresh)
		if err == nil {
			w.Header().Set("Location", location)
			writeJSON(w, http.StatusCreated, view)
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

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	items, err := s.Customers.Customers(r.Context(), principal(r).PartnerID)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	v, err := s.Customers.Customer(r.Context(), principal(r).PartnerID, r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) customerQualifications(w http.ResponseWriter, r *http.Request) {
	items, err := s.Customers.Qualifications(r.Context(), principal(r).PartnerID, r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func (s *Server) customerValidations(w http.ResponseWriter, r *http.Request) {
	items, err := s.Customers.Validations(r.Context(), principal(r).PartnerID, r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(items))
}
