// Package mail renders GCC Onboard's mail from templates and delivers outbox items through a
// Sender: SES in AWS (shared/ses), a folder of files on the local server (FileSender).
package mail

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

//go:embed templates/*.tmpl
var files embed.FS

// Each template file defines "subject" and "text" (rendered as plain text) and "html" (rendered
// with contextual escaping, so no value can inject markup). Both sets are made once, at start.
var (
	textTemplates = map[string]*texttemplate.Template{}
	htmlTemplates = map[string]*htmltemplate.Template{}
)

func init() {
	names, err := fs.Glob(files, "templates/*.tmpl")
	if err != nil {
		panic(err)
	}
	for _, path := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".tmpl")
		src, err := files.ReadFile(path)
		if err != nil {
			panic(err)
		}
		// Each file is parsed once, not once per set: parsing runs in every cold start of every
		// Lambda that links this package. The HTML set gets copies of the trees, because
		// html/template rewrites a tree in place when it escapes it (on first use).
		tt := texttemplate.Must(texttemplate.New(name).Option("missingkey=error").Parse(string(src)))
		ht := htmltemplate.New(name).Option("missingkey=error")
		for _, t := range tt.Templates() {
			if t.Tree != nil {
				htmltemplate.Must(ht.AddParseTree(t.Name(), t.Tree.Copy()))
			}
		}
		textTemplates[name], htmlTemplates[name] = tt, ht
	}
}

// Rendered is a rendered mail.
type Rendered struct {
	Subject, Text, HTML string
}

// Render renders template name with data.
func Render(name string, data any) (Rendered, error) {
	tt, ok := textTemplates[name]
	if !ok {
		return Rendered{}, fmt.Errorf("mail: no template %q", name)
	}
	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Rendered{}, fmt.Errorf("mail: %s subject: %w", name, err)
	}
	if err := tt.ExecuteTemplate(&text, "text", data); err != nil {
		return Rendered{}, fmt.Errorf("mail: %s text: %w", name, err)
	}
	if err := htmlTemplates[name].ExecuteTemplate(&html, "html", data); err != nil {
		return Rendered{}, fmt.Errorf("mail: %s html: %w", name, err)
	}
	// A subject is one header line: collapse any line break a value might have carried.
	s := strings.Join(strings.Fields(subject.String()), " ")
	return Rendered{Subject: s, Text: strings.TrimSpace(text.String()) + "\n", HTML: strings.TrimSpace(html.String()) + "\n"}, nil
}

// NewNotification renders template with data as a pending outbox item for recipients, about
// record recordID of partner partnerID (whose agents may then see it; "" for nobody's).
func NewNotification(template string, to []string, partnerID, recordID string, data any, now time.Time) (*onboard.Notification, error) {
	m, err := Render(template, data)
	if err != nil {
		return nil, err
	}
	return &onboard.Notification{ID: onboard.NewID("ml"), Template: template, To: to, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Status: onboard.MailPending, NextAttemptAt: now, PartnerID: partnerID,
		RecordID: recordID, CreatedAt: now}, nil
}

// Placeholder is how a mail's Subject, Text and HTML mark where value name goes: "{{name}}".
// Templates cannot write it literally (it would parse as an action), so they receive it as data.
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
	return strings.Join(strings.Fields(subject), " "), text, htmlBody // a subject stays one header line
}
