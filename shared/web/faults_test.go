package web

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// fault decides, per TransactWriteItems attempt, what goes wrong: before reaching DynamoDB
// ("refuse"), or after DynamoDB committed, by losing the response ("lose"), or nothing ("").
type fault func(attempt int32) string

// faultyEnv is an env over DynamoDB Local whose client runs transactions through fault.
func faultyEnv(t *testing.T, f fault) (*env, *atomic.Int32) {
	t.Helper()
	endpoint := testenv.DynamoDBEndpoint(t)
	var attempts atomic.Int32
	// Added first in the deserialize step, so it sees the decoded result (and DynamoDB errors
	// pass through as they are); the retry middleware wraps this step and retries what it fakes.
	inject := middleware.DeserializeMiddlewareFunc("fault", func(ctx context.Context, in middleware.DeserializeInput,
		next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		if middleware.GetOperationName(ctx) != "TransactWriteItems" {
			return next.HandleDeserialize(ctx, in)
		}
		what := f(attempts.Add(1))
		if what == "refuse" {
			return middleware.DeserializeOutput{}, middleware.Metadata{}, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		}
		out, md, err := next.HandleDeserialize(ctx, in)
		if what == "lose" && err == nil { // committed, but the caller never hears it
			return out, md, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
		}
		return out, md, err
	})
	ctx := context.Background()
	client, err := dynamo.NewLocalClient(ctx, endpoint, func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error { return s.Deserialize.Add(inject, middleware.Before) })
	})
	if err != nil {
		t.Fatal(err)
	}
	table := fmt.Sprintf("faults-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dynamo.DeleteTable(context.Background(), client, table) })
	return newEnv(t, dynamo.New(client, table)), &attempts
}

// A transaction that never reaches DynamoDB leaves nothing behind; the client is told to retry.
func TestFaultTransactionFailsCleanly(t *testing.T) {
	e, _ := faultyEnv(t, func(int32) string { return "refuse" })
	res := e.do("POST", "/v1/eligibility/partner", partnerIntake(), "Idempotency-Key", "k")
	res.problem(t, 503, onboard.ErrUnavailable)
	if res.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if got, want := e.written(), "requests=0 mail=0 audit=0"; got != want {
		t.Errorf("a failed transaction left %s", got)
	}
}

// A response lost after the commit is retried by the SDK with the same client request token:
// DynamoDB does not apply it twice, and the caller gets its 201.
func TestFaultLostResponseRetriedOnce(t *testing.T) {
	e, attempts := faultyEnv(t, func(n int32) string {
		if n == 1 {
			return "lose"
		}
		return ""
	})
	res := e.do("POST", "/v1/eligibility/partner", partnerIntake())
	if res.status != 201 {
		t.Fatalf("got %d %s", res.status, res.body)
	}
	if attempts.Load() < 2 {
		t.Fatalf("the lost response was not retried (%d attempts)", attempts.Load())
	}
	if got, want := e.written(), "requests=1 mail=2 audit=1"; got != want {
		t.Errorf("after a lost response and retry: %s, want %s", got, want)
	}
}

// When every attempt loses its response, the write may still have committed. With an
// Idempotency-Key the server finds its own record and answers 201 (and so does the client's
// retry); without one the client gets 503, and its retry is refused as a duplicate, not doubled.
func TestFaultLostResponseEveryAttempt(t *testing.T) {
	e, _ := faultyEnv(t, func(int32) string { return "lose" })
	first := e.do("POST", "/v1/eligibility/partner", partnerIntake(), "Idempotency-Key", "retry-me")
	again := e.do("POST", "/v1/eligibility/partner", partnerIntake(), "Idempotency-Key", "retry-me")
	if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) {
		t.Fatalf("with a key: %d %s, then %d %s", first.status, first.body, again.status, again.body)
	}
	other := partnerIntake()
	other["partnerTenantId"] = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	e.do("POST", "/v1/eligibility/partner", other).problem(t, 503, onboard.ErrUnavailable)
	e.do("POST", "/v1/eligibility/partner", other).problem(t, 409, onboard.ErrDuplicateRequest)
	if got, want := e.written(), "requests=2 mail=4 audit=2"; got != want {
		t.Errorf("after lost responses: %s, want %s", got, want)
	}
}
