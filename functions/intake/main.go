// Command intake is the eligibility intake Lambda: the public pages and both intake forms.
// Wiring only; the handlers live in shared/web.
package main

import (
	"log/slog"
	"os"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/entra"
	"github.com/gcconboard/gcconboard/shared/lambdamain"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/web"
)

func main() {
	lambdamain.Start(func(e lambdamain.Env) (any, error) {
		var tenants onboard.TenantCloudChecker
		if os.Getenv("TENANT_CHECK") != "off" {
			tenants = entra.New(os.Getenv("ENTRA_BASE_URL"), nil)
		}
		h, err := newHandler(e.Store, tenants, os.Getenv("REVIEW_TEAM_EMAIL"), time.Now, e.Log)
		if err != nil {
			return nil, err
		}
		return h.ProxyWithContext, nil
	})
}

func newHandler(st *store.Store, tenants onboard.TenantCloudChecker, reviewTeam string, now func() time.Time, log *slog.Logger) (*httpadapter.HandlerAdapterV2, error) {
	srv := &web.Server{Store: st, Log: log,
		Intake: &eligibility.Intake{Store: st, Tenants: tenants, ReviewTeam: reviewTeam, Now: now, Log: log}}
	h, err := srv.Handler(web.IntakeRoutes())
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h), nil
}
