package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

func (s *Server) intakeHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /":                           s.home,
		"GET /healthz":                    s.healthz,
		"GET /openapi.yaml":               s.openapi,
		"GET /forms/partner-eligibility":  s.partnerForm,
		"POST /v1/eligibility/partner":    s.submitPartner,
		"GET /forms/customer-eligibility": s.customerForm,
		"POST /v1/eligibility/customer":   s.submitCustomer,
	}
}

func (s *Server) partnerForm(w http.ResponseWriter, r *http.Request) {
	p := newFormPage(nil)
	p.Key = onboard.NewID("ik")
	s.renderPage(w, r, http.StatusOK, partnerPage(p))
}

func (s *Server) submitPartner(w http.ResponseWriter, r *http.Request) {
	s.submitIntake(w, r, "partner", func(b *body, who eligibility.Submitter, idem *store.Idempotency) (*onboard.Receipt, error) {
		f, err := decodePartnerForm(b)
		if err != nil {
			return nil, err
		}
		return s.Intake.SubmitPartner(r.Context(), f, who, idem)
	})
}

func (s *Server) customerForm(w http.ResponseWriter, r *http.Request) {
	p := newFormPage(url.Values{"validationOption": {onboard.CustomerValidationOption}})
	p.Key = onboard.NewID("ik")
	s.renderPage(w, r, http.StatusOK, customerPage(p))
}

func (s *Server) submitCustomer(w http.ResponseWriter, r *http.Request) {
	s.submitIntake(w, r, "customer", func(b *body, who eligibility.Submitter, idem *store.Idempotency) (*onboard.Receipt, error) {
		f, err := decodeCustomerForm(b)
		if err != nil {
			return nil, err
		}
		return s.Intake.SubmitCustomer(r.Context(), f, who, idem)
	})
}

type submitFunc func(b *body, who eligibility.Submitter, idem *store.Idempotency) (*onboard.Receipt, error)

// submitIntake is the one HTTP path of both intake forms: read the body, honour the
// Idempotency-Key, submit, and answer with JSON or, to a browser, a page.
func (s *Server) submitIntake(w http.ResponseWriter, r *http.Request, page string, submit submitFunc) {
	b, err := readBody(w, r, true)
	if err != nil {
		s.intakeFailed(w, r, page, nil, err)
		return
	}
	fresh, replay, err := s.claimIdempotency(r, b, "intake:"+page)
	if err == nil && replay == nil {
		who := eligibility.Submitter{IP: s.clientIP(r), UserAgent: r.UserAgent()}
		var receipt *onboard.Receipt
		receipt, err = submit(b, who, fresh)
		if err == nil {
			s.intakeDone(w, r, receipt)
			return
		}
		if fresh != nil {
			replay, err = s.afterLostRace(r, fresh, err)
		}
	}
	if err != nil {
		s.intakeFailed(w, r, page, b, err)
		return
	}
	if wantsHTML(r) {
		var receipt onboard.Receipt
		if err := json.Unmarshal(replay.Body, &receipt); err == nil && replay.Status == http.StatusCreated {
			s.intakeDone(w, r, &receipt)
			return
		}
	}
	writeReplay(w, replay)
}

func (s *Server) intakeDone(w http.ResponseWriter, r *http.Request, receipt *onboard.Receipt) {
	if wantsHTML(r) {
		s.renderPage(w, r, http.StatusCreated, receivedPage(receipt))
		return
	}
	writeJSON(w, http.StatusCreated, receipt)
}

// intakeFailed answers a refused submission: a problem document, or for a browser the same form
// with the message on top, each error beside its field and every value kept.
func (s *Server) intakeFailed(w http.ResponseWriter, r *http.Request, page string, b *body, err error) {
	if !wantsHTML(r) {
		writeProblem(w, r, err, s.log())
		return
	}
	prob, status := problemOf(r, err, s.log())
	var values url.Values
	if b != nil {
		values = b.form
	}
	p := newFormPage(values).withProblem(prob)
	p.Key = p.V.Get("idempotencyKey")
	if p.Key == "" || prob.Code != onboard.ErrIdempotencyKeyInProgress {
		p.Key = onboard.NewID("ik") // the corrected form is a new request
	}
	if status >= 500 || status == http.StatusUnsupportedMediaType || status == http.StatusRequestEntityTooLarge {
		s.renderPage(w, r, status, problemPage(prob.Title, prob.Detail))
		return
	}
	s.renderPage(w, r, status, intakeForms[page](p))
}

// intakeForms are the intake forms' pages by the name submitIntake knows them by.
var intakeForms = map[string]func(*formPage) templ.Component{
	"partner":  partnerPage,
	"customer": customerPage,
}
