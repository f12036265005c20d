package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/testenv"
)

// TestLoad drives the local server, backed by DynamoDB Local, with concurrent mixed traffic for
// GCC_LOADTEST_SECONDS (make test: 3; make loadtest: 30), then reconciles: no 5xx, every accepted
// intake is stored, and requests sent = requests stored + rejections.
func TestLoad(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("GCC_LOADTEST_SECONDS"))
	if secs <= 0 {
		t.Skip("set GCC_LOADTEST_SECONDS (make loadtest) to run the load test")
	}
	endpoint := testenv.DynamoDBEndpoint(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	table := fmt.Sprintf("load-%d", time.Now().UnixNano())
	app, err := build(ctx, config{addr: "127.0.0.1:0", data: t.TempDir(), baseURL: "http://127.0.0.1", reviewTeam: "review@example.gov",
		dynamoEndpoint: endpoint, table: table}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer app.close()
	client, _ := dynamo.NewLocalClient(ctx, endpoint)
	t.Cleanup(func() { dynamo.DeleteTable(context.Background(), client, table) })
	srv := httptest.NewServer(app.handler)
	defer srv.Close()

	type result struct {
		kind   string
		status int
		took   time.Duration
		id     string
	}
	const workers = 16
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	results := make([][]result, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				kind, body := "valid", loadIntake(w, i)
				switch i % 10 {
				case 7:
					kind, body["partnerType"] = "invalid", "indirect_reseller"
				case 8:
					kind, body = "duplicate", loadIntake(w, i-2) // iteration 6 of this ten: a created request
				case 9:
					kind = "page"
				}
				start := time.Now()
				var res *http.Response
				var err error
				if kind == "page" {
					res, err = http.Get(srv.URL + "/forms/partner-eligibility")
				} else {
					data, _ := json.Marshal(body)
					res, err = http.Post(srv.URL+"/v1/eligibility/partner", "application/json", bytes.NewReader(data))
				}
				if err != nil {
					t.Error(err)
					return
				}
				var rc struct{ ID string }
				data, _ := io.ReadAll(res.Body)
				res.Body.Close()
				json.Unmarshal(data, &rc)
				results[w] = append(results[w], result{kind, res.StatusCode, time.Since(start), rc.ID})
			}
		})
	}
	wg.Wait()
	all := slices.Concat(results...)
	var took []time.Duration
	count := map[string]int{}
	var created []string
	for _, r := range all {
		took = append(took, r.took)
		count[fmt.Sprintf("%s %d", r.kind, r.status)]++
		if r.status >= 500 {
			t.Errorf("%s answered %d", r.kind, r.status)
		}
		if r.status == 201 {
			created = append(created, r.id)
		}
	}
	st := store.New(dynamo.New(client, table))
	stored, err := st.Requests(ctx, onboard.StatusSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range created {
		if _, err := st.Request(ctx, id); err != nil {
			t.Errorf("accepted request %s not found: %v", id, err)
		}
	}
	posts := len(all) - count["page 200"]
	rejected := count["invalid 422"] + count["duplicate 409"]
	if len(stored) != len(created) || posts != len(created)+rejected {
		t.Errorf("reconcile: %d posts = %d created + %d rejected? stored %d; by outcome %v", posts, len(created), rejected, len(stored), count)
	}
	slices.Sort(took)
	p := func(q float64) time.Duration { return took[int(q*float64(len(took)-1))] }
	t.Logf("load: %d requests in %ds with %d workers = %.0f req/s; p50 %v, p99 %v; outcomes %v",
		len(all), secs, workers, float64(len(all))/float64(secs), p(0.50), p(0.99), count)
}

func loadIntake(w, i int) map[string]any {
	tenant := fmt.Sprintf("%08x-0000-4000-8000-%012x", w+1, i)
	return map[string]any{
		"organizationName": "Load Test Org", "partnerTenantId": tenant, "partnerType": "direct_bill",
		"cspEnrolled": true, "governmentSegments": []string{"federal"},
		"contact":     map[string]any{"name": "Ana Li", "email": "ana@contoso.example", "phone": "+1 202 555 0100"},
		"address":     map[string]any{"line1": "1 Main St", "city": "Arlington", "state": "VA", "postalCode": "22201", "country": "US"},
		"attestation": map[string]any{"signerName": "Ana Li", "signerTitle": "CEO", "agree": true, "termsVersion": "2025-01"},
	}
}
