package onboard

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// EvidenceDigest is the SHA-256 (lower-case hex) over the evidence's fields, one per line in a
// fixed order: request ID, submission time (RFC 3339, UTC, nanoseconds), IP, user agent and the
// canonical form. Anyone holding the record can recompute it.
func EvidenceDigest(e *Evidence) string {
	h := sha256.New()
	for _, part := range []string{e.RequestID, e.SubmittedAt.UTC().Format(time.RFC3339Nano), e.IP, e.UserAgent, e.CanonicalForm} {
		h.Write([]byte(strings.ReplaceAll(part, "\n", "\\n")))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
