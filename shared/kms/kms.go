// Package kms is the onboard.Sealer of the Lambdas: envelope encryption under a customer-managed
// AWS KMS key. Each Seal draws a fresh 256-bit data key from the CSPRNG, encrypts the value with
// it (AES-256-GCM, shared/seal) and has KMS Encrypt the data key; Open has KMS Decrypt the data
// key. KMS Encrypt alone takes at most 4 KiB of plaintext, which an idempotency record's body may
// exceed; the envelope takes any size with one KMS call and needs only kms:Encrypt and
// kms:Decrypt on the one key.
package kms

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/seal"
)

// API is the part of the KMS client the Sealer uses.
type API interface {
	Encrypt(ctx context.Context, in *awskms.EncryptInput, optFns ...func(*awskms.Options)) (*awskms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *awskms.DecryptInput, optFns ...func(*awskms.Options)) (*awskms.DecryptOutput, error)
}

// Sealer seals values under a KMS key.
type Sealer struct {
	client API
	keyID  string
}

var _ onboard.Sealer = (*Sealer)(nil)

// New returns a Sealer using keyID (a key ID, ARN or alias) through client.
func New(client API, keyID string) *Sealer { return &Sealer{client: client, keyID: keyID} }

// prefix marks the format: "kms1." + base64url(encrypted data key) + "." + base64url(nonce || ciphertext).
const prefix = "kms1."

// encryptionContext binds every data key to its purpose: a ciphertext made for something else
// under the same key does not decrypt here, and CloudTrail shows what each call was for.
var encryptionContext = map[string]string{"app": "gcc-onboard", "purpose": "sealed-value"}

// Seal encrypts plaintext under a fresh data key and KMS-encrypts that key.
func (s *Sealer) Seal(ctx context.Context, plaintext string) (string, error) {
	dataKey := make([]byte, seal.KeySize)
	if _, err := rand.Read(dataKey); err != nil {
		return "", err
	}
	aead, err := seal.New(dataKey)
	if err != nil {
		return "", err
	}
	out, err := s.client.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(s.keyID), Plaintext: dataKey,
		EncryptionContext: encryptionContext})
	if err != nil {
		return "", translate("encrypt", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(out.CiphertextBlob) + "." +
		base64.RawURLEncoding.EncodeToString(aead.SealBytes([]byte(plaintext))), nil
}

// Open decrypts a value Seal returned. KeyId pins the key: a ciphertext made under another key is
// refused rather than decrypted with whatever key it names.
func (s *Sealer) Open(ctx context.Context, sealed string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, prefix)
	encKey, body, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return "", seal.ErrOpen
	}
	blob, err1 := base64.RawURLEncoding.DecodeString(encKey)
	ct, err2 := base64.RawURLEncoding.DecodeString(body)
	if err1 != nil || err2 != nil {
		return "", seal.ErrOpen
	}
	out, err := s.client.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: blob, KeyId: aws.String(s.keyID),
		EncryptionContext: encryptionContext})
	if err != nil {
		return "", translate("decrypt", err)
	}
	aead, err := seal.New(out.Plaintext)
	if err != nil {
		return "", seal.ErrOpen
	}
	p, err := aead.OpenBytes(ct)
	if err != nil {
		return "", err
	}
	return string(p), nil
}

// translate maps a KMS failure to the domain: throttling and KMS-side outages are a retryable
// 503; a refused ciphertext is seal.ErrOpen; anything else keeps only KMS's error code, never
// the request (which holds the data key).
func translate(op string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) { // no answer from KMS after the SDK's retries
		return &onboard.Error{Code: onboard.ErrUnavailable, Message: "The key service did not answer; retry shortly.", RetryAfter: 1}
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException":
		return &onboard.Error{Code: onboard.ErrUnavailable, Message: "The key service is busy; retry shortly.", RetryAfter: 1}
	case "InvalidCiphertextException", "IncorrectKeyException":
		return seal.ErrOpen
	}
	return fmt.Errorf("kms: %s: %s", op, ae.ErrorCode())
}
