package store

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// RetryRaces runs attempt up to n times while it loses a race: a Conflict (something it read
// changed before its write) or ServiceUnavailable (DynamoDB cancelled the transaction for a
// concurrent one on the same item; nothing was written). Each attempt must read afresh, so the
// loser of, say, a checkout race finds the cart Ordered. A short random pause, growing with each
// attempt, spreads the contenders out.
func RetryRaces(ctx context.Context, n int, log *slog.Logger, attempt func() error) error {
	var err error
	for i := range n {
		err = attempt()
		switch onboard.ErrorCode(err) {
		case onboard.ErrConflict, onboard.ErrUnavailable:
		default:
			return err
		}
		if i == n-1 {
			break
		}
		log.DebugContext(ctx, "write lost a race; reading again", "attempt", i+1, "code", onboard.ErrorCode(err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.Int64N(int64(5*time.Millisecond) * int64(i+1)))):
		}
	}
	return err
}
