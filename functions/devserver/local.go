package main

import (
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/outbox"
	"github.com/gcconboard/gcconboard/shared/routes"
)

// limitPublic limits each client IP to perSecond requests a second (burst twice that) on the
// public routes of the route table, answering 429 with Retry-After beyond it. Staff routes are
// left to API Gateway's stage throttling in AWS; a request counts as public by its route, never by
// its headers, so a made-up Authorization header does not escape the limit.
func limitPublic(next http.Handler, perSecond float64) http.Handler {
	if perSecond <= 0 {
		return next
	}
	public := http.NewServeMux()
	for _, rt := range routes.All {
		if rt.Public() {
			public.Handle(rt.Pattern(), next)
		}
	}
	var mu sync.Mutex
	limiters := map[string]*rate.Limiter{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := public.Handler(r); pattern != "" {
			ip, _, _ := net.SplitHostPort(r.RemoteAddr)
			mu.Lock()
			l, ok := limiters[ip]
			if !ok {
				l = rate.NewLimiter(rate.Limit(perSecond), int(2*perSecond))
				limiters[ip] = l
			}
			mu.Unlock()
			if !l.Allow() {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusTooManyRequests)
				json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Too Many Requests", "status": 429,
					"code": "TooManyRequests", "detail": "Too many requests from your address; retry in a second."})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

var mailPage = template.Must(template.New("mail").Funcs(template.FuncMap{
	"trusted": func(s string) template.HTML { return template.HTML(s) }, // our own rendered, escaped mail
}).Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local mail · GCC Onboard</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:56rem;margin:1rem auto;padding:0 1rem}
article{border:1px solid #ccd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}h2{font-size:1.05rem;margin:.3rem 0}
.meta{color:#555;font-size:.9rem}</style></head><body>
<h1>Mail sent by the local server ({{len .}})</h1><p class="meta">Newest first. JSON: <a href="/dev/mail.json">/dev/mail.json</a></p>
{{range .}}<article><h2>{{.Subject}}</h2><p class="meta">To {{range .To}}{{.}} {{end}}· {{.SentAt.Format "2006-01-02 15:04:05 MST"}}</p>
<div>{{trusted .HTML}}</div></article>{{else}}<p>No mail yet.</p>{{end}}</body></html>`))

// devMail mounts /dev/mail and /dev/mail.json, which exist only on the local server.
func devMail(mux *http.ServeMux, sender outbox.FileSender) {
	mux.HandleFunc("GET /dev/mail", func(w http.ResponseWriter, r *http.Request) {
		items, err := sender.List()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		mailPage.Execute(w, items)
	})
	mux.HandleFunc("GET /dev/mail.json", func(w http.ResponseWriter, r *http.Request) {
		items, err := sender.List()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"totalCount": len(items), "items": items})
	})
}

// devSLA mounts POST /dev/sla/run[?at=RFC3339], which runs the daily SLA check on demand (the
// scheduled Lambda's job), optionally as if it were another time.
func devSLA(mux *http.ServeMux, sla *eligibility.SLA) {
	mux.HandleFunc("POST /dev/sla/run", func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		if v := r.URL.Query().Get("at"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				http.Error(w, "at must be an RFC 3339 time", http.StatusBadRequest)
				return
			}
			at = t
		}
		rep, err := sla.Run(r.Context(), at)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rep)
	})
}
