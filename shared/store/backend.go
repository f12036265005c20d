// Package store keeps GCC Onboard's state in one single-table design. The domain operations are
// written once, over the small Backend port, and run unchanged on DynamoDB (shared/dynamo) and on
// the embedded file store of the local server (shared/bolt).
package store

import (
	"context"
	"errors"
	"fmt"
)

// Attribute names every item carries besides its entity's own fields. Entities must not use them,
// except Version, which an entity may expose as `json:"version"` to read its lock back.
const (
	AttrPK      = "pk"
	AttrSK      = "sk"
	AttrGSI1PK  = "gsi1pk"
	AttrGSI1SK  = "gsi1sk"
	AttrKind    = "kind"
	AttrVersion = "version"
	AttrTTL     = "ttl"
)

// IndexGSI1 is the one global secondary index: lists by status, due date, tenant.
const IndexGSI1 = "gsi1"

// Key is an item's primary key.
type Key struct {
	PK string
	SK string
}

func (k Key) String() string { return k.PK + "|" + k.SK }

// Item is one item to write. Data is the entity, encoded with its `json` tags into top-level
// attributes (DynamoDB) or a JSON object (embedded store), alongside the attributes above.
type Item struct {
	Key
	GSI1PK, GSI1SK string
	Kind           string
	Version        int64
	TTL            int64 // Unix seconds after which the table may delete the item; 0 = never
	Data           any
}

// OpKind says what a transaction operation does.
type OpKind int

// Operation kinds.
const (
	OpPut OpKind = iota + 1
	OpDelete
	OpCheck
)

// CondMode is the condition an operation requires of the item's current state.
type CondMode int

// Conditions.
const (
	Always CondMode = iota
	IfNotExists
	IfExists
	IfVersion // the stored item exists and its version equals Op.Version
)

// Op is one operation of an all-or-nothing transaction.
type Op struct {
	Kind    OpKind
	Item    Item // the whole item for OpPut; only Item.Key for OpDelete and OpCheck
	Cond    CondMode
	Version int64 // for IfVersion
}

// Put writes item unconditionally.
func Put(item Item) Op { return Op{Kind: OpPut, Item: item} }

// PutNew writes item only if no item has its key.
func PutNew(item Item) Op { return Op{Kind: OpPut, Item: item, Cond: IfNotExists} }

// PutIfVersion replaces the item only if the stored one has version v (optimistic locking).
func PutIfVersion(item Item, v int64) Op {
	return Op{Kind: OpPut, Item: item, Cond: IfVersion, Version: v}
}

// Delete removes the item with key k, if any.
func Delete(k Key) Op { return Op{Kind: OpDelete, Item: Item{Key: k}} }

// DeleteIfVersion removes the item only if its stored version is v.
func DeleteIfVersion(k Key, v int64) Op {
	return Op{Kind: OpDelete, Item: Item{Key: k}, Cond: IfVersion, Version: v}
}

// CheckVersion fails the transaction unless the item with key k has version v.
func CheckVersion(k Key, v int64) Op {
	return Op{Kind: OpCheck, Item: Item{Key: k}, Cond: IfVersion, Version: v}
}

// CheckExists fails the transaction unless an item with key k exists.
func CheckExists(k Key) Op { return Op{Kind: OpCheck, Item: Item{Key: k}, Cond: IfExists} }

// CheckNotExists fails the transaction if an item with key k exists.
func CheckNotExists(k Key) Op { return Op{Kind: OpCheck, Item: Item{Key: k}, Cond: IfNotExists} }

// Query selects items of one partition of the table or of IndexGSI1, in sort-key order.
type Query struct {
	Index      string // "" for the table, IndexGSI1 for the index
	PK         string
	SKPrefix   string // items whose sort key starts with this
	SKMax      string // if set, items whose sort key is <= this (with SKPrefix ignored)
	Descending bool
	Limit      int // 0 = all
}

// Backend is the storage port. Implementations: shared/dynamo (DynamoDB) and shared/bolt (bbolt).
type Backend interface {
	// Get reads the item with key k into out (a pointer to a struct). ErrNotFound if none.
	Get(ctx context.Context, k Key, out any) error
	// Query reads the matching items into out (a pointer to a slice of structs).
	Query(ctx context.Context, q Query, out any) error
	// Transact applies ops all or nothing; at most 100 ops, one per key. If a condition fails it
	// returns a *ConditionFailedError naming the first failing op; a transient failure (throttling,
	// a conflicting transaction) wraps ErrTransient.
	Transact(ctx context.Context, ops ...Op) error
}

// ErrNotFound is returned by Get when no item has the key.
var ErrNotFound = errors.New("store: item not found")

// ErrTransient marks failures that may succeed if retried (throttling, transaction conflicts).
var ErrTransient = errors.New("store: transient failure, retry")

// ConditionFailedError reports which operation of a transaction failed its condition.
type ConditionFailedError struct {
	Index int // position of the first failing op, -1 if the backend could not tell
	Key   Key
}

func (e *ConditionFailedError) Error() string {
	return fmt.Sprintf("store: condition failed on op %d (%s)", e.Index, e.Key)
}

// FailedOp returns the index of the failed op if err is a *ConditionFailedError, else -1, false.
func FailedOp(err error) (int, bool) {
	var cf *ConditionFailedError
	if errors.As(err, &cf) {
		return cf.Index, true
	}
	return -1, false
}
