// Package dynamo is the DynamoDB adapter of the store.Backend port: one table, one sparse global
// secondary index (gsi1), every write a TransactWriteItems. Nothing above this package imports the
// AWS SDK; SDK errors are translated here into the store package's errors.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/gcconboard/gcconboard/shared/store"
)

// api is the part of the DynamoDB client the backend uses, so tests can fake SDK failures.
type api interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Backend is a store.Backend over one DynamoDB table. Items past their ttl are returned until
// DynamoDB deletes them (lazily, within days), so callers that care compare the entity's own
// timestamps.
type Backend struct {
	db    api
	table string
}

var _ store.Backend = (*Backend)(nil)

// New returns a Backend on table; the client is built once by main and shared across invocations.
func New(client *dynamodb.Client, table string) *Backend {
	return &Backend{db: client, table: table}
}

// maxTransactOps is DynamoDB's limit on the items of one TransactWriteItems.
const maxTransactOps = 100

type tokenKey struct{}

// WithClientRequestToken returns a context whose Transact calls carry token as the
// ClientRequestToken, so a retry after a lost response is applied once, not twice (DynamoDB
// remembers a token for 10 minutes; it must be at most 36 characters).
func WithClientRequestToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

func clientRequestToken(ctx context.Context) string {
	t, _ := ctx.Value(tokenKey{}).(string)
	return t
}

// Get reads the item with key k into out with a strongly consistent read, because callers read an
// item's version right before a conditional write.
func (b *Backend) Get(ctx context.Context, k store.Key, out any) error {
	res, err := b.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(b.table),
		Key:            keyAttrs(k),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return translate("get "+k.String(), err)
	}
	if res.Item == nil {
		return store.ErrNotFound
	}
	if err := decoder.Decode(&types.AttributeValueMemberM{Value: res.Item}, out); err != nil {
		return fmt.Errorf("dynamo: decode %s: %w", k, err)
	}
	return nil
}

// Query reads the items matching q into out (a pointer to a slice), following pages until q.Limit
// items or the end of the partition.
func (b *Backend) Query(ctx context.Context, q store.Query, out any) error {
	pkName, skName := store.AttrPK, store.AttrSK
	in := &dynamodb.QueryInput{
		TableName:        aws.String(b.table),
		ScanIndexForward: aws.Bool(!q.Descending),
	}
	switch q.Index {
	case "":
		in.ConsistentRead = aws.Bool(true) // a GSI cannot be read consistently; the table can
	case store.IndexGSI1:
		pkName, skName = store.AttrGSI1PK, store.AttrGSI1SK
		in.IndexName = aws.String(store.IndexGSI1)
	default:
		return fmt.Errorf("dynamo: query: unknown index %q", q.Index)
	}
	kc := expression.Key(pkName).Equal(expression.Value(q.PK))
	switch {
	case q.SKMax != "":
		kc = kc.And(expression.Key(skName).LessThanEqual(expression.Value(q.SKMax)))
	case q.SKPrefix != "":
		kc = kc.And(expression.Key(skName).BeginsWith(q.SKPrefix))
	}
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return fmt.Errorf("dynamo: query: %w", err)
	}
	in.KeyConditionExpression = expr.KeyCondition()
	in.ExpressionAttributeNames = expr.Names()
	in.ExpressionAttributeValues = expr.Values()

	var items []types.AttributeValue
	for {
		if q.Limit > 0 {
			// Without a filter expression DynamoDB's Limit counts returned items, so asking for
			// only what is still missing never reads more than needed.
			in.Limit = aws.Int32(int32(min(q.Limit-len(items), 1<<30)))
		}
		res, err := b.db.Query(ctx, in)
		if err != nil {
			return translate("query "+q.PK, err)
		}
		for _, it := range res.Items {
			items = append(items, &types.AttributeValueMemberM{Value: it})
		}
		if res.LastEvaluatedKey == nil || (q.Limit > 0 && len(items) >= q.Limit) {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	if q.Limit > 0 && len(items) > q.Limit {
		items = items[:q.Limit]
	}
	if items == nil {
		items = []types.AttributeValue{}
	}
	if err := decoder.Decode(&types.AttributeValueMemberL{Value: items}, out); err != nil {
		return fmt.Errorf("dynamo: decode query %s: %w", q.PK, err)
	}
	return nil
}

// Transact applies ops with one TransactWriteItems, so they succeed or fail together.
func (b *Backend) Transact(ctx context.Context, ops ...store.Op) error {
	if len(ops) == 0 {
		return nil // DynamoDB rejects an empty transaction; nothing to do is not an error
	}
	if len(ops) > maxTransactOps {
		return fmt.Errorf("dynamo: transact: %d ops, at most %d", len(ops), maxTransactOps)
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: make([]types.TransactWriteItem, len(ops))}
	// Every transaction carries a client request token (the SDK fills one in when the context
	// gives none), so when a response is lost after the commit, the SDK's retry of the same input
	// is recognised by DynamoDB and not applied twice (TestFaultLostResponseRetriedOnce).
	if t := clientRequestToken(ctx); t != "" {
		in.ClientRequestToken = aws.String(t)
	}
	// DynamoDB rejects two ops on one item, but DynamoDB Local runs them; checking here makes
	// both refuse, as the embedded store does.
	seen := make(map[store.Key]bool, len(ops))
	for i, op := range ops {
		if seen[op.Item.Key] {
			return fmt.Errorf("dynamo: transact op %d: more than one op on %s", i, op.Item.Key)
		}
		seen[op.Item.Key] = true
		twi, err := b.transactItem(op)
		if err != nil {
			return fmt.Errorf("dynamo: transact op %d (%s): %w", i, op.Item.Key, err)
		}
		in.TransactItems[i] = twi
	}
	_, err := b.db.TransactWriteItems(ctx, in)
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" && i < len(ops) {
				return &store.ConditionFailedError{Index: i, Key: ops[i].Item.Key}
			}
		}
		for _, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
				return fmt.Errorf("dynamo: transact: %w: %w", store.ErrTransient, err)
			}
		}
	}
	return translate("transact", err)
}

func (b *Backend) transactItem(op store.Op) (types.TransactWriteItem, error) {
	if op.Item.PK == "" || op.Item.SK == "" {
		return types.TransactWriteItem{}, errors.New("empty key")
	}
	c, err := condition(op)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	var (
		cond   *string
		names  map[string]string
		values map[string]types.AttributeValue
	)
	if c != nil {
		expr, err := expression.NewBuilder().WithCondition(*c).Build()
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		cond, names, values = expr.Condition(), expr.Names(), expr.Values()
	}
	table := aws.String(b.table)
	switch op.Kind {
	case store.OpPut:
		item, err := encodeItem(op.Item)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return types.TransactWriteItem{Put: &types.Put{TableName: table, Item: item,
			ConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: values}}, nil
	case store.OpDelete:
		return types.TransactWriteItem{Delete: &types.Delete{TableName: table, Key: keyAttrs(op.Item.Key),
			ConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: values}}, nil
	case store.OpCheck:
		if c == nil {
			return types.TransactWriteItem{}, errors.New("a check needs a condition")
		}
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: table, Key: keyAttrs(op.Item.Key),
			ConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: values}}, nil
	}
	return types.TransactWriteItem{}, fmt.Errorf("unknown op kind %d", op.Kind)
}

// condition returns op's condition expression, nil for Always.
func condition(op store.Op) (*expression.ConditionBuilder, error) {
	var c expression.ConditionBuilder
	switch op.Cond {
	case store.Always:
		return nil, nil
	case store.IfNotExists:
		c = expression.AttributeNotExists(expression.Name(store.AttrPK))
	case store.IfExists:
		c = expression.AttributeExists(expression.Name(store.AttrPK))
	case store.IfVersion:
		c = expression.Name(store.AttrVersion).Equal(expression.Value(op.Version))
	default:
		return nil, fmt.Errorf("unknown condition %d", op.Cond)
	}
	return &c, nil
}

// translate maps an SDK error to the store's errors: throttling and conflicts wrap
// store.ErrTransient so callers know a retry may succeed.
func translate(op string, err error) error {
	var (
		pte  *types.ProvisionedThroughputExceededException
		rle  *types.RequestLimitExceeded
		tipe *types.TransactionInProgressException
		ise  *types.InternalServerError
		tce  *types.TransactionConflictException
		te   *types.ThrottlingException
		ae   smithy.APIError
	)
	switch {
	case errors.As(err, &pte), errors.As(err, &rle), errors.As(err, &tipe), errors.As(err, &ise),
		errors.As(err, &tce), errors.As(err, &te),
		errors.As(err, &ae) && ae.ErrorCode() == "ThrottlingException":
		return fmt.Errorf("dynamo: %s: %w: %w", op, store.ErrTransient, err)
	case !errors.As(err, &ae):
		// No answer from DynamoDB at all (connection refused or reset, timeout) after the SDK's own
		// retries: the caller may retry; with an Idempotency-Key it gets the first answer.
		return fmt.Errorf("dynamo: %s: %w: %w", op, store.ErrTransient, err)
	}
	return fmt.Errorf("dynamo: %s: %w", op, err)
}

func keyAttrs(k store.Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		store.AttrPK: &types.AttributeValueMemberS{Value: k.PK},
		store.AttrSK: &types.AttributeValueMemberS{Value: k.SK},
	}
}

// The entity's `json` tags name its attributes, so one struct reads the same from DynamoDB, from
// a stream record and from the embedded store's JSON.
var (
	encoder = attributevalue.NewEncoder(func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	decoder = attributevalue.NewDecoder(func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
)

// encodeItem flattens it.Data into top-level attributes and sets the store's own attributes over
// any same-named fields of Data.
func encodeItem(it store.Item) (map[string]types.AttributeValue, error) {
	m := map[string]types.AttributeValue{}
	if it.Data != nil {
		av, err := encoder.Encode(it.Data)
		if err != nil {
			return nil, fmt.Errorf("encode data: %w", err)
		}
		switch av := av.(type) {
		case *types.AttributeValueMemberM:
			m = av.Value
		case *types.AttributeValueMemberNULL: // a nil pointer: no entity fields
		default:
			return nil, fmt.Errorf("encode data: %T is not a struct or map", it.Data)
		}
	}
	m[store.AttrPK] = &types.AttributeValueMemberS{Value: it.PK}
	m[store.AttrSK] = &types.AttributeValueMemberS{Value: it.SK}
	m[store.AttrKind] = &types.AttributeValueMemberS{Value: it.Kind}
	m[store.AttrVersion] = &types.AttributeValueMemberN{Value: strconv.FormatInt(it.Version, 10)}
	// Index keys are written only when set: DynamoDB rejects empty key strings, and an item
	// without them stays out of the sparse index.
	setOrDelete(m, store.AttrGSI1PK, it.GSI1PK)
	setOrDelete(m, store.AttrGSI1SK, it.GSI1SK)
	if it.TTL != 0 {
		m[store.AttrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(it.TTL, 10)}
	} else {
		delete(m, store.AttrTTL)
	}
	return m, nil
}

func setOrDelete(m map[string]types.AttributeValue, name, v string) {
	if v == "" {
		delete(m, name)
		return
	}
	m[name] = &types.AttributeValueMemberS{Value: v}
}
