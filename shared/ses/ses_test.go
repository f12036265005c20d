package ses

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/gcconboard/gcconboard/shared/mail"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

func TestSendThroughEmulator(t *testing.T) {
	endpoint := testenv.SESEndpoint(t)
	client, err := NewLocalClient(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	s := New(client, "")
	to := fmt.Sprintf("ana-%d@contoso.example", time.Now().UnixNano())
	id, err := s.Send(context.Background(), mail.Message{From: "no-reply@gcconboard.example", To: []string{to},
		Subject: "Reply by Monday", Text: "plain body", HTML: "<p>html body</p>"})
	if err != nil || id == "" {
		t.Fatalf("send: id %q, err %v", id, err)
	}
	got := stored(t, endpoint, to)
	if len(got) != 1 || !strings.Contains(got[0], "Reply by Monday") || !strings.Contains(got[0], "plain body") ||
		!strings.Contains(got[0], "html body") || !strings.Contains(got[0], "no-reply@gcconboard.example") {
		t.Errorf("emulator holds %v", got)
	}

	t.Run("HeaderInjectionRefused", func(t *testing.T) {
		bad := to + ".x"
		_, err := s.Send(context.Background(), mail.Message{From: "no-reply@gcconboard.example", To: []string{bad},
			Subject: "Hi\r\nBcc: victim@example.gov", Text: "x"})
		if !errors.Is(err, mail.ErrPermanent) {
			t.Errorf("err = %v, want permanent", err)
		}
		if n := len(stored(t, endpoint, bad)); n != 0 {
			t.Errorf("refused message reached the emulator %d times", n)
		}
	})
}

// stored returns the emulator's stored mails (as JSON text) mentioning marker.
func stored(t *testing.T, endpoint, marker string) []string {
	t.Helper()
	res, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Emails []json.RawMessage `json:"emails"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range body.Emails {
		if strings.Contains(string(e), marker) {
			out = append(out, string(e))
		}
	}
	return out
}

func TestErrorTranslation(t *testing.T) {
	tests := []struct {
		status    int
		errorType string
		permanent bool
	}{
		{400, "MessageRejected", true},
		{400, "BadRequestException", true},
		{429, "TooManyRequestsException", false},
		{400, "LimitExceededException", false},
		{500, "InternalFailure", false},
	}
	for _, tt := range tests {
		t.Run(tt.errorType, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("x-amzn-ErrorType", tt.errorType)
				w.WriteHeader(tt.status)
				fmt.Fprintf(w, `{"message":"%s"}`, tt.errorType)
			}))
			defer srv.Close()
			client := sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
			_, err := New(client, "set").Send(context.Background(), mail.Message{From: "a@b.example", To: []string{"c@d.example"}, Subject: "s"})
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, mail.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tt.permanent, err)
			}
		})
	}
}
