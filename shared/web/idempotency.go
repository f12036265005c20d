package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
)

// idempotencyKey is the Idempotency-Key header or, for browser forms, their hidden field.
func idempotencyKey(r *http.Request, b *body) string {
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		return k
	}
	if b.form != nil {
		return b.form.Get("idempotencyKey")
	}
	return ""
}

// claimIdempotency looks the request's key up. It returns the stored record when the request is a
// retry (to be replayed), or a new record to write with the request's own transaction, or nil for
// a request without a key. scope keeps different routes' and callers' keys apart.
func (s *Server) claimIdempotency(r *http.Request, b *body, scope string) (fresh, replay *store.Idempotency, err error) {
	key := idempotencyKey(r, b)
	if key == "" {
		return nil, nil, nil
	}
	if len(key) > 255 || !onboard.SingleLine(key) {
		return nil, nil, &onboard.Error{Code: onboard.ErrValidationFailed, Message: "The Idempotency-Key is invalid.",
			Fields: []onboard.FieldError{{Field: "Idempotency-Key", Message: "must be at most 255 printable characters"}}}
	}
	sum := sha256.Sum256(b.raw)
	hash := hex.EncodeToString(sum[:])
	rec, err := s.Store.Idempotent(r.Context(), scope, key)
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		return &store.Idempotency{Scope: scope, Key: key, BodySHA256: hash}, nil, nil
	}
	if rec.BodySHA256 != hash {
		return nil, nil, errKeyReused
	}
	return nil, rec, nil
}

var errKeyReused = &onboard.Error{Code: onboard.ErrIdempotencyKeyReused,
	Message: "This Idempotency-Key was already used with a different body; use a new key for a new request."}

// afterLostRace is called when a write that carried a fresh idempotency record failed. If a
// concurrent request with the same key won meanwhile (the write may have failed on that record or
// on another condition the winner's write now holds, such as the open-request lock), it returns
// the winner's record to replay; otherwise the write's own error.
func (s *Server) afterLostRace(r *http.Request, fresh *store.Idempotency, writeErr error) (*store.Idempotency, error) {
	rec, err := s.Store.Idempotent(r.Context(), fresh.Scope, fresh.Key)
	switch {
	case err != nil:
		return nil, err
	case rec == nil && isReplay(writeErr):
		return nil, &onboard.Error{Code: onboard.ErrIdempotencyKeyInProgress,
			Message: "A request with this Idempotency-Key is still being processed; retry shortly.", RetryAfter: 1}
	case rec == nil:
		return nil, writeErr
	case rec.BodySHA256 != fresh.BodySHA256:
		return nil, errKeyReused
	}
	return rec, nil
}

// writeReplay answers with a stored first response, byte for byte.
func writeReplay(w http.ResponseWriter, rec *store.Idempotency) {
	w.Header().Set("Content-Type", rec.ContentType)
	w.Header().Set("Idempotent-Replayed", "true")
	if rec.Location != "" {
		w.Header().Set("Location", rec.Location)
	}
	w.WriteHeader(rec.Status)
	w.Write(rec.Body)
}

func isReplay(err error) bool { return errors.Is(err, store.ErrIdempotentReplay) }
