package web

import (
	"net/http"

	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
)

// reviewHandlers are the review function's: the queue and decisions here, the other staff routes
// in staff.go.
func (s *Server) reviewHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /v1/eligibility/requests":                s.listRequests,
		"GET /v1/eligibility/requests/{id}":           s.getRequest,
		"GET /v1/eligibility/requests/{id}/evidence":  s.getEvidence,
		"POST /v1/eligibility/requests/{id}/decision": s.decide,
		"GET /v1/profiles/legalbusiness":              s.legalBusinessProfile,
		"GET /v1/customers/all/validations":           s.validationCodes,
		"GET /v1/auditrecords":                        s.auditRecords,
		"GET /v1/notifications":                       s.notifications,
		"POST /v1/notifications/{id}/resend":          s.resend,
	}
}

func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status, typ := onboard.Status(q.Get("status")), onboard.RequestType(q.Get("type"))
	var p onboard.Problems
	switch status {
	case "", onboard.StatusSubmitted, onboard.StatusNeedsInformation, onboard.StatusApproved, onboard.StatusDenied:
	default:
		p.Add("status", "must be Submitted, NeedsInformation, Approved or Denied")
	}
	if typ != "" && typ != onboard.TypePartner && typ != onboard.TypeCustomer {
		p.Add("type", "must be partner or customer")
	}
	if err := p.Err(); err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	items, err := s.Review.Queue(r.Context(), status, typ)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func (s *Server) getRequest(w http.ResponseWriter, r *http.Request) {
	item, err := s.Review.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, item)
}

func (s *Server) getEvidence(w http.ResponseWriter, r *http.Request) {
	ev, err := s.Review.Evidence(r.Context(), r.PathValue("id"))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(w, r, false)
	var in eligibility.DecisionInput
	if err == nil {
		err = decodeJSON(b.raw, &in)
	}
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	res, err := s.Review.Decide(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, res)
}
