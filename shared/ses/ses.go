// Package ses sends GCC Onboard's mail through Amazon SES v2: the mail.Sender of the notifier
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
	"github.com/aws/smithy-go"

	"github.com/gcconboard/gcconboard/shared/mail"
)

// Sender implements mail.Sender with SES v2 SendEmail.
type Sender struct {
	client *sesv2.Client
	set    string
}

var _ mail.Sender = (*Sender)(nil)

// New returns a Sender; configurationSet may be "" for none.
func New(client *sesv2.Client, configurationSet string) *Sender {
	return &Sender{client: client, set: configurationSet}
}

// NewLocalClient returns an SES v2 client for the emulator at endpoint.
func NewLocalClient(_ context.Context, endpoint string) (*sesv2.Client, error) {
	if endpoint == "" {
		return nil, errors.New("ses: no endpoint")
	}
	return sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}), nil
}

// Send sends m. Header values with line breaks or other control characters are refused before
// SES sees them (header injection); SES refusals that retrying cannot fix wrap mail.ErrPermanent.
func (s *Sender) Send(ctx context.Context, m mail.Message) (string, error) {
	for _, v := range append([]string{m.From, m.Subject}, m.To...) {
		if strings.ContainsFunc(v, unicode.IsControl) {
			return "", fmt.Errorf("%w: control character in a mail header", mail.ErrPermanent)
		}
	}
	if len(m.To) == 0 {
		return "", fmt.Errorf("%w: no recipient", mail.ErrPermanent)
	}
	utf8 := aws.String("UTF-8")
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: m.To},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body: &types.Body{Text: &types.Content{Data: aws.String(m.Text), Charset: utf8},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: utf8}},
		}},
	}
	if s.set != "" {
		in.ConfigurationSetName = aws.String(s.set)
	}
	out, err := s.client.SendEmail(ctx, in)
	if err != nil {
		return "", translate(err)
	}
	return aws.ToString(out.MessageId), nil
}

// translate marks SES's refusals of the message itself as permanent; throttling, quota, paused
// sending and service errors stay retryable.
func translate(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException", "NotFoundException",
			"AccountSuspendedException":
			return fmt.Errorf("%w: ses: %s", mail.ErrPermanent, api.ErrorCode())
		}
		return fmt.Errorf("ses: %s", api.ErrorCode())
	}
	return fmt.Errorf("ses: %w", err)
}
