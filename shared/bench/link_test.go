package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// reflectiveSymbols are functions whose presence in a binary means it executes text/template or
// html/template. Template execution calls reflect.Value.MethodByName, and a binary that can reach
// that call keeps every exported method of every type (the linker can no longer tell which are
// unused): 1.8 MB more per Lambda and a slower cold start. Pages and mail are compiled templ
// components instead; only the local server may execute Go templates.
var reflectiveSymbols = []string{"text/template.(*state).evalField", "text/template.(*state).evalCall"}

// TestFunctionsDoNotExecuteGoTemplates links every function (as make build does, but keeping the
// symbol table) and looks for template execution in it. go list cannot tell: templ imports
// html/template without executing it.
func TestFunctionsDoNotExecuteGoTemplates(t *testing.T) {
	if testing.Short() {
		t.Skip("links every function")
	}
	wd, _ := os.Getwd()
	root, err := Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := Functions(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := []string{"build", "-trimpath", "-tags", "lambda.norpc", "-o", dir + string(filepath.Separator)}
	for _, fn := range append(fns, "devserver") {
		args = append(args, "./functions/"+fn)
	}
	build := exec.Command("go", args...)
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	symbols := func(t *testing.T, name string) []byte {
		out, err := exec.Command("go", "tool", "nm", filepath.Join(dir, name)).Output()
		if err != nil {
			t.Fatalf("go tool nm %s: %v", name, err)
		}
		return out
	}
	// The local server renders its mail viewer with html/template: the check can see execution.
	if dev := symbols(t, "devserver"); !bytes.Contains(dev, []byte(reflectiveSymbols[0])) {
		t.Fatalf("devserver, which executes html/template, shows no %s: the check cannot see it", reflectiveSymbols[0])
	}
	for _, fn := range fns {
		t.Run(fn, func(t *testing.T) {
			syms := symbols(t, fn)
			for _, s := range reflectiveSymbols {
				if bytes.Contains(syms, []byte(s)) {
					t.Errorf("links %s: it executes a Go template", s)
				}
			}
		})
	}
}

// TestTemplGenerated checks that every committed *_templ.go is what `make generate` makes of its
// .templ file now.
func TestTemplGenerated(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	sources, _ := filepath.Glob(filepath.Join(root, "shared", "*", "*.templ"))
	if len(sources) == 0 {
		t.Fatal("no .templ files under shared/: the check would check nothing")
	}
	check := exec.Command("go", "tool", "templ", "generate", "-check", "-path", "shared") // as make generate
	check.Dir = root
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("generated code is stale (run make generate): %v\n%s", err, out)
	}
}
