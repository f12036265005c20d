package eligibility

import (
	"context"
	"log/slog"
	"time"

	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// DigestLimit is how many overdue requests the review team's digest lists by name.
const DigestLimit = 200

// SLA watches the two-business-day reply promise. Run once a business day, it mails the review team
// one digest of the requests past their reply-by date and tells each waiting contact, once, that
// the reply is late.
type SLA struct {
	Store      *store.Store
	ReviewTeam string
	// Now is the real clock, for the mail and records a run writes; Run's at only decides which
	// day it is and what is overdue (a run may be asked to judge as of another time).
	Now func() time.Time
	Log *slog.Logger
}

// SLAReport is what one run did.
type SLAReport struct {
	Today            onboard.Date `json:"today"`
	BusinessDay      bool         `json:"businessDay"`
	Overdue          int          `json:"overdue"`
	DigestSent       bool         `json:"digestSent"`
	ContactsNotified int          `json:"contactsNotified"`
}

// Run checks the queue as of now.
func (s *SLA) Run(ctx context.Context, now time.Time) (*SLAReport, error) {
	written := s.clock()
	today := onboard.Today(now)
	rep := &SLAReport{Today: today, BusinessDay: onboard.IsBusinessDay(now.In(onboard.Eastern))}
	if !rep.BusinessDay {
		return rep, nil
	}
	waiting, err := s.Store.Requests(ctx, onboard.StatusSubmitted)
	if err != nil {
		return nil, err
	}
	var overdue []onboard.EligibilityRequest
	for _, r := range waiting {
		if r.Overdue(now) {
			overdue = append(overdue, r)
		}
	}
	rep.Overdue = len(overdue)
	if len(overdue) == 0 {
		return rep, nil
	}
	listed, more := overdue, 0
	if len(listed) > DigestLimit {
		listed, more = listed[:DigestLimit], len(listed)-DigestLimit
	}
	digest, err := mail.NewNotification(mail.SLADigest{Overdue: listed, More: more, Today: today}, []string{s.ReviewTeam},
		"", "sla-"+string(today), written)
	if err != nil {
		return nil, err
	}
	if rep.DigestSent, err = s.Store.RecordDigest(ctx, today, store.Effects{Mail: []*onboard.Notification{digest}}); err != nil {
		return nil, err
	}
	for i := range overdue {
		r := &overdue[i]
		if r.OverdueNotifiedAt != nil {
			continue
		}
		m, err := Notify(mail.SLAContact{Request: r, Contact: contactName(r)}, []string{r.ContactEmail}, r, written)
		if err != nil {
			return nil, err
		}
		at := written.UTC()
		r.OverdueNotifiedAt = &at
		ok, err := s.Store.MarkOverdueNotified(ctx, r, store.Effects{Mail: []*onboard.Notification{m},
			Audit: []*onboard.AuditRecord{{ID: onboard.NewID("au"), At: at, Actor: "system:sla", PartnerID: r.PartnerID,
				Action: "eligibility.overdue-notice", RecordType: "EligibilityRequest", RecordID: r.ID, Before: string(r.Status), After: string(r.Status)}}})
		if err != nil {
			return nil, err
		}
		if ok {
			rep.ContactsNotified++
		}
	}
	s.log().Info("sla run", "today", today, "overdue", rep.Overdue, "digest", rep.DigestSent, "contacts", rep.ContactsNotified)
	return rep, nil
}

func (s *SLA) clock() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func contactName(r *onboard.EligibilityRequest) string {
	switch {
	case r.Partner != nil:
		return r.Partner.Contact.Name
	case r.Customer != nil:
		return r.Customer.Contact.Name
	}
	return ""
}

func (s *SLA) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
