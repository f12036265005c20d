package onboard

import (
	"context"
	"time"
)

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
	// Sealed holds secrets the mail carries (an invitation link), by placeholder name, sealed by a
	// Sealer: Subject, Text and HTML hold "{{name}}" instead, and the deliverer opens and fills
	// them in only in the message it sends, so the outbox item never holds the secret itself.
	Sealed  map[string]string `json:"sealed,omitempty"`
	Version int64             `json:"version"`
}

// Sealer encrypts values that must be stored but not readable at rest (invitation links in
// outbox items and idempotency records). Seal's output is printable; Open reverses it.
type Sealer interface {
	Seal(ctx context.Context, plaintext string) (string, error)
	Open(ctx context.Context, sealed string) (string, error)
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
