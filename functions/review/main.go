// Command review is the eligibility review Lambda: the reviewers' queue, requests, evidence and
// decisions. Wiring only.
package main

import (
	"log/slog"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/shared/auth"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/lambdamain"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/web"
)

func main() {
	lambdamain.Start(func(e lambdamain.Env) (any, error) {
		h, err := newHandler(e.Store, time.Now, e.Log)
		if err != nil {
			return nil, err
		}
		return h.ProxyWithContext, nil
	})
}

func newHandler(st *store.Store, now func() time.Time, log *slog.Logger) (*httpadapter.HandlerAdapterV2, error) {
	srv := &web.Server{Store: st, Log: log, Auth: auth.APIGateway{},
		Review: &eligibility.Review{Store: st, Now: now, Log: log}}
	h, err := srv.Handler(web.ReviewRoutes())
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h), nil
}
