package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestFloodGets429WhileOthersGetThrough floods the public routes from one address until it is
// refused, while another address still gets its answer.
func TestFloodGets429WhileOthersGetThrough(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := limitPublic(ok, 50)
	srv := httptest.NewUnstartedServer(h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	from := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	flooder, neighbour := from("127.0.0.1"), from("127.0.0.2")
	// 300 requests from 10 connections at once: far beyond 50 a second even on a slow machine.
	var refused atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 30 {
				res, err := flooder.Get(srv.URL + "/healthz")
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode == http.StatusTooManyRequests {
					refused.Add(1)
					if res.Header.Get("Retry-After") == "" {
						t.Error("429 without Retry-After")
					}
				}
			}
		})
	}
	wg.Wait()
	if refused.Load() == 0 {
		t.Fatal("300 requests at once from one address were never limited")
	}
	res, err := neighbour.Get(srv.URL + "/healthz")
	if err != nil {
		t.Skipf("cannot send from 127.0.0.2 here: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("another address got %d during the flood", res.StatusCode)
	}
	// A made-up Authorization header does not make a public route exempt (the limiter refills
	// 50 a second, so a few may pass; not all of a burst).
	bogus := 0
	for range 20 {
		req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
		req.Header.Set("Authorization", "Bearer x")
		if res, err := flooder.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusTooManyRequests {
				bogus++
			}
		}
	}
	if bogus == 0 {
		t.Errorf("20 flood requests with a bogus token all got through")
	}
	// Staff routes are not limited here (API Gateway throttles them in AWS).
	if res, err := flooder.Get(srv.URL + "/v1/eligibility/requests"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("a staff route was limited")
	}
	t.Logf("%d of 300 flood requests refused", refused.Load())
}
