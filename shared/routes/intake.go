package routes

// intake is the public pages and both intake forms.
var intake = []Route{
	{"GET", "/", Intake, nil},
	{"GET", "/healthz", Intake, nil},
	{"GET", "/openapi.yaml", Intake, nil},
	{"GET", "/forms/partner-eligibility", Intake, nil},
	{"POST", "/v1/eligibility/partner", Intake, nil},
	{"GET", "/forms/customer-eligibility", Intake, nil},
	{"POST", "/v1/eligibility/customer", Intake, nil},
}
