package infra

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestSynth runs a real `cdk synth` of cdk.json's app, with the real bootstraps, through the CDK
// CLI the Makefile installs, and checks what only the CLI produces (asset metadata, which SAM
// needs) and, when cfn-lint is installed, what CloudFormation would reject.
func TestSynth(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CDK CLI and builds every function; skipped under -short")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cdk := filepath.Join(root, "node_modules", ".bin", "cdk")
	if _, err := os.Stat(cdk); err != nil {
		if os.Getenv("GCC_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("CDK CLI missing (%v); make tools installs it", err)
		}
		t.Skipf("CDK CLI missing (%v): run make test", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	assets := buildFunctions(ctx, t, root)
	out, tmpl := synth(ctx, t, root, cdk, assets)
	checkSynthesized(ctx, t, out, tmpl)
}

// buildFunctions builds every function for Lambda (linux/arm64, provided.al2023) into
// <temp>/<function>/bootstrap, as the Makefile does into build/.
func buildFunctions(ctx context.Context, t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	for _, fn := range FunctionNames() {
		if _, err := os.Stat(filepath.Join(root, "functions", fn, "main.go")); err != nil {
			t.Fatalf("functions/%s/main.go does not exist: every function of shared/routes (and the "+
				"notifier) needs a main package there before the stack can be synthesized (%v)", fn, err)
		}
		// lambda.norpc drops aws-lambda-go's net/rpc server, which only the retired go1.x
		// runtime used.
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc",
			"-ldflags", "-s -w", "-o", filepath.Join(dir, fn, "bootstrap"), "./functions/"+fn)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./functions/%s: %v\n%s", fn, err, b)
		}
	}
	return dir
}

// synth runs `cdk synth` from the repository root into a temporary cloud assembly and returns
// its folder and the parsed GccOnboard template.
func synth(ctx context.Context, t *testing.T, root, cdk, assets string) (string, map[string]any) {
	t.Helper()
	out := t.TempDir()
	start := time.Now()
	cmd := exec.CommandContext(ctx, cdk, "synth", "--quiet", "--no-notices",
		"-o", out, "--context", "assetDir="+assets)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
		"CDK_DISABLE_VERSION_CHECK=1",
		"CDK_DISABLE_CLI_TELEMETRY=true",
	)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, b)
	}
	t.Logf("cdk synth took %s", time.Since(start).Round(time.Second))
	path := filepath.Join(out, "GccOnboard.template.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out, tmpl
}

// checkSynthesized checks the CLI's template in the cloud assembly folder out.
func checkSynthesized(ctx context.Context, t *testing.T, out string, tmpl map[string]any) {
	t.Helper()
	fns := resources(tmpl, "AWS::Lambda::Function")
	if got, want := len(fns), len(FunctionNames()); got != want {
		t.Errorf("%d Lambda functions, want %d", got, want)
	}
	// SAM (sam local invoke -t cdk.out/...) finds each function's code through these.
	for id, fn := range fns {
		md, _ := fn["Metadata"].(obj)
		if md["aws:asset:property"] != "Code" {
			t.Errorf("%s: Metadata aws:asset:property = %v, want Code", id, md["aws:asset:property"])
		}
		p, _ := md["aws:asset:path"].(string)
		if p == "" {
			t.Errorf("%s: Metadata aws:asset:path missing", id)
			continue
		}
		st, err := os.Stat(filepath.Join(out, p, "bootstrap"))
		if err != nil {
			t.Errorf("%s: %v", id, err)
		} else if st.Mode()&0o111 == 0 {
			t.Errorf("%s: bootstrap is not executable (%v)", id, st.Mode())
		}
	}
	for _, p := range policyProblems(tmpl) {
		t.Error(p)
	}

	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Log("cfn-lint not on PATH: template not linted")
		return
	}
	// Errors fail the test; warnings are logged. W3005 (a DependsOn that a GetAtt already
	// implies) is noise the CDK emits for every function's role, so it is ignored.
	cmd := exec.CommandContext(ctx, lint, "--non-zero-exit-code", "error", "--ignore-checks", "W3005",
		"--", filepath.Join(out, "GccOnboard.template.json"))
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		t.Errorf("cfn-lint found errors (exit %d):\n%s", exit.ExitCode(), buf.String())
	case err != nil:
		t.Errorf("cfn-lint: %v", err)
	case buf.Len() > 0:
		t.Logf("cfn-lint warnings:\n%s", buf.String())
	default:
		t.Log("cfn-lint: no findings")
	}
}
