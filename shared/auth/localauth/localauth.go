// Package localauth signs and verifies the local server's staff tokens. Only the local server and
// tests link it: in AWS, API Gateway's JWT authorizer verifies Cognito's tokens (shared/auth).
package localauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gcconboard/gcconboard/shared/auth"
	"github.com/gcconboard/gcconboard/shared/onboard"
)

// Issuer signs and verifies the local server's staff tokens (ES256), with a key kept in the
// server's data folder, so a laptop needs no identity provider.
type Issuer struct {
	key *ecdsa.PrivateKey
	Now func() time.Time
}

const localIssuer = "gcc-onboard-devserver"

// TokenTTL is how long a minted local token is valid.
const TokenTTL = 12 * time.Hour

// OpenIssuer loads the signing key from dir, creating it (mode 0600) on first use.
func OpenIssuer(dir string) (*Issuer, error) {
	path := filepath.Join(dir, "signing-key.pem")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createKey(dir, path)
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("localauth: %s is not a PEM key", path)
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("localauth: %s: %w", path, err)
	}
	return &Issuer{key: key, Now: time.Now}, nil
}

func createKey(dir, path string) (*Issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process created it first: use theirs
		return OpenIssuer(dir)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}); err != nil {
		return nil, err
	}
	return &Issuer{key: key, Now: time.Now}, nil
}

type claims struct {
	jwt.RegisteredClaims
	Groups    []string `json:"cognito:groups"`
	PartnerID string   `json:"custom:partner_id,omitempty"`
	Email     string   `json:"email,omitempty"`
}

// Mint returns a token for p valid for ttl, shaped like a Cognito ID token's claims.
func (l *Issuer) Mint(p onboard.Principal, ttl time.Duration) (string, error) {
	now := l.Now()
	c := claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: localIssuer, Subject: p.Subject,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl))},
		Groups: []string{string(p.Role)}, PartnerID: p.PartnerID, Email: p.Email}
	return jwt.NewWithClaims(jwt.SigningMethodES256, c).SignedString(l.key)
}

// Authenticate implements web.Authenticator for the local server.
func (l *Issuer) Authenticate(r *http.Request) (onboard.Principal, error) {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || raw == "" {
		return onboard.Principal{}, auth.Unauthorized
	}
	var c claims
	_, err := jwt.ParseWithClaims(strings.TrimSpace(raw), &c, func(*jwt.Token) (any, error) { return &l.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(localIssuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(l.Now))
	if err != nil {
		return onboard.Principal{}, auth.Unauthorized
	}
	return auth.PrincipalFrom(c.Subject, c.Groups, c.PartnerID, c.Email)
}
