package onboard

// Role is a staff role; in AWS it is a Cognito group, locally a claim of a devserver token.
type Role string

// Roles of API.md.
const (
	RoleAdminAgent          Role = "admin_agent"
	RoleSalesAgent          Role = "sales_agent"
	RoleEligibilityReviewer Role = "eligibility_reviewer"
)

// Agents are the partner staff roles; both act for the partner in their token's partner_id.
var Agents = []Role{RoleAdminAgent, RoleSalesAgent}

// Principal is the authenticated caller, built from verified token claims only.
type Principal struct {
	Subject   string
	Role      Role
	PartnerID string // partner tenant ID; set for agents
	Email     string // optional
}

// IsAgent reports whether p acts for a partner.
func (p Principal) IsAgent() bool { return p.Role == RoleAdminAgent || p.Role == RoleSalesAgent }
