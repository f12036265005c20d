// Package seal is the local server's onboard.Sealer: AES-256-GCM under a key kept in the server's
// data folder. In AWS the same port is served by KMS (shared/kms), which builds on this package's
// AEAD for the data it encrypts under a KMS-protected key.
package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// KeyFile is the key's file name in the data folder.
const KeyFile = "seal.key"

// KeySize is the key length: AES-256.
const KeySize = 32

// prefix marks the format, so a future format can be told apart (and a KMS value is not mistaken
// for a local one).
const prefix = "aes1."

// ErrOpen means a sealed value could not be opened: wrong key, or altered. It never says more.
var ErrOpen = errors.New("seal: cannot open sealed value")

// Local seals with AES-256-GCM under one key.
type Local struct {
	aead cipher.AEAD
}

var _ onboard.Sealer = (*Local)(nil)

// New returns a Local sealer with key, which must be KeySize bytes.
func New(key []byte) (*Local, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Local{aead: aead}, nil
}

// OpenDir loads the key from dir/KeyFile, creating it (mode 0600) from the CSPRNG on first use.
func OpenDir(dir string) (*Local, error) {
	path := filepath.Join(dir, KeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return createKey(dir, path)
	}
	if err != nil {
		return nil, err
	}
	l, err := New(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %s: %w", path, err)
	}
	return l, nil
}

func createKey(dir, path string) (*Local, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process created it first: use theirs
		return OpenDir(dir)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return New(key)
}

// Seal encrypts plaintext with a fresh random nonce: "aes1." + base64url(nonce || ciphertext).
func (l *Local) Seal(_ context.Context, plaintext string) (string, error) {
	return prefix + base64.RawURLEncoding.EncodeToString(l.SealBytes([]byte(plaintext))), nil
}

// Open decrypts a value Seal returned.
func (l *Local) Open(_ context.Context, sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrOpen
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return "", ErrOpen
	}
	p, err := l.OpenBytes(b)
	if err != nil {
		return "", err
	}
	return string(p), nil
}

// SealBytes encrypts plaintext: nonce || ciphertext (with its tag).
func (l *Local) SealBytes(plaintext []byte) []byte {
	nonce := make([]byte, l.aead.NonceSize(), l.aead.NonceSize()+len(plaintext)+l.aead.Overhead())
	rand.Read(nonce)
	return l.aead.Seal(nonce, nonce, plaintext, nil)
}

// OpenBytes decrypts what SealBytes returned.
func (l *Local) OpenBytes(b []byte) ([]byte, error) {
	n := l.aead.NonceSize()
	if len(b) < n+l.aead.Overhead() {
		return nil, ErrOpen
	}
	p, err := l.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return nil, ErrOpen
	}
	return p, nil
}
