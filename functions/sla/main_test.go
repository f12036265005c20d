package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gcconboard/gcconboard/events/fixture"
)

// TestReplayEvents runs the SLA check from every events/sla-*.json.
func TestReplayEvents(t *testing.T) {
	for _, name := range fixture.Files(t, "sla-") {
		t.Run(name, func(t *testing.T) {
			h := newHandler(fixture.Store(t), "review@gcconboard.example", slog.New(slog.DiscardHandler))
			rep, err := h(context.Background(), fixture.Load[events.EventBridgeEvent](t, name))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(rep.Today), "2026-12-08"; got != want || !rep.BusinessDay {
				t.Errorf("report = %+v, want today %s, a business day", rep, want)
			}
		})
	}
}
