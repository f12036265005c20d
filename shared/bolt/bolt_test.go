package bolt

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/store/storetest"
)

func open(t *testing.T) *Backend {
	t.Helper()
	b, err := Open(filepath.Join(t.TempDir(), "data", "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func newBackend(t *testing.T) store.Backend { return open(t) }

func TestContract(t *testing.T) {
	storetest.Run(t, newBackend)
	storetest.RunTTL(t, newBackend)
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, err = Open(path)
	if err == nil || !strings.Contains(err.Error(), "is another devserver running?") {
		t.Fatalf("second Open: err = %v, want a lock error naming the devserver", err)
	}
}

func TestOnCommit(t *testing.T) {
	b := open(t)
	woke := make(chan struct{}, 10)
	b.OnCommit(func() { woke <- struct{}{} })
	ctx := context.Background()
	k := store.Key{PK: "A", SK: "1"}

	if err := b.Transact(ctx, store.Put(store.Item{Key: k, Version: 1})); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
	case <-time.After(5 * time.Second):
		t.Fatal("OnCommit not called after a commit")
	}

	if err := b.Transact(ctx, store.PutNew(store.Item{Key: k, Version: 1})); err == nil {
		t.Fatal("PutNew over an existing item succeeded")
	}
	select {
	case <-woke:
		t.Fatal("OnCommit called after a failed transaction")
	case <-time.After(50 * time.Millisecond):
	}
}

// TestPurgeOnOpen checks that the purge Open runs removes expired items and their index entries
// (the clock moves after reopening, since Open itself purges with the real time).
func TestPurgeOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(time.Hour).Unix()
	err = b.Transact(context.Background(),
		store.Put(store.Item{Key: store.Key{PK: "T", SK: "1"}, GSI1PK: "G", GSI1SK: "1", TTL: soon}),
		store.Put(store.Item{Key: store.Key{PK: "T", SK: "2"}, GSI1PK: "G", GSI1SK: "2"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()

	b, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if err := b.db.Update(b.purgeExpired); err != nil {
		t.Fatal(err)
	}
	for bucket, want := range map[string]int{"table": 1, "gsi1": 1} {
		n := 0
		b.db.View(func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte(bucket)).ForEach(func(k, v []byte) error { n++; return nil })
		})
		if n != want {
			t.Errorf("%s: %d keys after purge, want %d", bucket, n, want)
		}
	}
}
