// Command notifier is the email notification Lambda: it consumes outbox items from the table's
// stream and a periodic sweep, and sends them through SES v2. Wiring only.
package main

import (
	"log/slog"
	"os"
	"time"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/gcconboard/gcconboard/shared/kms"
	"github.com/gcconboard/gcconboard/shared/lambdamain"
	"github.com/gcconboard/gcconboard/shared/notifier"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/ses"
	"github.com/gcconboard/gcconboard/shared/store"
)

func main() {
	lambdamain.Start(func(e lambdamain.Env) (any, error) {
		sender := ses.New(sesv2.NewFromConfig(e.AWS), os.Getenv("SES_CONFIGURATION_SET"))
		// Invitation mail carries its link sealed under this key; without it such mail waits
		// (saying why) while all other mail flows.
		var sealer onboard.Sealer
		if id := os.Getenv("KMS_KEY_ID"); id != "" {
			sealer = kms.New(awskms.NewFromConfig(e.AWS), id)
		}
		return newHandler(e.Store, sender, sealer, os.Getenv("MAIL_FROM"), time.Now, e.Log).Invoke, nil
	})
}

func newHandler(st *store.Store, sender outbox.Sender, sealer onboard.Sealer, from string, now func() time.Time, log *slog.Logger) *notifier.Handler {
	deliverer := &outbox.Deliverer{Outbox: st, Sender: sender, From: from, Now: now, Log: log, Sealer: sealer}
	return &notifier.Handler{Mail: deliverer, Log: log}
}
