package store

import (
	"context"
	"errors"
	"time"
)

// IdempotencyTTL is how long a stored response answers retries with the same key.
const IdempotencyTTL = 24 * time.Hour

// Idempotency is the stored first answer to a request made with an Idempotency-Key. It is written
// in the same transaction as what the request created, so it exists exactly when that does.
type Idempotency struct {
	Scope       string    `json:"scope"` // route and caller, so two partners' keys never collide
	Key         string    `json:"key"`
	BodySHA256  string    `json:"bodySha256"`
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Body        []byte    `json:"body"`
	Location    string    `json:"location,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`

	// Sealed says Body is sealed (onboard.Sealer) because the response holds a secret, such as an
	// invitation link; whoever replays it opens it first.
	Sealed bool `json:"sealed,omitempty"`
}

func (i *Idempotency) item() Item {
	return Item{Key: idempotencyKey(i.Scope, i.Key), Kind: KindIdempotency, Version: 1, Data: i,
		TTL: i.CreatedAt.Add(IdempotencyTTL).Unix()}
}

// Idempotent returns the stored answer for scope and key, or nil if there is none.
func (s *Store) Idempotent(ctx context.Context, scope, key string) (*Idempotency, error) {
	var rec Idempotency
	err := s.b.Get(ctx, idempotencyKey(scope, key), &rec)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if time.Since(rec.CreatedAt) > IdempotencyTTL { // DynamoDB deletes expired items lazily
		return nil, nil
	}
	return &rec, nil
}
