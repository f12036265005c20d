// Command invitations is the reseller relationship invitations Lambda: a partner's agents create,
// list and revoke invitations and get their reusable relationship link; a customer opens a link
// and accepts it (public routes, the token in the path being the credential). Wiring only.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/shared/auth"
	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/kms"
	"github.com/gcconboard/gcconboard/shared/lambdamain"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/web"
)

func main() {
	lambdamain.Start(func(e lambdamain.Env) (any, error) {
		keyID := os.Getenv("KMS_KEY_ID")
		if keyID == "" {
			return nil, fmt.Errorf("KMS_KEY_ID is not set: invitation links are sealed with that key")
		}
		expiry, err := expiryFromEnv(os.Getenv("INVITATION_DAYS"))
		if err != nil {
			return nil, err
		}
		h, err := newHandler(e.Store, kms.New(awskms.NewFromConfig(e.AWS), keyID), os.Getenv("PUBLIC_BASE_URL"), expiry, time.Now, e.Log)
		if err != nil {
			return nil, err
		}
		return h.ProxyWithContext, nil
	})
}

// expiryFromEnv reads INVITATION_DAYS: empty means the default (14 days).
func expiryFromEnv(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	days, err := strconv.Atoi(v)
	if err != nil || days < 1 || days > 365 {
		return 0, fmt.Errorf("INVITATION_DAYS=%q: want a whole number of days from 1 to 365", v)
	}
	return time.Duration(days) * 24 * time.Hour, nil
}

func newHandler(st *store.Store, sealer onboard.Sealer, baseURL string, expiry time.Duration, now func() time.Time, log *slog.Logger) (*httpadapter.HandlerAdapterV2, error) {
	if baseURL == "" {
		return nil, fmt.Errorf("PUBLIC_BASE_URL is not set: invitation links are built on it, never on the Host header")
	}
	srv := &web.Server{Store: st, Log: log, Auth: auth.APIGateway{},
		Invitations: &invitations.Service{Store: st, Sealer: sealer, BaseURL: baseURL, Expiry: expiry, Now: now, Log: log}}
	h, err := srv.Handler(web.InvitationsRoutes())
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h), nil
}
