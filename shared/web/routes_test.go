package web

import (
	"slices"
	"testing"

	"github.com/gcconboard/gcconboard/shared/routes"
)

// Every function in the route table has its Routes in AllRoutes, once, so the local server
// serves everything a Lambda does.
func TestAllRoutesCoversEveryFunction(t *testing.T) {
	var got []string
	for _, r := range AllRoutes() {
		got = append(got, r.function)
	}
	want := routes.Functions()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("AllRoutes serves %v; the route table has %v", got, want)
	}
	if _, err := (&Server{}).Handler(); err == nil {
		t.Error("Handler with no routes succeeded")
	}
}
