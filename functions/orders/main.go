// Command orders is the ordering Lambda: a partner's agents browse the catalog, build carts for
// their customers, check them out and follow or cancel the orders; its schedule (EventBridge,
// every minute) runs fulfilment, which completes the pending orders. Wiring only.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/shared/auth"
	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/lambdamain"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/web"
)

func main() {
	lambdamain.Start(func(e lambdamain.Env) (any, error) {
		cat, err := catalog.Load()
		if err != nil {
			return nil, err
		}
		return newHandler(&orders.Service{Store: e.Store, Catalog: cat, Now: time.Now, Log: e.Log})
	})
}

// FulfilmentReport is what a scheduled invocation returns (and Lambda logs).
type FulfilmentReport struct {
	Fulfilled int `json:"fulfilled"`
}

// newHandler serves svc's routes to API Gateway events and runs fulfilment for scheduled ones.
func newHandler(svc *orders.Service) (func(context.Context, json.RawMessage) (any, error), error) {
	h, err := (&web.Server{Store: svc.Store, Log: svc.Log, Auth: auth.APIGateway{}, Orders: svc}).Handler(web.OrdersRoutes())
	if err != nil {
		return nil, err
	}
	api := httpadapter.NewV2(h)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct {
			RouteKey   string `json:"routeKey"`
			DetailType string `json:"detail-type"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, fmt.Errorf("orders: unreadable event: %w", err)
		}
		switch {
		case probe.RouteKey != "":
			var req events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				return nil, fmt.Errorf("orders: API event: %w", err)
			}
			return api.ProxyWithContext(ctx, req)
		case probe.DetailType == "Scheduled Event":
			n, err := svc.FulfilPending(ctx)
			logger(svc).InfoContext(ctx, "fulfilment sweep", "fulfilled", n, "error", err)
			return FulfilmentReport{Fulfilled: n}, err
		}
		return nil, fmt.Errorf("orders: unknown event")
	}, nil
}

func logger(svc *orders.Service) *slog.Logger {
	if svc.Log != nil {
		return svc.Log
	}
	return slog.Default()
}
