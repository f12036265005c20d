// Package bolt is the embedded store.Backend of the local server: one bbolt file holding the
// table and its gsi1 index, with the same semantics as the DynamoDB adapter so the domain code
// runs unchanged on a laptop.
//
// Items are JSON objects with the same top-level attributes DynamoDB stores (the entity's `json`
// fields plus pk, sk, gsi1pk, gsi1sk, kind, version, ttl), so one struct decodes from both.
//
// One difference from DynamoDB: an item whose ttl has passed is absent at once, for reads and for
// conditions alike, and expired items are purged when the file is opened. DynamoDB deletes
// expired items lazily (typically within days), so until then they still show up in reads and
// still satisfy or fail conditions there.
package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/gcconboard/gcconboard/shared/store"
)

// Bucket names. The table bucket is keyed pk\x00sk, so a partition is one prefix of the cursor,
// in sort-key order; the index bucket is keyed gsi1pk\x00gsi1sk\x00pk\x00sk, each value being
// the table key it points to.
var (
	tableBucket = []byte("table")
	gsi1Bucket  = []byte("gsi1")
)

const sep = "\x00"

// maxTransactOps mirrors DynamoDB's limit so code that would fail there fails here too.
const maxTransactOps = 100

// lockTimeout is how long Open waits for another process to release the file.
const lockTimeout = time.Second

// Backend is a store.Backend on a bbolt file.
type Backend struct {
	db  *bbolt.DB
	now func() time.Time // for TTL; a field so tests can move time

	mu       sync.Mutex
	onCommit []func()
}

var _ store.Backend = (*Backend)(nil)

// Open opens (creating if needed) the store file at path and removes expired items.
func Open(path string) (*Backend, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("bolt: %w", err)
		}
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: %s is locked by another process (is another devserver running?)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	b := &Backend{db: db, now: time.Now}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{tableBucket, gsi1Bucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return b.purgeExpired(tx)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt: init %s: %w", path, err)
	}
	return b, nil
}

// Close releases the file, so another process may open it.
func (b *Backend) Close() error { return b.db.Close() }

// OnCommit registers fn to run after every successful Transact, in its own goroutine so a slow
// listener never holds up a writer; the local mail dispatcher uses it to wake up at once instead
// of polling.
func (b *Backend) OnCommit(fn func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onCommit = append(b.onCommit, fn)
}

// meta is the part of a stored item the backend itself reads.
type meta struct {
	PK      string `json:"pk"`
	SK      string `json:"sk"`
	GSI1PK  string `json:"gsi1pk"`
	GSI1SK  string `json:"gsi1sk"`
	Version int64  `json:"version"`
	TTL     int64  `json:"ttl"`
}

func (m meta) expired(now time.Time) bool { return m.TTL != 0 && now.Unix() > m.TTL }

// indexKey is the item's gsi1 key, nil when the item is not in the sparse index.
func (m meta) indexKey() []byte {
	if m.GSI1PK == "" || m.GSI1SK == "" {
		return nil
	}
	return []byte(m.GSI1PK + sep + m.GSI1SK + sep + m.PK + sep + m.SK)
}

func tableKey(k store.Key) []byte { return []byte(k.PK + sep + k.SK) }

// Get reads the item with key k into out.
func (b *Backend) Get(ctx context.Context, k store.Key, out any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.db.View(func(tx *bbolt.Tx) error {
		v, _, ok, err := b.live(tx, tableKey(k))
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		if err := json.Unmarshal(v, out); err != nil {
			return fmt.Errorf("bolt: decode %s: %w", k, err)
		}
		return nil
	})
}

// live returns the stored item at table key k and its meta, ok false if absent or expired.
func (b *Backend) live(tx *bbolt.Tx, k []byte) (v []byte, m meta, ok bool, err error) {
	v = tx.Bucket(tableBucket).Get(k)
	if v == nil {
		return nil, meta{}, false, nil
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, meta{}, false, fmt.Errorf("bolt: corrupt item %q: %w", k, err)
	}
	if m.expired(b.now()) {
		return nil, m, false, nil
	}
	return v, m, true, nil
}

// Query reads the items matching q into out (a pointer to a slice).
func (b *Backend) Query(ctx context.Context, q store.Query, out any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var bucket []byte
	switch q.Index {
	case "":
		bucket = tableBucket
	case store.IndexGSI1:
		bucket = gsi1Bucket
	default:
		return fmt.Errorf("bolt: query: unknown index %q", q.Index)
	}
	lo, hi := bounds(q)
	var buf bytes.Buffer
	buf.WriteByte('[')
	n := 0
	err := b.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		var k, v []byte
		next := c.Next
		inRange := func() bool { return k != nil && bytes.Compare(k, hi) < 0 }
		if q.Descending {
			next = c.Prev
			if k, v = c.Seek(hi); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
			inRange = func() bool { return k != nil && bytes.Compare(k, lo) >= 0 }
		} else {
			k, v = c.Seek(lo)
		}
		for ; inRange() && (q.Limit <= 0 || n < q.Limit); k, v = next() {
			tk := k
			if q.Index != "" {
				tk = v
			}
			item, _, ok, err := b.live(tx, tk)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if n > 0 {
				buf.WriteByte(',')
			}
			buf.Write(item) // copied: bbolt's bytes are only valid inside the transaction
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	buf.WriteByte(']')
	if err := json.Unmarshal(buf.Bytes(), out); err != nil {
		return fmt.Errorf("bolt: decode query %s: %w", q.PK, err)
	}
	return nil
}

// bounds returns the cursor range [lo, hi) of q's items. Because the separator \x00 sorts before
// every other byte, byte order of the composite keys is sort-key order, as in DynamoDB.
func bounds(q store.Query) (lo, hi []byte) {
	base := q.PK + sep
	switch {
	case q.SKMax != "":
		// In both buckets a sort key equal to SKMax is followed by the end of the key or by \x00.
		return []byte(base), []byte(base + q.SKMax + "\x01")
	case q.SKPrefix != "":
		if s, ok := successor(q.SKPrefix); ok {
			return []byte(base + q.SKPrefix), []byte(base + s)
		}
		return []byte(base + q.SKPrefix), []byte(q.PK + "\x01")
	}
	return []byte(base), []byte(q.PK + "\x01")
}

// successor returns the smallest string greater than every string with prefix p.
func successor(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// prepared is an op with its item already encoded, so encoding fails before the transaction.
type prepared struct {
	op   store.Op
	key  []byte
	val  []byte
	meta meta
}

// Transact checks every op's condition, then applies all ops, inside one bbolt write
// transaction: all or nothing, and serialized with every other writer.
func (b *Backend) Transact(ctx context.Context, ops ...store.Op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(ops) == 0 {
		return nil
	}
	ps, err := prepare(ops)
	if err != nil {
		return err
	}
	err = b.db.Update(func(tx *bbolt.Tx) error {
		for i, p := range ps {
			_, cur, ok, err := b.live(tx, p.key)
			if err != nil {
				return err
			}
			if !holds(p.op, cur, ok) {
				return &store.ConditionFailedError{Index: i, Key: p.op.Item.Key}
			}
		}
		table, index := tx.Bucket(tableBucket), tx.Bucket(gsi1Bucket)
		for _, p := range ps {
			if p.op.Kind == store.OpCheck {
				continue
			}
			if err := unindex(table, index, p.key); err != nil {
				return err
			}
			if p.op.Kind == store.OpDelete {
				if err := table.Delete(p.key); err != nil {
					return err
				}
				continue
			}
			if err := table.Put(p.key, p.val); err != nil {
				return err
			}
			if ik := p.meta.indexKey(); ik != nil {
				if err := index.Put(ik, p.key); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		var cf *store.ConditionFailedError
		if errors.As(err, &cf) {
			return err
		}
		return fmt.Errorf("bolt: transact: %w", err)
	}
	b.mu.Lock()
	fns := b.onCommit
	b.mu.Unlock()
	for _, fn := range fns {
		go fn()
	}
	return nil
}

// prepare validates ops as DynamoDB would and encodes the items to write.
func prepare(ops []store.Op) ([]prepared, error) {
	if len(ops) > maxTransactOps {
		return nil, fmt.Errorf("bolt: transact: %d ops, at most %d", len(ops), maxTransactOps)
	}
	seen := make(map[store.Key]bool, len(ops))
	ps := make([]prepared, len(ops))
	for i, op := range ops {
		k := op.Item.Key
		if k.PK == "" || k.SK == "" || strings.Contains(k.PK+k.SK, sep) {
			return nil, fmt.Errorf("bolt: transact op %d: invalid key %q", i, k)
		}
		if seen[k] {
			return nil, fmt.Errorf("bolt: transact op %d: more than one op on %s", i, k)
		}
		seen[k] = true
		switch {
		case op.Kind == store.OpCheck && op.Cond == store.Always:
			return nil, fmt.Errorf("bolt: transact op %d: a check needs a condition", i)
		case op.Cond < store.Always || op.Cond > store.IfVersion:
			return nil, fmt.Errorf("bolt: transact op %d: unknown condition %d", i, op.Cond)
		}
		ps[i] = prepared{op: op, key: tableKey(k)}
		switch op.Kind {
		case store.OpPut:
			v, m, err := encodeItem(op.Item)
			if err != nil {
				return nil, fmt.Errorf("bolt: transact op %d (%s): %w", i, k, err)
			}
			ps[i].val, ps[i].meta = v, m
		case store.OpDelete, store.OpCheck:
		default:
			return nil, fmt.Errorf("bolt: transact op %d: unknown op kind %d", i, op.Kind)
		}
	}
	return ps, nil
}

// holds reports whether op's condition is met by the current item (ok false: absent).
func holds(op store.Op, cur meta, ok bool) bool {
	switch op.Cond {
	case store.IfNotExists:
		return !ok
	case store.IfExists:
		return ok
	case store.IfVersion:
		return ok && cur.Version == op.Version
	}
	return true
}

// unindex removes the index entry of the item stored at table key k, if any, so an item whose
// gsi1 keys change or which is deleted leaves no stale entry behind.
func unindex(table, index *bbolt.Bucket, k []byte) error {
	old := table.Get(k)
	if old == nil {
		return nil
	}
	var m meta
	if err := json.Unmarshal(old, &m); err != nil {
		return fmt.Errorf("corrupt item %q: %w", k, err)
	}
	if ik := m.indexKey(); ik != nil {
		return index.Delete(ik)
	}
	return nil
}

// purgeExpired deletes expired items and their index entries, so the file does not grow forever
// with outbox and idempotency records.
func (b *Backend) purgeExpired(tx *bbolt.Tx) error {
	table, index := tx.Bucket(tableBucket), tx.Bucket(gsi1Bucket)
	now := b.now()
	var dead [][]byte
	err := table.ForEach(func(k, v []byte) error {
		var m meta
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("corrupt item %q: %w", k, err)
		}
		if m.expired(now) {
			dead = append(dead, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range dead {
		if err := unindex(table, index, k); err != nil {
			return err
		}
		if err := table.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// encodeItem writes it.Data as a JSON object and sets the store's own attributes over any
// same-named fields, the same attributes and the same precedence as the DynamoDB adapter.
func encodeItem(it store.Item) ([]byte, meta, error) {
	obj := map[string]json.RawMessage{}
	if it.Data != nil {
		raw, err := json.Marshal(it.Data)
		if err != nil {
			return nil, meta{}, fmt.Errorf("encode data: %w", err)
		}
		if string(raw) != "null" {
			if err := json.Unmarshal(raw, &obj); err != nil {
				return nil, meta{}, fmt.Errorf("encode data: %T is not a struct or map", it.Data)
			}
		}
	}
	m := meta{PK: it.PK, SK: it.SK, GSI1PK: it.GSI1PK, GSI1SK: it.GSI1SK, Version: it.Version, TTL: it.TTL}
	set := func(name string, v any) {
		raw, _ := json.Marshal(v) // strings and integers always marshal
		obj[name] = raw
	}
	set(store.AttrPK, it.PK)
	set(store.AttrSK, it.SK)
	set(store.AttrKind, it.Kind)
	set(store.AttrVersion, it.Version)
	for name, v := range map[string]string{store.AttrGSI1PK: it.GSI1PK, store.AttrGSI1SK: it.GSI1SK} {
		if v == "" {
			delete(obj, name)
		} else {
			set(name, v)
		}
	}
	if it.TTL != 0 {
		set(store.AttrTTL, it.TTL)
	} else {
		delete(obj, store.AttrTTL)
	}
	v, err := json.Marshal(obj)
	if err != nil {
		return nil, meta{}, err
	}
	return v, m, nil
}
