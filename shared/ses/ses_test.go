package ses

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// storedEmail is one mail in the emulator's GET /store answer: {"templates":{},"emails":[...]}.
type storedEmail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
}

// sentTo returns the mails the emulator holds for address. Other packages' tests share the
// emulator, so each test sends to an address of its own.
func sentTo(t *testing.T, endpoint, address string) []storedEmail {
	t.Helper()
	res, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var store struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := json.NewDecoder(res.Body).Decode(&store); err != nil {
		t.Fatalf("decode /store: %v", err)
	}
	var out []storedEmail
	for _, e := range store.Emails {
		for _, to := range e.Destination.To {
			if to == address {
				out = append(out, e)
			}
		}
	}
	return out
}

func uniqueAddress(name string) string {
	return fmt.Sprintf("%s-%d@contoso.example", name, time.Now().UnixNano())
}

func TestSend(t *testing.T) {
	endpoint := testenv.SESEndpoint(t)
	client, err := NewLocalClient(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	s := New(client, "")

	t.Run("OK", func(t *testing.T) {
		to := uniqueAddress("ana")
		m := outbox.Message{From: "no-reply@gcconboard.example", To: []string{to},
			Subject: "Réponse avant lundi", Text: "plain body", HTML: "<p>html body</p>"}
		id, err := s.Send(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if id == "" {
			t.Fatal("empty message ID")
		}
		got := sentTo(t, endpoint, to)
		if len(got) != 1 {
			t.Fatalf("emulator holds %d mails for %s, want 1", len(got), to)
		}
		e := got[0]
		if e.MessageID != id || e.From != m.From || len(e.Destination.To) != 1 || e.Subject != m.Subject ||
			e.Body.Text != m.Text || e.Body.HTML != m.HTML {
			t.Errorf("stored %+v, want %+v with message ID %q", e, m, id)
		}
	})

	t.Run("ErrHeaderInjection", func(t *testing.T) {
		to := uniqueAddress("bo")
		_, err := s.Send(context.Background(), outbox.Message{From: "no-reply@gcconboard.example", To: []string{to},
			Subject: "Hi\r\nBcc: victim@example.gov", Text: "x"})
		if !errors.Is(err, outbox.ErrPermanent) {
			t.Errorf("err = %v, want outbox.ErrPermanent", err)
		}
		if n := len(sentTo(t, endpoint, to)); n != 0 {
			t.Errorf("the refused message reached the emulator %d times", n)
		}
	})
}

// fakeSES answers SendEmail like SES v2 does: status, x-amzn-ErrorType and a JSON message.
func fakeSES(t *testing.T, status int, errorType string) *sesv2.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-RequestId", "c0ffee00-0000-4000-8000-000000000000")
		if errorType != "" {
			w.Header().Set("x-amzn-ErrorType", errorType+":http://internal.amazon.com/coral/com.amazonaws.sesv2/")
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":"%s from the fake"}`, errorType)
	}))
	t.Cleanup(srv.Close)
	return localClient(srv.URL)
}

func localClient(url string) *sesv2.Client {
	return sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
}

var okMessage = outbox.Message{From: "no-reply@gcconboard.example", To: []string{"ana@contoso.example"}, Subject: "s", Text: "t"}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		status    int
		errorType string
		permanent bool
	}{
		{400, "MessageRejected", true},
		{400, "MailFromDomainNotVerifiedException", true},
		{400, "AccountSuspendedException", true},
		{400, "BadRequestException", true},
		{404, "NotFoundException", true},
		{400, "SendingPausedException", false},
		{429, "TooManyRequestsException", false},
		{400, "LimitExceededException", false},
		{400, "ThrottlingException", false},
		{500, "InternalServiceErrorException", false},
		{503, "ServiceUnavailable", false},
		{500, "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d%s", tt.status, tt.errorType), func(t *testing.T) {
			_, err := New(fakeSES(t, tt.status, tt.errorType), "onboard").Send(context.Background(), okMessage)
			if err == nil {
				t.Fatal("no error")
			}
			if got, want := errors.Is(err, outbox.ErrPermanent), tt.permanent; got != want {
				t.Errorf("permanent = %v, want %v: %v", got, want, err)
			}
		})
	}

	t.Run("ErrNetwork", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close() // nothing listens there any more
		_, err := New(localClient(srv.URL), "").Send(context.Background(), okMessage)
		if err == nil || errors.Is(err, outbox.ErrPermanent) {
			t.Errorf("err = %v, want a retryable error", err)
		}
	})
}

// sendEmailRequest is the part of a SendEmail request body the tests look at.
type sendEmailRequest struct {
	ConfigurationSetName string
	FromEmailAddress     string
	Destination          struct{ ToAddresses []string }
	Content              struct {
		Simple struct {
			Subject struct{ Data, Charset string }
			Body    struct {
				Text, Html *struct{ Data, Charset string }
			}
		}
	}
}

// TestSendRequest checks what SES is asked, and that a refused message never reaches it.
func TestSendRequest(t *testing.T) {
	var (
		mu    sync.Mutex // the handler runs on the server's goroutines
		last  sendEmailRequest
		calls int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req sendEmailRequest
		if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Error(err)
		}
		mu.Lock()
		last, calls = req, calls+1
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"MessageId":"0100018f-fake"}`)
	}))
	defer srv.Close()
	seen := func() (sendEmailRequest, int) {
		mu.Lock()
		defer mu.Unlock()
		return last, calls
	}
	s := New(localClient(srv.URL), "onboard")

	m := outbox.Message{From: "no-reply@gcconboard.example", To: []string{"a@contoso.example", "b@contoso.example"},
		Subject: "Subject", Text: "text", HTML: "<p>html</p>"}
	id, err := s.Send(context.Background(), m)
	if err != nil || id != "0100018f-fake" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	got, _ := seen()
	simple := got.Content.Simple
	if got.ConfigurationSetName != "onboard" || got.FromEmailAddress != m.From || len(got.Destination.ToAddresses) != 2 ||
		simple.Subject.Data != "Subject" || simple.Subject.Charset != "UTF-8" || simple.Body.Text == nil ||
		simple.Body.Text.Data != "text" || simple.Body.Text.Charset != "UTF-8" || simple.Body.Html == nil ||
		simple.Body.Html.Data != "<p>html</p>" || simple.Body.Html.Charset != "UTF-8" {
		t.Errorf("SES was asked %+v", got)
	}

	t.Run("NoConfigurationSet", func(t *testing.T) {
		if _, err := New(localClient(srv.URL), "").Send(context.Background(), okMessage); err != nil {
			t.Fatal(err)
		}
		if got, _ := seen(); got.ConfigurationSetName != "" || got.Content.Simple.Body.Html != nil {
			t.Errorf("SES was asked %+v, want no configuration set and no HTML part", got)
		}
	})

	refused := []struct {
		name string
		m    outbox.Message
	}{
		{"ErrFromNewline", outbox.Message{From: "a@b.example\nBcc: x@y.example", To: m.To, Subject: "s", Text: "t"}},
		{"ErrToCarriageReturn", outbox.Message{From: m.From, To: []string{"a@contoso.example", "b@c.example\rBcc: x@y.example"}, Subject: "s", Text: "t"}},
		{"ErrSubjectNewline", outbox.Message{From: m.From, To: m.To, Subject: "s\nBcc: x@y.example", Text: "t"}},
		{"ErrSubjectNUL", outbox.Message{From: m.From, To: m.To, Subject: "s\x00", Text: "t"}},
		{"ErrSubjectC1", outbox.Message{From: m.From, To: m.To, Subject: "s\u0085", Text: "t"}},
		{"ErrNoRecipient", outbox.Message{From: m.From, Subject: "s", Text: "t"}},
		{"ErrEmptyBody", outbox.Message{From: m.From, To: m.To, Subject: "s"}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, before := seen()
			_, err := s.Send(context.Background(), tt.m)
			if !errors.Is(err, outbox.ErrPermanent) {
				t.Errorf("err = %v, want outbox.ErrPermanent", err)
			}
			if _, after := seen(); after != before {
				t.Error("the refused message reached SES")
			}
		})
	}
}
