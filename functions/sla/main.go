// Command sla is the scheduled SLA Lambda: on each business day it mails the review team a digest
// of overdue eligibility requests and tells each waiting contact once. Wiring only.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/store"
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
	lambda.Start(newHandler(store.New(backend), os.Getenv("REVIEW_TEAM_EMAIL"), log))
}

// newHandler runs the SLA check as of the scheduled event's time.
func newHandler(st *store.Store, reviewTeam string, log *slog.Logger) func(context.Context, events.EventBridgeEvent) (*eligibility.SLAReport, error) {
	sla := &eligibility.SLA{Store: st, ReviewTeam: reviewTeam, Log: log}
	return func(ctx context.Context, ev events.EventBridgeEvent) (*eligibility.SLAReport, error) {
		at := ev.Time
		if at.IsZero() {
			at = time.Now()
		}
		return sla.Run(ctx, at)
	}
}
