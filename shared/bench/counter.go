package bench

import (
	"context"
	"math"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/gcconboard/gcconboard/shared/store"
)

// Call is one DynamoDB API call as the Counter saw it.
type Call struct {
	Step string // the Counter's step when the call was made
	Op   string // the API operation, e.g. "TransactWriteItems"
	Err  bool   // the call failed (a failed call is counted but its capacity is not estimated)
	// Items is how many items a TransactWriteItems wrote or checked, or a read returned.
	Items int
	// WRU and RRU are the write and read request units the call costs on DynamoDB on-demand,
	// computed from item sizes by AWS's published rules (see Counter).
	WRU, RRU float64
	// Reported is the ConsumedCapacity the endpoint returned (CapacityUnits, table and indexes);
	// -1 when it returned none.
	Reported float64
}

// Counter is an SDK middleware that records every DynamoDB call a client makes, grouped by the
// step the caller names with Step. It asks each GetItem, Query and TransactWriteItems for
// ReturnConsumedCapacity=INDEXES (the store does not) and keeps what came back as Reported.
//
// It also computes the request units each call costs on on-demand DynamoDB from the sizes of the
// items involved, because DynamoDB Local's figures for transactions differ from AWS's (it reports
// 4 units for a <= 1 KB transactional put where AWS charges 2). The rules: a transactional write
// (Put, Delete, ConditionCheck) costs 2 WRU per started KB of the larger of the old and new item;
// each write to the gsi1 index (all attributes projected) 1 WRU per started KB, twice when the
// item moves between index partitions (delete + put); a strongly consistent read 1 RRU per
// started 4 KB (at least 1), an index query half that. Old item sizes are known for items written
// or read through this Counter; unknown ones are taken as at most 1 KB.
type Counter struct {
	mu    sync.Mutex
	step  string
	calls []Call
	items map[store.Key]itemState // the last known size and index key of each item seen
}

type itemState struct {
	size   int
	gsi1pk string // "" when the item is not in the index
	gsi1sk string
}

// NewCounter returns an empty Counter.
func NewCounter() *Counter { return &Counter{items: map[store.Key]itemState{}} }

// Step names the journey step the following calls belong to; "" records nothing.
func (c *Counter) Step(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.step = name
}

// Calls returns what was recorded so far.
func (c *Counter) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Attach is a dynamodb option adding the Counter to a client:
// dynamo.NewLocalClient(ctx, endpoint, counter.Attach).
func (c *Counter) Attach(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("GCCBenchCounter", c.handle), middleware.After)
	})
}

func (c *Counter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	var op string
	switch p := in.Parameters.(type) {
	case *dynamodb.GetItemInput:
		op, p.ReturnConsumedCapacity = "GetItem", types.ReturnConsumedCapacityIndexes
	case *dynamodb.QueryInput:
		op, p.ReturnConsumedCapacity = "Query", types.ReturnConsumedCapacityIndexes
	case *dynamodb.TransactWriteItemsInput:
		op, p.ReturnConsumedCapacity = "TransactWriteItems", types.ReturnConsumedCapacityIndexes
	case *dynamodb.PutItemInput:
		op = "PutItem"
	case *dynamodb.UpdateItemInput:
		op = "UpdateItem"
	case *dynamodb.DeleteItemInput:
		op = "DeleteItem"
	case *dynamodb.BatchGetItemInput:
		op = "BatchGetItem"
	case *dynamodb.BatchWriteItemInput:
		op = "BatchWriteItem"
	case *dynamodb.ScanInput:
		op = "Scan"
	case *dynamodb.TransactGetItemsInput:
		op = "TransactGetItems"
	default:
		return next.HandleInitialize(ctx, in) // table management and the like: not the app's traffic
	}
	out, md, err := next.HandleInitialize(ctx, in)

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.step == "" {
		return out, md, err
	}
	call := Call{Step: c.step, Op: op, Err: err != nil, Reported: -1}
	if err == nil {
		switch res := out.Result.(type) {
		case *dynamodb.GetItemOutput:
			call.Reported = reported(res.ConsumedCapacity)
			size := 0
			if res.Item != nil {
				call.Items, size = 1, ItemSize(res.Item)
				c.learn(res.Item, size)
			}
			call.RRU = readUnits(size, aws.ToBool(in.Parameters.(*dynamodb.GetItemInput).ConsistentRead))
		case *dynamodb.QueryOutput:
			call.Reported = reported(res.ConsumedCapacity)
			size := 0
			for _, it := range res.Items {
				s := ItemSize(it)
				size += s
				c.learn(it, s)
			}
			call.Items = len(res.Items)
			q := in.Parameters.(*dynamodb.QueryInput)
			call.RRU = readUnits(size, aws.ToBool(q.ConsistentRead) && q.IndexName == nil)
		case *dynamodb.TransactWriteItemsOutput:
			var total float64
			for i := range res.ConsumedCapacity {
				total += aws.ToFloat64(res.ConsumedCapacity[i].CapacityUnits)
			}
			if len(res.ConsumedCapacity) > 0 {
				call.Reported = total
			}
			items := in.Parameters.(*dynamodb.TransactWriteItemsInput).TransactItems
			call.Items = len(items)
			call.WRU = c.transactUnits(items)
		}
	}
	c.calls = append(c.calls, call)
	return out, md, err
}

func reported(cc *types.ConsumedCapacity) float64 {
	if cc == nil {
		return -1
	}
	return aws.ToFloat64(cc.CapacityUnits)
}

// readUnits is what a read of size bytes costs: 1 RRU per started 4 KB when strongly consistent,
// half that otherwise, and never less than one (half) unit, even for nothing found.
func readUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

func kb(size int) float64 { return math.Max(1, math.Ceil(float64(size)/1024)) }

// transactUnits prices a committed transaction and records the items' new state.
func (c *Counter) transactUnits(items []types.TransactWriteItem) float64 {
	var wru float64
	for _, ti := range items {
		switch {
		case ti.Put != nil:
			k, ok := keyOf(ti.Put.Item)
			size := ItemSize(ti.Put.Item)
			old, known := c.items[k]
			wru += 2 * kb(max(size, old.size))
			nu := itemState{size: size, gsi1pk: str(ti.Put.Item[store.AttrGSI1PK]), gsi1sk: str(ti.Put.Item[store.AttrGSI1SK])}
			wru += indexUnits(old, known, nu, true)
			if ok {
				c.items[k] = nu
			}
		case ti.Delete != nil:
			k, _ := keyOf(ti.Delete.Key)
			old, known := c.items[k]
			wru += 2 * kb(old.size)
			wru += indexUnits(old, known, itemState{}, false)
			delete(c.items, k)
		case ti.ConditionCheck != nil:
			k, _ := keyOf(ti.ConditionCheck.Key)
			wru += 2 * kb(c.items[k].size)
		case ti.Update != nil:
			k, _ := keyOf(ti.Update.Key)
			wru += 2 * kb(c.items[k].size) // the index effect of an update is not modelled; the store never updates
		}
	}
	return wru
}

// indexUnits is the gsi1 write cost of replacing old (known or not) with nu (exists=false: deleted).
func indexUnits(old itemState, known bool, nu itemState, exists bool) float64 {
	inOld, inNew := known && old.gsi1pk != "", exists && nu.gsi1pk != ""
	switch {
	case inOld && inNew && old.gsi1pk == nu.gsi1pk && old.gsi1sk == nu.gsi1sk:
		return kb(max(old.size, nu.size)) // updated in place
	case inOld && inNew:
		return kb(old.size) + kb(nu.size) // moved: the old entry is deleted, the new one written
	case inOld:
		return kb(old.size)
	case inNew:
		return kb(nu.size)
	}
	return 0
}

func (c *Counter) learn(item map[string]types.AttributeValue, size int) {
	if k, ok := keyOf(item); ok {
		c.items[k] = itemState{size: size, gsi1pk: str(item[store.AttrGSI1PK]), gsi1sk: str(item[store.AttrGSI1SK])}
	}
}

func keyOf(item map[string]types.AttributeValue) (store.Key, bool) {
	pk, sk := str(item[store.AttrPK]), str(item[store.AttrSK])
	return store.Key{PK: pk, SK: sk}, pk != ""
}

func str(av types.AttributeValue) string {
	if s, ok := av.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// ItemSize is an item's size as DynamoDB bills it: for each attribute, the UTF-8 length of its
// name plus its value's size (strings and binaries their length, numbers about one byte per two
// significant digits plus one, booleans and nulls one byte, lists and maps 3 bytes plus one per
// element plus their elements).
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for name, e := range v.Value {
			n += 1 + len(name) + valueSize(e)
		}
		return n
	}
	return 0
}

func numberSize(s string) int {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == 0 {
		digits = 1
	}
	return (digits+1)/2 + 1
}
