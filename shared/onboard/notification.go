package onboard

import "time"

// MailStatus is an outgoing mail's delivery state.
type MailStatus string

// Mail delivery states: Pending → Sent, or Pending → (retries) → Failed; resend makes it Pending again.
const (
	MailPending MailStatus = "Pending"
	MailSent    MailStatus = "Sent"
	MailFailed  MailStatus = "Failed"
)

// MaxMailAttempts bounds delivery attempts before a mail is marked Failed for a person to resend.
const MaxMailAttempts = 5

// Notification is one outgoing mail (an outbox item): written in the same transaction as the state
// change that caused it, delivered at least once, and marked Sent exactly once.
type Notification struct {
	ID            string     `json:"id"`
	Template      string     `json:"template"`
	To            []string   `json:"to"`
	Subject       string     `json:"subject"`
	Text          string     `json:"text"`
	HTML          string     `json:"html"`
	Status        MailStatus `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"nextAttemptAt"`
	LastError     string     `json:"lastError,omitempty"`
	PartnerID     string     `json:"partnerId,omitempty"` // whose mail it is, for partner visibility
	RecordID      string     `json:"recordId,omitempty"`  // what it is about (request, customer, order…)
	CreatedAt     time.Time  `json:"createdAt"`
	SentAt        *time.Time `json:"sentAt,omitempty"`
	MessageID     string     `json:"messageId,omitempty"` // the mail service's ID once sent
	// LeaseUntil is set while one deliverer sends, so a record delivered twice is sent once.
	LeaseUntil *time.Time `json:"leaseUntil,omitempty"`
	Version    int64      `json:"version"`
}

// AuditRecord says who did what to which record, and when.
type AuditRecord struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"` // subject of the token, or "public" / "system"
	Role       string    `json:"role,omitempty"`
	PartnerID  string    `json:"partnerId,omitempty"`
	Action     string    `json:"action"`
	RecordType string    `json:"recordType"`
	RecordID   string    `json:"recordId"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
}
