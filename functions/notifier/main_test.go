package main

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gcconboard/gcconboard/events/fixture"
	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/store"
)

type countingSender struct{ n atomic.Int32 }

func (c *countingSender) Send(context.Context, outbox.Message) (string, error) {
	c.n.Add(1)
	return "ses-message-id", nil
}

// seed stores the outbox item a stream fixture's new image holds, as the intake would have.
func seed(t *testing.T, st *store.Store, name string) {
	t.Helper()
	ev := fixture.Load[events.DynamoDBEvent](t, name)
	var n onboard.Notification
	if err := dynamo.DecodeStreamImage(ev.Records[0].Change.NewImage, &n); err != nil {
		t.Fatal(err)
	}
	n.Version = 0
	if err := st.SaveNotification(context.Background(), &n, store.Effects{}); err != nil {
		t.Fatal(err)
	}
}

// TestReplayEvents sends every events/notifier-*.json through the Lambda's own handler.
func TestReplayEvents(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 12, 3, 15, 0, 1, 0, time.UTC) }
	checks := map[string]func(t *testing.T, out any, sent int32){
		"notifier-stream-outbox-insert": func(t *testing.T, out any, sent int32) {
			if resp := out.(events.DynamoDBEventResponse); len(resp.BatchItemFailures) != 0 || sent != 1 {
				t.Errorf("failures %v, sent %d; want none and 1", resp.BatchItemFailures, sent)
			}
		},
		"notifier-schedule": func(t *testing.T, out any, sent int32) {
			if sent != 1 { // the sweep finds the seeded item due
				t.Errorf("sweep sent %d, want 1", sent)
			}
		},
	}
	for _, name := range fixture.Files(t, "notifier-") {
		t.Run(name, func(t *testing.T) {
			check, ok := checks[name]
			if !ok {
				t.Fatalf("events/%s.json has no expectation here", name)
			}
			st := fixture.Store(t)
			seed(t, st, "notifier-stream-outbox-insert")
			sender := &countingSender{}
			h := newHandler(st, sender, nil, "no-reply@gcconboard.example", now, slog.New(slog.DiscardHandler))
			out, err := h.Invoke(context.Background(), fixture.Raw(t, name))
			if err != nil {
				t.Fatal(err)
			}
			check(t, out, sender.n.Load())
			if strings.HasPrefix(name, "notifier-stream") { // a redelivered record sends nothing more
				if _, err := h.Invoke(context.Background(), fixture.Raw(t, name)); err != nil || sender.n.Load() != 1 {
					t.Errorf("redelivery: err %v, sent %d, want 1", err, sender.n.Load())
				}
			}
		})
	}
}
