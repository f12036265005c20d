package entra

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// cloudHosts are the hosts a tenant's document points at; they differ between the global and the
// US Government clouds.
type cloudHosts struct{ login, graph, rbac string }

var (
	global = cloudHosts{"login.microsoftonline.com", "graph.microsoft.com", "https://pas.windows.net"}
	usGov  = cloudHosts{"login.microsoftonline.us", "graph.microsoft.us", "https://pasff.usgovcloudapi.net"}
)

// metadataDoc is an openid-configuration document in the shape Entra serves for a tenant's
// v2.0 endpoint, so the decoder meets every real field, not just the ones it reads.
func metadataDoc(tenant string, h cloudHosts, regionScope, subScope, instance string) string {
	sub := ""
	if subScope != "" {
		sub = fmt.Sprintf(`"tenant_region_sub_scope":%q,`, subScope)
	}
	return fmt.Sprintf(`{"token_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/token",
"token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt","client_secret_basic"],
"jwks_uri":"https://%[2]s/%[1]s/discovery/v2.0/keys","response_modes_supported":["query","fragment","form_post"],
"subject_types_supported":["pairwise"],"id_token_signing_alg_values_supported":["RS256"],
"response_types_supported":["code","id_token","code id_token","id_token token"],
"scopes_supported":["openid","profile","email","offline_access"],"issuer":"https://%[2]s/%[1]s/v2.0",
"request_uri_parameter_supported":false,"userinfo_endpoint":"https://%[3]s/oidc/userinfo",
"authorization_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/authorize",
"device_authorization_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/devicecode","http_logout_supported":true,
"frontchannel_logout_supported":true,"end_session_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/logout",
"claims_supported":["sub","iss","cloud_instance_name","cloud_instance_host_name","cloud_graph_host_name","msgraph_host","aud","exp","iat","auth_time","acr","nonce","preferred_username","name","tid","ver","at_hash","c_hash","email"],
"kerberos_endpoint":"https://%[2]s/%[1]s/kerberos","tenant_region_scope":%[5]q,%[6]s"cloud_instance_name":%[7]q,
"cloud_graph_host_name":"graph.windows.net","msgraph_host":%[3]q,"rbac_url":%[4]q}`,
		tenant, h.login, h.graph, h.rbac, regionScope, sub, instance)
}

// notFound is Entra's answer for a tenant ID that does not exist.
func notFound(tenant string) string {
	return fmt.Sprintf(`{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant. Trace ID: 0a1b2c3d-0000-4000-8000-000000000000 Correlation ID: 4e5f6a7b-0000-4000-8000-000000000000 Timestamp: 2026-12-03 15:00:00Z","error_codes":[90002],"timestamp":"2026-12-03 15:00:00Z","trace_id":"0a1b2c3d-0000-4000-8000-000000000000","correlation_id":"4e5f6a7b-0000-4000-8000-000000000000","error_uri":"https://login.microsoftonline.com/error?code=90002"}`, tenant)
}

const (
	commercial  = "11111111-1111-4111-8111-111111111111"
	gcc         = "22222222-2222-4222-8222-222222222222"
	gccHigh     = "33333333-3333-4333-8333-333333333333"
	missing     = "44444444-4444-4444-8444-444444444444"
	unavailable = "55555555-5555-4555-8555-555555555555"
	slow        = "66666666-6666-4666-8666-666666666666"
	malformed   = "77777777-7777-4777-8777-777777777777"
	bare        = "88888888-8888-4888-8888-888888888888"
	usgScope    = "99999999-9999-4999-8999-999999999999"
)

// fakeEntra serves documents per tenant; a tenant it does not know gets Entra's not-found answer.
func fakeEntra(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if r.Method != http.MethodGet || rest != "v2.0/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch tenant {
		case commercial:
			fmt.Fprint(w, metadataDoc(tenant, global, "NA", "", "microsoftonline.com"))
		case gcc:
			fmt.Fprint(w, metadataDoc(tenant, global, "NA", "GCC", "microsoftonline.com"))
		case gccHigh:
			fmt.Fprint(w, metadataDoc(tenant, usGov, "USGov", "DODCON", "microsoftonline.us"))
		case usgScope: // the older spelling of the Government scope, on a global-looking document
			fmt.Fprint(w, metadataDoc(tenant, global, "USG", "", "microsoftonline.com"))
		case unavailable:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "<html><body>"+strings.Repeat("Service Unavailable ", 500)+"</body></html>")
		case slow:
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case malformed:
			fmt.Fprint(w, `{"issuer":"https://login.microsoftonline.com/`)
		case bare:
			fmt.Fprint(w, `{"token_endpoint":"https://login.microsoftonline.com/x/oauth2/v2.0/token"}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, notFound(tenant))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTenantCloud(t *testing.T) {
	srv := fakeEntra(t)
	c := New(srv.URL, &http.Client{Timeout: 200 * time.Millisecond})
	tests := []struct {
		name, tenant string
		want         onboard.Cloud
		wantErr      string // "" when no error is expected
	}{
		{"Commercial", commercial, onboard.CloudCommercial, ""},
		{"GCC", gcc, onboard.CloudGCC, ""},
		{"AzureGovernment", gccHigh, onboard.CloudAzureGovernment, ""},
		{"USGScope", usgScope, onboard.CloudAzureGovernment, ""},
		{"UpperCaseID", strings.ToUpper(gcc), onboard.CloudGCC, ""},
		{"NotFound", missing, onboard.CloudUnknown, `400 Bad Request: "invalid_tenant"`},
		{"ServiceUnavailable", unavailable, onboard.CloudUnknown, "503 Service Unavailable"},
		{"Timeout", slow, onboard.CloudUnknown, "lookup"},
		{"MalformedJSON", malformed, onboard.CloudUnknown, "decode metadata"},
		{"MissingFields", bare, onboard.CloudUnknown, "lacks issuer"},
		{"NotATenantID", "contoso.onmicrosoft.com", onboard.CloudUnknown, "not a tenant ID"},
		{"PathTraversal", "../" + commercial, onboard.CloudUnknown, "not a tenant ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.TenantCloud(context.Background(), tt.tenant)
			if want := tt.want; got != want {
				t.Errorf("TenantCloud(%q) = %s, want %s", tt.tenant, got, want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("TenantCloud(%q) error = %v, want none", tt.tenant, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("TenantCloud(%q) error = %v, want one containing %q", tt.tenant, err, tt.wantErr)
			case err != nil && len(err.Error()) > 300:
				t.Errorf("TenantCloud(%q) error is %d bytes long; bodies must not leak into it", tt.tenant, len(err.Error()))
			}
		})
	}
}

// TestTenantCloudContext checks the caller's deadline wins even when the client has none.
func TestTenantCloudContext(t *testing.T) {
	srv := fakeEntra(t)
	c := New(srv.URL, &http.Client{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := c.TenantCloud(ctx, slow)
	if want := onboard.CloudUnknown; got != want || err == nil {
		t.Errorf("TenantCloud(slow) = %s, %v; want %s and an error", got, err, want)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("TenantCloud(slow) took %v; the context deadline was ignored", elapsed)
	}
}

func TestNewDefaults(t *testing.T) {
	c := New("", nil)
	if got, want := c.base, DefaultBaseURL; got != want {
		t.Errorf("base = %q, want %q", got, want)
	}
	if got, want := c.client.Timeout, 3*time.Second; got != want {
		t.Errorf("client timeout = %v, want %v", got, want)
	}
}
