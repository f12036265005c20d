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

// metadataDoc is a real-shape openid-configuration document as Entra serves it.
func metadataDoc(tenant, host, regionScope, subScope, instance string) string {
	sub := ""
	if subScope != "" {
		sub = fmt.Sprintf(`"tenant_region_sub_scope":"%s",`, subScope)
	}
	return fmt.Sprintf(`{"token_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/token",
"token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt","client_secret_basic"],
"jwks_uri":"https://%[2]s/%[1]s/discovery/v2.0/keys","response_modes_supported":["query","fragment","form_post"],
"subject_types_supported":["pairwise"],"id_token_signing_alg_values_supported":["RS256"],
"response_types_supported":["code","id_token","code id_token","id_token token"],
"scopes_supported":["openid","profile","email","offline_access"],"issuer":"https://%[2]s/%[1]s/v2.0",
"request_uri_parameter_supported":false,"userinfo_endpoint":"https://graph.microsoft.com/oidc/userinfo",
"authorization_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/authorize",
"device_authorization_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/devicecode","http_logout_supported":true,
"frontchannel_logout_supported":true,"end_session_endpoint":"https://%[2]s/%[1]s/oauth2/v2.0/logout",
"claims_supported":["sub","iss","cloud_instance_name","cloud_instance_host_name","cloud_graph_host_name","msgraph_host","aud","exp","iat","auth_time","acr","nonce","preferred_username","name","tid","ver","at_hash","c_hash","email"],
"kerberos_endpoint":"https://%[2]s/%[1]s/kerberos","tenant_region_scope":"%[3]s",%[4]s"cloud_instance_name":"%[5]s",
"cloud_graph_host_name":"graph.windows.net","msgraph_host":"graph.microsoft.com","rbac_url":"https://pas.windows.net"}`,
		tenant, host, regionScope, sub, instance)
}

const (
	commercial = "11111111-1111-4111-8111-111111111111"
	gcc        = "22222222-2222-4222-8222-222222222222"
	azureGov   = "33333333-3333-4333-8333-333333333333"
	missing    = "44444444-4444-4444-8444-444444444444"
	broken     = "55555555-5555-4555-8555-555555555555"
	slow       = "66666666-6666-4666-8666-666666666666"
)

func fakeEntra(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if !strings.HasSuffix(r.URL.Path, "/v2.0/.well-known/openid-configuration") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch tenant {
		case commercial:
			fmt.Fprint(w, metadataDoc(tenant, "login.microsoftonline.com", "NA", "", "microsoftonline.com"))
		case gcc:
			fmt.Fprint(w, metadataDoc(tenant, "login.microsoftonline.com", "NA", "GCC", "microsoftonline.com"))
		case azureGov:
			fmt.Fprint(w, metadataDoc(tenant, "login.microsoftonline.us", "USGov", "DODCON", "microsoftonline.us"))
		case broken:
			w.WriteHeader(http.StatusServiceUnavailable)
		case slow:
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.","error_codes":[90002],"timestamp":"2026-12-03 15:00:00Z","trace_id":"0a1b","correlation_id":"2c3d","error_uri":"https://login.microsoftonline.com/error?code=90002"}`, tenant)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTenantCloud(t *testing.T) {
	srv := fakeEntra(t)
	c := New(srv.URL, &http.Client{Timeout: 300 * time.Millisecond})
	tests := []struct {
		name    string
		tenant  string
		want    onboard.Cloud
		wantErr bool
	}{
		{"Commercial", commercial, onboard.CloudCommercial, false},
		{"GCC", gcc, onboard.CloudGCC, false},
		{"AzureGovernment", azureGov, onboard.CloudAzureGovernment, false},
		{"NotFound", missing, onboard.CloudUnknown, true},
		{"ServiceUnavailable", broken, onboard.CloudUnknown, true},
		{"Timeout", slow, onboard.CloudUnknown, true},
		{"NotATenantID", "contoso.onmicrosoft.com", onboard.CloudUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.TenantCloud(context.Background(), tt.tenant)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("TenantCloud(%s) = %s, %v; want %s, error %v", tt.tenant, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
