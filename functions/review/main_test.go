package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gcconboard/gcconboard/events/fixture"
)

// TestReplayEvents sends every events/review-*.json through the Lambda's own handler. Their
// claims are what API Gateway's JWT authorizer puts in the request context.
func TestReplayEvents(t *testing.T) {
	want := map[string]struct {
		status int
		has    string
	}{
		"review-queue":              {200, `"totalCount":0`},
		"review-queue-wrong-role":   {403, `"code":"Forbidden"`},
		"review-queue-access-token": {401, `"code":"Unauthorized"`},
		"review-legalbusiness":      {200, `"resellerQualifications":[]`},
	}
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	for _, name := range fixture.Files(t, "review-") {
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("events/%s.json has no expectation here", name)
			}
			h, err := newHandler(fixture.Store(t), now, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			res, err := h.ProxyWithContext(context.Background(), fixture.Load[events.APIGatewayV2HTTPRequest](t, name))
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != exp.status || !strings.Contains(res.Body, exp.has) {
				t.Errorf("got %d %s, want %d containing %s", res.StatusCode, res.Body, exp.status, exp.has)
			}
		})
	}
}
