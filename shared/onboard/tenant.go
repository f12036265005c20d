package onboard

import "context"

// Cloud is the Microsoft cloud a tenant lives in, as far as GCC eligibility cares.
type Cloud string

// Clouds a tenant lookup can report.
const (
	// CloudCommercial is a commercial/global tenant: what a partner must give.
	CloudCommercial Cloud = "Commercial"
	// CloudGCC is an Office 365 GCC tenant; it lives in the commercial cloud.
	CloudGCC Cloud = "GCC"
	// CloudAzureGovernment is an Azure Government (USGov) tenant: never accepted as a partner ID.
	CloudAzureGovernment Cloud = "AzureGovernment"
	// CloudUnknown means the lookup failed; the request is accepted and marked unverified.
	CloudUnknown Cloud = "Unknown"
)

// TenantCloudChecker resolves a tenant ID to its cloud. An implementation returns an error only
// when it could not tell (network, not found, unexpected answer); callers then record the request
// as unverified instead of refusing it.
type TenantCloudChecker interface {
	TenantCloud(ctx context.Context, tenantID string) (Cloud, error)
}
