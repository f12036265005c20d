package outbox

import (
	"html"
	"strings"
)

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
	return OneLine(subject), text, htmlBody
}

// OneLine collapses every run of white space, line breaks included, to one space: a subject is
// one header line, whatever a value carried.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
