package bench

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/gcconboard/gcconboard/"

// forbidden are packages no Lambda may link (prefixes): the CDK and its runtime, the browser
// driver and the embedded store of the local server, test helpers.
var forbidden = []string{
	"github.com/aws/aws-cdk-go/", "github.com/aws/constructs-go/", "github.com/aws/jsii-runtime-go",
	"github.com/chromedp/", "go.etcd.io/bbolt", module + "shared/bolt", module + "infra",
	module + "shared/testenv", module + "events/fixture", "testing", "net/http/httptest",
	"net/rpc", // built with -tags lambda.norpc, aws-lambda-go leaves its RPC server out
	// lambdamain builds aws.Config from the Lambda environment; the config package would link the
	// SSO, STS and sign-in clients and run their init in every cold start.
	"github.com/aws/aws-sdk-go-v2/config",
	"time/tzdata", // 450 KB for one zone: shared/onboard embeds America/New_York alone
	// API Gateway's JWT authorizer verifies staff tokens; a Lambda neither signs nor verifies one.
	"github.com/golang-jwt/jwt", module + "shared/auth/localauth",
}

// forbiddenFor are packages a particular function may not link: the notifier serves no route
// and renders nothing (mail is rendered when its outbox item is written), so it links no HTTP
// code and no templates: it starts as fast as its three AWS clients allow.
var forbiddenFor = map[string][]string{
	"notifier": {module + "shared/web", module + "shared/mail", module + "shared/auth", "github.com/a-h/templ",
		"github.com/awslabs/aws-lambda-go-api-proxy"},
}

// devserverForbidden are packages not even the local server may link.
var devserverForbidden = []string{
	"github.com/aws/aws-cdk-go/", "github.com/aws/constructs-go/", "github.com/aws/jsii-runtime-go",
	"github.com/chromedp/", module + "infra", "testing",
}

// clients maps an AWS service client package to the infra.FunctionSpec rights that let a
// function use it: a function the stack does not allow to use a service must not link its
// client (size and cold start for nothing).
var clients = map[string][]string{
	"github.com/aws/aws-sdk-go-v2/service/sesv2": {"SendMail"},
	"github.com/aws/aws-sdk-go-v2/service/kms":   {"Seal", "Unseal"},
}

// TestFunctionImports checks what each function's binary links (go list -deps, with the build
// tags of make build): never the CDK, the browser driver, the embedded store or test helpers,
// and an AWS service client only if the function's stack entry (infra.Specs) grants that service.
func TestFunctionImports(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := Functions(root)
	if err != nil {
		t.Fatal(err)
	}
	rights, err := specRights(root)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := listDeps(root, append(fns, "devserver"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range fns {
		t.Run(fn, func(t *testing.T) {
			// A Lambda links the runtime client; if not, the listing was not read right.
			if !slices.Contains(deps[fn], "github.com/aws/aws-lambda-go/lambda") {
				t.Fatalf("go list shows no github.com/aws/aws-lambda-go/lambda among %d deps", len(deps[fn]))
			}
			for _, dep := range deps[fn] {
				for _, bad := range slices.Concat(forbidden, forbiddenFor[fn]) {
					if within(dep, bad) {
						t.Errorf("links %s", dep)
					}
				}
				if allowedBy, ok := clients[dep]; ok && !anyRight(rights[fn], allowedBy) {
					t.Errorf("links %s, but its entry in infra.Specs grants none of %v", dep, allowedBy)
				}
			}
		})
	}
	t.Run("devserver", func(t *testing.T) {
		for _, dep := range deps["devserver"] {
			for _, bad := range devserverForbidden {
				if within(dep, bad) {
					t.Errorf("links %s", dep)
				}
			}
		}
	})
}

// within reports whether package dep is pkg or inside it; a pkg ending in "/" is a prefix of
// module paths (github.com/chromedp/ covers chromedp and cdproto).
func within(dep, pkg string) bool {
	if strings.HasSuffix(pkg, "/") {
		return strings.HasPrefix(dep, pkg)
	}
	return dep == pkg || strings.HasPrefix(dep, pkg+"/")
}

func TestWithin(t *testing.T) {
	cases := []struct {
		dep, pkg string
		want     bool
	}{
		{"testing", "testing", true},
		{"testing/iotest", "testing", true},
		{"testingx", "testing", false},
		{"github.com/chromedp/cdproto/cdp", "github.com/chromedp/", true},
		{"go.etcd.io/bbolt/errors", "go.etcd.io/bbolt", true},
		{"github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/aws/aws-cdk-go/", false},
	}
	for _, c := range cases {
		if got := within(c.dep, c.pkg); got != c.want {
			t.Errorf("within(%q, %q) = %v, want %v", c.dep, c.pkg, got, c.want)
		}
	}
}

// TestSpecRights checks that infra.Specs is read from source as the stack means it.
func TestSpecRights(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	rights, err := specRights(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := rights["notifier"]; !got["SendMail"] || !got["ReadTable"] {
		t.Errorf("notifier's rights %v, want SendMail and ReadTable among them", got)
	}
	if got := rights["intake"]; got == nil || got["SendMail"] {
		t.Errorf("intake's rights %v, want an entry without SendMail", got)
	}
}

func anyRight(have map[string]bool, want []string) bool {
	for _, w := range want {
		if have[w] {
			return true
		}
	}
	return false
}

// listDeps returns every package each function links, by function name.
func listDeps(root string, fns []string) (map[string][]string, error) {
	args := []string{"list", "-tags", "lambda.norpc", "-f", `{{.ImportPath}} {{join .Deps " "}}`}
	for _, fn := range fns {
		args = append(args, "./functions/"+fn)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return nil, fmt.Errorf("go list: %w: %s", err, ee.Stderr)
		}
		return nil, err
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		deps[strings.TrimPrefix(fields[0], module+"functions/")] = fields[1:]
	}
	return deps, nil
}

// specRights reads infra.Specs from infra/stack.go without importing the CDK: for each function
// name, the boolean rights its FunctionSpec sets to true. Function names given as constants of
// shared/routes are resolved from that package's source.
func specRights(root string) (map[string]map[string]bool, error) {
	fset := token.NewFileSet()
	consts := map[string]string{}
	pkgs, err := parser.ParseDir(fset, filepath.Join(root, "shared", "routes"), nil, 0)
	if err != nil {
		return nil, err
	}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								consts[name.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				}
			}
		}
	}
	f, err := parser.ParseFile(fset, filepath.Join(root, "infra", "stack.go"), nil, 0)
	if err != nil {
		return nil, err
	}
	var specs *ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && vs.Names[0].Name == "Specs" && len(vs.Values) == 1 {
			specs, _ = vs.Values[0].(*ast.CompositeLit)
		}
		return specs == nil
	})
	if specs == nil {
		return nil, fmt.Errorf("infra/stack.go: no `var Specs = map[string]FunctionSpec{...}`")
	}
	rights := map[string]map[string]bool{}
	for _, elt := range specs.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		var name string
		switch k := kv.Key.(type) {
		case *ast.BasicLit:
			name, _ = strconv.Unquote(k.Value)
		case *ast.SelectorExpr:
			name = consts[k.Sel.Name]
		}
		if name == "" {
			return nil, fmt.Errorf("infra/stack.go: cannot resolve the Specs key at %s", fset.Position(kv.Pos()))
		}
		rights[name] = map[string]bool{}
		if v, ok := kv.Value.(*ast.CompositeLit); ok {
			for _, field := range v.Elts {
				if fkv, ok := field.(*ast.KeyValueExpr); ok {
					if id, ok := fkv.Value.(*ast.Ident); ok && id.Name == "true" {
						rights[name][fmt.Sprint(fkv.Key)] = true
					}
				}
			}
		}
	}
	return rights, nil
}
