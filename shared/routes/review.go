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
	// Outgoing mail and its delivery state. The notifier sends the mail but serves no route, so it
	// links no HTTP code and starts as fast as its three AWS clients allow.
	{"GET", "/v1/notifications", Review, staff},
	{"POST", "/v1/notifications/{id}/resend", Review, staff},
}
