// Command sla is the scheduled SLA Lambda: on each business day it mails the review team a digest
// of overdue eligibility requests and tells each waiting contact once. Wiring only.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/lambdamain"
	"github.com/gcconboard/gcconboard/shared/store"
)

func main() {
	lambdamain.Start(func(e lambdamain.Env) (any, error) {
		return newHandler(e.Store, os.Getenv("REVIEW_TEAM_EMAIL"), e.Log), nil
	})
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
