package dynamo

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gcconboard/gcconboard/shared/store"
)

// toStreamAttr is fromStreamAttr's inverse, so the test can convert in both directions.
func toStreamAttr(t *testing.T, av types.AttributeValue) events.DynamoDBAttributeValue {
	t.Helper()
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = toStreamAttr(t, e)
		}
		return events.NewListAttribute(l)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(toStreamImage(t, v.Value))
	}
	t.Fatalf("unsupported attribute value %T", av)
	return events.DynamoDBAttributeValue{}
}

func toStreamImage(t *testing.T, m map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = toStreamAttr(t, v)
	}
	return out
}

func equalAV(a, b types.AttributeValue) bool { return reflect.DeepEqual(a, b) }

// every holds one attribute of each type a stream record can carry, nested in lists and maps.
var every = map[string]types.AttributeValue{
	"s":    &types.AttributeValueMemberS{Value: "héllo"},
	"n":    &types.AttributeValueMemberN{Value: "-12.5e3"},
	"t":    &types.AttributeValueMemberBOOL{Value: true},
	"f":    &types.AttributeValueMemberBOOL{Value: false},
	"null": &types.AttributeValueMemberNULL{Value: true},
	"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 0xff}},
	"ss":   &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
	"ns":   &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
	"bs":   &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
	"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
		&types.AttributeValueMemberS{Value: "x"},
		&types.AttributeValueMemberN{Value: "1"},
		&types.AttributeValueMemberNULL{Value: true},
		&types.AttributeValueMemberL{Value: []types.AttributeValue{}},
	}},
	"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"inner": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"ss": &types.AttributeValueMemberSS{Value: []string{"z"}},
		}},
		"empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
	}},
}

func TestStreamConversion(t *testing.T) {
	t.Run("SDKToStreamToSDK", func(t *testing.T) {
		got, err := streamImage(toStreamImage(t, every))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, every) {
			t.Errorf("round trip changed the image:\n got %#v\nwant %#v", got, every)
		}
	})
	t.Run("StreamToSDKToStream", func(t *testing.T) {
		// Start from the wire format a Lambda receives, as events parses it.
		want := toStreamImage(t, every)
		raw, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var parsed map[string]events.DynamoDBAttributeValue
		if err := json.Unmarshal(raw, &parsed); err != nil {
			t.Fatal(err)
		}
		m, err := streamImage(parsed)
		if err != nil {
			t.Fatal(err)
		}
		back, err := json.Marshal(toStreamImage(t, m))
		if err != nil {
			t.Fatal(err)
		}
		if string(back) != string(raw) {
			t.Errorf("round trip changed the image:\n got %s\nwant %s", back, raw)
		}
	})
}

// outbox is shaped like a notification entity: what the stream handler decodes.
type outbox struct {
	ID      string            `json:"id"`
	To      []string          `json:"to"`
	Vars    map[string]string `json:"vars"`
	Due     time.Time         `json:"due"`
	Sent    bool              `json:"sent"`
	Body    []byte            `json:"body"`
	Tries   int               `json:"tries"`
	Version int64             `json:"version"`
}

// TestDecodeStreamImage checks that an item written by Transact decodes from its stream image
// into the same struct, and that a real-shape record parses.
func TestDecodeStreamImage(t *testing.T) {
	want := outbox{ID: "m1", To: []string{"a@example.gov"}, Vars: map[string]string{"link": "https://x/y"},
		Due: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), Body: []byte("hi"), Tries: 2, Version: 0}
	it := store.Item{Key: store.Key{PK: "MAIL#m1", SK: "MAIL"}, Kind: "Outbox", Version: 3, Data: &want}
	m, err := encodeItem(it)
	if err != nil {
		t.Fatal(err)
	}
	image := toStreamImage(t, m)
	var got outbox
	if err := DecodeStreamImage(image, &got); err != nil {
		t.Fatal(err)
	}
	want.Version = 3
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v\n   want %+v", got, want)
	}
	k, err := StreamKey(image)
	if err != nil || k != it.Key {
		t.Errorf("StreamKey = %v, %v; want %v", k, err, it.Key)
	}

	const record = `{"eventID":"1","eventName":"INSERT","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
	 "dynamodb":{"Keys":{"pk":{"S":"MAIL#m2"},"sk":{"S":"MAIL"}},
	  "NewImage":{"pk":{"S":"MAIL#m2"},"sk":{"S":"MAIL"},"kind":{"S":"Outbox"},"version":{"N":"1"},
	   "id":{"S":"m2"},"to":{"L":[{"S":"b@example.gov"}]},"vars":{"M":{"k":{"S":"v"}}},
	   "due":{"S":"2025-01-02T03:04:05Z"},"sent":{"BOOL":false},"body":{"B":"aGk="},"tries":{"N":"0"},
	   "extra":{"NULL":true}},
	  "SequenceNumber":"100","SizeBytes":200,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`
	var rec events.DynamoDBEventRecord
	if err := json.Unmarshal([]byte(record), &rec); err != nil {
		t.Fatal(err)
	}
	var o outbox
	if err := DecodeStreamImage(rec.Change.NewImage, &o); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%s %v %v %s %s %d", o.ID, o.To, o.Vars, o.Due.Format(time.RFC3339), o.Body, o.Version),
		"m2 [b@example.gov] map[k:v] 2025-01-02T03:04:05Z hi 1"; got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
	if k, err := StreamKey(rec.Change.Keys); err != nil || k != (store.Key{PK: "MAIL#m2", SK: "MAIL"}) {
		t.Errorf("StreamKey(Keys) = %v, %v", k, err)
	}
	if _, err := StreamKey(map[string]events.DynamoDBAttributeValue{"pk": events.NewNumberAttribute("1")}); err == nil {
		t.Error("StreamKey without a string sk succeeded")
	}
}
