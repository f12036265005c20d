package web

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/gcconboard/gcconboard/shared/routes"
)

// TestOpenAPICoversRoutes checks that the served OpenAPI document describes every route of the
// route table with its method, and states the roles of every staff route.
func TestOpenAPICoversRoutes(t *testing.T) {
	ops := map[string]string{} // "METHOD /path" → the operation's text
	var path, method string
	sc := bufio.NewScanner(bytes.NewReader(openAPI))
	inPaths := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && !strings.HasPrefix(line, " "):
			inPaths = false
		case inPaths && strings.HasPrefix(line, "  /") && strings.HasSuffix(line, ":"):
			path = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case inPaths && len(line) > 4 && line[:4] == "    " && line[4] != ' ' && strings.HasSuffix(line, ":"):
			method = strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(line), ":"))
		case inPaths && method != "":
			ops[method+" "+path] += line + "\n"
		}
	}
	for _, rt := range routes.All {
		op, ok := ops[rt.Method+" "+rt.Path]
		if !ok {
			t.Errorf("openapi.yaml does not describe %s %s", rt.Method, rt.Path)
			continue
		}
		for _, role := range rt.Roles {
			if !strings.Contains(op, "- "+string(role)) {
				t.Errorf("%s %s: x-roles does not list %s", rt.Method, rt.Path, role)
			}
		}
		if rt.Public() && !strings.Contains(op, "security: []") {
			t.Errorf("%s %s is public but the document asks for a token", rt.Method, rt.Path)
		}
	}
}
