package web

import (
	"net/http"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/store"
)

// The staff routes beside the review queue, served by the review function (reviewHandlers): a
// partner's qualifications and validation codes, the audit trail, and outgoing mail.

func (s *Server) legalBusinessProfile(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	prof, err := s.Store.PartnerProfile(r.Context(), p.PartnerID)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	if prof == nil { // a partner that has not applied yet: a profile with no qualifications
		prof = &onboard.PartnerProfile{TenantID: p.PartnerID}
	}
	if prof.ResellerQualifications == nil {
		prof.ResellerQualifications = []string{}
	}
	writeJSON(w, http.StatusOK, prof)
}

func (s *Server) validationCodes(w http.ResponseWriter, r *http.Request) {
	codes, err := s.Store.ValidationCodes(r.Context(), principal(r).PartnerID)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(codes))
}

// MaxAuditDays bounds one audit query.
const MaxAuditDays = 366

func (s *Server) auditRecords(w http.ResponseWriter, r *http.Request) {
	now := time.Now().UTC()
	first, last := now.AddDate(0, 0, -30), now
	var p onboard.Problems
	for name, dst := range map[string]*time.Time{"startDate": &first, "endDate": &last} {
		if v := r.URL.Query().Get(name); v != "" {
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				p.Add(name, "must be a date like 2026-12-03")
				continue
			}
			*dst = d
		}
	}
	if last.Before(first) {
		p.Add("endDate", "must not be before startDate")
	} else if last.Sub(first) > MaxAuditDays*24*time.Hour {
		p.Add("endDate", "must be at most %d days after startDate", MaxAuditDays)
	}
	if err := p.Err(); err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	recs, err := s.Store.AuditRecords(r.Context(), ownPartner(r), first, last)
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusOK, listOf(recs))
}

// ownPartner is the partner whose records the caller may see: agents their own, reviewers all ("").
func ownPartner(r *http.Request) string {
	if p := principal(r); p.IsAgent() {
		return p.PartnerID
	}
	return ""
}

// notificationView is an outbox item as listed: the bodies stay out of lists.
type notificationView struct {
	ID            string             `json:"id"`
	Template      string             `json:"template"`
	To            []string           `json:"to"`
	Subject       string             `json:"subject"`
	Status        onboard.MailStatus `json:"status"`
	Attempts      int                `json:"attempts"`
	LastError     string             `json:"lastError,omitempty"`
	RecordID      string             `json:"recordId,omitempty"`
	CreatedAt     time.Time          `json:"createdAt"`
	NextAttemptAt *time.Time         `json:"nextAttemptAt,omitempty"`
	SentAt        *time.Time         `json:"sentAt,omitempty"`
}

func viewOf(n *onboard.Notification) notificationView {
	v := notificationView{ID: n.ID, Template: n.Template, To: n.To, Subject: n.Subject, Status: n.Status,
		Attempts: n.Attempts, LastError: n.LastError, RecordID: n.RecordID, CreatedAt: n.CreatedAt, SentAt: n.SentAt}
	if n.Status == onboard.MailPending {
		v.NextAttemptAt = &n.NextAttemptAt
	}
	return v
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request) {
	statuses := []onboard.MailStatus{onboard.MailPending, onboard.MailFailed, onboard.MailSent}
	if st := onboard.MailStatus(r.URL.Query().Get("status")); st != "" {
		if st != onboard.MailPending && st != onboard.MailSent && st != onboard.MailFailed {
			writeProblem(w, r, &onboard.Error{Code: onboard.ErrValidationFailed, Message: "Unknown status.",
				Fields: []onboard.FieldError{{Field: "status", Message: "must be Pending, Sent or Failed"}}}, s.log())
			return
		}
		statuses = []onboard.MailStatus{st}
	}
	items := []notificationView{}
	for _, st := range statuses {
		ns, err := s.Store.Notifications(r.Context(), st, ownPartner(r))
		if err != nil {
			writeProblem(w, r, err, s.log())
			return
		}
		for i := range ns {
			items = append(items, viewOf(&ns[i]))
		}
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

// resend sends a mail again: a Failed one becomes Pending with a fresh attempt budget; a Sent one
// is copied into a new Pending mail, so the record of the first sending stays as it was.
func (s *Server) resend(w http.ResponseWriter, r *http.Request) {
	n, err := s.Store.Notification(r.Context(), r.PathValue("id"))
	if err == nil && ownPartner(r) != "" && n.PartnerID != ownPartner(r) {
		err = onboard.Errorf(onboard.ErrNotFound, "Notification %s was not found.", r.PathValue("id"))
	}
	if err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	now := time.Now().UTC()
	before := n.Status
	switch n.Status {
	case onboard.MailPending:
		writeJSON(w, http.StatusAccepted, viewOf(n)) // already on its way
		return
	case onboard.MailSent:
		copied := *n
		copied.ID, copied.Version, copied.CreatedAt, copied.SentAt, copied.MessageID = onboard.NewID("ml"), 0, now, nil, ""
		n = &copied
	}
	outbox.Resend(n, now)
	who := principal(r)
	fx := store.Effects{Audit: []*onboard.AuditRecord{{ID: onboard.NewID("au"), At: now, Actor: who.Subject, Role: string(who.Role),
		PartnerID: n.PartnerID, Action: "notification.resend", RecordType: "Notification", RecordID: n.ID,
		Before: string(before), After: string(onboard.MailPending)}}}
	if err := s.Store.SaveNotification(r.Context(), n, fx); err != nil {
		writeProblem(w, r, err, s.log())
		return
	}
	writeJSON(w, http.StatusAccepted, viewOf(n))
}
