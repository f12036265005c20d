// Package entra tells which Microsoft cloud a tenant lives in, from Microsoft Entra's public
// OpenID Connect metadata: no credentials needed, one GET per tenant.
package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// DefaultBaseURL is Entra's global (commercial) login endpoint; it answers for every cloud's tenants.
const DefaultBaseURL = "https://login.microsoftonline.com"

// Checker implements onboard.TenantCloudChecker against Entra's openid-configuration documents.
type Checker struct {
	base   string
	client *http.Client
}

var _ onboard.TenantCloudChecker = (*Checker)(nil)

// New returns a Checker for baseURL (DefaultBaseURL if empty) using client (a 3 s timeout if nil).
func New(baseURL string, client *http.Client) *Checker {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if client == nil {
		client = &http.Client{Timeout: 3 * time.Second}
	}
	return &Checker{base: strings.TrimSuffix(baseURL, "/"), client: client}
}

// metadata holds the fields of the document that tell the cloud.
type metadata struct {
	Issuer               string `json:"issuer"`
	TenantRegionScope    string `json:"tenant_region_scope"`
	TenantRegionSubScope string `json:"tenant_region_sub_scope"`
	CloudInstanceName    string `json:"cloud_instance_name"`
}

// TenantCloud resolves tenantID's cloud. Any failure returns CloudUnknown and an error saying what
// happened; the caller then records the request as unverified.
func (c *Checker) TenantCloud(ctx context.Context, tenantID string) (onboard.Cloud, error) {
	if !onboard.IsTenantID(strings.ToLower(tenantID)) {
		return onboard.CloudUnknown, fmt.Errorf("entra: %.64q is not a tenant ID", tenantID)
	}
	u := c.base + "/" + url.PathEscape(tenantID) + "/v2.0/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return onboard.CloudUnknown, fmt.Errorf("entra: %w", err)
	}
	res, err := c.client.Do(req)
	if err != nil {
		return onboard.CloudUnknown, fmt.Errorf("entra: lookup: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return onboard.CloudUnknown, fmt.Errorf("entra: read: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		// Only the short error code goes in the message: bodies can be large or hostile.
		var e struct {
			Error string `json:"error"` // "invalid_tenant" for a tenant that does not exist
		}
		_ = json.Unmarshal(body, &e)
		if e.Error != "" {
			return onboard.CloudUnknown, fmt.Errorf("entra: lookup answered %s: %.64q", res.Status, e.Error)
		}
		return onboard.CloudUnknown, fmt.Errorf("entra: lookup answered %s", res.Status)
	}
	var m metadata
	if err := json.Unmarshal(body, &m); err != nil {
		return onboard.CloudUnknown, fmt.Errorf("entra: decode metadata: %w", err)
	}
	// Without these a Government tenant could pass for a commercial one, so refuse to guess.
	if m.Issuer == "" || m.CloudInstanceName == "" {
		return onboard.CloudUnknown, fmt.Errorf("entra: metadata lacks issuer or cloud_instance_name")
	}
	switch {
	case strings.EqualFold(m.TenantRegionScope, "USGov") || strings.EqualFold(m.TenantRegionScope, "USG") ||
		strings.EqualFold(m.CloudInstanceName, "microsoftonline.us"):
		return onboard.CloudAzureGovernment, nil
	case strings.EqualFold(m.TenantRegionSubScope, "GCC"):
		return onboard.CloudGCC, nil
	}
	return onboard.CloudCommercial, nil
}
