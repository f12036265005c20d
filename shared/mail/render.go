// Package mail renders GCC Onboard's mail into outbox items (shared/outbox delivers them).
//
// Each kind of mail is a Go type whose fields are its data, so a missing or misspelt value is a
// compile error. Subjects and text bodies are written in plain Go; HTML bodies are templ
// components, which escape every value for where it lands.
package mail

import (
	"context"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
)

// Template is one kind of mail with its data: IntakeAck, Decision, Invitation and the others.
type Template interface {
	// Name is the template's name, stored on each notification and shown in the API.
	Name() string
	// Subject is the subject line; Render makes it one line whatever the values hold.
	Subject() string
	// Text is the plain-text body.
	Text() string
	// HTML is the HTML body.
	HTML() templ.Component
}

// Rendered is a rendered mail.
type Rendered struct {
	Subject, Text, HTML string
}

// Render renders t.
func Render(t Template) (Rendered, error) {
	var body strings.Builder
	if err := t.HTML().Render(context.Background(), &body); err != nil {
		return Rendered{}, err
	}
	return Rendered{Subject: outbox.OneLine(t.Subject()), Text: strings.TrimSpace(t.Text()) + "\n", HTML: body.String() + "\n"}, nil
}

// NewNotification renders t as a pending outbox item for recipients, about record recordID of
// partner partnerID (whose agents may then see it; "" for nobody's).
func NewNotification(t Template, to []string, partnerID, recordID string, now time.Time) (*onboard.Notification, error) {
	m, err := Render(t)
	if err != nil {
		return nil, err
	}
	return &onboard.Notification{ID: onboard.NewID("ml"), Template: t.Name(), To: to, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Status: onboard.MailPending, NextAttemptAt: now, PartnerID: partnerID,
		RecordID: recordID, CreatedAt: now}, nil
}
