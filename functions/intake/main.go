// Command intake is the eligibility intake Lambda: the public pages and both intake forms.
// Wiring only; the handlers live in shared/web.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/entra"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/routes"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/web"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("start", "error", err)
		os.Exit(1)
	}
	backend, err := dynamo.FromEnv(cfg)
	if err != nil {
		log.Error("start", "error", err)
		os.Exit(1)
	}
	var tenants onboard.TenantCloudChecker
	if os.Getenv("TENANT_CHECK") != "off" {
		tenants = entra.New(os.Getenv("ENTRA_BASE_URL"), nil)
	}
	h, err := newHandler(store.New(backend), tenants, os.Getenv("REVIEW_TEAM_EMAIL"), time.Now, log)
	if err != nil {
		log.Error("start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.ProxyWithContext)
}

func newHandler(st *store.Store, tenants onboard.TenantCloudChecker, reviewTeam string, now func() time.Time, log *slog.Logger) (*httpadapter.HandlerAdapterV2, error) {
	srv := &web.Server{Store: st, Log: log,
		Intake: &eligibility.Intake{Store: st, Tenants: tenants, ReviewTeam: reviewTeam, Now: now, Log: log}}
	h, err := srv.Handler(routes.Intake)
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h), nil
}
