package routes

import "github.com/gcconboard/gcconboard/shared/onboard"

// Customers is the function that creates customers, shows their accounts and changes their
// qualification.
const Customers = "customers"

// adminAgent is the one role that may change a customer's qualification (API.md): a sales agent
// is refused by the route itself, before anything is read.
var adminAgent = []onboard.Role{onboard.RoleAdminAgent}

// customers is customer creation, the account view and qualification changes. The partner's
// validation codes (GET /v1/customers/all/validations) are the review function's.
var customers = []Route{
	{"POST", "/v1/customers", Customers, agents},
	{"GET", "/v1/customers", Customers, agents},
	{"GET", "/v1/customers/{id}", Customers, agents},
	{"GET", "/v1/customers/{id}/qualifications", Customers, agents},
	{"POST", "/v1/customers/{id}/qualifications", Customers, adminAgent},
	{"GET", "/v1/customers/{id}/validations", Customers, agents},
}
