package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

func (s *Server) invitationHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /v1/customers/relationshiprequests": s.relationshipRequest,
		"POST /v1/invitations":                   s.createInvitation,
		"GET /v1/invitations":                    s.listInvitations,
		"DELETE /v1/invitations/{id}":            s.revokeInvitation,
		"GET /invitations/{token}":               s.invitationPage,
		"POST /invitations/{token}/accept":       s.acceptInvitation,
	}
}

func (s *Server) relationshipRequest(w http.ResponseWriter, r *http.Request) {
	link, err := s.Invitations.RelationshipLink(r.Context(), principal(r))
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": link})
}

// createInvitation checks the partner's qualification before anything about the body (API.md's
// order). Its answer holds the link, so a stored answer (Idempotency-Key) is sealed and opened
// only to replay it.
func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) {
	who := principal(r)
	partner, err := s.Invitations.Qualified(r.Context(), who)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	b, err := readBody(w, r, false)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	fresh, replay, err := s.claimIdempotency(r, b, "invitations:"+who.PartnerID)
	if err == nil && replay == nil {
		var in onboard.InvitationInput
		if err = decodeJSON(b.raw, &in); err == nil {
			var created *invitations.Created
			if created, err = s.Invitations.Create(r.Context(), who, partner, in, fresh); err == nil {
				writeJSON(w, http.StatusCreated, created)
				return
			}
		}
		if fresh != nil {
			replay, err = s.afterLostRace(r, fresh, err)
		}
	}
	if err == nil {
		replay, err = s.openReplay(r.Context(), replay)
	}
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeReplay(w, replay)
}

// openReplay returns rec with its body opened when it was stored sealed.
func (s *Server) openReplay(ctx context.Context, rec *store.Idempotency) (*store.Idempotency, error) {
	if !rec.Sealed {
		return rec, nil
	}
	body, err := s.Invitations.Sealer.Open(ctx, string(rec.Body))
	if err != nil {
		return nil, err
	}
	opened := *rec
	opened.Body, opened.Sealed = []byte(body), false
	return &opened, nil
}

func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request) {
	items, err := s.Invitations.List(r.Context(), principal(r).PartnerID)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	if err := s.Invitations.Revoke(r.Context(), principal(r), r.PathValue("id")); err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// noIndex keeps the customer's pages out of search engines (they are unlisted, single-use links).
func noIndex(w http.ResponseWriter) { w.Header().Set("X-Robots-Tag", "noindex, nofollow") }

// invitationPage shows who invites and the acceptance form. It only reads: mail scanners and
// link previews fetch it before the customer does.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) {
	noIndex(w)
	token := r.PathValue("token")
	offer, err := s.Invitations.Open(r.Context(), token)
	if err != nil {
		s.invitationFailed(w, r, token, nil, err, !wantsJSON(r))
		return
	}
	form := newFormPage(nil)
	form.Key = onboard.NewID("ik")
	s.renderPage(w, r, http.StatusOK, invitationOfferPage(offer, form, "/invitations/"+token+"/accept"))
}

// acceptInvitation accepts an invitation from the page's form or a JSON client. A stored answer
// (Idempotency-Key, or the form's hidden key) makes a double submit show the confirmation again
// instead of the not-valid page.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	noIndex(w)
	token := r.PathValue("token")
	b, err := readBody(w, r, true)
	if err != nil {
		s.invitationFailed(w, r, token, nil, err, wantsHTML(r))
		return
	}
	fresh, replay, err := s.claimIdempotency(r, b, "invitation-accept:"+onboard.InvitationTokenHash(token))
	if err == nil && replay == nil {
		var f onboard.AcceptForm
		if f, err = decodeAcceptForm(b); err != nil {
			if verr := s.Invitations.Valid(r.Context(), token); verr != nil {
				err = verr // the token's state comes before the body
			}
		} else {
			who := invitations.Submitter{IP: s.clientIP(r), UserAgent: r.UserAgent()}
			var res *invitations.Accepted
			if res, err = s.Invitations.Accept(r.Context(), token, f, who, fresh); err == nil {
				s.acceptDone(w, r, res)
				return
			}
		}
		if fresh != nil {
			replay, err = s.afterLostRace(r, fresh, err)
		}
	}
	if err != nil {
		s.invitationFailed(w, r, token, b, err, wantsHTML(r))
		return
	}
	if wantsHTML(r) {
		var res invitations.Accepted
		if err := json.Unmarshal(replay.Body, &res); err == nil && replay.Status == http.StatusCreated {
			s.acceptDone(w, r, &res)
			return
		}
	}
	writeReplay(w, replay)
}

func (s *Server) acceptDone(w http.ResponseWriter, r *http.Request, res *invitations.Accepted) {
	if wantsHTML(r) {
		s.renderPage(w, r, http.StatusCreated, invitationAcceptedPage(res))
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

// invitationFailed answers a refused page or acceptance: every invalid token with the one same
// page (or problem), field errors with the form again (values kept, errors beside the fields).
func (s *Server) invitationFailed(w http.ResponseWriter, r *http.Request, token string, b *body, err error, html bool) {
	if !html {
		writeProblem(w, r, err, s.log())
		return
	}
	prob, status := problemOf(r, err, s.log())
	switch {
	case prob.Code == onboard.ErrInvitationNotValid:
		s.renderPage(w, r, status, invitationInvalidPage())
		return
	case status >= 500 || status == http.StatusUnsupportedMediaType || status == http.StatusRequestEntityTooLarge:
		s.renderPage(w, r, status, problemPage(prob.Title, prob.Detail))
		return
	}
	offer, oerr := s.Invitations.Open(r.Context(), token)
	if oerr != nil {
		s.invitationFailed(w, r, token, nil, oerr, true)
		return
	}
	var values url.Values
	if b != nil {
		values = b.form
	}
	form := newFormPage(values).withProblem(prob)
	form.Key = form.V.Get("idempotencyKey")
	if form.Key == "" || prob.Code != onboard.ErrIdempotencyKeyInProgress {
		form.Key = onboard.NewID("ik") // the corrected form is a new request
	}
	s.renderPage(w, r, status, invitationOfferPage(offer, form, "accept"))
}

// wantsJSON reports whether a client asked for JSON rather than a page: the customer's page is
// HTML for browsers and for clients that state no preference.
func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return !strings.Contains(a, "text/html") && strings.Contains(a, "json")
}

// decodeAcceptForm reads an acceptance body, JSON or form.
func decodeAcceptForm(b *body) (onboard.AcceptForm, error) {
	var f onboard.AcceptForm
	if b.form == nil {
		return f, decodeJSON(b.raw, &f)
	}
	r := &formReader{v: b.form}
	f = onboard.AcceptForm{CompanyName: r.str("companyName"), Domain: r.str("domain"), TenantID: r.str("tenantId"),
		AdminName: r.str("adminName"), AdminEmail: r.str("adminEmail"), Agree: r.bool("agree")}
	return f, r.problems.Err()
}
