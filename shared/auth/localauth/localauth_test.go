package localauth

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

func TestLocalIssuer(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenIssuer(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "signing-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	want := onboard.Principal{Subject: "u1", Role: onboard.RoleAdminAgent, PartnerID: "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6", Email: "a@b.example"}
	tok, err := l.Mint(want, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	again, err := OpenIssuer(dir) // a restarted server reads the same key
	if err != nil {
		t.Fatal(err)
	}
	req := func(h string) *http.Request {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", h)
		return r
	}
	got, err := again.Authenticate(req("Bearer " + tok))
	if err != nil || got != want {
		t.Fatalf("Authenticate = %+v, %v; want %+v", got, err, want)
	}
	other, _ := OpenIssuer(t.TempDir())
	expired, _ := l.Mint(want, -time.Second)
	for name, h := range map[string]string{"OtherKey": "Bearer " + mustMint(t, other, want), "Expired": "Bearer " + expired,
		"NotBearer": "Token " + tok, "Empty": "", "Garbage": "Bearer abc.def.ghi", "Tampered": "Bearer " + tok[:len(tok)-4] + "AAAA"} {
		if _, err := l.Authenticate(req(h)); onboard.ErrorCode(err) != onboard.ErrUnauthorized {
			t.Errorf("%s: err = %v, want Unauthorized", name, err)
		}
	}
}

func mustMint(t *testing.T, l *Issuer, p onboard.Principal) string {
	tok, err := l.Mint(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
