package store

import (
	"context"
	"errors"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// KindSLADigest marks that a day's overdue digest was sent.
const KindSLADigest = "SLADigest"

func slaDigestKey(day onboard.Date) Key { return Key{"SLA#" + string(day), "DIGEST"} }

// RecordDigest writes the day's digest marker with its mail. It returns false, nil if the day's
// digest was already recorded (a second run the same day sends nothing).
func (s *Store) RecordDigest(ctx context.Context, day onboard.Date, fx Effects) (bool, error) {
	marker := Item{Key: slaDigestKey(day), Kind: KindSLADigest, Version: 1, Data: map[string]string{"date": string(day)}}
	failed, err := s.transact(ctx, []Op{PutNew(marker)}, fx)
	if err != nil && failed == 0 {
		return false, nil
	}
	return err == nil, err
}

// MarkOverdueNotified records that r's contact was told the reply is late, with that mail, if r is
// unchanged since it was read. It returns false, nil if r changed meanwhile (decided, say).
func (s *Store) MarkOverdueNotified(ctx context.Context, r *onboard.EligibilityRequest, fx Effects) (bool, error) {
	read := r.Version
	r.Version++
	failed, err := s.transact(ctx, []Op{PutIfVersion(requestItem(r), read)}, fx)
	if err != nil {
		r.Version = read
		if failed == 0 && !errors.Is(err, ErrIdempotentReplay) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
