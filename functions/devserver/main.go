// Command devserver serves every GCC Onboard route in one process, over an embedded store (or
// DynamoDB Local) and a mail folder, so a laptop runs exactly the handlers the Lambdas run.
//
//	go run ./functions/devserver -addr 127.0.0.1:8080 -data .data
//	go run ./functions/devserver token -data .data -role admin_agent -partner <tenantId> [-email a@b]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gcconboard/gcconboard/shared/auth/localauth"
	"github.com/gcconboard/gcconboard/shared/bolt"
	"github.com/gcconboard/gcconboard/shared/catalog"
	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/entra"
	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/seal"
	"github.com/gcconboard/gcconboard/shared/store"
	"github.com/gcconboard/gcconboard/shared/web"
)

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "token" {
		err = token(os.Args[2:], os.Stdout)
	} else {
		err = serve(os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

// config is the devserver's flags.
type config struct {
	addr, data, baseURL, reviewTeam string
	rateLimit                       float64
	dynamoEndpoint, table           string
	entraURL                        string
	invitationDays                  int
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("devserver", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&c.data, "data", ".data", "folder for the embedded store, the mail folder and the signing key")
	fs.StringVar(&c.baseURL, "base-url", "", "public base URL for links in mail (default http:// + -addr)")
	fs.StringVar(&c.reviewTeam, "review-team", "usgcce-review@gcconboard.example", "the review team's mailbox")
	fs.Float64Var(&c.rateLimit, "rate-limit", 50, "requests per second per client IP on public routes (burst 2x); 0 turns it off")
	fs.StringVar(&c.dynamoEndpoint, "dynamodb-endpoint", "", "use DynamoDB at this endpoint (e.g. DynamoDB Local) instead of the embedded store")
	fs.StringVar(&c.table, "table", "gcc-onboard", "DynamoDB table name, with -dynamodb-endpoint")
	fs.StringVar(&c.entraURL, "entra", "", "check tenant clouds against this Entra base URL (e.g. https://login.microsoftonline.com); off by default")
	fs.IntVar(&c.invitationDays, "invitation-days", 14, "days a reseller relationship invitation link works (1 to 365)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + c.addr
	}
	if c.invitationDays < 1 || c.invitationDays > 365 {
		return c, fmt.Errorf("-invitation-days %d: want 1 to 365", c.invitationDays)
	}
	return c, nil
}

func serve(args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	app, err := build(ctx, c, log)
	if err != nil {
		return err
	}
	defer app.close()
	srv := &http.Server{Addr: c.addr, Handler: app.handler, ReadHeaderTimeout: 10 * time.Second}
	go app.dispatch(ctx)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Info("GCC Onboard local server", "url", c.baseURL, "data", c.data, "mail", c.baseURL+"/dev/mail")
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// app is the assembled local server.
type app struct {
	handler http.Handler
	mail    *outbox.Deliverer
	orders  *orders.Service // the dispatcher fulfils its pending orders, as the schedule does in AWS
	wake    chan struct{}
	close   func()
}

func build(ctx context.Context, c config, log *slog.Logger) (*app, error) {
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, err
	}
	a := &app{wake: make(chan struct{}, 1), close: func() {}}
	var backend store.Backend
	if c.dynamoEndpoint != "" {
		client, err := dynamo.NewLocalClient(ctx, c.dynamoEndpoint)
		if err != nil {
			return nil, err
		}
		if err := dynamo.CreateTable(ctx, client, c.table); err != nil {
			return nil, err
		}
		backend = dynamo.New(client, c.table)
	} else {
		b, err := bolt.Open(filepath.Join(c.data, "gcc.db"))
		if err != nil {
			return nil, err
		}
		b.OnCommit(a.poke)
		backend, a.close = b, func() { b.Close() }
	}
	st := store.New(backend)
	issuer, err := localauth.OpenIssuer(c.data)
	if err != nil {
		return nil, err
	}
	var tenants onboard.TenantCloudChecker
	if c.entraURL != "" {
		tenants = entra.New(c.entraURL, nil)
	}
	// Invitation links are sealed in stored mail and answers with a key kept beside the signing key.
	sealer, err := seal.OpenDir(c.data)
	if err != nil {
		a.close()
		return nil, err
	}
	sender := outbox.FileSender{Dir: filepath.Join(c.data, "mail")}
	a.mail = &outbox.Deliverer{Outbox: st, Sender: sender, From: "no-reply@gcconboard.example", Now: time.Now, Log: log, Sealer: sealer}
	srv := &web.Server{
		Store:     st,
		Intake:    &eligibility.Intake{Store: st, Tenants: tenants, ReviewTeam: c.reviewTeam, Now: time.Now, Log: log},
		Review:    &eligibility.Review{Store: st, Now: time.Now, Log: log},
		Customers: &customers.Service{Store: st, Now: time.Now, Log: log},
		Auth:      issuer,
		Log:       log,
	}
	srv.Invitations = &invitations.Service{Store: st, Sealer: sealer, BaseURL: c.baseURL,
		Expiry: time.Duration(c.invitationDays) * 24 * time.Hour, Now: time.Now, Log: log}
	cat, err := catalog.Load()
	if err != nil {
		a.close()
		return nil, err
	}
	a.orders = &orders.Service{Store: st, Catalog: cat, Now: time.Now, Log: log}
	srv.Orders = a.orders
	h, err := srv.Handler(web.AllRoutes()...)
	if err != nil {
		a.close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", limitPublic(h, c.rateLimit))
	devMail(mux, sender)
	devSLA(mux, &eligibility.SLA{Store: st, ReviewTeam: c.reviewTeam, Log: log})
	a.handler = mux
	return a, nil
}

// poke wakes the dispatcher after a commit, without ever blocking the writer.
func (a *app) poke() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// dispatch is the local stand-in for the table stream: it delivers outbox items right after each
// commit, and every second sweeps for retries that have come due.
func (a *app) dispatch(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		// Fulfilment first, the orders function's schedule in AWS: pending orders complete here
		// within a second of their checkout.
		if _, err := a.orders.FulfilPending(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("order fulfilment", "error", err)
		}
		if _, err := a.mail.SweepDue(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("mail dispatch", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
		case <-tick.C:
		}
	}
}

// token prints a bearer token the local server accepts.
func token(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	data := fs.String("data", ".data", "the devserver's data folder (holds the signing key)")
	role := fs.String("role", "", "admin_agent, sales_agent or eligibility_reviewer")
	partner := fs.String("partner", "", "partner tenant ID (agents only)")
	email := fs.String("email", "", "the user's email (optional)")
	subject := fs.String("sub", "", "user ID (default: derived from role and email)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p := onboard.Principal{Role: onboard.Role(*role), PartnerID: *partner, Email: *email, Subject: *subject}
	switch p.Role {
	case onboard.RoleAdminAgent, onboard.RoleSalesAgent:
		if !onboard.IsTenantID(p.PartnerID) {
			return fmt.Errorf("-partner must be the partner's tenant ID (a GUID) for %s", p.Role)
		}
	case onboard.RoleEligibilityReviewer:
	default:
		return fmt.Errorf("-role must be admin_agent, sales_agent or eligibility_reviewer")
	}
	if p.Subject == "" {
		p.Subject = "local:" + string(p.Role) + ":" + p.Email
	}
	issuer, err := localauth.OpenIssuer(*data)
	if err != nil {
		return err
	}
	t, err := issuer.Mint(p, localauth.TokenTTL)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, t)
	return err
}
