package kms

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/seal"
)

// fakeKMS "encrypts" by prefixing the key ID and reversing the bytes, and checks what a real key
// policy and KMS would: the key and the encryption context must match on Decrypt.
type fakeKMS struct {
	key       string
	err       error
	encrypted [][]byte // plaintexts KMS saw
}

func (f *fakeKMS) Encrypt(_ context.Context, in *awskms.EncryptInput, _ ...func(*awskms.Options)) (*awskms.EncryptOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.encrypted = append(f.encrypted, in.Plaintext)
	if !maps.Equal(in.EncryptionContext, encryptionContext) {
		return nil, &smithy.GenericAPIError{Code: "ValidationException"}
	}
	return &awskms.EncryptOutput{CiphertextBlob: append([]byte(aws.ToString(in.KeyId)+"|"), reversed(in.Plaintext)...)}, nil
}

func (f *fakeKMS) Decrypt(_ context.Context, in *awskms.DecryptInput, _ ...func(*awskms.Options)) (*awskms.DecryptOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	key, rest, ok := bytes.Cut(in.CiphertextBlob, []byte("|"))
	if !ok || string(key) != aws.ToString(in.KeyId) || !maps.Equal(in.EncryptionContext, encryptionContext) {
		return nil, &smithy.GenericAPIError{Code: "InvalidCiphertextException"}
	}
	return &awskms.DecryptOutput{Plaintext: reversed(rest)}, nil
}

func reversed(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

func TestSealOpen(t *testing.T) {
	ctx := context.Background()
	fake := &fakeKMS{}
	s := New(fake, "arn:aws:kms:us-east-1:123456789012:key/k1")
	long := strings.Repeat("https://onboard.example/invitations/AbC-_123 ", 400) // > 4 KiB, KMS Encrypt's limit
	for _, secret := range []string{"", "https://onboard.example/invitations/AbC-_123", long} {
		sealed, err := s.Seal(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if secret != "" && strings.Contains(sealed, "AbC-_123") {
			t.Errorf("sealed value shows the plaintext")
		}
		got, err := s.Open(ctx, sealed)
		if err != nil || got != secret {
			t.Errorf("Open = %.40q, %v; want %.40q", got, err, secret)
		}
	}
	for _, p := range fake.encrypted {
		if got, want := len(p), seal.KeySize; got != want {
			t.Errorf("KMS was sent %d bytes, want only a %d-byte data key", got, want)
		}
	}
	sealed, _ := s.Seal(ctx, "x")
	other := New(fake, "arn:aws:kms:us-east-1:123456789012:key/k2")
	for name, tc := range map[string]struct {
		s *Sealer
		v string
	}{
		"otherKey":  {other, sealed},
		"local":     {s, "aes1.AAAA"},
		"noBody":    {s, "kms1.AAAA"},
		"tampered":  {s, sealed[:len(sealed)-3] + "AAA"},
		"badBase64": {s, "kms1.!!.!!"},
	} {
		if _, err := tc.s.Open(ctx, tc.v); !errors.Is(err, seal.ErrOpen) {
			t.Errorf("%s: Open error = %v, want seal.ErrOpen", name, err)
		}
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		err  error
		want onboard.Code
	}{
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, onboard.ErrUnavailable},
		{&smithy.GenericAPIError{Code: "KMSInternalException"}, onboard.ErrUnavailable},
		{errors.New("dial tcp: connection refused"), onboard.ErrUnavailable},
		{&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "secret detail"}, onboard.ErrInternal},
	}
	for _, tc := range tests {
		s := New(&fakeKMS{err: tc.err}, "k")
		_, err := s.Seal(ctx, "https://onboard.example/invitations/AbC-_123")
		if got := onboard.ErrorCode(err); got != tc.want {
			t.Errorf("%v: code = %s, want %s", tc.err, got, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "AbC") || strings.Contains(err.Error(), "secret detail")) {
			t.Errorf("error %q reveals the request or KMS's message", err)
		}
	}
}
