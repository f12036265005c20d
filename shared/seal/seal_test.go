package seal

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	ctx := context.Background()
	l, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const secret = "https://onboard.example/invitations/AbC-_123"
	a, _ := l.Seal(ctx, secret)
	b, _ := l.Seal(ctx, secret)
	if a == b {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	if strings.Contains(a, "AbC-_123") {
		t.Errorf("sealed value shows the plaintext: %s", a)
	}
	got, err := l.Open(ctx, a)
	if got, want := got, secret; err != nil || got != want {
		t.Errorf("Open = %q, %v; want %q", got, err, want)
	}
	other, _ := New(make([]byte, KeySize))
	tampered := a[:len(a)-2] + "AA"
	for name, v := range map[string]string{"tampered": tampered, "notSealed": secret, "empty": "", "badBase64": prefix + "!!"} {
		if _, err := l.Open(ctx, v); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open error = %v, want ErrOpen", name, err)
		}
	}
	if _, err := other.Open(ctx, a); !errors.Is(err, ErrOpen) {
		t.Errorf("other key: Open error = %v, want ErrOpen", err)
	}
}

func TestOpenDir(t *testing.T) {
	dir := t.TempDir()
	first, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("key file mode = %v, want %v", got, want)
	}
	if got, want := fi.Size(), int64(KeySize); got != want {
		t.Errorf("key file size = %d, want %d", got, want)
	}
	sealed, _ := first.Seal(context.Background(), "x")
	again, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(context.Background(), sealed); err != nil || got != "x" {
		t.Errorf("reopened key: Open = %q, %v", got, err)
	}
	short := filepath.Join(t.TempDir(), KeyFile)
	os.WriteFile(short, []byte("short"), 0o600)
	if _, err := OpenDir(filepath.Dir(short)); err == nil {
		t.Error("a key file of the wrong size was accepted")
	}
	key := make([]byte, KeySize)
	rand.Read(key)
	if _, err := New(key[:16]); err == nil {
		t.Error("New accepted a 16-byte key")
	}
}
