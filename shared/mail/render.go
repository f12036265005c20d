// Package mail renders GCC Onboard's mail and delivers outbox items through a Sender: SES in AWS
// (shared/ses), a folder of files on the local server (FileSender).
//
// Each kind of mail is a Go type whose fields are its data, so a missing or misspelt value is a
// compile error. Subjects and text bodies are written in plain Go; HTML bodies are templ
// components, which escape every value for where it lands.
package mail

import (
	"context"
	"html"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/gcconboard/gcconboard/shared/onboard"
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
	return Rendered{Subject: oneLine(t.Subject()), Text: strings.TrimSpace(t.Text()) + "\n", HTML: body.String() + "\n"}, nil
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

// Placeholder is how a mail's Subject, Text and HTML mark where value name goes: "{{name}}". A
// value rendered in its place passes through escaping unchanged, so Fill finds it in every part.
func Placeholder(name string) string { return "{{" + name + "}}" }

// Fill replaces each placeholder with its value: as is in the subject and the text, HTML-escaped
// in the HTML (values are plain text, such as a link; the HTML places them in text or a quoted
// attribute, where escaping is what keeps them inert).
func Fill(subject, text, htmlBody string, values map[string]string) (string, string, string) {
	for name, v := range values {
		p := Placeholder(name)
		subject = strings.ReplaceAll(subject, p, v)
		text = strings.ReplaceAll(text, p, v)
		htmlBody = strings.ReplaceAll(htmlBody, p, html.EscapeString(v))
	}
	return oneLine(subject), text, htmlBody
}

// oneLine collapses every run of white space, line breaks included, to one space: a subject is
// one header line, whatever a value carried.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
