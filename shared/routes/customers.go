package routes

// customers is customer creation, the account view and qualification changes.
var customers = []Route{}
