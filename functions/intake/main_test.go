package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gcconboard/gcconboard/events/fixture"
)

// TestReplayEvents sends every events/intake-*.json through the Lambda's own handler, as
// `sam local invoke IntakeFunction -e events/<file>` would.
func TestReplayEvents(t *testing.T) {
	want := map[string]struct {
		status int
		has    string
	}{
		"intake-partner-json":              {201, `"responseDueBy":"2026-12-07"`},
		"intake-partner-form":              {201, "Monday, December 7, 2026"},
		"intake-partner-indirect-reseller": {422, `"code":"IndirectResellerNotEligible"`},
		"intake-form-page":                 {200, `name="partnerTenantId"`},
		"intake-healthz":                   {200, `{"status":"ok"}`},
	}
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	for _, name := range fixture.Files(t, "intake-") {
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("events/%s.json has no expectation here", name)
			}
			h, err := newHandler(fixture.Store(t), nil, "review@gcconboard.example", now, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			ev := fixture.Load[events.APIGatewayV2HTTPRequest](t, name)
			res, err := h.ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != exp.status || !strings.Contains(res.Body, exp.has) {
				t.Errorf("got %d %s, want %d containing %s", res.StatusCode, res.Body, exp.status, exp.has)
			}
			// Round trip: the fixture decodes into the SDK type without losing fields.
			var again map[string]any
			data, _ := json.Marshal(ev)
			if err := json.Unmarshal(data, &again); err != nil || again["routeKey"] != ev.RouteKey {
				t.Errorf("round trip lost the route key: %v", err)
			}
		})
	}
}
