package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/testenv"
	"github.com/gcconboard/gcconboard/shared/web"
)

// Prices used for the cost figures: DynamoDB on-demand, us-east-1.
const (
	pricePerMillionWRU = 0.625 // USD per million write request units
	pricePerMillionRRU = 0.125 // USD per million read request units
)

// Targets from issue 8.
const (
	targetInitOverHello = 3 * time.Millisecond
	targetSizeRatio     = 1.8
	targetThroughput    = 0.5
)

// hello is the name of the floor's binary among the functions'.
const hello = "hello-world"

// references are reference binaries built beside the functions (shared/bench/testdata/<name>).
var references = []string{"hello-dynamodb-env", "hello-three-clients"}

// Knobs, from the environment.
var (
	benchStarts      = envInt("GCC_BENCH_STARTS", 100, 20) // cold starts per binary (at least 20)
	benchInvocations = envInt("GCC_BENCH_INVOCATIONS", 300, 20)
	benchSeconds     = envInt("GCC_BENCH_SECONDS", 5, 1) // per throughput run
	benchWorkers     = envInt("GCC_BENCH_WORKERS", 8, 1)
	benchCount       = envInt("GCC_BENCH_COUNT", 5, 1) // go test -bench -count
)

func envInt(name string, def, least int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return max(v, least)
	}
	return def
}

// binary is one function (or the hello-world floor) as built and started.
type binary struct {
	name           string
	reference      bool   // a reference point, not a function: no targets, no warm invocations
	host           string // path of the host build
	hostSize, arm  int64
	buildErr       error
	inits          []time.Duration
	initErr        error
	initTrace      []pkgInit
	initTraceTotal time.Duration
	warmEvent      string
	warm           []time.Duration
	warmAnswers    map[string]int
	warmErr        error
}

type pkgInit struct {
	pkg   string
	clock time.Duration
}

// report collects every section's figures and renders them.
type report struct {
	t        *testing.T
	root     string
	tmp      string
	started  time.Time
	endpoint string // DynamoDB Local, "" when not running
	ses      string
	bins     []*binary // hello first, then the functions
	devBin   string
	notes    []string // section failures, shown in the report

	inProcess   []warmRow
	steps       []StepTotals
	journeyErr  error
	throughput  []loadRow
	streamCost  [2]time.Duration // the intake's transaction on DynamoDB Local, p50: with the stream, without
	benchOutput string
	benchErr    error
}

type warmRow struct {
	what    string
	ds      []time.Duration
	answers map[string]int
}

type loadRow struct {
	what    string
	n       int
	secs    float64
	ds      []time.Duration
	answers map[string]int
	mails   int // mail the local server's dispatcher delivered meanwhile
}

func (l loadRow) rate() float64 { return float64(l.answers["201"]+l.answers["ok"]) / l.secs }

// TestReport runs every measurement and writes the report to GCC_BENCH_REPORT.
func TestReport(t *testing.T) {
	out := os.Getenv("GCC_BENCH_REPORT")
	if out == "" {
		t.Skip("set GCC_BENCH_REPORT=<file> (make bench) to run the benchmarks and write the report")
	}
	wd, _ := os.Getwd()
	root, err := Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(wd, out)
	}
	r := &report{t: t, root: root, tmp: t.TempDir(), started: time.Now(),
		endpoint: os.Getenv(testenv.DynamoDBEndpointVar), ses: os.Getenv(testenv.SESEndpointVar)}
	ctx := context.Background()

	r.section("build", func() error { return r.build(ctx) })
	r.section("cold start", r.coldStarts)
	r.section("init trace", r.initTraces)
	if r.endpoint == "" {
		r.notes = append(r.notes, "DynamoDB Local is not running ("+testenv.DynamoDBEndpointVar+" unset): warm invocations, requests per step and throughput were skipped; run `make bench`.")
	} else {
		r.section("warm invocations", func() error { return r.warmInvocations(ctx) })
		r.section("in-process invocations", func() error { return r.inProcessInvocations(ctx) })
		r.section("requests per step", func() error { return r.journey(ctx) })
		r.section("throughput", func() error { return r.loads(ctx) })
	}
	r.section("handler benchmarks", func() error { return r.handlerBenchmarks(ctx) })

	md := r.markdown()
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Println(md)
	fmt.Println("wrote", out)
}

// section runs one measurement; a failure is reported (and fails the test) without stopping the
// others, so one broken function still leaves a report of the rest.
func (r *report) section(name string, fn func() error) {
	start := time.Now()
	err := fn()
	fmt.Fprintf(os.Stderr, "bench: %s done in %s\n", name, time.Since(start).Round(time.Millisecond))
	if err != nil {
		r.t.Errorf("%s: %v", name, err)
		r.notes = append(r.notes, name+": "+err.Error())
	}
}

// build builds the hello-world floor, every function and the local server for the host (to
// time them) and for linux/arm64 (the deployed size), with `make build`'s flags.
func (r *report) build(ctx context.Context) error {
	fns, err := Functions(r.root)
	if err != nil {
		return err
	}
	pkgs := map[string]string{hello: "./shared/bench/testdata/hello"}
	r.bins = []*binary{{name: hello, reference: true}}
	for _, ref := range references {
		pkgs[ref] = "./shared/bench/testdata/" + ref
		r.bins = append(r.bins, &binary{name: ref, reference: true})
	}
	for _, fn := range fns {
		pkgs[fn] = "./functions/" + fn
		r.bins = append(r.bins, &binary{name: fn})
	}
	var wg sync.WaitGroup
	var devErr error
	sem := make(chan struct{}, 2) // go build parallelizes inside; two at a time keeps memory sane
	for _, b := range r.bins {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			host := filepath.Join(r.tmp, "host", b.name, "bootstrap")
			arm := filepath.Join(r.tmp, "arm64", b.name, "bootstrap")
			if err := Build(ctx, r.root, pkgs[b.name], runtime.GOOS, runtime.GOARCH, host); err != nil {
				b.buildErr = err
				return
			}
			if err := Build(ctx, r.root, pkgs[b.name], "linux", "arm64", arm); err != nil {
				b.buildErr = err
				return
			}
			b.host, b.hostSize, b.arm = host, fileSize(host), fileSize(arm)
		})
	}
	wg.Go(func() {
		sem <- struct{}{}
		defer func() { <-sem }()
		dev := filepath.Join(r.tmp, "host", "devserver", "devserver")
		if err := Build(ctx, r.root, "./functions/devserver", runtime.GOOS, runtime.GOARCH, dev); err != nil {
			devErr = err
			return
		}
		r.devBin = dev
	})
	wg.Wait()
	var errs []error
	if devErr != nil {
		errs = append(errs, fmt.Errorf("devserver: %w", devErr))
	}
	for _, b := range r.bins {
		if b.buildErr != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b.name, b.buildErr))
		}
	}
	if r.bins[0].buildErr != nil {
		return fmt.Errorf("the hello-world floor did not build: %w", errors.Join(errs...))
	}
	return errors.Join(errs...)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// binary returns the binary named name, or nil.
func (r *report) binary(name string) *binary {
	for _, b := range r.bins {
		if b.name == name {
			return b
		}
	}
	return nil
}

// functions returns the functions' binaries (not the references).
func (r *report) functions() []*binary {
	var out []*binary
	for _, b := range r.bins {
		if !b.reference {
			out = append(out, b)
		}
	}
	return out
}

func (r *report) built() []*binary {
	var out []*binary
	for _, b := range r.bins {
		if b.buildErr == nil && b.host != "" {
			out = append(out, b)
		}
	}
	return out
}

func (r *report) env(fn, table string) []string {
	home := filepath.Join(r.tmp, "home")
	os.MkdirAll(home, 0o700)
	return LambdaEnv(fn, home, table, r.endpoint, r.ses)
}

// coldStarts times exec → first GET /next for every binary, benchStarts times each, one start of
// each binary per round in a rotating order, so machine noise falls on all of them alike. One
// untimed round first loads every binary into the page cache.
func (r *report) coldStarts() error {
	stub, err := NewRuntimeStub()
	if err != nil {
		return err
	}
	defer stub.Close()
	bins := r.built()
	for round := -1; round < benchStarts; round++ {
		for i := range bins {
			b := bins[(i+max(round, 0))%len(bins)]
			if b.initErr != nil {
				continue
			}
			p, d, err := StartFunction(b.host, r.env(b.name, "bench-init"), stub, 10*time.Second)
			if err != nil {
				b.initErr = err
				continue
			}
			p.Stop()
			if round >= 0 {
				b.inits = append(b.inits, d)
			}
		}
	}
	var errs []error
	for _, b := range bins {
		if b.initErr != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b.name, b.initErr))
		}
	}
	return errors.Join(errs...)
}

// initTraceLine is a line of GODEBUG=inittrace=1: "init <pkg> @<t> ms, <clock> ms clock, ...".
var initTraceLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock`)

// initTraces starts each binary a few times with GODEBUG=inittrace=1 and keeps the mean clock
// time of each package's init: what runs before main.
func (r *report) initTraces() error {
	const runs = 5
	stub, err := NewRuntimeStub()
	if err != nil {
		return err
	}
	defer stub.Close()
	for _, b := range r.built() {
		if b.initErr != nil {
			continue
		}
		sum := map[string]time.Duration{}
		for range runs {
			p, _, err := StartFunction(b.host, append(r.env(b.name, "bench-init"), "GODEBUG=inittrace=1"), stub, 10*time.Second)
			if err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			p.Stop()
			sc := bufio.NewScanner(strings.NewReader(p.Output()))
			for sc.Scan() {
				if m := initTraceLine.FindStringSubmatch(sc.Text()); m != nil {
					ms, _ := strconv.ParseFloat(m[2], 64)
					sum[m[1]] += time.Duration(ms * float64(time.Millisecond))
				}
			}
		}
		for pkg, d := range sum {
			b.initTrace = append(b.initTrace, pkgInit{pkg, d / runs})
			b.initTraceTotal += d / runs
		}
		sort.Slice(b.initTrace, func(i, j int) bool { return b.initTrace[i].clock > b.initTrace[j].clock })
	}
	return nil
}

// representative names the event each function is invoked with when warm; a function not named
// here gets its first events/<fn>-*.json.
var representative = map[string]string{
	"intake":      "intake-partner-json",
	"review":      "review-queue",
	"customers":   "customers-create-commercial",
	"invitations": "invitations-list",
	"notifier":    "notifier-stream-outbox-insert", // delivers a real pending item, to the SES emulator
	"orders":      "orders-products-government",
	"sla":         "sla-schedule",
}

func (r *report) event(fn string) (string, map[string]any, error) {
	name := representative[fn]
	if name == "" {
		matches, _ := filepath.Glob(filepath.Join(r.root, "events", fn+"-*.json"))
		if len(matches) == 0 {
			return "", nil, fmt.Errorf("no events/%s-*.json", fn)
		}
		sort.Strings(matches)
		name = strings.TrimSuffix(filepath.Base(matches[0]), ".json")
	}
	data, err := os.ReadFile(filepath.Join(r.root, "events", name+".json"))
	if err != nil {
		return "", nil, err
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	return name, ev, nil
}

var guid = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// fresh returns ev with every tenant ID (GUID) in its HTTP body and its Idempotency-Key replaced
// by new ones, so that each invocation creates something new instead of hitting the duplicate
// rule or replaying the first answer.
func fresh(ev map[string]any) []byte {
	c := maps.Clone(ev)
	if h, ok := c["headers"].(map[string]any); ok {
		if _, ok := h["idempotency-key"]; ok {
			h = maps.Clone(h)
			h["idempotency-key"] = NewTenantID()
			c["headers"] = h
		}
	}
	if body, ok := c["body"].(string); ok {
		repl := map[string]string{}
		c["body"] = guid.ReplaceAllStringFunc(body, func(g string) string {
			k := strings.ToLower(g)
			if _, ok := repl[k]; !ok {
				repl[k] = NewTenantID()
			}
			return repl[k]
		})
	}
	data, _ := json.Marshal(c)
	return data
}

// eventPartner returns the partner tenant in an API Gateway event's JWT claims, if any.
func eventPartner(ev map[string]any) string {
	v := any(ev)
	for _, k := range []string{"requestContext", "authorizer", "jwt", "claims", "custom:partner_id"} {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// answer classifies a function's answer: the HTTP status of an API Gateway response, else "ok"
// or "error".
func answer(res Result) string {
	if res.Err {
		return "error"
	}
	var v struct {
		StatusCode int `json:"statusCode"`
	}
	if json.Unmarshal(res.Body, &v) == nil && v.StatusCode != 0 {
		return strconv.Itoa(v.StatusCode)
	}
	var batch struct {
		Failures []any `json:"batchItemFailures"`
	}
	if json.Unmarshal(res.Body, &batch) == nil && len(batch.Failures) > 0 {
		return "batch item failure"
	}
	return "ok"
}

// warmInvocations starts every function at once, each on its own new table on DynamoDB Local,
// and feeds each its representative event benchInvocations times (after 20 untimed ones), one
// invocation of each function per round, so that noise from the machine and from DynamoDB Local
// falls on all of them alike.
func (r *report) warmInvocations(ctx context.Context) error {
	client, err := dynamo.NewLocalClient(ctx, r.endpoint)
	if err != nil {
		return err
	}
	var errs []error
	var running []*warmFunction
	defer func() {
		for _, w := range running {
			w.stop()
		}
	}()
	for _, b := range r.built() {
		if b.reference {
			continue
		}
		w, err := r.startWarm(ctx, client, b)
		if err != nil {
			b.warmErr = err
			errs = append(errs, fmt.Errorf("%s: %w", b.name, err))
			continue
		}
		running = append(running, w)
	}
	for i := range 20 + benchInvocations {
		for _, w := range running {
			b := w.b
			if b.warmErr != nil {
				continue
			}
			payload := fresh(w.ev)
			if w.mail != nil {
				id, err := w.mail()
				if err != nil {
					b.warmErr = err
					errs = append(errs, fmt.Errorf("%s: %w", b.name, err))
					continue
				}
				payload = bytes.ReplaceAll(payload, []byte(fixtureMail), []byte(id))
			}
			ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
			res, err := w.stub.Invoke(ictx, payload)
			cancel()
			if err != nil {
				b.warmErr = fmt.Errorf("%w; output: %s", err, tail(w.p.Output()))
				errs = append(errs, fmt.Errorf("%s: %w", b.name, b.warmErr))
				continue
			}
			if i >= 20 {
				b.warm = append(b.warm, res.Took)
				b.warmAnswers[answer(res)]++
			}
		}
	}
	return errors.Join(errs...)
}

// warmFunction is one function running for warm invocations.
type warmFunction struct {
	b    *binary
	ev   map[string]any
	stub *RuntimeStub
	p    *Process
	stop func()
	// mail, for an outbox stream event, returns a pending outbox item for the next invocation to
	// deliver (the event's item made real), made beforehand and not timed.
	mail func() (string, error)
}

// fixtureMail is the outbox item the stream fixture names.
const fixtureMail = "ml_fixture1"

// pendingMail returns a source of pending outbox items on j's store: each intake makes two.
func pendingMail(ctx context.Context, j *Journey) func() (string, error) {
	var queue []string
	used := map[string]bool{}
	return func() (string, error) {
		if len(queue) == 0 {
			if err := j.step(ctx, "", "POST", "/v1/eligibility/partner", "", PartnerIntake(NewTenantID()), "", 201, nil); err != nil {
				return "", err
			}
			due, err := j.Store.DueNotifications(ctx, time.Now().Add(time.Minute), 100)
			if err != nil {
				return "", err
			}
			for _, n := range due {
				if !used[n.ID] {
					queue = append(queue, n.ID)
				}
			}
			if len(queue) == 0 {
				return "", errors.New("no pending outbox item after an intake")
			}
		}
		id := queue[0]
		queue, used[id] = queue[1:], true
		return id, nil
	}
}

func (r *report) startWarm(ctx context.Context, client *dynamodb.Client, b *binary) (*warmFunction, error) {
	name, ev, err := r.event(b.name)
	if err != nil {
		return nil, err
	}
	b.warmEvent, b.warmAnswers = name, map[string]int{}
	table := fmt.Sprintf("bench-warm-%s-%d", b.name, time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		return nil, err
	}
	dropTable := func() { dynamo.DeleteTable(context.Background(), client, table) }
	j, err := NewJourney(store.New(dynamo.New(client, table)), NewCounter(), filepath.Join(r.tmp, "seed-"+b.name))
	if err != nil {
		dropTable()
		return nil, err
	}
	// The agent in the event works for a GCC-qualified partner, as it would in use.
	if partner := eventPartner(ev); partner != "" {
		if err := j.QualifyPartner(ctx, partner); err != nil {
			dropTable()
			return nil, err
		}
	}
	var mail func() (string, error)
	if raw, _ := json.Marshal(ev); bytes.Contains(raw, []byte(fixtureMail)) {
		mail = pendingMail(ctx, j)
	}
	stub, err := NewRuntimeStub()
	if err != nil {
		dropTable()
		return nil, err
	}
	p, _, err := StartFunction(b.host, r.env(b.name, table), stub, 10*time.Second)
	if err != nil {
		stub.Close()
		dropTable()
		return nil, err
	}
	return &warmFunction{b: b, ev: ev, stub: stub, p: p, mail: mail, stop: func() {
		p.Stop()
		stub.Close()
		dropTable()
	}}, nil
}

// inProcessInvocations calls the intake function's own handler (the Lambda's wiring, minus the
// runtime loop) with the same partner intake event, over the embedded store and over DynamoDB
// Local: the handler's share of a warm invocation, without the Runtime API round trip.
func (r *report) inProcessInvocations(ctx context.Context) error {
	_, ev, err := r.event("intake")
	if err != nil {
		return err
	}
	bb, err := bolt.Open(filepath.Join(r.tmp, "inprocess.db"))
	if err != nil {
		return err
	}
	defer bb.Close()
	client, err := dynamo.NewLocalClient(ctx, r.endpoint)
	if err != nil {
		return err
	}
	table := fmt.Sprintf("bench-inprocess-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		return err
	}
	defer dynamo.DeleteTable(context.Background(), client, table)
	for _, backend := range []struct {
		what string
		b    store.Backend
	}{{"embedded store (bbolt)", bb}, {"DynamoDB Local", dynamo.New(client, table)}} {
		h, err := intakeAdapter(store.New(backend.b))
		if err != nil {
			return err
		}
		row := warmRow{what: "intake handler in process, " + backend.what, answers: map[string]int{}}
		for i := range 20 + benchInvocations {
			var req events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(fresh(ev), &req); err != nil {
				return err
			}
			start := time.Now()
			res, err := h.ProxyWithContext(ctx, req)
			took := time.Since(start)
			if err != nil {
				return err
			}
			if i >= 20 {
				row.ds = append(row.ds, took)
				row.answers[strconv.Itoa(res.StatusCode)]++
			}
		}
		r.inProcess = append(r.inProcess, row)
	}
	return nil
}

// intakeAdapter is functions/intake's newHandler (a main package cannot be imported).
func intakeAdapter(st *store.Store) (*httpadapter.HandlerAdapterV2, error) {
	quiet := slog.New(slog.DiscardHandler)
	srv := &web.Server{Store: st, Log: quiet,
		Intake: &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: time.Now, Log: quiet}}
	h, err := srv.Handler(web.IntakeRoutes())
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h), nil
}

// journey counts the DynamoDB requests and capacity of one complete onboarding.
func (r *report) journey(ctx context.Context) error {
	counter := NewCounter()
	client, err := dynamo.NewLocalClient(ctx, r.endpoint, counter.Attach)
	if err != nil {
		return err
	}
	table := fmt.Sprintf("bench-journey-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		return err
	}
	defer dynamo.DeleteTable(context.Background(), client, table)
	j, err := NewJourney(store.New(dynamo.New(client, table)), counter, filepath.Join(r.tmp, "journey"))
	if err != nil {
		return err
	}
	if err := j.Run(ctx); err != nil {
		r.journeyErr = err
		return err
	}
	r.steps = Totals(counter.Calls())
	return nil
}

// loads measures intake throughput: DynamoDB Local taking the intake's own transaction directly,
// the local server (functions/devserver, build() with -dynamodb-endpoint) taking intakes over
// HTTP, and the intake handler alone over HTTP; each benchSeconds with benchWorkers clients,
// each on its own table, two rounds interleaved.
func (r *report) loads(ctx context.Context) error {
	client, err := dynamo.NewLocalClient(ctx, r.endpoint)
	if err != nil {
		return err
	}
	tmpl, err := r.intakeTransaction(ctx, client)
	if err != nil {
		return err
	}
	if err := r.measureStreamCost(ctx, tmpl); err != nil {
		return err
	}
	rows := map[string]*loadRow{}
	add := func(l loadRow) {
		if prev, ok := rows[l.what]; ok {
			prev.n += l.n
			prev.secs += l.secs
			prev.ds = append(prev.ds, l.ds...)
			for k, v := range l.answers {
				prev.answers[k] += v
			}
			prev.mails += l.mails
			return
		}
		rows[l.what] = &l
	}
	var errs []error
	for range 2 {
		l, err := r.rawLoad(ctx, client, tmpl)
		if err != nil {
			errs = append(errs, err)
		} else {
			add(l)
		}
		if r.devBin != "" {
			l, err := r.devserverLoad(ctx, client)
			if err != nil {
				errs = append(errs, err)
			} else {
				add(l)
			}
		}
		l, err = r.handlerLoad(ctx, client)
		if err != nil {
			errs = append(errs, err)
		} else {
			add(l)
		}
	}
	for _, what := range []string{rawWhat, devWhat, handlerWhat} {
		if l, ok := rows[what]; ok {
			r.throughput = append(r.throughput, *l)
		}
	}
	return errors.Join(errs...)
}

const (
	rawWhat     = "DynamoDB Local, the intake's TransactWriteItems issued directly"
	devWhat     = "local server (devserver -dynamodb-endpoint), POST /v1/eligibility/partner"
	handlerWhat = "intake handler alone over HTTP (no mail dispatcher), POST /v1/eligibility/partner"
)

// intakeTransaction captures the TransactWriteItems a partner intake makes.
func (r *report) intakeTransaction(ctx context.Context, client *dynamodb.Client) (*dynamodb.TransactWriteItemsInput, error) {
	var captured *dynamodb.TransactWriteItemsInput
	capture := func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("capture", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if tw, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok {
					captured = tw
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	}
	table := fmt.Sprintf("bench-capture-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		return nil, err
	}
	defer dynamo.DeleteTable(context.Background(), client, table)
	c2, err := dynamo.NewLocalClient(ctx, r.endpoint, capture)
	if err != nil {
		return nil, err
	}
	h, err := intakeAdapter(store.New(dynamo.New(c2, table)))
	if err != nil {
		return nil, err
	}
	_, ev, err := r.event("intake")
	if err != nil {
		return nil, err
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(fresh(ev), &req); err != nil {
		return nil, err
	}
	res, err := h.ProxyWithContext(ctx, req)
	if err != nil || res.StatusCode != 201 || captured == nil {
		return nil, fmt.Errorf("capturing the intake's transaction: %d %v %s", res.StatusCode, err, res.Body)
	}
	return captured, nil
}

// measureStreamCost times the intake's transaction, one at a time, on a table as the stack
// defines it (with its stream) and on one without the stream.
func (r *report) measureStreamCost(ctx context.Context, tmpl *dynamodb.TransactWriteItemsInput) error {
	for i, opts := range [][]dynamo.TableOption{nil, {dynamo.WithoutStream}} {
		client, err := dynamo.NewLocalClient(ctx, r.endpoint)
		if err != nil {
			return err
		}
		table := fmt.Sprintf("bench-stream-%d-%d", i, time.Now().UnixNano())
		if err := dynamo.CreateTable(ctx, client, table, opts...); err != nil {
			return err
		}
		var ds []time.Duration
		for n := range 25 {
			start := time.Now()
			_, err := client.TransactWriteItems(ctx, rawCopy(tmpl, table, fmt.Sprintf("#s%d", n)))
			if err != nil {
				dynamo.DeleteTable(context.Background(), client, table)
				return err
			}
			if n >= 5 {
				ds = append(ds, time.Since(start))
			}
		}
		dynamo.DeleteTable(context.Background(), client, table)
		r.streamCost[i] = Median(ds)
	}
	return nil
}

// rawCopy returns the captured transaction retargeted to table with every key made unique by
// suffix: the same items and conditions, new keys, no client request token (the SDK adds one, as
// it does for the store).
func rawCopy(tmpl *dynamodb.TransactWriteItemsInput, table, suffix string) *dynamodb.TransactWriteItemsInput {
	in := &dynamodb.TransactWriteItemsInput{TransactItems: make([]types.TransactWriteItem, len(tmpl.TransactItems))}
	for i, ti := range tmpl.TransactItems {
		if ti.Put == nil {
			in.TransactItems[i] = ti
			continue
		}
		p := *ti.Put
		p.TableName = &table
		p.Item = maps.Clone(p.Item)
		for _, k := range []string{store.AttrPK, store.AttrSK} {
			p.Item[k] = &types.AttributeValueMemberS{Value: str(p.Item[k]) + suffix}
		}
		in.TransactItems[i] = types.TransactWriteItem{Put: &p}
	}
	return in
}

// run calls do from benchWorkers goroutines for benchSeconds and collects latencies and answers.
func run(do func(worker, i int) string) ([]time.Duration, map[string]int, float64) {
	type sample struct {
		d   time.Duration
		ans string
	}
	deadline := time.Now().Add(time.Duration(benchSeconds) * time.Second)
	results := make([][]sample, benchWorkers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range benchWorkers {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				ans := do(w, i)
				results[w] = append(results[w], sample{time.Since(t0), ans})
			}
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	var ds []time.Duration
	answers := map[string]int{}
	for _, rs := range results {
		for _, s := range rs {
			ds = append(ds, s.d)
			answers[s.ans]++
		}
	}
	return ds, answers, secs
}

func (r *report) rawLoad(ctx context.Context, client *dynamodb.Client, tmpl *dynamodb.TransactWriteItemsInput) (loadRow, error) {
	table := fmt.Sprintf("bench-raw-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		return loadRow{}, err
	}
	defer dynamo.DeleteTable(context.Background(), client, table)
	ds, answers, secs := run(func(w, i int) string {
		in := rawCopy(tmpl, table, fmt.Sprintf("#w%d-%d", w, i))
		if _, err := client.TransactWriteItems(ctx, in); err != nil {
			return "error"
		}
		return "ok"
	})
	return loadRow{what: rawWhat, n: len(ds), secs: secs, ds: ds, answers: answers}, nil
}

// devserverLoad starts the local server on DynamoDB Local and posts partner intakes to it.
func (r *report) devserverLoad(ctx context.Context, client *dynamodb.Client) (loadRow, error) {
	table := fmt.Sprintf("bench-devserver-%d", time.Now().UnixNano())
	// Created here without its stream; the server's own CreateTable then finds it.
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		return loadRow{}, err
	}
	defer dynamo.DeleteTable(context.Background(), client, table)
	addr, err := freeAddr()
	if err != nil {
		return loadRow{}, err
	}
	data := filepath.Join(r.tmp, "devserver-"+table)
	cmd := exec.Command(r.devBin, "-addr", addr, "-data", data, "-dynamodb-endpoint", r.endpoint, "-table", table, "-rate-limit", "0")
	var out limitedBuffer
	out.max = 64 << 10
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	if err := cmd.Start(); err != nil {
		return loadRow{}, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	base := "http://" + addr
	if err := waitHealthy(base, 90*time.Second); err != nil {
		return loadRow{}, fmt.Errorf("devserver: %w: %s", err, tail(out.String()))
	}
	l := postLoad(devWhat, base)
	mails, _ := filepath.Glob(filepath.Join(data, "mail", "*"))
	l.mails = len(mails)
	return l, nil
}

// handlerLoad serves the intake function's handler over HTTP in this process.
func (r *report) handlerLoad(ctx context.Context, client *dynamodb.Client) (loadRow, error) {
	table := fmt.Sprintf("bench-handler-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table, dynamo.WithoutStream); err != nil {
		return loadRow{}, err
	}
	defer dynamo.DeleteTable(context.Background(), client, table)
	st := store.New(dynamo.New(client, table))
	quiet := slog.New(slog.DiscardHandler)
	srv := &web.Server{Store: st, Log: quiet,
		Intake: &eligibility.Intake{Store: st, ReviewTeam: "review@gcconboard.example", Now: time.Now, Log: quiet}}
	h, err := srv.Handler(web.IntakeRoutes())
	if err != nil {
		return loadRow{}, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return loadRow{}, err
	}
	hs := &http.Server{Handler: h}
	go hs.Serve(l)
	defer hs.Close()
	return postLoad(handlerWhat, "http://"+l.Addr().String()), nil
}

// postLoad posts partner intakes with fresh tenants to base.
func postLoad(what, base string) loadRow {
	body, _ := json.Marshal(PartnerIntake("00000000-0000-4000-8000-000000000000"))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchWorkers}}
	ds, answers, secs := run(func(w, i int) string {
		b := bytes.Replace(body, []byte("00000000-0000-4000-8000-000000000000"), []byte(NewTenantID()), 1)
		req, _ := http.NewRequest("POST", base+"/v1/eligibility/partner", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			return "error"
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return strconv.Itoa(res.StatusCode)
	})
	return loadRow{what: what, n: len(ds), secs: secs, ds: ds, answers: answers}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s/healthz within %s", base, timeout)
}

// handlerBenchmarks runs the handler benchmarks (go test -bench) and keeps their output.
func (r *report) handlerBenchmarks(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", ".", "-benchmem",
		"-count", strconv.Itoa(benchCount), "./shared/web/", "./shared/outbox/")
	cmd.Dir = r.root
	out, err := cmd.CombinedOutput()
	r.benchOutput = string(out)
	if err != nil {
		r.benchErr = err
		return fmt.Errorf("go test -bench: %w", err)
	}
	return nil
}

// ---- rendering ---------------------------------------------------------------------------

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func yes(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

func answers(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	hb := r.bins[0]
	p("# GCC Onboard benchmarks")
	p("")
	p("Generated by `make bench` (shared/bench, `TestReport`) on %s in %s. Do not edit by hand.",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), time.Since(r.started).Round(time.Second))
	p("")
	p("Machine: `nproc` = %s, %s, %s/%s; %s.", command("nproc"), cpuModel(), runtime.GOOS, runtime.GOARCH, command("go", "version"))
	p("Absolute figures are this machine's; the ratios to the hello-world floor, measured in the same run, are what carries over.")
	p("")
	for _, n := range r.notes {
		p("> **Problem:** %s", strings.ReplaceAll(n, "\n", " "))
		p("")
	}

	// Targets.
	p("## Targets (issue 8)")
	p("")
	p("| target | measured | |")
	p("|---|---|---|")
	helloInit := Median(hb.inits)
	for _, f := range r.functions() {
		if len(f.inits) > 0 && len(hb.inits) > 0 {
			over := Median(f.inits) - helloInit
			p("| %s init ≤ hello-world + 3 ms (median) | %s (+%s) | %s |", f.name, ms(Median(f.inits)), ms(over), yes(over <= targetInitOverHello))
		}
	}
	if floor, notifier := r.binary("hello-three-clients"), r.binary("notifier"); floor != nil && notifier != nil && len(floor.inits) > 0 && len(notifier.inits) > 0 {
		p("| (notifier over its three AWS clients alone, `hello-three-clients` at +%s) | +%s | |",
			ms(Median(floor.inits)-helloInit), ms(Median(notifier.inits)-Median(floor.inits)))
	}
	for _, f := range r.functions() {
		if f.arm > 0 && hb.arm > 0 {
			ratio := float64(f.arm) / float64(hb.arm)
			p("| %s binary ≤ 1.8 × hello-world (linux/arm64) | %s = %.2f × | %s |", f.name, mb(f.arm), ratio, yes(ratio <= targetSizeRatio))
		}
	}
	for _, s := range r.steps {
		if s.Step == StepPartnerIntake {
			p("| partner intake ≤ 1 write request and ≤ 1 read | %d write (%s), %d read | %s |", s.Writes, requests(s.Requests), s.Reads,
				yes(s.Writes <= 1 && s.Reads <= 1))
		}
	}
	if len(r.throughput) == 3 {
		raw, dev, h := r.throughput[0].rate(), r.throughput[1].rate(), r.throughput[2].rate()
		p("| local server intake throughput ≥ 0.5 × raw DynamoDB Local | %.0f vs %.0f /s = %.2f × | %s |", dev, raw, dev/raw, yes(dev/raw >= targetThroughput))
		p("| (the intake handler alone, without the local server's mail dispatcher) | %.0f vs %.0f /s = %.2f × | |", h, raw, h/raw)
	}
	p("")

	// Size and cold start.
	p("## Binary size and cold start")
	p("")
	p("Every bootstrap and the hello-world floor (`shared/bench/testdata/hello`: `lambda.Start` of a function returning a string) built alike:")
	p("`CGO_ENABLED=0 go build %s`. Init is exec → the first `GET /2018-06-01/runtime/invocation/next` on a Runtime API stub on", strings.Join(quoteFlags(BuildFlags), " "))
	p("127.0.0.1, the binary built for this host; %d starts per binary after one untimed round, one start of each binary per round in a rotating order.", benchStarts)
	p("Environment as in Lambda: region, static credentials, no shared config files, the stack's variables.")
	p("Two reference points sit between the floor and the functions: `hello-dynamodb-env` is hello-world plus one DynamoDB call, with its")
	p("`aws.Config` built from the Lambda environment as the functions build theirs (`shared/lambdamain`): what the AWS SDK alone costs.")
	p("`hello-three-clients` adds the SES v2 and KMS clients: the floor of the notifier, the one function that needs all three.")
	p("")
	p("| function | linux/arm64 | × hello | %s/%s | init p50 | init p90 | p50 − hello | × hello |", runtime.GOOS, runtime.GOARCH)
	p("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, f := range r.bins {
		if f.buildErr != nil {
			p("| %s | build failed | | | | | | |", f.name)
			continue
		}
		row := fmt.Sprintf("| %s | %s | %.2f | %s |", f.name, mb(f.arm), float64(f.arm)/float64(max(hb.arm, 1)), mb(f.hostSize))
		if len(f.inits) > 0 {
			m := Median(f.inits)
			row += fmt.Sprintf(" %s | %s | %+.2f ms | %.2f |", ms(m), ms(Percentile(f.inits, 0.9)),
				float64(m-helloInit)/float64(time.Millisecond), float64(m)/float64(max(helloInit, 1)))
		} else {
			row += " failed | | | |"
		}
		p("%s", row)
	}
	p("")
	p("What runs before `main` (`GODEBUG=inittrace=1`, mean of %d starts; package inits only, `main`'s own work is the rest of the init time):", 5)
	p("")
	p("| function | package inits | largest |")
	p("|---|---:|---|")
	for _, f := range r.bins {
		if len(f.initTrace) == 0 {
			continue
		}
		var top []string
		for _, pi := range f.initTrace[:min(4, len(f.initTrace))] {
			top = append(top, fmt.Sprintf("%s %s", strings.TrimPrefix(pi.pkg, "github.com/"), ms(pi.clock)))
		}
		p("| %s | %s | %s |", f.name, ms(f.initTraceTotal), strings.Join(top, "; "))
	}
	p("")

	// Warm invocations.
	p("## Warm invocations")
	p("")
	p("Every function started at once, each on its own new table on DynamoDB Local (the events' partner made GCC-qualified first); its")
	p("representative event fed through the stub %d times after 20 untimed ones, one invocation of each function per round (tenant IDs", benchInvocations)
	p("and Idempotency-Keys in the event made new each time, so every intake or creation is a new one). Time: the event written → the")
	p("response received, so it includes the runtime's own HTTP round trip, as on Lambda. The in-process rows call the intake function's")
	p("handler directly: the embedded-store figure is the handler's own cost.")
	p("")
	p("| function | event | p50 | p99 | answers |")
	p("|---|---|---:|---:|---|")
	for _, f := range r.functions() {
		switch {
		case len(f.warm) > 0:
			p("| %s | %s | %s | %s | %s |", f.name, f.warmEvent, ms(Median(f.warm)), ms(Percentile(f.warm, 0.99)), answers(f.warmAnswers))
		case f.warmErr != nil:
			p("| %s | %s | failed | | %s |", f.name, f.warmEvent, strings.ReplaceAll(tail(f.warmErr.Error()), "|", "/"))
		}
	}
	for _, w := range r.inProcess {
		p("| %s | intake-partner-json | %s | %s | %s |", w.what, ms(Median(w.ds)), ms(Percentile(w.ds, 0.99)), answers(w.answers))
	}
	p("")

	// Requests and cost.
	if len(r.steps) > 0 {
		p("## DynamoDB requests and capacity per step")
		p("")
		p("One complete onboarding (shared/bench/journey.go) through the Lambdas' handlers in process, over DynamoDB Local, every call")
		p("counted by an SDK middleware that also asks for `ReturnConsumedCapacity` (the store itself does not). WRU/RRU are computed")
		p("from the items' sizes by AWS's on-demand rules: a transactional write (Put, Delete, ConditionCheck) 2 WRU per started KB of")
		p("the larger of the old and new item; each write to the `gsi1` index (all attributes projected) 1 WRU per started KB, twice when")
		p("the item moves between index keys; a strongly consistent read 1 RRU per started 4 KB, an index query half. DynamoDB Local's own")
		p("figures are shown beside them: it bills a transactional write 4 units per KB where AWS bills 2, so they are not used for cost.")
		p("")
		p("| step | what | requests | write req. | read req. | WRU | RRU | DynamoDB Local reported |")
		p("|---|---|---|---:|---:|---:|---:|---:|")
		var tot StepTotals
		for _, s := range r.steps {
			p("| %s | %s | %s | %d | %d | %g | %g | %g |", s.Step, StepNote[s.Step], requests(s.Requests), s.Writes, s.Reads, s.WRU, s.RRU, s.Reported)
			tot.Writes += s.Writes
			tot.Reads += s.Reads
			tot.WRU += s.WRU
			tot.RRU += s.RRU
			tot.Reported += s.Reported
		}
		p("| **one onboarding** | | | %d | %d | %g | %g | %g |", tot.Writes, tot.Reads, tot.WRU, tot.RRU, tot.Reported)
		p("")
		cw := tot.WRU * 1000 / 1e6 * pricePerMillionWRU
		cr := tot.RRU * 1000 / 1e6 * pricePerMillionRRU
		p("**On-demand cost per 1,000 complete onboardings: $%.4f** (writes $%.4f + reads $%.4f), at us-east-1 on-demand prices:", cw+cr, cw, cr)
		p("$%.3f per million write request units, $%.3f per million read request units (transactional writes: 2 WRU per KB).", pricePerMillionWRU, pricePerMillionRRU)
		p("Not included: storage, the stream (free for Lambda triggers), Lambda, API Gateway and SES.")
		p("")
	}

	// Throughput.
	if len(r.throughput) > 0 {
		p("## Intake throughput against DynamoDB Local")
		p("")
		p("%d concurrent clients, %d s per run, two runs of each interleaved, each run on its own new table. The direct row issues the very", benchWorkers, benchSeconds)
		p("TransactWriteItems a partner intake makes (captured from one, keys made unique), so the ratio is our overhead: HTTP, decoding,")
		p("validation, rendering two mails, encoding the items, and on the local server its mail dispatcher, which shares DynamoDB Local.")
		p("")
		p("Tables are created as the stack defines them minus the stream (`dynamo.WithoutStream`): on a table with a stream DynamoDB Local")
		p("takes %s (p50) for the intake's 7-item transaction, against %s without it, which would only measure that. The tests create", ms(r.streamCost[0]), ms(r.streamCost[1]))
		p("their tables without it too, except those of the notifier's stream path.")
		p("")
		p("| what | per second | p50 | p99 | answers |")
		p("|---|---:|---:|---:|---|")
		for _, l := range r.throughput {
			p("| %s | %.0f | %s | %s | %s |", l.what, l.rate(), ms(Median(l.ds)), ms(Percentile(l.ds, 0.99)), answers(l.answers))
		}
		for _, l := range r.throughput {
			if l.what == devWhat {
				p("")
				p("Meanwhile the local server's mail dispatcher (a sweep every second, one mail at a time) delivered %d of the %d mails", l.mails, 2*l.answers["201"])
				p("those intakes queued, each a read and two transactions on the same DynamoDB Local.")
			}
		}
		p("")
	}

	// Handler benchmarks.
	p("## Handler benchmarks")
	p("")
	p("`go test -run '^$' -bench . -benchmem -count %d ./shared/web/ ./shared/outbox/` (benchstat-friendly; the handlers over the embedded", benchCount)
	p("store, in process, without HTTP transport):")
	p("")
	p("```")
	p("%s", strings.TrimSpace(r.benchOutput))
	p("```")
	return b.String()
}

func requests(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

func quoteFlags(flags []string) []string {
	out := slices.Clone(flags)
	for i, f := range out {
		if strings.Contains(f, " ") {
			out[i] = `"` + f + `"`
		}
	}
	return out
}
