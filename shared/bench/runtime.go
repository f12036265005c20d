package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RuntimeStub is a Lambda Runtime API (2018-06-01) on 127.0.0.1 for one function process at a
// time: it reports when the process first asks for work (the end of its init) and hands it
// invocations, timing each from the moment the event is sent to the moment the response arrives.
type RuntimeStub struct {
	// Addr is host:port, the value of AWS_LAMBDA_RUNTIME_API.
	Addr string

	srv     *http.Server
	polled  chan time.Time   // one value per GET /next, when it arrived
	events  chan *invocation // invocations waiting for a GET /next
	mu      sync.Mutex       // guards sent and initErr
	sent    map[string]*invocation
	ids     int
	initErr string
}

type invocation struct {
	id      string
	payload []byte
	sentAt  time.Time
	done    chan Result
}

// Result is a function's answer to one invocation.
type Result struct {
	Body []byte
	Err  bool // the function reported an error (POST .../error)
	// Took is from writing the event to the function to receiving its answer.
	Took time.Duration
}

// NewRuntimeStub starts a stub on a free 127.0.0.1 port; Close stops it.
func NewRuntimeStub() (*RuntimeStub, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &RuntimeStub{Addr: l.Addr().String(), polled: make(chan time.Time, 1024), events: make(chan *invocation),
		sent: map[string]*invocation{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.answer(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.answer(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.initErr = string(body)
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	s.srv = &http.Server{Handler: mux}
	go s.srv.Serve(l)
	return s, nil
}

// Close stops the stub.
func (s *RuntimeStub) Close() error { return s.srv.Close() }

// InitError returns what the function posted to /runtime/init/error, if anything.
func (s *RuntimeStub) InitError() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr
}

func (s *RuntimeStub) next(w http.ResponseWriter, r *http.Request) {
	select {
	case s.polled <- time.Now():
	default:
	}
	var inv *invocation
	select {
	case inv = <-s.events:
	case <-r.Context().Done():
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
	inv.sentAt = time.Now() // before the mutex, so the answer's handler sees it
	s.mu.Lock()
	s.sent[inv.id] = inv
	s.mu.Unlock()
	w.Write(inv.payload)
}

func (s *RuntimeStub) answer(failed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		at := time.Now()
		s.mu.Lock()
		inv := s.sent[r.PathValue("id")]
		delete(s.sent, r.PathValue("id"))
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		if inv != nil {
			inv.done <- Result{Body: body, Err: failed, Took: at.Sub(inv.sentAt)}
		}
	}
}

// Invoke hands payload to the function's next GET /next and waits for its answer.
func (s *RuntimeStub) Invoke(ctx context.Context, payload []byte) (Result, error) {
	s.mu.Lock()
	s.ids++
	inv := &invocation{id: fmt.Sprintf("bench-%d", s.ids), payload: payload, done: make(chan Result, 1)}
	s.mu.Unlock()
	select {
	case s.events <- inv:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("no GET /next from the function: %w", ctx.Err())
	}
	select {
	case res := <-inv.done:
		return res, nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("no answer from the function: %w", ctx.Err())
	}
}

// Process is a function binary started against a RuntimeStub.
type Process struct {
	cmd    *exec.Cmd
	output *limitedBuffer
	exited chan struct{}
}

// StartFunction starts bin with env (plus AWS_LAMBDA_RUNTIME_API for stub) and returns when it
// has asked for its first invocation, with the time from exec to that request: the init time
// Lambda would bill. It fails if the process exits or does not ask within timeout.
func StartFunction(bin string, env []string, stub *RuntimeStub, timeout time.Duration) (*Process, time.Duration, error) {
	// Drain stale polls: each start must be timed by its own first request.
	for len(stub.polled) > 0 {
		<-stub.polled
	}
	cmd := exec.Command(bin)
	cmd.Env = append(append([]string(nil), env...), "AWS_LAMBDA_RUNTIME_API="+stub.Addr)
	out := &limitedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	p := &Process{cmd: cmd, output: out, exited: make(chan struct{})}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	select {
	case at := <-stub.polled:
		return p, at.Sub(start), nil
	case <-p.exited:
		return nil, 0, fmt.Errorf("%s exited before asking for work: %s %s", bin, cmd.ProcessState, tail(out.String(), stub.InitError()))
	case <-time.After(timeout):
		p.Stop()
		return nil, 0, fmt.Errorf("%s did not ask for work within %s: %s", bin, timeout, tail(out.String(), stub.InitError()))
	}
}

// Stop kills the process and waits for it.
func (p *Process) Stop() {
	p.cmd.Process.Kill()
	<-p.exited
}

// Output is what the process wrote (its first 64 KB).
func (p *Process) Output() string { return p.output.String() }

func tail(parts ...string) string {
	s := strings.TrimSpace(strings.Join(parts, " "))
	if len(s) > 600 {
		s = s[len(s)-600:]
	}
	return s
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// LambdaEnv is the environment a function gets in the benchmarks: what Lambda sets (region,
// static credentials, function name, no shared config files), the stack's variables, and
// endpoints for DynamoDB and SES v2 when given (AWS_ENDPOINT_URL_<SERVICE>, read by the SDK).
func LambdaEnv(fn, home, table, dynamoEndpoint, sesEndpoint string) []string {
	env := []string{
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_SESSION_TOKEN=bench",
		"AWS_LAMBDA_FUNCTION_NAME=" + fn, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"HOME=" + home, "AWS_CONFIG_FILE=" + home + "/no-config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/no-credentials",
		"AWS_EC2_METADATA_DISABLED=true",
		"TABLE_NAME=" + table, "MAIL_FROM=no-reply@gcconboard.example", "REVIEW_TEAM_EMAIL=review@gcconboard.example",
		"PUBLIC_BASE_URL=https://onboard.gcconboard.example", "TENANT_CHECK=off",
		"KMS_KEY_ID=arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
	}
	if dynamoEndpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL_DYNAMODB="+dynamoEndpoint)
	}
	if sesEndpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL_SESV2="+sesEndpoint)
	}
	return env
}

// ErrNoFunctions is returned by Functions when the folder holds none.
var ErrNoFunctions = errors.New("bench: no functions/<name>/main.go found")

// Functions lists the Lambdas: every functions/<name>/main.go under root except the local
// server's, sorted, so new functions are measured without a change here.
func Functions(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "devserver" {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); err == nil {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		return nil, ErrNoFunctions
	}
	return out, nil
}

// BuildFlags are the flags `make build` builds every bootstrap with (CGO_ENABLED=0 is set in
// the environment): the benchmarks build the same way.
var BuildFlags = []string{"-trimpath", "-tags", "lambda.norpc", "-ldflags", "-s -w"}

// Build builds the package at pkg (relative to root) for goos/goarch into out, as `make build`
// does, and returns the go tool's output on failure.
func Build(ctx context.Context, root, pkg, goos, goarch, out string) error {
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s (%s/%s): %w\n%s", pkg, goos, goarch, err, tail(string(msg)))
	}
	return nil
}

// Root returns the module's root: the nearest folder at or above dir holding go.mod.
func Root(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("bench: no go.mod at or above %s", dir)
		}
	}
}
