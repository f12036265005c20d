// Package notifier is the email notification step: it receives outbox items from the table's
// stream (and a periodic sweep for retries), and hands them to the mail Deliverer.
package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/store"
)

// Delivery is what the handler needs of the mail Deliverer.
type Delivery interface {
	Deliver(ctx context.Context, id string) error
	SweepDue(ctx context.Context) (int, error)
}

// Handler is the notifier Lambda's event handler.
type Handler struct {
	Mail Delivery
	Log  *slog.Logger
}

// outboxImage is the part of a stream image the handler reads.
type outboxImage struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Status string `json:"status"`
}

// HandleStream delivers the outbox items of a stream batch. Records that are not pending outbox
// items are skipped (the event source filter should not pass them). A record whose delivery could
// not even be recorded is reported in BatchItemFailures, so Lambda retries it (bisecting the
// batch) and, after the bounded retries, sends it to the dead-letter queue.
func (h *Handler) HandleStream(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	for _, rec := range ev.Records {
		if rec.EventName == "REMOVE" || rec.Change.NewImage == nil {
			continue
		}
		var img outboxImage
		if err := dynamo.DecodeStreamImage(rec.Change.NewImage, &img); err != nil {
			h.log().Error("undecodable stream record", "sequence", rec.Change.SequenceNumber, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			continue
		}
		if img.Kind != store.KindNotification || img.Status != "Pending" {
			continue
		}
		if err := h.Mail.Deliver(ctx, img.ID); err != nil {
			h.log().Error("delivery failed", "notification", img.ID, "sequence", rec.Change.SequenceNumber, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
		}
	}
	return resp, nil
}

// Sweep delivers outbox items whose retry time has come; the schedule rule triggers it.
func (h *Handler) Sweep(ctx context.Context) error {
	n, err := h.Mail.SweepDue(ctx)
	h.log().Info("outbox sweep", "tried", n, "error", err)
	return err
}

// Invoke dispatches a raw Lambda event: a stream batch or a scheduled sweep.
func (h *Handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Records    []json.RawMessage `json:"Records"`
		DetailType string            `json:"detail-type"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("notifier: unreadable event: %w", err)
	}
	switch {
	case probe.Records != nil:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("notifier: stream event: %w", err)
		}
		return h.HandleStream(ctx, ev)
	case probe.DetailType == "Scheduled Event":
		return nil, h.Sweep(ctx)
	}
	return nil, fmt.Errorf("notifier: unknown event")
}

func (h *Handler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}
