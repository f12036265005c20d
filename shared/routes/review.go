package routes

// review is the eligibility team's queue and decisions, and what a decision gives a partner.
var review = []Route{
	{"GET", "/v1/eligibility/requests", Review, reviewer},
	{"GET", "/v1/eligibility/requests/{id}", Review, reviewer},
	{"GET", "/v1/eligibility/requests/{id}/evidence", Review, reviewer},
	{"POST", "/v1/eligibility/requests/{id}/decision", Review, reviewer},
	{"GET", "/v1/profiles/legalbusiness", Review, agents},
	{"GET", "/v1/customers/all/validations", Review, agents},
	{"GET", "/v1/auditrecords", Review, staff},
}

// notifications is outgoing mail and its delivery state, served by the notifier.
var notifications = []Route{
	{"GET", "/v1/notifications", Notifier, staff},
	{"POST", "/v1/notifications/{id}/resend", Notifier, staff},
}
