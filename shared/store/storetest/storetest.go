// Package storetest is the contract every store.Backend must meet, written once and run against
// each implementation (shared/bolt on a temporary file, shared/dynamo on DynamoDB Local), so the
// domain code can rely on the same behaviour on a laptop and in AWS.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/store"
)

// address is nested to check that structs inside structs survive a round trip.
type address struct {
	City string `json:"city"`
	Zip  int    `json:"zip"`
}

// record exercises the field types entities use; Version reads back the item's version.
type record struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Count   int               `json:"count"`
	Active  bool              `json:"active"`
	At      time.Time         `json:"at"`
	Tags    []string          `json:"tags"`
	Attrs   map[string]string `json:"attrs"`
	Address address           `json:"address"`
	Note    string            `json:"note,omitempty"`
	Version int64             `json:"version"`
}

func item(pk, sk string, version int64) store.Item {
	return store.Item{Key: store.Key{PK: pk, SK: sk}, Kind: "Record", Version: version,
		Data: &record{ID: sk, Name: "n-" + sk}}
}

// indexed returns an item in gsi1 partition gpk whose record ID is its pk.
func indexed(pk, sk, gpk, gsk string) store.Item {
	return store.Item{Key: store.Key{PK: pk, SK: sk}, Kind: "Record", Version: 1,
		GSI1PK: gpk, GSI1SK: gsk, Data: &record{ID: pk}}
}

// Run runs the contract against fresh backends from newBackend, one per subtest.
func Run(t *testing.T, newBackend func(t *testing.T) store.Backend) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, b store.Backend)
	}{
		{"RoundTrip", testRoundTrip},
		{"GetMissing", testGetMissing},
		{"PutNewTwice", testPutNewTwice},
		{"PutIfVersion", testPutIfVersion},
		{"Delete", testDelete},
		{"Checks", testChecks},
		{"InvalidTransactions", testInvalid},
		{"Query", testQuery},
		{"QueryManyPages", testQueryManyPages},
		{"QueryGSI1", testQueryGSI1},
		{"ConcurrentPutIfVersion", testConcurrentPutIfVersion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newBackend(t)) })
	}
}

// RunTTL checks that items past their ttl are absent. Only backends that hide expired items at
// once run it (shared/bolt): DynamoDB, and DynamoDB Local, delete them lazily.
func RunTTL(t *testing.T, newBackend func(t *testing.T) store.Backend) {
	t.Helper()
	t.Run("TTLExpired", func(t *testing.T) { testTTL(t, newBackend(t)) })
}

func transact(t *testing.T, b store.Backend, ops ...store.Op) {
	t.Helper()
	if err := b.Transact(context.Background(), ops...); err != nil {
		t.Fatalf("Transact: %v", err)
	}
}

// wantCondFailed fails t unless err is a *store.ConditionFailedError for op index i on key k.
func wantCondFailed(t *testing.T, err error, i int, k store.Key) {
	t.Helper()
	var cf *store.ConditionFailedError
	if !errors.As(err, &cf) {
		t.Fatalf("err = %v, want *store.ConditionFailedError", err)
	}
	if got, want := *cf, (store.ConditionFailedError{Index: i, Key: k}); got != want {
		t.Fatalf("ConditionFailedError = %+v, want %+v", got, want)
	}
}

func get(t *testing.T, b store.Backend, k store.Key) *record {
	t.Helper()
	var r record
	err := b.Get(context.Background(), k, &r)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("Get %s: %v", k, err)
	}
	return &r
}

func wantVersion(t *testing.T, b store.Backend, k store.Key, v int64) {
	t.Helper()
	r := get(t, b, k)
	if r == nil {
		t.Fatalf("Get %s: not found, want version %d", k, v)
	}
	if r.Version != v {
		t.Fatalf("Get %s: version %d, want %d", k, r.Version, v)
	}
}

func wantAbsent(t *testing.T, b store.Backend, k store.Key) {
	t.Helper()
	if r := get(t, b, k); r != nil {
		t.Fatalf("Get %s = %+v, want ErrNotFound", k, r)
	}
}

func testRoundTrip(t *testing.T, b store.Backend) {
	want := record{
		ID: "r1", Name: "Contoso Öffentlich", Count: -42, Active: true,
		At:      time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC),
		Tags:    []string{"gcc", "", "csp"},
		Attrs:   map[string]string{"a": "1", "empty": ""},
		Address: address{City: "Arlington", Zip: 22201},
		Version: 99, // the item's version wins over the entity's field
	}
	k := store.Key{PK: "REC#r1", SK: "REC"}
	transact(t, b, store.PutNew(store.Item{Key: k, Kind: "Record", Version: 3, Data: &want}))

	var got record
	if err := b.Get(context.Background(), k, &got); err != nil {
		t.Fatalf("Get: %v", err)
	}
	want.Version = 3
	if !got.At.Equal(want.At) {
		t.Errorf("At = %v, want %v", got.At, want.At)
	}
	got.At, want.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get = %+v\nwant  %+v", got, want)
	}

	// A value (not a pointer) and a nil Data are entities too.
	k2 := store.Key{PK: "REC#r2", SK: "REC"}
	transact(t, b, store.Put(store.Item{Key: k2, Version: 1, Data: record{Name: "value"}}))
	if r := get(t, b, k2); r == nil || r.Name != "value" || r.Version != 1 {
		t.Errorf("Get value entity = %+v", r)
	}
	k3 := store.Key{PK: "REC#r3", SK: "REC"}
	transact(t, b, store.Put(store.Item{Key: k3, Version: 7}))
	wantVersion(t, b, k3, 7)
}

func testGetMissing(t *testing.T, b store.Backend) {
	var r record
	err := b.Get(context.Background(), store.Key{PK: "NOPE", SK: "NOPE"}, &r)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get missing: err = %v, want ErrNotFound", err)
	}
}

func testPutNewTwice(t *testing.T, b store.Backend) {
	a := item("A", "1", 1)
	transact(t, b, store.PutNew(a))

	b1, c1 := item("B", "1", 1), item("C", "1", 1)
	again := item("A", "1", 2)
	err := b.Transact(context.Background(), store.PutNew(b1), store.Put(c1), store.PutNew(again))
	wantCondFailed(t, err, 2, a.Key)
	if i, ok := store.FailedOp(err); !ok || i != 2 {
		t.Errorf("FailedOp = %d, %v; want 2, true", i, ok)
	}
	wantAbsent(t, b, b1.Key)
	wantAbsent(t, b, c1.Key)
	wantVersion(t, b, a.Key, 1)
}

func testPutIfVersion(t *testing.T, b store.Backend) {
	k := store.Key{PK: "V", SK: "1"}
	transact(t, b, store.Put(item(k.PK, k.SK, 1)))
	transact(t, b, store.PutIfVersion(item(k.PK, k.SK, 2), 1))
	wantVersion(t, b, k, 2)

	err := b.Transact(context.Background(), store.PutIfVersion(item(k.PK, k.SK, 3), 1))
	wantCondFailed(t, err, 0, k)
	wantVersion(t, b, k, 2)

	missing := store.Key{PK: "V", SK: "missing"}
	err = b.Transact(context.Background(), store.PutIfVersion(item(missing.PK, missing.SK, 1), 0))
	wantCondFailed(t, err, 0, missing)
	wantAbsent(t, b, missing)
}

func testDelete(t *testing.T, b store.Backend) {
	k := store.Key{PK: "D", SK: "1"}
	transact(t, b, store.Put(item(k.PK, k.SK, 1)))
	transact(t, b, store.Delete(k))
	wantAbsent(t, b, k)
	transact(t, b, store.Delete(k)) // deleting nothing is not an error

	transact(t, b, store.Put(item(k.PK, k.SK, 5)))
	err := b.Transact(context.Background(), store.DeleteIfVersion(k, 4))
	wantCondFailed(t, err, 0, k)
	wantVersion(t, b, k, 5)
	transact(t, b, store.DeleteIfVersion(k, 5))
	wantAbsent(t, b, k)
	err = b.Transact(context.Background(), store.DeleteIfVersion(k, 5))
	wantCondFailed(t, err, 0, k)
}

func testChecks(t *testing.T, b store.Backend) {
	have, none := store.Key{PK: "K", SK: "have"}, store.Key{PK: "K", SK: "none"}
	transact(t, b, store.Put(item(have.PK, have.SK, 3)))

	ok := []struct {
		name  string
		check store.Op
	}{
		{"CheckVersion", store.CheckVersion(have, 3)},
		{"CheckExists", store.CheckExists(have)},
		{"CheckNotExists", store.CheckNotExists(none)},
	}
	for i, c := range ok {
		w := item("W", fmt.Sprint(i), 1)
		if err := b.Transact(context.Background(), c.check, store.Put(w)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		wantVersion(t, b, w.Key, 1)
	}

	failing := []struct {
		name  string
		check store.Op
	}{
		{"CheckVersionStale", store.CheckVersion(have, 2)},
		{"CheckVersionMissing", store.CheckVersion(none, 0)},
		{"CheckExistsMissing", store.CheckExists(none)},
		{"CheckNotExistsPresent", store.CheckNotExists(have)},
	}
	for i, c := range failing {
		w := item("X", fmt.Sprint(i), 1)
		err := b.Transact(context.Background(), store.Put(w), c.check)
		t.Run(c.name, func(t *testing.T) {
			wantCondFailed(t, err, 1, c.check.Item.Key)
			wantAbsent(t, b, w.Key)
		})
	}
	wantVersion(t, b, have, 3)
}

// testInvalid checks that a malformed transaction is refused as a plain error, neither a
// condition failure nor transient, and writes nothing.
func testInvalid(t *testing.T, b store.Backend) {
	k := store.Key{PK: "I", SK: "1"}
	cases := []struct {
		name string
		ops  []store.Op
	}{
		{"TwoOpsOneKey", []store.Op{store.Put(item(k.PK, k.SK, 1)), store.CheckNotExists(k)}},
		{"CheckWithoutCondition", []store.Op{store.Put(item(k.PK, k.SK, 1)), {Kind: store.OpCheck, Item: store.Item{Key: store.Key{PK: "I", SK: "2"}}}}},
		{"EmptyKey", []store.Op{store.Put(item(k.PK, k.SK, 1)), store.Put(item("I", "", 1))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := b.Transact(context.Background(), c.ops...)
			if err == nil {
				t.Fatal("Transact succeeded, want an error")
			}
			if _, ok := store.FailedOp(err); ok || errors.Is(err, store.ErrTransient) {
				t.Fatalf("err = %v, want a plain error", err)
			}
			wantAbsent(t, b, k)
		})
	}
}

// ids returns the ID of each record, to compare query results in order.
func ids(rs []record) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.ID
	}
	return strings.Join(s, ",")
}

func testQuery(t *testing.T, b store.Backend) {
	var ops []store.Op
	for _, sk := range []string{"a#2", "b#1", "a#1", "a#3", "b#2", "a"} {
		ops = append(ops, store.Put(item("P", sk, 1)))
	}
	// Neighbouring partitions whose names extend "P" must not leak into it.
	ops = append(ops, store.Put(item("P2", "a#0", 1)), store.Put(item("PX", "a#1", 1)))
	transact(t, b, ops...)

	cases := []struct {
		name string
		q    store.Query
		want string
	}{
		{"All", store.Query{PK: "P"}, "a,a#1,a#2,a#3,b#1,b#2"},
		{"Prefix", store.Query{PK: "P", SKPrefix: "a#"}, "a#1,a#2,a#3"},
		{"PrefixDescending", store.Query{PK: "P", SKPrefix: "a#", Descending: true}, "a#3,a#2,a#1"},
		{"PrefixLimit", store.Query{PK: "P", SKPrefix: "a#", Limit: 2}, "a#1,a#2"},
		{"PrefixDescendingLimit", store.Query{PK: "P", SKPrefix: "a#", Descending: true, Limit: 2}, "a#3,a#2"},
		{"PrefixNoMatch", store.Query{PK: "P", SKPrefix: "c"}, ""},
		{"Max", store.Query{PK: "P", SKMax: "a#2"}, "a,a#1,a#2"},
		{"MaxBetween", store.Query{PK: "P", SKMax: "a#25"}, "a,a#1,a#2"},
		{"MaxDescending", store.Query{PK: "P", SKMax: "b#1", Descending: true}, "b#1,a#3,a#2,a#1,a"},
		{"MaxDescendingLimit", store.Query{PK: "P", SKMax: "a#2", Descending: true, Limit: 1}, "a#2"},
		{"MaxIgnoresPrefix", store.Query{PK: "P", SKPrefix: "b", SKMax: "a#1"}, "a,a#1"},
		{"Descending", store.Query{PK: "P", Descending: true}, "b#2,b#1,a#3,a#2,a#1,a"},
		{"Limit", store.Query{PK: "P", Limit: 4}, "a,a#1,a#2,a#3"},
		{"LimitAboveCount", store.Query{PK: "P", Limit: 100}, "a,a#1,a#2,a#3,b#1,b#2"},
		{"MissingPartition", store.Query{PK: "Q"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []record
			if err := b.Query(context.Background(), c.q, &got); err != nil {
				t.Fatalf("Query: %v", err)
			}
			if ids(got) != c.want {
				t.Errorf("Query(%+v) = [%s], want [%s]", c.q, ids(got), c.want)
			}
			for _, r := range got {
				if r.Version != 1 {
					t.Errorf("%s: version %d, want 1", r.ID, r.Version)
				}
			}
		})
	}
}

// testQueryManyPages writes more than DynamoDB's 1 MB page of items, so Query must follow pages.
func testQueryManyPages(t *testing.T, b store.Backend) {
	pad := strings.Repeat("x", 100_000)
	const n = 14
	var ops []store.Op
	for i := range n {
		it := item("BIG", fmt.Sprintf("%02d", i), 1)
		it.Data.(*record).Note = pad
		ops = append(ops, store.Put(it))
	}
	transact(t, b, ops[:7]...) // DynamoDB takes at most 4 MB per transaction
	transact(t, b, ops[7:]...)

	for _, c := range []struct {
		q    store.Query
		want int
	}{
		{store.Query{PK: "BIG"}, n},
		{store.Query{PK: "BIG", Limit: n - 1}, n - 1},
		{store.Query{PK: "BIG", Descending: true}, n},
	} {
		var got []record
		if err := b.Query(context.Background(), c.q, &got); err != nil {
			t.Fatalf("Query: %v", err)
		}
		if len(got) != c.want {
			t.Errorf("Query(%+v): %d items, want %d", c.q.Limit, len(got), c.want)
		}
	}
}

func testQueryGSI1(t *testing.T, b store.Backend) {
	transact(t, b,
		store.Put(indexed("R#1", "R", "OPEN", "2025-01-03#1")),
		store.Put(indexed("R#2", "R", "OPEN", "2025-01-01#2")),
		store.Put(indexed("R#3", "R", "OPEN", "2025-01-02#3")),
		store.Put(indexed("R#4", "R", "OPEN", "2025-02-01#4")),
		store.Put(indexed("R#5", "R", "CLOSED", "2025-01-01#5")),
		store.Put(indexed("R#6", "R", "", "")),           // not in the sparse index
		store.Put(indexed("R#7", "R", "OPEN", "")),       // half a key is no key
		store.Put(indexed("R#8", "R", "OPENED", "2025")), // a partition extending "OPEN"
	)
	query := func(t *testing.T, q store.Query) string {
		t.Helper()
		q.Index = store.IndexGSI1
		var got []record
		if err := b.Query(context.Background(), q, &got); err != nil {
			t.Fatalf("Query: %v", err)
		}
		return ids(got)
	}

	cases := []struct {
		name string
		q    store.Query
		want string
	}{
		{"All", store.Query{PK: "OPEN"}, "R#2,R#3,R#1,R#4"},
		{"Prefix", store.Query{PK: "OPEN", SKPrefix: "2025-01"}, "R#2,R#3,R#1"},
		{"Max", store.Query{PK: "OPEN", SKMax: "2025-01-02~"}, "R#2,R#3"},
		{"Descending", store.Query{PK: "OPEN", Descending: true}, "R#4,R#1,R#3,R#2"},
		{"Limit", store.Query{PK: "OPEN", Limit: 2}, "R#2,R#3"},
		{"OtherPartition", store.Query{PK: "CLOSED"}, "R#5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := query(t, c.q); got != c.want {
				t.Errorf("Query(%+v) = [%s], want [%s]", c.q, got, c.want)
			}
		})
	}

	t.Run("MoveAndDelete", func(t *testing.T) {
		// Moving R#1 to CLOSED must remove its OPEN entry; deleting R#3 must remove its entry.
		transact(t, b,
			store.PutIfVersion(indexed("R#1", "R", "CLOSED", "2025-01-09#1"), 1),
			store.Delete(store.Key{PK: "R#3", SK: "R"}),
			store.Put(indexed("R#4", "R", "", "")), // leaves the index
		)
		if got, want := query(t, store.Query{PK: "OPEN"}), "R#2"; got != want {
			t.Errorf("OPEN = [%s], want [%s]", got, want)
		}
		if got, want := query(t, store.Query{PK: "CLOSED"}), "R#5,R#1"; got != want {
			t.Errorf("CLOSED = [%s], want [%s]", got, want)
		}
	})
}

func testTTL(t *testing.T, b store.Backend) {
	past, future := time.Now().Add(-time.Hour).Unix(), time.Now().Add(time.Hour).Unix()
	dead, alive := item("T", "dead", 1), item("T", "alive", 1)
	dead.TTL, alive.TTL = past, future
	dead.GSI1PK, dead.GSI1SK = "TTL", "dead"
	alive.GSI1PK, alive.GSI1SK = "TTL", "alive"
	transact(t, b, store.Put(dead), store.Put(alive))

	wantAbsent(t, b, dead.Key)
	wantVersion(t, b, alive.Key, 1)
	for _, q := range []store.Query{{PK: "T"}, {Index: store.IndexGSI1, PK: "TTL"}} {
		var got []record
		if err := b.Query(context.Background(), q, &got); err != nil {
			t.Fatalf("Query: %v", err)
		}
		if ids(got) != "alive" {
			t.Errorf("Query(%+v) = [%s], want [alive]", q, ids(got))
		}
	}
	// An expired item is absent for conditions too: it can be created anew.
	transact(t, b, store.PutNew(item("T", "dead", 2)))
	wantVersion(t, b, dead.Key, 2)
}

// testConcurrentPutIfVersion races writers that all read version 1: exactly one may win.
func testConcurrentPutIfVersion(t *testing.T, b store.Backend) {
	k := store.Key{PK: "RACE", SK: "1"}
	transact(t, b, store.Put(item(k.PK, k.SK, 1)))

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			it := item(k.PK, k.SK, 2)
			it.Data.(*record).Name = fmt.Sprint("writer-", i)
			// A transient failure (a conflicting transaction) means "retry", which callers do.
			for range 50 {
				errs[i] = b.Transact(context.Background(), store.PutIfVersion(it, 1))
				if !errors.Is(errs[i], store.ErrTransient) {
					return
				}
				time.Sleep(time.Duration(5+i) * time.Millisecond)
			}
		}()
	}
	close(start)
	wg.Wait()

	var wins, lost int
	winner := ""
	for i, err := range errs {
		var cf *store.ConditionFailedError
		switch {
		case err == nil:
			wins++
			winner = fmt.Sprint("writer-", i)
		case errors.As(err, &cf) && cf.Index == 0 && cf.Key == k:
			lost++
		default:
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if wins != 1 || lost != n-1 {
		t.Fatalf("%d wins, %d condition failures; want 1 and %d", wins, lost, n-1)
	}
	if r := get(t, b, k); r == nil || r.Version != 2 || r.Name != winner {
		t.Errorf("stored %+v, want version 2 written by %s", r, winner)
	}
}
