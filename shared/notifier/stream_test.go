package notifier_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/notifier"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/ses"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// TestStreamToSES runs the whole mail path on real parts: an intake commits to DynamoDB Local,
// its stream records are read back with the Streams API and handed to the notifier as the Lambda
// event, and the mail goes through the SES v2 emulator. Redelivering the batch, and feeding the
// notifier its own writes, sends nothing more.
func TestStreamToSES(t *testing.T) {
	ddbURL, sesURL := testenv.DynamoDBEndpoint(t), testenv.SESEndpoint(t)
	ctx := context.Background()
	client, err := dynamo.NewLocalClient(ctx, ddbURL)
	if err != nil {
		t.Fatal(err)
	}
	table := fmt.Sprintf("stream-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dynamo.DeleteTable(context.Background(), client, table) })
	s := store.New(dynamo.New(client, table))

	contact := fmt.Sprintf("ana-%d@contoso.example", time.Now().UnixNano())
	f := &onboard.PartnerForm{OrganizationName: "Contoso", PartnerTenantID: "1f3c6e1a-8b2d-4c5e-9f70-a1b2c3d4e5f6",
		PartnerType: onboard.DirectBill, CspEnrolled: true, GovernmentSegments: []string{"federal"},
		Contact:     onboard.Contact{Name: "Ana Li", Email: contact, Phone: "+1 202 555 0100"},
		Address:     onboard.Address{Line1: "1 Main St", City: "Arlington", State: "VA", PostalCode: "22201", Country: "US"},
		Attestation: onboard.Attestation{SignerName: "Ana Li", SignerTitle: "CEO", Agree: true, TermsVersion: "2025-01"}}
	in := &eligibility.Intake{Store: s, ReviewTeam: "review-" + contact, Now: time.Now, Log: slog.New(slog.DiscardHandler)}
	if _, err := in.SubmitPartner(ctx, f, eligibility.Submitter{IP: "127.0.0.1"}, nil); err != nil {
		t.Fatal(err)
	}

	sesClient, err := ses.NewLocalClient(ctx, sesURL)
	if err != nil {
		t.Fatal(err)
	}
	h := &notifier.Handler{Log: slog.New(slog.DiscardHandler), Mail: &outbox.Deliverer{Outbox: s, Sender: ses.New(sesClient, ""),
		From: "no-reply@gcconboard.example", Now: time.Now, Log: slog.New(slog.DiscardHandler)}}
	reader := newStreamReader(t, ddbURL, client, table)

	batch := reader.next(t)
	if len(batch.Records) < 2 {
		t.Fatalf("stream gave %d records, want the intake's items", len(batch.Records))
	}
	resp, err := h.HandleStream(ctx, batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("first delivery: %v %v", err, resp.BatchItemFailures)
	}
	if got := sentTo(t, sesURL, contact); got != 2 { // the acknowledgement and the review notice
		t.Fatalf("emulator holds %d mails for this run, want 2", got)
	}
	if _, err := h.HandleStream(ctx, batch); err != nil { // Lambda may deliver a batch twice
		t.Fatal(err)
	}
	own := reader.next(t) // the notifier's own writes: lease taken, then Sent
	if len(own.Records) == 0 {
		t.Fatal("no MODIFY records from the notifier's writes")
	}
	if _, err := h.HandleStream(ctx, own); err != nil {
		t.Fatal(err)
	}
	if got := sentTo(t, sesURL, contact); got != 2 {
		t.Errorf("after redelivery the emulator holds %d mails, want still 2", got)
	}
	for _, status := range []onboard.MailStatus{onboard.MailPending, onboard.MailFailed} {
		if left, _ := s.Notifications(ctx, status, ""); len(left) != 0 {
			t.Errorf("%d mails still %s", len(left), status)
		}
	}
}

// sentTo counts the emulator's stored mails whose recipients mention marker.
func sentTo(t *testing.T, sesURL, marker string) int {
	t.Helper()
	res, err := http.Get(sesURL + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var store struct {
		Emails []json.RawMessage `json:"emails"`
	}
	if err := json.Unmarshal(data, &store); err != nil {
		t.Fatalf("emulator /store: %v: %s", err, data)
	}
	n := 0
	for _, e := range store.Emails {
		if bytes.Contains(e, []byte(marker)) {
			n++
		}
	}
	return n
}

// streamReader reads a table's stream from its first shard, as Lambda's event source mapping does.
type streamReader struct {
	c        *dynamodbstreams.Client
	iterator *string
}

func newStreamReader(t *testing.T, endpoint string, client *dynamodb.Client, table string) *streamReader {
	t.Helper()
	ctx := context.Background()
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	c := dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	ds, err := c.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: desc.Table.LatestStreamArn})
	if err != nil || len(ds.StreamDescription.Shards) == 0 {
		t.Fatalf("describe stream: %v", err)
	}
	it, err := c.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: desc.Table.LatestStreamArn,
		ShardId: ds.StreamDescription.Shards[0].ShardId, ShardIteratorType: st.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	return &streamReader{c: c, iterator: it.ShardIterator}
}

// next returns the records written since the last call, as a Lambda DynamoDB event.
func (r *streamReader) next(t *testing.T) events.DynamoDBEvent {
	t.Helper()
	var ev events.DynamoDBEvent
	for range 5 {
		out, err := r.c.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: r.iterator})
		if err != nil {
			t.Fatal(err)
		}
		r.iterator = out.NextShardIterator
		for _, rec := range out.Records {
			ev.Records = append(ev.Records, toEvent(t, rec))
		}
		if len(ev.Records) > 0 {
			return ev
		}
		time.Sleep(100 * time.Millisecond)
	}
	return ev
}

func toEvent(t *testing.T, rec st.Record) events.DynamoDBEventRecord {
	sr := rec.Dynamodb
	return events.DynamoDBEventRecord{EventID: aws.ToString(rec.EventID), EventName: string(rec.EventName),
		EventSource: "aws:dynamodb", EventVersion: aws.ToString(rec.EventVersion), AWSRegion: "us-east-1",
		Change: events.DynamoDBStreamRecord{Keys: image(t, sr.Keys), NewImage: image(t, sr.NewImage), OldImage: image(t, sr.OldImage),
			SequenceNumber: aws.ToString(sr.SequenceNumber), StreamViewType: string(sr.StreamViewType)}}
}

// image converts a Streams API image to the Lambda event's type through DynamoDB's JSON wire form.
func image(t *testing.T, m map[string]st.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	wire := map[string]any{}
	for k, v := range m {
		wire[k] = toWire(v)
	}
	data, _ := json.Marshal(wire)
	var out map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func toWire(v st.AttributeValue) any {
	switch v := v.(type) {
	case *st.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *st.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *st.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *st.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *st.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *st.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *st.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *st.AttributeValueMemberL:
		l := []any{}
		for _, e := range v.Value {
			l = append(l, toWire(e))
		}
		return map[string]any{"L": l}
	case *st.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range v.Value {
			m[k] = toWire(e)
		}
		return map[string]any{"M": m}
	}
	return map[string]any{"NULL": true}
}
