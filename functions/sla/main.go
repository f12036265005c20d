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
	sla := &eligibility.SLA{Store: store.New(backend), ReviewTeam: os.Getenv("REVIEW_TEAM_EMAIL"), Log: log}
	lambda.Start(func(ctx context.Context, ev events.EventBridgeEvent) (*eligibility.SLAReport, error) {
		at := ev.Time
		if at.IsZero() {
			at = time.Now()
		}
		return sla.Run(ctx, at)
	})
}
