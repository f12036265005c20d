package web

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gcconboard/gcconboard/shared/customers"
	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/invitations"
	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/orders"
	"github.com/gcconboard/gcconboard/shared/routes"
	"github.com/gcconboard/gcconboard/shared/store"
)

//go:embed openapi.yaml
var openAPI []byte

// Authenticator turns a request's credentials into a Principal. In Lambda it reads the claims the
// API Gateway JWT authorizer verified; on the local server it verifies a token it minted itself.
type Authenticator interface {
	Authenticate(r *http.Request) (onboard.Principal, error)
}

// Server holds what the handlers need. A Lambda sets only the services its routes use.
type Server struct {
	Store  *store.Store
	Intake *eligibility.Intake
	Review *eligibility.Review
	Auth   Authenticator
	Log    *slog.Logger
	// ClientIP returns the caller's address; nil means the connection's remote address.
	ClientIP func(*http.Request) string

	// Invitations runs reseller relationship invitations.
	Invitations *invitations.Service

	// Customers runs the partner's customer accounts and their qualifications.
	Customers *customers.Service

	// Orders runs the catalog, carts, checkout and orders.
	Orders *orders.Service
}

type ctxKey int

const (
	routeKey ctxKey = iota
	principalKey
)

// Routes is one function's share of the route table (routes.For) with the handlers that serve
// it. A Lambda names only its own (web.IntakeRoutes(), ...), so its binary links only those
// handlers and the services they call; the local server mounts AllRoutes().
type Routes struct {
	function string
	handlers func(*Server) map[string]http.HandlerFunc // "METHOD /path", as in the route table
}

func IntakeRoutes() Routes      { return Routes{routes.Intake, (*Server).intakeHandlers} }
func ReviewRoutes() Routes      { return Routes{routes.Review, (*Server).reviewHandlers} }
func CustomersRoutes() Routes   { return Routes{routes.Customers, (*Server).customerHandlers} }
func InvitationsRoutes() Routes { return Routes{routes.Invitations, (*Server).invitationHandlers} }
func OrdersRoutes() Routes      { return Routes{routes.Orders, (*Server).orderHandlers} }

// AllRoutes is every function's routes, as the local server serves them.
func AllRoutes() []Routes {
	return []Routes{IntakeRoutes(), ReviewRoutes(), CustomersRoutes(), InvitationsRoutes(), OrdersRoutes()}
}

// Handler serves the given functions' routes. It fails if a route has no handler or a handler no
// route, so the route table and the code cannot drift apart.
func (s *Server) Handler(parts ...Routes) (http.Handler, error) {
	if len(parts) == 0 {
		return nil, errors.New("web: no routes to serve")
	}
	mux := http.NewServeMux()
	for _, part := range parts {
		handlers, table := part.handlers(s), routes.For(part.function)
		if len(handlers) != len(table) {
			return nil, fmt.Errorf("web: %s has %d handlers for its %d routes", part.function, len(handlers), len(table))
		}
		for _, rt := range table {
			h, ok := handlers[rt.Method+" "+rt.Path]
			if !ok {
				return nil, fmt.Errorf("web: route %s %s has no handler", rt.Method, rt.Path)
			}
			if !rt.Public() && s.Auth == nil {
				return nil, fmt.Errorf("web: route %s %s needs an Authenticator", rt.Method, rt.Path)
			}
			mux.Handle(rt.Pattern(), s.route(rt, h))
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, onboard.Errorf(onboard.ErrNotFound, "No such resource."), s.log())
	})
	return s.middleware(mux), nil
}

// route authenticates and authorizes a staff route (checking the role before anything else) and
// records the route for error mapping.
func (s *Server) route(rt routes.Route, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), routeKey, rt)
		if !rt.Public() {
			p, err := s.Auth.Authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="gcc-onboard"`)
				writeProblem(w, r, err, s.log())
				return
			}
			if !slices.Contains(rt.Roles, p.Role) {
				writeProblem(w, r, onboard.Errorf(onboard.ErrForbidden, "Your role may not do this."), s.log())
				return
			}
			if p.IsAgent() && !onboard.IsTenantID(p.PartnerID) {
				writeProblem(w, r, onboard.Errorf(onboard.ErrForbidden, "Your token names no partner."), s.log())
				return
			}
			ctx = context.WithValue(ctx, principalKey, p)
		}
		h(w, r.WithContext(ctx))
	})
}

// principal returns the authenticated caller of a staff route.
func principal(r *http.Request) onboard.Principal {
	p, _ := r.Context().Value(principalKey).(onboard.Principal)
	return p
}

func publicRoute(r *http.Request) bool {
	rt, ok := r.Context().Value(routeKey).(routes.Route)
	return ok && rt.Public()
}

// middleware adds what every route gets: panic recovery, cross-origin protection for unsafe
// methods, and one access-log line (route pattern, never the path: paths may carry tokens).
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, onboard.Errorf(onboard.ErrForbidden, "Cross-origin form posts are refused."), s.log())
	}))
	next = cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				s.log().ErrorContext(r.Context(), "panic", "route", r.Pattern, "panic", fmt.Sprint(v))
				if !rec.wrote {
					writeProblem(rec, r, errors.New("panic"), s.log())
				}
			}
			s.log().InfoContext(r.Context(), "request", "method", r.Method, "route", r.Pattern, "status", rec.status,
				"ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (s *Server) clientIP(r *http.Request) string {
	if s.ClientIP != nil {
		return s.ClientIP(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// wantsHTML reports whether the caller is a browser that should get a page, not JSON.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(openAPI)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, http.StatusOK, homePage())
}
