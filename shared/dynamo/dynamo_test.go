package dynamo

import (
	"context"
	"crypto/rand"
	"errors"
	"github.com/aws/smithy-go"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/store/storetest"
)

// localClient returns a client for the DynamoDB Local named by GCC_TEST_DYNAMODB_ENDPOINT, or
// skips: these are integration tests.
func localClient(t *testing.T) *dynamodb.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	endpoint := os.Getenv("GCC_TEST_DYNAMODB_ENDPOINT")
	if endpoint == "" {
		t.Skip("GCC_TEST_DYNAMODB_ENDPOINT not set")
	}
	c, err := NewLocalClient(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newTable creates a uniquely named table for one test and deletes it afterwards.
func newTable(t *testing.T, c *dynamodb.Client) string {
	t.Helper()
	name := "gcc-test-" + rand.Text()
	if err := CreateTable(context.Background(), c, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, err := c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Errorf("delete table %s: %v", name, err)
		}
	})
	return name
}

func TestContract(t *testing.T) {
	c := localClient(t)
	storetest.Run(t, func(t *testing.T) store.Backend { return New(c, newTable(t, c)) })
}

func TestCreateTable(t *testing.T) {
	c := localClient(t)
	ctx := context.Background()
	name := newTable(t, c)
	if err := CreateTable(ctx, c, name); err != nil {
		t.Fatalf("second CreateTable: %v", err)
	}
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tbl := d.Table
	if tbl.TableStatus != types.TableStatusActive {
		t.Errorf("status %s", tbl.TableStatus)
	}
	if s := tbl.StreamSpecification; s == nil || !aws.ToBool(s.StreamEnabled) || s.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream %+v, want NEW_AND_OLD_IMAGES", s)
	}
	if len(tbl.GlobalSecondaryIndexes) != 1 || aws.ToString(tbl.GlobalSecondaryIndexes[0].IndexName) != store.IndexGSI1 ||
		tbl.GlobalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("indexes %+v, want gsi1 projecting ALL", tbl.GlobalSecondaryIndexes)
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; aws.ToString(d.AttributeName) != store.AttrTTL || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("ttl %+v, want enabled on %q", d, store.AttrTTL)
	}
}

func TestCreateTableWithoutStream(t *testing.T) {
	c := localClient(t)
	ctx := context.Background()
	name := "gcc-nostream-" + rand.Text()
	if err := CreateTable(ctx, c, name, WithoutStream); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { DeleteTable(context.Background(), c, name) })
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if s := d.Table.StreamSpecification; s != nil && aws.ToBool(s.StreamEnabled) {
		t.Errorf("stream %+v, want none", s)
	}
	if len(d.Table.GlobalSecondaryIndexes) != 1 {
		t.Errorf("indexes %+v: the rest of the table must stay as the stack defines it", d.Table.GlobalSecondaryIndexes)
	}
}

// TestClientRequestToken checks that a transaction retried with the same token after a lost
// response is reported as done instead of failing its own PutNew condition.
func TestClientRequestToken(t *testing.T) {
	c := localClient(t)
	b := New(c, newTable(t, c))
	ctx := WithClientRequestToken(context.Background(), "req-"+rand.Text()[:20])
	op := store.PutNew(store.Item{Key: store.Key{PK: "T", SK: "1"}, Version: 1})
	if err := b.Transact(ctx, op); err != nil {
		t.Fatal(err)
	}
	if err := b.Transact(ctx, op); err != nil {
		t.Fatalf("retry with the same token: %v", err)
	}
	err := b.Transact(context.Background(), op)
	if _, ok := store.FailedOp(err); !ok {
		t.Fatalf("without a token: err = %v, want a condition failure", err)
	}
}

// fakeAPI returns err from every call, to test error translation without DynamoDB.
type fakeAPI struct{ err error }

func (f fakeAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, f.err
}

func (f fakeAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, f.err
}

func (f fakeAPI) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return nil, f.err
}

func canceled(codes ...string) error {
	e := &types.TransactionCanceledException{Message: aws.String("cancelled")}
	for _, c := range codes {
		e.CancellationReasons = append(e.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
	}
	return e
}

func TestTransactErrors(t *testing.T) {
	ops := []store.Op{
		store.Put(store.Item{Key: store.Key{PK: "A", SK: "1"}}),
		store.CheckExists(store.Key{PK: "B", SK: "1"}),
		store.PutNew(store.Item{Key: store.Key{PK: "C", SK: "1"}}),
	}
	cases := []struct {
		name      string
		err       error
		failedOp  int // -1: not a condition failure
		transient bool
	}{
		{"ConditionalCheckFailed", canceled("None", "None", "ConditionalCheckFailed"), 2, false},
		{"FirstConditionFailure", canceled("None", "ConditionalCheckFailed", "ConditionalCheckFailed"), 1, false},
		{"ConditionBeatsConflict", canceled("TransactionConflict", "ConditionalCheckFailed", "None"), 1, false},
		{"TransactionConflict", canceled("None", "TransactionConflict", "None"), -1, true},
		{"ThrottlingError", canceled("ThrottlingError", "None", "None"), -1, true},
		{"ProvisionedThroughputExceeded", canceled("None", "None", "ProvisionedThroughputExceeded"), -1, true},
		{"ValidationError", canceled("ValidationError", "None", "None"), -1, false},
		{"TransactionInProgress", &types.TransactionInProgressException{}, -1, true},
		{"RequestLimitExceeded", &types.RequestLimitExceeded{}, -1, true},
		{"InternalServerError", &types.InternalServerError{}, -1, true},
		{"ProvisionedThroughputExceededException", &types.ProvisionedThroughputExceededException{}, -1, true},
		{"ThrottlingException", &types.ThrottlingException{}, -1, true},
		{"NoAnswer", errors.New("connection reset by peer"), -1, true},
		{"ValidationException", &smithy.GenericAPIError{Code: "ValidationException", Message: "bad"}, -1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &Backend{db: fakeAPI{c.err}, table: "t"}
			err := b.Transact(context.Background(), ops...)
			i, ok := store.FailedOp(err)
			if c.failedOp >= 0 {
				var cf *store.ConditionFailedError
				if !ok || i != c.failedOp || !errors.As(err, &cf) || cf.Key != ops[i].Item.Key {
					t.Fatalf("err = %v, want condition failure of op %d", err, c.failedOp)
				}
				return
			}
			if ok {
				t.Fatalf("err = %v, want no condition failure", err)
			}
			if got := errors.Is(err, store.ErrTransient); got != c.transient {
				t.Fatalf("errors.Is(%v, ErrTransient) = %v, want %v", err, got, c.transient)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	b := &Backend{db: fakeAPI{&types.ProvisionedThroughputExceededException{}}, table: "t"}
	var r struct{}
	if err := b.Get(context.Background(), store.Key{PK: "A", SK: "1"}, &r); !errors.Is(err, store.ErrTransient) {
		t.Errorf("Get: err = %v, want ErrTransient", err)
	}
	var rs []struct{}
	if err := b.Query(context.Background(), store.Query{PK: "A"}, &rs); !errors.Is(err, store.ErrTransient) {
		t.Errorf("Query: err = %v, want ErrTransient", err)
	}
}

func TestEncodeItem(t *testing.T) {
	type entity struct {
		Name    string `json:"name"`
		Skip    string `json:"-"`
		Empty   string `json:"empty,omitempty"`
		PK      string `json:"pk"`
		GSI1PK  string `json:"gsi1pk"`
		TTL     int64  `json:"ttl"`
		Version int64  `json:"version"`
	}
	m, err := encodeItem(store.Item{Key: store.Key{PK: "P", SK: "S"}, Kind: "K", Version: 4,
		Data: &entity{Name: "n", Skip: "x", PK: "other", GSI1PK: "stale", TTL: 9, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{
		"name":    &types.AttributeValueMemberS{Value: "n"},
		"pk":      &types.AttributeValueMemberS{Value: "P"},
		"sk":      &types.AttributeValueMemberS{Value: "S"},
		"kind":    &types.AttributeValueMemberS{Value: "K"},
		"version": &types.AttributeValueMemberN{Value: "4"},
	}
	if len(m) != len(want) {
		t.Errorf("attributes %v, want %v", keys(m), keys(want))
	}
	for k, w := range want {
		if got := m[k]; !equalAV(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
}

func keys(m map[string]types.AttributeValue) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}

// countingAPI counts Query calls, to see that a large partition really spans several pages.
type countingAPI struct {
	api
	queries int
}

func (c *countingAPI) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.queries++
	return c.api.Query(ctx, in, optFns...)
}

func TestQueryFollowsPages(t *testing.T) {
	c := localClient(t)
	ctx := context.Background()
	capi := &countingAPI{api: c}
	b := &Backend{db: capi, table: newTable(t, c)}
	type big struct {
		Pad string `json:"pad"`
	}
	pad := big{Pad: string(make([]byte, 300_000))}
	for i := range 5 { // 1.5 MB: two pages of at most 1 MB
		it := store.Item{Key: store.Key{PK: "BIG", SK: string(rune('a' + i))}, Data: &pad}
		if err := b.Transact(ctx, store.Put(it)); err != nil {
			t.Fatal(err)
		}
	}
	var got []big
	if err := b.Query(ctx, store.Query{PK: "BIG"}, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || capi.queries < 2 {
		t.Fatalf("%d items in %d calls, want 5 items in at least 2 calls", len(got), capi.queries)
	}
}
