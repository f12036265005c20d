package bench

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	cases := []struct {
		ds   []time.Duration
		q    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ms(5, 1, 3), 0.5, 3 * time.Millisecond},
		{ms(4, 1, 3, 2), 0.5, 2 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.9, 9 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10 * time.Millisecond},
		{ms(1, 2, 3), 0, 1 * time.Millisecond},
	}
	for _, c := range cases {
		if got := Percentile(c.ds, c.q); got != c.want {
			t.Errorf("Percentile(%v, %g) = %v, want %v", c.ds, c.q, got, c.want)
		}
	}
}

func TestItemSize(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	cases := []struct {
		name string
		item map[string]types.AttributeValue
		want int
	}{
		{"strings", map[string]types.AttributeValue{"pk": s("abc"), "sk": s("de")}, 2 + 3 + 2 + 2},
		{"number", map[string]types.AttributeValue{"version": n("12345")}, 7 + 3 + 1},
		{"zero", map[string]types.AttributeValue{"v": n("0")}, 1 + 1 + 1},
		{"bool and null", map[string]types.AttributeValue{"a": &types.AttributeValueMemberBOOL{Value: true}, "b": &types.AttributeValueMemberNULL{Value: true}}, 1 + 1 + 1 + 1},
		{"map", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": s("vv")}}}, 1 + 3 + 1 + 1 + 2},
		{"list", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x"), s("yz")}}}, 1 + 3 + (1 + 1) + (1 + 2)},
	}
	for _, c := range cases {
		if got := ItemSize(c.item); got != c.want {
			t.Errorf("%s: ItemSize = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestUnits(t *testing.T) {
	cases := []struct {
		name      string
		got, want float64
	}{
		{"consistent read of nothing", readUnits(0, true), 1},
		{"consistent read of 4 KB", readUnits(4096, true), 1},
		{"consistent read of 4 KB + 1", readUnits(4097, true), 2},
		{"index query of 5 KB", readUnits(5000, false), 1},
		{"new item in the index", indexUnits(itemState{}, false, itemState{size: 900, gsi1pk: "a"}, true), 1},
		{"updated in place", indexUnits(itemState{size: 900, gsi1pk: "a", gsi1sk: "1"}, true, itemState{size: 1100, gsi1pk: "a", gsi1sk: "1"}, true), 2},
		{"moved", indexUnits(itemState{size: 900, gsi1pk: "a", gsi1sk: "1"}, true, itemState{size: 900, gsi1pk: "b", gsi1sk: "1"}, true), 2},
		{"left the index", indexUnits(itemState{size: 900, gsi1pk: "a"}, true, itemState{size: 900}, true), 1},
		{"deleted", indexUnits(itemState{size: 3000, gsi1pk: "a"}, true, itemState{}, false), 3},
		{"never indexed", indexUnits(itemState{size: 900}, true, itemState{size: 900}, true), 0},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %g, want %g", c.name, c.got, c.want)
		}
	}
}

func TestTransactUnits(t *testing.T) {
	c := NewCounter()
	table := "t"
	item := func(pk string, pad int, gsi string) map[string]types.AttributeValue {
		m := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: "S"},
			"d": &types.AttributeValueMemberS{Value: string(make([]byte, pad))}}
		if gsi != "" {
			m["gsi1pk"] = &types.AttributeValueMemberS{Value: gsi}
			m["gsi1sk"] = &types.AttributeValueMemberS{Value: "1"}
		}
		return m
	}
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberS{Value: "S"}}
	// A new 1.5 KB item in the index: 2 × 2 KB transactional + 2 KB index.
	if got, want := c.transactUnits([]types.TransactWriteItem{{Put: &types.Put{TableName: &table, Item: item("a", 1500, "P")}}}), 6.0; got != want {
		t.Errorf("new item: got %g, want %g", got, want)
	}
	// Moving it to another index key: 4 + 2 (old entry) + 2 (new entry); a check of a small item: 2.
	if got, want := c.transactUnits([]types.TransactWriteItem{{Put: &types.Put{TableName: &table, Item: item("a", 1500, "Q")}},
		{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "z"}, "sk": &types.AttributeValueMemberS{Value: "S"}}}}}), 10.0; got != want {
		t.Errorf("move and check: got %g, want %g", got, want)
	}
	// Deleting it: 2 × 2 KB + its index entry.
	if got, want := c.transactUnits([]types.TransactWriteItem{{Delete: &types.Delete{TableName: &table, Key: key}}}), 6.0; got != want {
		t.Errorf("delete: got %g, want %g", got, want)
	}
}

// TestRuntimeStub starts the hello-world floor against the stub, as the report does, and
// invokes it once.
func TestRuntimeStub(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	wd, _ := os.Getwd()
	root, err := Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if err := Build(context.Background(), root, "./shared/bench/testdata/hello", runtime.GOOS, runtime.GOARCH, bin); err != nil {
		t.Fatal(err)
	}
	stub, err := NewRuntimeStub()
	if err != nil {
		t.Fatal(err)
	}
	defer stub.Close()
	p, took, err := StartFunction(bin, LambdaEnv("hello", t.TempDir(), "t", "", ""), stub, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if took <= 0 || took > 5*time.Second {
		t.Errorf("init took %v", took)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := stub.Invoke(ctx, []byte(`{"name":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Body), `"hello"`; got != want || res.Err || res.Took <= 0 {
		t.Errorf("got %s (error %v, took %v), want %s", got, res.Err, res.Took, want)
	}
}
