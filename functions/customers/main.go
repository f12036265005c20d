// Command customers is the customer accounts Lambda: a partner's agents create customers (with the
// GCC special qualification under a validation code, or commercial), view their accounts, and an
// admin agent adds GCC to an existing customer. Wiring only.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/shared/auth"
	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/dynamo"
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
	h, err := newHandler(store.New(backend), time.Now, log)
	if err != nil {
		log.Error("start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.ProxyWithContext)
}

func newHandler(st *store.Store, now func() time.Time, log *slog.Logger) (*httpadapter.HandlerAdapterV2, error) {
	srv := &web.Server{Store: st, Log: log, Auth: auth.APIGateway{},
		Customers: &customers.Service{Store: st, Now: now, Log: log}}
	h, err := srv.Handler(routes.Customers)
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h), nil
}
