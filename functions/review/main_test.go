package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/events/fixture"
	"github.com/gcconboard/gcconboard/shared/store"
)

// TestReplayEvents sends every events/review-*.json through the Lambda's own handler. Their
// claims are what API Gateway's JWT authorizer puts in the request context.
func TestReplayEvents(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	fixture.ReplayAPI(t, "review-", map[string]fixture.Expect{
		"review-queue":              {Status: 200, Has: []string{`"totalCount":0`}},
		"review-queue-wrong-role":   {Status: 403, Has: []string{`"code":"Forbidden"`}},
		"review-queue-access-token": {Status: 401, Has: []string{`"code":"Unauthorized"`}},
		"review-legalbusiness":      {Status: 200, Has: []string{`"resellerQualifications":[]`}},
		"review-notifications":      {Status: 200, Has: []string{`"totalCount":0`}},
	}, func(t *testing.T, st *store.Store) *httpadapter.HandlerAdapterV2 {
		h, err := newHandler(st, now, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
}
