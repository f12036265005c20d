// Package testenv gives tests the local stand-ins for AWS that `make test` starts (DynamoDB
// Local, the SES v2 emulator) and the Chromium it installs, through GCC_TEST_* variables.
//
// When a variable is unset the test is skipped with a hint to run `make test`, unless
// GCC_TEST_REQUIRE_SERVICES=1 (as `make test` and CI set it), where it fails instead, so that
// CI can never pass by skipping. Under `go test -short` these tests are always skipped.
package testenv

import (
	"os"
	"testing"
)

// Names of the environment variables that scripts/services.sh and the Makefile set.
const (
	// DynamoDBEndpointVar names the variable holding DynamoDB Local's URL.
	DynamoDBEndpointVar = "GCC_TEST_DYNAMODB_ENDPOINT"
	// SESEndpointVar names the variable holding the SES v2 emulator's URL.
	SESEndpointVar = "GCC_TEST_SES_ENDPOINT"
	// ChromiumVar names the variable holding the path of the Chromium binary.
	ChromiumVar = "GCC_TEST_CHROMIUM"
	// RequireVar names the variable that, set to 1, turns a missing service into a failure.
	RequireVar = "GCC_TEST_REQUIRE_SERVICES"
)

// DynamoDBEndpoint returns the URL of DynamoDB Local (e.g. http://127.0.0.1:24476), or skips or
// fails t when it is not configured.
func DynamoDBEndpoint(t testing.TB) string {
	t.Helper()
	return lookup(t, DynamoDBEndpointVar, "DynamoDB Local")
}

// SESEndpoint returns the URL of the SES v2 emulator, whose sent mail is at GET <url>/store, or
// skips or fails t when it is not configured.
func SESEndpoint(t testing.TB) string {
	t.Helper()
	return lookup(t, SESEndpointVar, "the SES v2 emulator")
}

// Chromium returns the path of the Chromium binary for browser tests, or skips or fails t when
// it is not configured or not there.
func Chromium(t testing.TB) string {
	t.Helper()
	path := lookup(t, ChromiumVar, "Chromium")
	if _, err := os.Stat(path); err != nil {
		missing(t, ChromiumVar+"="+path+" but "+err.Error())
	}
	return path
}

// Required reports whether missing services fail tests instead of skipping them.
func Required() bool { return os.Getenv(RequireVar) == "1" }

func lookup(t testing.TB, name, what string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping: needs %s, not run with -short", what)
	}
	v := os.Getenv(name)
	if v == "" {
		missing(t, "needs "+what+" but "+name+" is unset")
	}
	return v
}

func missing(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (%s=1): `make test` sets it up", why, RequireVar)
	}
	t.Skipf("skipping: %s; run `make test` to start the services and run everything", why)
}
