package testenv

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB whose Skipf and Fatalf record the outcome and stop the calling
// goroutine, as the real ones do, without touching the real test.
type recorder struct {
	testing.TB
	outcome, msg string
}

func (r *recorder) Skipf(format string, args ...any)  { r.stop("skip", format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.stop("fatal", format, args...) }
func (r *recorder) stop(outcome, format string, args ...any) {
	r.outcome, r.msg = outcome, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs get on a recorder and returns what it returned or how it stopped.
func call(t *testing.T, get func(testing.TB) string) (value, outcome, msg string) {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		value = get(r)
		r.outcome = "ok"
	}()
	<-done
	return value, r.outcome, r.msg
}

func TestEndpoints(t *testing.T) {
	if testing.Short() {
		// Under -short every getter skips; check that, then stop.
		if _, outcome, _ := call(t, DynamoDBEndpoint); outcome != "skip" {
			t.Fatalf("under -short: got %s, want skip", outcome)
		}
		return
	}
	chromium := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(chromium, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	getters := []struct {
		name, env, set string
		get            func(testing.TB) string
	}{
		{"DynamoDBEndpoint", DynamoDBEndpointVar, "http://127.0.0.1:8000", DynamoDBEndpoint},
		{"SESEndpoint", SESEndpointVar, "http://127.0.0.1:8005", SESEndpoint},
		{"Chromium", ChromiumVar, chromium, Chromium},
	}
	for _, g := range getters {
		t.Run(g.name, func(t *testing.T) {
			t.Setenv(g.env, g.set)
			t.Setenv(RequireVar, "1")
			if v, outcome, msg := call(t, g.get); outcome != "ok" || v != g.set {
				t.Errorf("set: got %q, %s (%s); want %q", v, outcome, msg, g.set)
			}

			t.Setenv(g.env, "")
			t.Setenv(RequireVar, "")
			if _, outcome, msg := call(t, g.get); outcome != "skip" || !strings.Contains(msg, "make test") {
				t.Errorf("unset: got %s (%q); want skip mentioning make test", outcome, msg)
			}

			t.Setenv(RequireVar, "1")
			if _, outcome, msg := call(t, g.get); outcome != "fatal" || !strings.Contains(msg, g.env) {
				t.Errorf("unset, required: got %s (%q); want fatal naming %s", outcome, msg, g.env)
			}
		})
	}

	t.Run("ChromiumMissingFile", func(t *testing.T) {
		t.Setenv(ChromiumVar, filepath.Join(t.TempDir(), "nope"))
		t.Setenv(RequireVar, "1")
		if _, outcome, _ := call(t, Chromium); outcome != "fatal" {
			t.Errorf("got %s, want fatal", outcome)
		}
	})
}

// TestServicesAnswer checks, under `make test`, that the services the harness started answer.
func TestServicesAnswer(t *testing.T) {
	t.Run("DynamoDB", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, DynamoDBEndpoint(t), strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		// DynamoDB Local wants a SigV4-shaped header; it does not check the signature.
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=test")
		expect200(t, req)
	})
	t.Run("SES", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, SESEndpoint(t)+"/store", nil)
		if err != nil {
			t.Fatal(err)
		}
		expect200(t, req)
	})
}

func expect200(t *testing.T, req *http.Request) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s: %s", req.Method, req.URL, resp.Status, body)
	}
}
