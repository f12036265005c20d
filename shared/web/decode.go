package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// MaxBody is the largest request body accepted (1 MiB).
const MaxBody = 1 << 20

// body is a request body read once: its bytes (for the idempotency hash) and its kind.
type body struct {
	raw  []byte
	form url.Values // set for application/x-www-form-urlencoded
}

// readBody reads at most MaxBody bytes of a JSON or form body; anything else is refused.
func readBody(w http.ResponseWriter, r *http.Request, allowForm bool) (*body, error) {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isForm := err == nil && ct == "application/x-www-form-urlencoded"
	if err != nil || !(ct == "application/json" || (allowForm && isForm)) {
		accepted := "application/json"
		if allowForm {
			accepted += " or application/x-www-form-urlencoded"
		}
		return nil, onboard.Errorf(onboard.ErrUnsupportedMediaType, "Send the body as %s.", accepted)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, onboard.Errorf(onboard.ErrBodyTooLarge, "The body is larger than %d bytes.", MaxBody)
	}
	if err != nil {
		return nil, onboard.Errorf(onboard.ErrMalformedBody, "The body could not be read.")
	}
	b := &body{raw: raw}
	if isForm {
		if b.form, err = url.ParseQuery(string(raw)); err != nil {
			return nil, onboard.Errorf(onboard.ErrMalformedBody, "The form body is not valid URL encoding.")
		}
	}
	return b, nil
}

// decodeJSON decodes a JSON body into v. Unknown members are ignored (clients may be newer than
// the server); a syntax or type error names where it is.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return onboard.Errorf(onboard.ErrMalformedBody, "The body is not valid JSON: %s at byte %d.", syn.Error(), syn.Offset)
		case errors.As(err, &typ):
			return &onboard.Error{Code: onboard.ErrMalformedBody,
				Message: fmt.Sprintf("The field %s must be a JSON %s.", typ.Field, jsonKind(typ.Type.Kind().String())),
				Fields:  []onboard.FieldError{{Field: typ.Field, Message: "must be a JSON " + jsonKind(typ.Type.Kind().String())}}}
		case errors.Is(err, io.EOF):
			return onboard.Errorf(onboard.ErrMalformedBody, "The body is empty; send a JSON object.")
		default:
			return onboard.Errorf(onboard.ErrMalformedBody, "The body is not valid JSON: %s.", err.Error())
		}
	}
	if dec.More() {
		return onboard.Errorf(onboard.ErrMalformedBody, "The body must hold exactly one JSON value.")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	default:
		return "number"
	}
}

// formReader reads flattened form fields (contact.email, attestation.agree=on) into typed values.
type formReader struct {
	v        url.Values
	problems onboard.Problems
}

func (f *formReader) str(name string) string { return f.v.Get(name) }

func (f *formReader) strs(name string) []string {
	var out []string
	for _, v := range f.v[name] {
		for _, part := range strings.Split(v, ",") { // "federal,state" from scripts, checkboxes from browsers
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// bool reads a checkbox: absent means false; "on", "true", "1", "yes" mean true.
func (f *formReader) bool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(f.v.Get(name))) {
	case "on", "true", "1", "yes":
		return true
	case "", "off", "false", "0", "no":
		return false
	default:
		f.problems.Add(name, "must be on or off")
		return false
	}
}

func (f *formReader) int(name string) int {
	s := strings.TrimSpace(f.v.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.problems.Add(name, "must be a whole number")
	}
	return n
}

func (f *formReader) contact(prefix string) onboard.Contact {
	return onboard.Contact{Name: f.str(prefix + ".name"), Title: f.str(prefix + ".title"),
		Email: f.str(prefix + ".email"), Phone: f.str(prefix + ".phone")}
}

func (f *formReader) address(prefix string) onboard.Address {
	return onboard.Address{Line1: f.str(prefix + ".line1"), Line2: f.str(prefix + ".line2"), City: f.str(prefix + ".city"),
		State: f.str(prefix + ".state"), PostalCode: f.str(prefix + ".postalCode"), Country: f.str(prefix + ".country")}
}

func (f *formReader) attestation(prefix string) onboard.Attestation {
	return onboard.Attestation{SignerName: f.str(prefix + ".signerName"), SignerTitle: f.str(prefix + ".signerTitle"),
		Agree: f.bool(prefix + ".agree"), TermsVersion: f.str(prefix + ".termsVersion")}
}

// decodePartnerForm reads a partner intake body, JSON or form.
func decodePartnerForm(b *body) (*onboard.PartnerForm, error) {
	var f onboard.PartnerForm
	if b.form == nil {
		return &f, decodeJSON(b.raw, &f)
	}
	r := &formReader{v: b.form}
	f = onboard.PartnerForm{OrganizationName: r.str("organizationName"), PartnerTenantID: r.str("partnerTenantId"),
		PartnerType: onboard.PartnerType(r.str("partnerType")), MpnID: r.str("mpnId"), CspEnrolled: r.bool("cspEnrolled"),
		GovernmentSegments: r.strs("governmentSegments"), Contact: r.contact("contact"), Address: r.address("address"),
		Attestation: r.attestation("attestation")}
	return &f, r.problems.Err()
}

// decodeCustomerForm reads a customer intake body, JSON or form.
func decodeCustomerForm(b *body) (*onboard.CustomerForm, error) {
	var f onboard.CustomerForm
	if b.form == nil {
		return &f, decodeJSON(b.raw, &f)
	}
	r := &formReader{v: b.form}
	f = onboard.CustomerForm{OrganizationName: r.str("organizationName"), CustomerTenantID: r.str("customerTenantId"),
		Domain: r.str("domain"), GovernmentEntityType: r.str("governmentEntityType"), ValidationOption: r.str("validationOption"),
		PartnerTenantID: r.str("partnerTenantId"), Contact: r.contact("contact"), Address: r.address("address"),
		Attestation: r.attestation("attestation")}
	return &f, r.problems.Err()
}
