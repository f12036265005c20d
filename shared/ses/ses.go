// Package ses sends GCC Onboard's mail through Amazon SES v2: the outbox.Sender of the notifier
// Lambda. It is tested against the SES v2 emulator (npm aws-ses-v2-local).
package ses

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/gcconboard/gcconboard/shared/outbox"
)

// Sender implements outbox.Sender with SES v2 SendEmail.
type Sender struct {
	client           *sesv2.Client
	configurationSet string
}

var _ outbox.Sender = (*Sender)(nil)

// New returns a Sender that sends through client; configurationSet "" sends with none.
func New(client *sesv2.Client, configurationSet string) *Sender {
	return &Sender{client: client, configurationSet: configurationSet}
}

// NewLocalClient returns an SES v2 client for the emulator at endpoint (e.g.
// http://127.0.0.1:8005). It ignores the environment's AWS settings, so a developer's profile can
// never send real mail from a test.
func NewLocalClient(_ context.Context, endpoint string) (*sesv2.Client, error) {
	if endpoint == "" {
		return nil, errors.New("ses: no emulator endpoint")
	}
	return sesv2.New(sesv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	}), nil
}

// Send sends m and returns SES's message ID. A header value (From, a To address, the Subject)
// holding a line break or another control character is refused before SES sees it, since it could
// smuggle in headers of its own. Errors that retrying cannot fix wrap outbox.ErrPermanent.
func (s *Sender) Send(ctx context.Context, m outbox.Message) (string, error) {
	if err := check(m); err != nil {
		return "", err
	}
	utf8 := aws.String("UTF-8")
	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: aws.String(m.Text), Charset: utf8}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: utf8}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: m.To},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body:    body,
		}},
	}
	if s.configurationSet != "" {
		in.ConfigurationSetName = aws.String(s.configurationSet)
	}
	out, err := s.client.SendEmail(ctx, in)
	if err != nil {
		if permanent(err) {
			return "", fmt.Errorf("ses: send: %w: %w", outbox.ErrPermanent, err)
		}
		return "", fmt.Errorf("ses: send: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}

// check refuses, as permanent, a message that SES must not be asked to send.
func check(m outbox.Message) error {
	if len(m.To) == 0 {
		return fmt.Errorf("ses: %w: no recipient", outbox.ErrPermanent)
	}
	if m.Text == "" && m.HTML == "" {
		return fmt.Errorf("ses: %w: empty body", outbox.ErrPermanent)
	}
	for _, h := range []struct {
		name   string
		values []string
	}{{"From", []string{m.From}}, {"To", m.To}, {"Subject", []string{m.Subject}}} {
		for _, v := range h.values {
			if strings.ContainsFunc(v, unicode.IsControl) {
				return fmt.Errorf("ses: %w: control character in the %s header", outbox.ErrPermanent, h.name)
			}
		}
	}
	return nil
}

// permanent reports whether SES refused the message or the account in a way that sending again
// cannot fix. Throttling, quotas, paused sending (an operator resumes it), service errors and
// network failures are left retryable.
func permanent(err error) bool {
	var (
		rejected    *types.MessageRejected
		notVerified *types.MailFromDomainNotVerifiedException
		suspended   *types.AccountSuspendedException
		badRequest  *types.BadRequestException
		notFound    *types.NotFoundException
	)
	return errors.As(err, &rejected) || errors.As(err, &notVerified) || errors.As(err, &suspended) ||
		errors.As(err, &badRequest) || errors.As(err, &notFound)
}
