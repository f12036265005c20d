package routes

// Invitations is the function that serves reseller relationship invitations.
const Invitations = "invitations"

// invitations is reseller relationship invitations: the partner's side (agents) and the customer's
// public page and acceptance, whose token in the path is the credential.
var invitations = []Route{
	{"GET", "/v1/customers/relationshiprequests", Invitations, agents},
	{"POST", "/v1/invitations", Invitations, agents},
	{"GET", "/v1/invitations", Invitations, agents},
	{"DELETE", "/v1/invitations/{id}", Invitations, agents},
	{"GET", "/invitations/{token}", Invitations, nil},
	{"POST", "/invitations/{token}/accept", Invitations, nil},
}
