package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/events/fixture"
	"github.com/gcconboard/gcconboard/shared/store"
)

// TestReplayEvents sends every events/intake-*.json through the Lambda's own handler.
func TestReplayEvents(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	fixture.ReplayAPI(t, "intake-", map[string]fixture.Expect{
		"intake-partner-json":              {Status: 201, Has: []string{`"responseDueBy":"2026-12-07"`}},
		"intake-partner-form":              {Status: 201, Has: []string{"Monday, December 7, 2026"}},
		"intake-partner-indirect-reseller": {Status: 422, Has: []string{`"code":"IndirectResellerNotEligible"`}},
		"intake-form-page":                 {Status: 200, Has: []string{`name="partnerTenantId"`}},
		"intake-healthz":                   {Status: 200, Has: []string{`{"status":"ok"}`}},
	}, func(t *testing.T, st *store.Store) *httpadapter.HandlerAdapterV2 {
		h, err := newHandler(st, nil, "review@gcconboard.example", now, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
}
